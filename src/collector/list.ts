// Reading a kind from the API server, the one way both readers do it: the watcher's reflectors and
// doctor's one-shot live read. Discovery of an optional kind, and a paged LIST (limit/continue) that
// restarts once when its continue token expires (410 Gone: the list outlived etcd's compaction
// window), projects each page as it arrives, rejects objects that are not of the kind asked for, and
// turns each refusal into one error: Unavailable (forbidden, not installed: a state to report, not a
// failure to retry fast), Throttled (429, with the server's Retry-After), or BadAnswer naming the
// kind (any other answer); a network error is the client's own.

import { KINDS, describeKind, displayKind, kindQuery, type KindName } from '../kube/kinds.ts';
import { normalize } from '../kube/read/normalize.ts';
import type { Sharing } from '../kube/read/sharing.ts';
import { stripUnreadFields } from '../kube/read/strip.ts';
import type { AnyObj, SourceState } from '../kube/types.ts';
import type { KubeClient, KubeResponse } from './kube-client.ts';
import { isRecord } from '../util/json.ts';

export const PAGE_SIZE = 500;

export function listPath(kind: KindName, namespace?: string): string {
  const k = KINDS[kind];
  const root = k.group === '' ? `/api/${k.version}` : `/apis/${k.group}/${k.version}`;
  return namespace && k.namespaced ? `${root}/namespaces/${encodeURIComponent(namespace)}/${k.plural}` : `${root}/${k.plural}`;
}

/** The message of a Kubernetes Status body, else the HTTP status. */
export function statusMessage(r: KubeResponse): string {
  try {
    const s = JSON.parse(r.body) as { message?: unknown };
    if (typeof s.message === 'string') return s.message.slice(0, 300);
  } catch {
    /* not a Status object */
  }
  return `HTTP ${r.status}`;
}

/** The kind cannot be read, and that is its state (forbidden, not installed), not a failure. */
export class Unavailable extends Error {
  readonly state: SourceState;
  constructor(state: SourceState) {
    super(state.detail ?? state.status);
    this.state = state;
  }
}

/** The API server answered 429: wait waitMs (its Retry-After) before asking again. */
export class Throttled extends Error {
  readonly waitMs: number;
  constructor(waitMs: number) {
    super(`throttled for ${waitMs} ms`);
    this.waitMs = waitMs;
  }
}

export function retryAfterMs(r: KubeResponse, now = Date.now()): number {
  const h = r.headers['retry-after'];
  const v = Array.isArray(h) ? h[0] : h;
  const n = Number(v);
  if (v !== undefined && v !== '' && Number.isFinite(n) && n >= 0) return n * 1000;
  const t = v ? Date.parse(v) : NaN;
  return Number.isNaN(t) ? 1000 : Math.max(0, t - now);
}

/** The server answered, but not with what was asked for (another status, a body that is not a
 *  list): the kind is failing; unlike a network error, the server is there. */
export class BadAnswer extends Error {}

/** The error for an answer other than 200 to a request about a kind. */
export function refusal(r: KubeResponse, what: string): Error {
  if (r.status === 429) return new Throttled(retryAfterMs(r));
  if (r.status === 403) return new Unavailable({ status: 'forbidden', detail: statusMessage(r) });
  if (r.status === 404) return new Unavailable({ status: 'absent', detail: statusMessage(r) });
  return new BadAnswer(`${what} answered ${r.status}: ${statusMessage(r)}`);
}

/** Whether an object on a kind's list or stream is of that kind (a kind or apiVersion it does not
 *  name is taken as the request's, as a real API server always names both). */
export function ofThisKind(o: Record<string, unknown>, kind: KindName): boolean {
  if (o.kind !== undefined && o.kind !== displayKind(kind)) return false;
  return o.apiVersion === undefined || (typeof o.apiVersion === 'string' && KINDS[kind].acceptedApiVersions.includes(o.apiVersion));
}

/**
 * Whether an optional kind (a CRD) is served: throws Unavailable when its group/version or its
 * resource is not there, an Error when discovery fails otherwise. A forbidden discovery document
 * lets the list say what it can. Built-in kinds are not asked about.
 */
export async function checkServed(client: KubeClient, kind: KindName): Promise<void> {
  const k = KINDS[kind];
  if (!k.optional) return;
  const r = await client.get(`/apis/${k.group}/${k.version}`);
  if (r.status === 404) throw new Unavailable({ status: 'absent', detail: `${k.group}/${k.version} is not served` });
  if (r.status === 403) return;
  if (r.status !== 200) throw new BadAnswer(`discovery of ${k.group}/${k.version} answered ${statusMessage(r)}`);
  let doc: { resources?: { name?: string }[] };
  try {
    doc = JSON.parse(r.body) as typeof doc;
  } catch {
    throw new BadAnswer(`the discovery document of ${k.group}/${k.version} is not JSON`);
  }
  if (!Array.isArray(doc.resources) || !doc.resources.some((x) => x.name === k.plural)) throw new Unavailable({ status: 'absent', detail: `${k.plural} not in ${k.group}/${k.version}` });
}

export interface PagedListOptions {
  pageSize: number;
  /** The tables of the store the objects go into (normalize). */
  sharing: Sharing;
  /** The longest one page may take, however steadily its bytes trickle in. */
  deadlineMs?: number;
  inScope(namespace: string): boolean;
  /** Each request made (a page, or a restart). */
  onRequest?(): void;
  /** An item that is not an object of the kind, skipped. */
  onRejected?(): void;
  /** What the reader had to read around in an object (normalize's notes). */
  onNotes?(obj: AnyObj, notes: readonly string[]): void;
}

/** A paged LIST of one kind (in one namespace, when given): every object in scope, and the list's
 *  resourceVersion to watch from. Throws Unavailable, Throttled or an Error naming the kind. */
export async function pagedList(client: KubeClient, kind: KindName, namespace: string | undefined, opts: PagedListOptions): Promise<{ objs: AnyObj[]; resourceVersion: string }> {
  const objs: AnyObj[] = [];
  let cont: string | undefined;
  let rv = '';
  let restarted = false;
  do {
    const q = kindQuery(kind, { limit: String(opts.pageSize) });
    if (cont) q.set('continue', cont);
    const r = await client.get(`${listPath(kind, namespace)}?${q.toString()}`, opts.deadlineMs !== undefined ? { deadlineMs: opts.deadlineMs } : undefined);
    opts.onRequest?.();
    if (r.status === 410 && cont && !restarted) {
      restarted = true;
      cont = undefined;
      objs.length = 0;
      continue;
    }
    if (r.status !== 200) throw refusal(r, `LIST ${kind}`);
    let page: { apiVersion?: unknown; items?: unknown; metadata?: { continue?: unknown; resourceVersion?: unknown } };
    try {
      page = JSON.parse(stripUnreadFields(r.body)) as typeof page;
    } catch {
      throw new BadAnswer(`the ${describeKind(kind)} list is not JSON`);
    }
    if (!isRecord(page)) throw new BadAnswer(`the ${describeKind(kind)} list is not a JSON object`);
    const fb = { kind: displayKind(kind), ...(typeof page.apiVersion === 'string' ? { apiVersion: page.apiVersion } : {}) };
    for (const raw of Array.isArray(page.items) ? (page.items as unknown[]) : []) {
      if (!isRecord(raw) || !ofThisKind(raw, kind)) {
        opts.onRejected?.();
        continue;
      }
      const n = normalize(raw, opts.sharing, fb);
      if (!n.obj) continue;
      if (n.notes.length > 0) opts.onNotes?.(n.obj, n.notes);
      if (opts.inScope(n.obj.meta.namespace)) objs.push(n.obj);
    }
    const meta = isRecord(page.metadata) ? page.metadata : {};
    if (typeof meta.resourceVersion === 'string') rv = meta.resourceVersion;
    cont = typeof meta.continue === 'string' && meta.continue !== '' ? meta.continue : undefined;
  } while (cont);
  return { objs, resourceVersion: rv };
}
