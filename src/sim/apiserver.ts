// A simulated Kubernetes API server over real HTTP, faithful at the protocol level for what the
// agent uses: /version, discovery (/api, /apis, /apis/<group>/<version>), LIST of namespaced kinds
// cluster-wide or per namespace with limit/continue and resourceVersion, WATCH as a chunked stream of
// JSON lines from a resourceVersion with bookmarks and timeoutSeconds, bearer-token auth, and Status
// errors (401, 403 for a forbidden resource, 404 for a group that is not installed, 410 for an
// expired continue token or a compacted resourceVersion, as HTTP status or in-stream ERROR).
// Faults can be injected: failures with any status (and Retry-After), hung requests, dropped watch
// connections, malformed lines. Used by the tests, the benchmarks and `sentinel-agent demo`.

import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { gzipSync } from 'node:zlib';
import { KINDS, apiVersionOf, kindNamed, type KindInfo, type KindName } from '../kube/kinds.ts';
import { Trickler, fakeKubeconfig, listPage, status, takeFault, type Fault, type FakeApiServerOptions, type Raw, type RequestRecord, type WatchEvent, type Watcher } from './protocol.ts';
import { leaseRequest, writeRequest, type WriteContext } from './writes.ts';
import { discovery, servedKinds } from './discovery.ts';
import { objectPath, objectRequest } from './object-writes.ts';

export class FakeApiServer {
  readonly requests: RequestRecord[] = [];
  private readonly objects = new Map<KindName, Map<string, Raw>>();
  private readonly forbidden: Set<string>;
  private readonly missing: Set<string>;
  private rv = 1000;
  private server?: http.Server;
  /** Continue tokens older than this resourceVersion are expired (410). */
  expireContinueBefore = 0;
  /** Watches from a resourceVersion older than this get 410 Gone (etcd compaction). */
  private compactedBefore = 0;
  /** 410 for a compacted resourceVersion as an in-stream ERROR event (as the watch cache does). */
  goneInStream = true;
  /** Scale applied to timeoutSeconds of watches (tests shorten watches). */
  watchTimeoutScale = 1;
  private history: WatchEvent[] = [];
  private readonly watchers = new Set<Watcher>();
  private readonly faults: Fault[] = [];
  private readonly hung = new Set<http.ServerResponse>();

  private readonly opts: FakeApiServerOptions;

  constructor(opts: FakeApiServerOptions = {}) {
    this.opts = opts;
    this.forbidden = new Set(opts.forbidden ?? []);
    this.missing = new Set(opts.missingGroups ?? []);
  }

  /** Adds or replaces objects (raw, as `kubectl get -o json` would show them). */
  apply(...objs: Raw[]): void {
    for (const o of objs) {
      const kind = kindNamed(String(o.kind));
      const info = kind ? KINDS[kind] : undefined;
      if (!kind || !info) throw new Error(`fake API server: kind ${String(o.kind)} is not served`);
      const md = (o.metadata ??= {});
      // A cluster-scoped object (a Node) has no namespace; it is kept under ''.
      if (info.namespaced) md.namespace ??= 'default';
      else delete md.namespace;
      md.resourceVersion = String(++this.rv);
      let m = this.objects.get(kind);
      if (!m) this.objects.set(kind, (m = new Map()));
      const key = `${md.namespace ?? ''}/${md.name ?? ''}`;
      const type = m.has(key) ? 'MODIFIED' : 'ADDED';
      const copy = structuredClone(o);
      m.set(key, copy);
      this.publish({ rv: this.rv, kind, namespace: md.namespace ?? '', type, object: copy });
      for (const h of this.writeHooks) h(kind, structuredClone(copy));
    }
  }

  private readonly writeHooks: ((kind: KindName, obj: Raw) => void)[] = [];

  /** Called after every write of an object (a stand-in controller reacts to it: sim/playground.ts). */
  onWrite(fn: (kind: KindName, obj: Raw) => void): void {
    this.writeHooks.push(fn);
  }

  /** Every object of a kind, as copies. */
  all(kind: KindName): Raw[] {
    return [...(this.objects.get(kind)?.values() ?? [])].map((o) => structuredClone(o));
  }

  /** Deletes an object; returns whether it existed. */
  delete(kind: KindName, namespace: string, name: string): boolean {
    const m = this.objects.get(kind);
    const o = m?.get(`${namespace}/${name}`);
    if (!m || !o) return false;
    m.delete(`${namespace}/${name}`);
    const gone = structuredClone(o);
    (gone.metadata ??= {}).resourceVersion = String(++this.rv);
    this.publish({ rv: this.rv, kind, namespace, type: 'DELETED', object: gone });
    return true;
  }

  /** Deletes an object without telling the watches (an event lost during a disconnection). */
  deleteSilently(kind: KindName, namespace: string, name: string): void {
    this.objects.get(kind)?.delete(`${namespace}/${name}`);
    this.rv++;
  }

  get(kind: KindName, namespace: string, name: string): Raw | undefined {
    const o = this.objects.get(kind)?.get(`${namespace}/${name}`);
    return o ? structuredClone(o) : undefined;
  }

  count(kind: KindName): number {
    return this.objects.get(kind)?.size ?? 0;
  }

  get resourceVersion(): number {
    return this.rv;
  }

  /** Forgets the event history: watches from an older resourceVersion get 410 Gone. */
  compact(): void {
    this.history = [];
    this.compactedBefore = this.rv + 1;
  }

  /** Injects a fault for the next matching requests. */
  fault(f: Fault): void {
    this.faults.push({ times: 1, ...f });
  }

  clearFaults(): void {
    this.faults.length = 0;
  }

  /** Closes every open watch connection abruptly (a dropped connection). */
  dropWatches(): void {
    for (const w of this.watchers) {
      clearTimeout(w.timer);
      w.res.socket?.destroy();
    }
    this.watchers.clear();
  }

  /** Sends a BOOKMARK with the current resourceVersion to every watch that asked for them. */
  bookmark(): void {
    for (const w of this.watchers) {
      if (!w.bookmarks) continue;
      const info = KINDS[w.kind];
      const apiVersion = apiVersionOf(info);
      w.res.write(`${JSON.stringify({ type: 'BOOKMARK', object: { kind: w.kind, apiVersion, metadata: { resourceVersion: String(this.rv) } } })}\n`);
    }
  }

  /** Writes a line that is not JSON to every watch. */
  malformed(line = '{"type": "MODIFIED", "object": {'): void {
    for (const w of this.watchers) w.res.write(`${line}\n`);
  }

  /** Writes raw bytes (no newline added) to every watch of a kind: a hostile or broken proxy. */
  rawToWatches(kind: KindName, data: string | Buffer): void {
    for (const w of this.watchers) if (w.kind === kind) w.res.write(data);
  }

  activeWatches(): number {
    return this.watchers.size;
  }

  private publish(e: WatchEvent): void {
    this.history.push(e);
    if (this.history.length > 100_000) this.history.splice(0, 50_000);
    for (const w of this.watchers) if (w.kind === e.kind && (w.namespace === undefined || w.namespace === e.namespace)) this.writeEvent(w, e);
  }

  private writeEvent(w: Watcher, e: WatchEvent): void {
    this.writeLine(w, { type: e.type, object: e.object });
  }

  /** One line of a watch stream, trickled when the watch has that fault. */
  private writeLine(w: Watcher, event: unknown): void {
    const line = `${JSON.stringify(event)}\n`;
    if (w.trickle) w.trickle.write(line);
    else w.res.write(line);
  }

  /** Installs or removes an API group (a CRD appearing or going away). */
  setGroupInstalled(group: string, installed: boolean): void {
    if (installed) this.missing.delete(group);
    else this.missing.add(group);
  }

  setForbidden(resource: string, on: boolean): void {
    if (on) this.forbidden.add(resource);
    else this.forbidden.delete(resource);
  }

  async start(host = '127.0.0.1', listenPort = 0): Promise<string> {
    this.server = http.createServer((req, res) => this.handle(req, res));
    await new Promise<void>((resolve, reject) => {
      this.server?.once('error', reject);
      this.server?.listen(listenPort, host, resolve);
    });
    const { port } = this.server.address() as AddressInfo;
    return `http://${host.includes(':') ? `[${host}]` : host}:${port}`;
  }

  /** The API server goes away (connections refused) and comes back on the same address with its
   *  state and event history: an API server restart or a network outage. */
  async pause(): Promise<void> {
    const s = this.server;
    if (!s) return;
    this.port = (s.address() as AddressInfo).port;
    for (const w of this.watchers) clearTimeout(w.timer);
    this.watchers.clear();
    s.closeAllConnections();
    await new Promise<void>((resolve) => s.close(() => resolve()));
  }

  async resume(): Promise<void> {
    this.server = http.createServer((req, res) => this.handle(req, res));
    await new Promise<void>((resolve) => this.server?.listen(this.port, '127.0.0.1', resolve));
  }

  private port = 0;

  async stop(): Promise<void> {
    const s = this.server;
    if (!s) return;
    for (const w of this.watchers) clearTimeout(w.timer);
    this.watchers.clear();
    this.hung.clear();
    s.closeAllConnections();
    await new Promise<void>((resolve) => s.close(() => resolve()));
  }

  /** A kubeconfig (YAML) pointing at this server. */
  kubeconfig(url: string): string {
    return fakeKubeconfig(url, this.opts.token ?? 'anything');
  }

  private send(res: http.ServerResponse, rec: RequestRecord, code: number, body: string): void {
    rec.status = code;
    // As kube-apiserver (APIResponseCompression): gzip for a client that accepts it, past 128 KiB.
    if (rec.gzip && body.length > 128 * 1024) {
      rec.encoding = 'gzip';
      res.writeHead(code, { 'Content-Type': 'application/json', 'Content-Encoding': 'gzip' });
      res.end(gzipSync(body, { level: 1 }));
      return;
    }
    res.writeHead(code, { 'Content-Type': 'application/json' });
    res.end(body);
  }

  private handle(req: http.IncomingMessage, res: http.ServerResponse): void {
    const url = new URL(req.url ?? '/', 'http://x');
    const rec: RequestRecord = { method: req.method ?? 'GET', path: url.pathname, query: Object.fromEntries(url.searchParams), status: 0, gzip: /\bgzip\b/.test(String(req.headers['accept-encoding'] ?? '')) };
    this.requests.push(rec);
    if (this.opts.token && req.headers.authorization !== `Bearer ${this.opts.token}`) {
      return this.send(res, rec, 401, status(401, 'Unauthorized', 'Unauthorized'));
    }
    const lease = /^\/apis\/coordination\.k8s\.io\/v1\/namespaces\/([^/]+)\/leases(?:\/([^/]+))?$/.exec(url.pathname);
    if (lease) return leaseRequest(this.writeContext(), req, res, rec, lease[1] ?? '', lease[2]);
    const one = this.opts.objectWrites ? objectPath(url.pathname) : undefined;
    const oneInfo = one && (one.name !== undefined || req.method === 'POST') && one.plural !== 'events' ? this.served().find((k) => k.group === one.group && k.version === one.version && k.plural === one.plural) : undefined;
    if (one && oneInfo) return objectRequest({ get: (...a) => this.get(...a), apply: (...o) => this.apply(...o), delete: (...a) => this.delete(...a), send: (...a) => this.send(...a) }, req, res, rec, oneInfo, one.ns ?? '', one.name, one.sub);
    if (req.method === 'POST' || req.method === 'PATCH' || req.method === 'PUT') return writeRequest(this.writeContext(), req, res, rec, url);
    if (req.method !== 'GET') return this.send(res, rec, 405, status(405, 'MethodNotAllowed', `the server does not allow ${req.method}`));
    const isWatch = url.searchParams.get('watch') === 'true' || url.searchParams.get('watch') === '1';
    const p = url.pathname.replace(/\/$/, '');
    const d = discovery(p, this.missing);
    if (d) return this.send(res, rec, d.code, d.body);
    const m = /^\/(?:api\/(v1)|apis\/([^/]+)\/([^/]+))(?:\/namespaces\/([^/]+))?\/([^/]+)$/.exec(p);
    if (!m) return this.send(res, rec, 404, status(404, 'NotFound', 'the server could not find the requested resource'));
    const [, coreV, group = '', groupV, ns, plural] = m;
    const version = coreV ?? groupV ?? '';
    const info = this.served().find((k) => k.group === group && k.version === version && k.plural === plural);
    if (!info) return this.send(res, rec, 404, status(404, 'NotFound', 'the server could not find the requested resource'));
    if (this.forbidden.has(info.plural)) {
      const who = 'system:serviceaccount:sentinel-agent:sentinel-agent';
      return this.send(
        res,
        rec,
        403,
        status(403, 'Forbidden', `${info.plural}${group ? `.${group}` : ''} is forbidden: User "${who}" cannot list resource "${info.plural}" in API group "${group}" ${ns ? `in the namespace "${ns}"` : 'at the cluster scope'}`),
      );
    }
    const fault = takeFault(this.faults, info.kind, isWatch);
    if (fault?.hang) {
      rec.status = -1;
      this.hung.add(res);
      return;
    }
    if (fault?.status !== undefined && !(isWatch && fault.status === 410 && fault.inStream)) {
      rec.status = fault.status;
      res.writeHead(fault.status, { 'Content-Type': 'application/json', ...fault.headers });
      res.end(status(fault.status, fault.status === 429 ? 'TooManyRequests' : fault.status === 410 ? 'Expired' : 'InternalError', `injected ${fault.status}`));
      return;
    }
    if (isWatch) return this.watch(res, rec, info, ns, url.searchParams, fault?.status === 410, fault?.trickle);
    return this.list(res, rec, info, ns, url.searchParams, fault?.trickle, fault?.extraItems);
  }

  /** coordination.k8s.io/v1 Leases (leader election), by namespace/name. */
  readonly leases = new Map<string, Raw>();
  /** Core v1 Events written by clients (the Events sink), by namespace/name. */
  readonly events = new Map<string, Raw>();
  /** Resources clients may write; anything else answers 405. */
  writable = new Set(['events']);

  private writeContext(): WriteContext {
    return { leases: this.leases, events: this.events, writable: this.writable, forbidden: this.forbidden, send: (res, rec, code, body) => this.send(res, rec, code, body), nextRv: () => ++this.rv };
  }

  private watch(res: http.ServerResponse, rec: RequestRecord, info: KindInfo, ns: string | undefined, q: URLSearchParams, forceGone: boolean, trickle?: Fault['trickle']): void {
    const initial = q.get('sendInitialEvents') === 'true';
    if (initial && this.opts.watchList === false) {
      return this.send(res, rec, 422, status(422, 'Invalid', 'ListOptions.meta.k8s.io "" is invalid: sendInitialEvents: Forbidden: sendInitialEvents is forbidden for watch unless the WatchList feature gate is enabled'));
    }
    if (initial && (q.get('resourceVersionMatch') !== 'NotOlderThan' || q.get('allowWatchBookmarks') !== 'true')) {
      return this.send(res, rec, 422, status(422, 'Invalid', 'sendInitialEvents requires resourceVersionMatch=NotOlderThan and allowWatchBookmarks=true'));
    }
    const from = initial ? this.rv : Number(q.get('resourceVersion') ?? '0');
    // A streaming list starts from the current state: never too old.
    const gone = forceGone || (!initial && from > 0 && from < this.compactedBefore);
    if (gone && !this.goneInStream && !forceGone) {
      return this.send(res, rec, 410, status(410, 'Expired', `too old resource version: ${from} (${this.compactedBefore})`));
    }
    rec.status = 200;
    res.writeHead(200, { 'Content-Type': 'application/json', 'Transfer-Encoding': 'chunked' });
    // A real API server answers a watch at once, before the first event.
    res.flushHeaders();
    if (gone) {
      res.end(`${JSON.stringify({ type: 'ERROR', object: JSON.parse(status(410, 'Expired', `too old resource version: ${from} (${this.compactedBefore})`)) })}\n`);
      return;
    }
    const w: Watcher = { kind: info.kind, namespace: ns, res, bookmarks: q.get('allowWatchBookmarks') === 'true' };
    if (trickle) w.trickle = new Trickler(res, trickle);
    if (initial) {
      // The current state as ADDED events, then the bookmark that ends them (kube-apiserver's
      // watch-list: https://kep.k8s.io/3157).
      const apiVersion = apiVersionOf(info);
      for (const o of this.snapshot(info, ns, from)) this.writeEvent(w, { rv: from, kind: info.kind, namespace: o.metadata?.namespace ?? '', type: 'ADDED', object: o });
      this.writeLine(w, { type: 'BOOKMARK', object: { kind: info.kind, apiVersion, metadata: { resourceVersion: String(from), annotations: { 'k8s.io/initial-events-end': 'true' } } } });
    }
    for (const e of this.history) if (e.rv > from && e.kind === info.kind && (ns === undefined || e.namespace === ns)) this.writeEvent(w, e);
    this.watchers.add(w);
    const timeout = Number(q.get('timeoutSeconds') ?? '0');
    if (timeout > 0) {
      w.timer = setTimeout(() => {
        this.watchers.delete(w);
        res.end();
      }, timeout * 1000 * this.watchTimeoutScale);
    }
    res.on('close', () => {
      clearTimeout(w.timer);
      this.watchers.delete(w);
    });
  }

  private served(): KindInfo[] {
    return servedKinds(this.missing);
  }

  /** Sorted list snapshots by kind, namespace and resourceVersion: pages of one list come from one
   *  consistent snapshot, as the API server serves them, without re-sorting for every page. */
  private readonly snapshots = new Map<string, Raw[]>();

  private snapshot(info: KindInfo, ns: string | undefined, rv: number): Raw[] {
    const key = `${info.kind}/${ns ?? ''}/${rv}`;
    let snap = this.snapshots.get(key);
    if (!snap) {
      snap = [...(this.objects.get(info.kind)?.values() ?? [])]
        .filter((o) => ns === undefined || o.metadata?.namespace === ns)
        .sort((a, b) => {
          const ka = `${a.metadata?.namespace}/${a.metadata?.name}`;
          const kb = `${b.metadata?.namespace}/${b.metadata?.name}`;
          return ka < kb ? -1 : ka > kb ? 1 : 0;
        });
      this.snapshots.set(key, snap);
      if (this.snapshots.size > 16) this.snapshots.delete(this.snapshots.keys().next().value as string);
    }
    return snap;
  }

  private list(res: http.ServerResponse, rec: RequestRecord, info: KindInfo, ns: string | undefined, q: URLSearchParams, trickle?: Fault['trickle'], extraItems: unknown[] = []): void {
    const page = listPage(info, q, this.rv, this.expireContinueBefore, (rv) => this.snapshot(info, ns, rv), extraItems);
    if (page.code !== 200 || !trickle) return this.send(res, rec, page.code, page.body);
    rec.status = 200;
    res.writeHead(200, { 'Content-Type': 'application/json' });
    new Trickler(res, trickle).end(page.body);
  }
}
