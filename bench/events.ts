// B2: cost per watch event through the agent's real path — strip + parse → project → store →
// dependents → incremental evaluation → candidates → incident diff — over a 20,000-pod store, one
// pass per event (the worst case: no batching). Plus event-loop lag while events arrive at 2,000/s.
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { generateCluster, type Raw } from './generate.ts';
import { normalize } from '../src/kube/normalize.ts';
import { stripUnreadFields } from '../src/kube/strip.ts';
import { ObjectStore } from '../src/kube/store.ts';
import { KIND_NAMES } from '../src/kube/kinds.ts';
import { CHECKS } from '../src/checks/registry.ts';
import { defaultCheckConfig } from '../src/checks/config.ts';
import { ContinuousEvaluator } from '../src/engine/continuous.ts';
import { affectedKeys } from '../src/engine/dependents.ts';
import { toCandidates } from '../src/engine/incidents.ts';
import { IncidentTracker } from '../src/engine/tracker.ts';

export interface EventBench {
  p50us: number;
  p99us: number;
  eventsPerSecond: number;
  lagP99ms: number;
}

export async function benchEvents(pods = 20_000, events = 20_000): Promise<EventBench> {
  const items = generateCluster(pods);
  const store = new ObjectStore();
  for (const i of items) {
    const o = normalize(i).obj;
    if (o) store.upsert(o);
  }
  for (const k of KIND_NAMES) store.setSource(k, { status: 'synced', coverage: 'cluster' });
  const config = defaultCheckConfig();
  const opts = { checks: CHECKS, now: Date.parse('2026-11-24T10:00:00Z'), config, inScope: () => true };
  const evaluator = new ContinuousEvaluator(CHECKS);
  evaluator.full(store, opts);
  const tracker = new IncidentTracker({ holdMs: 60_000 });
  const cache = new WeakMap();
  const podItems = items.filter((i) => i.kind === 'Pod');
  // Watch lines as the API server sends them: a pod modified (an annotation, a restart count…).
  const lines = Array.from({ length: 2000 }, (_, k) => {
    const p = structuredClone(podItems[(k * 7919) % podItems.length]) as Raw;
    ((p.metadata as Raw).annotations as Raw | undefined) ??= {};
    (p.metadata as Raw).resourceVersion = String(200_000 + k);
    return JSON.stringify({ type: 'MODIFIED', object: p });
  });
  const one = (line: string): void => {
    const ev = JSON.parse(stripUnreadFields(line)) as { object: unknown };
    const o = normalize(ev.object, { kind: 'Pod' }).obj;
    if (!o) return;
    const dirty = new Set<string>();
    const prev = store.get(o.kind, o.meta.namespace, o.meta.name);
    if (prev) affectedKeys(store, prev, dirty);
    store.upsert(o);
    affectedKeys(store, o, dirty);
    evaluator.incremental(store, dirty, opts);
    tracker.update(toCandidates(evaluator.findings(), store, { clusterName: 'b', config }, cache), opts.now, () => true);
  };
  for (let i = 0; i < 500; i++) one(lines[i % lines.length] as string); // warm-up
  const times: number[] = [];
  const t0 = performance.now();
  for (let i = 0; i < events; i++) {
    const s = performance.now();
    one(lines[i % lines.length] as string);
    times.push((performance.now() - s) * 1000);
  }
  const total = performance.now() - t0;
  times.sort((a, b) => a - b);
  // Event-loop lag while 2,000 events per second arrive (as timers would deliver them).
  const h = monitorEventLoopDelay({ resolution: 5 });
  h.enable();
  let sent = 0;
  await new Promise<void>((resolve) => {
    const iv = setInterval(() => {
      for (let k = 0; k < 10; k++) one(lines[sent++ % lines.length] as string);
      if (sent >= 6000) {
        clearInterval(iv);
        resolve();
      }
    }, 5);
  });
  h.disable();
  return {
    p50us: times[Math.floor(times.length * 0.5)] ?? NaN,
    p99us: times[Math.floor(times.length * 0.99)] ?? NaN,
    eventsPerSecond: (events / total) * 1000,
    lagP99ms: h.percentile(99) / 1e6,
  };
}

if (process.argv[1]?.endsWith('events.ts')) console.log(await benchEvents());
