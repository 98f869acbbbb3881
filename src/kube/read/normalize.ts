// Turns what the API server (or a saved dump) gives into the compact projections of types.ts.
// Tolerant by design: a field of the wrong type is read around and noted, never thrown, so one odd
// object cannot stop the rest. The only hard failure is an object with no usable name.

import type { AnyObj, Meta, OwnerRef, SilenceAnnotation } from '../types.ts';
import { clean, MAX_ATTRIBUTE } from '../../util/redact.ts';
import { KINDS, apiVersionOf, displayKind, kindNamed, type KindName } from '../kinds.ts';
import type { Sharing } from './sharing.ts';
import { Reader } from './reader.ts';
import { project } from './projectors.ts';

type Rec = Record<string, unknown>;

export interface NormalizeResult {
  obj?: AnyObj;
  /** Why the object was not taken (unknown kind, no name). */
  skipped?: string;
  /** Fields that were present but unusable, each with its path. */
  notes: string[];
}

/** Resolves the kind of a raw object; `fallbackKind` is the item kind of an `XList` wrapper. */
export function kindOf(raw: Rec, fallbackKind?: string): string | undefined {
  const k = typeof raw.kind === 'string' && raw.kind !== '' ? raw.kind : fallbackKind;
  return k;
}

/** The projection of a raw object, its strings and repeated parts shared through `share` (the
 *  store's: ObjectStore.sharing). `fallback`: the kind and apiVersion of the list it came in. */
export function normalize(raw: unknown, share: Sharing, fallback?: { kind?: string; apiVersion?: string }): NormalizeResult {
  const r = new Reader(share);
  const o = r.rec(raw, '');
  if (!o) return { skipped: 'not an object', notes: r.notes };
  const kind = kindOf(o, fallback?.kind);
  if (!kind) return { skipped: 'no kind', notes: r.notes };
  const named = kindNamed(kind);
  if (!named) return { skipped: `kind ${kind} is not read by any check`, notes: r.notes };
  return normalizeKind(r, o, named, fallback);
}

function normalizeKind(r: Reader, o: Rec, kind: KindName, fallback?: { kind?: string; apiVersion?: string }): NormalizeResult {
  const apiVersion = r.str(o.apiVersion, 'apiVersion') || fallback?.apiVersion || apiVersionOf(KINDS[kind]);
  const info = KINDS[kind];
  // The table's own string: one copy for every object, without an intern lookup.
  const known = info.acceptedApiVersions.find((v) => v === apiVersion);
  if (known === undefined) {
    return { skipped: `${displayKind(kind)} of apiVersion ${apiVersion} is not understood`, notes: r.notes };
  }
  const meta = readMeta(r, o, known, kind);
  if (!meta) return { skipped: `${displayKind(kind)} without metadata.name`, notes: r.notes };
  const spec = r.rec(o.spec, 'spec') ?? {};
  const status = r.rec(o.status, 'status') ?? {};
  const obj = project(r, kind, meta, spec, status, o);
  return { obj, notes: r.notes };
}

/** Kinds the operator names after their MCPServer, and kinds that own other watched objects (their
 *  names and uids are in their children's owner references, which are interned). */
const NAMED_AFTER_SERVER: ReadonlySet<KindName> = new Set(['MCPServer', 'Deployment', 'Service', 'Ingress', 'Certificate']);
/** Kinds whose names other objects carry as a field (a pod's spec.nodeName and claims, a claim's
 *  storageClassName, a Certificate's issuerRef: interned). */
const NAMED_BY_FIELD: ReadonlySet<KindName> = new Set(['Node', 'PersistentVolumeClaim', 'StorageClass', 'Issuer', 'ClusterIssuer']);
const OWNERS: ReadonlySet<KindName> = new Set(['MCPServer', 'Deployment', 'ReplicaSet', 'Certificate', 'StatefulSet', 'DaemonSet']);

export function readMeta(r: Reader, o: Rec, apiVersion: string, kind: KindName): Meta | undefined {
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
    // A cluster-scoped object is held under '' whatever a dump says of its namespace.
    namespace: KINDS[kind].namespaced ? r.share.intern(r.str(m.namespace, 'metadata.namespace') || 'default') : '',
    name: NAMED_AFTER_SERVER.has(kind) || OWNERS.has(kind) || NAMED_BY_FIELD.has(kind) ? r.share.intern(name) : name,
    uid: uid !== undefined && OWNERS.has(kind) ? r.share.intern(uid) : uid,
    creationTimestamp: r.time(m.creationTimestamp, 'metadata.creationTimestamp'),
    deletionTimestamp: r.time(m.deletionTimestamp, 'metadata.deletionTimestamp'),
    labels: isPod ? r.strMap(m.labels, 'metadata.labels', true) : r.keptLabels(m.labels, 'metadata.labels'),
    owners: r.share.shareOwners(r.recs(m.ownerReferences, 'metadata.ownerReferences').flatMap((ref, i): OwnerRef[] => {
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
  const silence = silenceAnnotation(r, m);
  if (silence) meta.silence = silence;
  return meta;
}

/** The annotations that silence an object's incidents (and, on a Namespace or an MCPServer, those of
 *  what is in it): kept as written, redacted and bounded; engine/silences.ts reads them. */
export const SILENCE_UNTIL = 'health.mcpruntime.org/silence-until';
export const SILENCE_REASON = 'health.mcpruntime.org/silence-reason';

function silenceAnnotation(r: Reader, m: Rec): SilenceAnnotation | undefined {
  const ann = r.rec(m.annotations, 'metadata.annotations');
  const until = ann?.[SILENCE_UNTIL];
  if (typeof until !== 'string' || until.trim() === '') return undefined;
  const reason = ann?.[SILENCE_REASON];
  const out: SilenceAnnotation = { until: until.trim().slice(0, 64) };
  if (typeof reason === 'string' && reason.trim() !== '') out.reason = clean(reason.trim(), MAX_ATTRIBUTE);
  return out;
}
