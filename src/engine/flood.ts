// Flood control for per-incident records: 20,000 pods failing at once (a bad node, a registry outage)
// must not melt the agent or its backends. A token bucket admits records; roots of causal chains go
// first (a reserve is kept for them), what is suppressed is counted by reason and summarized, and once
// the flood has passed the open incidents are announced again so nothing stays unknown downstream.

import { TokenBucket } from '../util/token-bucket.ts';
import type { Transition } from './tracker.ts';

export interface FloodSummary {
  total: number;
  byReason: Record<string, number>;
}

export class FloodGate {
  private readonly bucket: TokenBucket;
  private suppressed = 0;
  private byReason: Record<string, number> = {};
  /** Something was suppressed since the last full re-announcement. */
  owed = false;
  readonly ratePerSecond: number;
  readonly burst: number;

  constructor(opts: { ratePerSecond: number; burst: number; now?: () => number }) {
    this.ratePerSecond = opts.ratePerSecond;
    this.burst = opts.burst;
    this.bucket = new TokenBucket(opts.ratePerSecond, opts.burst, opts.now ?? Date.now);
  }

  /** Whether this record may go out now. Dependents (with a root cause) may not use the last fifth
   *  of the bucket, which stays for roots and resolutions. */
  admit(t: Transition): boolean {
    const reserve = t.type === 'resolved' || t.incident.rootCauseId === undefined ? 1 : 1 + this.burst / 5;
    if (this.bucket.take(reserve)) return true;
    this.suppressed++;
    this.owed = true;
    this.byReason[t.incident.reason] = (this.byReason[t.incident.reason] ?? 0) + 1;
    return false;
  }

  /** What was suppressed since the last call (undefined when nothing was). */
  takeSummary(): FloodSummary | undefined {
    if (this.suppressed === 0) return undefined;
    const s = { total: this.suppressed, byReason: this.byReason };
    this.suppressed = 0;
    this.byReason = {};
    return s;
  }

  /** The bucket is full again: the flood has passed. */
  calm(): boolean {
    return this.bucket.full();
  }
}

export function summaryText(s: FloodSummary, seconds: number): string {
  const parts = Object.entries(s.byReason)
    .sort(([, a], [, b]) => b - a)
    .map(([r, n]) => `${r} ${n}`)
    .join(', ');
  return `${s.total} incident records suppressed in the last ${seconds}s by flood control (${parts}); the incident gauges are exact, and the open incidents will be announced again when the flood passes`;
}
