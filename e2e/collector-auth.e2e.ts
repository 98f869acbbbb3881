// deploy/components/collector-auth (overlays/collector-auth) in the real Collector: its generated config (the shipped one with
// bearertokenauth on the OTLP receivers) refuses records without the agent's token or with a wrong
// one, so nothing forged reaches Sentinel; the agent, sending the token as
// OTEL_EXPORTER_OTLP_HEADERS as the overlay sets it, gets through.

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { join } from 'node:path';
import { OtlpReceiver } from '../test/support/otlp-receiver.ts';
import { BEHAVIOUR, ROOT, agentKubeconfig, deployment, ensureNamespace, fastConfig, sleep, startAgent, upTestbed, waitFor, type Agent, type Testbed } from './support.ts';

const TOKEN = 'e2e-agent-token-3b9f1c';
let tb: Testbed;
let sentinel: OtlpReceiver;
let agent: Agent | undefined;

beforeAll(async () => {
  sentinel = new OtlpReceiver();
  const url = await sentinel.start();
  tb = await upTestbed({
    nodes: 1,
    collector: true,
    collectorConfig: join(ROOT, 'deploy/components/collector-auth/otel-collector-config.yaml'),
    collectorEnv: { SENTINEL_OTLP_ENDPOINT: url, SENTINEL_API_KEY: 'k', SENTINEL_AGENT_OTLP_TOKEN: TOKEN },
  });
}, 300_000);
afterAll(async () => {
  await agent?.stop();
  await tb?.down();
  await sentinel?.stop();
});

const forged = JSON.stringify({ resourceLogs: [{ resource: { attributes: [] }, scopeLogs: [{ scope: { name: 'sentinel-agent' }, logRecords: [{ eventName: 'mcp_runtime.health.incident.opened', body: { stringValue: 'forged' }, attributes: [{ key: 'incident.id', value: { stringValue: 'forged-1' } }] }] }] }] });

describe('the Collector requires the agent token (overlays/collector-auth)', () => {
  it('refuses OTLP without the token or with a wrong one: nothing forged is forwarded', async () => {
    const otlp = String(tb.addresses.collector?.otlpHttp);
    for (const auth of [undefined, 'Bearer wrong-token', TOKEN, `Basic ${TOKEN}`]) {
      const r = await fetch(`${otlp}/v1/logs`, { method: 'POST', headers: { 'Content-Type': 'application/json', ...(auth ? { Authorization: auth } : {}) }, body: forged });
      expect(r.status, String(auth)).toBe(401);
    }
    await sleep(1500); // longer than the logs pipeline's batching
    expect(sentinel.logRecords().filter((r) => r.attributes['incident.id'] === 'forged-1')).toEqual([]);
  });

  it("the agent's records, with the token as the overlay sends it, reach Sentinel", async () => {
    const { kubeconfig } = await agentKubeconfig(tb, 'overlays/collector-auth');
    await ensureNamespace(tb.kube, 'apps');
    await tb.kube.apply(deployment('crashy', 'apps', { app: 'crashy' }, [{ name: 'w', image: 'busybox:1.36' }], 1, { podLabels: { [BEHAVIOUR]: 'crashloop' } }));
    agent = await startAgent(kubeconfig, fastConfig(), {
      env: { OTEL_EXPORTER_OTLP_ENDPOINT: String(tb.addresses.collector?.otlpHttp), OTEL_EXPORTER_OTLP_HEADERS: `Authorization=Bearer ${TOKEN}`, OTEL_BLRP_SCHEDULE_DELAY: '100' },
    });
    const rec = await waitFor('the crash loop at Sentinel', () => sentinel.logRecords().find((r) => r.attributes['incident.reason'] === 'CrashLoopBackOff'), 90_000);
    expect(String(rec.attributes['k8s.object.name'])).toMatch(/^crashy-/);
    expect(agent.logs().filter((l) => l.msg === 'log export failed; records dropped and open incidents will be announced again on recovery')).toEqual([]);
  });
});
