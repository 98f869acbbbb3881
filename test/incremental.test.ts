// Incremental evaluation must agree with a full evaluation: after any sequence of changes, the
// findings kept by incremental passes over the touched objects equal those of a fresh full pass.

import { describe, expect, it } from 'vitest';
import { ObjectStore } from '../src/kube/store.ts';
import { normalize } from '../src/kube/read/normalize.ts';
import { Sharing } from '../src/kube/read/sharing.ts';
import { KIND_NAMES } from '../src/kube/kinds.ts';
import type { AnyObj } from '../src/kube/types.ts';
import { CHECKS } from '../src/checks/registry.ts';
import { defaultCheckConfig } from '../src/checks/config.ts';
import { ContinuousEvaluator } from '../src/engine/continuous.ts';
import { affectedKeys, type DirtyMarks } from '../src/engine/dependents.ts';
import { evaluate, selectChecks } from '../src/engine/evaluate.ts';
import type { Finding } from '../src/checks/types.ts';
import { Pipeline } from '../src/engine/pipeline.ts';
import { IncidentTracker, type Transition } from '../src/engine/tracker.ts';
import { toCandidates } from '../src/engine/incidents.ts';
import { T0, certificate, configMap, deployment, endpointSlice, healthyPlatform, healthyServer, ingress, issuer, mcpServer, pod, replicaSet, running, service, terminated, waiting, warningEvent, type Raw } from './support/objects.ts';

/** One table for this file's objects, as a store has (kube/read/sharing.ts). */
const share = new Sharing();

const opts = { checks: CHECKS, now: T0, config: defaultCheckConfig(), inScope: () => true };

function norm(r: Raw): AnyObj {
  const o = normalize(r, share).obj;
  if (!o) throw new Error('fixture does not normalize');
  return o;
}

function key(f: Finding): string {
  return `${f.reason} ${f.object.kind} ${f.object.namespace}/${f.object.name} ${f.severity ?? ''} ${f.message}`;
}

/** A small deterministic PRNG, so a failure replays. */
function rng(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s * 1664525 + 1013904223) >>> 0;
    return s / 2 ** 32;
  };
}

type Change = Raw | [string, string, string];

/** The random change steps of one seed: batches of upserts and deletions over three servers.
 *  `statusOnly`: only status changes (no creation, deletion, selector change or registry outage),
 *  the bulk of a real watch stream, which the pipeline feeds to the tracker as a change. */
function scenario(seed: number, steps = 60, statusOnly = false): { base: Raw[]; steps: { advanceMs: number; changes: Change[] }[] } {
  const rand = rng(seed);
  const base = [...healthyPlatform(), ...healthyServer('a', { gateway: true }), ...healthyServer('b'), ...healthyServer('c', { gateway: true, team: 't' })];
  const podsOf = (s: string): Raw[] => [
    pod(`${s}-7d9f8b6c5d-x2x9q`, { labels: { app: s, 'app.kubernetes.io/managed-by': 'mcp-runtime', 'mcpruntime.org/rollout-track': 'stable', 'pod-template-hash': '7d9f8b6c5d' }, owner: { kind: 'ReplicaSet', name: `${s}-7d9f8b6c5d` }, ready: false, containers: [{ name: s, ready: false, state: waiting('CrashLoopBackOff'), lastState: terminated('OOMKilled', 137, -1) }, { name: 'mcp-gateway', ready: false, state: waiting('ImagePullBackOff', 'Back-off pulling image "gw:1"') }] }),
    pod(`${s}-7d9f8b6c5d-x2x9q`, { labels: { app: s, 'app.kubernetes.io/managed-by': 'mcp-runtime', 'mcpruntime.org/rollout-track': 'stable', 'pod-template-hash': '7d9f8b6c5d' }, owner: { kind: 'ReplicaSet', name: `${s}-7d9f8b6c5d` }, containers: [{ name: s, state: running(-1) }, { name: 'mcp-gateway' }] }),
  ];
  const notReady = (s: string): Raw =>
    pod(`${s}-7d9f8b6c5d-x2x9q`, { labels: { app: s, 'app.kubernetes.io/managed-by': 'mcp-runtime', 'mcpruntime.org/rollout-track': 'stable', 'pod-template-hash': '7d9f8b6c5d' }, owner: { kind: 'ReplicaSet', name: `${s}-7d9f8b6c5d` }, ready: false, readySince: -30, containers: [{ name: s, ready: false, state: running(-40) }, { name: 'mcp-gateway' }] });
  // Warning Events about the pod, its ReplicaSet and its server, before or after what they explain.
  const events = (s: string): (() => Change)[] => [
    () => warningEvent(podsOf(s)[0] as Raw, 'Failed', 'Failed to pull image "gw:1": 401 Unauthorized', { container: 'mcp-gateway', last: -1, name: `${s}-pull` }),
    () => warningEvent(notReady(s), 'Unhealthy', `Readiness probe failed: HTTP probe failed with statuscode: ${rand() < 0.5 ? 503 : 500}`, { container: s, last: -1, name: `${s}-probe` }),
    () => warningEvent(replicaSet(`${s}-7d9f8b6c5d`, s), 'FailedCreate', 'Error creating: pods is forbidden: exceeded quota: q', { last: -1, name: `${s}-create` }),
    () => warningEvent(mcpServer(s), 'ReconcileError', 'failed to update Ingress', { component: 'mcpserver-controller', last: -1, name: `${s}-op` }),
    () => ['Event', 'mcp-servers', `${s}-${['pull', 'probe', 'create', 'op'][Math.floor(rand() * 4)] ?? 'pull'}`],
  ];
  const changes = (s: string): (() => Change)[] => [
    () => podsOf(s)[0] as Raw,
    () => podsOf(s)[1] as Raw,
    () => notReady(s),
    () => deployment(s, { owner: { kind: 'MCPServer', name: s }, selector: { app: s, 'mcpruntime.org/rollout-track': 'stable' }, containers: [s, 'mcp-gateway'], ready: Math.floor(rand() * 2) }),
    () => endpointSlice(s, { ready: Math.floor(rand() * 2), notReady: 1 }),
    () => ingress(s, { owner: { kind: 'MCPServer', name: s }, ...(rand() < 0.5 ? { lb: ['10.0.0.1'] } : {}) }),
    () => mcpServer(s, { gateway: s !== 'b', phase: rand() < 0.5 ? 'PartiallyReady' : 'Ready', flags: { deploymentReady: rand() < 0.5, serviceReady: true, ingressReady: true, gatewayReady: true, policyReady: true } }),
    () => configMap(`${s}-gateway-policy`, { owner: { kind: 'MCPServer', name: s }, data: rand() < 0.5 ? { 'policy.json': '{}' } : { other: '' } }),
    () => ['ConfigMap', 'mcp-servers', `${s}-gateway-policy`],
    () => ['Pod', 'mcp-servers', `${s}-7d9f8b6c5d-x2x9q`],
    () => service(s, { owner: { kind: 'MCPServer', name: s }, selector: rand() < 0.5 ? { app: s } : { app: `${s}-typo` } }),
    () => deployment('registry', { ns: 'registry', ready: Math.floor(rand() * 2) }),
    () => {
      // No pod could be created: only the ReplicaSet's FailedCreate Event says why.
      const d = deployment(s, { owner: { kind: 'MCPServer', name: s }, selector: { app: s, 'mcpruntime.org/rollout-track': 'stable' }, containers: [s, 'mcp-gateway'], ready: 0, available: 0 });
      Object.assign(d.status as Raw, { replicas: 0 });
      return d;
    },
    ...events(s),
    // An issuer not ready explains the certificates it signs; which one signs can change.
    () => certificate(`${s}-gateway-mtls`, { ready: rand() < 0.7 ? 'False' : 'True', reason: 'Issuing', issuer: rand() < 0.7 ? 'ClusterIssuer/mcp-runtime-ca' : 'ClusterIssuer/other' }),
    () => issuer('ClusterIssuer', 'mcp-runtime-ca', { ready: rand() < 0.6 ? 'False' : 'True', since: -10 }),
    () => ['ClusterIssuer', '', 'mcp-runtime-ca'],
  ];
  const out: { advanceMs: number; changes: Change[] }[] = [];
  for (let step = 0; step < steps; step++) {
    const batch = 1 + Math.floor(rand() * 3);
    const cs: Change[] = [];
    for (let b = 0; b < batch; b++) {
      const all = changes(['a', 'b', 'c'][Math.floor(rand() * 3)] as string);
      const list = statusOnly ? all.slice(0, 7) : all;
      cs.push((list[Math.floor(rand() * list.length)] as () => Change)());
    }
    out.push({ advanceMs: Math.floor(rand() * 40_000), changes: cs });
  }
  return { base, steps: out };
}

describe('incremental evaluation', () => {
  for (const seed of Array.from({ length: 40 }, (_, i) => i + 1)) {
    it(`agrees with a full pass after random changes (seed ${seed})`, () => {
      const store = new ObjectStore();
      for (const k of KIND_NAMES) store.setSource(k, { status: 'synced', coverage: 'cluster' });
      const { base, steps } = scenario(seed);
      for (const r of base) store.upsert(norm(r));
      const ev = new ContinuousEvaluator(CHECKS);
      ev.full(store, opts);
      steps.forEach(({ changes }, step) => {
        const dirty: DirtyMarks = new Map();
        for (const c of changes) {
          if (Array.isArray(c)) {
            const [kind, ns, name] = c;
            const prev = store.get(kind as 'Pod', ns, name);
            if (prev) {
              affectedKeys(store, prev, dirty);
              store.delete(kind as 'Pod', ns, name);
            }
          } else {
            const o = norm(c);
            const prev = store.get(o.kind, o.meta.namespace, o.meta.name);
            if (prev) affectedKeys(store, prev, dirty);
            store.upsert(o);
            affectedKeys(store, o, dirty);
          }
        }
        ev.incremental(store, dirty, opts);
        const incremental = ev.findings().map(key).sort();
        const full = evaluate(store, opts).findings.map(key).sort();
        expect(incremental, `step ${step}`).toEqual(full);
      });
    });
  }
});

// The pipeline skips candidates and the tracker when no finding changed and no hold or grace ends.
// Against a reference that rebuilds every candidate from a full evaluation and feeds the tracker on
// every step, the transitions and the open incidents (with their root causes) must be the same.
describe('the incremental pipeline', () => {
  const view = (t: Transition): string => `${t.type} ${t.incident.id} ${t.incident.reason} ${t.incident.severity} root=${t.incident.rootCauseId ?? '-'}`;
  const cases = [...Array.from({ length: 25 }, (_, i) => ({ seed: i + 101, statusOnly: false })), ...Array.from({ length: 15 }, (_, i) => ({ seed: i + 501, statusOnly: true }))];
  for (const { seed, statusOnly } of cases) {
    it(`emits what a tracker fed full evaluations emits (seed ${seed}${statusOnly ? ', status changes only' : ''})`, () => {
      const config = defaultCheckConfig();
      const pipe: Pipeline = new Pipeline({ checks: CHECKS, clusterName: 'c', config, inScope: () => true, holdMs: 60_000, exists: (i): boolean => pipe.store.get(i.object.kind as 'Pod', i.object.namespace ?? '', i.object.name) !== undefined });
      const refStore = new ObjectStore();
      const ref = new IncidentTracker({ holdMs: 60_000 });
      for (const k of KIND_NAMES) {
        pipe.store.setSource(k, { status: 'synced', coverage: 'cluster' });
        refStore.setSource(k, { status: 'synced', coverage: 'cluster' });
      }
      const { base, steps } = scenario(seed, 80, statusOnly);
      for (const r of base) {
        pipe.upsert(norm(r));
        refStore.upsert(norm(r));
      }
      let now = T0;
      const refPass = (): Transition[] => {
        const o = { ...opts, now, config };
        const cands = toCandidates(evaluate(refStore, o).findings, refStore, { clusterName: 'c', config });
        return ref.update(cands, now, (i) => refStore.get(i.object.kind as 'Pod', i.object.namespace ?? '', i.object.name) !== undefined);
      };
      expect(pipe.pass(now).transitions.map(view).sort()).toEqual(refPass().map(view).sort());
      let skipped = 0;
      let delta = 0;
      steps.forEach(({ advanceMs, changes }, step) => {
        now += advanceMs;
        for (const c of changes) {
          if (Array.isArray(c)) {
            const [kind, ns, name] = c;
            const prev = pipe.store.get(kind as 'Pod', ns, name);
            if (prev) pipe.remove(prev);
            refStore.delete(kind as 'Pod', ns, name);
          } else {
            pipe.upsert(norm(c));
            refStore.upsert(norm(c));
          }
        }
        const r = pipe.pass(now);
        if (!r.tracked) skipped++;
        if (r.path === 'delta') delta++;
        expect(r.transitions.map(view).sort(), `step ${step}`).toEqual(refPass().map(view).sort());
        expect(pipe.tracker.open().map((i) => `${i.id} ${i.rootCauseId ?? '-'} ${i.attributes.explains ?? 0}`), `step ${step}`).toEqual(ref.open().map((i) => `${i.id} ${i.rootCauseId ?? '-'} ${i.attributes.explains ?? 0}`));
      });
      // The point of it: most steps change nothing the tracker would act on, and of the rest, those
      // that change only findings are fed to the tracker as a change (a registry outage, which
      // explains across objects, and relations changing take the whole feed).
      expect(skipped).toBeGreaterThan(0);
      if (statusOnly) expect(delta).toBeGreaterThan(10);
    });
  }
});

describe('events that change nothing kept', () => {
  it('are not judged: the stored projection stays and the next pass has nothing to do', () => {
    const pipe = new Pipeline({ checks: CHECKS, clusterName: 'c', config: defaultCheckConfig(), inScope: () => true, holdMs: 60_000 });
    for (const k of KIND_NAMES) pipe.store.setSource(k, { status: 'synced', coverage: 'cluster' });
    const objs = [...healthyPlatform(), ...healthyServer('a', { gateway: true })];
    for (const r of objs) pipe.upsert(norm(r));
    pipe.pass(T0);
    const p = objs.find((o) => o.kind === 'Pod') as Raw;
    const stored = pipe.store.get('Pod', (p.metadata as Raw).namespace as string, (p.metadata as Raw).name as string);
    // The same pod with a new resourceVersion and managedFields write: nothing a check reads.
    const again = structuredClone(p);
    (again.metadata as Raw).resourceVersion = '999999';
    (again.metadata as Raw).managedFields = [];
    expect(pipe.upsert(norm(again))).toBe(false);
    expect(pipe.store.get('Pod', stored?.meta.namespace ?? '', stored?.meta.name ?? '')).toBe(stored);
    // (Of the checks that run: one only of custom resources, none configured, does not.)
    const singletons = selectChecks(CHECKS, defaultCheckConfig()).run.filter((c) => c.roots === undefined).length;
    expect(pipe.pass(T0 + 1000).stats.checksRun).toBe(singletons); // the singleton checks only (operator, registry, platform)
    // A restart count moving is kept (health unchanged): judged again, still nothing to report.
    const restarted = structuredClone(p);
    for (const c of (restarted.status as Raw).containerStatuses as Raw[]) c.restartCount = 3;
    expect(pipe.upsert(norm(restarted))).toBe(true);
    const r = pipe.pass(T0 + 2000);
    expect(r.stats.checksRun).toBeGreaterThan(singletons);
    expect(r.transitions).toEqual([]);
  });
});
