// The agent is a long-running listener on a shared node: it should be small rather than fast.
// Parsing LIST pages allocates far more than it keeps (a pod's JSON becomes a large parsed object and
// a ~1 KB projection), and left alone V8 grows the heap to several times the live size. Its
// optimize-for-size mode keeps the heap close to what is live. Measured at 20,000 pods: peak RSS
// ~390 → ~230 MiB, start → ready a second or two slower (BENCHMARKS.md).
// SENTINEL_AGENT_V8_MODE=speed keeps V8's defaults.

import v8 from 'node:v8';

export type MemoryMode = 'size' | 'speed';

export function memoryMode(env: Readonly<Record<string, string | undefined>>): MemoryMode {
  return env.SENTINEL_AGENT_V8_MODE === 'speed' ? 'speed' : 'size';
}

export function applyMemoryMode(mode: MemoryMode): void {
  if (mode === 'size') v8.setFlagsFromString('--optimize-for-size');
}
