// OpenTelemetry on the wire: the real watch pipeline and the real OTLP/HTTP exporters (JSON and
// protobuf) against a protocol-level receiver, while the fake cluster goes unhealthy and heals; a
// receiver that answers 503 for a while, then 200; a receiver that answers 400.
// Why the fake API server here: the subject is the OTLP wire, so the cluster only has to go
// unhealthy and heal on cue, many times over, faster than real controllers would; and
// e2e/ has the agent against the real API server.

import { afterEach, describe, expect, it } from 'vitest';
import type { FakeApiServer } from '../src/sim/apiserver.ts';
import { makeKubeClient } from '../src/collector/kube-client.ts';
import { startWatch, type RunningWatch } from '../src/cli/watch.ts';
import { DEFAULT_WATCH_SETTINGS, type WatchSettings } from '../src/agent/agent.ts';
import { defaultAgentConfig } from '../src/config/config.ts';
import { jsonLogger } from '../src/util/log.ts';
import { OtlpReceiver } from './support/otlp-receiver.ts';
import { healthyPlatform, mcpServer, pod, running, terminated, waiting, type Raw } from './support/objects.ts';
import { waitFor } from './support/wait.ts';
import { fakeCluster } from './support/cluster.ts';

const FAST: WatchSettings = {
  ...DEFAULT_WATCH_SETTINGS,
  holdMs: 300,
  fullEvaluationMs: 1000,
  evaluationDelayMs: 10,
  reflector: { ...DEFAULT_WATCH_SETTINGS.reflector, backoffInitialMs: 50, backoffMaxMs: 400, inactivityMs: 5000 },
};

const cleanup: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const c of cleanup.splice(0).reverse()) await c();
});


const crashing = (): Raw =>
  pod('web-1', { ns: 'apps', labels: { app: 'web' }, ready: false, containers: [{ name: 'web', ready: false, restarts: 5, state: waiting('CrashLoopBackOff', 'back-off 40s'), lastState: terminated('Error', 1, -1) }] });
const healed = (): Raw => pod('web-1', { ns: 'apps', labels: { app: 'web' }, containers: [{ name: 'web', restarts: 5, state: running(-1) }] });

async function setup(protocol: 'http/json' | 'http/protobuf', objs: Raw[], env: Record<string, string> = {}): Promise<{ api: FakeApiServer; rx: OtlpReceiver; w: RunningWatch; logs: string[] }> {
  const { api, kubeconfig } = await fakeCluster(objs);
  cleanup.push(() => api.stop());
  const rx = new OtlpReceiver();
  const rxUrl = await rx.start();
  cleanup.push(() => rx.stop());
  const cfg = defaultAgentConfig();
  cfg.listen = '127.0.0.1:0';
  cfg.clusterName = 'wire';
  const logs: string[] = [];
  const w = await startWatch(cfg, await makeKubeClient({ kubeconfig }), jsonLogger('debug', (l) => logs.push(l)), {
    settings: FAST,
    telemetryEnv: {
      OTEL_EXPORTER_OTLP_ENDPOINT: rxUrl,
      OTEL_EXPORTER_OTLP_PROTOCOL: protocol,
      OTEL_METRIC_EXPORT_INTERVAL: '200',
      OTEL_BLRP_SCHEDULE_DELAY: '20',
      OTEL_RESOURCE_ATTRIBUTES: 'deployment.environment=test,team=platform%20ops',
      HOSTNAME: 'sentinel-agent-7f9c',
      ...env,
    },
  });
  cleanup.push(() => w.stop());
  return { api, rx, w, logs };
}

for (const protocol of ['http/json', 'http/protobuf'] as const) {
  describe(`OTLP over ${protocol}`, () => {
    it('an incident opens and resolves: log records with the exact attributes, the gauge rises and returns to 0', async () => {
      const { api, rx } = await setup(protocol, [...healthyPlatform(), mcpServer('weather', { team: 'acme', phase: 'Ready', flags: { deploymentReady: true, serviceReady: true, ingressReady: true } }), healed()]);
      api.apply(crashing());
      const opened = await waitFor('opened record', () => rx.logRecords().find((r) => r.eventName === 'mcp_runtime.health.incident.opened'));
      expect(opened.severityNumber).toBe(17);
      expect(opened.severityText).toBe('ERROR');
      expect(opened.body).toBe('container "web" is in CrashLoopBackOff: exit code 1, 5 restarts');
      expect(opened.scope).toBe('sentinel-agent');
      expect(opened.attributes).toMatchObject({
        'incident.state': 'open',
        'incident.check': 'pod-crash-loop',
        'incident.reason': 'CrashLoopBackOff',
        'incident.severity': 'critical',
        'incident.since': '2026-11-24T09:10:00Z',
        'incident.runbook_url': 'https://kubernetes.io/docs/tasks/debug/debug-application/debug-pods/',
        'k8s.namespace.name': 'apps',
        'k8s.object.kind': 'Pod',
        'k8s.object.name': 'web-1',
        'k8s.object.api_version': 'v1',
        'k8s.pod.name': 'web-1',
        'k8s.container.name': 'web',
        'incident.attr.restart_count': 5,
        'incident.attr.exit_code': 1,
      });
      expect(String(opened.attributes['incident.remediation'])).toContain('kubectl -n apps logs web-1 -c web --previous');
      expect(opened.attributes['incident.id']).toMatch(/^[0-9a-f]{20}$/);
      expect(typeof opened.attributes['k8s.object.uid']).toBe('string');
      expect(opened.resource).toMatchObject({
        'service.name': 'sentinel-agent',
        'service.instance.id': 'sentinel-agent-7f9c',
        'k8s.cluster.name': 'wire',
        'deployment.environment': 'test',
        team: 'platform ops',
      });
      expect(typeof opened.resource['service.version']).toBe('string');
      const key = 'kind=Pod,reason=CrashLoopBackOff,severity=critical';
      await waitFor('gauge at 1', () => rx.latest('mcp_runtime.health.incidents').get(key) === 1);
      // Every catalog combination is reported, zeros included.
      const gauge = rx.latest('mcp_runtime.health.incidents');
      expect(gauge.get('kind=Deployment,reason=DeploymentUnavailable,severity=warning')).toBe(0);
      expect(gauge.get('kind=Deployment,reason=DeploymentUnavailable,severity=critical')).toBe(0);
      expect(gauge.size).toBeGreaterThanOrEqual(30);
      for (const k of gauge.keys()) expect(k).toMatch(/^kind=[A-Za-z]+,reason=[A-Za-z]+,severity=(critical|warning|info)$/);

      api.apply(healed());
      const resolved = await waitFor('resolved record', () => rx.logRecords().find((r) => r.eventName === 'mcp_runtime.health.incident.resolved'));
      expect(resolved.severityNumber).toBe(9);
      expect(resolved.attributes['incident.state']).toBe('resolved');
      expect(resolved.attributes['incident.id']).toBe(opened.attributes['incident.id']);
      expect(typeof resolved.attributes['incident.duration_s']).toBe('number');
      await waitFor('gauge back to 0', () => rx.latest('mcp_runtime.health.incidents').get(key) === 0);
      await waitFor('transitions counted', () => rx.latest('mcp_runtime.health.incident.transitions').get('kind=Pod,reason=CrashLoopBackOff,severity=critical,transition=resolved') === 1);
      expect(rx.latest('mcp_runtime.health.incident.transitions').get('kind=Pod,reason=CrashLoopBackOff,severity=critical,transition=opened')).toBe(1);
      // Self metrics exist and carry bounded attributes only.
      await waitFor('self metrics', () => rx.latest('sentinel_agent.source.up').size > 0);
      expect(rx.latest('sentinel_agent.source.up').get('kind=Pod,state=synced')).toBe(1);
      expect(rx.latest('sentinel_agent.store.objects').get('kind=Pod')).toBe(1);
      const contentTypes = new Set(rx.received.map((r) => r.contentType));
      expect([...contentTypes].every((c) => (protocol === 'http/json' ? c.includes('json') : c.includes('protobuf')))).toBe(true);
    });
  });
}

describe('Collector outages', () => {
  it('503 for a while, then 200: the open incidents are announced again after recovery', async () => {
    const { api, rx, w, logs } = await setup('http/protobuf', [...healthyPlatform(), healed()], { OTEL_EXPORTER_OTLP_TIMEOUT: '500' });
    rx.respond.logs = { status: 503, headers: { 'Retry-After': '0' } };
    api.apply(crashing());
    await waitFor('export failure counted', () => (w.telemetry?.exportStats().logs.failedExports ?? 0) > 0, 15_000);
    expect(rx.logRecords()).toEqual([]);
    rx.respond.logs = { status: 200 };
    // Something else happens; its export succeeds and the lost 'opened' is announced again.
    api.apply(pod('other-1', { ns: 'apps', ready: false, containers: [{ name: 'o', ready: false, state: waiting('CreateContainerConfigError', 'missing key') }] }));
    const again = await waitFor('re-announced', () => rx.logRecords().find((r) => r.attributes['k8s.object.name'] === 'web-1' && r.eventName === 'mcp_runtime.health.incident.opened'), 15_000);
    expect(again.attributes['incident.reason']).toBe('CrashLoopBackOff');
    expect(w.telemetry?.exportStats().logs.reannounced).toBeGreaterThanOrEqual(1);
    expect(logs.some((l) => l.includes('open incidents announced again'))).toBe(true);
  });

  it('a very slow Collector: exports time out and are counted, detection is not slowed, then re-announced', async () => {
    const { api, rx, w } = await setup('http/protobuf', [...healthyPlatform(), healed()], { OTEL_EXPORTER_OTLP_TIMEOUT: '300' });
    rx.respond.logs = { status: 200, delayMs: 3000 };
    rx.respond.metrics = { status: 200, delayMs: 3000 };
    const t0 = Date.now();
    api.apply(crashing());
    const incidents = async (): Promise<{ object: { name: string } }[]> => ((await (await fetch(`${w.url}/incidents`)).json()) as { incidents: { object: { name: string } }[] }).incidents;
    await waitFor('incident on /incidents', async () => (await incidents()).some((i) => i.object.name === 'web-1'));
    expect(Date.now() - t0).toBeLessThan(2000); // the slow sink does not hold up the evaluation
    await waitFor('timed-out export counted', () => (w.telemetry?.exportStats().logs.failedExports ?? 0) > 0, 15_000);
    expect((await fetch(`${w.url}/healthz`)).status).toBe(200);
    // Prompt again: what timed out (received or not, the agent cannot know) is announced again.
    await new Promise((r) => setTimeout(r, 3500));
    const before = rx.logRecords().length;
    rx.respond.logs = { status: 200 };
    rx.respond.metrics = { status: 200 };
    api.apply(pod('other-1', { ns: 'apps', ready: false, containers: [{ name: 'o', ready: false, state: waiting('CreateContainerConfigError', 'missing key') }] }));
    await waitFor('re-announced', () => rx.logRecords().slice(before).find((r) => r.attributes['k8s.object.name'] === 'web-1' && r.eventName === 'mcp_runtime.health.incident.opened'), 15_000);
  });

  it('a 400 is logged as a failure and not retried', async () => {
    const { api, rx, w, logs } = await setup('http/json', [...healthyPlatform(), healed()]);
    rx.respond.logs = { status: 400, body: '{"code":3,"message":"bad request"}' };
    api.apply(crashing());
    await waitFor('failure counted', () => (w.telemetry?.exportStats().logs.failedExports ?? 0) === 1);
    await new Promise((r) => setTimeout(r, 500));
    expect(w.telemetry?.exportStats().logs.failedExports).toBe(1);
    expect(logs.some((l) => l.includes('log export failed'))).toBe(true);
  });

  it('OTEL_SDK_DISABLED=true: nothing is exported, the agent works', async () => {
    const { api, rx, w } = await setup('http/json', [...healthyPlatform(), healed()], { OTEL_SDK_DISABLED: 'true' });
    api.apply(crashing());
    await waitFor('incident', () => w.agent.openIncidents().length === 1);
    await new Promise((r) => setTimeout(r, 400));
    expect(rx.received).toEqual([]);
  });
});

describe('delivery that does not depend on later traffic', () => {
  it('the Collector down while an incident opens and nothing else happens: it arrives once the Collector is back', async () => {
    const { api, rx, w } = await setup('http/protobuf', [...healthyPlatform(), healed()], { OTEL_EXPORTER_OTLP_TIMEOUT: '500' });
    rx.respond.logs = { status: 503 };
    api.apply(crashing());
    await waitFor('export failure counted', () => (w.telemetry?.exportStats().logs.failedExports ?? 0) > 0, 15_000);
    rx.respond.logs = { status: 200 };
    // Nothing else happens in the cluster: the agent retries on its own.
    const got = await waitFor('delivered without later traffic', () => rx.logRecords().find((r) => r.attributes['k8s.object.name'] === 'web-1' && r.eventName === 'mcp_runtime.health.incident.opened'), 20_000);
    expect(got.attributes['incident.reason']).toBe('CrashLoopBackOff');
  });

  it('a resolution lost while the Collector is down is delivered after it returns', async () => {
    const { api, rx, w } = await setup('http/json', [...healthyPlatform(), crashing()], { OTEL_EXPORTER_OTLP_TIMEOUT: '500' });
    await waitFor('opened delivered', () => rx.logRecords().find((r) => r.eventName === 'mcp_runtime.health.incident.opened'), 15_000);
    rx.respond.logs = { status: 503 };
    api.apply(healed());
    await waitFor('the resolve export failed', () => (w.telemetry?.exportStats().logs.failedExports ?? 0) > 0, 15_000);
    rx.respond.logs = { status: 200 };
    const got = await waitFor('resolved delivered', () => rx.logRecords().find((r) => r.eventName === 'mcp_runtime.health.incident.resolved' && r.attributes['k8s.object.name'] === 'web-1'), 20_000);
    expect(got.attributes['incident.state']).toBe('resolved');
  });
});
