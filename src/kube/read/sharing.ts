// Memory: what many objects repeat is kept once. Interned strings, shared label maps, lists and
// container statuses, and the conditions that matter only when not True. One Sharing per store
// (kube/store.ts), bounded: two stores in one process (the bench's agent and its peers, the tests)
// neither share nor clear each other's tables.

import type { Condition, ContainerState, ContainerStatus, OwnerRef } from '../types.ts';
import { TRUE_REASON_KEPT } from '../projection.ts';
import { clean, MAX_KEPT } from '../../util/redact.ts';

// Memory: tens of thousands of pods repeat the same strings (namespaces, kinds, owner names and
// uids, label keys and values, images, condition types) and the same label and image maps (every pod
// of a ReplicaSet). JSON.parse gives each occurrence its own copy; interning keeps one. Projections
// are never mutated, so sharing is safe. The tables are bounded: cleared when they grow too large.
const MAX_INTERNED = 200_000;

export const EMPTY: Readonly<Record<string, string>> = Object.freeze({});
export const UNKNOWN_STATE: ContainerState = Object.freeze({ state: 'unknown' as const });
export const RUNNING: ContainerState = Object.freeze({ state: 'running' as const });
/** A pod that is scheduled: nothing reads when, so every such pod shares this condition. */
const SCHEDULED: Condition = Object.freeze({ type: 'PodScheduled', status: 'True' as const });
/** The empty list every empty list of a projection is. */
const NONE: readonly never[] = Object.freeze([]);

/** A string made of kept strings, bounded like them. */
export function bounded(s: string): string {
  return s.length > MAX_KEPT ? clean(s, MAX_KEPT) : s;
}

/** An array whose backing store is exactly its length (arrays grown by push keep spare capacity). */
export function exact<T>(a: T[]): readonly T[] {
  return a.length === 0 ? NONE : a.slice();
}

export class Sharing {
  private readonly strings = new Map<string, string>();
  private readonly records = new Map<string, Readonly<Record<string, string>>>();
  // Lists made only of shared members (a healthy pod's conditions, its healthy containers'
  // statuses) are shared too: every healthy pod of a family then holds the same two arrays.
  private readonly sharedIds = new WeakMap<object, number>();
  private nextSharedId = 1;
  private readonly lists = new Map<string, readonly object[]>();
  private readonly statuses = new Map<string, ContainerStatus>();
  private readonly trueConditions = new Map<string, Condition>([['PodScheduled', SCHEDULED]]);
  /** Single-owner lists by the owner's uid (interned, so the key costs nothing). */
  private readonly ownerLists = new Map<string, readonly OwnerRef[]>();

  constructor() {
    this.markShared(SCHEDULED);
  }

  intern(s: string): string {
    if (s.length > 128) return s;
    const hit = this.strings.get(s);
    if (hit !== undefined) return hit;
    if (this.strings.size >= MAX_INTERNED) this.strings.clear();
    // Flatten: a substring of a large parsed document must not keep the document alive.
    const flat = (' ' + s).slice(1);
    this.strings.set(flat, flat);
    return flat;
  }

  internOpt(s: string | undefined): string | undefined {
    return s ? this.intern(s) : undefined;
  }

  shareRecord(r: Record<string, string>): Readonly<Record<string, string>> {
    const keys = Object.keys(r);
    if (keys.length === 0) return EMPTY;
    let key = '';
    for (const k of keys) key += `${k}\u0000${r[k]}\u0001`;
    const hit = this.records.get(key);
    if (hit) return hit;
    if (this.records.size >= MAX_INTERNED / 4) this.records.clear();
    const out: Record<string, string> = {};
    for (const k of keys) out[this.intern(k)] = this.intern(r[k] ?? '');
    Object.freeze(out);
    this.records.set(key, out);
    return out;
  }

  private markShared<T extends object>(o: T): T {
    this.sharedIds.set(o, this.nextSharedId++);
    return o;
  }

  trueCondition(type: string, reason: string | undefined): Condition {
    const keepReason = TRUE_REASON_KEPT.includes(type) && reason !== undefined && reason.length <= 128;
    const key = keepReason ? `${type}\u0000${reason}` : type;
    let c = this.trueConditions.get(key);
    if (!c) {
      c = this.markShared(Object.freeze(keepReason ? { type: this.intern(type), status: 'True' as const, reason: this.intern(reason) } : { type: this.intern(type), status: 'True' as const }));
      if (this.trueConditions.size < 1000) this.trueConditions.set(key, c);
    }
    return c;
  }

  /** The list, or the shared list with the same members when all of them are shared. */
  shareList<T extends object>(list: T[]): readonly T[] {
    if (list.length === 0) return NONE;
    let key = '';
    for (const o of list) {
      const id = this.sharedIds.get(o);
      if (id === undefined) return list.slice();
      key += `${id},`;
    }
    const hit = this.lists.get(key);
    if (hit) return hit as readonly T[];
    if (this.lists.size >= MAX_INTERNED / 4) this.lists.clear();
    const out = Object.freeze(list.slice());
    this.lists.set(key, out);
    return out;
  }

  /** A list of names (a pod template's containers): each name interned (the first is usually the
   *  MCPServer's own name), the list exactly sized. Not shared: the server-named container makes
   *  nearly every list unique, and a cache entry would cost more than the list. */
  names(list: string[]): readonly string[] {
    return list.length === 0 ? NONE : list.map((s) => this.intern(s));
  }

  /** A container status with nothing of its own (running or unknown, no last state) is shared by
   *  every container of the same name, image, readiness and restart count. Takes the status as read:
   *  its name and image are interned only when it is not shared. */
  shareStatus(c: ContainerStatus): ContainerStatus {
    const shareable = (c.current === RUNNING || c.current === UNKNOWN_STATE) && c.last === undefined;
    let key = '';
    if (shareable) {
      key = `${c.name}\u0000${c.image}\u0000${c.init ? 1 : 0}${c.ready ? 1 : 0}${c.current === RUNNING ? 'r' : 'u'}${c.restartCount}`;
      const hit = this.statuses.get(key);
      if (hit) return hit;
    }
    c.name = this.intern(c.name);
    c.image = this.intern(c.image);
    if (!shareable) return c;
    if (this.statuses.size >= MAX_INTERNED / 4) this.statuses.clear();
    const out = this.markShared(Object.freeze(c));
    this.statuses.set(key, out);
    return out;
  }

  /**
   * Owner reference lists, shared: every pod of a ReplicaSet has the same one, and so do an
   * MCPServer's Deployment, Service, Ingress, ConfigMap and Certificate. Only single-owner lists with
   * a uid are shared (nearly all of them); a hit is used only when every field matches. Takes the
   * references as read (their strings not yet interned): a hit needs no interning at all.
   */
  shareOwners(list: OwnerRef[]): readonly OwnerRef[] {
    if (list.length === 0) return NONE;
    const only = list[0];
    if (list.length > 1 || only?.uid === undefined) return list.map((o) => this.internRef(o));
    const hit = this.ownerLists.get(only.uid);
    const h = hit?.[0];
    if (h && h.kind === only.kind && h.name === only.name) return hit;
    if (this.ownerLists.size >= MAX_INTERNED / 4) this.ownerLists.clear();
    const ref = Object.freeze(this.internRef(only));
    const frozen = Object.freeze([ref]);
    this.ownerLists.set(ref.uid as string, frozen);
    return frozen;
  }

  private internRef(o: OwnerRef): OwnerRef {
    return { kind: this.intern(o.kind), name: this.intern(o.name), uid: o.uid === undefined ? undefined : this.intern(o.uid) };
  }
}
