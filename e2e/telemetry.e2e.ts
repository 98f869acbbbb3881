// The telemetry path for real: the agent (against the real control plane) → the real OpenTelemetry
// Collector (testbed/go/otelcol, the components otel-collector-config.yaml names) running the
// shipped config unchanged but for its environment → (a) a stand-in for Sentinel's OTLP ingest (an
// OTLP/HTTP server, which is all Sentinel is to the Collector) and (b) the real Prometheus scraping
// the Collector's Prometheus exporter with deploy/prometheus/sentinel-agent-rules.yaml loaded.
// (c) kill -9 of the Collector while records wait in its file_storage queue loses nothing; (d) a
// minute without the Collector while incidents open, and nothing else happening, still delivers
// every open incident once it is back.
//
// The rules are loaded from a test copy whose `for:` durations are cut to a few seconds, so an
// alert can fire within the test; everything else in them is the shipped text.

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { OtlpReceiver, type LogRecordView } from '../test/support/otlp-receiver.ts';
import { Prometheus } from '../test/support/prometheus.ts';
import { COLLECTOR_CONFIG, binaries } from '../testbed/testbed.ts';
import { BEHAVIOUR, ROOT, agentKubeconfig, deployment, ensureNamespace, fastConfig, sleep, startAgent, upTestbed, waitFor, type Agent, type IncidentView, type Testbed } from './support.ts';

const KEY = 'e2e-sentinel-key-7f3a';
const CLUSTER = 'e2e-telemetry';
const NS = 'apps';
const FOR = '8s';

let tb: Testbed;
let agent: Agent;
let sentinel: OtlpReceiver;
let prom: Prometheus;
let collectorStartLog = '';

const crashing = (name: string) => deployment(name, NS, { app: name }, [{ name: 'w', image: 'busybox:1.36' }], 1, { podLabels: { [BEHAVIOUR]: 'crashloop' } });
const healthy = (name: string) => deployment(name, NS, { app: name }, [{ name: 'w', image: 'busybox:1.36' }], 1, { podLabels: { [BEHAVIOUR]: 'ready' } });

function collector(): { otlpHttp: string; prometheus: string; telemetry: string; queueDir: string } {
  const c = tb.addresses.collector as unknown as { otlpHttp: string; prometheus: string; telemetry: string; queueDir: string } | undefined;
  if (!c) throw new Error('the test bed has no Collector');
  return c;
}

/** The agent's own record of what it announced: one `incident <type>` log line per transition. */
function agentTransitions(): { type: string; id: string; reason: string }[] {
  return agent
    .logs()
    .filter((l) => typeof l.msg === 'string' && /^incident (opened|updated|resolved)$/.test(l.msg))
    .map((l) => ({ type: String(l.msg).slice('incident '.length), id: String(l.incident), reason: String(l.reason) }));
}

const delivered = (id: string, type: string, from: 'received' | 'refused' = 'received'): LogRecordView[] =>
  sentinel.logRecords(from).filter((r) => r.attributes['incident.id'] === id && r.eventName === `mcp_runtime.health.incident.${type}`);

async function openIncident(reason: string, name: string): Promise<IncidentView> {
  return waitFor(`${reason} on ${name}`, async () => (await agent.incidents()).incidents.find((i) => i.reason === reason && i.object.name.startsWith(name)), 90_000);
}

function validate(config: string, env: Record<string, string> = { SENTINEL_OTLP_ENDPOINT: 'http://127.0.0.1:9', SENTINEL_API_KEY: 'k' }): { code: number; out: string } {
  try {
    const out = execFileSync(binaries(() => {}, ['otelcol']).otelcol, ['validate', `--config=${config}`], { encoding: 'utf8', env: { PATH: process.env.PATH ?? '', ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
    return { code: 0, out };
  } catch (e) {
    const err = e as { status: number; stdout: string; stderr: string };
    return { code: err.status, out: `${err.stdout}${err.stderr}` };
  }
}

/** Uncomments the block that starts at a commented line matching `start`: it and the commented
 * lines after it that are indented deeper. */
function uncomment(text: string, start: RegExp): string {
  const out: string[] = [];
  let indent: string | undefined;
  for (const line of text.split('\n')) {
    const m = start.exec(line);
    if (m) indent = m[1] ?? '';
    if (indent !== undefined && line.startsWith(`${indent}# `) && (m || line.startsWith(`${indent}#   `))) {
      out.push(indent + line.slice(indent.length + 2));
      continue;
    }
    indent = undefined;
    out.push(line);
  }
  return out.join('\n');
}

beforeAll(async () => {
  sentinel = new OtlpReceiver();
  const url = await sentinel.start();
  tb = await upTestbed({ nodes: 1, collector: true, collectorEnv: { SENTINEL_OTLP_ENDPOINT: url, SENTINEL_API_KEY: KEY } });
  collectorStartLog = tb.log('collector');
  const { kubeconfig } = await agentKubeconfig(tb);
  await ensureNamespace(tb.kube, NS);
  agent = await startAgent(kubeconfig, fastConfig({ clusterName: CLUSTER }), {
    env: { OTEL_EXPORTER_OTLP_ENDPOINT: collector().otlpHttp, OTEL_METRIC_EXPORT_INTERVAL: '1000', OTEL_BLRP_SCHEDULE_DELAY: '100', HOSTNAME: 'agent-e2e' },
  });
  // The rules as shipped, `for:` cut so alerts fire within the test (said in the header).
  const dir = mkdtempSync(join(tmpdir(), 'sa-e2e-rules-'));
  const rules = readFileSync(join(ROOT, 'deploy/prometheus/sentinel-agent-rules.yaml'), 'utf8').replace(/^(\s+for:) \S+$/gm, `$1 ${FOR}`);
  writeFileSync(join(dir, 'rules.yaml'), rules);
  // The gauges reach the Collector's exporter before Prometheus starts, so an `absent()` rule sees
  // them from its first evaluation, as it would in a cluster where Prometheus runs all along.
  await waitFor('the incident gauges at the Collector', async () => (await (await fetch(collector().prometheus)).text()).includes('mcp_runtime_health_incidents{'), 60_000);
  const host = (u: string): string => new URL(u).host;
  prom = await Prometheus.start({ jobs: { 'otel-collector': { targets: [host(collector().prometheus)] }, 'otel-collector-self': { targets: [host(collector().telemetry)] } }, ruleFiles: [join(dir, 'rules.yaml')] });
}, 300_000);

afterAll(async () => {
  prom?.stop();
  await agent?.stop();
  await tb?.down();
  await sentinel?.stop();
});

describe('the shipped Collector config in the real Collector', () => {
  it('otelcol validate accepts both copies and the optional remote write; rejects a broken one and a missing endpoint', () => {
    for (const f of [COLLECTOR_CONFIG, join(ROOT, 'deploy/base/collector/otel-collector-config.yaml')]) expect(validate(f), f).toEqual({ code: 0, out: '' });
    const shipped = readFileSync(COLLECTOR_CONFIG, 'utf8');
    const dir = mkdtempSync(join(tmpdir(), 'sa-e2e-otelcol-'));
    // The optional remote write, uncommented as its comment says.
    const rw = uncomment(shipped, /^( *)# (prometheus_remote_write|metrics\/remotewrite):$/);
    expect(rw).toMatch(/^ {2}prometheus_remote_write:$/m);
    expect(rw).toMatch(/^ {4}metrics\/remotewrite:$/m);
    writeFileSync(join(dir, 'rw.yaml'), rw);
    expect(validate(join(dir, 'rw.yaml'), { SENTINEL_OTLP_ENDPOINT: 'http://127.0.0.1:9', SENTINEL_API_KEY: 'k', PROMETHEUS_REMOTE_WRITE_URL: 'http://127.0.0.1:9/api/v1/write' })).toEqual({ code: 0, out: '' });
    // The real Collector does check: a pipeline naming an exporter that is not defined is refused.
    writeFileSync(join(dir, 'broken.yaml'), shipped.replace('exporters: [otlp_http/sentinel, debug]', 'exporters: [otlp_http/nowhere, debug]'));
    const broken = validate(join(dir, 'broken.yaml'));
    expect(broken.code).not.toBe(0);
    expect(broken.out).toContain('otlp_http/nowhere');
    // Without the Secret's endpoint the Collector says which setting is missing.
    const missing = validate(COLLECTOR_CONFIG, {});
    expect(missing.code).not.toBe(0);
    expect(missing.out).toMatch(/otlp_http\/sentinel.*endpoint/);
  });

  it('starts with no warning or error (no deprecated names, no unset variables)', () => {
    expect(collectorStartLog).toContain('Everything is ready');
    const bad = collectorStartLog.split('\n').filter((l) => /\t(warn|error)\t/.test(l));
    expect(bad).toEqual([]);
  });
});

describe('agent → Collector → Sentinel and Prometheus', () => {
  it("every transition's log record reaches Sentinel with the contract attributes and the x-api-key header; the gauge and the alert follow in Prometheus", async () => {
    await tb.kube.apply(crashing('crashy'));
    const inc = await openIncident('CrashLoopBackOff', 'crashy');

    // (b) Prometheus: the gauge with the cluster label, and the critical alert after its `for:`.
    const gauge = `mcp_runtime_health_incidents{kind="Pod",reason="CrashLoopBackOff",severity="critical"}`;
    const up = await waitFor('the gauge at 1 in Prometheus', async () => (await prom.query(gauge)).find((s) => s.value === 1), 60_000);
    expect(up.metric.k8s_cluster_name).toBe(CLUSTER);
    const firing = await waitFor(
      'MCPRuntimeCriticalIncident to fire',
      async () => (await prom.alerts()).find((a) => a.labels.alertname === 'MCPRuntimeCriticalIncident' && a.state === 'firing' && a.labels.reason === 'CrashLoopBackOff'),
      60_000,
    );
    expect(firing.labels).toMatchObject({ kind: 'Pod', severity: 'critical', k8s_cluster_name: CLUSTER });
    expect(firing.annotations.summary).toBe('1 critical CrashLoopBackOff incident(s) on Pod objects');
    // A healthy pipeline raises none of the agent's own alerts, and every rule evaluates.
    const self = (await prom.alerts()).filter((a) => a.labels.alertname?.startsWith('SentinelAgent'));
    expect(self).toEqual([]);
    for (const r of await prom.rules()) expect(r.health, `${r.name}: ${r.lastError ?? ''}`).toBe('ok');
    for (const t of await prom.targets()) expect(t.health, `${t.job}: ${t.lastError}`).toBe('up');
    // Every Grafana panel's query runs in the real Prometheus for this cluster and has data.
    const dash = JSON.parse(readFileSync(join(ROOT, 'deploy/grafana/sentinel-agent-dashboard.json'), 'utf8')) as { panels: { title: string; targets: { expr: string }[] }[] };
    const empty: string[] = [];
    // (Time to resolve has data once an incident resolves: checked after the heal below.)
    const afterResolve = (expr: string): boolean => expr.includes('incident_duration');
    for (const p of dash.panels) for (const t of p.targets) if (!afterResolve(t.expr) && (await prom.query(t.expr.replaceAll('$cluster', CLUSTER))).length === 0) empty.push(`${p.title}: ${t.expr}`);
    expect(empty).toEqual([]);
    // The Collector's own metrics are scraped beside the gauges.
    expect((await prom.query('otelcol_exporter_queue_capacity{exporter="otlp_http/sentinel"}'))[0]?.value).toBe(10000);

    // Heal by a rollout to a good pod template: the crash-looping pod goes, its incident resolves.
    await tb.kube.apply(healthy('crashy'));
    await waitFor('the incident to resolve', async () => !(await agent.incidents()).incidents.some((i) => i.id === inc.id), 90_000);
    await waitFor('the gauge back to 0', async () => (await prom.query(gauge)).find((s) => s.value === 0), 60_000);
    // The resolution in the time-to-resolve histogram, through the Collector's exporter, and the
    // dashboard's MTTR panel has it.
    const count = await waitFor('the duration histogram at the Collector', async () => (await prom.query(`mcp_runtime_health_incident_duration_seconds_count{k8s_cluster_name="${CLUSTER}",kind="Pod",reason="CrashLoopBackOff",severity="critical"}`))[0], 60_000);
    expect(count.value).toBe(1);
    for (const p of dash.panels) for (const t of p.targets.filter((x) => afterResolve(x.expr))) {
      // The heal's rollout may open and resolve other incidents too (the Deployment unavailable
      // for a pass); the panel has one series per reason, and the crash loop's is among them.
      const v = await waitFor(`${p.title} to have data for CrashLoopBackOff`, async () => (await prom.query(t.expr.replaceAll('$cluster', CLUSTER))).find((s) => s.metric.reason === 'CrashLoopBackOff'), 60_000);
      expect(v.value, p.title).toBeGreaterThan(0);
    }
    await waitFor('the alert to end', async () => !(await prom.alerts()).some((a) => a.labels.alertname === 'MCPRuntimeCriticalIncident'), 60_000);

    // (a) Sentinel: a record for every transition the agent made, each as the contract says.
    const ts = await waitFor(
      'every transition at Sentinel',
      () => {
        const all = agentTransitions();
        return all.some((t) => t.id === inc.id && t.type === 'resolved') && all.every((t) => delivered(t.id, t.type).length > 0) ? all : undefined;
      },
      60_000,
    );
    expect(ts.length).toBeGreaterThanOrEqual(2);
    const opened = delivered(inc.id, 'opened')[0] as LogRecordView;
    const resolved = delivered(inc.id, 'resolved')[0] as LogRecordView;
    expect(opened.headers['x-api-key']).toBe(KEY);
    expect(resolved.headers['x-api-key']).toBe(KEY);
    expect(opened.scope).toBe('sentinel-agent');
    expect(opened.resource).toMatchObject({ 'service.name': 'sentinel-agent', 'k8s.cluster.name': CLUSTER, 'service.instance.id': 'agent-e2e' });
    expect(opened.severityNumber).toBe(17);
    expect(opened.body).toBe(inc.message);
    expect(opened.attributes).toMatchObject({
      'incident.id': inc.id,
      'incident.state': 'open',
      'incident.check': inc.check,
      'incident.reason': 'CrashLoopBackOff',
      'incident.severity': 'critical',
      'incident.remediation': inc.remediation,
      'k8s.namespace.name': NS,
      'k8s.object.kind': 'Pod',
      'k8s.object.name': inc.object.name,
      'k8s.object.api_version': 'v1',
      'k8s.pod.name': inc.object.name,
    });
    expect(String(opened.attributes['incident.since'])).toMatch(/^\d{4}-\d\d-\d\dT/);
    expect(String(opened.attributes['k8s.object.uid'])).toMatch(/^[0-9a-f-]{36}$/);
    expect(resolved.severityNumber).toBe(9);
    expect(resolved.attributes['incident.state']).toBe('resolved');
    expect(Number(resolved.attributes['incident.duration_s'])).toBeGreaterThan(0);
    // Every record the Collector forwarded carried the key; none arrived without it.
    expect(sentinel.received.filter((r) => r.signal === 'logs' && r.headers['x-api-key'] !== KEY)).toEqual([]);
  });

  it('kill -9 of the Collector while records wait in its file_storage queue loses none of them', async () => {
    sentinel.respond.logs = { status: 503, headers: { 'Retry-After': '1' } };
    await tb.kube.apply(crashing('queued'));
    const inc = await openIncident('CrashLoopBackOff', 'queued');
    // The Collector has the record past its batch processor: it tried to send it and was refused,
    // so the record sits in the persistent queue (on disk) for a retry.
    await waitFor('the Collector to try the record and be refused', () => delivered(inc.id, 'opened', 'refused').length > 0, 60_000);
    expect(delivered(inc.id, 'opened')).toEqual([]);
    const queued = readdirSync(collector().queueDir).reduce((n, f) => n + statSync(join(collector().queueDir, f)).size, 0);
    expect(queued).toBeGreaterThan(0);
    const reannouncedBefore = agent.logs().filter((l) => l.msg === 'log export recovered: open incidents announced again').length;

    await tb.stop('collector', 'SIGKILL');
    sentinel.respond.logs = { status: 200 };
    await tb.start('collector');
    await waitFor('the queued record to reach Sentinel after the restart', () => delivered(inc.id, 'opened').length > 0, 90_000);
    // It came from the Collector's disk queue, not from the agent announcing it again: the agent's
    // export never failed (the Collector had accepted the record before it was killed).
    expect(agent.logs().filter((l) => l.msg === 'log export recovered: open incidents announced again').length).toBe(reannouncedBefore);
    expect(delivered(inc.id, 'opened')[0]?.headers['x-api-key']).toBe(KEY);
  });

  it('a minute without the Collector while incidents open (nothing else happening): every open incident reaches Sentinel once it is back', async () => {
    await tb.stop('collector', 'SIGTERM');
    const names = ['dark-1', 'dark-2', 'dark-3'];
    for (const n of names) await tb.kube.apply(crashing(n));
    const opened: IncidentView[] = [];
    for (const n of names) opened.push(await openIncident('CrashLoopBackOff', n));
    await sleep(60_000);
    for (const i of opened) expect(delivered(i.id, 'opened')).toEqual([]);
    await tb.start('collector');
    const open = (await agent.incidents()).incidents;
    await waitFor('every open incident at Sentinel', () => open.every((i) => delivered(i.id, 'opened').length > 0), 120_000);
    for (const i of opened) expect(open.map((o) => o.id)).toContain(i.id);
  });
});
