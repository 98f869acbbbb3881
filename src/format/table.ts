// Tables as kubectl prints them: upper-case headers, columns two spaces apart, the last column
// unpadded; `doctor -o wide` (one incident a line, with its age, MCPServer and root cause) and the
// catalog. Every cell is sanitized: names from a dump are not validated by an API server.

import type { Incident } from '../engine/incidents.ts';
import { severityRank } from '../checks/severity.ts';
import { sanitize } from '../util/redact.ts';
import { humanDuration } from '../util/duration.ts';
import type { Report } from './report.ts';

export function table(rows: readonly (readonly string[])[], opts: { noHeaders?: boolean } = {}): string {
  const body = opts.noHeaders ? rows.slice(1) : rows;
  if (body.length === 0) return '';
  const cells = body.map((r) => r.map(sanitize));
  const widths = (rows[0] ?? []).map((_, i) => Math.max(...rows.map((r) => sanitize(r[i] ?? '').length)));
  return `${cells.map((r) => r.map((c, i) => (i === r.length - 1 ? c : c.padEnd(widths[i] ?? 0))).join('  ').trimEnd()).join('\n')}\n`;
}

const ref = (i: Incident): string => `${i.object.kind}/${i.object.name}`;

export function incidentsWide(r: Report, opts: { now: number; noHeaders?: boolean }): string {
  const byId = new Map(r.incidents.map((i) => [i.id, i]));
  const sorted = [...r.incidents].sort(
    (a, b) =>
      severityRank(a.severity) - severityRank(b.severity) ||
      (a.object.namespace ?? '').localeCompare(b.object.namespace ?? '') ||
      ref(a).localeCompare(ref(b)) ||
      a.reason.localeCompare(b.reason),
  );
  const rows = [['SEVERITY', 'REASON', 'NAMESPACE', 'OBJECT', 'AGE', 'MCPSERVER', 'ROOT CAUSE', 'MESSAGE']];
  for (const i of sorted) {
    const since = i.since ? Date.parse(i.since) : NaN;
    const cause = i.rootCauseId ? byId.get(i.rootCauseId) : undefined;
    rows.push([
      i.severity,
      i.reason,
      i.object.namespace ?? '-',
      ref(i),
      Number.isNaN(since) ? '-' : humanDuration(Math.max(0, opts.now - since)),
      i.server ? i.server.name : '-',
      cause ? `${cause.reason} ${ref(cause)}` : i.rootCauseId ? i.rootCauseId : '-',
      i.message,
    ]);
  }
  if (rows.length === 1) return opts.noHeaders ? '' : 'No incidents.\n';
  return table(rows, opts);
}
