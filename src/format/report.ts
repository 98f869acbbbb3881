// The doctor report (product.md §5): one shape for doctor, the watcher's /incidents and
// --from-watcher, serialized with a fixed key order so the same input gives byte-identical JSON.

import type { Incident } from '../engine/incidents.ts';
import type { Skipped } from '../engine/evaluate.ts';
import { severityRank, SEVERITIES, type Severity } from '../checks/severity.ts';

export type ReportSource = 'live' | 'file' | 'watcher';

export interface Report {
  schemaVersion: 1;
  generatedAt: string;
  cluster: { name: string; source: ReportSource };
  incidents: Incident[];
  skipped: Skipped[];
  summary: Summary;
  /** Kinds the running agent cannot read now (additive; only from a watcher, only when any). */
  staleSources?: StaleSource[];
  /** A continue token for the next page of /incidents (additive; only when more remain). */
  continue?: string;
}

export interface StaleSource {
  kind: string;
  status: string;
  since?: string;
  detail?: string;
}

/** Open incidents that notify, by severity; silenced ones are counted apart (`silenced`, only when
 *  any), resolved ones (history) not at all. */
export function summarize(incidents: readonly Incident[]): Summary {
  const s: Summary = { critical: 0, warning: 0, info: 0 };
  let silenced = 0;
  for (const i of incidents) {
    if (i.resolvedAt !== undefined) continue;
    if (i.silence) silenced++;
    else s[i.severity]++;
  }
  if (silenced > 0) s.silenced = silenced;
  return s;
}

export type Summary = Record<Severity, number> & { silenced?: number };

export function buildReport(opts: { generatedAt: string; clusterName: string; source: ReportSource; incidents: Incident[]; skipped: Skipped[] }): Report {
  const skipped = [...opts.skipped].sort((a, b) => (a.check < b.check ? -1 : a.check > b.check ? 1 : a.detail < b.detail ? -1 : a.detail > b.detail ? 1 : 0));
  return {
    schemaVersion: 1,
    generatedAt: opts.generatedAt,
    cluster: { name: opts.clusterName, source: opts.source },
    incidents: opts.incidents,
    skipped,
    summary: summarize(opts.incidents),
  };
}

export function orderedIncident(i: Incident): Record<string, unknown> {
  const o: Record<string, unknown> = {
    id: i.id,
    check: i.check,
    reason: i.reason,
    severity: i.severity,
    object: orderedRef(i.object),
    message: i.message,
    remediation: i.remediation,
  };
  if (i.runbookUrl !== undefined) o.runbookUrl = i.runbookUrl;
  if (i.since !== undefined) o.since = i.since;
  if (i.server !== undefined) {
    const s: Record<string, unknown> = { namespace: i.server.namespace, name: i.server.name };
    if (i.server.teamID !== undefined) s.teamID = i.server.teamID;
    o.server = s;
  }
  if (i.rootCauseId !== undefined) o.rootCauseId = i.rootCauseId;
  o.attributes = Object.fromEntries(Object.entries(i.attributes).sort(([a], [b]) => (a < b ? -1 : 1)));
  // What living with it adds (each only when set).
  if (i.silence !== undefined) {
    const s = i.silence;
    o.silence = { source: s.source, ...(s.by !== undefined ? { by: s.by } : {}), ...(s.reason !== undefined ? { reason: s.reason } : {}), ...(s.author !== undefined ? { author: s.author } : {}), ...(s.until !== undefined ? { until: s.until } : {}) };
  }
  if (i.flapping) o.flapping = true;
  if (i.resolvedAt !== undefined) o.resolvedAt = i.resolvedAt;
  if (i.durationSeconds !== undefined) o.durationSeconds = i.durationSeconds;
  if (i.timeline !== undefined) o.timeline = i.timeline.map((e) => ({ at: e.at, type: e.type, severity: e.severity, ...(e.changed ? { changed: e.changed } : {}), ...(e.rootCauseId ? { rootCauseId: e.rootCauseId } : {}) }));
  return o;
}

function orderedRef(r: Incident['object']): Record<string, unknown> {
  const o: Record<string, unknown> = { apiVersion: r.apiVersion, kind: r.kind };
  if (r.namespace !== undefined) o.namespace = r.namespace;
  o.name = r.name;
  if (r.uid !== undefined) o.uid = r.uid;
  return o;
}

export function reportJson(r: Report): string {
  const ordered = {
    schemaVersion: r.schemaVersion,
    generatedAt: r.generatedAt,
    cluster: { name: r.cluster.name, source: r.cluster.source },
    incidents: r.incidents.map(orderedIncident),
    skipped: r.skipped.map((s) => ({ check: s.check, reason: s.reason, detail: s.detail })),
    summary: { ...Object.fromEntries(SEVERITIES.map((s) => [s, r.summary[s]])), ...(r.summary.silenced ? { silenced: r.summary.silenced } : {}) },
    ...(r.staleSources && r.staleSources.length > 0 ? { staleSources: r.staleSources } : {}),
    ...(r.continue ? { continue: r.continue } : {}),
  };
  return `${JSON.stringify(ordered, null, 2)}\n`;
}

/** Exit code per product.md §5: 1 when an incident is at or above the threshold. */
export function exitCodeFor(incidents: readonly Incident[], failOn: Severity | 'none'): 0 | 1 {
  if (failOn === 'none') return 0;
  // Silenced incidents ("we know") and resolved ones (history) never fail a gate.
  return incidents.some((i) => !i.silence && i.resolvedAt === undefined && severityRank(i.severity) <= severityRank(failOn)) ? 1 : 0;
}
