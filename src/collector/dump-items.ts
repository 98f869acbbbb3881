// How a dump's items are named in notes and errors: what a value is, which object it is, its namespace.

import { isRecord } from '../util/json.ts';

/** What a value is, for an error that says what was found instead of an object. */
export function shape(v: unknown): string {
  if (v === null) return 'null';
  if (Array.isArray(v)) return `a list of ${v.length}`;
  if (typeof v !== 'object') return `${typeof v} ${JSON.stringify(v).slice(0, 40)}`;
  const keys = Object.keys(v);
  return keys.length === 0 ? 'an empty object' : `an object with keys ${keys.slice(0, 6).map((k) => JSON.stringify(k.slice(0, 40))).join(', ')}${keys.length > 6 ? ', …' : ''}`;
}

/** " (Kind ns/name)", for a note about an object. */
export function describe(raw: unknown): string {
  if (typeof raw !== 'object' || raw === null) return '';
  const o = raw as Record<string, unknown>;
  const m = (typeof o.metadata === 'object' && o.metadata !== null ? o.metadata : {}) as Record<string, unknown>;
  const k = typeof o.kind === 'string' ? o.kind : 'object';
  const n = typeof m.name === 'string' ? m.name : '?';
  const ns = typeof m.namespace === 'string' ? `${m.namespace}/` : '';
  return ` (${k} ${ns}${n})`;
}

/** The namespace an object says it is in, read before (and whether or not) it can be normalized. */
export function namespaceOf(raw: unknown): string | undefined {
  const m = isRecord(raw) ? raw.metadata : undefined;
  return isRecord(m) && typeof m.namespace === 'string' ? m.namespace : undefined;
}
