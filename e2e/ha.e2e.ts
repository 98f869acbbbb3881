// HA on the real Lease API (coordination.k8s.io/v1), with deploy/overlays/ha's RBAC: two agents
// with leader election; exactly one emits (OTLP log records, received by a local OTLP/HTTP
// receiver, carry each replica's service.instance.id); kill -9 on the leader → the standby takes
// over within the lease duration and re-announces every open incident; SIGTERM → the lease is
// released and handed over at once.

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { OtlpReceiver } from '../test/support/otlp-receiver.ts';
import { BEHAVIOUR, agentKubeconfig, deployment, ensureNamespace, fastConfig, startAgent, upTestbed, waitFor, sleep, type Agent, type Testbed } from './support.ts';

let tb: Testbed;
let kubeconfig: string;
let rx: OtlpReceiver;
let rxUrl: string;
const LEASE = '/apis/coordination.k8s.io/v1/namespaces/sentinel-agent/leases/sentinel-agent';
const LEASE_SECONDS = 6;

beforeAll(async () => {
  tb = await upTestbed({ nodes: 1 });
  ({ kubeconfig } = await agentKubeconfig(tb, 'overlays/ha'));
  await ensureNamespace(tb.kube, 'apps');
  for (const n of ['one', 'two']) await tb.kube.apply(deployment(n, 'apps', { app: n }, [{ name: 'w', image: 'busybox:1.36' }], 1, { podLabels: { [BEHAVIOUR]: 'crashloop' } }));
  rx = new OtlpReceiver();
  rxUrl = await rx.start();
});
afterAll(async () => {
  await rx?.stop();
  await tb?.down();
});

function replica(name: string): Promise<Agent> {
  return startAgent(kubeconfig, fastConfig({ leaderElection: { enabled: true, leaseDuration: `${LEASE_SECONDS}s`, renewDeadline: '4s', retryPeriod: '1s' } }), {
    env: { HOSTNAME: name, OTEL_EXPORTER_OTLP_ENDPOINT: rxUrl, OTEL_EXPORTER_OTLP_PROTOCOL: 'http/json', OTEL_METRIC_EXPORT_INTERVAL: '500', OTEL_BLRP_SCHEDULE_DELAY: '50' },
  });
}

async function holder(): Promise<string | undefined> {
  const l = await tb.kube.find<{ spec: { holderIdentity?: string } }>(LEASE);
  return l?.spec.holderIdentity || undefined;
}

const crashRecords = (instance: string, since = 0): string[] =>
  rx
    .logRecords()
    .filter((r) => r.resource['service.instance.id'] === instance && r.receivedAt >= since && r.attributes['incident.reason'] === 'CrashLoopBackOff')
    .map((r) => String(r.attributes['incident.id']));

describe('leader election on the real Lease API', () => {
  const agents: Agent[] = [];
  afterAll(async () => {
    for (const a of agents) await a.stop();
  });

  it('exactly one of two replicas emits; kill -9 on it hands over within the lease duration, with a re-announce', async () => {
    const [a, b] = await Promise.all([replica('replica-a'), replica('replica-b')]);
    agents.push(a, b);
    const leader = await waitFor('a lease holder', holder, 30_000);
    const [lead, standby] = leader === 'replica-a' ? [a, b] : [b, a];
    const standbyName = leader === 'replica-a' ? 'replica-b' : 'replica-a';
    await waitFor('the leader to emit both crash loops', () => new Set(crashRecords(leader)).size >= 2 || undefined, 60_000);
    await sleep(2000);
    expect(crashRecords(standbyName)).toEqual([]);
    // Both track the same incidents; only the leader says so.
    expect((await standby.incidents()).incidents.filter((i) => i.reason === 'CrashLoopBackOff').length).toBe(2);

    const killedAt = Date.now();
    lead.child.kill('SIGKILL');
    await waitFor('the standby to hold the lease', async () => ((await holder()) === standbyName ? true : undefined), (LEASE_SECONDS + 6) * 1000, 200);
    const tookOver = Date.now() - killedAt;
    expect(tookOver).toBeLessThan((LEASE_SECONDS + 4) * 1000);
    const announced = await waitFor('the re-announce of every open incident', () => (new Set(crashRecords(standbyName, killedAt)).size >= 2 ? crashRecords(standbyName, killedAt) : undefined), 30_000);
    const ids = new Set((await standby.incidents()).incidents.filter((i) => i.reason === 'CrashLoopBackOff').map((i) => i.id));
    expect(new Set(announced)).toEqual(ids);
  });

  it('SIGTERM on the leader releases the lease: a new replica takes over at once', async () => {
    const c = await replica('replica-c');
    agents.push(c);
    const current = agents.find((x) => x.child.exitCode === null && x.child.signalCode === null && x !== c);
    if (!current) throw new Error('no running leader');
    expect(await holder()).not.toBe('replica-c');
    const termAt = Date.now();
    expect(await current.stop('SIGTERM')).toBe(0);
    // Released at once (no wait for the lease to expire).
    await waitFor('replica-c to lead', async () => ((await holder()) === 'replica-c' ? true : undefined), 10_000, 100);
    expect(Date.now() - termAt).toBeLessThan(LEASE_SECONDS * 1000);
    await waitFor('replica-c to announce', () => new Set(crashRecords('replica-c', termAt)).size >= 2 || undefined, 30_000);
  });
});
