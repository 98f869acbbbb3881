// Living with incidents: what happens to the tracker's transitions before the sinks see them. Each
// open incident's silence (config, maintenance window or annotation) and flapping state, its
// timeline, and the history of resolved incidents (bounded by age and count). A silenced incident
// is tracked and counted but does not notify; when its silence ends, what is still open is announced.
// Pure: time comes in.

import type { Incident, SilenceRef, TimelineEntry } from './incidents.ts';
import { rfc3339 } from './incidents.ts';
import type { Transition } from './tracker.ts';
import { sameSilence } from './silences.ts';

export interface FlappingOptions {
  /** Reopened this many times within the window: flapping. */
  reopens: number;
  windowMs: number;
  /** The hold before resolving while it flaps. */
  holdMs: number;
}

export interface LedgerOptions {
  historyRetentionMs: number;
  historyMax: number;
  flapping: FlappingOptions;
  /** Steps kept per incident's timeline (the first, and the latest). */
  timelineMax?: number;
}

export const DEFAULT_LEDGER_OPTIONS: LedgerOptions = {
  historyRetentionMs: 24 * 3_600_000,
  historyMax: 10_000,
  flapping: { reopens: 3, windowMs: 3_600_000, holdMs: 15 * 60_000 },
};

export interface SilenceSource {
  silenceOf(inc: Incident, now: number): SilenceRef | undefined;
}

interface OpenState {
  /** The tracker's incident (its severity and root cause move in place). */
  base: Incident;
  openedAt: number;
  timeline: TimelineEntry[];
  silence?: SilenceRef;
  /** Whether the notifying sinks were told it is open. */
  notified: boolean;
  shown?: { key: string; base: Incident; incident: Incident };
}

export class IncidentLedger {
  private readonly opts: LedgerOptions;
  private readonly silences: SilenceSource | undefined;
  private readonly open = new Map<string, OpenState>();
  /** Recent opening times per incident id (flapping), pruned to the window. */
  private readonly opens = new Map<string, number[]>();
  /** Resolved incidents, oldest first. */
  private readonly history: Incident[] = [];
  private lastNow = 0;
  /** Moves when the history or a shown decoration changes (/incidents?state=…). */
  version = 0;

  constructor(opts: LedgerOptions, silences?: SilenceSource) {
    this.opts = opts;
    this.silences = silences;
  }

  /** The tracker's transitions as the sinks get them: silence, flapping and (resolved) history. */
  record(ts: readonly Transition[], now: number): Transition[] {
    this.lastNow = Math.max(this.lastNow, now);
    const out: Transition[] = [];
    for (const t of ts) {
      const id = t.incident.id;
      if (t.type === 'resolved') {
        const st = this.open.get(id);
        this.open.delete(id);
        const done = this.resolve(st, t);
        out.push({ ...t, incident: done, notify: st ? st.notified : true });
        continue;
      }
      let st = this.open.get(id);
      if (!st) {
        st = { base: t.incident, openedAt: t.at, timeline: [], notified: false };
        this.open.set(id, st);
        if (t.type === 'opened' && !t.announce) this.noteOpen(id, t.at);
        this.step(st, t.at, 'opened');
      } else if (t.type === 'updated') this.step(st, t.at, 'updated', t.changed);
      st.base = t.incident;
      st.silence = this.silences?.silenceOf(t.incident, now);
      const notify = st.silence === undefined;
      if (notify) st.notified = true;
      out.push({ ...t, incident: this.show(st), notify });
    }
    if (out.length > 0) this.version++;
    return out;
  }

  /** Silences that began or ended since the last look: an update for each incident a silence now
   *  covers (recorded, not notified), and an announcement of each one no longer covered (opened for
   *  the notifying sinks that never heard of it, else updated). Also prunes history and flapping. */
  review(now: number): Transition[] {
    this.lastNow = Math.max(this.lastNow, now);
    this.prune(now);
    if (!this.silences) return [];
    const out: Transition[] = [];
    for (const st of this.open.values()) {
      const s = this.silences.silenceOf(st.base, now);
      if (sameSilence(s, st.silence)) continue;
      st.silence = s;
      if (s) {
        this.step(st, now, 'silenced');
        out.push({ type: 'updated', incident: this.show(st), at: now, changed: ['silence'], notify: false });
      } else {
        this.step(st, now, 'unsilenced');
        const first = !st.notified;
        st.notified = true;
        out.push(first ? { type: 'opened', incident: this.show(st), at: now, announce: true } : { type: 'updated', incident: this.show(st), at: now, changed: ['silence'] });
      }
    }
    if (out.length > 0) this.version++;
    return out;
  }

  /** How long a flapping incident is held before it resolves (undefined: the usual hold). */
  holdOf(id: string): number | undefined {
    return this.isFlapping(id, this.lastNow) ? this.opts.flapping.holdMs : undefined;
  }

  /** The open incident as the front ends show it (silence and flapping on a copy). */
  shown(inc: Incident): Incident {
    const st = this.open.get(inc.id);
    if (!st) return inc;
    st.base = inc;
    return this.show(st);
  }

  /** Re-announcements of what is open (start, leadership, a sink that lost records): decorated, and
   *  quiet for the notifying sinks where silenced. */
  announcements(ts: readonly Transition[]): Transition[] {
    return ts.map((t) => {
      const st = this.open.get(t.incident.id);
      return { ...t, announce: true, incident: st ? this.show(st) : t.incident, notify: st?.silence === undefined };
    });
  }

  /** Resolved incidents within the retention, newest first. */
  resolved(now: number): Incident[] {
    this.prune(now);
    return this.history.slice().reverse();
  }

  sizes(): { open: number; resolved: number; tracked: number } {
    return { open: this.open.size, resolved: this.history.length, tracked: this.opens.size };
  }

  private isFlapping(id: string, now: number): boolean {
    const f = this.opts.flapping;
    const times = this.opens.get(id);
    if (!times) return false;
    let n = 0;
    for (const t of times) if (now - t < f.windowMs) n++;
    // The first opening is not a reopening.
    return n - 1 >= f.reopens;
  }

  private noteOpen(id: string, at: number): void {
    const w = this.opts.flapping.windowMs;
    const times = (this.opens.get(id) ?? []).filter((t) => at - t < w);
    times.push(at);
    // Bounded: the last reopens+1 are all that decide.
    if (times.length > this.opts.flapping.reopens + 1) times.splice(0, times.length - this.opts.flapping.reopens - 1);
    this.opens.delete(id);
    this.opens.set(id, times);
    if (this.opens.size > 4 * this.opts.historyMax + 1000) this.opens.delete(this.opens.keys().next().value as string);
  }

  private show(st: OpenState): Incident {
    const b = st.base;
    const flapping = this.isFlapping(b.id, this.lastNow);
    if (!st.silence && !flapping) return b;
    const key = `${b.severity}|${b.rootCauseId ?? ''}|${b.since ?? ''}|${flapping}|${JSON.stringify(st.silence ?? null)}`;
    if (st.shown && st.shown.base === b && st.shown.key === key) return st.shown.incident;
    const inc: Incident = { ...b };
    if (st.silence) inc.silence = st.silence;
    if (flapping) inc.flapping = true;
    st.shown = { key, base: b, incident: inc };
    return inc;
  }

  private step(st: OpenState, at: number, type: TimelineEntry['type'], changed?: readonly string[]): void {
    const e: TimelineEntry = { at: rfc3339(at), type, severity: st.base.severity };
    if (changed && changed.length > 0) e.changed = [...changed];
    if (st.base.rootCauseId) e.rootCauseId = st.base.rootCauseId;
    st.timeline.push(e);
    // The first step and the latest ones.
    const max = this.opts.timelineMax ?? 32;
    if (st.timeline.length > max) st.timeline.splice(1, st.timeline.length - max);
  }

  private resolve(st: OpenState | undefined, t: Transition): Incident {
    const base = st ? { ...this.show({ ...st, base: t.incident }) } : { ...t.incident };
    const timeline = st ? st.timeline : [];
    const done: Incident = { ...base, resolvedAt: rfc3339(t.at), timeline: [...timeline, { at: rfc3339(t.at), type: 'resolved', severity: t.incident.severity }] };
    if (t.durationS !== undefined) done.durationSeconds = t.durationS;
    this.history.push(done);
    const excess = this.history.length - this.opts.historyMax;
    if (excess > 0) this.history.splice(0, excess);
    return done;
  }

  private prune(now: number): void {
    const cutoff = now - this.opts.historyRetentionMs;
    let drop = 0;
    while (drop < this.history.length && Date.parse((this.history[drop] as Incident).resolvedAt as string) < cutoff) drop++;
    if (drop > 0) {
      this.history.splice(0, drop);
      this.version++;
    }
    const w = this.opts.flapping.windowMs;
    for (const [id, times] of this.opens) if (!this.open.has(id) && times.every((t) => now - t >= w)) this.opens.delete(id);
  }
}
