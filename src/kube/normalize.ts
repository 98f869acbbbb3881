// Turns what the API server (or a saved dump) gives into the compact projections of types.ts.
// Tolerant by design: a field of the wrong type is read around and noted, never thrown, so one odd
// object cannot stop the rest. The only hard failure is an object with no usable name.

import { KINDS, apiVersionOf, isKindName, type KindName } from './kinds.ts';
import type {
  AnyObj,
  Certificate,
  CertificateRequest,
  Condition,
  ConditionStatus,
  ConfigMap,
  ContainerState,
  ContainerStatus,
  Deployment,
  EndpointSlice,
  Endpoints,
  Ingress,
  MCPServer,
  Meta,
  OwnerRef,
  Pod,
  ReadinessFlag,
  ReplicaSet,
  Service,
} from './types.ts';
import { READINESS_FLAGS } from './types.ts';
import { clean, MAX_KEPT } from '../util/redact.ts';

type Rec = Record<string, unknown>;

// Memory: tens of thousands of pods repeat the same strings (namespaces, kinds, owner names and
// uids, label keys and values, images, condition types) and the same label and image maps (every pod
// of a ReplicaSet). JSON.parse gives each occurrence its own copy; interning keeps one. Projections
// are never mutated, so sharing is safe. The tables are bounded: cleared when they grow too large.
const MAX_INTERNED = 200_000;
const strings = new Map<string, string>();
const records = new Map<string, Readonly<Record<string, string>>>();

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
function bounded(s: string): string {
  return s.length > MAX_KEPT ? clean(s, MAX_KEPT) : s;
}

function internOpt(s: string | undefined): string | undefined {
  return s ? intern(s) : undefined;
}

function shareRecord(r: Record<string, string>): Readonly<Record<string, string>> {
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

const EMPTY: Readonly<Record<string, string>> = Object.freeze({});
const UNKNOWN_STATE: ContainerState = Object.freeze({ state: 'unknown' as const });
const RUNNING: ContainerState = Object.freeze({ state: 'running' as const });
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

/** Conditions that matter only when not True (a pod not ready since when, a Deployment not
 *  available or not progressing: their reason, message and transition time). True, they are shared. */
const TRUE_SHARED: Partial<Record<KindName, ReadonlySet<string>>> = {
  Pod: new Set(['Ready', 'PodScheduled']),
  Deployment: new Set(['Available', 'Progressing']),
};
const trueConditions = new Map<string, Condition>([['PodScheduled', SCHEDULED]]);

/** A Deployment's Progressing reason tells a rollout under way (ReplicaSetUpdated) from a finished
 *  one (NewReplicaSetAvailable): kept, one shared object per (type, reason). */
const TRUE_REASON_KEPT: ReadonlySet<string> = new Set(['Progressing']);

function trueCondition(type: string, reason: string | undefined): Condition {
  const keepReason = TRUE_REASON_KEPT.has(type) && reason !== undefined && reason.length <= 128;
  const key = keepReason ? `${type}\u0000${reason}` : type;
  let c = trueConditions.get(key);
  if (!c) {
    c = markShared(Object.freeze(keepReason ? { type: intern(type), status: 'True' as const, reason: intern(reason) } : { type: intern(type), status: 'True' as const }));
    if (trueConditions.size < 1000) trueConditions.set(key, c);
  }
  return c;
}

/** The list, or the shared list with the same members when all of them are shared. */
function shareList<T extends object>(list: T[]): readonly T[] {
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
function names(list: string[]): readonly string[] {
  return list.length === 0 ? NONE : list.map(intern);
}

/** A container status with nothing of its own (running or unknown, no last state) is shared by every
 *  container of the same name, image, readiness and restart count. Takes the status as read: its
 *  name and image are interned only when it is not shared. */
function shareStatus(c: ContainerStatus): ContainerStatus {
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
function exact<T>(a: T[]): readonly T[] {
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
function shareOwners(list: OwnerRef[]): readonly OwnerRef[] {
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

/** Label keys read from objects other than pods (whose labels Service and Deployment selectors
 *  match, so pods keep them all): the MCPServer an object belongs to. (A slice's Service, from
 *  `kubernetes.io/service-name`, is kept as its own field.) */
const KEPT_LABELS: readonly string[] = ['app', 'mcpruntime.org/server'];


/** Condition types the checks read, per kind (the others are not kept). */
const KEPT_CONDITIONS: Partial<Record<KindName, ReadonlySet<string>>> = {
  Pod: new Set(['Ready', 'PodScheduled']),
  Deployment: new Set(['Available', 'Progressing', 'ReplicaFailure']),
  Certificate: new Set(['Ready', 'Issuing']),
  CertificateRequest: new Set(['Ready', 'Denied', 'InvalidRequest']),
};

/** Condition messages that no check shows (the pod's Ready message repeats the container states). */
const DROPPED_MESSAGES: Partial<Record<KindName, ReadonlySet<string>>> = {
  Pod: new Set(['Ready']),
};

export interface NormalizeResult {
  obj?: AnyObj;
  /** Why the object was not taken (unknown kind, no name). */
  skipped?: string;
  /** Fields that were present but unusable, each with its path. */
  notes: string[];
}

/** Reads fields defensively and records what it had to ignore. */
class Reader {
  readonly notes: string[] = [];

  note(path: string, msg: string): void {
    if (this.notes.length < 20) this.notes.push(`${path}: ${msg}`);
  }

  rec(v: unknown, path: string): Rec | undefined {
    if (v === undefined || v === null) return undefined;
    const r = asRec(v);
    if (!r) this.note(path, `expected an object, got ${typeName(v)}`);
    return r;
  }

  arr(v: unknown, path: string): unknown[] {
    if (v === undefined || v === null) return [];
    if (Array.isArray(v)) return v;
    this.note(path, `expected a list, got ${typeName(v)}`);
    return [];
  }

  recs(v: unknown, path: string): Rec[] {
    const out: Rec[] = [];
    this.arr(v, path).forEach((e, i) => {
      const r = this.rec(e, `${path}[${i}]`);
      if (r) out.push(r);
    });
    return out;
  }

  str(v: unknown, path: string): string | undefined {
    if (v === undefined || v === null) return undefined;
    // Memory per object is bounded whatever the object holds: a longer string is redacted whole,
    // then elided in the middle (its cause is usually at the end).
    if (typeof v === 'string') return v.length > MAX_KEPT ? clean(v, MAX_KEPT) : v;
    if (typeof v === 'number' || typeof v === 'boolean') return String(v);
    this.note(path, `expected a string, got ${typeName(v)}`);
    return undefined;
  }

  num(v: unknown, path: string): number | undefined {
    if (v === undefined || v === null) return undefined;
    if (typeof v === 'number' && Number.isFinite(v)) return v;
    if (typeof v === 'string' && /^-?\d+(\.\d+)?$/.test(v.trim())) return Number(v);
    this.note(path, `expected a number, got ${typeName(v)}`);
    return undefined;
  }

  bool(v: unknown, path: string): boolean | undefined {
    if (v === undefined || v === null) return undefined;
    if (typeof v === 'boolean') return v;
    if (v === 'true' || v === 'false') return v === 'true';
    this.note(path, `expected a boolean, got ${typeName(v)}`);
    return undefined;
  }

  time(v: unknown, path: string): number | undefined {
    const s = this.str(v, path);
    if (s === undefined || s === '') return undefined;
    const t = Date.parse(s);
    if (Number.isNaN(t)) {
      this.note(path, `not a timestamp: ${JSON.stringify(s.slice(0, 40))}`);
      return undefined;
    }
    return t;
  }

  /**
   * A string map (labels, selectors). `share`: the map is likely repeated by many objects (the pods
   * of one ReplicaSet) and is shared with every identical one seen; otherwise sharing would only add
   * a cache entry per object.
   */
  strMap(v: unknown, path: string, share = false): Readonly<Record<string, string>> {
    const r = this.rec(v, path);
    if (!r) return EMPTY;
    const out: Record<string, string> = {};
    let n = 0;
    for (const [k, val] of Object.entries(r)) {
      const s = this.str(val, `${path}.${k}`);
      if (s !== undefined) {
        out[k] = share ? s : intern(s);
        n++;
      }
    }
    if (n === 0) return EMPTY;
    return share ? shareRecord(out) : out;
  }

  /** The labels of an object other than a pod: the kept keys only, shared with every identical map
   *  (an MCPServer's Deployment, ReplicaSets, Service and Ingress all carry the same `app`). */
  keptLabels(v: unknown, path: string): Readonly<Record<string, string>> {
    const r = this.rec(v, path);
    if (!r) return EMPTY;
    let kept: Record<string, string> | undefined;
    for (const k of KEPT_LABELS) {
      const s = Object.hasOwn(r, k) ? this.str(r[k], `${path}.${k}`) : undefined;
      if (s !== undefined) (kept ??= {})[k] = s;
    }
    return kept ? shareRecord(kept) : EMPTY;
  }

  strs(v: unknown, path: string): readonly string[] {
    const out: string[] = [];
    this.arr(v, path).forEach((e, i) => {
      const s = this.str(e, `${path}[${i}]`);
      if (s !== undefined) out.push(s);
    });
    return exact(out);
  }

  conditions(v: unknown, path: string, kind?: KindName): readonly Condition[] {
    const keep = kind ? KEPT_CONDITIONS[kind] : undefined;
    const noMessage = kind ? DROPPED_MESSAGES[kind] : undefined;
    const list = this.recs(v, path).flatMap((c, i) => {
      const p = `${path}[${i}]`;
      const type = this.str(c.type, `${p}.type`);
      if (!type || (keep && !keep.has(type))) return [];
      const raw = this.str(c.status, `${p}.status`);
      // A condition whose status is neither True nor False is Unknown (API semantics).
      const status: ConditionStatus = raw === 'True' || raw === 'False' ? raw : 'Unknown';
      // Healthy conditions whose details no check reads: one shared object per type.
      const reason = this.str(c.reason, `${p}.reason`);
      if (status === 'True' && kind && TRUE_SHARED[kind]?.has(type)) return [trueCondition(type, reason)];
      const out: Condition = {
        type: intern(type),
        status,
        reason: reason ? intern(reason) : undefined,
        message: (noMessage?.has(type) ? undefined : this.str(c.message, `${p}.message`)) || undefined,
        lastTransitionTime: this.time(c.lastTransitionTime, `${p}.lastTransitionTime`) ?? this.time(c.lastUpdateTime, `${p}.lastUpdateTime`),
        observedGeneration: this.num(c.observedGeneration, `${p}.observedGeneration`),
      };
      return [out];
    });
    return kind && TRUE_SHARED[kind] ? shareList(list) : exact(list);
  }
}

/** The value as a JSON object, else undefined (without a note: for a field already read and noted). */
function asRec(v: unknown): Rec | undefined {
  return typeof v === 'object' && v !== null && !Array.isArray(v) ? (v as Rec) : undefined;
}

function typeName(v: unknown): string {
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'a list';
  return typeof v === 'object' ? 'an object' : `${typeof v} ${JSON.stringify(v).slice(0, 30)}`;
}

/** Resolves the kind of a raw object; `fallbackKind` is the item kind of an `XList` wrapper. */
export function kindOf(raw: Rec, fallbackKind?: string): string | undefined {
  const k = typeof raw.kind === 'string' && raw.kind !== '' ? raw.kind : fallbackKind;
  return k;
}

export function normalize(raw: unknown, fallback?: { kind?: string; apiVersion?: string }): NormalizeResult {
  const r = new Reader();
  const o = r.rec(raw, '');
  if (!o) return { skipped: 'not an object', notes: r.notes };
  const kind = kindOf(o, fallback?.kind);
  if (!kind) return { skipped: 'no kind', notes: r.notes };
  if (!isKindName(kind)) return { skipped: `kind ${kind} is not read by any check`, notes: r.notes };
  const apiVersion = r.str(o.apiVersion, 'apiVersion') || fallback?.apiVersion || apiVersionOf(KINDS[kind]);
  const info = KINDS[kind];
  // The table's own string: one copy for every object, without an intern lookup.
  const known = info.acceptedApiVersions.find((v) => v === apiVersion);
  if (known === undefined) {
    return { skipped: `${kind} of apiVersion ${apiVersion} is not understood`, notes: r.notes };
  }
  const meta = readMeta(r, o, known, kind);
  if (!meta) return { skipped: `${kind} without metadata.name`, notes: r.notes };
  const spec = r.rec(o.spec, 'spec') ?? {};
  const status = r.rec(o.status, 'status') ?? {};
  const obj = project(r, kind, meta, spec, status, o);
  return { obj, notes: r.notes };
}

/** Kinds the operator names after their MCPServer, and kinds that own other watched objects (their
 *  names and uids are in their children's owner references, which are interned). */
const NAMED_AFTER_SERVER: ReadonlySet<KindName> = new Set(['MCPServer', 'Deployment', 'Service', 'Ingress', 'Certificate']);
const OWNERS: ReadonlySet<KindName> = new Set(['MCPServer', 'Deployment', 'ReplicaSet', 'Certificate']);

function readMeta(r: Reader, o: Rec, apiVersion: string, kind: KindName): Meta | undefined {
  // Pods come in families (a ReplicaSet's pods share labels and owner): share their label maps.
  // Other kinds keep only the label keys checks read, shared.
  const isPod = kind === 'Pod';
  const m = r.rec(o.metadata, 'metadata') ?? {};
  const name = r.str(m.name, 'metadata.name');
  if (!name) return undefined;
  // Names and uids of everything but pods repeat across objects (an MCPServer's name is its
  // Deployment's, Service's and Ingress's, a label value and an owner reference; its uid is in each
  // owner reference): one copy each. A pod's own name and uid are its alone.
  const uid = r.str(m.uid, 'metadata.uid') || undefined;
  const meta: Meta = {
    apiVersion,
    namespace: intern(r.str(m.namespace, 'metadata.namespace') || 'default'),
    name: NAMED_AFTER_SERVER.has(kind) || OWNERS.has(kind) ? intern(name) : name,
    uid: uid !== undefined && OWNERS.has(kind) ? intern(uid) : uid,
    creationTimestamp: r.time(m.creationTimestamp, 'metadata.creationTimestamp'),
    deletionTimestamp: r.time(m.deletionTimestamp, 'metadata.deletionTimestamp'),
    labels: isPod ? r.strMap(m.labels, 'metadata.labels', true) : r.keptLabels(m.labels, 'metadata.labels'),
    owners: shareOwners(r.recs(m.ownerReferences, 'metadata.ownerReferences').flatMap((ref, i): OwnerRef[] => {
      const p = `metadata.ownerReferences[${i}]`;
      const kind = r.str(ref.kind, `${p}.kind`);
      const oname = r.str(ref.name, `${p}.name`);
      if (!kind || !oname) return [];
      const uid = r.str(ref.uid, `${p}.uid`);
      // Every field in the literal (absent ones undefined): a property added later would move the
      // object's properties out of line, 40 bytes more per object. Same below.
      const out: OwnerRef = { kind, name: oname, uid: uid || undefined };
      return [out];
    })),
  };
  return meta;
}

function project(r: Reader, kind: KindName, meta: Meta, spec: Rec, status: Rec, o: Rec): AnyObj {
  switch (kind) {
    case 'Pod':
      return pod(r, meta, spec, status);
    case 'ReplicaSet':
      return replicaSet(meta);
    case 'Deployment':
      return deployment(r, meta, spec, status);
    case 'Service':
      return service(r, meta, spec);
    case 'EndpointSlice':
      // readMeta has read (and noted) metadata.labels already.
      return endpointSlice(r, meta, o, asRec(asRec(o.metadata)?.labels));
    case 'Endpoints':
      return endpoints(r, meta, o);
    case 'Ingress':
      return ingress(r, meta, spec, status, o);
    case 'ConfigMap':
      return configMap(r, meta, o);
    case 'Certificate':
      return certificate(r, meta, spec, status);
    case 'CertificateRequest':
      return certificateRequest(r, meta, spec, status);
    case 'MCPServer':
      return mcpServer(r, meta, spec, o);
  }
}

function containerState(r: Reader, v: unknown, path: string): ContainerState | undefined {
  const s = r.rec(v, path);
  if (!s) return undefined;
  for (const state of ['waiting', 'running', 'terminated'] as const) {
    const d = r.rec(s[state], `${path}.${state}`);
    if (!d) continue;
    const p = `${path}.${state}`;
    // Running is the common state and no check reads when it started: one shared object for all.
    if (state === 'running') return RUNNING;
    const reason = r.str(d.reason, `${p}.reason`);
    // One literal with every field: objects of one shape, no out-of-object property storage.
    return {
      state,
      reason: reason ? intern(reason) : undefined,
      message: r.str(d.message, `${p}.message`) || undefined,
      exitCode: r.num(d.exitCode, `${p}.exitCode`),
      signal: r.num(d.signal, `${p}.signal`),
      startedAt: r.time(d.startedAt, `${p}.startedAt`),
      finishedAt: r.time(d.finishedAt, `${p}.finishedAt`),
    };
  }
  return undefined;
}

function pod(r: Reader, meta: Meta, spec: Rec, status: Rec): Pod {
  const images: Record<string, string> = {};
  const limits: Record<string, string> = {};
  for (const field of ['initContainers', 'containers'] as const) {
    r.recs(spec[field], `spec.${field}`).forEach((c, i) => {
      const name = r.str(c.name, `spec.${field}[${i}].name`);
      const image = r.str(c.image, `spec.${field}[${i}].image`);
      if (name && image) images[name] = image;
      const res = r.rec(c.resources, `spec.${field}[${i}].resources`);
      const mem = res ? r.str(r.rec(res.limits, `spec.${field}[${i}].resources.limits`)?.memory, `spec.${field}[${i}].resources.limits.memory`) : undefined;
      if (name && mem) limits[name] = mem;
    });
  }
  const containers: ContainerStatus[] = [];
  for (const [field, init] of [
    ['initContainerStatuses', true],
    ['containerStatuses', false],
  ] as const) {
    r.recs(status[field], `status.${field}`).forEach((c, i) => {
      const p = `status.${field}[${i}]`;
      const name = r.str(c.name, `${p}.name`);
      if (!name) return;
      containers.push(shareStatus({
        name,
        init,
        image: images[name] ?? r.str(c.image, `${p}.image`) ?? '',
        ready: r.bool(c.ready, `${p}.ready`) ?? false,
        restartCount: r.num(c.restartCount, `${p}.restartCount`) ?? 0,
        current: containerState(r, c.state, `${p}.state`) ?? UNKNOWN_STATE,
        last: containerState(r, c.lastState, `${p}.lastState`),
      }));
    });
  }
  const phase = r.str(status.phase, 'status.phase');
  return {
    kind: 'Pod',
    meta,
    phase: phase ? intern(phase) : undefined,
    reason: r.str(status.reason, 'status.reason') || undefined,
    node: internOpt(r.str(spec.nodeName, 'spec.nodeName')),
    message: r.str(status.message, 'status.message') || undefined,
    startTime: r.time(status.startTime, 'status.startTime'),
    conditions: r.conditions(status.conditions, 'status.conditions', 'Pod'),
    images: shareRecord(images),
    memoryLimits: shareRecord(limits),
    containers: shareList(containers),
  };
}

/** A ReplicaSet is a link in the ownership chain Pod → ReplicaSet → Deployment; no check reads its
 *  replica counts or conditions (the Deployment's say the same, and are what checks judge). */
function replicaSet(meta: Meta): ReplicaSet {
  return { kind: 'ReplicaSet', meta };
}

function deployment(r: Reader, meta: Meta, spec: Rec, status: Rec): Deployment {
  const selector = r.rec(spec.selector, 'spec.selector');
  const template = r.rec(spec.template, 'spec.template');
  const tspec = r.rec(template?.spec, 'spec.template.spec');
  const templateContainers = tspec
    ? r.recs(tspec.containers, 'spec.template.spec.containers').flatMap((c, i) => {
        const n = r.str(c.name, `spec.template.spec.containers[${i}].name`);
        return n ? [n] : [];
      })
    : [];
  const out: Deployment = {
    kind: 'Deployment',
    meta,
    // An omitted spec.replicas means 1 (API default).
    replicas: r.num(spec.replicas, 'spec.replicas') ?? 1,
    selector: r.strMap(selector?.matchLabels, 'spec.selector.matchLabels'),
    statusReplicas: r.num(status.replicas, 'status.replicas') ?? 0,
    readyReplicas: r.num(status.readyReplicas, 'status.readyReplicas') ?? 0,
    availableReplicas: r.num(status.availableReplicas, 'status.availableReplicas') ?? 0,
    unavailableReplicas: r.num(status.unavailableReplicas, 'status.unavailableReplicas') ?? 0,
    updatedReplicas: r.num(status.updatedReplicas, 'status.updatedReplicas') ?? 0,
    conditions: r.conditions(status.conditions, 'status.conditions', 'Deployment'),
    templateContainers: names(templateContainers),
  };
  return out;
}

function service(r: Reader, meta: Meta, spec: Rec): Service {
  const sel = r.strMap(spec.selector, 'spec.selector');
  const out: Service = {
    kind: 'Service',
    meta,
    type: r.str(spec.type, 'spec.type') ?? 'ClusterIP',
    selector: Object.keys(sel).length > 0 ? sel : undefined,
    clusterIP: r.str(spec.clusterIP, 'spec.clusterIP') || undefined,
    ports: exact(r.recs(spec.ports, 'spec.ports').flatMap((p, i) => {
      const port = r.num(p.port, `spec.ports[${i}].port`);
      if (port === undefined) return [];
      const e: { name?: string; port: number; nodePort?: number } = { port };
      const name = r.str(p.name, `spec.ports[${i}].name`);
      if (name) e.name = name;
      const np = r.num(p.nodePort, `spec.ports[${i}].nodePort`);
      if (np !== undefined) e.nodePort = np;
      return [e];
    })),
  };
  return out;
}

function endpointSlice(r: Reader, meta: Meta, o: Rec, labels: Rec | undefined): EndpointSlice {
  let ready = 0;
  let notReady = 0;
  r.recs(o.endpoints, 'endpoints').forEach((e, i) => {
    const cond = r.rec(e.conditions, `endpoints[${i}].conditions`);
    // An unset ready condition means ready (discovery.k8s.io semantics).
    const isReady = r.bool(cond?.ready, `endpoints[${i}].conditions.ready`) ?? true;
    if (isReady) ready++;
    else notReady++;
  });
  // The Service's name is interned: the Service holds the same string.
  const service = r.str(labels?.['kubernetes.io/service-name'], 'metadata.labels.kubernetes.io/service-name');
  return { kind: 'EndpointSlice', meta, serviceName: service ? intern(service) : undefined, ready, notReady };
}

function endpoints(r: Reader, meta: Meta, o: Rec): Endpoints {
  let ready = 0;
  let notReady = 0;
  r.recs(o.subsets, 'subsets').forEach((s, i) => {
    ready += r.arr(s.addresses, `subsets[${i}].addresses`).length;
    notReady += r.arr(s.notReadyAddresses, `subsets[${i}].notReadyAddresses`).length;
  });
  return { kind: 'Endpoints', meta, ready, notReady };
}

function ingress(r: Reader, meta: Meta, spec: Rec, status: Rec, o: Rec): Ingress {
  const hosts = new Set<string>();
  const backends = new Set<string>();
  const addBackend = (b: Rec | undefined, p: string): void => {
    if (!b) return;
    // networking.k8s.io/v1: backend.service.name; v1beta1/extensions: backend.serviceName.
    const svc = r.rec(b.service, `${p}.service`);
    const name = svc ? r.str(svc.name, `${p}.service.name`) : r.str(b.serviceName, `${p}.serviceName`);
    if (name) backends.add(name);
  };
  addBackend(r.rec(spec.defaultBackend ?? spec.backend, 'spec.defaultBackend'), 'spec.defaultBackend');
  const rules = r.recs(spec.rules, 'spec.rules');
  rules.forEach((rule, i) => {
    const h = r.str(rule.host, `spec.rules[${i}].host`);
    if (h) hosts.add(h);
    const http = r.rec(rule.http, `spec.rules[${i}].http`);
    r.recs(http?.paths, `spec.rules[${i}].http.paths`).forEach((p, j) =>
      addBackend(r.rec(p.backend, `spec.rules[${i}].http.paths[${j}].backend`), `spec.rules[${i}].http.paths[${j}].backend`),
    );
  });
  const lb = r.rec(status.loadBalancer, 'status.loadBalancer');
  const loadBalancer = exact(r.recs(lb?.ingress, 'status.loadBalancer.ingress').flatMap((e, i) => {
    const a = r.str(e.ip, `status.loadBalancer.ingress[${i}].ip`) || r.str(e.hostname, `status.loadBalancer.ingress[${i}].hostname`);
    return a ? [a] : [];
  }));
  const out: Ingress = {
    kind: 'Ingress',
    meta,
    hosts: [...hosts].sort(),
    backendServices: [...backends].sort(),
    hasRules: rules.length > 0,
    loadBalancer,
  };
  // The class may still be given by the pre-1.18 annotation.
  const annotations = r.rec(r.rec(o.metadata, 'metadata')?.annotations, 'metadata.annotations');
  const cls = r.str(spec.ingressClassName, 'spec.ingressClassName') || r.str(annotations?.['kubernetes.io/ingress.class'], 'metadata.annotations');
  if (cls) out.className = cls;
  return out;
}

function configMap(r: Reader, meta: Meta, o: Rec): ConfigMap {
  // Only key names are kept: values may be large or sensitive, and no check needs them.
  const keys = new Set<string>();
  for (const field of ['data', 'binaryData']) {
    const d = r.rec(o[field], field);
    // A key longer than Kubernetes allows (253) is not one a check looks for.
    if (d) for (const k of Object.keys(d)) if (k.length <= 253) keys.add(k);
  }
  return { kind: 'ConfigMap', meta, keys: [...keys].sort() };
}

function certificate(r: Reader, meta: Meta, spec: Rec, status: Rec): Certificate {
  const issuerRef = r.rec(spec.issuerRef, 'spec.issuerRef');
  const out: Certificate = {
    kind: 'Certificate',
    meta,
    dnsNames: r.strs(spec.dnsNames, 'spec.dnsNames'),
    conditions: r.conditions(status.conditions, 'status.conditions', 'Certificate'),
  };
  const sn = r.str(spec.secretName, 'spec.secretName');
  if (sn) out.secretName = sn;
  const iss = issuerRef ? r.str(issuerRef.name, 'spec.issuerRef.name') : undefined;
  if (iss) out.issuer = bounded(`${r.str(issuerRef?.kind, 'spec.issuerRef.kind') ?? 'Issuer'}/${iss}`);
  const nb = r.time(status.notBefore, 'status.notBefore');
  if (nb !== undefined) out.notBefore = nb;
  const na = r.time(status.notAfter, 'status.notAfter');
  if (na !== undefined) out.notAfter = na;
  const rt = r.time(status.renewalTime, 'status.renewalTime');
  if (rt !== undefined) out.renewalTime = rt;
  const fia = r.num(status.failedIssuanceAttempts, 'status.failedIssuanceAttempts');
  if (fia !== undefined) out.failedIssuanceAttempts = fia;
  const lft = r.time(status.lastFailureTime, 'status.lastFailureTime');
  if (lft !== undefined) out.lastFailureTime = lft;
  return out;
}

function certificateRequest(r: Reader, meta: Meta, spec: Rec, status: Rec): CertificateRequest {
  const issuerRef = r.rec(spec.issuerRef, 'spec.issuerRef');
  const out: CertificateRequest = {
    kind: 'CertificateRequest',
    meta,
    conditions: r.conditions(status.conditions, 'status.conditions', 'CertificateRequest'),
  };
  const iss = issuerRef ? r.str(issuerRef.name, 'spec.issuerRef.name') : undefined;
  if (iss) out.issuer = bounded(`${r.str(issuerRef?.kind, 'spec.issuerRef.kind') ?? 'Issuer'}/${iss}`);
  const ft = r.time(status.failureTime, 'status.failureTime');
  if (ft !== undefined) out.failureTime = ft;
  return out;
}

function mcpServer(r: Reader, meta: Meta, spec: Rec, o: Rec): MCPServer {
  const gateway = r.rec(spec.gateway, 'spec.gateway');
  const auth = r.rec(spec.auth, 'spec.auth');
  const rollout = r.rec(spec.rollout, 'spec.rollout');
  const rawStatus = r.rec(o.status, 'status');
  const status = rawStatus ?? {};
  const flags: Partial<Record<ReadinessFlag, boolean>> = {};
  for (const f of READINESS_FLAGS) {
    const b = r.bool(status[f], `status.${f}`);
    if (b !== undefined) flags[f] = b;
  }
  const out: MCPServer = {
    kind: 'MCPServer',
    meta,
    spec: {
      // Defaults as the operator applies them (reference §1.1).
      replicas: r.num(spec.replicas, 'spec.replicas') ?? 1,
      gatewayEnabled: (gateway ? r.bool(gateway.enabled, 'spec.gateway.enabled') : undefined) ?? false,
      rolloutStrategy: (rollout ? r.str(rollout.strategy, 'spec.rollout.strategy') : undefined) || 'RollingUpdate',
      canaryReplicas: (rollout ? r.num(rollout.canaryReplicas, 'spec.rollout.canaryReplicas') : undefined) ?? 0,
      ingressClass: r.str(spec.ingressClass, 'spec.ingressClass') || 'traefik',
    },
    status: {
      present: rawStatus !== undefined && Object.keys(rawStatus).length > 0,
      flags,
      conditions: r.conditions(status.conditions, 'status.conditions'),
    },
  };
  const image = r.str(spec.image, 'spec.image');
  if (image) out.spec.image = image;
  const team = r.str(spec.teamID, 'spec.teamID');
  if (team) out.spec.teamID = team;
  const mode = auth ? r.str(auth.mode, 'spec.auth.mode') || 'header' : undefined;
  if (mode) out.spec.authMode = mode;
  const host = r.str(spec.ingressHost, 'spec.ingressHost');
  if (host) out.spec.ingressHost = host;
  const phase = r.str(status.phase, 'status.phase');
  if (phase) out.status.phase = phase;
  const msg = r.str(status.message, 'status.message');
  if (msg) out.status.message = msg;
  return out;
}
