// A bounded, rate-limited delivery queue shared by the sinks that write to an HTTP endpoint: items are
// delivered in order by one worker; transient failures retry with exponential backoff and jitter
// (the item stays at the head); permanent failures are dropped and counted; when the queue is full
// the oldest item is dropped and counted. Never blocks the agent: `push` returns at once.

import { Backoff } from '../util/backoff.ts';
import { TokenBucket } from '../util/token-bucket.ts';

export type Delivery = 'ok' | 'retry' | 'drop';

export interface QueueStats {
  delivered: number;
  dropped: number;
  retries: number;
  failed: number;
  queued: number;
}

export interface QueueOptions<T> {
  deliver(item: T): Promise<{ result: Delivery; retryAfterMs?: number; detail?: string }>;
  maxQueue: number;
  /** Sustained deliveries per second and burst (token bucket); Infinity: unlimited. */
  ratePerSecond: number;
  burst: number;
  backoffInitialMs: number;
  backoffMaxMs: number;
  random?: () => number;
  now?: () => number;
  onDrop?(reason: 'full' | 'rejected', detail: string | undefined, item: T): void;
  /** Called after a successful delivery that follows failures or drops. */
  onRecovered?(): void;
}

export class DeliveryQueue<T> {
  readonly stats: QueueStats = { delivered: 0, dropped: 0, retries: 0, failed: 0, queued: 0 };
  private items: T[] = [];
  /** How far a replacing snapshot may exceed maxQueue until its items are delivered (see replace). */
  private allowance = 0;
  private readonly opts: QueueOptions<T>;
  private readonly bucket: TokenBucket;
  private running = false;
  private readonly backoff: Backoff;
  private degraded = false;
  private timer?: NodeJS.Timeout;
  private idle: (() => void)[] = [];
  private closed = false;

  constructor(opts: QueueOptions<T>) {
    this.opts = opts;
    this.bucket = new TokenBucket(opts.ratePerSecond, opts.burst, opts.now ?? Date.now);
    this.backoff = new Backoff(opts.backoffInitialMs, opts.backoffMaxMs, () => (this.opts.random ?? Math.random)());
  }

  push(item: T): void {
    if (this.closed) return;
    if (this.items.length >= this.opts.maxQueue + this.allowance) {
      const oldest = this.items.shift() as T;
      if (this.allowance > 0) this.allowance--;
      this.stats.dropped++;
      this.degraded = true;
      this.opts.onDrop?.('full', undefined, oldest);
    }
    this.items.push(item);
    this.stats.queued = this.items.length;
    this.kick(0);
  }

  /** What waits, oldest first. */
  pending(): readonly T[] {
    return this.items;
  }

  /**
   * Replaces what waits with `items`: a snapshot of the state that supersedes it (the sink's
   * re-announcement on recovery). The snapshot may be larger than maxQueue, since it is bounded by
   * what it describes, not by traffic: it is kept whole until delivered. Were it cut to maxQueue, its
   * own drops would mark the queue degraded, the next delivery would re-announce again, and a
   * snapshot larger than the queue would loop for good without ever arriving whole.
   */
  replace(items: readonly T[]): void {
    this.items = [...items];
    this.allowance = Math.max(0, this.items.length - this.opts.maxQueue);
    this.stats.queued = this.items.length;
    this.kick(0);
  }

  /** Resolves when the queue is empty (or after timeoutMs). */
  async drain(timeoutMs: number): Promise<void> {
    if (this.items.length === 0 && !this.running) return;
    await Promise.race([new Promise<void>((r) => this.idle.push(r)), new Promise((r) => setTimeout(r, timeoutMs).unref())]);
  }

  close(): void {
    this.closed = true;
    clearTimeout(this.timer);
    for (const r of this.idle.splice(0)) r();
  }

  private kick(delay: number): void {
    if (this.running || this.closed) return;
    clearTimeout(this.timer);
    this.timer = setTimeout(() => void this.run(), delay);
    this.timer.unref?.();
  }

  private async run(): Promise<void> {
    this.running = true;
    try {
      while (this.items.length > 0 && !this.closed) {
        const wait = this.bucket.msUntilOne();
        if (wait > 0) {
          this.running = false;
          this.kick(wait);
          return;
        }
        const item = this.items[0] as T;
        let r: { result: Delivery; retryAfterMs?: number; detail?: string };
        try {
          r = await this.opts.deliver(item);
        } catch (err) {
          r = { result: 'retry', detail: err instanceof Error ? err.message : String(err) };
        }
        this.bucket.spend();
        if (r.result === 'retry') {
          this.stats.retries++;
          this.stats.failed++;
          this.degraded = true;
          const wait = Math.max(r.retryAfterMs ?? 0, this.backoff.next());
          this.running = false;
          this.kick(wait);
          return;
        }
        this.items.shift();
        if (this.allowance > 0) this.allowance--;
        this.stats.queued = this.items.length;
        this.backoff.reset();
        if (r.result === 'drop') {
          this.stats.dropped++;
          this.stats.failed++;
          this.degraded = true;
          this.opts.onDrop?.('rejected', r.detail, item);
          continue;
        }
        this.stats.delivered++;
        if (this.degraded) {
          this.degraded = false;
          this.opts.onRecovered?.();
        }
      }
    } finally {
      this.running = false;
    }
    if (this.items.length === 0) for (const r of this.idle.splice(0)) r();
  }
}
