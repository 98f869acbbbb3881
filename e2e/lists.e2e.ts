// How the agent first lists each kind, against the real API server with the WatchList feature on
// (Kubernetes 1.37's default) and off (--feature-gates=WatchList=false): a streaming list where it
// is served (no LIST request at all, read from the audit log), paged LISTs after one 422 per kind
// where it is not. Both detect the same crash loop and resume from a resourceVersion afterwards.

import { afterEach, describe, expect, it } from 'vitest';
import { BEHAVIOUR, agentKubeconfig, deployment, ensureNamespace, fastConfig, startAgent, upTestbed, waitFor, type Agent, type Testbed } from './support.ts';
import { KINDS } from '../src/kube/kinds.ts';

const SA = 'system:serviceaccount:sentinel-agent:sentinel-agent';
let tb: Testbed | undefined;
let agent: Agent | undefined;

afterEach(async () => {
  await agent?.stop();
  await tb?.down();
  agent = undefined;
  tb = undefined;
});

/** The agent's requests for the kinds' collections (not discovery, not SSARs), one per request. */
function agentReads(t: Testbed): { verb: string; uri: string; code: number }[] {
  const plurals = Object.values(KINDS).map((k) => `/${k.plural}`);
  const seen = new Set<string>();
  return t
    .audit()
    .filter((e) => e.user.username === SA && plurals.some((p) => e.requestURI.split('?')[0]?.endsWith(p)))
    .filter((e) => !seen.has(e.auditID) && Boolean(seen.add(e.auditID)))
    .map((e) => ({ verb: e.verb, uri: e.requestURI, code: e.responseStatus?.code ?? 0 }));
}

/** The kinds the agent says it watches (its 'watching' log line). */
function watched(a: Agent): (typeof KINDS)[keyof typeof KINDS][] {
  const names = (a.logs().find((l) => l.msg === 'watching')?.kinds as string[] | undefined) ?? [];
  expect(names.length).toBeGreaterThanOrEqual(9);
  return names.map((n) => KINDS[n as keyof typeof KINDS]);
}

/** A test bed with a crash-looping Deployment, and the agent once it has found it. */
async function crashLoopBed(apiserverArgs: string[]): Promise<{ tb: Testbed; agent: Agent }> {
  const t = await upTestbed({ nodes: 1, apiserverArgs });
  tb = t;
  const { kubeconfig } = await agentKubeconfig(t);
  await ensureNamespace(t.kube, 'apps');
  await t.kube.apply(deployment('crashy', 'apps', { app: 'crashy' }, [{ name: 'w', image: 'busybox:1.36' }], 1, { podLabels: { [BEHAVIOUR]: 'crashloop' } }));
  const a = await startAgent(kubeconfig, fastConfig());
  agent = a;
  await waitFor('the crash loop', async () => (await a.incidents()).incidents.some((i) => i.reason === 'CrashLoopBackOff' && i.object.name.startsWith('crashy')), 90_000);
  return { tb: t, agent: a };
}

describe('initial lists on the real API server', () => {
  it('WatchList on: one streaming list per kind, no LIST request, and the watch resumes after', async () => {
    ({ tb, agent } = await crashLoopBed([]));
    const kinds = watched(agent);
    const reads = await waitFor('the audit entries', () => {
      const r = agentReads(tb as Testbed);
      return r.filter((x) => x.uri.includes('sendInitialEvents=true')).length >= kinds.length ? r : undefined;
    });
    expect(reads.filter((r) => r.verb === 'list')).toEqual([]);
    const streaming = reads.filter((r) => r.uri.includes('sendInitialEvents=true'));
    for (const k of kinds) expect(streaming.filter((r) => r.uri.split('?')[0]?.endsWith(`/${k.plural}`)).length, k.plural).toBe(1);
    expect(streaming.every((r) => r.verb === 'watch' && r.code === 200 && r.uri.includes('resourceVersionMatch=NotOlderThan'))).toBe(true);
    // The API server restarted: the watches resume from their resourceVersion, no new list.
    await tb.restart('apiserver');
    await waitFor('the watches back', () => agentReads(tb as Testbed).filter((r) => r.verb === 'watch' && r.uri.includes('resourceVersion=') && !r.uri.includes('sendInitialEvents')).length >= kinds.length, 120_000);
    expect(agentReads(tb).filter((r) => r.verb === 'list')).toEqual([]);
  });

  it('WatchList off: one 422 per kind, then paged LISTs, and the same detection', async () => {
    ({ tb, agent } = await crashLoopBed(['--feature-gates=WatchList=false']));
    const kinds = watched(agent);
    const reads = agentReads(tb);
    const refused = reads.filter((r) => r.uri.includes('sendInitialEvents=true'));
    expect(refused.map((r) => r.code)).toEqual(kinds.map(() => 422));
    for (const k of kinds) expect(reads.some((r) => r.verb === 'list' && r.code === 200 && r.uri.split('?')[0]?.endsWith(`/${k.plural}`) && r.uri.includes('limit=')), k.plural).toBe(true);
    const fallbacks = agent.logs().filter((l) => l.msg === 'streaming list not served; using paged LIST');
    expect(fallbacks.length).toBe(kinds.length);
    expect(String(fallbacks[0]?.detail)).toMatch(/422.*WatchList/);
  });
});
