// The 3 a.m. report: incidents grouped by MCPServer, each root cause first with what it explains
// under it, worst first, remediation under each root; a one-line summary. Pure: colour and the
// clock are arguments.

import { rfc3339, type Incident } from '../engine/incidents.ts';
import { severityRank, type Severity } from '../checks/severity.ts';
import type { Report } from './report.ts';
import { sanitize } from '../util/redact.ts';
import { humanDuration } from '../util/duration.ts';
import { remediationLines, wrap } from './remediation.ts';

export interface TextOptions {
  color: boolean;
  now: number;
  /** The terminal's width: prose is wrapped to it (never inside a word, never a command). */
  width?: number;
  /** The time the checks were evaluated as of, when it is not the clock (doctor --now). */
  asOf?: number;
  /** Objects read and checks run, for the all-clear line. */
  stats?: { objects: number; checks: number };
}

const ESC = '\u001b[';
function paint(on: boolean, code: string, s: string): string {
  return on ? `${ESC}${code}m${s}${ESC}0m` : s;
}

const SEV_STYLE: Record<Severity, { code: string; mark: string }> = {
  critical: { code: '1;31', mark: '✖' },
  warning: { code: '33', mark: '▲' },
  info: { code: '36', mark: '●' },
};

function ago(ms: number): string {
  return ms < -500 ? 'in the future' : `${humanDuration(ms)} ago`;
}

function objectLabel(i: Incident): string {
  const o = i.object;
  // Names from a dump are not validated by an API server: never print them raw to a terminal.
  return sanitize(`${o.kind} ${o.namespace ? `${o.namespace}/` : ''}${o.name}`);
}

/** Prose at an indent, wrapped to the width (unwrapped when there is none). */
function indented(text: string, indent: number, width: number): string[] {
  return wrap(text, Math.max(20, width - indent)).map((l) => `${' '.repeat(indent)}${l}`);
}

interface Group {
  title: string;
  key: string;
  incidents: Incident[];
  worst: number;
}

function groupKey(i: Incident): string {
  return i.server ? `server:${i.server.namespace}/${i.server.name}` : i.object.kind === 'Agent' ? 'agent' : 'other';
}

// eslint-disable-next-line max-lines-per-function -- the report's sections in print order
export function reportText(r: Report, opts: TextOptions): string {
  const c = opts.color;
  const width = opts.width ?? Infinity;
  const out: string[] = [];
  const byId = new Map(r.incidents.map((i) => [i.id, i]));
  const groups = new Map<string, Group>();
  // Silenced and resolved incidents have sections of their own, after the open ones.
  const active = r.incidents.filter((i) => !i.silence && i.resolvedAt === undefined);
  for (const i of active) {
    const key = groupKey(i);
    let g = groups.get(key);
    if (!g) {
      const title = i.server
        ? sanitize(`MCPServer ${i.server.namespace}/${i.server.name}${i.server.teamID ? ` (team ${i.server.teamID})` : ''}`)
        : key === 'agent'
          ? 'sentinel-agent'
          : 'Other workloads and platform';
      g = { title, key, incidents: [], worst: 9 };
      groups.set(key, g);
    }
    g.incidents.push(i);
    g.worst = Math.min(g.worst, severityRank(i.severity));
  }
  const order = [...groups.values()].sort((a, b) => a.worst - b.worst || (a.key === 'agent' ? 1 : 0) - (b.key === 'agent' ? 1 : 0) || (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));

  // Evaluated as of another time (--now) than the report was made: both, so neither is mistaken for the other.
  const asOf = opts.asOf !== undefined ? ` · evaluated as of ${rfc3339(opts.asOf)}` : '';
  out.push(paint(c, '1', sanitize(`sentinel-agent doctor · cluster ${r.cluster.name} (${r.cluster.source}) · ${r.generatedAt}${asOf}`)));
  for (const g of order) {
    out.push('');
    out.push(paint(c, '1', g.title));
    const inGroup = new Set(g.incidents.map((i) => i.id));
    // Roots of this group: incidents with no cause, or whose cause is shown in another group.
    const children = new Map<string, Incident[]>();
    const roots: Incident[] = [];
    for (const i of g.incidents) {
      if (i.rootCauseId && inGroup.has(i.rootCauseId)) {
        const l = children.get(i.rootCauseId) ?? [];
        l.push(i);
        children.set(i.rootCauseId, l);
      } else roots.push(i);
    }
    roots.sort((a, b) => severityRank(a.severity) - severityRank(b.severity) || (a.id < b.id ? -1 : 1));
    for (const root of roots) {
      const st = SEV_STYLE[root.severity];
      out.push(`  ${paint(c, st.code, `${st.mark} ${root.severity.toUpperCase()}`)} ${paint(c, '1', sanitize(root.reason))}  ${objectLabel(root)}${root.flapping ? paint(c, '35', '  ↻ flapping') : ''}`);
      out.push(...indented(sanitize(root.message), 4, width));
      if (root.since) {
        const t = Date.parse(root.since);
        out.push(paint(c, '2', `    since ${sanitize(root.since)} (${ago(opts.now - t)})`));
      }
      if (root.rootCauseId) {
        const cause = byId.get(root.rootCauseId);
        if (cause) out.push(`    caused by ${sanitize(cause.reason)} on ${objectLabel(cause)} (shown under ${cause.server ? sanitize(`MCPServer ${cause.server.namespace}/${cause.server.name}`) : 'Other workloads and platform'})`);
      }
      out.push(...remediationLines(sanitize(root.remediation), { head: `    ${paint(c, '32', '→ fix:')}`, headColumns: 10, prose: ' '.repeat(6), command: ' '.repeat(8), width }));
      if (root.runbookUrl) out.push(paint(c, '2', `    runbook: ${sanitize(root.runbookUrl)}`));
      const kids = (children.get(root.id) ?? []).sort((a, b) => severityRank(a.severity) - severityRank(b.severity) || (a.id < b.id ? -1 : 1));
      if (kids.length > 0) {
        out.push(`    explains ${kids.length === 1 ? '1 more incident' : `${kids.length} more incidents`}:`);
        for (const k of kids) {
          const ks = SEV_STYLE[k.severity];
          const [first = '', ...rest] = wrap(`${sanitize(k.severity)} ${sanitize(k.reason)}  ${objectLabel(k)}: ${sanitize(k.message)}`, width - 8, width - 8);
          out.push(`      ${paint(c, ks.code, ks.mark)} ${first}`, ...rest.map((l) => `        ${l}`));
        }
      }
    }
  }
  out.push(...laterSections(r.incidents, opts));
  if (r.staleSources && r.staleSources.length > 0) {
    out.push('');
    out.push(paint(c, '1;33', `⚠ The agent cannot see ${r.staleSources.length} kind${r.staleSources.length === 1 ? '' : 's'}: what it reports for them may be out of date`));
    for (const s of r.staleSources) out.push(sanitize(`  - ${s.kind}: ${s.status}${s.since ? ` since ${s.since}` : ''}${s.detail ? `: ${s.detail}` : ''}`));
  }
  if (r.skipped.length > 0) {
    out.push('');
    out.push(paint(c, '1', `Skipped (${r.skipped.length})`));
    // Checks whose kinds a dump simply does not contain are one line; real failures one each.
    const whole = (s: (typeof r.skipped)[number]): boolean => s.reason === 'NotInInput' && !s.partial;
    const notInInput = r.skipped.filter(whole).map((s) => s.check);
    for (const s of r.skipped) if (!whole(s)) out.push(sanitize(`  - ${s.check}: ${s.reason}: ${s.detail}`));
    if (notInInput.length > 0) out.push(sanitize(`  - not in the input, so not evaluated: ${[...new Set(notInInput)].join(', ')}`));
  }
  out.push('');
  const { critical, warning, info } = r.summary;
  const total = critical + warning + info;
  if (total === 0 && opts.stats?.checks === 0) {
    out.push(paint(c, '1;31', `✖ Nothing was checked: every check was skipped (see above).`));
  } else if (total === 0) {
    const what = opts.stats ? `: ${opts.stats.objects} objects checked by ${opts.stats.checks} checks` : '';
    out.push(paint(c, '1;32', `✔ No incidents${what}.`) + (r.skipped.length ? ` ${r.skipped.length} skipped (see above).` : ''));
  } else {
    const roots = active.filter((i) => !i.rootCauseId).length;
    out.push(
      `${paint(c, SEV_STYLE.critical.code, `${critical} critical`)} · ${paint(c, SEV_STYLE.warning.code, `${warning} warning`)} · ${paint(c, SEV_STYLE.info.code, `${info} info`)}` +
        ` — ${total} incident${total === 1 ? '' : 's'}, ${roots} root cause${roots === 1 ? '' : 's'}, ${groups.size} group${groups.size === 1 ? '' : 's'}` +
        (r.skipped.length ? `, ${r.skipped.length} skipped` : ''),
    );
  }
  if (r.summary.silenced) out.push(paint(c, '2', `${r.summary.silenced} silenced (not counted; see above).`));
  return `${out.join('\n')}\n`;
}

/** The silenced incidents (tracked, not notified) and the resolved ones (history), one line each. */
function laterSections(all: readonly Incident[], opts: TextOptions): string[] {
  const c = opts.color;
  const out: string[] = [];
  const silenced = all.filter((i) => i.silence && i.resolvedAt === undefined);
  if (silenced.length > 0) {
    out.push('', paint(c, '1', `Silenced (${silenced.length}): tracked, not notified, not counted`));
    for (const i of silenced) {
      const s = i.silence as NonNullable<Incident['silence']>;
      const why = [s.source === 'window' ? `maintenance window ${s.by ?? ''}` : s.source === 'annotation' ? `annotation on ${s.by ?? 'the object'}` : `config silence${s.author ? ` by ${s.author}` : ''}`, s.reason, s.until ? `until ${s.until}` : undefined].filter(Boolean).join(' · ');
      out.push(`  ${paint(c, '2', '◌')} ${sanitize(`${i.severity} ${i.reason}`)}  ${objectLabel(i)}${i.flapping ? '  ↻ flapping' : ''}`, paint(c, '2', `    ${sanitize(why)}`));
    }
  }
  const resolved = all.filter((i) => i.resolvedAt !== undefined);
  if (resolved.length > 0) {
    out.push('', paint(c, '1', `Resolved (${resolved.length}), newest first`));
    for (const i of resolved) {
      const lasted = i.durationSeconds !== undefined ? ` after ${humanDuration(i.durationSeconds * 1000)}` : '';
      out.push(`  ${paint(c, '32', '✔')} ${sanitize(`${i.reason}`)}  ${objectLabel(i)}`, paint(c, '2', `    resolved ${sanitize(i.resolvedAt as string)} (${ago(opts.now - Date.parse(i.resolvedAt as string))})${lasted}, was ${i.severity}`));
    }
  }
  return out;
}
