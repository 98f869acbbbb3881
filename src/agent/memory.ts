// The agent is a long-running listener on a shared node: it should be small rather than fast once it
// runs, and fast while it syncs. Parsing LIST pages allocates far more than it keeps (a pod's JSON
// becomes a large parsed object and a ~0.6 KB projection). V8's optimize-for-size mode keeps the heap
// close to what is live, but during the initial sync it makes the collector run so often that start →
// ready doubles (50,000 pods: ~5.5 s → ~12 s). So: V8's defaults while listing, then, once ready,
// optimize-for-size and one full collection to hand the sync's garbage back (measured in
// BENCHMARKS.md). SENTINEL_AGENT_V8_MODE=speed keeps V8's defaults throughout.

import v8 from 'node:v8';
import vm from 'node:vm';

export type MemoryMode = 'size' | 'speed';

export function memoryMode(env: Readonly<Record<string, string | undefined>>): MemoryMode {
  return env.SENTINEL_AGENT_V8_MODE === 'speed' ? 'speed' : 'size';
}

/** Called once the initial sync is done: switches to the memory-saving mode and collects. */
export function settleMemory(mode: MemoryMode): void {
  if (mode !== 'size') return;
  v8.setFlagsFromString('--optimize-for-size');
  fullGc();
}

/** A full, compacting collection (the sync's parsed pages are garbage by now). */
export function fullGc(): void {
  const g = (globalThis as { gc?: () => void }).gc;
  if (g) return g();
  v8.setFlagsFromString('--expose-gc');
  (vm.runInNewContext('gc') as () => void)();
}
