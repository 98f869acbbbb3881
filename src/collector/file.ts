// Reads a saved dump (--from-file): JSON or YAML; a single object, a `kind: List` or typed `XList`
// (what `kubectl get a,b,c -A -o json|yaml` prints), a JSON array, or a multi-document YAML stream.
// Malformed input is an InputError naming the file and position; an odd object is noted and
// read around; unknown kinds are counted and ignored.

import { readFileSync } from 'node:fs';
import { parseAllDocuments } from 'yaml';
import { isKindName, KIND_NAMES, type KindName } from '../kube/kinds.ts';
import { normalize } from '../kube/normalize.ts';
import { stripUnreadFields } from '../kube/strip.ts';
import type { ObjectStore } from '../kube/store.ts';

export class InputError extends Error {
  override name = 'InputError';
}

export interface LoadReport {
  objects: number;
  /** Human notes: ignored kinds, fields read around. */
  notes: string[];
}

/** Line and column (1-based) of a character offset. */
export function lineCol(text: string, offset: number): { line: number; col: number } {
  let line = 1;
  let last = -1;
  for (let i = 0; i < offset && i < text.length; i++) {
    if (text.charCodeAt(i) === 10) {
      line++;
      last = i;
    }
  }
  return { line, col: offset - last };
}

export function readInput(path: string, stdin: () => string): { text: string; name: string } {
  if (path === '-') return { text: stdin(), name: '<stdin>' };
  try {
    return { text: readFileSync(path, 'utf8'), name: path };
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    throw new InputError(`${path}: cannot read the file (${code === 'ENOENT' ? 'no such file' : (code ?? String(err))})`);
  }
}

/** Parses the text into top-level documents. */
export function parseDocuments(text: string, name: string): unknown[] {
  const trimmed = text.replace(/^\uFEFF/, '');
  const first = /\S/.exec(trimmed)?.[0];
  if (first === undefined) throw new InputError(`${name}: the input is empty`);
  if (first === '{' || first === '[') {
    try {
      return [JSON.parse(stripUnreadFields(trimmed))];
    } catch {
      // Report the position in the text as the user wrote it, not in the stripped copy.
    }
    try {
      return [JSON.parse(trimmed)];
    } catch (err) {
      const msg = (err as Error).message;
      const pos = /position (\d+)/.exec(msg);
      const where = pos?.[1] ? (({ line, col }) => `line ${line}, column ${col}`)(lineCol(trimmed, Number(pos[1]))) : 'end of input';
      throw new InputError(`${name}: invalid JSON at ${where}: ${msg.replace(/ in JSON at position \d+.*$/, '').replace(/ \(line \d+ column \d+\)$/, '')}`);
    }
  }
  const docs = parseAllDocuments(trimmed, { prettyErrors: false });
  const out: unknown[] = [];
  const list = Array.isArray(docs) ? docs : [docs];
  for (const [i, d] of list.entries()) {
    const e = d.errors[0];
    if (e) {
      const off = e.pos[0];
      const where = Number.isFinite(off) ? (({ line, col }) => `line ${line}, column ${col}`)(lineCol(trimmed, off)) : `document ${i + 1}`;
      throw new InputError(`${name}: invalid YAML at ${where}: ${e.message.split('\n')[0]}`);
    }
    const v = d.toJS({ maxAliasCount: 100 }) as unknown;
    if (v !== null && v !== undefined) out.push(v);
  }
  if (out.length === 0) throw new InputError(`${name}: the input holds no objects`);
  return out;
}

interface Item {
  raw: unknown;
  where: string;
  fallback?: { kind?: string; apiVersion?: string };
}

/** Flattens Lists (kind List, typed XList), arrays and nesting into items with their position. */
function flatten(v: unknown, where: string, out: Item[], listed: Set<KindName>, fallback?: Item['fallback']): void {
  if (Array.isArray(v)) {
    v.forEach((e, i) => flatten(e, `${where}[${i}]`, out, listed, fallback));
    return;
  }
  if (typeof v === 'object' && v !== null) {
    const o = v as Record<string, unknown>;
    const kind = typeof o.kind === 'string' ? o.kind : undefined;
    if (Array.isArray(o.items) && (kind === undefined || kind.endsWith('List'))) {
      const itemKind = kind && kind !== 'List' ? kind.slice(0, -4) : undefined;
      // A typed list (PodList) says the kind was read, even when it holds nothing.
      if (itemKind && isKindName(itemKind)) listed.add(itemKind);
      const fb: Item['fallback'] = {};
      if (itemKind) fb.kind = itemKind;
      if (typeof o.apiVersion === 'string') fb.apiVersion = o.apiVersion;
      o.items.forEach((e, i) => flatten(e, `${where}.items[${i}]`, out, listed, fb));
      return;
    }
  }
  const item: Item = { raw: v, where };
  if (fallback) item.fallback = fallback;
  out.push(item);
}

function describe(raw: unknown): string {
  if (typeof raw !== 'object' || raw === null) return '';
  const o = raw as Record<string, unknown>;
  const m = (typeof o.metadata === 'object' && o.metadata !== null ? o.metadata : {}) as Record<string, unknown>;
  const k = typeof o.kind === 'string' ? o.kind : 'object';
  const n = typeof m.name === 'string' ? m.name : '?';
  const ns = typeof m.namespace === 'string' ? `${m.namespace}/` : '';
  return ` (${k} ${ns}${n})`;
}

/** Loads a dump into the store; kinds present in the input (or listed by a typed List) are synced. */
export function loadDocuments(docs: unknown[], name: string, store: ObjectStore, inScope: (ns: string) => boolean): LoadReport {
  const items: Item[] = [];
  const listed = new Set<KindName>();
  docs.forEach((d, i) => flatten(d, docs.length > 1 ? `document ${i + 1}` : 'root', items, listed));
  const notes: string[] = [];
  const ignoredKinds = new Map<string, number>();
  let objects = 0;
  for (const it of items) {
    const r = normalize(it.raw, it.fallback);
    if (!r.obj) {
      if (r.skipped?.startsWith('kind ')) {
        const k = /kind (\S+)/.exec(r.skipped)?.[1] ?? '?';
        ignoredKinds.set(k, (ignoredKinds.get(k) ?? 0) + 1);
      } else notes.push(`${name}: ${it.where}${describe(it.raw)}: skipped: ${r.skipped ?? 'unreadable'}`);
      continue;
    }
    if (r.notes.length > 0) notes.push(`${name}: ${it.where}${describe(it.raw)}: read around ${r.notes.join('; ')}`);
    listed.add(r.obj.kind);
    if (!inScope(r.obj.meta.namespace)) continue;
    store.upsert(r.obj);
    objects++;
  }
  if (ignoredKinds.size > 0) {
    const list = [...ignoredKinds.entries()].sort().map(([k, n]) => `${k} (${n})`);
    notes.push(`${name}: ignored kinds no check reads: ${list.join(', ')}`);
  }
  for (const k of KIND_NAMES) store.setSource(k, listed.has(k) ? { status: 'synced', coverage: 'partial' } : { status: 'not-loaded' });
  return { objects, notes };
}
