// Exponential backoff with jitter, the one mechanism behind every retry loop of the agent (the
// reflectors' reconnects and their retries of unreadable kinds, the sinks' delivery retries).

export class Backoff {
  private attempt = 0;
  private readonly initialMs: number;
  private readonly maxMs: number;
  private readonly random: () => number;

  constructor(initialMs: number, maxMs: number, random: () => number = Math.random) {
    this.initialMs = initialMs;
    this.maxMs = maxMs;
    this.random = random;
  }

  /** The next wait: initial·2^attempt capped at max, with jitter in [base/2, base) so that many
   *  agents (or kinds, or sinks) never retry in lockstep. */
  next(): number {
    const base = Math.min(this.maxMs, this.initialMs * 2 ** this.attempt);
    this.attempt = Math.min(this.attempt + 1, 30);
    return base / 2 + (this.random() * base) / 2;
  }

  reset(): void {
    this.attempt = 0;
  }
}
