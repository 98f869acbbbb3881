// The defensive reader: reads fields of a raw object by type, reads around what is of the wrong
// type and notes it, so one odd object never stops the rest.

import type { Condition, ConditionStatus } from '../types.ts';
import type { KindName } from '../kinds.ts';
import { clean, MAX_KEPT } from '../../util/redact.ts';
import { isRecord } from '../../util/json.ts';
import { EMPTY, exact, type Sharing } from './sharing.ts';
import { DROPPED_MESSAGES, KEPT_CONDITIONS, SERVER_LABELS, TRUE_SHARED, type KeptCondition } from '../projection.ts';

type Sets = Partial<Record<KindName, ReadonlySet<string>>>;
const sets = (t: Partial<Record<KindName, readonly string[]>>): Sets => Object.fromEntries(Object.entries(t).map(([k, v]) => [k, new Set(v)]));
const KEPT: Sets = sets(KEPT_CONDITIONS);
const SHARED_TRUE: Sets = sets(TRUE_SHARED);
const NO_MESSAGE: Sets = sets(DROPPED_MESSAGES);

type Rec = Record<string, unknown>;

/** Reads fields defensively and records what it had to ignore. */
export class Reader {
  readonly notes: string[] = [];

  /** The store's tables of what objects repeat (sharing.ts). */
  readonly share: Sharing;

  constructor(share: Sharing) {
    this.share = share;
  }

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
        out[k] = share ? s : this.share.intern(s);
        n++;
      }
    }
    if (n === 0) return EMPTY;
    return share ? this.share.shareRecord(out) : out;
  }

  /** The labels of an object other than a pod: the kept keys only, shared with every identical map
   *  (an MCPServer's Deployment, ReplicaSets, Service and Ingress all carry the same `app`). */
  keptLabels(v: unknown, path: string): Readonly<Record<string, string>> {
    const r = this.rec(v, path);
    if (!r) return EMPTY;
    let kept: Record<string, string> | undefined;
    for (const k of SERVER_LABELS) {
      const s = Object.hasOwn(r, k) ? this.str(r[k], `${path}.${k}`) : undefined;
      if (s !== undefined) (kept ??= {})[k] = s;
    }
    return kept ? this.share.shareRecord(kept) : EMPTY;
  }

  strs(v: unknown, path: string): readonly string[] {
    const out: string[] = [];
    this.arr(v, path).forEach((e, i) => {
      const s = this.str(e, `${path}[${i}]`);
      if (s !== undefined) out.push(s);
    });
    return exact(out);
  }

  /** The conditions the kind's projection keeps (kube/projection.ts), typed as those. */
  conditions<K extends KindName>(v: unknown, path: string, kind?: K): readonly Condition<KeptCondition<K>>[] {
    const keep = kind ? KEPT[kind] : undefined;
    const noMessage = kind ? NO_MESSAGE[kind] : undefined;
    const list = this.recs(v, path).flatMap((c, i) => {
      const p = `${path}[${i}]`;
      const type = this.str(c.type, `${p}.type`);
      if (!type || (keep && !keep.has(type))) return [];
      const raw = this.str(c.status, `${p}.status`);
      // A condition whose status is neither True nor False is Unknown (API semantics).
      const status: ConditionStatus = raw === 'True' || raw === 'False' ? raw : 'Unknown';
      // Healthy conditions whose details no check reads: one shared object per type.
      const reason = this.str(c.reason, `${p}.reason`);
      if (status === 'True' && kind && SHARED_TRUE[kind]?.has(type)) return [this.share.trueCondition(type, reason)];
      const out: Condition = {
        type: this.share.intern(type),
        status,
        reason: reason ? this.share.intern(reason) : undefined,
        message: (noMessage?.has(type) ? undefined : this.str(c.message, `${p}.message`)) || undefined,
        lastTransitionTime: this.time(c.lastTransitionTime, `${p}.lastTransitionTime`) ?? this.time(c.lastUpdateTime, `${p}.lastUpdateTime`),
        observedGeneration: this.num(c.observedGeneration, `${p}.observedGeneration`),
      };
      return [out];
    });
    // The filter above keeps exactly the kind's kept types: the list is of those.
    return (kind && SHARED_TRUE[kind] ? this.share.shareList(list) : exact(list)) as readonly Condition<KeptCondition<K>>[];
  }
}

/** The value as a JSON object, else undefined (without a note: for a field already read and noted). */
export function asRec(v: unknown): Rec | undefined {
  return isRecord(v) ? v : undefined;
}

function typeName(v: unknown): string {
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'a list';
  return typeof v === 'object' ? 'an object' : `${typeof v} ${JSON.stringify(v).slice(0, 30)}`;
}
