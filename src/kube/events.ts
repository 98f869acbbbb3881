// The Warning Events held as evidence, bounded: the latest per involved object, reason and message
// kind, none older than the TTL behind the newest, and at most a count and a byte budget (oldest
// arrivals go first). Events about kinds no check reads, and the agent's own (its Events sink), are
// not kept. The message kind is the text before its first ':' or quote: the kubelet reports a pull
// as two 'Failed' Events ('Failed to pull image "…": <the registry's answer>' and 'Error:
// ErrImagePull'), and a probe as 'Unhealthy' for readiness and liveness alike; keeping only the
// latest of a reason would often keep the one that says nothing.

import { kindNamed } from './kinds.ts';
import { keyOf, type Event } from './types.ts';

export interface EventLimits {
  maxEvents: number;
  maxBytes: number;
  /** Events older than this behind the newest seen are dropped (the API server keeps 1 h). */
  ttlMs: number;
}

export const DEFAULT_EVENT_LIMITS: EventLimits = { maxEvents: 10_000, maxBytes: 8 * 1024 * 1024, ttlMs: 60 * 60_000 };

/** The agent's own Events (delivery/k8s-events.ts reports as this component). */
export const OWN_COMPONENT = 'sentinel-agent';

/** What an Event costs to hold, roughly: its strings and a fixed overhead for the objects. */
export function eventBytes(e: Event): number {
  return 240 + 2 * (e.message.length + e.meta.name.length + (e.about.fieldPath?.length ?? 0));
}

/** The text before the first ':' or '"' of a message, trimmed (at most 60 characters). */
export function messageKind(message: string): string {
  const m = /^[^:"]*/.exec(message)?.[0] ?? '';
  return m.trim().slice(0, 60);
}

function sameKind(a: Event, b: Event): boolean {
  return a.reason === b.reason && messageKind(a.message) === messageKind(b.message);
}

export function aboutKey(e: Event): string {
  return keyOf(e.about.kind, e.about.namespace, e.about.name);
}

export class EventIndex {
  private readonly limits: EventLimits;
  private readonly byAbout = new Map<string, Event[]>();
  /** Every event held, in arrival order (a Set keeps insertion order): the oldest first. */
  private readonly order = new Set<Event>();
  private bytes = 0;
  private newest = 0;

  constructor(limits: EventLimits = DEFAULT_EVENT_LIMITS) {
    this.limits = limits;
  }

  get size(): number {
    return this.order.size;
  }

  get heldBytes(): number {
    return this.bytes;
  }

  /** Whether an event is kept at all: a Warning about an object of a kind the checks read, not the
   *  agent's own. */
  admissible(e: Event): boolean {
    return e.warning && e.from !== OWN_COMPONENT && e.about.name !== '' && kindNamed(e.about.kind) !== undefined;
  }

  /**
   * What holding `e` displaces: the older event of its reason about the same object, and the
   * oldest arrivals beyond the TTL and the caps. Undefined when `e` is not kept: older than the
   * one of its kind held, or beyond the TTL. `replacing` is the event of the same name, if any.
   */
  displaced(e: Event, replacing: Event | undefined): Event[] | undefined {
    const horizon = Math.max(this.newest, e.last ?? 0) - this.limits.ttlMs;
    if ((e.last ?? 0) < horizon) return undefined;
    const out: Event[] = [];
    const same = this.byAbout.get(aboutKey(e))?.find((x) => x !== replacing && sameKind(x, e));
    if (same) {
      if ((same.last ?? 0) > (e.last ?? 0)) return undefined;
      out.push(same);
    }
    let count = this.order.size + 1 - (replacing ? 1 : 0) - out.length;
    let bytes = this.bytes + eventBytes(e) - (replacing ? eventBytes(replacing) : 0) - (same ? eventBytes(same) : 0);
    // Oldest arrivals first: arrival order is nearly time order, so this stops at the first one in
    // time; what arrived late and is already past the TTL goes at the next sweep (expired()).
    for (const old of this.order) {
      if (old === replacing || old === same) continue;
      if (count <= this.limits.maxEvents && bytes <= this.limits.maxBytes && (old.last ?? 0) >= horizon) break;
      out.push(old);
      count--;
      bytes -= eventBytes(old);
    }
    return out;
  }

  add(e: Event): void {
    const k = aboutKey(e);
    const list = this.byAbout.get(k);
    if (list) list.push(e);
    else this.byAbout.set(k, [e]);
    this.order.add(e);
    this.bytes += eventBytes(e);
    if ((e.last ?? 0) > this.newest) this.newest = e.last ?? 0;
  }

  remove(e: Event): void {
    if (!this.order.delete(e)) return;
    this.bytes -= eventBytes(e);
    const k = aboutKey(e);
    const list = this.byAbout.get(k);
    if (!list) return;
    const i = list.indexOf(e);
    if (i >= 0) list.splice(i, 1);
    if (list.length === 0) this.byAbout.delete(k);
  }

  /** Every event past the TTL at `now` (or behind the newest seen, if later). */
  expired(now: number): Event[] {
    const horizon = Math.max(now, this.newest) - this.limits.ttlMs;
    return [...this.order].filter((e) => (e.last ?? 0) < horizon);
  }

  /** The events about an object (the latest of each reason and message kind). */
  about(kind: string, namespace: string, name: string): readonly Event[] {
    return this.byAbout.get(keyOf(kind, namespace, name)) ?? [];
  }
}
