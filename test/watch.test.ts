// The real watch pipeline end to end against the protocol-level fake API server over HTTP:
// reflectors, incremental evaluation, the tracker, the HTTP endpoints, and API faults.
// Why the fake API server here (real restarts, compaction, 429s and RBAC changes are in
// e2e/faults.e2e.ts): what a real kube-apiserver never sends or cannot be made to send on cue: a
// malformed or non-event watch line, an object of another kind on a stream, a 16 MiB line, a LIST
// that trickles one byte at a time, a bookmark storm, an in-stream ERROR, a 410 on every relist.

import { afterEach, describe, expect, it } from 'vitest';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import http from 'node:http';
import { FakeApiServer } from '../src/sim/apiserver.ts';
import { makeKubeClient } from '../src/collector/kube-client.ts';
import { startWatch, type RunningWatch } from '../src/cli/watch.ts';
import { DEFAULT_WATCH_SETTINGS, type WatchSettings } from '../src/agent/agent.ts';
import type { IncidentSink } from '../src/delivery/sink.ts';
import { defaultAgentConfig, type AgentConfig } from '../src/config/config.ts';
import type { Transition } from '../src/engine/tracker.ts';
import { jsonLogger } from '../src/util/log.ts';
import { certificate, healthyPlatform, healthyServer, pod, running, terminated, waiting, type Raw } from './support/objects.ts';
import { waitFor } from './support/wait.ts';
import { neededKinds } from '../src/engine/evaluate.ts';
import { SILENCE_KINDS } from '../src/engine/silences.ts';
import { CHECKS } from '../src/checks/registry.ts';
import { configureCustomResources } from '../src/kube/kinds.ts';
import { MCPSERVER_CRD_PATH } from '../src/collector/crd-defaults.ts';

const FAST: WatchSettings = {
  ...DEFAULT_WATCH_SETTINGS,
  holdMs: 400,
  fullEvaluationMs: 1000,
  evaluationDelayMs: 10,
  reflector: { ...DEFAULT_WATCH_SETTINGS.reflector, watchTimeoutSeconds: [30, 30], backoffInitialMs: 50, backoffMaxMs: 400, backoffResetMs: 5000, inactivityMs: 1500, unavailableRetryMs: 300 },
};

/** The paged-LIST path (the fallback where a server does not serve streaming lists), for the
 *  tests of what happens to LIST requests. */
const PAGED: WatchSettings = { ...FAST, reflector: { ...FAST.reflector, initialList: 'paged' } };

/** A list of a kind, paged (LIST) or streaming (WATCH with sendInitialEvents). */
const isList = (r: { query: Record<string, string> }): boolean => !r.query.watch || r.query.sendInitialEvents === 'true';

interface Harness {
  api: FakeApiServer;
  w: RunningWatch;
  transitions: Transition[];
  logs: string[];
  restart(): Promise<void>;
  incidents(): Promise<{ id: string; reason: string; since?: string; object: { name: string } }[]>;
}

const running_: RunningWatch[] = [];
const apis: FakeApiServer[] = [];
afterEach(async () => {
  for (const w of running_.splice(0)) await w.stop();
  for (const a of apis.splice(0)) await a.stop();
});


async function harness(objs: Raw[], o: { api?: ConstructorParameters<typeof FakeApiServer>[0]; config?: (c: AgentConfig) => void; settings?: WatchSettings; before?: (api: FakeApiServer) => void } = {}): Promise<Harness> {
  const api = new FakeApiServer(o.api);
  apis.push(api);
  api.apply(...objs);
  o.before?.(api);
  const url = await api.start();
  const dir = mkdtempSync(join(tmpdir(), 'sa-watch-'));
  writeFileSync(join(dir, 'config'), api.kubeconfig(url));
  const client = await makeKubeClient({ kubeconfig: join(dir, 'config') });
  const cfg = defaultAgentConfig();
  cfg.listen = '127.0.0.1:0';
  cfg.clusterName = 'test';
  o.config?.(cfg);
  const transitions: Transition[] = [];
  const logs: string[] = [];
  const sink: IncidentSink = { name: 'test', transitions: (ts) => transitions.push(...ts) };
  const log = jsonLogger('debug', (l) => logs.push(l));
  const h: Harness = {
    api,
    w: await startWatch(cfg, client, log, { settings: o.settings ?? FAST, sinks: [sink] }),
    transitions,
    logs,
    async restart() {
      await h.w.stop();
      h.w = await startWatch(cfg, client, log, { settings: o.settings ?? FAST, sinks: [sink] });
      running_.push(h.w);
    },
    async incidents() {
      const r = await fetch(`${h.w.url}/incidents`);
      return ((await r.json()) as { incidents: { id: string; reason: string; since?: string; object: { name: string } }[] }).incidents;
    },
  };
  running_.push(h.w);
  await waitFor('ready', async () => (await fetch(`${h.w.url}/readyz`)).status === 200);
  return h;
}

const crashing = (name = 'web-1'): Raw => pod(name, { ns: 'apps', labels: { app: 'web' }, ready: false, containers: [{ name: 'web', ready: false, restarts: 5, state: waiting('CrashLoopBackOff', 'back-off 40s'), lastState: terminated('Error', 1, -1) }] });
/** Starts the API server (faults already set up) and a watch against it; `paused`: the server is
 *  gone before the agent ever reaches it. */
async function watchFrom(api: FakeApiServer, o: { settings?: WatchSettings; log?: Parameters<typeof startWatch>[2]; paused?: boolean } = {}): Promise<RunningWatch> {
  const url = await api.start();
  if (o.paused) await api.pause();
  const dir = mkdtempSync(join(tmpdir(), 'sa-watch-'));
  writeFileSync(join(dir, 'config'), api.kubeconfig(url));
  const cfg = defaultAgentConfig();
  cfg.listen = '127.0.0.1:0';
  const w = await startWatch(cfg, await makeKubeClient({ kubeconfig: join(dir, 'config') }), o.log ?? (() => {}), { settings: o.settings ?? FAST });
  running_.push(w);
  return w;
}

const healthyPod = (name = 'web-1'): Raw => pod(name, { ns: 'apps', labels: { app: 'web' }, containers: [{ name: 'web', restarts: 5, state: running(-1) }] });

describe('watch end to end', () => {
  it('healthy cluster: ready, no incidents; a pod crash-loops: incident; healed: resolved after the hold', async () => {
    const h = await harness([...healthyPlatform(), ...healthyServer('weather', { gateway: true }), healthyPod()]);
    expect(await h.incidents()).toEqual([]);
    expect((await fetch(`${h.w.url}/healthz`)).status).toBe(200);
    const lists = h.api.requests.filter((r) => isList(r) && r.path.split('/').length > 3).length;
    // Streaming lists where the server serves them (the fake does, as Kubernetes 1.32+): no LIST
    // (and one GET of the MCPServer CRD at start, for its gateway default).
    expect(h.api.requests.filter((r) => !r.query.watch && r.path.split('/').length > 3 && r.path.includes('/v1/') && r.path !== MCPSERVER_CRD_PATH)).toEqual([]);
    expect(h.api.requests.filter((r) => r.path === MCPSERVER_CRD_PATH).length).toBe(1);

    h.api.apply(crashing());
    const opened = await waitFor('incident', async () => (await h.incidents()).find((i) => i.reason === 'CrashLoopBackOff'));
    expect(opened.object.name).toBe('web-1');
    expect(h.transitions.map((t) => `${t.type} ${t.incident.reason}`)).toEqual(['opened CrashLoopBackOff']);

    h.api.apply(healthyPod());
    await new Promise((r) => setTimeout(r, 150));
    expect((await h.incidents()).length).toBe(1); // held, not resolved yet
    await waitFor('resolved', async () => (await h.incidents()).length === 0);
    expect(h.transitions.map((t) => t.type)).toEqual(['opened', 'resolved']);
    // Steady state: only watches, no LIST after the initial sync; only GETs.
    expect(h.api.requests.filter((r) => isList(r) && r.path.split('/').length > 3).length).toBe(lists);
    expect(h.api.requests.every((r) => r.method === 'GET')).toBe(true);
    for (const r of h.api.requests.filter((x) => x.query.watch)) {
      expect(r.query.allowWatchBookmarks).toBe('true');
      expect(Number(r.query.timeoutSeconds)).toBeGreaterThan(0);
      // A streaming list from the current state, or a watch resumed from a resourceVersion.
      if (r.query.sendInitialEvents === 'true') expect([r.query.resourceVersionMatch, r.query.resourceVersion]).toEqual(['NotOlderThan', undefined]);
      else expect(r.query.resourceVersion).toMatch(/^\d+$/);
    }
  });

  it('a deletion missed during a disconnection resolves after the relist (410 Gone)', async () => {
    const h = await harness([...healthyPlatform(), crashing()]);
    await waitFor('incident', async () => (await h.incidents()).length === 1);
    h.api.compact();
    h.api.deleteSilently('Pod', 'apps', 'web-1');
    h.api.dropWatches();
    await waitFor('resolved after relist', async () => (await h.incidents()).length === 0);
    expect(h.transitions.map((t) => t.type)).toEqual(['opened', 'resolved']);
    expect(h.logs.some((l) => l.includes("resourceVersion expired, relisting")), h.logs.filter((l) => !l.includes("debug")).join("\n")).toBe(true);
  });

  it('the hold and the grace end on time without waiting for the periodic full pass', async () => {
    const h = await harness([...healthyPlatform(), healthyPod()], {
      settings: { ...FAST, holdMs: 300, fullEvaluationMs: 600_000 },
      config: (c) => {
        c.checks.reasons = { CrashLoopBackOff: { graceSeconds: 0.4 } };
      },
    });
    // No object timestamp for the grace here would be first sight; this pod's Ready transition is old,
    // so use a fresh one: the incident opens 0.4 s after the pod went not-ready.
    const fresh = crashing();
    const conds = (fresh.status as Raw).conditions as Raw[];
    for (const c of conds) if (c.type === 'Ready') c.lastTransitionTime = new Date().toISOString();
    const t0 = Date.now();
    h.api.apply(fresh);
    await waitFor('opened after its grace', async () => (await h.incidents()).length === 1, 3000);
    expect(Date.now() - t0).toBeGreaterThanOrEqual(350);
    const t1 = Date.now();
    h.api.apply(healthyPod());
    await waitFor('resolved after the hold', async () => (await h.incidents()).length === 0, 3000);
    expect(Date.now() - t1).toBeGreaterThanOrEqual(250);
  });

  it('a deleted object resolves its incidents at once', async () => {
    const h = await harness([...healthyPlatform(), crashing()], { settings: { ...FAST, holdMs: 60_000 } });
    await waitFor('incident', async () => (await h.incidents()).length === 1);
    h.api.delete('Pod', 'apps', 'web-1');
    await waitFor('resolved', async () => (await h.incidents()).length === 0, 2000);
  });

  it('after a restart: the same ids and since, announced as opened again', async () => {
    const h = await harness([...healthyPlatform(), crashing()]);
    const before = await waitFor('incident', async () => (await h.incidents())[0]);
    await h.restart();
    await waitFor('ready', async () => (await fetch(`${h.w.url}/readyz`)).status === 200);
    const after = await waitFor('incident again', async () => (await h.incidents())[0]);
    expect(after.id).toBe(before.id);
    expect(after.since).toBe(before.since);
    expect(h.transitions.filter((t) => t.type === 'opened').map((t) => t.incident.id)).toEqual([before.id, before.id]);
  });

  it('the kubelet alternating ErrImagePull and ImagePullBackOff is one incident, not a stream', async () => {
    const pull = (reason: string): Raw => pod('api-1', { ns: 'apps', ready: false, containers: [{ name: 'api', image: 'ghcr.io/acme/api:v9', ready: false, state: waiting(reason, 'manifest unknown') }] });
    const h = await harness([...healthyPlatform(), pull('ErrImagePull')]);
    for (let i = 0; i < 6; i++) {
      h.api.apply(pull(i % 2 ? 'ErrImagePull' : 'ImagePullBackOff'));
      await new Promise((r) => setTimeout(r, 40));
    }
    await new Promise((r) => setTimeout(r, 300));
    expect(h.transitions.map((t) => `${t.type} ${t.incident.reason}`)).toEqual(['opened ImagePullBackOff']);
  });

  it('a CRD installed later is picked up without a restart', async () => {
    const h = await harness(healthyPlatform(), { api: { missingGroups: ['cert-manager.io'] } });
    const src = await h.incidents();
    expect(src.map((i) => i.reason)).toEqual(['SourceUnavailable', 'SourceUnavailable', 'SourceUnavailable', 'SourceUnavailable']);
    h.api.setGroupInstalled('cert-manager.io', true);
    h.api.apply(certificate('site', { ns: 'apps', ready: 'False', reason: 'Failed', failed: 1 }));
    const cert = await waitFor('certificate incident', async () => (await h.incidents()).find((i) => i.reason === 'CertificateNotReady'));
    expect(cert.object.name).toBe('site');
    await waitFor('source incidents resolved', async () => !(await h.incidents()).some((i) => i.reason === 'SourceUnavailable'));
  });

  it('a configured custom resource is listed and watched as its own kind: opened when stalled, resolved when ready', async () => {
    const spec = { group: 'helm.toolkit.fluxcd.io', version: 'v2', kind: 'HelmRelease', plural: 'helmreleases', namespaced: true };
    // As loadConfig does, before anything is served or read.
    configureCustomResources([spec]);
    const hr = (conditions: Raw[]): Raw => ({ apiVersion: 'helm.toolkit.fluxcd.io/v2', kind: 'HelmRelease', metadata: { name: 'redis', namespace: 'flux-system', uid: 'hr-1', generation: 1 }, status: { observedGeneration: 1, conditions } });
    try {
      const h = await harness([...healthyPlatform(), hr([{ type: 'Stalled', status: 'True', reason: 'RetriesExceeded', message: 'Failed to install after 1 attempt(s)' }])], { config: (c) => Object.assign(c.checks, { customResources: [spec], reasons: { ResourceNotReady: { graceSeconds: 0 } } }) });
      const open = await waitFor('stalled HelmRelease', async () => (await h.incidents()).find((i) => i.reason === 'ResourceNotReady'));
      expect(open.object).toMatchObject({ kind: 'HelmRelease', namespace: 'flux-system', name: 'redis' });
      expect(h.api.requests.some((q) => q.path === '/apis/helm.toolkit.fluxcd.io/v2/helmreleases' && q.query.watch)).toBe(true);
      h.api.apply(hr([{ type: 'Ready', status: 'True', reason: 'InstallSucceeded', message: 'Helm install succeeded' }]));
      await waitFor('resolved', () => h.transitions.some((t) => t.type === 'resolved' && t.incident.reason === 'ResourceNotReady'));
    } finally {
      configureCustomResources([]);
    }
  });
});

describe('watch under API faults', () => {
  it('resumes from the bookmarked resourceVersion after a dropped connection', async () => {
    const h = await harness(healthyPlatform());
    // Unrelated changes move the resourceVersion on; a bookmark tells the agent where it stands.
    h.api.apply(pod('other-1', { ns: 'elsewhere', containers: [{ name: 'x' }] }));
    await waitFor('event seen', () => h.w.agent.stats.events >= 1);
    h.api.apply(certificate('c', { ns: 'elsewhere', ready: 'True' }));
    h.api.bookmark();
    const rv = String(h.api.resourceVersion);
    await new Promise((r) => setTimeout(r, 100));
    const before = h.api.requests.length;
    h.api.dropWatches();
    await waitFor('re-watch', () => h.api.requests.slice(before).some((q) => q.path === '/apis/apps/v1/deployments' && q.query.watch));
    const rewatch = h.api.requests.slice(before).find((q) => q.path === '/apis/apps/v1/deployments' && q.query.watch);
    expect(rewatch?.query.resourceVersion).toBe(rv);
    expect(h.api.requests.slice(before).some((q) => !q.query.watch && q.path === '/apis/apps/v1/deployments')).toBe(false);
  });


  it('500s on LIST at start: not ready, sources failing, then recovers', async () => {
    const api = new FakeApiServer();
    apis.push(api);
    api.apply(...healthyPlatform(), crashing());
    api.fault({ watch: false, kind: 'Pod', status: 500, times: 4 });
    const w = await watchFrom(api, { settings: PAGED });
    await waitFor('ready after retries', async () => (await fetch(`${w.url}/readyz`)).status === 200);
    await waitFor('incident', async () => ((await (await fetch(`${w.url}/incidents`)).json()) as { incidents: { reason: string }[] }).incidents.some((i) => i.reason === 'CrashLoopBackOff'));
    expect(api.requests.filter((r) => r.path === '/api/v1/pods' && r.status === 500).length).toBe(4);
  });

  it('429 with Retry-After: the next watch waits at least that long', async () => {
    const h = await harness(healthyPlatform());
    h.api.fault({ watch: true, kind: 'Pod', status: 429, headers: { 'Retry-After': '1' } });
    const t0 = Date.now();
    h.api.dropWatches();
    await waitFor('throttled request', () => h.api.requests.some((r) => r.status === 429));
    const throttledAt = Date.now();
    await waitFor('next pod watch', () => h.api.requests.filter((r) => r.path === '/api/v1/pods' && r.query.watch && r.status === 200).length >= 2, 5000);
    const after = h.api.requests.filter((r) => r.path === '/api/v1/pods' && r.query.watch && r.status === 200).length;
    expect(after).toBeGreaterThanOrEqual(2);
    expect(Date.now() - throttledAt).toBeGreaterThanOrEqual(900);
    expect(Date.now() - t0).toBeGreaterThanOrEqual(900);
  });

  it('a hung watch is caught by the inactivity watchdog and reconnected', async () => {
    const h = await harness(healthyPlatform());
    h.api.fault({ watch: true, kind: 'Pod', hang: true });
    h.api.dropWatches();
    await waitFor('hung request', () => h.api.requests.some((r) => r.status === -1));
    h.api.apply(crashing());
    await waitFor('incident after the watchdog', async () => (await h.incidents()).length === 1, 6000);
    expect(h.logs.some((l) => l.includes('no data for 1500 ms'))).toBe(true);
  });

  it('malformed watch lines are counted and skipped, never fatal', async () => {
    const h = await harness(healthyPlatform());
    h.api.malformed();
    h.api.malformed('not json at all');
    h.api.apply(crashing());
    await waitFor('incident', async () => (await h.incidents()).length === 1);
    const pods = h.w.agent.reflectorStats().find((r) => r.kind === 'Pod');
    expect(pods?.stats.malformed).toBeGreaterThanOrEqual(2);
  });

  // The fake API server, because a real one cannot send a line past etcd's 1.5 MiB object limit.
  it('a watch line past 16 MiB without a newline is counted, its connection dropped, and detection goes on', async () => {
    const h = await harness(healthyPlatform());
    await waitFor('pod watch open', () => h.api.activeWatches() > 0);
    const before = h.w.agent.reflectorStats().find((r) => r.kind === 'Pod')?.stats ?? { malformed: 0, restarts: 0 };
    const m0 = before.malformed;
    const r0 = before.restarts;
    h.api.rawToWatches('Pod', Buffer.alloc(17 * 1024 * 1024, 0x61));
    await waitFor('dropped and counted', () => (h.w.agent.reflectorStats().find((r) => r.kind === 'Pod')?.stats.malformed ?? 0) > m0, 8000);
    expect(h.w.agent.reflectorStats().find((r) => r.kind === 'Pod')?.stats.restarts ?? 0).toBeGreaterThan(r0);
    expect(h.logs.some((l) => l.includes('watch line too long'))).toBe(true);
    h.api.apply(crashing());
    await waitFor('incident after the reconnect', async () => (await h.incidents()).length === 1, 8000);
  });

  // Fake API server: a real one never sends these; a broken or hostile proxy in front of it can.
  it('valid JSON that is not a watch event (null, a number, a list, an event without an object) is counted and skipped', async () => {
    const h = await harness(healthyPlatform());
    await waitFor('pod watch open', () => h.api.activeWatches() > 0);
    for (const l of ['null', '42', '[1,2]', '"text"', '{"type":"MODIFIED"}', '{"type":"MODIFIED","object":null}', '{"type":"ADDED","object":[1]}', '{"object":{"kind":"Pod"}}']) h.api.malformed(l);
    await waitFor('counted', () => (h.w.agent.reflectorStats().find((r) => r.kind === 'Pod')?.stats.malformed ?? 0) >= 8);
    expect((await fetch(`${h.w.url}/healthz`)).status).toBe(200);
    h.api.apply(crashing());
    await waitFor('still detecting', async () => (await h.incidents()).length === 1);
  });

  it('an object of another kind on a stream is rejected and counted, not stored', async () => {
    const h = await harness(healthyPlatform());
    await waitFor('pod watch open', () => h.api.activeWatches() > 0);
    const { deployment } = await import('./support/objects.ts');
    const d = deployment('intruder', { ns: 'apps', replicas: 1, ready: 0, available: 0 });
    h.api.rawToWatches('Pod', `${JSON.stringify({ type: 'ADDED', object: d })}\n`);
    h.api.rawToWatches('Pod', `${JSON.stringify({ type: 'ADDED', object: { ...crashing('wrong-api'), apiVersion: 'apps/v1' } })}\n`);
    await waitFor('rejected', () => (h.w.agent.reflectorStats().find((r) => r.kind === 'Pod')?.stats.rejected ?? 0) >= 2);
    await new Promise((r) => setTimeout(r, 300));
    expect(await h.incidents()).toEqual([]);
    expect(h.w.agent.objectCounts().Deployment).toBe(healthyPlatform().filter((o) => o.kind === 'Deployment').length);
  });

  it('an object of another kind, or no object, in a LIST page is rejected and counted, not stored (the paged list doctor shares)', async () => {
    const { deployment } = await import('./support/objects.ts');
    const alien = [deployment('intruder', { ns: 'apps', replicas: 1, ready: 0, available: 0 }), { ...crashing('wrong-api'), apiVersion: 'apps/v1' }, 'a string', 42];
    const h = await harness(healthyPlatform(), { settings: PAGED, before: (api) => api.fault({ watch: false, kind: 'Pod', extraItems: alien }) });
    await waitFor('ready', () => h.w.agent.ready());
    expect(h.w.agent.reflectorStats().find((r) => r.kind === 'Pod')?.stats.rejected).toBe(4);
    expect(await h.incidents()).toEqual([]);
    expect(h.w.agent.objectCounts().Pod).toBe(healthyPlatform().filter((o) => o.kind === 'Pod').length);
  });

  it('after an in-stream ERROR the request ends at once: nothing later on that stream is taken', async () => {
    const h = await harness(healthyPlatform());
    await waitFor('pod watch open', () => h.api.activeWatches() > 0);
    const watches = h.w.agent.reflectorStats().find((r) => r.kind === 'Pod')?.stats.watches ?? 0;
    h.api.rawToWatches('Pod', `${JSON.stringify({ type: 'ERROR', object: { kind: 'Status', apiVersion: 'v1', status: 'Failure', code: 500, message: 'etcd leader changed' } })}\n${JSON.stringify({ type: 'ADDED', object: crashing('after-error') })}\n`);
    await waitFor('a new watch', () => (h.w.agent.reflectorStats().find((r) => r.kind === 'Pod')?.stats.watches ?? 0) > watches, 5000);
    await new Promise((r) => setTimeout(r, 300));
    expect((await h.incidents()).map((i) => i.object.name)).not.toContain('after-error');
  });

  it('500s on the streaming list at start: not ready, then recovers', async () => {
    const api = new FakeApiServer();
    apis.push(api);
    api.apply(...healthyPlatform(), crashing());
    api.fault({ watch: true, kind: 'Pod', status: 500, times: 4 });
    const w = await watchFrom(api);
    await waitFor('ready after retries', async () => (await fetch(`${w.url}/readyz`)).status === 200);
    await waitFor('incident', async () => ((await (await fetch(`${w.url}/incidents`)).json()) as { incidents: { reason: string }[] }).incidents.some((i) => i.reason === 'CrashLoopBackOff'));
    const pods = api.requests.filter((r) => r.path === '/api/v1/pods');
    expect(pods.filter((r) => r.status === 500).every((r) => r.query.sendInitialEvents === 'true')).toBe(true);
    expect(pods.filter((r) => r.status === 500).length).toBe(4);
    expect(pods.some((r) => !r.query.watch)).toBe(false); // a 500 is not a reason to page
  });

  it('a server with the WatchList feature off (422) is read with paged LISTs, once per kind', async () => {
    const api = new FakeApiServer({ watchList: false });
    apis.push(api);
    api.apply(...healthyPlatform(), crashing());
    const logs: string[] = [];
    const w = await watchFrom(api, { log: jsonLogger('debug', (l) => logs.push(l)) });
    await waitFor('ready', async () => (await fetch(`${w.url}/readyz`)).status === 200);
    await waitFor('incident', async () => ((await (await fetch(`${w.url}/incidents`)).json()) as { incidents: { reason: string }[] }).incidents.some((i) => i.reason === 'CrashLoopBackOff'));
    const pods = api.requests.filter((r) => r.path === '/api/v1/pods');
    expect(pods.filter((r) => r.query.sendInitialEvents === 'true').map((r) => r.status)).toEqual([422]);
    expect(pods.filter((r) => !r.query.watch).length).toBeGreaterThanOrEqual(1);
    // One per kind watched: the kinds the checks need (the first of each any-of group), and
    // Namespaces for their silence annotations.
    expect(logs.filter((l) => l.includes('streaming list not served')).length).toBe(neededKinds(CHECKS).length + SILENCE_KINDS.length);
    // A relist later pages straight away: the refusal is remembered.
    api.compact();
    api.dropWatches();
    await waitFor('a relist', () => api.requests.filter((r) => r.path === '/api/v1/pods' && !r.query.watch).length >= 2);
    expect(api.requests.filter((r) => r.path === '/api/v1/pods' && r.query.sendInitialEvents === 'true').length).toBe(1);
  });

  it('a streaming list whose initial events trickle past their deadline falls back to a paged LIST', async () => {
    const settings: WatchSettings = { ...FAST, reflector: { ...FAST.reflector, streamDeadlineMs: 600 } };
    const api = new FakeApiServer();
    apis.push(api);
    api.apply(...healthyPlatform(), ...Array.from({ length: 10 }, (_, i) => healthyPod(`web-${i}`)), crashing('web-crash'));
    api.fault({ kind: 'Pod', watch: true, trickle: { bytes: 64, everyMs: 50 }, times: 1 });
    const logs: string[] = [];
    const w = await watchFrom(api, { settings, log: jsonLogger('debug', (l) => logs.push(l)) });
    await waitFor('the fallback logged', () => logs.some((l) => l.includes('streaming list not served') && l.includes('did not end within 600 ms')), 5000);
    await waitFor('ready', async () => (await fetch(`${w.url}/readyz`)).status === 200, 5000);
    await waitFor('the crash loop', async () => ((await (await fetch(`${w.url}/incidents`)).json()) as { incidents: { reason: string }[] }).incidents.some((i) => i.reason === 'CrashLoopBackOff'));
    expect(w.agent.store.size('Pod')).toBe(11);
  });

  it('a LIST that trickles past its deadline ends, is logged and shown on /readyz, then succeeds', async () => {
    const settings: WatchSettings = { ...PAGED, reflector: { ...PAGED.reflector, listDeadlineMs: 600 } };
    const api = new FakeApiServer();
    apis.push(api);
    api.apply(...healthyPlatform(), crashing());
    api.fault({ kind: 'Pod', watch: false, trickle: { bytes: 1, everyMs: 50 }, times: 1 });
    const logs: string[] = [];
    const w = await watchFrom(api, { settings, log: jsonLogger('debug', (l) => logs.push(l)) });
    await waitFor('deadline on /readyz or already past it', () => logs.some((l) => l.includes('deadline')), 5000);
    expect(logs.find((l) => l.includes('deadline'))).toMatch(/did not complete within its 1 s deadline|within its 0 s deadline|deadline/);
    await waitFor('ready after the retry', async () => (await fetch(`${w.url}/readyz`)).status === 200, 10_000);
    // The pods were listed in the end: the crash loop is found. (While the LIST failed, the kind was
    // reported unavailable; that SourceUnavailable resolves after its hold.)
    const incidents = async (): Promise<string[]> => ((await (await fetch(`${w.url}/incidents`)).json()) as { incidents: { reason: string }[] }).incidents.map((i) => i.reason);
    await waitFor('the crash loop', async () => (await incidents()).includes('CrashLoopBackOff'));
    await waitFor('only the crash loop once the hold passed', async () => (await incidents()).join() === 'CrashLoopBackOff', 5000);
  });

  it('a server that answers every watch with 410 is not hammered: relists back off', async () => {
    const h = await harness(healthyPlatform());
    const lists = (): number => h.api.requests.filter((r) => isList(r) && r.path.endsWith('/pods')).length;
    const before = lists();
    h.api.fault({ kind: 'Pod', watch: true, status: 410, times: 100_000 });
    h.api.dropWatches();
    await new Promise((r) => setTimeout(r, 3000));
    const n = lists() - before;
    // Without backoff: hundreds in 3 s. With it (50 ms doubling to 400 ms here): a handful.
    expect(n).toBeGreaterThan(1);
    expect(n).toBeLessThan(25);
    h.api.clearFaults();
  });

  it('a relist storm: every Pod watch answered 410 six times in a row (in-stream and HTTP), a deletion missed meanwhile', async () => {
    const h = await harness([...healthyPlatform(), crashing(), crashing('web-2')]);
    await waitFor('two incidents', async () => (await h.incidents()).length === 2);
    h.api.compact();
    for (let i = 0; i < 3; i++) {
      h.api.fault({ watch: true, kind: 'Pod', status: 410, inStream: true });
      h.api.fault({ watch: true, kind: 'Pod', status: 410 });
    }
    h.api.deleteSilently('Pod', 'apps', 'web-2');
    h.api.dropWatches();
    await waitFor('six relists', () => (h.w.agent.reflectorStats().find((r) => r.kind === 'Pod')?.stats.relists ?? 0) >= 6, 10_000);
    await waitFor('the deleted pod resolved, the other still open', async () => {
      const open = await h.incidents();
      return open.length === 1 && open[0]?.object.name === 'web-1';
    });
    await waitFor('ready', async () => (await fetch(`${h.w.url}/readyz`)).status === 200);
    expect((await fetch(`${h.w.url}/healthz`)).status).toBe(200);
    expect(h.transitions.filter((t) => t.type === 'resolved').map((t) => t.incident.object.name)).toEqual(['web-2']);
  });

  it('410 as an HTTP status on watch also relists', async () => {
    const h = await harness([...healthyPlatform(), crashing()]);
    await waitFor('incident', async () => (await h.incidents()).length === 1);
    h.api.goneInStream = false;
    h.api.compact();
    h.api.deleteSilently('Pod', 'apps', 'web-1');
    h.api.dropWatches();
    await waitFor('resolved', async () => (await h.incidents()).length === 0);
    expect(h.api.requests.some((r) => r.status === 410)).toBe(true);
  });

  it('a forbidden kind is reported on /readyz and as SourceUnavailable, and the rest keeps working', async () => {
    const h = await harness([...healthyPlatform(), crashing()], { api: { forbidden: ['ingresses'] } });
    const ready = (await (await fetch(`${h.w.url}/readyz`)).json()) as { sources: Record<string, string> };
    expect(ready.sources.Ingress).toMatch(/^forbidden/);
    const inc = await waitFor('incidents', async () => {
      const l = await h.incidents();
      return l.length >= 2 ? l : undefined;
    });
    expect(inc.map((i) => i.reason).sort()).toEqual(['CrashLoopBackOff', 'SourceUnavailable']);
  });
});

describe('the real executable', () => {
  it('a bad --listen or config is a usage error (exit 2) before anything starts', async () => {
    const { cli } = await import('./support/cli.ts');
    const r = await cli(['watch', '--listen', 'nowhere']);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('--listen: expected HOST:PORT');
    const c = await cli(['watch', '--config', '/nonexistent.yaml']);
    expect(c.code).toBe(2);
    expect(c.stderr).toContain('cannot read config file /nonexistent.yaml');
  });

  it('watch serves its endpoints, doctor --from-watcher reads them, SIGTERM exits 0 quickly', async () => {
    const { spawn } = await import('node:child_process');
    const { BIN, ROOT, cli } = await import('./support/cli.ts');
    const api = new FakeApiServer();
    apis.push(api);
    api.apply(...healthyPlatform(), crashing());
    const url = await api.start();
    const dir = mkdtempSync(join(tmpdir(), 'sa-watch-'));
    writeFileSync(join(dir, 'config'), api.kubeconfig(url));
    const child = spawn(process.execPath, [BIN, 'watch', '--kubeconfig', join(dir, 'config'), '--listen', '127.0.0.1:0', '--cluster-name', 'e2e'], {
      cwd: ROOT,
      stdio: ['ignore', 'pipe', 'pipe'],
      env: { ...process.env, OTEL_SDK_DISABLED: 'true' },
    });
    let stderr = '';
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    const exited = new Promise<number | null>((r) => child.on('exit', (code) => r(code)));
    try {
      const base = await waitFor('serving line', () => /"msg":"serving","url":"(http:[^"]+)"/.exec(stderr)?.[1]);
      await waitFor('ready', async () => (await fetch(`${base}/readyz`)).status === 200);
      await waitFor('incident', async () => ((await (await fetch(`${base}/incidents`)).json()) as { incidents: unknown[] }).incidents.length === 1);
      const r = await cli(['doctor', '--from-watcher', base, '-o', 'json']);
      expect(r.code).toBe(1);
      const doc = JSON.parse(r.stdout) as { cluster: { name: string; source: string }; incidents: { reason: string }[] };
      expect(doc.cluster).toEqual({ name: 'e2e', source: 'watcher' });
      expect(doc.incidents.map((i) => i.reason)).toEqual(['CrashLoopBackOff']);
      // Structured JSON lines only.
      for (const line of stderr.trim().split('\n')) expect(() => JSON.parse(line) as unknown).not.toThrow();
    } finally {
      child.kill('SIGTERM');
      expect(await exited).toBe(0);
      // Within the grace: the agent's own 10-s deadline did not cut it short (its log says so when it
      // does), whatever the machine's load makes of the wall-clock time.
      expect(stderr).toContain('"msg":"stopped"');
      expect(stderr).not.toContain('shutdown timed out');
    }
  });
});

describe('sentinel-agent demo', () => {
  it('plays the story at its top speed: each line timestamped, each incident printed once, each fix followed by its own resolutions, exit 0', async () => {
    const { spawnCli } = await import('./support/cli.ts');
    const { MAX_SPEED } = await import('../src/cli/demo.ts');
    const r = await spawnCli(['demo', '--speed', String(MAX_SPEED), '--listen', '127.0.0.1:0'], { timeoutMs: 30_000, env: { NO_COLOR: '1' } });
    expect(r.code).toBe(0);
    for (const reason of ['RegistryPullFailed', 'CrashLoopBackOff', 'PolicyNotMaterialized', 'CertificateExpiringSoon', 'GatewayNotReady', 'DeploymentUnavailable']) {
      expect(r.stdout, reason).toMatch(new RegExp(`OPENED +\\w+ +${reason}`));
      expect(r.stdout, reason).toMatch(new RegExp(`RESOLVED ${reason}`));
    }
    expect(r.stdout).toContain('caused by RegistryPullFailed on Pod mcp-team-acme/weather-64b7c9f8d4-k8s2n');
    expect(r.stdout).toContain('→ fix: The registry registry.registry.svc.cluster.local:5000 rejected the pull credentials');
    expect(r.stdout).toMatch(/Story complete: (\d+) incidents opened, \1 resolved, 0 still open/);
    expect(r.stdout).not.toContain('\u001b[');
    const lines = r.stdout.split('\n');
    // Every event of the story (a step, an opening, a resolution) has its time.
    for (const l of lines.filter((x) => /▶|OPENED|RESOLVED|UPDATED|synced/.test(x))) expect(l, l).toMatch(/^ *\+\d+s {2}/);
    // Printed once, with its cause: nothing is opened and then at once updated.
    expect(lines.filter((l) => l.includes('UPDATED'))).toEqual([]);
    const opened = lines.filter((l) => l.includes('OPENED')).map((l) => l.replace(/^.*OPENED +\w+ +/, ''));
    expect(new Set(opened).size).toBe(opened.length);
    // Each fix's resolutions come after it and before the next step.
    const fixes: [string, RegExp][] = [
      ['fix: the operator re-creates the policy ConfigMap', /RESOLVED PolicyNotMaterialized/],
      ['fix: a gateway upgrade stops the crash loop', /RESOLVED CrashLoopBackOff/],
      ['fix: the pull secret is re-provisioned', /RESOLVED RegistryPullFailed/],
      ['fix: cert-manager renews the certificate', /RESOLVED CertificateExpiringSoon/],
    ];
    for (const [fix, resolution] of fixes) {
      const at = lines.findIndex((l) => l.includes(fix));
      const next = lines.findIndex((l, k) => k > at && l.includes('▶'));
      const res = lines.findIndex((l) => resolution.test(l));
      expect(at, fix).toBeGreaterThan(0);
      expect(res, fix).toBeGreaterThan(at);
      if (next > 0) expect(res, fix).toBeLessThan(next);
    }
  }, 40_000);

  it('--speed outside what plays the story is refused, naming the range', async () => {
    const { cli } = await import('./support/cli.ts');
    const { MAX_SPEED, MIN_SPEED } = await import('../src/cli/demo.ts');
    for (const v of ['0', '100', String(MAX_SPEED + 1), 'fast', '-1', '0.1']) {
      const r = await cli(['demo', `--speed=${v}`]);
      expect(r.code, v).toBe(2);
      expect(r.stderr, v).toContain(`--speed: expected a number from ${MIN_SPEED} to ${MAX_SPEED}`);
    }
  });

  it('--prometheus serves the metrics while the story plays; OTLP failures are one plain line each, not a stack', async () => {
    const { spawn } = await import('node:child_process');
    const { BIN, ROOT } = await import('./support/cli.ts');
    const closed = http.createServer();
    await new Promise<void>((res) => closed.listen(0, '127.0.0.1', res));
    const port = (closed.address() as { port: number }).port;
    await new Promise((res) => closed.close(res));
    const child = spawn(process.execPath, [BIN, 'demo', '--speed', '20', '--listen', '127.0.0.1:0', '--prometheus'], { cwd: ROOT, env: { PATH: process.env.PATH ?? '', NO_COLOR: '1', OTEL_EXPORTER_OTLP_ENDPOINT: `http://127.0.0.1:${port}` } });
    let out = '';
    let err = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    child.stderr.on('data', (d: Buffer) => (err += d.toString()));
    const exited = new Promise<number | null>((res) => child.on('exit', (c) => res(c)));
    const url = await waitFor('the endpoints line', () => /endpoints: (http:\S+)\/incidents/.exec(out)?.[1], 20_000);
    expect(out).toContain(`${url}/metrics`);
    const metrics = await waitFor('an incident gauge on /metrics', async () => {
      const text = await (await fetch(`${url}/metrics`)).text();
      return /mcp_runtime_health_incidents\{[^}]*\} [1-9]/.test(text) ? text : undefined;
    }, 20_000, { everyMs: 100 });
    expect(metrics).toContain('# TYPE mcp_runtime_health_incidents gauge');
    expect(await exited).toBe(0);
    const failures = err.split('\n').filter((l) => l.trim() !== '');
    expect(failures.length).toBeGreaterThan(0);
    for (const l of failures) {
      expect(l, l).toMatch(/^ *\+\d+s {2}[⚠✖] /);
      expect(l, l).not.toMatch(/stack|\\n|\{"/);
    }
    expect(new Set(failures.map((l) => l.replace(/^ *\+\d+s {2}/, ''))).size).toBe(failures.length);
  }, 40_000);
});

describe('graceful shutdown under load', () => {
  it('SIGTERM while 2,000 events per second arrive: exits 0 within the grace period, flushing', async () => {
    const { spawn } = await import('node:child_process');
    const { BIN, ROOT } = await import('./support/cli.ts');
    const api = new FakeApiServer();
    apis.push(api);
    const pods: Raw[] = [];
    for (let i = 0; i < 500; i++) pods.push(pod(`load-${i}`, { ns: 'load', containers: [{ name: 'c' }] }));
    api.apply(...healthyPlatform(), ...pods);
    const url = await api.start();
    const dir = mkdtempSync(join(tmpdir(), 'sa-load-'));
    writeFileSync(join(dir, 'config'), api.kubeconfig(url));
    const child = spawn(process.execPath, [BIN, 'watch', '--kubeconfig', join(dir, 'config'), '--listen', '127.0.0.1:0', '--log-level', 'info'], {
      cwd: ROOT,
      stdio: ['ignore', 'ignore', 'pipe'],
      env: { ...process.env, OTEL_SDK_DISABLED: 'true' },
    });
    let stderr = '';
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    const exited = new Promise<number | null>((r) => child.on('exit', (code) => r(code)));
    const base = await waitFor('serving', () => /"msg":"serving","url":"(http:[^"]+)"/.exec(stderr)?.[1]);
    await waitFor('ready', async () => (await fetch(`${base}/readyz`)).status === 200);
    // 2,000 changes per second (every 5 ms, 10 pods), half of them crash-looping.
    let n = 0;
    const churn = setInterval(() => {
      for (let k = 0; k < 10; k++, n++) {
        const i = n % 500;
        api.apply(n % 2 ? pods[i] as Raw : pod(`load-${i}`, { ns: 'load', ready: false, containers: [{ name: 'c', ready: false, state: waiting('CrashLoopBackOff') }] }));
      }
    }, 5);
    try {
      // The load counted in changes, not in wall time (a loaded machine runs the churn slower).
      await waitFor('3,000 changes under way', () => n >= 3000, 20_000);
      child.kill('SIGTERM');
      const atSignal = n;
      expect(await exited).toBe(0);
      expect(stderr).not.toContain('shutdown timed out'); // stopped within its grace, not cut short
      expect(n).toBeGreaterThan(atSignal); // and the changes kept coming while it stopped
      expect(stderr).toContain('"msg":"stopped"');
    } finally {
      clearInterval(churn);
    }
  }, 30_000);
});

describe('API server outages', () => {
  it('500s on LIST and WATCH for a while: /readyz says the data is stale, then the agent catches up', async () => {
    const h = await harness([...healthyPlatform(), healthyPod()]);
    h.api.fault({ kind: 'Pod', status: 500, times: 1000 });
    h.api.dropWatches();
    await waitFor('stale on /readyz', async () => {
      const r = (await (await fetch(`${h.w.url}/readyz`)).json()) as { sources: Record<string, string> };
      return /reconnecting after: WATCH Pod answered 500/.test(r.sources.Pod ?? '');
    });
    h.api.apply(crashing());
    await new Promise((r) => setTimeout(r, 400));
    expect((await h.incidents()).length).toBe(0); // not seen yet: the watch is down
    const restarts = h.w.agent.reflectorStats().find((r) => r.kind === 'Pod')?.stats.restarts ?? 0;
    expect(restarts).toBeGreaterThanOrEqual(2);
    h.api.clearFaults();
    await waitFor('incident after recovery', async () => (await h.incidents()).length === 1, 8000);
    await waitFor('fresh again', async () => {
      const r = (await (await fetch(`${h.w.url}/readyz`)).json()) as { sources: Record<string, string> };
      return r.sources.Pod === 'synced';
    });
  });

  it('a blind agent says so: the API server gone past the stale limit is SourceUnavailable, /readyz 503 with the reason, /incidents lists the stale sources; recovery clears it', async () => {
    const settings: WatchSettings = { ...FAST, reflector: { ...FAST.reflector, staleAfterMs: 800 } };
    const h = await harness([...healthyPlatform(), crashing()], { settings });
    await waitFor('the crash loop', async () => (await h.incidents()).some((i) => i.reason === 'CrashLoopBackOff'));
    await h.api.pause();
    await waitFor('blind on /readyz', async () => (await fetch(`${h.w.url}/readyz`)).status === 503, 8000);
    const ready = (await (await fetch(`${h.w.url}/readyz`)).json()) as { status: string; reason?: string; sources: Record<string, string> };
    expect(ready.status).toBe('blind');
    expect(ready.reason).toMatch(/^cannot read .*Pod \(stale: cannot be read since/);
    expect(ready.sources.Pod).toMatch(/^stale/);
    await waitFor('SourceUnavailable (stale) raised', async () => (await h.incidents()).some((i) => i.reason === 'SourceUnavailable'), 8000);
    const doc = (await (await fetch(`${h.w.url}/incidents`)).json()) as { staleSources?: { kind: string; status: string; since?: string }[]; incidents: { reason: string; attributes: Record<string, unknown>; message: string }[] };
    expect(doc.staleSources?.map((s) => s.kind)).toContain('Pod');
    expect(doc.staleSources?.find((s) => s.kind === 'Pod')?.since).toMatch(/^\d{4}-/);
    const su = doc.incidents.find((i) => i.reason === 'SourceUnavailable' && i.attributes.resource === 'pods');
    expect(su?.attributes.source_state).toBe('stale');
    expect(su?.message).toMatch(/last known state/);
    // What it saw last is still reported, not resolved blindly.
    expect(doc.incidents.some((i) => i.reason === 'CrashLoopBackOff')).toBe(true);
    expect(h.transitions.some((t) => t.type === 'resolved' && t.incident.reason === 'CrashLoopBackOff')).toBe(false);
    const { cli } = await import('./support/cli.ts');
    const viaDoctor = await cli(['doctor', '--from-watcher', h.w.url]);
    expect(viaDoctor.stderr).toMatch(/warning: the agent cannot read .*Pod/);
    expect(viaDoctor.stdout).toContain('The agent cannot see');
    await h.api.resume();
    await waitFor('ready again', async () => (await fetch(`${h.w.url}/readyz`)).status === 200, 10_000);
    await waitFor('SourceUnavailable resolved', async () => !(await h.incidents()).some((i) => i.reason === 'SourceUnavailable'), 10_000);
    const after = (await (await fetch(`${h.w.url}/incidents`)).json()) as { staleSources?: unknown[] };
    expect(after.staleSources).toBeUndefined();
  });

  it('an agent that never reached the API server is not ready', async () => {
    const api = new FakeApiServer();
    apis.push(api);
    const w = await watchFrom(api, { paused: true });
    await waitFor('every source failing', () => Object.values(w.agent.sources()).every((s) => s.status === 'failing'));
    await new Promise((r) => setTimeout(r, 300));
    const r = await fetch(`${w.url}/readyz`);
    expect(r.status).toBe(503);
    expect(((await r.json()) as { status: string }).status).not.toBe('ready');
  });

  it('the API server gone and back: changes made meanwhile arrive, deletions included', async () => {
    const h = await harness([...healthyPlatform(), crashing(), pod('other', { ns: 'apps', ready: false, containers: [{ name: 'o', ready: false, state: waiting('CreateContainerConfigError', 'missing') }] })]);
    await waitFor('two incidents', async () => (await h.incidents()).length === 2);
    await h.api.pause();
    await new Promise((r) => setTimeout(r, 500));
    expect((await fetch(`${h.w.url}/healthz`)).status).toBe(200); // still alive
    h.api.apply(healthyPod());
    h.api.delete('Pod', 'apps', 'other');
    await h.api.resume();
    await waitFor('both resolved', async () => (await h.incidents()).length === 0, 10_000);
    expect(h.transitions.filter((t) => t.type === 'resolved').length).toBe(2);
  });

  it('slow, trickling answers: a LIST delivered 512 bytes at a time, watch events split across tiny chunks', async () => {
    const api = new FakeApiServer();
    apis.push(api);
    const pods = Array.from({ length: 25 }, (_, i) => healthyPod(`web-${i}`));
    api.apply(...healthyPlatform(), ...pods, crashing());
    // Every Pod LIST page trickles: ~25 pods is tens of KB, so the list takes a second or more.
    api.fault({ watch: false, kind: 'Pod', trickle: { bytes: 512, everyMs: 5 }, times: 1000 });
    const w = await watchFrom(api, { settings: PAGED });
    const t0 = Date.now();
    expect((await fetch(`${w.url}/healthz`)).status).toBe(200); // alive while the list trickles
    expect((await fetch(`${w.url}/readyz`)).status).toBe(503);
    await waitFor('ready after the slow list', async () => (await fetch(`${w.url}/readyz`)).status === 200, 15_000);
    const readyAfter = Date.now() - t0;
    const incidents = async (): Promise<{ reason: string; object: { name: string } }[]> => ((await (await fetch(`${w.url}/incidents`)).json()) as { incidents: { reason: string; object: { name: string } }[] }).incidents;
    await waitFor('the crash loop in the slow list', async () => (await incidents()).some((i) => i.reason === 'CrashLoopBackOff'));
    expect(w.agent.store.size('Pod')).toBe(25);
    // Now the watch: every event arrives 7 bytes at a time (lines split anywhere).
    api.clearFaults();
    api.fault({ watch: true, kind: 'Pod', trickle: { bytes: 7, everyMs: 1 }, times: 1000 });
    api.dropWatches();
    await waitFor('a trickling watch', () => api.requests.filter((r) => r.path === '/api/v1/pods' && r.query.watch).length >= 2);
    api.apply(pod('web-3', { ns: 'apps', labels: { app: 'web' }, ready: false, containers: [{ name: 'web', ready: false, restarts: 9, state: waiting('CrashLoopBackOff'), lastState: terminated('Error', 1, -1) }] }));
    await waitFor('the fragmented event understood', async () => (await incidents()).some((i) => i.object.name === 'web-3'), 10_000);
    const stats = w.agent.reflectorStats().find((r) => r.kind === 'Pod')?.stats;
    expect(stats?.malformed).toBe(0);
    expect(readyAfter).toBeGreaterThan(300); // the list really was slow
  });
});
