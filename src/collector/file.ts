// Reads a saved dump (--from-file): JSON or YAML; a single object, a `kind: List` or typed `XList`
// (what `kubectl get a,b,c -A -o json|yaml` prints), a JSON array, or a multi-document YAML stream.
// Malformed input is an InputError naming the file and position; an odd object is noted and
// read around; unknown kinds are counted and ignored.

import { closeSync, fstatSync, openSync, readFileSync, readSync } from 'node:fs';
import { parseAllDocuments } from 'yaml';
import { kindNamed, KIND_NAMES, KINDS, matchesKindSelector, type KindName } from '../kube/kinds.ts';
import { normalize } from '../kube/read/normalize.ts';
import { gatewayDefaultOf } from './crd-defaults.ts';
import { skipSpace, skipString, skipValue, stripUnreadFields } from '../kube/read/strip.ts';
import type { ObjectStore } from '../kube/store.ts';
import { describe, namespaceOf, shape } from './dump-items.ts';

export class InputError extends Error {
  override name = 'InputError';
}

export interface LoadReport {
  objects: number;
  /** Objects of a kind the checks read, in scope or not, and kinds a typed List said were read:
   *  zero of both means the input is not a dump of this cluster's objects. */
  recognized: number;
  /** What the input held instead, when nothing was recognized. */
  found: string;
  /** Human notes: ignored kinds, fields read around. */
  notes: string[];
  /** The default of spec.gateway.enabled the dump's MCPServer CRD declares, if it holds it. */
  gatewayDefault?: boolean;
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

export class InputTooLarge extends Error {
  override name = 'InputTooLarge';
}

/** Reads a file descriptor to its end, refusing past maxBytes (a /dev/zero reads forever). */
export function readBounded(fd: number, maxBytes: number): string {
  const chunks: Buffer[] = [];
  let total = 0;
  const buf = Buffer.allocUnsafe(1 << 20);
  for (;;) {
    let n: number;
    try {
      n = readSync(fd, buf, 0, buf.length, null);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'EAGAIN') continue;
      if ((err as NodeJS.ErrnoException).code === 'EOF') break;
      throw err;
    }
    if (n === 0) break;
    total += n;
    if (total > maxBytes) throw new InputTooLarge(`more than ${maxBytes} bytes`);
    chunks.push(Buffer.from(buf.subarray(0, n)));
  }
  return Buffer.concat(chunks, total).toString('utf8');
}

/** Limits on what doctor reads from a file: size, nesting of Lists and arrays, YAML aliases. */
export interface InputLimits {
  maxBytes: number;
  maxDepth: number;
  maxAliases: number;
}

export const DEFAULT_INPUT_LIMITS: InputLimits = { maxBytes: 512 * 1024 * 1024, maxDepth: 64, maxAliases: 100 };

function mib(n: number): string {
  return n >= 1048576 ? `${Math.round(n / 1048576)} MiB` : `${n} bytes`;
}

export function readInput(path: string, stdin: (maxBytes: number) => string, limits: InputLimits = DEFAULT_INPUT_LIMITS): { text: string; name: string } {
  const name = path === '-' ? '<stdin>' : path;
  const tooLarge = (): never => {
    throw new InputError(`${name}: larger than the input limit of ${mib(limits.maxBytes)}; refused (raise it with --max-input)`);
  };
  let text: string;
  try {
    if (path === '-') text = stdin(limits.maxBytes);
    else {
      const fd = openSync(path, 'r');
      try {
        // A regular file is refused by its size and read whole (one copy); a device or a pipe
        // (/dev/zero) has no size to trust and is read in bounded chunks.
        const st = fstatSync(fd);
        if (st.isFile()) {
          if (st.size > limits.maxBytes) tooLarge();
          text = readFileSync(fd, 'utf8');
        } else text = readBounded(fd, limits.maxBytes);
      } finally {
        closeSync(fd);
      }
    }
  } catch (err) {
    if (err instanceof InputTooLarge) return tooLarge();
    const code = (err as NodeJS.ErrnoException).code;
    throw new InputError(`${name}: cannot read the ${path === '-' ? 'input' : 'file'} (${code === 'ENOENT' ? 'no such file' : (code ?? String(err))})`);
  }
  // Standard input from the tests' IO (a string) is bounded here; a string is never larger in UTF-8
  // than 3 bytes per UTF-16 unit, so the exact count is needed only near the limit.
  if (text.length * 3 > limits.maxBytes && Buffer.byteLength(text) > limits.maxBytes) tooLarge();
  return { text, name };
}

/**
 * The elements of a JSON array within a text, each parsed when it is reached: a dump of a large
 * cluster is one List, and parsing it whole holds every object's full tree at once. The elements'
 * extents were found when the array was (their brackets and strings balanced); an element that does
 * not parse calls `invalid`, which throws.
 */
export class JsonArrayItems implements Iterable<unknown> {
  private readonly text: string;
  /** Start and end offsets of each element, in pairs. */
  private readonly spans: readonly number[];
  private readonly invalid: () => never;

  constructor(text: string, spans: readonly number[], invalid: () => never) {
    this.text = text;
    this.spans = spans;
    this.invalid = invalid;
  }

  *[Symbol.iterator](): Iterator<unknown> {
    for (let k = 0; k < this.spans.length; k += 2) {
      let v: unknown;
      try {
        v = JSON.parse(this.text.slice(this.spans[k], this.spans[k + 1]));
      } catch {
        this.invalid();
      }
      yield v;
    }
  }
}

/** The extents of the elements of the array whose `[` is at `open`, and the index past its `]`; or
 *  undefined when it is not well formed. */
function arraySpans(s: string, open: number): { spans: number[]; end: number } | undefined {
  const spans: number[] = [];
  let i = skipSpace(s, open + 1);
  if (s.charCodeAt(i) === 93) return { spans, end: i + 1 };
  for (;;) {
    const end = skipValue(s, i);
    if (end < 0) return undefined;
    spans.push(i, end);
    i = skipSpace(s, end);
    const c = s.charCodeAt(i);
    if (c === 93) return { spans, end: i + 1 };
    if (c !== 44) return undefined;
    i = skipSpace(s, i + 1);
  }
}

/**
 * A top-level JSON array, or an object whose `items` is an array (a List), with the items left to
 * be parsed one at a time; undefined for any other shape, or when the text is not well formed (the
 * whole parse then says where). The text is scanned once.
 */
function lazyJson(s: string, invalid: () => never): unknown {
  const start = skipSpace(s, 0);
  if (s.charCodeAt(start) === 91) {
    const a = arraySpans(s, start);
    return a && skipSpace(s, a.end) === s.length ? new JsonArrayItems(s, a.spans, invalid) : undefined;
  }
  if (s.charCodeAt(start) !== 123) return undefined;
  const members: Record<string, unknown> = {};
  let items: number[] | undefined;
  let i = skipSpace(s, start + 1);
  if (s.charCodeAt(i) === 125) return undefined;
  for (;;) {
    if (s.charCodeAt(i) !== 34) return undefined;
    const keyEnd = skipString(s, i);
    if (keyEnd < 0) return undefined;
    const colon = skipSpace(s, keyEnd);
    if (s.charCodeAt(colon) !== 58) return undefined;
    const v = skipSpace(s, colon + 1);
    let vEnd: number;
    try {
      const key = JSON.parse(s.slice(i, keyEnd)) as string;
      const a = key === 'items' && s.charCodeAt(v) === 91 ? arraySpans(s, v) : undefined;
      vEnd = a ? a.end : skipValue(s, v);
      if (vEnd < 0) return undefined;
      // As JSON.parse would have it, a repeated key's last value wins.
      if (key === 'items') items = a?.spans;
      if (a) delete members.items;
      else members[key] = JSON.parse(s.slice(v, vEnd));
    } catch {
      return undefined;
    }
    i = skipSpace(s, vEnd);
    if (s.charCodeAt(i) === 125) break;
    if (s.charCodeAt(i) !== 44) return undefined;
    i = skipSpace(s, i + 1);
  }
  if (skipSpace(s, i + 1) !== s.length) return undefined;
  const kind = members.kind;
  if (items === undefined || (kind !== undefined && !(typeof kind === 'string' && kind.endsWith('List')))) return undefined;
  members.items = new JsonArrayItems(s, items, invalid);
  return members;
}

/** Parses the text into top-level documents. A JSON List or array comes back with its items left to
 *  be parsed one at a time (JsonArrayItems). */
export function parseDocuments(text: string, name: string, limits: InputLimits = DEFAULT_INPUT_LIMITS): unknown[] {
  try {
    return parseDocumentsUnbounded(text, name, limits);
  } catch (err) {
    // The parsers recurse: input nested past what the stack holds is an input error, not a crash.
    if (err instanceof RangeError) throw new InputError(`${name}: nested too deeply to read (limit ${limits.maxDepth} levels of Lists and arrays)`);
    throw err;
  }
}

function parseDocumentsUnbounded(text: string, name: string, limits: InputLimits): unknown[] {
  const trimmed = text.replace(/^\uFEFF/, '');
  const first = /\S/.exec(trimmed)?.[0];
  if (first === undefined) throw new InputError(`${name}: the input is empty`);
  if (first === '{' || first === '[') {
    // Where the text is not valid JSON, the position is reported in the text as the user wrote it,
    // not in the stripped copy.
    const invalid = (): never => {
      parseJson(trimmed, name);
      throw new InputError(`${name}: invalid JSON`);
    };
    const stripped = stripUnreadFields(trimmed);
    const lazy = lazyJson(stripped, invalid);
    if (lazy !== undefined) return [lazy];
    try {
      return [JSON.parse(stripped)];
    } catch {
      return [parseJson(trimmed, name)];
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
    let v: unknown;
    try {
      v = d.toJS({ maxAliasCount: limits.maxAliases }) as unknown;
    } catch (err) {
      if (err instanceof RangeError) throw err;
      // An alias bomb (a billion laughs) is refused by the parser's alias budget.
      throw new InputError(`${name}: document ${i + 1}: ${(err as Error).message.split('\n')[0]} (limit: ${limits.maxAliases} aliases, --max-aliases)`);
    }
    if (v !== null && v !== undefined) out.push(v);
  }
  if (out.length === 0) throw new InputError(`${name}: the input holds no objects`);
  return out;
}

function parseJson(text: string, name: string): unknown {
  try {
    return JSON.parse(text);
  } catch (err) {
    const msg = (err as Error).message;
    const pos = /position (\d+)/.exec(msg);
    const where = pos?.[1] ? (({ line, col }) => `line ${line}, column ${col}`)(lineCol(text, Number(pos[1]))) : 'end of input';
    throw new InputError(`${name}: invalid JSON at ${where}: ${msg.replace(/ in JSON at position \d+.*$/, '').replace(/ \(line \d+ column \d+\)$/, '')}`);
  }
}

interface Item {
  raw: unknown;
  where: string;
  fallback?: { kind?: string; apiVersion?: string };
}

/** Flattens Lists (kind List, typed XList), arrays and nesting into items with their position, one
 *  at a time (a JsonArrayItems is parsed as it is reached). */
function* flatten(v: unknown, where: string, listed: Set<KindName>, maxDepth: number, fallback?: Item['fallback'], depth = 0): Generator<Item> {
  if (depth > maxDepth) throw new InputError(`${where.slice(0, 80)}…: Lists and arrays nested deeper than ${maxDepth} levels (--max-depth)`);
  if (Array.isArray(v) || v instanceof JsonArrayItems) {
    let i = 0;
    for (const e of v as Iterable<unknown>) yield* flatten(e, `${where}[${i++}]`, listed, maxDepth, fallback, depth + 1);
    return;
  }
  if (typeof v === 'object' && v !== null) {
    const o = v as Record<string, unknown>;
    const kind = typeof o.kind === 'string' ? o.kind : undefined;
    if ((Array.isArray(o.items) || o.items instanceof JsonArrayItems) && (kind === undefined || kind.endsWith('List'))) {
      const itemKind = kind && kind !== 'List' ? kind.slice(0, -4) : undefined;
      // A typed list (PodList) says the kind was read, even when it holds nothing.
      const listedKind = itemKind ? kindNamed(itemKind) : undefined;
      if (listedKind) listed.add(listedKind);
      const fb: Item['fallback'] = {};
      if (itemKind) fb.kind = itemKind;
      if (typeof o.apiVersion === 'string') fb.apiVersion = o.apiVersion;
      let i = 0;
      for (const e of o.items as Iterable<unknown>) yield* flatten(e, `${where}.items[${i++}]`, listed, maxDepth, fb, depth + 1);
      return;
    }
  }
  const item: Item = { raw: v, where };
  if (fallback) item.fallback = fallback;
  yield item;
}

/** Loads a dump into the store; kinds present in the input (or listed by a typed List) are synced. */
export function loadDocuments(docs: unknown[], name: string, store: ObjectStore, inScope: (ns: string) => boolean, limits: InputLimits = DEFAULT_INPUT_LIMITS): LoadReport {
  const listed = new Set<KindName>();
  const notes: string[] = [];
  const ignoredKinds = new Map<string, number>();
  const unselected = new Map<KindName, number>();
  let objects = 0;
  let recognized = 0;
  let [items_, gatewayDefault]: [number, boolean | undefined] = [0, undefined];
  const unreadable: string[] = [];
  const items = function* (): Generator<Item> {
    for (const [i, d] of docs.entries()) yield* flatten(d, docs.length > 1 ? `document ${i + 1}` : 'root', listed, limits.maxDepth);
  };
  const all = items();
  for (;;) {
    let next: IteratorResult<Item>;
    try {
      next = all.next();
    } catch (err) {
      if (err instanceof InputError) throw new InputError(`${name}: ${err.message}`);
      throw err;
    }
    if (next.done) break;
    const it = next.value;
    // The MCPServer CRD (`kubectl get crd mcpservers.mcpruntime.org`) says what an omitted gateway.enabled means.
    const crdDefault = gatewayDefaultOf(it.raw);
    if (crdDefault !== undefined) {
      [gatewayDefault, recognized] = [crdDefault, recognized + 1];
      continue;
    }
    const r = normalize(it.raw, store.sharing, it.fallback);
    items_++;
    // What is outside the namespaces asked for is not read, so nothing is said about it either.
    const ns = r.obj ? r.obj.meta.namespace : namespaceOf(it.raw);
    const outside = ns !== undefined && !inScope(ns);
    if (!r.obj) {
      if (outside) continue;
      if (unreadable.length < 3) unreadable.push(`${it.where}: ${shape(it.raw)} (${r.skipped ?? 'unreadable'})`);
      if (r.skipped?.startsWith('kind ')) {
        const k = /kind (\S+)/.exec(r.skipped)?.[1] ?? '?';
        ignoredKinds.set(k, (ignoredKinds.get(k) ?? 0) + 1);
      } else notes.push(`${name}: ${it.where}${describe(it.raw)}: skipped: ${r.skipped ?? 'unreadable'}`);
      continue;
    }
    listed.add(r.obj.kind);
    // As live: only the objects a kind's selectors admit (the operator's ConfigMaps, Warning Events).
    if (!matchesKindSelector(r.obj.kind, it.raw)) {
      if (!outside) unselected.set(r.obj.kind, (unselected.get(r.obj.kind) ?? 0) + 1);
      continue;
    }
    recognized++;
    if (outside) continue;
    if (r.notes.length > 0) notes.push(`${name}: ${it.where}${describe(it.raw)}: read around ${r.notes.join('; ')}`);
    store.upsert(r.obj);
    objects++;
  }
  for (const [k, n] of unselected) notes.push(`${name}: ${n} ${k} object(s) without ${[KINDS[k].labelSelector, KINDS[k].fieldSelector].filter(Boolean).join(', ')} not read (no check needs them)`);
  if (ignoredKinds.size > 0) {
    const list = [...ignoredKinds.entries()].sort().map(([k, n]) => `${k} (${n})`);
    notes.push(`${name}: ignored kinds no check reads: ${list.join(', ')}`);
  }
  for (const k of KIND_NAMES) store.setSource(k, listed.has(k) ? { status: 'synced', coverage: 'partial' } : { status: 'not-loaded' });
  let found = '';
  if (recognized === 0) {
    if (ignoredKinds.size > 0) found = `only kinds no check reads: ${[...ignoredKinds.entries()].sort().map(([k, n]) => `${k} (${n})`).join(', ')}`;
    else if (items_ === 0) found = 'an empty list';
    else found = unreadable.join('; ');
  }
  return { objects, notes, recognized: recognized + listed.size, found, ...(gatewayDefault !== undefined ? { gatewayDefault } : {}) };
}
