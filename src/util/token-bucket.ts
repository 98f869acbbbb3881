// A token bucket: `ratePerSecond` sustained, `burst` at once, refilled from an injected clock. The
// one rate limiter behind flood control (per-incident records) and the delivery queues (requests to
// an endpoint). An infinite rate never runs dry.

export class TokenBucket {
  readonly ratePerSecond: number;
  readonly burst: number;
  private tokens: number;
  private last: number;
  private readonly now: () => number;

  constructor(ratePerSecond: number, burst: number, now: () => number = Date.now) {
    this.ratePerSecond = ratePerSecond;
    this.burst = burst;
    this.now = now;
    this.tokens = burst;
    this.last = now();
  }

  /** The tokens there are now. */
  available(): number {
    const t = this.now();
    this.tokens = Number.isFinite(this.ratePerSecond) ? Math.min(this.burst, this.tokens + ((t - this.last) / 1000) * this.ratePerSecond) : this.burst;
    this.last = t;
    return this.tokens;
  }

  /** Takes one token if at least `reserve` are there (a reserve above 1 keeps the rest for others). */
  take(reserve = 1): boolean {
    if (this.available() < reserve) return false;
    this.tokens -= 1;
    return true;
  }

  /** Spends one token whether or not it is there (a request already made). */
  spend(): void {
    this.available();
    this.tokens -= 1;
  }

  /** How long until one token is there (0 when one is). */
  msUntilOne(): number {
    const have = this.available();
    return have >= 1 ? 0 : Math.ceil(((1 - have) / this.ratePerSecond) * 1000);
  }

  /** The bucket is full. */
  full(): boolean {
    return this.available() >= this.burst;
  }
}
