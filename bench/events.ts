// B2: cost per watch event through the agent's real path — strip + parse → project → store →
// dependents → incremental evaluation → (when findings changed) candidates → incident diff — over a
// 20,000-pod store, one pass per event (the worst case: no batching). Three series: status updates
// that leave health as it was (most of a real watch stream), the same with a kept field changing (so
// the incremental evaluation runs), and events that flip a pod between healthy and CrashLoopBackOff,
// so every pass changes a finding and feeds the tracker. Plus event-loop lag while events arrive at
// 2,000/s.
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { generateCluster, type Raw } from './generate.ts';
import { normalize } from '../src/kube/read/normalize.ts';
import { stripUnreadFields } from '../src/kube/read/strip.ts';
import { KIND_NAMES } from '../src/kube/kinds.ts';
import type { AnyObj } from '../src/kube/types.ts';
import { CHECKS } from '../src/checks/registry.ts';
import { defaultCheckConfig } from '../src/checks/config.ts';
import { Pipeline } from '../src/engine/pipeline.ts';
import { warningEvent } from '../src/sim/workloads.ts';

export interface Series {
  p50us: number;
  p99us: number;
  eventsPerSecond: number;
}

export interface EventBench extends Series {
  /** As the agent runs: events arriving within its 25 ms debounce share one pass (batches of 50 = 2,000 events/s). */
  batched: Series;
  /** Status updates that change a kept field (a running container's restart count) but not health:
   *  the incremental evaluation runs and finds nothing new. */
  projected: Series;
  projectedBatched: Series;
  changing: Series & { transitions: number };
  changingBatched: Series;
  /** Warning Events arriving (each a new one about a running pod: a readiness probe failing once),
   *  evidence that changes no finding: held in the store's bounded index, the pod re-judged. */
  warnings: Series;
  warningsBatched: Series;
  /** The index after a storm of more Events than its cap: held, bytes, and the cost per event. */
  storm: Series & { sent: number; held: number; heldMiB: number };
  lagP99ms: number;
}

const BATCH = 50;

function measure(n: number, one: (i: number) => void): Series {
  for (let i = 0; i < 500; i++) one(i); // warm-up
  const times = new Float64Array(n);
  const t0 = performance.now();
  for (let i = 0; i < n; i++) {
    const s = performance.now();
    one(i);
    times[i] = (performance.now() - s) * 1000;
  }
  const total = performance.now() - t0;
  times.sort();
  return { p50us: times[Math.floor(n * 0.5)] ?? NaN, p99us: times[Math.floor(n * 0.99)] ?? NaN, eventsPerSecond: (n / total) * 1000 };
}

export async function benchEvents(pods = 20_000, events = 20_000): Promise<EventBench> {
  const items = generateCluster(pods);
  const config = defaultCheckConfig();
  let now = Date.parse('2026-11-24T10:00:00Z');
  const pipe = new Pipeline({ checks: CHECKS, clusterName: 'bench', config, inScope: () => true, holdMs: 60_000 });
  const byKind = new Map<string, AnyObj[]>();
  for (const i of items) {
    const o = normalize(i, pipe.store.sharing).obj;
    if (!o) continue;
    const l = byKind.get(o.kind);
    if (l) l.push(o);
    else byKind.set(o.kind, [o]);
  }
  for (const k of KIND_NAMES) {
    pipe.replace(k, undefined, byKind.get(k) ?? []);
    pipe.store.setSource(k, { status: 'synced', coverage: 'cluster' });
  }
  pipe.pass(now);
  const podItems = items.filter((i) => i.kind === 'Pod');
  let rv = 200_000;
  const line = (p: Raw): string => {
    (p.metadata as Raw).resourceVersion = String(rv++);
    return JSON.stringify({ type: 'MODIFIED', object: p });
  };
  // The reflector's per-line work, then the pipeline's.
  const receive = (text: string, kind: 'Pod' | 'Event' = 'Pod'): void => {
    const ev = JSON.parse(stripUnreadFields(text)) as { object: unknown };
    const o = normalize(ev.object, pipe.store.sharing, { kind }).obj;
    if (o) pipe.upsert(o);
  };
  const apply = (text: string): number => {
    receive(text);
    return pipe.pass(now).transitions.length;
  };
  /** Per-event cost when a batch of events shares one pass (µs per event, per batch). */
  const batched = (texts: readonly string[], rounds = Math.floor(events / BATCH), kind: 'Pod' | 'Event' = 'Pod'): Series => {
    const s = measure(rounds, (i) => {
      for (let k = 0; k < BATCH; k++) receive(texts[(i * BATCH + k) % texts.length] as string, kind);
      now += 25;
      pipe.pass(now);
    });
    return { p50us: s.p50us / BATCH, p99us: s.p99us / BATCH, eventsPerSecond: s.eventsPerSecond * BATCH };
  };
  // Series 1: status updates that leave health unchanged; most change nothing the projection keeps
  // (resourceVersion only).
  const quiet = Array.from({ length: 2000 }, (_, k) => line(structuredClone(podItems[(k * 7919) % podItems.length]) as Raw));
  const steady = measure(events, (i) => apply(quiet[i % quiet.length] as string));
  const steadyBatched = batched(quiet);
  // Series 1b: the same pods, each event moving a running container's restart count (2 ↔ 3): the
  // projection changes, health does not.
  const restarted = (p: Raw, n: number): Raw => {
    const c = structuredClone(p);
    for (const cs of (c.status as Raw).containerStatuses as Raw[]) cs.restartCount = n;
    return c;
  };
  const bumps = [2, 3].flatMap((n) => Array.from({ length: 2000 }, (_, k) => line(restarted(podItems[(k * 7919) % podItems.length] as Raw, n))));
  const projected = measure(events, (i) => apply(bumps[i % bumps.length] as string));
  const projectedBatched = batched(bumps);
  // Series 2: 1,000 pods, each event flips one between healthy and CrashLoopBackOff (time moves on,
  // so findings ripen and, after the hold, resolve: opened and resolved transitions flow).
  const flipPods = Array.from({ length: 1000 }, (_, k) => podItems[(k * 104_729) % podItems.length] as Raw);
  const crashed = (p: Raw): Raw => {
    const c = structuredClone(p);
    const st = c.status as Raw;
    for (const cs of st.containerStatuses as Raw[]) {
      cs.ready = false;
      cs.restartCount = 7;
      cs.state = { waiting: { reason: 'CrashLoopBackOff', message: 'back-off 5m0s restarting failed container' } };
      cs.lastState = { terminated: { reason: 'Error', exitCode: 1, startedAt: '2026-11-24T09:58:00Z', finishedAt: '2026-11-24T09:58:30Z' } };
    }
    for (const cond of st.conditions as Raw[]) if (cond.type === 'Ready' || cond.type === 'ContainersReady') Object.assign(cond, { status: 'False', lastTransitionTime: '2026-11-24T09:58:30Z' });
    return c;
  };
  const flips = flipPods.flatMap((p) => [line(crashed(p)), line(structuredClone(p))]);
  let transitions = 0;
  const changing = measure(events, (i) => {
    now += 20; // 20 ms of cluster time per event
    transitions += apply(flips[(i * 2 + Math.floor(i / flipPods.length)) % flips.length] as string);
  });
  const flipOrder = Array.from({ length: flips.length }, (_, i) => flips[(i * 2 + Math.floor(i / flipPods.length)) % flips.length] as string);
  const changingBatched = batched(flipOrder);
  // Series 3: Warning Events, as the kubelet writes them about pods whose probe fails once; new
  // objects (ADDED), about distinct pods, so each is held.
  const warning = (k: number, salt: string): string => {
    const p = podItems[(k * 7919) % podItems.length] as Raw;
    const e = warningEvent(p, 'Unhealthy', `Readiness probe failed: HTTP probe failed with statuscode: 503 (${salt})`, { container: 'mcp-gateway', name: `${String((p.metadata as Raw).name)}.${salt}${k.toString(16)}`, last: 0 });
    (e.metadata as Raw).resourceVersion = String(rv++);
    return JSON.stringify({ type: 'ADDED', object: e });
  };
  const texts = Array.from({ length: events }, (_, k) => warning(k, 'a'));
  const warnings = measure(events - 500, (i) => {
    receive(texts[i] as string, 'Event');
    pipe.pass(now);
  });
  const more = Array.from({ length: events }, (_, k) => warning(k, 'b'));
  const warningsBatched = batched(more, Math.floor(events / BATCH) - 500 / BATCH, 'Event');
  // A storm: 3x the index's cap of distinct Events about distinct pods, batched as the agent does.
  const stormTexts = Array.from({ length: 30_000 }, (_, k) => warning(k, 'c'));
  const st = batched(stormTexts, Math.floor(stormTexts.length / BATCH) - 10, 'Event');
  const storm = { ...st, sent: stormTexts.length, held: pipe.store.events.size, heldMiB: pipe.store.events.heldBytes / 1048576 };
  // Event-loop lag while 2,000 events per second arrive (as timers would deliver them).
  const h = monitorEventLoopDelay({ resolution: 5 });
  h.enable();
  let sent = 0;
  await new Promise<void>((resolve) => {
    const iv = setInterval(() => {
      for (let k = 0; k < 10; k++) apply(quiet[sent++ % quiet.length] as string);
      if (sent >= 6000) {
        clearInterval(iv);
        resolve();
      }
    }, 5);
  });
  h.disable();
  return { ...steady, batched: steadyBatched, projected, projectedBatched, changing: { ...changing, transitions }, changingBatched, warnings, warningsBatched, storm, lagP99ms: h.percentile(99) / 1e6 };
}

if (process.argv[1]?.endsWith('events.ts')) console.log(await benchEvents());
