// The agent is a long-running listener on a shared node: it should be small rather than fast.
// Parsing LIST pages allocates far more than it keeps (a pod's JSON becomes a large parsed object and
// a ~0.6 KB projection), and left alone V8 grows the heap to several times the live size. So:
// - V8's optimize-for-size mode from the start (measured, 50,000 pods + 50,000 other objects: peak
//   RSS ~430 → ~230 MiB; start → ready ~6 → ~12 s, still under the informer baseline's ~12 s).
//   Switching it on only after the sync was tried: ready in ~6 s, but the RSS the sync reached was
//   never given back (steady ~280 MiB) — BENCHMARKS.md has the numbers.
// - During the sync, a full collection whenever the heap holds more than twice what was live after
//   the last one, plus 64 MiB; once ready, one more to hand back the sync's garbage.
// SENTINEL_AGENT_V8_MODE=speed keeps V8's defaults throughout.

import v8 from 'node:v8';
import vm from 'node:vm';

export type MemoryMode = 'size' | 'speed';

export function memoryMode(env: Readonly<Record<string, string | undefined>>): MemoryMode {
  return env.SENTINEL_AGENT_V8_MODE === 'speed' ? 'speed' : 'size';
}

export function applyMemoryMode(mode: MemoryMode): void {
  if (mode === 'size') v8.setFlagsFromString('--optimize-for-size');
}

/** Bounds the heap while syncing (see above); returns a stop. */
export function boundSyncHeap(mode: MemoryMode, intervalMs = 200): () => void {
  if (mode !== 'size') return () => {};
  let live = v8.getHeapStatistics().used_heap_size;
  const t = setInterval(() => {
    const used = v8.getHeapStatistics().used_heap_size;
    if (used < live * 2 + 64 * 1048576) return;
    fullGc();
    live = v8.getHeapStatistics().used_heap_size;
  }, intervalMs);
  t.unref();
  return () => clearInterval(t);
}

/** Called once the initial sync is done: one full collection. */
export function settleMemory(mode: MemoryMode): void {
  if (mode === 'size') fullGc();
}

/** A full collection (the sync's parsed pages are garbage by now). */
export function fullGc(): void {
  const g = (globalThis as { gc?: () => void }).gc;
  if (g) return g();
  v8.setFlagsFromString('--expose-gc');
  (vm.runInNewContext('gc') as () => void)();
}
