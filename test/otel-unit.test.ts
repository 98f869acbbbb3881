// The telemetry module with in-memory exporters and a reader collected directly: every metric and
// log field of product.md §4, and the OTEL_* settings as the specification defines them.

import { describe, expect, it } from 'vitest';
import { InMemoryLogRecordExporter } from '@opentelemetry/sdk-logs';
import { MetricReader, type ResourceMetrics } from '@opentelemetry/sdk-metrics';
import { Telemetry, diagError } from '../src/delivery/otel/telemetry.ts';
import type { TelemetrySource } from '../src/delivery/otel/metrics.ts';
import { otelSettings } from '../src/delivery/otel/settings.ts';
import type { Incident } from '../src/engine/incidents.ts';
import type { Transition } from '../src/engine/tracker.ts';

class CollectingReader extends MetricReader {
  protected override async onForceFlush(): Promise<void> {}
  protected override async onShutdown(): Promise<void> {}
}

const incident = (o: Partial<Incident> = {}): Incident => ({
  id: '0123456789abcdef0123',
  check: 'pod-image-pull',
  reason: 'RegistryPullFailed',
  severity: 'critical',
  object: { apiVersion: 'v1', kind: 'Pod', namespace: 'mcp-team-acme', name: 'weather-64b7c9f8d4-k8s2n', uid: 'u-1' },
  message: 'container "weather" cannot pull …',
  remediation: 'kubectl -n mcp-team-acme describe pod weather-64b7c9f8d4-k8s2n',
  since: '2026-11-24T09:35:00Z',
  server: { namespace: 'mcp-team-acme', name: 'weather', teamID: 'acme' },
  attributes: { container: 'weather', 'registry.failure': 'auth', restart_count: 0 },
  ...o,
});

async function make(open: Incident[] = [], extra: Partial<TelemetrySource> = {}): Promise<{ t: Telemetry; logs: InMemoryLogRecordExporter; reader: CollectingReader }> {
  const logs = new InMemoryLogRecordExporter();
  const reader = new CollectingReader();
  const source: TelemetrySource = {
    openIncidents: () => open,
    reflectorStats: () => [{ kind: 'Pod', stats: { restarts: 2, relists: 1, events: 40, malformed: 1, throttled: 0 } }],
    sources: () => ({ Pod: { status: 'synced' }, Certificate: { status: 'absent' } }),
    objectCounts: () => ({ Pod: 12 }),
    announceAll: () => open.map((incident) => ({ type: 'opened', incident, at: 0 })),
    ...extra,
  };
  const settings = otelSettings({ OTEL_SERVICE_NAME: 'agent-x', OTEL_RESOURCE_ATTRIBUTES: 'deployment.environment=prod' });
  const t = await Telemetry.create({ settings, clusterName: 'prod-eu', serviceVersion: '1.2.3', instanceId: 'pod-abc', log: () => {}, overrides: { logExporter: logs, metricReaders: [reader] } }, source);
  return { t, logs, reader };
}

function points(rm: ResourceMetrics, name: string): { attributes: Record<string, unknown>; value: unknown }[] {
  const out: { attributes: Record<string, unknown>; value: unknown }[] = [];
  for (const sm of rm.scopeMetrics) for (const m of sm.metrics) if (m.descriptor.name === name) for (const p of m.dataPoints) out.push({ attributes: p.attributes, value: p.value });
  return out;
}

describe('telemetry with in-memory exporters', () => {
  it('log records: event name, severity mapping, body and every attribute', async () => {
    const { t, logs } = await make();
    const opened: Transition = { type: 'opened', incident: incident({ rootCauseId: 'ffffffffffffffffffff', runbookUrl: 'https://example.org/rb' }), at: Date.parse('2026-11-24T10:00:00Z') };
    const resolved: Transition = { type: 'resolved', incident: incident(), at: Date.parse('2026-11-24T10:05:00Z'), durationS: 300 };
    const warn: Transition = { type: 'updated', incident: incident({ severity: 'warning', object: { apiVersion: 'apps/v1', kind: 'Deployment', namespace: 'n', name: 'd' }, server: undefined, attributes: {} }), at: 0 };
    t.transitions([opened, resolved, warn]);
    await t.forceFlush();
    const [a, b, c] = logs.getFinishedLogRecords();
    expect(a?.eventName).toBe('mcp_runtime.health.incident.opened');
    expect(a?.severityNumber).toBe(17);
    expect(a?.severityText).toBe('ERROR');
    expect(a?.body).toBe('container "weather" cannot pull …');
    expect(a?.instrumentationScope.name).toBe('sentinel-agent');
    expect(a?.attributes).toEqual({
      'incident.id': '0123456789abcdef0123',
      'incident.state': 'open',
      'incident.check': 'pod-image-pull',
      'incident.reason': 'RegistryPullFailed',
      'incident.severity': 'critical',
      'incident.remediation': 'kubectl -n mcp-team-acme describe pod weather-64b7c9f8d4-k8s2n',
      'incident.since': '2026-11-24T09:35:00Z',
      'incident.runbook_url': 'https://example.org/rb',
      'incident.root_cause_id': 'ffffffffffffffffffff',
      'k8s.namespace.name': 'mcp-team-acme',
      'k8s.object.kind': 'Pod',
      'k8s.object.name': 'weather-64b7c9f8d4-k8s2n',
      'k8s.object.uid': 'u-1',
      'k8s.object.api_version': 'v1',
      'k8s.pod.name': 'weather-64b7c9f8d4-k8s2n',
      'k8s.container.name': 'weather',
      'mcp_runtime.server.name': 'weather',
      'mcp_runtime.server.namespace': 'mcp-team-acme',
      'mcp_runtime.team.id': 'acme',
      'incident.attr.container': 'weather',
      'incident.attr.registry.failure': 'auth',
      'incident.attr.restart_count': 0,
    });
    expect(b?.eventName).toBe('mcp_runtime.health.incident.resolved');
    expect(b?.severityNumber).toBe(9);
    expect(b?.attributes['incident.state']).toBe('resolved');
    expect(b?.attributes['incident.duration_s']).toBe(300);
    expect(c?.eventName).toBe('mcp_runtime.health.incident.updated');
    expect(c?.severityNumber).toBe(13);
    expect(c?.attributes['k8s.deployment.name']).toBe('d');
    expect(a?.resource.attributes).toMatchObject({ 'service.name': 'agent-x', 'service.version': '1.2.3', 'service.instance.id': 'pod-abc', 'k8s.cluster.name': 'prod-eu', 'deployment.environment': 'prod' });
  });

  it('metrics: the zero-filled incident gauge, transitions, self metrics; bounded attributes', async () => {
    const open = [incident(), incident({ id: 'x2', severity: 'warning', reason: 'OOMKilled' })];
    const { t, reader } = await make(open);
    t.transitions([{ type: 'opened', incident: open[0] as Incident, at: 0 }, { type: 'updated', incident: open[0] as Incident, at: 0 }, { type: 'resolved', incident: open[0] as Incident, at: 0, durationS: 1 }]);
    t.recordPass('incremental', 3);
    const { resourceMetrics: rm } = await reader.collect();
    const gauge = points(rm, 'mcp_runtime.health.incidents');
    const find = (a: Record<string, string>): unknown => gauge.find((p) => Object.entries(a).every(([k, v]) => p.attributes[k] === v))?.value;
    expect(find({ kind: 'Pod', reason: 'RegistryPullFailed', severity: 'critical' })).toBe(1);
    expect(find({ kind: 'Pod', reason: 'OOMKilled', severity: 'warning' })).toBe(1);
    expect(find({ kind: 'Deployment', reason: 'DeploymentUnavailable', severity: 'critical' })).toBe(0);
    expect(find({ kind: 'Service', reason: 'RegistryUnavailable', severity: 'critical' })).toBe(0);
    expect(find({ kind: 'Agent', reason: 'SourceUnavailable', severity: 'info' })).toBe(0);
    for (const p of gauge) expect(Object.keys(p.attributes).sort()).toEqual(['kind', 'reason', 'severity']);
    const tr = points(rm, 'mcp_runtime.health.incident.transitions');
    expect(tr.map((p) => p.attributes.transition).sort()).toEqual(['opened', 'resolved']);
    expect(points(rm, 'sentinel_agent.watch.restarts')).toEqual([{ attributes: { kind: 'Pod' }, value: 2 }]);
    expect(points(rm, 'sentinel_agent.watch.relists')).toEqual([{ attributes: { kind: 'Pod' }, value: 1 }]);
    expect(points(rm, 'sentinel_agent.source.up').map((p) => `${p.attributes.kind}=${p.value}`).sort()).toEqual(['Certificate=0', 'Pod=1']);
    expect(points(rm, 'sentinel_agent.store.objects')).toEqual([{ attributes: { kind: 'Pod' }, value: 12 }]);
    const hist = points(rm, 'sentinel_agent.evaluation.duration');
    expect(hist[0]?.attributes).toEqual({ pass: 'incremental' });
    expect((hist[0]?.value as { count: number }).count).toBe(1);
    // No metric attribute carries an object name, namespace or id.
    const serialized = JSON.stringify(rm.scopeMetrics.flatMap((s) => s.metrics.flatMap((m) => m.dataPoints.map((p) => p.attributes))));
    expect(serialized).not.toMatch(/weather|mcp-team-acme|0123456789/);
    await t.flush();
  });
});

describe('OTEL_* settings', () => {
  it('defaults per the specification (with a short log batching delay)', () => {
    const s = otelSettings({});
    expect(s.disabled).toBe(false);
    expect(s.serviceName).toBe('sentinel-agent');
    expect(s.logs).toMatchObject({ exporter: 'otlp', url: 'http://localhost:4318/v1/logs', protocol: 'http/protobuf', timeoutMs: 10_000, compression: 'none', scheduleDelayMs: 100, maxQueueSize: 2048, maxExportBatchSize: 512, exportTimeoutMs: 30_000 });
    expect(s.metrics).toMatchObject({ url: 'http://localhost:4318/v1/metrics', intervalMs: 60_000, exportTimeoutMs: 30_000, temporality: 'cumulative' });
    expect(s.warnings).toEqual([]);
  });

  it('generic and per-signal endpoints, headers, protocol, timeouts, compression', () => {
    const s = otelSettings({
      OTEL_EXPORTER_OTLP_ENDPOINT: 'http://collector:4318/',
      OTEL_EXPORTER_OTLP_METRICS_ENDPOINT: 'http://metrics:9000/custom/path',
      OTEL_EXPORTER_OTLP_HEADERS: 'x-api-key=abc%3D%3D,tenant=t1',
      OTEL_EXPORTER_OTLP_LOGS_HEADERS: 'tenant=logs',
      OTEL_EXPORTER_OTLP_PROTOCOL: 'http/json',
      OTEL_EXPORTER_OTLP_TIMEOUT: '2500',
      OTEL_EXPORTER_OTLP_METRICS_TIMEOUT: '7000',
      OTEL_EXPORTER_OTLP_COMPRESSION: 'gzip',
      OTEL_METRIC_EXPORT_INTERVAL: '15000',
      OTEL_METRIC_EXPORT_TIMEOUT: '5000',
      OTEL_BLRP_SCHEDULE_DELAY: '250',
      OTEL_BLRP_MAX_QUEUE_SIZE: '100',
      OTEL_BLRP_MAX_EXPORT_BATCH_SIZE: '50',
    });
    expect(s.logs).toMatchObject({ url: 'http://collector:4318/v1/logs', headers: { 'x-api-key': 'abc==', tenant: 'logs' }, protocol: 'http/json', timeoutMs: 2500, compression: 'gzip', scheduleDelayMs: 250, maxQueueSize: 100, maxExportBatchSize: 50 });
    expect(s.metrics).toMatchObject({ url: 'http://metrics:9000/custom/path', headers: { 'x-api-key': 'abc==', tenant: 't1' }, timeoutMs: 7000, intervalMs: 15000, exportTimeoutMs: 5000 });
  });

  it('service name precedence, disabled SDK, exporters none/console, bad values warn and fall back', () => {
    expect(otelSettings({ OTEL_RESOURCE_ATTRIBUTES: 'service.name=from-attrs' }).serviceName).toBe('from-attrs');
    expect(otelSettings({ OTEL_RESOURCE_ATTRIBUTES: 'service.name=from-attrs', OTEL_SERVICE_NAME: 'svc' }).serviceName).toBe('svc');
    expect(otelSettings({ OTEL_SDK_DISABLED: 'TRUE' }).disabled).toBe(true);
    expect(otelSettings({ OTEL_LOGS_EXPORTER: 'none', OTEL_METRICS_EXPORTER: 'console' })).toMatchObject({ logs: { exporter: 'none' }, metrics: { exporter: 'console' } });
    const bad = otelSettings({ OTEL_EXPORTER_OTLP_PROTOCOL: 'grpc', OTEL_METRIC_EXPORT_INTERVAL: 'soon', OTEL_EXPORTER_OTLP_ENDPOINT: 'not a url', OTEL_RESOURCE_ATTRIBUTES: 'novalue' });
    expect(bad.logs.protocol).toBe('http/protobuf');
    expect(bad.metrics.intervalMs).toBe(60_000);
    expect(bad.logs.exporter).toBe('none');
    expect(bad.warnings.length).toBe(5);
  });
});

describe('incident gauges never go stale', () => {
  it('for every reason and every severity the config can set, a series that was 1 falls to 0', async () => {
    const { CATALOG } = await import('../src/checks/catalog.ts');
    const { SEVERITIES } = await import('../src/checks/severity.ts');
    const open: Incident[] = [];
    const { reader } = await make(open);
    const all: Incident[] = [];
    for (const spec of CATALOG.values()) {
      for (const kind of [spec.kind, ...(spec.alsoKinds ?? [])]) {
        for (const severity of SEVERITIES) {
          all.push(incident({ id: `${spec.reason}-${kind}-${severity}`, reason: spec.reason, severity, object: { apiVersion: 'v1', kind, namespace: 'n', name: 'x' } }));
        }
      }
    }
    open.push(...all);
    const up = points((await reader.collect()).resourceMetrics, 'mcp_runtime.health.incidents');
    for (const i of all) {
      expect(up.find((p) => p.attributes.kind === i.object.kind && p.attributes.reason === i.reason && p.attributes.severity === i.severity)?.value, `${i.id} open`).toBe(1);
    }
    open.length = 0;
    const down = points((await reader.collect()).resourceMetrics, 'mcp_runtime.health.incidents');
    for (const i of all) {
      expect(down.find((p) => p.attributes.kind === i.object.kind && p.attributes.reason === i.reason && p.attributes.severity === i.severity)?.value, `${i.id} resolved`).toBe(0);
    }
    expect(down.every((p) => p.value === 0)).toBe(true);
  });

  it('a severity override from the config, through the engine: the overridden series falls to 0 on resolve', async () => {
    const { run } = await import('./support/run.ts');
    const b = await import('./support/objects.ts');
    const { incidents } = run([b.pod('p', { containers: [{ name: 'c', ready: false, state: b.waiting('CrashLoopBackOff'), lastState: b.terminated('Error', 1, -1) }] })], {
      config: (c) => {
        c.checks = { ...c.checks, reasons: { ...c.checks.reasons, CrashLoopBackOff: { severity: 'info' } } };
      },
    });
    expect(incidents[0]?.severity).toBe('info');
    const open = [...incidents];
    const { reader } = await make(open);
    const series = (rm: ResourceMetrics) => points(rm, 'mcp_runtime.health.incidents').find((p) => p.attributes.reason === 'CrashLoopBackOff' && p.attributes.severity === 'info')?.value;
    expect(series((await reader.collect()).resourceMetrics)).toBe(1);
    open.length = 0;
    expect(series((await reader.collect()).resourceMetrics)).toBe(0);
  });
});

describe('bounded values on the wire', () => {
  it('OTEL_ATTRIBUTE_VALUE_LENGTH_LIMIT caps every string attribute of a log record', async () => {
    const logs = new InMemoryLogRecordExporter();
    const source: TelemetrySource = { openIncidents: () => [], reflectorStats: () => [], sources: () => ({}), objectCounts: () => ({}), announceAll: () => [] };
    const settings = otelSettings({ OTEL_ATTRIBUTE_VALUE_LENGTH_LIMIT: '64' });
    const t = await Telemetry.create({ settings, clusterName: 'c', serviceVersion: '1', instanceId: 'i', log: () => {}, overrides: { logExporter: logs, metricReaders: [new CollectingReader()] } }, source);
    const long = 'x'.repeat(1000);
    t.transitions([{ type: 'opened', incident: incident({ message: long, remediation: long, server: { namespace: 'n', name: 's', teamID: long }, attributes: { container: long } }), at: 0 }]);
    await t.forceFlush();
    const [r] = logs.getFinishedLogRecords();
    expect(r).toBeDefined();
    for (const [k, v] of Object.entries(r?.attributes ?? {})) if (typeof v === 'string') expect(v.length, k).toBeLessThanOrEqual(64);
    expect(r?.attributes['mcp_runtime.team.id']).toBe('x'.repeat(64));
    await t.flush();
  });
});

describe("the SDK's own error reports", () => {
  it('are one line with the message (no stack), and a network failure the exporter already reported is debug', () => {
    const refused = JSON.stringify({ stack: 'Error: connect ECONNREFUSED 127.0.0.1:4318\n    at TCPConnectWrap.afterConnect', message: 'connect ECONNREFUSED 127.0.0.1:4318', code: 'ECONNREFUSED' });
    expect(diagError(refused)).toEqual({ level: 'debug', message: 'connect ECONNREFUSED 127.0.0.1:4318', code: 'ECONNREFUSED' });
    const reader = JSON.stringify({ stack: 'Error: PeriodicExportingMetricReader: metrics export failed (error Error: x)\n    at currentRun', message: 'PeriodicExportingMetricReader: metrics export failed (error Error: x)' });
    expect(diagError(reader).level).toBe('debug');
    const bug = JSON.stringify({ stack: 'TypeError: x is not a function\n    at y', message: 'x is not a function' });
    expect(diagError(bug)).toEqual({ level: 'error', message: 'x is not a function' });
    expect(diagError('plain words\nand a second line')).toEqual({ level: 'error', message: 'plain words' });
  });
});

describe('teams on the incident gauge (config teams.onGauges)', () => {
  it('each team its own series, at most maxTeams of them: any further team is counted as other; no team is ""; off, no team attribute at all', async () => {
    const teams = ['acme', 'globex', 'initech', 'umbrella', 'hooli'];
    const open = teams.flatMap((team, k) => Array.from({ length: k + 1 }, (_, n) => incident({ id: `${team}-${n}`, server: { namespace: 'ns', name: `s-${team}`, teamID: team } })));
    open.push(incident({ id: 'none', server: undefined }));
    const { t, reader } = await make(open, { teamsOnGauges: { max: 3 } });
    const pts = points((await reader.collect()).resourceMetrics, 'mcp_runtime.health.incidents').filter((p) => p.attributes.reason === 'RegistryPullFailed' && p.attributes.severity === 'critical' && p.value !== 0);
    expect(Object.fromEntries(pts.map((p) => [p.attributes.team, p.value]))).toEqual({ acme: 1, globex: 2, initech: 3, other: 9, '': 1 });
    // Bounded for good: a team seen later never gets a series of its own.
    const all = points((await reader.collect()).resourceMetrics, 'mcp_runtime.health.incidents');
    expect(new Set(all.map((p) => p.attributes.team))).toEqual(new Set(['acme', 'globex', 'initech', 'other', '']));
    await t.flush();
    const off = await make(open);
    expect(points((await off.reader.collect()).resourceMetrics, 'mcp_runtime.health.incidents').some((p) => 'team' in p.attributes)).toBe(false);
    await off.t.flush();
  });
});
