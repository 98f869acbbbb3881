// What the live page shows, as one small JSON document (GET /ui/state): the open incidents worst
// first with their remediation already split into steps (format/remediation.ts, the terminal's own
// layout, so the page never re-implements it), the latest resolved ones, and whether the agent can
// see. Bounded: a cluster on fire shows its worst incidents and says how many more there are.

import type { Incident } from '../engine/incidents.ts';
import { severityRank } from '../checks/severity.ts';
import { remediationSteps, type Step } from '../format/remediation.ts';
import type { StaleSource } from '../format/report.ts';

export const PAGE_MAX_OPEN = 1000;
export const PAGE_MAX_RESOLVED = 50;

export interface PageSource {
  clusterName: string;
  openIncidents(): Incident[];
  resolvedIncidents(): Incident[];
  ready(): boolean;
  blind(): StaleSource[];
}

interface PageIncident {
  id: string;
  reason: string;
  severity: string;
  object: string;
  message: string;
  steps: Step[];
  since?: string;
  server?: string;
  team?: string;
  rootCauseId?: string;
  silence?: Incident['silence'];
  flapping?: boolean;
  resolvedAt?: string;
  durationSeconds?: number;
}

function view(i: Incident): PageIncident {
  const o = i.object;
  const out: PageIncident = { id: i.id, reason: i.reason, severity: i.severity, object: `${o.kind} ${o.namespace ? `${o.namespace}/` : ''}${o.name}`, message: i.message, steps: remediationSteps(i.remediation) };
  if (i.since) out.since = i.since;
  if (i.server) out.server = `${i.server.namespace}/${i.server.name}`;
  if (i.server?.teamID) out.team = i.server.teamID;
  if (i.rootCauseId) out.rootCauseId = i.rootCauseId;
  if (i.silence) out.silence = i.silence;
  if (i.flapping) out.flapping = true;
  if (i.resolvedAt) out.resolvedAt = i.resolvedAt;
  if (i.durationSeconds !== undefined) out.durationSeconds = i.durationSeconds;
  return out;
}

export function pageState(src: PageSource, now: number): string {
  const open = src.openIncidents().sort((a, b) => severityRank(a.severity) - severityRank(b.severity) || (a.id < b.id ? -1 : 1));
  const resolved = src.resolvedIncidents();
  const shown = open.slice(0, PAGE_MAX_OPEN);
  // A root shown explains effects shown: keep the roots of what is shown, even past the cap.
  const roots = new Set(shown.map((i) => i.rootCauseId).filter((r) => r !== undefined));
  for (const i of open.slice(PAGE_MAX_OPEN)) if (roots.has(i.id)) shown.push(i);
  return JSON.stringify({
    cluster: src.clusterName,
    now: new Date(now).toISOString(),
    ready: src.ready(),
    blind: src.blind(),
    openTotal: open.length,
    open: shown.map(view),
    resolvedTotal: resolved.length,
    resolved: resolved.slice(0, PAGE_MAX_RESOLVED).map(view),
  });
}
