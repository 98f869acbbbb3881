// The incident lifecycle of watch (product.md §3): a finding opens an incident once it has held for
// its grace (judged from the object's own timestamps, else from first sight), updates it when the
// severity or the root cause changes (message-only changes update silently), and resolves it after a
// hold period without the finding — at once when the object is gone. Pure: time comes in.

import type { Candidate, Incident } from './incidents.ts';
import { DeadlineHeap } from './deadline-heap.ts';
import { assignRootCauses, compareIncidents, isCrossRoot, isExplainedAcross, isRipe, rfc3339 } from './incidents.ts';

export type TransitionType = 'opened' | 'updated' | 'resolved';

export interface Transition {
  type: TransitionType;
  incident: Incident;
  at: number;
  /** Seconds the incident was open (resolved only). */
  durationS?: number;
  /** Why an update happened (a silence that began or ended: 'silence'). */
  changed?: ('severity' | 'rootCause' | 'silence')[];
  /** False when the notifying sinks (Kubernetes Events, Sentinel's ingest) keep quiet about it: a
   *  silenced incident. Absent: notify. */
  notify?: boolean;
  /** A re-announcement of what is open (start, leadership, a silence's end), not a new opening:
   *  not counted again. */
  announce?: boolean;
}

interface Entry {
  candidate: Candidate;
  firstSeen: number;
  state: 'pending' | 'open';
  openedAt?: number;
  /** Set while the finding is absent: when it went missing, and how long it is held from then. */
  missingSince?: number;
  holdMs?: number;
}

export interface TrackerOptions {
  holdMs: number;
  /** A longer hold for an incident (a flapping one), fixed when its finding goes missing. */
  holdOf?: (id: string) => number | undefined;
  /** Per reason: a warning open this long (from when the problem started) becomes critical. */
  escalateAfterMs?: (reason: string) => number | undefined;
}

export class IncidentTracker {
  private readonly entries = new Map<string, Entry>();
  /** What was last announced per incident, to tell an update from a message-only change. */
  private readonly lastAnnounced = new Map<string, { sev: string; root: string | undefined }>();
  private readonly opts: TrackerOptions;
  // The edges root causes follow, over open entries: by the key of their object, and by each key of
  // their scope (an entry can explain entries whose key is in its scope), and across objects from a
  // registry or operator outage to what it explains. A change reaches only its connected component
  // (updateDelta).
  private readonly byKey = new Map<string, Set<Entry>>();
  private readonly byScope = new Map<string, Set<Entry>>();
  private readonly crossRoots = new Set<Entry>();
  private readonly explainedAcross = new Set<Entry>();
  /** Hold and grace ends, earliest first. Lazy: an item whose entry has since gone, opened or
   *  changed its deadline is dropped when it reaches the top. */
  private readonly deadlines = new DeadlineHeap<Entry>();

  constructor(opts: TrackerOptions) {
    this.opts = opts;
  }

  /**
   * Feeds the current candidates (every finding now, as candidates). `exists` says whether an
   * incident's object is still in the cluster (a deleted object resolves at once).
   */
  update(current: readonly Candidate[], now: number, exists: (i: Incident) => boolean): Transition[] {
    const seen = new Set<string>();
    for (const c of current) {
      const id = c.incident.id;
      seen.add(id);
      const e = this.entries.get(id);
      if (!e) this.entries.set(id, { candidate: c, firstSeen: now, state: 'pending' });
      else {
        e.candidate = c;
        e.missingSince = undefined;
      }
    }
    const out: Transition[] = [];
    // Absent findings: hold, then resolve (at once when the object is gone).
    for (const [id, e] of this.entries) {
      if (seen.has(id)) continue;
      if (e.state === 'pending') {
        this.entries.delete(id);
        continue;
      }
      this.goMissing(e, now);
      if (now - (e.missingSince as number) >= (e.holdMs as number) || !exists(e.candidate.incident)) {
        this.entries.delete(id);
        out.push(resolved(e, now));
      }
    }
    // Ripe pending findings open.
    const opening: Entry[] = [];
    for (const e of this.entries.values()) {
      if (e.state === 'pending' && isRipe(e.candidate, now, e.firstSeen)) {
        e.state = 'open';
        e.openedAt = now;
        opening.push(e);
      }
    }
    // Root causes among everything open (a resolving incident still explains until it resolves).
    const open: Candidate[] = [];
    for (const e of this.entries.values()) if (e.state === 'open') open.push(e.candidate);
    assignRootCauses(open);
    for (const e of opening) out.push({ type: 'opened', incident: e.candidate.incident, at: now });
    this.announceChanges(this.entries.values(), new Set(opening), now, out);
    this.byKey.clear();
    this.byScope.clear();
    this.crossRoots.clear();
    this.explainedAcross.clear();
    for (const e of this.entries.values()) if (e.state === 'open') this.index(e);
    this.rescheduleAll();
    return this.finish(out);
  }

  /**
   * Feeds what changed since the last feed: the candidates of findings that appeared (or replaced
   * one with the same identity) and of findings that went away. Same result as `update` with every
   * current candidate, at a cost that follows the change, not the number of open incidents: only the
   * connected component of the root-cause graph around the change (and around holds and graces
   * ending now) is re-judged. Returns undefined, having changed nothing, when two findings have one
   * identity (which one wins is decided over all): the caller then feeds everything through `update`.
   */
  updateDelta(added: readonly Candidate[], removed: readonly Candidate[], now: number, exists: (i: Incident) => boolean): Transition[] | undefined {
    const leaving = new Set(removed);
    const addedIds = new Set<string>();
    for (const c of added) {
      const id = c.incident.id;
      if (addedIds.has(id)) return undefined;
      addedIds.add(id);
      const e = this.entries.get(id);
      // Another finding with this identity is still there: which one wins is decided over all.
      if (e && e.missingSince === undefined && !leaving.has(e.candidate)) return undefined;
    }
    const out: Transition[] = [];
    const seeds: Entry[] = [];
    const touched: Entry[] = [];
    for (const c of added) {
      const id = c.incident.id;
      let e = this.entries.get(id);
      if (!e) this.entries.set(id, (e = { candidate: c, firstSeen: now, state: 'pending' }));
      else {
        const open = e.state === 'open';
        if (open) {
          this.neighbors(e.candidate, seeds);
          this.unindex(e);
        }
        e.candidate = c;
        e.missingSince = undefined;
        if (open) {
          this.index(e);
          seeds.push(e);
        }
      }
      touched.push(e);
    }
    for (const r of removed) {
      const id = r.incident.id;
      if (addedIds.has(id)) continue;
      const e = this.entries.get(id);
      if (!e || e.candidate !== r) continue;
      if (e.state === 'pending') {
        this.entries.delete(id);
        continue;
      }
      this.goMissing(e, now);
      if (now - (e.missingSince as number) >= (e.holdMs as number) || !exists(e.candidate.incident)) this.resolveHeld(e, now, seeds, out);
      else this.schedule(e);
    }
    // Holds and graces that end now: held incidents resolve, pending findings become ripe.
    for (let top = this.deadlines.peek(); top && top.t <= now; top = this.deadlines.peek()) {
      this.deadlines.pop();
      const e = top.item;
      if (!this.scheduledAt(e, top.t)) continue;
      if (e.state === 'open' && e.missingSince !== undefined) this.resolveHeld(e, now, seeds, out);
      else if (e.state === 'open') seeds.push(e); // an escalation is due: re-judged below
      else touched.push(e);
    }
    const opening: Entry[] = [];
    for (const e of touched) {
      if (e.state === 'pending' && this.entries.get(e.candidate.incident.id) === e && isRipe(e.candidate, now, e.firstSeen)) {
        e.state = 'open';
        e.openedAt = now;
        this.index(e);
        seeds.push(e);
        opening.push(e);
      } else this.schedule(e);
    }
    // The open entries connected to what changed: their root causes are recomputed; nothing else's
    // can have moved.
    const component = new Set<Entry>();
    while (seeds.length > 0) {
      const e = seeds.pop() as Entry;
      if (component.has(e) || e.state !== 'open' || this.entries.get(e.candidate.incident.id) !== e) continue;
      component.add(e);
      this.neighbors(e.candidate, seeds);
    }
    const open: Candidate[] = [];
    for (const e of component) open.push(e.candidate);
    assignRootCauses(open);
    for (const e of opening) out.push({ type: 'opened', incident: e.candidate.incident, at: now });
    this.announceChanges(component, new Set(opening), now, out);
    // Escalations still to come, of what opened or changed.
    if (this.opts.escalateAfterMs) for (const e of component) if (e.missingSince === undefined) this.schedule(e);
    return this.finish(out);
  }

  /** Open entries: `since` filled in, and an 'updated' transition for each whose severity or root
   *  cause differs from what was last announced (those just opened are announced as opened). */
  private announceChanges(entries: Iterable<Entry>, opened: ReadonlySet<Entry>, now: number, out: Transition[]): void {
    for (const e of entries) {
      if (e.state !== 'open') continue;
      const inc = e.candidate.incident;
      if (!inc.since) inc.since = rfc3339(e.candidate.sinceMs ?? e.firstSeen);
      this.escalate(e, now);
      if (opened.has(e)) continue;
      const last = this.lastAnnounced.get(inc.id);
      if (!last || (last.sev === inc.severity && last.root === inc.rootCauseId)) continue;
      const changed: ('severity' | 'rootCause')[] = [];
      if (last.sev !== inc.severity) changed.push('severity');
      if (last.root !== inc.rootCauseId) changed.push('rootCause');
      out.push({ type: 'updated', incident: inc, at: now, changed });
    }
  }

  /** The finding is absent from now: its hold starts (a flapping incident's is longer). */
  private goMissing(e: Entry, now: number): void {
    if (e.missingSince !== undefined) return;
    e.missingSince = now;
    e.holdMs = Math.max(this.opts.holdMs, this.opts.holdOf?.(e.candidate.incident.id) ?? 0);
  }

  /** When a warning of this entry's reason becomes critical, if it does. */
  private escalationAt(e: Entry): number | undefined {
    const inc = e.candidate.incident;
    if (inc.severity !== 'warning') return undefined;
    const after = this.opts.escalateAfterMs?.(inc.reason);
    return after === undefined ? undefined : (e.candidate.sinceMs ?? e.firstSeen) + after;
  }

  /** A warning open past its reason's escalateAfter becomes critical, in place (as root causes are
   *  set): a new candidate for the finding starts as the check says and is escalated again here. */
  private escalate(e: Entry, now: number): void {
    const at = this.escalationAt(e);
    if (at === undefined || now < at) return;
    const inc = e.candidate.incident;
    inc.severity = 'critical';
    inc.attributes = { ...inc.attributes, escalated_from: 'warning' };
  }

  private finish(out: Transition[]): Transition[] {
    for (const t of out) {
      if (t.type === 'resolved') this.lastAnnounced.delete(t.incident.id);
      else this.lastAnnounced.set(t.incident.id, { sev: t.incident.severity, root: t.incident.rootCauseId });
    }
    // Causes before what they explain, so a reader meets the root first.
    return out.sort((a, b) => order(a.type) - order(b.type) || Number(a.incident.rootCauseId !== undefined) - Number(b.incident.rootCauseId !== undefined) || compareIncidents(a.incident, b.incident));
  }

  private index(e: Entry): void {
    const c = e.candidate;
    add(this.byKey, c.key, e);
    for (const k of c.scope) add(this.byScope, k, e);
    if (isCrossRoot(c.incident.reason)) this.crossRoots.add(e);
    if (isExplainedAcross(c.incident.reason)) this.explainedAcross.add(e);
  }

  private unindex(e: Entry): void {
    const c = e.candidate;
    drop(this.byKey, c.key, e);
    for (const k of c.scope) drop(this.byScope, k, e);
    this.crossRoots.delete(e);
    this.explainedAcross.delete(e);
  }

  /** Open entries adjacent to a candidate: those it can explain (their key in its scope, or across
   *  objects) and those that can explain it (its key in their scope, or across objects). */
  private neighbors(c: Candidate, out: Entry[]): void {
    for (const k of c.scope) {
      const s = this.byKey.get(k);
      if (s) for (const e of s) out.push(e);
    }
    const s = this.byScope.get(c.key);
    if (s) for (const e of s) out.push(e);
    if (isCrossRoot(c.incident.reason)) for (const e of this.explainedAcross) out.push(e);
    if (isExplainedAcross(c.incident.reason)) for (const e of this.crossRoots) out.push(e);
  }

  private resolveHeld(e: Entry, now: number, seeds: Entry[], out: Transition[]): void {
    this.neighbors(e.candidate, seeds);
    this.unindex(e);
    this.entries.delete(e.candidate.incident.id);
    out.push(resolved(e, now));
  }

  private schedule(e: Entry): void {
    const t = this.deadlineOf(e);
    if (t === undefined) return;
    this.deadlines.push(t, e);
    // Stale items pile up as entries change; rebuild from the live entries now and then.
    if (this.deadlines.size > 4 * this.entries.size + 64) this.rescheduleAll();
  }

  /** The deadline heap, rebuilt from the live entries. */
  private rescheduleAll(): void {
    this.deadlines.clear();
    for (const e of this.entries.values()) {
      const t = this.deadlineOf(e);
      if (t !== undefined) this.deadlines.push(t, e);
    }
  }

  /** Whether a heap item is still the entry's deadline. */
  private scheduledAt(e: Entry, t: number): boolean {
    return this.entries.get(e.candidate.incident.id) === e && this.deadlineOf(e) === t;
  }

  private deadlineOf(e: Entry): number | undefined {
    if (e.state === 'open') return e.missingSince !== undefined ? e.missingSince + (e.holdMs ?? this.opts.holdMs) : this.escalationAt(e);
    return e.candidate.urgent ? undefined : (e.candidate.sinceMs ?? e.firstSeen) + e.candidate.graceMs;
  }

  /** The open incidents now, sorted. */
  open(): Incident[] {
    return [...this.entries.values()]
      .filter((e) => e.state === 'open')
      .map((e) => e.candidate.incident)
      .sort(compareIncidents);
  }

  /** An 'opened' transition for every open incident (start, leader change, collector recovery). */
  announceAll(now: number): Transition[] {
    return this.open().map((incident) => ({ type: 'opened' as const, incident, at: now }));
  }

  /** The earliest time at which a pass could change something without any event: a held incident
   *  reaching the end of its hold, a pending finding reaching the end of its grace. */
  nextDeadline(): number | undefined {
    for (let top = this.deadlines.peek(); top; top = this.deadlines.peek()) {
      if (this.scheduledAt(top.item, top.t)) return top.t;
      this.deadlines.pop();
    }
    return undefined;
  }

  size(): { open: number; pending: number } {
    let open = 0;
    let pending = 0;
    for (const e of this.entries.values()) if (e.state === 'open') open++;
    else pending++;
    return { open, pending };
  }
}

function add(m: Map<string, Set<Entry>>, k: string, e: Entry): void {
  const s = m.get(k);
  if (s) s.add(e);
  else m.set(k, new Set([e]));
}

function drop(m: Map<string, Set<Entry>>, k: string, e: Entry): void {
  const s = m.get(k);
  if (!s) return;
  s.delete(e);
  if (s.size === 0) m.delete(k);
}

function resolved(e: Entry, now: number): Transition {
  const t: Transition = { type: 'resolved', incident: e.candidate.incident, at: now };
  if (e.openedAt !== undefined) t.durationS = Math.round((now - e.openedAt) / 1000);
  return t;
}

function order(t: TransitionType): number {
  return t === 'resolved' ? 0 : t === 'opened' ? 1 : 2;
}
