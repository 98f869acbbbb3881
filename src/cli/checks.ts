// sentinel-agent checks [REASON]: the catalog as a table or JSON, or one reason explained.

import { CATALOG, renderTemplate } from '../checks/catalog.ts';
import { type ReasonSpec } from '../checks/reasons.ts';
import { CHECKS } from '../checks/registry.ts';
import { UsageError, type IO } from './io.ts';
import { nearest } from './spec.ts';
import { table } from '../format/table.ts';
import { remediationLines } from '../format/remediation.ts';
import { stringify } from 'yaml';
import type { CheckConfig } from '../checks/config.ts';

function severities(s: ReasonSpec): string[] {
  return [s.severity, ...(s.alsoSeverities ?? [])];
}

function grace(sec: number): string {
  if (sec === 0) return 'none';
  if (sec % 3600 === 0) return `${sec / 3600}h`;
  if (sec % 60 === 0) return `${sec / 60}m`;
  return `${sec}s`;
}

function generic(template: string): string {
  return renderTemplate(template, {});
}

type Reasons = CheckConfig['reasons'];

export function catalogJson(reasons: Reasons = {}): string {
  const entries = [...CATALOG.values()].map((s) => {
    const e: Record<string, unknown> = {
      reason: s.reason,
      kind: s.kind,
      check: s.check,
      severity: s.severity,
      severities: severities(s),
      graceSeconds: s.graceSeconds,
      title: s.title,
      description: s.description,
      remediation: generic(s.remediation),
    };
    if (s.alsoKinds) e.kinds = [s.kind, ...s.alsoKinds];
    if (s.runbookUrl) e.runbookUrl = s.runbookUrl;
    const esc = reasons[s.reason]?.escalateAfterSeconds;
    if (esc !== undefined) e.escalateAfterSeconds = esc;
    return e;
  });
  return `${JSON.stringify({ reasons: entries, checks: CHECKS.map((c) => ({ id: c.id, description: c.description, reasons: c.reasons.map((r) => r.reason) })) }, null, 2)}\n`;
}

export function catalogTable(opts: { noHeaders?: boolean; reasons?: Reasons } = {}): string {
  const reasons = opts.reasons ?? {};
  // An ESCALATES column only when the config escalates something (reasons.<R>.escalateAfter).
  const escalating = Object.values(reasons).some((r) => r.escalateAfterSeconds !== undefined);
  const rows = [['REASON', 'KIND', 'SEVERITY', 'GRACE', ...(escalating ? ['ESCALATES'] : []), 'CHECK', 'TITLE']];
  for (const s of CATALOG.values()) {
    const esc = reasons[s.reason]?.escalateAfterSeconds;
    rows.push([s.reason, s.kind, severities(s).join('/'), grace(s.graceSeconds), ...(escalating ? [esc !== undefined ? `critical after ${grace(esc)}` : '-'] : []), s.check, s.title]);
  }
  // Without headers the table is for scripts: no closing line either.
  if (opts.noHeaders) return table(rows, opts);
  return `${table(rows)}\n${CATALOG.size} reasons from ${CHECKS.length} checks. Explain one: sentinel-agent checks REASON\n`;
}

export function explain(s: ReasonSpec, reasons: Reasons = {}): string {
  const esc = reasons[s.reason]?.escalateAfterSeconds;
  const lines = [
    `${s.reason} — ${s.title}`,
    '',
    s.description,
    '',
    `object kind:  ${[s.kind, ...(s.alsoKinds ?? [])].join(', ')}`,
    `check:        ${s.check}`,
    `severity:     ${severities(s).join(' / ')} (default ${s.severity})`,
    `grace:        ${grace(s.graceSeconds)}`,
    ...(esc !== undefined ? [`escalates:    a warning open ${grace(esc)} becomes critical (config reasons.${s.reason}.escalateAfter)`] : []),
    ...remediationLines(generic(s.remediation), { head: 'remediation:', headColumns: 12, headAlone: true, prose: '  ', command: '    ' }),
  ];
  if (s.runbookUrl) lines.push(`runbook:      ${s.runbookUrl}`);
  return `${lines.join('\n')}\n`;
}

export function checksCommand(args: { reason?: string; output?: string; noHeaders?: boolean; reasons?: Reasons }, io: IO): number {
  // --output is checked against text|json|yaml (spec.ts) by the command line (args.ts).
  const output = args.output ?? 'text';
  const machine = (doc: unknown): string => (output === 'json' ? `${JSON.stringify(doc, null, 2)}\n` : stringify(doc, { lineWidth: 0 }));
  if (args.reason === undefined) {
    io.stdout(output === 'text' ? catalogTable(args) : machine(JSON.parse(catalogJson(args.reasons))));
    return 0;
  }
  const spec = [...CATALOG.values()].find((s) => s.reason.toLowerCase() === args.reason?.toLowerCase());
  if (!spec) {
    const reasons = [...CATALOG.keys()];
    const near = nearest(args.reason, reasons);
    const containing = near.length > 0 ? near : reasons.filter((r) => r.toLowerCase().includes(args.reason?.toLowerCase().slice(0, 5) ?? ''));
    throw new UsageError(`unknown reason ${JSON.stringify(args.reason)}${containing.length ? ` (did you mean ${containing.join(' or ')}?)` : ''}; list them with: sentinel-agent checks`);
  }
  if (output === 'text') io.stdout(explain(spec, args.reasons));
  else {
    const all = JSON.parse(catalogJson(args.reasons)) as { reasons: { reason: string }[] };
    io.stdout(machine(all.reasons.find((r) => r.reason === spec.reason)));
  }
  return 0;
}
