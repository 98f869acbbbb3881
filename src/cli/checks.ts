// sentinel-agent checks [REASON]: the catalog as a table or JSON, or one reason explained.

import { CATALOG, renderTemplate } from '../checks/catalog.ts';
import { type ReasonSpec } from '../checks/reasons.ts';
import { CHECKS } from '../checks/registry.ts';
import { UsageError, type IO } from './io.ts';

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

export function catalogJson(): string {
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
    return e;
  });
  return `${JSON.stringify({ reasons: entries, checks: CHECKS.map((c) => ({ id: c.id, description: c.description, reasons: c.reasons.map((r) => r.reason) })) }, null, 2)}\n`;
}

export function catalogTable(): string {
  const rows = [['REASON', 'KIND', 'SEVERITY', 'GRACE', 'CHECK', 'TITLE']];
  for (const s of CATALOG.values()) rows.push([s.reason, s.kind, severities(s).join('/'), grace(s.graceSeconds), s.check, s.title]);
  const widths = rows[0]?.map((_, i) => Math.max(...rows.map((r) => (r[i] ?? '').length))) ?? [];
  const lines = rows.map((r) => r.map((c, i) => (i === r.length - 1 ? c : c.padEnd(widths[i] ?? 0))).join('  '));
  lines.push('', `${CATALOG.size} reasons from ${CHECKS.length} checks. Explain one: sentinel-agent checks REASON`);
  return `${lines.join('\n')}\n`;
}

export function explain(s: ReasonSpec): string {
  const lines = [
    `${s.reason} — ${s.title}`,
    '',
    s.description,
    '',
    `object kind:  ${[s.kind, ...(s.alsoKinds ?? [])].join(', ')}`,
    `check:        ${s.check}`,
    `severity:     ${severities(s).join(' / ')} (default ${s.severity})`,
    `grace:        ${grace(s.graceSeconds)}`,
    `remediation:  ${generic(s.remediation)}`,
  ];
  if (s.runbookUrl) lines.push(`runbook:      ${s.runbookUrl}`);
  return `${lines.join('\n')}\n`;
}

export function checksCommand(args: { reason?: string; output?: string }, io: IO): number {
  const output = args.output ?? 'text';
  if (output !== 'text' && output !== 'json') throw new UsageError(`--output: expected text or json, got ${JSON.stringify(output)}`);
  if (args.reason === undefined) {
    io.stdout(output === 'json' ? catalogJson() : catalogTable());
    return 0;
  }
  const spec = [...CATALOG.values()].find((s) => s.reason.toLowerCase() === args.reason?.toLowerCase());
  if (!spec) {
    const near = [...CATALOG.keys()].filter((r) => r.toLowerCase().includes((args.reason ?? '').toLowerCase().slice(0, 5)));
    throw new UsageError(`unknown reason ${JSON.stringify(args.reason)}${near.length ? ` (did you mean ${near.join(', ')}?)` : ''}; list them with: sentinel-agent checks`);
  }
  if (output === 'json') {
    const all = JSON.parse(catalogJson()) as { reasons: { reason: string }[] };
    io.stdout(`${JSON.stringify(all.reasons.find((r) => r.reason === spec.reason), null, 2)}\n`);
  } else io.stdout(explain(spec));
  return 0;
}
