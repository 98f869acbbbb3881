// The agent's metrics (product.md §4): the incident gauge by kind, reason and severity, transitions
// and evaluation passes, and the agent's own health (sources, objects, watches, exports, flood
// control). Instruments only: what they observe is read from the agent when a reader collects.

import type { Meter } from '@opentelemetry/api';
import { CATALOG } from '../../checks/catalog.ts';
import type { ExportStats } from './exporters.ts';
import { METRIC } from './names.ts';
import type { Transition } from '../../engine/tracker.ts';
import type { Incident } from '../../engine/incidents.ts';
import type { SourceState } from '../../kube/types.ts';

export interface TelemetrySource {
  openIncidents(): Incident[];
  /** False on a standby replica (leader election): its incident series are not reported. */
  emitting?(): boolean;
  reflectorStats(): { kind: string; stats: { restarts: number; relists: number; events: number; malformed: number; throttled: number } }[];
  sources(): Record<string, SourceState>;
  objectCounts(): Record<string, number>;
  /** 'opened' transitions for every open incident (re-announcement). */
  announceAll(): Transition[];
  /** Config `teams.onGauges`: the owning MCPServer's team as a `team` attribute of the incident
   *  gauge, at most `max` distinct teams (first seen), the rest `other`; no team is `""`. */
  teamsOnGauges?: { max: number };
}

/** The team a gauge series is counted under: bounded to the first `max` seen. */
export class TeamLabels {
  private readonly admitted = new Set<string>();
  private readonly max: number;
  constructor(max: number) {
    this.max = max;
  }
  of(team: string | undefined): string {
    if (team === undefined || team === '') return '';
    if (this.admitted.has(team)) return team;
    if (this.admitted.size >= this.max) return 'other';
    this.admitted.add(team);
    return team;
  }
}

export interface ExportCounts {
  logExports(): ExportStats | undefined;
  metricExports(): ExportStats | undefined;
  /** Records dropped and re-announced by the log path itself (full queue, re-announcement). */
  logStats(): ExportStats;
  suppressed(): number;
}

/** Registers every instrument on the meter; returns the two the agent records into. */
export function registerInstruments(
  meter: Meter,
  src: TelemetrySource,
  counts: ExportCounts,
): { transitions: ReturnType<Meter['createCounter']>; passes: ReturnType<Meter['createHistogram']>; durations: ReturnType<Meter['createHistogram']> } {
  // Every (kind, reason, severity) the catalog can produce, and every series reported once (an
  // overridden severity, config `reasons.<R>.severity`, makes series the catalog does not list), is
  // reported from then on, 0 when none is open, so a resolved series drops to 0 instead of going
  // stale (the SDK keeps exporting an attribute set a callback stopped reporting). Bounded: kind,
  // reason and severity are closed sets.
  // With teams on the gauges, each series also has a `team` (bounded: TeamLabels), the catalog's
  // zero series under team "".
  const teams = src.teamsOnGauges ? new TeamLabels(src.teamsOnGauges.max) : undefined;
  const series = new Map<string, { kind: string; reason: string; severity: string; team?: string }>();
  for (const spec of CATALOG.values()) {
    for (const kind of [spec.kind, ...(spec.alsoKinds ?? [])]) {
      for (const severity of new Set([spec.severity, ...(spec.alsoSeverities ?? [])])) series.set(`${kind}\u0000${spec.reason}\u0000${severity}${teams ? '\u0000' : ''}`, { kind, reason: spec.reason, severity, ...(teams ? { team: '' } : {}) });
    }
  }
  meter
    .createObservableGauge(METRIC.incidents, { description: 'Open incidents by object kind, severity and reason.', unit: '{incident}' })
    .addCallback((r) => {
      // Only the leader reports incident series: two replicas would double every count.
      if (src.emitting && !src.emitting()) return;
      const counts = new Map<string, number>();
      for (const i of src.openIncidents()) {
        const team = teams?.of(i.server?.teamID);
        const k = `${i.object.kind}\u0000${i.reason}\u0000${i.severity}${team !== undefined ? `\u0000${team}` : ''}`;
        counts.set(k, (counts.get(k) ?? 0) + 1);
        if (!series.has(k)) series.set(k, { kind: i.object.kind, reason: i.reason, severity: i.severity, ...(team !== undefined ? { team } : {}) });
      }
      for (const [k, attrs] of series) r.observe(counts.get(k) ?? 0, attrs);
    });
  const transitions = meter.createCounter(METRIC.transitions, { description: 'Incident transitions since start.', unit: '{transition}' });
  // Time to resolve, recorded on each resolution (MTTR = sum / count); buckets from half a minute to a week.
  const durations = meter.createHistogram(METRIC.duration, {
    description: 'How long incidents stayed open, recorded when they resolve, by object kind, severity and reason.',
    unit: 's',
    advice: { explicitBucketBoundaries: [30, 60, 120, 300, 600, 1800, 3600, 7200, 21600, 43200, 86400, 259200, 604800] },
  });
  const passes = meter.createHistogram(METRIC.evaluationDuration, {
    description: 'Duration of evaluation passes.',
    unit: 's',
    advice: { explicitBucketBoundaries: [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5] },
  });
  meter.createObservableGauge(METRIC.sourceUp, { description: '1 when the kind is synced, 0 when it cannot be read.' }).addCallback((r) => {
    for (const [kind, s] of Object.entries(src.sources())) r.observe(s.status === 'synced' ? 1 : 0, { kind, state: s.status });
  });
  meter.createObservableGauge(METRIC.objects, { description: 'Objects held in the store, by kind.', unit: '{object}' }).addCallback((r) => {
    for (const [kind, n] of Object.entries(src.objectCounts())) r.observe(n, { kind });
  });
  const perKind = (name: string, description: string, field: 'restarts' | 'relists' | 'events' | 'malformed' | 'throttled', unit: string): void => {
    meter.createObservableCounter(name, { description, unit }).addCallback((r) => {
      const sum = new Map<string, number>();
      for (const x of src.reflectorStats()) sum.set(x.kind, (sum.get(x.kind) ?? 0) + x.stats[field]);
      for (const [kind, n] of sum) r.observe(n, { kind });
    });
  };
  perKind(METRIC.watchRestarts, 'Watch reconnects after an error.', 'restarts', '{restart}');
  perKind(METRIC.relists, 'Relists after 410 Gone or by schedule.', 'relists', '{relist}');
  perKind(METRIC.watchEvents, 'Watch events received.', 'events', '{event}');
  perKind(METRIC.malformed, 'Malformed watch lines skipped.', 'malformed', '{line}');
  perKind(METRIC.throttled, 'Requests answered 429 by the API server.', 'throttled', '{request}');
  meter.createObservableCounter(METRIC.exportFailures, { description: 'Failed exports by signal.', unit: '{export}' }).addCallback((r) => {
    const logs = counts.logExports();
    const metrics = counts.metricExports();
    if (logs) r.observe(logs.failedExports, { signal: 'logs' });
    if (metrics) r.observe(metrics.failedExports, { signal: 'metrics' });
  });
  meter.createObservableCounter(METRIC.exportDropped, { description: 'Log records dropped (failed export or full queue).', unit: '{record}' }).addCallback((r) => {
    const logs = counts.logExports();
    if (logs) r.observe(logs.dropped + counts.logStats().dropped, { signal: 'logs' });
  });
  meter.createObservableCounter(METRIC.reannounced, { description: 'Incidents announced again after an export outage.', unit: '{record}' }).addCallback((r) => {
    r.observe(counts.logStats().reannounced, { signal: 'logs' });
  });
  meter.createObservableCounter(METRIC.suppressed, { description: 'Incident log records suppressed by flood control.', unit: '{record}' }).addCallback((r) => {
    r.observe(counts.suppressed(), { signal: 'logs' });
  });
  return { transitions, passes, durations };
}
