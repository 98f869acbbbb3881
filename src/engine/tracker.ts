// The incident lifecycle of watch (product.md §3): a finding opens an incident once it has held for
// its grace (judged from the object's own timestamps, else from first sight), updates it when the
// severity or the root cause changes (message-only changes update silently), and resolves it after a
// hold period without the finding — at once when the object is gone. Pure: time comes in.

import type { Candidate, Incident } from './incidents.ts';
import { assignRootCauses, compareIncidents, isRipe, rfc3339 } from './incidents.ts';

export type TransitionType = 'opened' | 'updated' | 'resolved';

export interface Transition {
  type: TransitionType;
  incident: Incident;
  at: number;
  /** Seconds the incident was open (resolved only). */
  durationS?: number;
  /** Why an update happened. */
  changed?: ('severity' | 'rootCause')[];
}

interface Entry {
  candidate: Candidate;
  firstSeen: number;
  state: 'pending' | 'open';
  openedAt?: number;
  /** Set while the finding is absent: when it went missing. */
  missingSince?: number;
}

export interface TrackerOptions {
  holdMs: number;
}

export class IncidentTracker {
  private readonly entries = new Map<string, Entry>();
  /** What was last announced per incident, to tell an update from a message-only change. */
  private readonly lastAnnounced = new Map<string, { sev: string; root: string | undefined }>();
  private readonly opts: TrackerOptions;

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
      e.missingSince ??= now;
      if (now - e.missingSince >= this.opts.holdMs || !exists(e.candidate.incident)) {
        this.entries.delete(id);
        const t: Transition = { type: 'resolved', incident: e.candidate.incident, at: now };
        if (e.openedAt !== undefined) t.durationS = Math.round((now - e.openedAt) / 1000);
        out.push(t);
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
    const opened = new Set(opening);
    for (const e of this.entries.values()) {
      if (e.state !== 'open') continue;
      const inc = e.candidate.incident;
      if (!inc.since) inc.since = rfc3339(e.candidate.sinceMs ?? e.firstSeen);
      if (opened.has(e)) continue;
      const last = this.lastAnnounced.get(inc.id);
      if (!last || (last.sev === inc.severity && last.root === inc.rootCauseId)) continue;
      const changed: ('severity' | 'rootCause')[] = [];
      if (last.sev !== inc.severity) changed.push('severity');
      if (last.root !== inc.rootCauseId) changed.push('rootCause');
      out.push({ type: 'updated', incident: inc, at: now, changed });
    }
    for (const t of out) {
      if (t.type === 'resolved') this.lastAnnounced.delete(t.incident.id);
      else this.lastAnnounced.set(t.incident.id, { sev: t.incident.severity, root: t.incident.rootCauseId });
    }
    // Causes before what they explain, so a reader meets the root first.
    return out.sort((a, b) => order(a.type) - order(b.type) || Number(a.incident.rootCauseId !== undefined) - Number(b.incident.rootCauseId !== undefined) || compareIncidents(a.incident, b.incident));
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
    let t: number | undefined;
    const at = (x: number): void => {
      if (t === undefined || x < t) t = x;
    };
    for (const e of this.entries.values()) {
      if (e.state === 'open' && e.missingSince !== undefined) at(e.missingSince + this.opts.holdMs);
      else if (e.state === 'pending' && !e.candidate.urgent) at((e.candidate.sinceMs ?? e.firstSeen) + e.candidate.graceMs);
    }
    return t;
  }

  size(): { open: number; pending: number } {
    let open = 0;
    let pending = 0;
    for (const e of this.entries.values()) if (e.state === 'open') open++;
    else pending++;
    return { open, pending };
  }
}

function order(t: TransitionType): number {
  return t === 'resolved' ? 0 : t === 'opened' ? 1 : 2;
}
