// One re-announcement policy for every sink that can lose records (the OTLP logs, the Sentinel
// ingest). A lost resolution is kept, by incident id and bounded; when the sink delivers again it
// sends the kept resolutions of incidents not open again, then an 'opened' record for every
// incident still open. Ids make both idempotent downstream. Without the resolutions, an incident
// whose resolution was lost would stay open downstream for good.

import type { Transition } from '../engine/tracker.ts';

/** Lost resolutions kept at most (the oldest go first). */
export const MAX_LOST_RESOLUTIONS = 10_000;

export class Reannouncement<R> {
  private readonly lost = new Map<string, R>();
  private readonly openNow: () => Transition[];
  private readonly max: number;

  /** `openNow`: an 'opened' transition for every incident open now. */
  constructor(openNow: () => Transition[], max = MAX_LOST_RESOLUTIONS) {
    this.openNow = openNow;
    this.max = max;
  }

  /** The resolution of incident `id` did not reach the sink: `record` is what to send again. */
  lose(id: string, record: R): void {
    this.lost.delete(id);
    if (this.lost.size >= this.max) this.lost.delete(this.lost.keys().next().value as string);
    this.lost.set(id, record);
  }

  /** What to send now that the sink delivers again: the lost resolutions of incidents that are not
   *  open again, and every open incident. Forgets the lost resolutions. */
  recover(): { resolutions: R[]; open: Transition[] } {
    const open = this.openNow();
    const ids = new Set(open.map((t) => t.incident.id));
    const resolutions: R[] = [];
    for (const [id, r] of this.lost) if (!ids.has(id)) resolutions.push(r);
    this.lost.clear();
    return { resolutions, open };
  }
}
