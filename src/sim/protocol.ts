// What the fake API server speaks and records: its options, the faults a test can inject, the record
// of each request, Status bodies, and a writer that trickles a response a few bytes at a time.

import type http from 'node:http';
import { apiVersionOf, type KindInfo, type KindName } from '../kube/kinds.ts';

export type Raw = Record<string, unknown> & { metadata?: { name?: string; namespace?: string; resourceVersion?: string } };

export interface FakeApiServerOptions {
  /** Required bearer token; unset accepts any request. */
  token?: string;
  /** Resources (plural, e.g. "pods") that answer 403. */
  forbidden?: Iterable<string>;
  /** API groups that are not installed (404 on discovery and lists), e.g. "cert-manager.io". */
  missingGroups?: Iterable<string>;
  /** Streaming lists (WATCH with sendInitialEvents=true), as Kubernetes 1.32+ serves them by
   * default; false answers them 422 as a server with the WatchList feature gate off does. */
  watchList?: boolean;
  /** Reads and writes of single objects of every served kind (sentinel-agent sim: kubectl's
   *  get, delete, patch, edit, scale); off, only Events and Leases are written. */
  objectWrites?: boolean;
}

export interface WatchEvent {
  rv: number;
  kind: KindName;
  namespace: string;
  type: 'ADDED' | 'MODIFIED' | 'DELETED';
  object: Raw;
}

export interface Watcher {
  kind: KindName;
  namespace: string | undefined;
  res: http.ServerResponse;
  bookmarks: boolean;
  timer?: NodeJS.Timeout;
  trickle?: Trickler;
}

/** Writes to a response a few bytes at a time, in order, until ended. */
export class Trickler {
  private queue = '';
  private timer?: NodeJS.Timeout;
  private ending = false;
  private readonly res: http.ServerResponse;
  private readonly t: { bytes: number; everyMs: number };

  constructor(res: http.ServerResponse, t: { bytes: number; everyMs: number }) {
    this.res = res;
    this.t = t;
    res.on('close', () => clearTimeout(this.timer));
  }

  write(text: string): void {
    this.queue += text;
    this.pump();
  }

  end(text = ''): void {
    this.queue += text;
    this.ending = true;
    this.pump();
  }

  private pump(): void {
    if (this.timer || this.res.destroyed) return;
    if (this.queue.length === 0) {
      if (this.ending) this.res.end();
      return;
    }
    this.res.write(this.queue.slice(0, this.t.bytes));
    this.queue = this.queue.slice(this.t.bytes);
    this.timer = setTimeout(() => {
      this.timer = undefined;
      this.pump();
    }, this.t.everyMs);
  }
}

export interface Fault {
  /** Which requests: watches, lists, or both (default). */
  watch?: boolean;
  kind?: KindName;
  /** How many requests to affect (default 1). */
  times?: number;
  /** Answer with this status (and a Status body)… */
  status?: number;
  headers?: Record<string, string>;
  /** …or accept the request and never answer. */
  hang?: boolean;
  /** 410 of a watch as an in-stream ERROR event rather than an HTTP status. */
  inStream?: boolean;
  /** A slow, trickling answer: the list body, or every watch event, written `bytes` at a time,
   *  one piece every `everyMs` (lines split across chunks, as a congested link delivers them). */
  trickle?: { bytes: number; everyMs: number };
  /** Items appended, as they are, to a list page (what no real API server sends: an object of
   *  another kind, a string). */
  extraItems?: unknown[];
}

export interface RequestRecord {
  method: string;
  path: string;
  query: Record<string, string>;
  status: number;
  /** The client accepts gzip; `encoding` says when the answer was compressed. */
  gzip?: boolean;
  encoding?: 'gzip';
}

export function status(code: number, reason: string, message: string): string {
  return JSON.stringify({ kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Failure', message, reason, code });
}

/** A kubeconfig for the fake server at url (plain HTTP, bearer token). */
export function fakeKubeconfig(url: string, token: string): string {
  return [
    'apiVersion: v1',
    'kind: Config',
    'clusters:',
    '- name: fake',
    '  cluster:',
    `    server: ${url}`,
    // A plain-HTTP server, as `kubectl proxy` serves: no insecure-skip-tls-verify is needed.
    'users:',
    '- name: fake',
    '  user:',
    `    token: ${token}`,
    'contexts:',
    '- name: fake',
    '  context: {cluster: fake, user: fake}',
    'current-context: fake',
    '',
  ].join('\n');
}

/** The first fault that matches the request, used up once (removed when its times are spent). */
export function takeFault(faults: Fault[], kind: KindName, isWatch: boolean): Fault | undefined {
  const i = faults.findIndex((f) => (f.kind === undefined || f.kind === kind) && (f.watch === undefined || f.watch === isWatch));
  if (i < 0) return undefined;
  const f = faults[i] as Fault;
  f.times = (f.times ?? 1) - 1;
  if (f.times <= 0) faults.splice(i, 1);
  return f;
}

/** One page of a LIST from a consistent snapshot (limit/continue, resourceVersion, remainingItemCount),
 *  its items without kind and apiVersion as the real API server sends them. */
export function listPage(info: KindInfo, q: URLSearchParams, rv: number, expireBefore: number, snapshot: (rv: number) => Raw[], extraItems: unknown[]): { code: number; body: string } {
  const limit = Number(q.get('limit') ?? '0');
  let offset = 0;
  let listRv = rv;
  const cont = q.get('continue');
  if (cont) {
    try {
      const t = JSON.parse(Buffer.from(cont, 'base64url').toString('utf8')) as { rv: number; offset: number };
      if (t.rv < expireBefore) return { code: 410, body: status(410, 'Expired', 'The provided continue parameter is too old to display a consistent list result.') };
      offset = t.offset;
      listRv = t.rv;
    } catch {
      return { code: 400, body: status(400, 'BadRequest', 'invalid continue token') };
    }
  }
  const all = snapshot(listRv);
  const end = limit > 0 ? Math.min(all.length, offset + limit) : all.length;
  const items: unknown[] = all.slice(offset, end).map((o) => {
    const rest: Raw = { ...o };
    delete rest.kind;
    delete rest.apiVersion;
    return rest;
  });
  items.push(...extraItems);
  const metadata: Record<string, unknown> = { resourceVersion: String(listRv) };
  if (end < all.length) {
    metadata.continue = Buffer.from(JSON.stringify({ rv: listRv, offset: end })).toString('base64url');
    metadata.remainingItemCount = all.length - end;
  }
  return { code: 200, body: JSON.stringify({ kind: `${info.kind}List`, apiVersion: apiVersionOf(info), metadata, items }) };
}
