// Real protocol faults, from the real kube-apiserver and etcd: the API server killed and restarted
// (watches resume), etcd compacted while the agent's watches are down (a real 410 Gone → relist; an
// object deleted meanwhile resolves), the API server gone for two minutes (the agent says it cannot
// see, then recovers), API Priority and Fairness rejecting the agent with 429 (it waits as told), a
// CRD installed after start (picked up), and the agent's ClusterRoleBinding deleted at runtime
// (SourceUnavailable forbidden) and restored (recovered).

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { request } from 'node:http';
import { CRD_FILES, installCrds } from '../testbed/testbed.ts';
import { BEHAVIOUR, agentKubeconfig, deployment, ensureNamespace, fastConfig, installPlatform, render, sleep, startAgent, summary, upTestbed, waitFor, type Agent, type IncidentView, type Testbed } from './support.ts';

let tb: Testbed;
let kubeconfig: string;
let token: string;
const NS = 'faults';

beforeAll(async () => {
  // No watch cache: every watch is served by etcd itself, so a compacted resourceVersion is a 410
  // from etcd, not something the API server's cache may or may not still cover after a restart.
  tb = await upTestbed({ nodes: 1, apiserverArgs: ['--watch-cache=false'] });
  await installPlatform(tb.kube);
  await ensureNamespace(tb.kube, NS);
  ({ kubeconfig, token } = await agentKubeconfig(tb));
});
afterAll(async () => {
  await tb?.down();
});

const has = (incidents: IncidentView[], reason: string, prefix: string): boolean => incidents.some((i) => i.reason === reason && i.object.name.startsWith(prefix));

async function crashing(name: string): Promise<void> {
  await tb.kube.apply(deployment(name, NS, { app: name }, [{ name: 'w', image: 'busybox:1.36' }], 1, { podLabels: { [BEHAVIOUR]: 'crashloop' } }));
}

/** etcd's JSON gateway (the real etcd v3 API over HTTP): current revision, then compaction. */
function etcdPost(path: string, body: unknown): Promise<Record<string, unknown>> {
  const url = new URL(path, tb.addresses.etcd?.url);
  return new Promise((res, rej) => {
    const req = request(url, { method: 'POST', headers: { 'content-type': 'application/json' } }, (r) => {
      let s = '';
      r.on('data', (c: Buffer) => (s += c.toString()));
      r.on('end', () => (r.statusCode === 200 ? res(JSON.parse(s) as Record<string, unknown>) : rej(new Error(`${path}: ${r.statusCode} ${s}`))));
    });
    req.on('error', rej);
    req.end(JSON.stringify(body));
  });
}

async function compactEtcd(): Promise<number> {
  const range = await etcdPost('/v3/kv/range', { key: Buffer.from('/registry/').toString('base64'), limit: 1 });
  const rev = Number((range.header as { revision: string }).revision);
  await etcdPost('/v3/kv/compaction', { revision: String(rev), physical: true });
  return rev;
}

describe('the API server killed, compacted, gone', () => {
  let agent: Agent;
  afterAll(async () => {
    await agent?.stop();
  });

  it('kill -9 and restart of kube-apiserver: watches resume and see what changed', async () => {
    await crashing('before');
    agent = await startAgent(kubeconfig, fastConfig());
    await waitFor('the first crash loop', async () => has((await agent.incidents()).incidents, 'CrashLoopBackOff', 'before-'), 60_000);
    await tb.restart('apiserver', 'SIGKILL');
    await crashing('after');
    await waitFor('a crash loop created after the restart', async () => has((await agent.incidents()).incidents, 'CrashLoopBackOff', 'after-'), 90_000, 500);
    expect(agent.logs().some((l) => l.msg === 'watch failed, reconnecting')).toBe(true);
    expect((await agent.readyz()).status).toBe(200);
  });

  it('etcd compacted while the watches are down: a real 410 Gone, a relist, and the object deleted meanwhile resolves', async () => {
    // Freeze the agent (its watches stay behind), restart the API server (its watch cache starts
    // anew), delete an object, write enough to move on, compact etcd physically, then let it go.
    agent.child.kill('SIGSTOP');
    try {
      await tb.restart('apiserver', 'SIGKILL');
      await tb.kube.delete(`/apis/apps/v1/namespaces/${NS}/deployments/before`, { propagation: 'Foreground' });
      await waitFor('the deleted pods to be gone', async () => ((await tb.kube.list(`/api/v1/namespaces/${NS}/pods?labelSelector=app%3Dbefore`)).items.length === 0 ? true : undefined), 60_000);
      for (let i = 0; i < 20; i++) await tb.kube.apply({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: `churn-${i}`, namespace: NS }, data: { i: String(i) } });
      await compactEtcd();
    } finally {
      agent.child.kill('SIGCONT');
    }
    await waitFor('the deleted crash loop to resolve', async () => (has((await agent.incidents()).incidents, 'CrashLoopBackOff', 'before-') ? undefined : true), 90_000, 500).catch(async (e: unknown) => {
      throw new Error(`${(e as Error).message}\nopen: ${summary(await agent.incidents()).join('\n')}`, { cause: e });
    });
    const watchLog = agent.logs().filter((l) => typeof l.msg === 'string' && /watch|relist|resourceVersion|cannot be read/.test(l.msg));
    expect(
      watchLog.some((l) => l.msg === 'resourceVersion expired, relisting'),
      JSON.stringify(watchLog.slice(-40), null, 0),
    ).toBe(true);
    expect(has((await agent.incidents()).incidents, 'CrashLoopBackOff', 'after-')).toBe(true);
  });

  it('the API server gone for two minutes: /readyz says blind and why, then it recovers', async () => {
    await tb.stop('apiserver', 'SIGKILL');
    try {
      const blind = await waitFor('/readyz 503 blind', async () => {
        const r = await agent.readyz();
        return r.status === 503 && r.doc.status === 'blind' ? r : undefined;
      }, 90_000, 500);
      expect(String(blind.doc.reason)).toMatch(/cannot read/);
      // /readyz reads the sources' state at once; the SourceUnavailable incident comes with the
      // evaluation pass that follows.
      const doc = await waitFor('SourceUnavailable', async () => {
        const d = await agent.incidents();
        return d.incidents.some((i) => i.reason === 'SourceUnavailable') ? d : undefined;
      }, 30_000, 500);
      expect(doc.staleSources?.length).toBeGreaterThan(0);
      // The last known incidents are kept while blind, not resolved by silence.
      expect(has(doc.incidents, 'CrashLoopBackOff', 'after-')).toBe(true);
      await sleep(Math.max(0, 120_000 - 25_000));
      expect((await agent.readyz()).status).toBe(503);
    } finally {
      // Whatever failed above, the tests after this one need the API server back.
      await tb.start('apiserver');
    }
    await waitFor('/readyz 200 again', async () => (await agent.readyz()).status === 200, 120_000, 500);
    await waitFor('SourceUnavailable to resolve', async () => {
      const d = await agent.incidents();
      return !d.incidents.some((i) => i.reason === 'SourceUnavailable') && (d.staleSources ?? []).length === 0;
    }, 60_000, 500);
    expect(has((await agent.incidents()).incidents, 'CrashLoopBackOff', 'after-')).toBe(true);
  });
});

describe('the agent refused by RBAC and by API Priority and Fairness', () => {
  it('its ClusterRoleBinding deleted at runtime: SourceUnavailable forbidden; restored: recovered', async () => {
    const agent = await startAgent(kubeconfig, fastConfig({ watch: { holdPeriod: '1s', fullEvaluationInterval: '5s', staleAfter: '20s', watchTimeout: '10s' } }));
    try {
      await tb.kube.delete('/apis/rbac.authorization.k8s.io/v1/clusterrolebindings/sentinel-agent');
      const doc = await waitFor('SourceUnavailable forbidden', async () => {
        const d = await agent.incidents();
        return d.incidents.some((i) => i.reason === 'SourceUnavailable' && /forbidden/.test(i.message)) ? d : undefined;
      }, 90_000, 500);
      expect(doc.incidents.find((i) => i.reason === 'SourceUnavailable')?.severity).toMatch(/warning|critical/);
      const crb = render('base').find((o) => o.kind === 'ClusterRoleBinding');
      if (!crb) throw new Error('deploy/base has no ClusterRoleBinding');
      await tb.kube.apply(crb);
      await waitFor('recovered', async () => {
        const d = await agent.incidents();
        return !d.incidents.some((i) => i.reason === 'SourceUnavailable') && (await agent.readyz()).status === 200;
      }, 90_000, 500);
    } finally {
      await agent.stop();
    }
  });

  it('API Priority and Fairness rejecting its requests with 429: it waits as told, says so, and syncs once admitted', async () => {
    // A priority level of the fewest seats, that rejects instead of queueing, for the agent's
    // ServiceAccount only; a second client with the same identity keeps those seats busy (another
    // replica gone wild), so the real APF filter answers the agent's requests 429 with Retry-After.
    await tb.kube.apply({ apiVersion: 'flowcontrol.apiserver.k8s.io/v1', kind: 'PriorityLevelConfiguration', metadata: { name: 'sentinel-agent-tiny' }, spec: { type: 'Limited', limited: { nominalConcurrencyShares: 0, lendablePercent: 0, borrowingLimitPercent: 0, limitResponse: { type: 'Reject' } } } });
    await tb.kube.apply({ apiVersion: 'flowcontrol.apiserver.k8s.io/v1', kind: 'FlowSchema', metadata: { name: 'sentinel-agent-tiny' }, spec: { priorityLevelConfiguration: { name: 'sentinel-agent-tiny' }, matchingPrecedence: 100, distinguisherMethod: { type: 'ByUser' }, rules: [{ subjects: [{ kind: 'ServiceAccount', serviceAccount: { name: 'sentinel-agent', namespace: 'sentinel-agent' } }], resourceRules: [{ verbs: ['*'], apiGroups: ['*'], resources: ['*'], namespaces: ['*'], clusterScope: true }], nonResourceRules: [{ verbs: ['*'], nonResourceURLs: ['*'] }] }] } });
    const rejected = async (): Promise<number> => {
      const m = await tb.kube.raw('GET', '/metrics');
      return m.body
        .split('\n')
        .filter((l) => l.startsWith('apiserver_flowcontrol_rejected_requests_total') && l.includes('priority_level="sentinel-agent-tiny"'))
        .reduce((n, l) => n + Number(l.split(' ').pop()), 0);
    };
    await crashing('throttled');
    const same = tb.kube.withToken(token);
    let loading = true;
    const load = Array.from({ length: 12 }, async () => {
      while (loading) await same.raw('GET', '/api/v1/pods').catch(() => undefined);
    });
    await waitFor('the level to reject', async () => ((await rejected()) > 0 ? true : undefined), 30_000, 200);
    const agent = await startAgent(kubeconfig, fastConfig(), { waitReady: false });
    try {
      await waitFor('the agent to be told to retry later', () => agent.logs().some((l) => l.msg === 'API server asked to retry later') || undefined, 60_000, 250);
      // While it cannot read a kind it says so, with the fix for this cause (not an RBAC hint).
      const throttled = await waitFor('SourceUnavailable while throttled', async () => (await agent.incidents()).incidents.find((i) => i.reason === 'SourceUnavailable' && /429/.test(i.message)), 60_000, 500);
      expect(throttled.remediation).toMatch(/flowschemas/);
      const waits = agent.logs().filter((l) => l.msg === 'API server asked to retry later').map((l) => Number(l.retryAfterMs));
      expect(Math.min(...waits)).toBeGreaterThanOrEqual(1000);
      // Admitted again: it syncs without a restart, and nothing was lost.
      loading = false;
      await Promise.all(load);
      await waitFor('the agent to sync once admitted', async () => (await agent.readyz()).status === 200, 120_000, 500);
      await waitFor('its SourceUnavailable to resolve', async () => ((await agent.incidents()).incidents.some((i) => i.reason === 'SourceUnavailable') ? undefined : true), 30_000, 500);
      await waitFor('the crash loop it could not list before', async () => has((await agent.incidents()).incidents, 'CrashLoopBackOff', 'throttled-'), 30_000, 500);
    } finally {
      loading = false;
      await agent.stop();
      await tb.kube.delete('/apis/flowcontrol.apiserver.k8s.io/v1/flowschemas/sentinel-agent-tiny');
      await tb.kube.delete('/apis/flowcontrol.apiserver.k8s.io/v1/prioritylevelconfigurations/sentinel-agent-tiny');
    }
  });

  it('a CRD installed after start is picked up', async () => {
    // cert-manager not installed yet: none of its CRDs, so its group is not served at all.
    for (const n of ['certificates', 'certificaterequests', 'issuers', 'clusterissuers']) await tb.kube.delete(`/apis/apiextensions.k8s.io/v1/customresourcedefinitions/${n}.cert-manager.io`);
    await waitFor('cert-manager.io to be gone', async () => ((await tb.kube.find('/apis/cert-manager.io/v1')) ? undefined : true), 60_000);
    const agent = await startAgent(kubeconfig, fastConfig());
    try {
      const src = await waitFor('SourceUnavailable for the missing CRD', async () => (await agent.incidents()).incidents.find((i) => i.reason === 'SourceUnavailable' && /cert-manager/.test(i.message)), 60_000, 500);
      expect(src.severity).toBe('info');
      await installCrds(tb.kube, CRD_FILES);
      const cert = await tb.kube.apply({ apiVersion: 'cert-manager.io/v1', kind: 'Certificate', metadata: { name: 'late', namespace: NS }, spec: { secretName: 'late', issuerRef: { name: 'nope', kind: 'ClusterIssuer' } } });
      await tb.kube.applyStatus({ ...cert, status: { conditions: [{ type: 'Ready', status: 'False', reason: 'Failed', message: 'issuer not found', lastTransitionTime: new Date().toISOString().replace(/\.\d+Z$/, 'Z') }] } });
      await waitFor('the Certificate incident from the late CRD', async () => (await agent.incidents()).incidents.some((i) => i.reason === 'CertificateNotReady' && i.object.name === 'late'), 120_000, 1000).catch(async (e: unknown) => {
        throw new Error(`${(e as Error).message}\nopen: ${summary(await agent.incidents()).join('\n')}`, { cause: e });
      });
      await waitFor('SourceUnavailable for cert-manager to resolve', async () => ((await agent.incidents()).incidents.some((i) => i.reason === 'SourceUnavailable' && /cert-manager/.test(i.message)) ? undefined : true), 30_000, 500);
    } finally {
      await agent.stop();
    }
  });
});
