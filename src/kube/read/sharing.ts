// Memory: what many objects repeat is kept once. Interned strings, shared label maps, lists and
// container statuses, and the conditions that matter only when not True. Module-level tables, bounded.

import type { Condition, ContainerState, ContainerStatus, OwnerRef } from '../types.ts';
import { TRUE_REASON_KEPT } from '../projection.ts';
import { clean, MAX_KEPT } from '../../util/redact.ts';

// Memory: tens of thousands of pods repeat the same strings (namespaces, kinds, owner names and
// uids, label keys and values, images, condition types) and the same label and image maps (every pod
// of a ReplicaSet). JSON.parse gives each occurrence its own copy; interning keeps one. Projections
// are never mutated, so sharing is safe. The tables are bounded: cleared when they grow too large.
const MAX_INTERNED = 200_000;
const strings = new Map<string, string>();
export const records = new Map<string, Readonly<Record<string, string>>>();

export function intern(s: string): string {
  if (s.length > 128) return s;
  const hit = strings.get(s);
  if (hit !== undefined) return hit;
  if (strings.size >= MAX_INTERNED) strings.clear();
  // Flatten: a substring of a large parsed document must not keep the document alive.
  const flat = (' ' + s).slice(1);
  strings.set(flat, flat);
  return flat;
}

/** A string made of kept strings, bounded like them. */
export function bounded(s: string): string {
  return s.length > MAX_KEPT ? clean(s, MAX_KEPT) : s;
}

export function internOpt(s: string | undefined): string | undefined {
  return s ? intern(s) : undefined;
}

export function shareRecord(r: Record<string, string>): Readonly<Record<string, string>> {
  const keys = Object.keys(r);
  if (keys.length === 0) return EMPTY;
  let key = '';
  for (const k of keys) key += `${k}\u0000${r[k]}\u0001`;
  const hit = records.get(key);
  if (hit) return hit;
  if (records.size >= MAX_INTERNED / 4) records.clear();
  const out: Record<string, string> = {};
  for (const k of keys) out[intern(k)] = intern(r[k] ?? '');
  Object.freeze(out);
  records.set(key, out);
  return out;
}

export const EMPTY: Readonly<Record<string, string>> = Object.freeze({});
export const UNKNOWN_STATE: ContainerState = Object.freeze({ state: 'unknown' as const });
export const RUNNING: ContainerState = Object.freeze({ state: 'running' as const });
/** A pod that is scheduled: nothing reads when, so every such pod shares this condition. */
const SCHEDULED: Condition = Object.freeze({ type: 'PodScheduled', status: 'True' as const });
/** The empty list every empty list of a projection is. */
const NONE: readonly never[] = Object.freeze([]);

// Lists made only of shared members (a healthy pod's conditions, its healthy containers' statuses)
// are shared too: every healthy pod of a family then holds the same two arrays.
const sharedIds = new WeakMap<object, number>();
let nextSharedId = 1;
const sharedLists = new Map<string, readonly object[]>();
const statuses = new Map<string, ContainerStatus>();

function markShared<T extends object>(o: T): T {
  sharedIds.set(o, nextSharedId++);
  return o;
}
markShared(SCHEDULED);

const trueConditions = new Map<string, Condition>([['PodScheduled', SCHEDULED]]);

export function trueCondition(type: string, reason: string | undefined): Condition {
  const keepReason = TRUE_REASON_KEPT.includes(type) && reason !== undefined && reason.length <= 128;
  const key = keepReason ? `${type}\u0000${reason}` : type;
  let c = trueConditions.get(key);
  if (!c) {
    c = markShared(Object.freeze(keepReason ? { type: intern(type), status: 'True' as const, reason: intern(reason) } : { type: intern(type), status: 'True' as const }));
    if (trueConditions.size < 1000) trueConditions.set(key, c);
  }
  return c;
}

/** The list, or the shared list with the same members when all of them are shared. */
export function shareList<T extends object>(list: T[]): readonly T[] {
  if (list.length === 0) return NONE;
  let key = '';
  for (const o of list) {
    const id = sharedIds.get(o);
    if (id === undefined) return list.slice();
    key += `${id},`;
  }
  const hit = sharedLists.get(key);
  if (hit) return hit as readonly T[];
  if (sharedLists.size >= MAX_INTERNED / 4) sharedLists.clear();
  const out = Object.freeze(list.slice());
  sharedLists.set(key, out);
  return out;
}

/** A list of names (a pod template's containers): each name interned (the first is usually the
 *  MCPServer's own name), the list exactly sized. Not shared: the server-named container makes
 *  nearly every list unique, and a cache entry would cost more than the list. */
export function names(list: string[]): readonly string[] {
  return list.length === 0 ? NONE : list.map(intern);
}

/** A container status with nothing of its own (running or unknown, no last state) is shared by every
 *  container of the same name, image, readiness and restart count. Takes the status as read: its
 *  name and image are interned only when it is not shared. */
export function shareStatus(c: ContainerStatus): ContainerStatus {
  const shareable = (c.current === RUNNING || c.current === UNKNOWN_STATE) && c.last === undefined;
  let key = '';
  if (shareable) {
    key = `${c.name}\u0000${c.image}\u0000${c.init ? 1 : 0}${c.ready ? 1 : 0}${c.current === RUNNING ? 'r' : 'u'}${c.restartCount}`;
    const hit = statuses.get(key);
    if (hit) return hit;
  }
  c.name = intern(c.name);
  c.image = intern(c.image);
  if (!shareable) return c;
  if (statuses.size >= MAX_INTERNED / 4) statuses.clear();
  const out = markShared(Object.freeze(c));
  statuses.set(key, out);
  return out;
}

/** An array whose backing store is exactly its length (arrays grown by push keep spare capacity). */
export function exact<T>(a: T[]): readonly T[] {
  return a.length === 0 ? NONE : a.slice();
}
/** Single-owner lists by the owner's uid (interned, so the key costs nothing). */
const ownerLists = new Map<string, readonly OwnerRef[]>();

/**
 * Owner reference lists, shared: every pod of a ReplicaSet has the same one, and so do an
 * MCPServer's Deployment, Service, Ingress, ConfigMap and Certificate. Only single-owner lists with a
 * uid are shared (nearly all of them); a hit is used only when every field matches. Takes the
 * references as read (their strings not yet interned): a hit needs no interning at all.
 */
export function shareOwners(list: OwnerRef[]): readonly OwnerRef[] {
  if (list.length === 0) return NONE;
  const only = list[0];
  if (list.length > 1 || only?.uid === undefined) return list.map(internRef);
  const hit = ownerLists.get(only.uid);
  const h = hit?.[0];
  if (h && h.kind === only.kind && h.name === only.name) return hit;
  if (ownerLists.size >= MAX_INTERNED / 4) ownerLists.clear();
  const ref = Object.freeze(internRef(only));
  const frozen = Object.freeze([ref]);
  ownerLists.set(ref.uid as string, frozen);
  return frozen;
}

function internRef(o: OwnerRef): OwnerRef {
  return { kind: intern(o.kind), name: intern(o.name), uid: o.uid === undefined ? undefined : intern(o.uid) };
}
