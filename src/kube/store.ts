// The object store: the current projection of every watched object, with the indexes the checks
// need. Watch events, a one-time list and a dump all fill it the same way; checks read it through
// the ClusterView interface only.

import { KIND_NAMES, displayKind, type KindName } from './kinds.ts';
import { Sharing } from './read/sharing.ts';
import type { AnyObj, EndpointSlice, Event, Obj, Pod, Service, SourceState } from './types.ts';
import { EventIndex, type EventLimits } from './events.ts';

export interface ClusterView {
  /** The objects of a kind that checks judge in this pass: all of them, or (in an incremental pass)
   *  those an event touched. Checks iterate roots and use list/get/ownedBy for lookups. */
  roots<K extends KindName>(kind: K): readonly Obj<K>[];
  list<K extends KindName>(kind: K, namespace?: string): readonly Obj<K>[];
  get<K extends KindName>(kind: K, namespace: string, name: string): Obj<K> | undefined;
  /** Objects of `kind` whose ownerReferences name the owner (by uid, or by kind/name when a dump has no uids). */
  ownedBy<K extends KindName>(kind: K, owner: AnyObj): readonly Obj<K>[];
  /** EndpointSlices labelled for the Service. */
  slicesFor(namespace: string, service: string): readonly EndpointSlice[];
  source(kind: KindName): SourceState;
  /** How many objects of a kind (in a namespace) are held, without listing them. */
  count(kind: KindName, namespace?: string): number;
  /** The Services of a namespace whose selector matches the labels (a pod's). */
  servicesSelecting(namespace: string, labels: Readonly<Record<string, string>>): readonly Service[];
  /** The pods bound to a node (spec.nodeName), in every namespace read. */
  podsOn(node: string): readonly Pod[];
  /** The Warning Events held about the object (the latest of each reason; kube/events.ts). */
  eventsAbout(o: AnyObj): readonly Event[];
}

/** An equality-based selector (a Service's) matches the labels; an empty selector matches nothing. */
export function selects(selector: Readonly<Record<string, string>>, labels: Readonly<Record<string, string>>): boolean {
  const keys = Object.keys(selector);
  if (keys.length === 0) return false;
  for (const k of keys) if (labels[k] !== selector[k]) return false;
  return true;
}

type Bucket = Map<string, AnyObj>; // name → object

/** A small multiset without a Set per key: most keys have one member. */
type Members<T> = T | T[];

function addMember<T>(m: Map<string, Members<T>>, k: string, v: T): void {
  const cur = m.get(k);
  if (cur === undefined) m.set(k, v);
  else if (Array.isArray(cur)) {
    if (!cur.includes(v)) cur.push(v);
  } else if (cur !== v) m.set(k, [cur, v]);
}

function removeMember<T>(m: Map<string, Members<T>>, k: string, v: T): void {
  const cur = m.get(k);
  if (cur === undefined) return;
  if (Array.isArray(cur)) {
    const i = cur.indexOf(v);
    if (i >= 0) cur.splice(i, 1);
    if (cur.length === 1) m.set(k, cur[0] as T);
    else if (cur.length === 0) m.delete(k);
  } else if (cur === v) m.delete(k);
}

function members<T>(m: Map<string, Members<T>>, k: string): readonly T[] {
  const cur = m.get(k);
  return cur === undefined ? [] : Array.isArray(cur) ? cur : [cur];
}

export class ObjectStore implements ClusterView {
  /** What the objects read into this store share (strings, label maps, statuses): normalize with it. */
  readonly sharing = new Sharing();
  private readonly byKind = new Map<KindName, Map<string, Bucket>>(); // kind → namespace → name → obj
  private readonly owners = new Map<string, Members<AnyObj>>(); // owner uid (or kind/ns/name) → owned objects
  // namespace → service → slices (nested: the service name is the slice's interned string, so an
  // entry adds no key of its own)
  private readonly slices = new Map<string, Map<string, Members<EndpointSlice>>>();
  // node name → its pods, in the order they came: an array (8 B a pod) rather than a Set (~28 B a
  // pod, measured in B5); a pod update takes one out (a scan of that node's pods, ~100) and puts one in.
  private readonly onNode = new Map<string, Pod[]>();
  private readonly sources = new Map<KindName, SourceState>();
  private readonly counts = new Map<KindName, number>();
  /** Per namespace: label map → the Services selecting it. Pods of one family share one label map
   *  (normalize interns them), so a pod event finds its Services without scanning; any Service
   *  change in the namespace drops the namespace's entry. */
  private readonly selecting = new Map<string, WeakMap<object, readonly Service[]>>();
  /** Owner references held without a uid (some dumps): only then are owners looked up by name. */
  private uidless = 0;

  /** The Warning Events held, bounded (kube/events.ts). */
  readonly events: EventIndex;

  constructor(eventLimits?: EventLimits) {
    for (const k of KIND_NAMES) this.byKind.set(k, new Map());
    this.events = new EventIndex(eventLimits);
  }

  /** Inserts or replaces an object; returns the object it replaced. An Event the index does not
   *  keep (kube/events.ts) is not stored; one it keeps may displace older ones. */
  upsert(o: AnyObj): AnyObj | undefined {
    const nsMap = this.nsMap(o.kind);
    let bucket = nsMap.get(o.meta.namespace);
    const prev = bucket?.get(o.meta.name);
    if (o.kind === 'Event') {
      const gone = this.events.admissible(o) ? this.events.displaced(o, prev?.kind === 'Event' ? prev : undefined) : undefined;
      if (!gone) {
        // Not kept; what it updates is out of date either way.
        if (prev) this.delete('Event', prev.meta.namespace, prev.meta.name);
        return prev;
      }
      for (const e of gone) this.delete('Event', e.meta.namespace, e.meta.name);
      bucket = nsMap.get(o.meta.namespace);
    }
    if (!bucket) {
      bucket = new Map();
      nsMap.set(o.meta.namespace, bucket);
    }
    if (prev) this.unindex(prev);
    else this.counts.set(o.kind, (this.counts.get(o.kind) ?? 0) + 1);
    bucket.set(o.meta.name, o);
    this.index(o);
    return prev;
  }

  delete(kind: KindName, namespace: string, name: string): AnyObj | undefined {
    const bucket = this.nsMap(kind).get(namespace);
    const prev = bucket?.get(name);
    if (!bucket || !prev) return undefined;
    bucket.delete(name);
    if (bucket.size === 0) this.nsMap(kind).delete(namespace);
    this.unindex(prev);
    this.counts.set(kind, (this.counts.get(kind) ?? 1) - 1);
    return prev;
  }

  /** Replaces every object of a kind (a relist): objects deleted meanwhile disappear. */
  replaceKind(kind: KindName, objs: Iterable<AnyObj>): void {
    for (const o of this.list(kind)) this.unindex(o);
    this.nsMap(kind).clear();
    this.counts.set(kind, 0);
    for (const o of objs) this.upsert(o);
  }

  setSource(kind: KindName, state: SourceState): void {
    this.sources.set(kind, state);
  }

  source(kind: KindName): SourceState {
    return this.sources.get(kind) ?? { status: 'not-loaded' };
  }

  size(kind?: KindName): number {
    if (kind) return this.counts.get(kind) ?? 0;
    let n = 0;
    for (const c of this.counts.values()) n += c;
    return n;
  }

  roots<K extends KindName>(kind: K): readonly Obj<K>[] {
    return this.list(kind);
  }

  count(kind: KindName, namespace?: string): number {
    if (namespace === undefined) return this.counts.get(kind) ?? 0;
    return this.nsMap(kind).get(namespace)?.size ?? 0;
  }

  servicesSelecting(namespace: string, labels: Readonly<Record<string, string>>): readonly Service[] {
    let m = this.selecting.get(namespace);
    if (!m) this.selecting.set(namespace, (m = new WeakMap()));
    const hit = m.get(labels);
    if (hit) return hit;
    const out: Service[] = [];
    const b = this.nsMap('Service').get(namespace);
    if (b) for (const s of b.values()) if (s.kind === 'Service' && s.selector && selects(s.selector, labels)) out.push(s);
    m.set(labels, out);
    return out;
  }

  list<K extends KindName>(kind: K, namespace?: string): readonly Obj<K>[] {
    const nsMap = this.nsMap(kind);
    if (namespace !== undefined) {
      const b = nsMap.get(namespace);
      return b ? ([...b.values()] as Obj<K>[]) : [];
    }
    const out: Obj<K>[] = [];
    for (const b of nsMap.values()) for (const o of b.values()) out.push(o as Obj<K>);
    return out;
  }

  get<K extends KindName>(kind: K, namespace: string, name: string): Obj<K> | undefined {
    return this.nsMap(kind).get(namespace)?.get(name) as Obj<K> | undefined;
  }

  ownedBy<K extends KindName>(kind: K, owner: AnyObj): readonly Obj<K>[] {
    const found: Obj<K>[] = [];
    // Members of one key are distinct already.
    if (owner.meta.uid) for (const o of members(this.owners, owner.meta.uid)) if (o.kind === kind) found.push(o as Obj<K>);
    // Owner references without a uid (some dumps) are indexed by kind/namespace/name.
    if (this.uidless > 0) {
      for (const o of members(this.owners, refKey(owner.kind, owner.meta.namespace, owner.meta.name))) {
        if (o.kind === kind && !found.includes(o as Obj<K>)) found.push(o as Obj<K>);
      }
    }
    return found;
  }

  /** Drops the Events past their TTL at `now` (the periodic full pass sweeps them). */
  expireEvents(now: number): void {
    for (const e of this.events.expired(now)) this.delete('Event', e.meta.namespace, e.meta.name);
  }

  eventsAbout(o: AnyObj): readonly Event[] {
    const all = this.events.about(displayKind(o.kind), o.meta.namespace, o.meta.name);
    // An event about an earlier object of the same name (a pod recreated) is not about this one.
    return o.meta.uid === undefined ? all : all.filter((e) => e.about.uid === undefined || e.about.uid === o.meta.uid);
  }

  podsOn(node: string): readonly Pod[] {
    const s = this.onNode.get(node);
    return s ? [...s] : [];
  }

  slicesFor(namespace: string, service: string): readonly EndpointSlice[] {
    const m = this.slices.get(namespace);
    return m ? members(m, service) : [];
  }

  private nsMap(kind: KindName): Map<string, Bucket> {
    const m = this.byKind.get(kind);
    if (!m) throw new Error(`unknown kind ${kind}`);
    return m;
  }

  private ownerKey(o: AnyObj, ref: AnyObj['meta']['owners'][number]): string {
    // By uid when the reference has one (uids are unique, and the string is already held);
    // owners are always in the object's namespace (namespaced kinds).
    return ref.uid ?? refKey(ref.kind, o.meta.namespace, ref.name);
  }

  private index(o: AnyObj): void {
    if (o.kind === 'Service') this.selecting.delete(o.meta.namespace);
    if (o.kind === 'Event') this.events.add(o);
    if (o.kind === 'Pod' && o.node !== undefined) {
      const s = this.onNode.get(o.node);
      if (s) s.push(o);
      else this.onNode.set(o.node, [o]);
    }
    for (const ref of o.meta.owners) {
      addMember(this.owners, this.ownerKey(o, ref), o);
      if (ref.uid === undefined) this.uidless++;
    }
    if (o.kind === 'EndpointSlice' && o.serviceName) {
      let m = this.slices.get(o.meta.namespace);
      if (!m) this.slices.set(o.meta.namespace, (m = new Map()));
      addMember(m, o.serviceName, o);
    }
  }

  private unindex(o: AnyObj): void {
    if (o.kind === 'Service') this.selecting.delete(o.meta.namespace);
    if (o.kind === 'Event') this.events.remove(o);
    if (o.kind === 'Pod' && o.node !== undefined) {
      const s = this.onNode.get(o.node);
      const i = s ? s.lastIndexOf(o) : -1;
      if (s && i >= 0) s.splice(i, 1);
      if (s?.length === 0) this.onNode.delete(o.node);
    }
    for (const ref of o.meta.owners) {
      removeMember(this.owners, this.ownerKey(o, ref), o);
      if (ref.uid === undefined) this.uidless--;
    }
    if (o.kind === 'EndpointSlice' && o.serviceName) {
      const m = this.slices.get(o.meta.namespace);
      if (m) {
        removeMember(m, o.serviceName, o);
        if (m.size === 0) this.slices.delete(o.meta.namespace);
      }
    }
  }
}

function refKey(kind: string, namespace: string, name: string): string {
  return `ref:${kind}/${namespace}/${name}`;
}
