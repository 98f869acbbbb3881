// Flood control: thousands of pods failing at once. Root causes collapse the flood into one incident
// that says how much it explains; log records are rate-limited, roots first, with a summary of what
// was suppressed; metric series stay bounded; the open incidents are announced again afterwards.

import { describe, expect, it } from 'vitest';
import { InMemoryLogRecordExporter } from '@opentelemetry/sdk-logs';
import { FloodGate } from '../src/engine/flood.ts';
import { Telemetry } from '../src/delivery/otel/telemetry.ts';
import { otelSettings } from '../src/delivery/otel/settings.ts';
import type { Transition } from '../src/engine/tracker.ts';
import type { Incident } from '../src/engine/incidents.ts';
import { deployment, healthyPlatform, pod, waiting, type Raw } from './support/objects.ts';
import { run } from './support/run.ts';

const inc = (id: string, root?: string): Incident => ({
  id,
  check: 'pod-image-pull',
  reason: 'RegistryPullFailed',
  severity: 'critical',
  object: { apiVersion: 'v1', kind: 'Pod', namespace: 'ns', name: id },
  message: 'm',
  remediation: 'r',
  attributes: {},
  ...(root ? { rootCauseId: root } : {}),
});

describe('flood control', () => {
  it('a registry outage behind 2,000 failing pulls is one root that says so', () => {
    const objs: Raw[] = [...healthyPlatform().filter((o) => !(o.kind === 'Deployment' && (o.metadata as Raw).name === 'registry')), deployment('registry', { ns: 'registry', ready: 0 })];
    for (let i = 0; i < 2000; i++) {
      objs.push(pod(`app-${i}`, { ns: `team-${i % 20}`, ready: false, containers: [{ name: 'app', image: 'registry.registry.svc.cluster.local:5000/app:v1', ready: false, state: waiting('ErrImagePull', 'dial tcp 10.43.174.51:5000: connect: connection refused') }] }));
    }
    const { incidents } = run(objs);
    const root = incidents.find((i) => i.reason === 'RegistryUnavailable');
    expect(root?.attributes.explains).toBe(2000);
    const pulls = incidents.filter((i) => i.reason === 'RegistryPullFailed');
    expect(pulls.length).toBe(2000);
    expect(pulls.every((p) => p.rootCauseId === root?.id)).toBe(true);
  });

  it('the gate admits a burst, keeps a reserve for roots, and summarizes what it suppressed', () => {
    let now = 0;
    const gate = new FloodGate({ ratePerSecond: 10, burst: 100, now: () => now });
    const t = (i: Incident): Transition => ({ type: 'opened', incident: i, at: now });
    let admitted = 0;
    for (let i = 0; i < 1000; i++) if (gate.admit(t(inc(`d${i}`, 'root')))) admitted++;
    expect(admitted).toBe(80); // dependents stop at the reserve
    expect(gate.admit(t(inc('root')))).toBe(true); // a root still goes out
    expect(gate.takeSummary()).toEqual({ total: 920, byReason: { RegistryPullFailed: 920 } });
    expect(gate.takeSummary()).toBeUndefined();
    now += 60_000;
    expect(gate.calm()).toBe(true);
  });

  it('telemetry: 5,000 opened records at once → at most the burst leaves, a summary record, then re-announcement', async () => {
    let now = 1_000_000;
    const logs = new InMemoryLogRecordExporter();
    const open = [inc('root'), ...Array.from({ length: 4999 }, (_, i) => inc(`p${i}`, 'root'))];
    const t = await Telemetry.create(
      { settings: otelSettings({ OTEL_METRICS_EXPORTER: 'none' }), clusterName: 'c', serviceVersion: '0', instanceId: 'i', log: () => {}, now: () => now, logRecordsPerSecond: 100, logRecordsBurst: 1000, overrides: { logExporter: logs } },
      { openIncidents: () => open, reflectorStats: () => [], sources: () => ({}), objectCounts: () => ({}), announceAll: () => open.map((incident) => ({ type: 'opened', incident, at: now })) },
    );
    t.transitions(open.map((incident) => ({ type: 'opened', incident, at: now })));
    t.floodTickNow();
    await t.forceFlush();
    const recs = logs.getFinishedLogRecords();
    const opened = recs.filter((r) => r.eventName === 'mcp_runtime.health.incident.opened');
    expect(opened.length).toBeLessThanOrEqual(1000);
    expect(opened[0]?.attributes['incident.id']).toBe('root');
    const summary = recs.find((r) => r.eventName === 'mcp_runtime.health.incident.suppressed');
    expect(summary?.attributes['incident.suppressed_total']).toBe(5000 - opened.length);
    expect(String(summary?.body)).toContain('suppressed');
    // The flood passes: the open incidents are announced again (subject to the same gate).
    logs.reset();
    now += 60_000;
    t.floodTickNow();
    await new Promise((r) => setImmediate(r));
    await t.forceFlush();
    expect(logs.getFinishedLogRecords().filter((r) => r.eventName === 'mcp_runtime.health.incident.opened').length).toBeGreaterThan(0);
    await t.flush();
  });
});
