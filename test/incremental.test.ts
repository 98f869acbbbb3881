// Incremental evaluation must agree with a full evaluation: after any sequence of changes, the
// findings kept by incremental passes over the touched objects equal those of a fresh full pass.

import { describe, expect, it } from 'vitest';
import { ObjectStore } from '../src/kube/store.ts';
import { normalize } from '../src/kube/normalize.ts';
import { KIND_NAMES } from '../src/kube/kinds.ts';
import type { AnyObj } from '../src/kube/types.ts';
import { CHECKS } from '../src/checks/registry.ts';
import { defaultCheckConfig } from '../src/checks/config.ts';
import { ContinuousEvaluator } from '../src/engine/continuous.ts';
import { affectedKeys } from '../src/engine/dependents.ts';
import { evaluate } from '../src/engine/evaluate.ts';
import type { Finding } from '../src/checks/types.ts';
import { T0, configMap, deployment, endpointSlice, healthyPlatform, healthyServer, ingress, mcpServer, pod, running, service, terminated, waiting, type Raw } from './support/objects.ts';

const opts = { checks: CHECKS, now: T0, config: defaultCheckConfig(), inScope: () => true };

function norm(r: Raw): AnyObj {
  const o = normalize(r).obj;
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

describe('incremental evaluation', () => {
  for (const seed of Array.from({ length: 40 }, (_, i) => i + 1)) {
    it(`agrees with a full pass after random changes (seed ${seed})`, () => {
      const store = new ObjectStore();
      for (const k of KIND_NAMES) store.setSource(k, { status: 'synced', coverage: 'cluster' });
      const base = [...healthyPlatform(), ...healthyServer('a', { gateway: true }), ...healthyServer('b'), ...healthyServer('c', { gateway: true, team: 't' })];
      for (const r of base) store.upsert(norm(r));
      const ev = new ContinuousEvaluator(CHECKS);
      ev.full(store, opts);
      const rand = rng(seed);
      const podsOf = (s: string): Raw[] => [
        pod(`${s}-7d9f8b6c5d-x2x9q`, { labels: { app: s, 'app.kubernetes.io/managed-by': 'mcp-runtime', 'mcpruntime.org/rollout-track': 'stable', 'pod-template-hash': '7d9f8b6c5d' }, owner: { kind: 'ReplicaSet', name: `${s}-7d9f8b6c5d` }, ready: false, containers: [{ name: s, ready: false, state: waiting('CrashLoopBackOff'), lastState: terminated('OOMKilled', 137, -1) }, { name: 'mcp-gateway', ready: false, state: waiting('ImagePullBackOff', 'x') }] }),
        pod(`${s}-7d9f8b6c5d-x2x9q`, { labels: { app: s, 'app.kubernetes.io/managed-by': 'mcp-runtime', 'mcpruntime.org/rollout-track': 'stable', 'pod-template-hash': '7d9f8b6c5d' }, owner: { kind: 'ReplicaSet', name: `${s}-7d9f8b6c5d` }, containers: [{ name: s, state: running(-1) }, { name: 'mcp-gateway' }] }),
      ];
      const changes = (s: string): (() => Raw | [string, string, string])[] => [
        () => podsOf(s)[0] as Raw,
        () => podsOf(s)[1] as Raw,
        () => deployment(s, { owner: { kind: 'MCPServer', name: s }, selector: { app: s, 'mcpruntime.org/rollout-track': 'stable' }, containers: [s, 'mcp-gateway'], ready: Math.floor(rand() * 2) }),
        () => endpointSlice(s, { ready: Math.floor(rand() * 2), notReady: 1 }),
        () => ingress(s, { owner: { kind: 'MCPServer', name: s }, ...(rand() < 0.5 ? { lb: ['10.0.0.1'] } : {}) }),
        () => mcpServer(s, { gateway: s !== 'b', phase: rand() < 0.5 ? 'PartiallyReady' : 'Ready', flags: { deploymentReady: rand() < 0.5, serviceReady: true, ingressReady: true, gatewayReady: true, policyReady: true } }),
        () => configMap(`${s}-gateway-policy`, { owner: { kind: 'MCPServer', name: s }, data: rand() < 0.5 ? { 'policy.json': '{}' } : { other: '' } }),
        () => ['ConfigMap', 'mcp-servers', `${s}-gateway-policy`],
        () => ['Pod', 'mcp-servers', `${s}-7d9f8b6c5d-x2x9q`],
        () => service(s, { owner: { kind: 'MCPServer', name: s }, selector: rand() < 0.5 ? { app: s } : { app: `${s}-typo` } }),
        () => deployment('registry', { ns: 'registry', ready: Math.floor(rand() * 2) }),
      ];
      for (let step = 0; step < 60; step++) {
        const dirty = new Set<string>();
        const batch = 1 + Math.floor(rand() * 3);
        for (let b = 0; b < batch; b++) {
          const server = ['a', 'b', 'c'][Math.floor(rand() * 3)] as string;
          const list = changes(server);
          const c = (list[Math.floor(rand() * list.length)] as () => Raw | [string, string, string])();
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
      }
    });
  }
});
