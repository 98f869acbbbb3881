// A simulated Kubernetes API server over real HTTP, faithful at the protocol level for what the
// agent uses: /version, discovery (/api, /apis, /apis/<group>/<version>), LIST of namespaced kinds
// cluster-wide or per namespace with limit/continue and resourceVersion, bearer-token auth, and
// Status errors (401, 403 for a forbidden resource, 404 for a group that is not installed, 410 for an
// expired continue token). Used by the tests and, later, by `sentinel-agent demo`.

import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { KINDS, type KindInfo, type KindName } from '../kube/kinds.ts';

type Raw = Record<string, unknown> & { metadata?: { name?: string; namespace?: string; resourceVersion?: string } };

export interface FakeApiServerOptions {
  /** Required bearer token; unset accepts any request. */
  token?: string;
  /** Resources (plural, e.g. "pods") that answer 403. */
  forbidden?: Iterable<string>;
  /** API groups that are not installed (404 on discovery and lists), e.g. "cert-manager.io". */
  missingGroups?: Iterable<string>;
}

export interface RequestRecord {
  method: string;
  path: string;
  query: Record<string, string>;
  status: number;
}

function status(code: number, reason: string, message: string): string {
  return JSON.stringify({ kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Failure', message, reason, code });
}

export class FakeApiServer {
  readonly requests: RequestRecord[] = [];
  private readonly objects = new Map<KindName, Map<string, Raw>>();
  private readonly forbidden: Set<string>;
  private readonly missing: Set<string>;
  private rv = 1000;
  private server?: http.Server;
  /** Continue tokens older than this resourceVersion are expired (410). */
  expireContinueBefore = 0;

  private readonly opts: FakeApiServerOptions;

  constructor(opts: FakeApiServerOptions = {}) {
    this.opts = opts;
    this.forbidden = new Set(opts.forbidden ?? []);
    this.missing = new Set(opts.missingGroups ?? []);
  }

  /** Adds or replaces objects (raw, as `kubectl get -o json` would show them). */
  apply(...objs: Raw[]): void {
    for (const o of objs) {
      const kind = o.kind as KindName;
      const info = KINDS[kind];
      if (!info) throw new Error(`fake API server: kind ${String(o.kind)} is not served`);
      const md = (o.metadata ??= {});
      md.namespace ??= 'default';
      md.resourceVersion = String(++this.rv);
      let m = this.objects.get(kind);
      if (!m) this.objects.set(kind, (m = new Map()));
      m.set(`${md.namespace}/${md.name ?? ''}`, structuredClone(o));
    }
  }

  delete(kind: KindName, namespace: string, name: string): void {
    this.objects.get(kind)?.delete(`${namespace}/${name}`);
    this.rv++;
  }

  setForbidden(resource: string, on: boolean): void {
    if (on) this.forbidden.add(resource);
    else this.forbidden.delete(resource);
  }

  async start(): Promise<string> {
    this.server = http.createServer((req, res) => this.handle(req, res));
    await new Promise<void>((resolve) => this.server?.listen(0, '127.0.0.1', resolve));
    const { port } = this.server.address() as AddressInfo;
    return `http://127.0.0.1:${port}`;
  }

  async stop(): Promise<void> {
    const s = this.server;
    if (!s) return;
    s.closeAllConnections();
    await new Promise<void>((resolve) => s.close(() => resolve()));
  }

  /** A kubeconfig (YAML) pointing at this server. */
  kubeconfig(url: string): string {
    return [
      'apiVersion: v1',
      'kind: Config',
      'clusters:',
      '- name: fake',
      '  cluster:',
      `    server: ${url}`,
      // The client requires this for an http:// server (architecture.md §7).
      '    insecure-skip-tls-verify: true',
      'users:',
      '- name: fake',
      '  user:',
      `    token: ${this.opts.token ?? 'anything'}`,
      'contexts:',
      '- name: fake',
      '  context: {cluster: fake, user: fake}',
      'current-context: fake',
      '',
    ].join('\n');
  }

  private send(res: http.ServerResponse, rec: RequestRecord, code: number, body: string): void {
    rec.status = code;
    res.writeHead(code, { 'Content-Type': 'application/json' });
    res.end(body);
  }

  private handle(req: http.IncomingMessage, res: http.ServerResponse): void {
    const url = new URL(req.url ?? '/', 'http://x');
    const rec: RequestRecord = { method: req.method ?? 'GET', path: url.pathname, query: Object.fromEntries(url.searchParams), status: 0 };
    this.requests.push(rec);
    if (this.opts.token && req.headers.authorization !== `Bearer ${this.opts.token}`) {
      return this.send(res, rec, 401, status(401, 'Unauthorized', 'Unauthorized'));
    }
    if (req.method !== 'GET') return this.send(res, rec, 405, status(405, 'MethodNotAllowed', `the server does not allow ${req.method}`));
    const p = url.pathname.replace(/\/$/, '');
    if (p === '/version') return this.send(res, rec, 200, JSON.stringify({ major: '1', minor: '34', gitVersion: 'v1.34.0-fake' }));
    if (p === '/api') return this.send(res, rec, 200, JSON.stringify({ kind: 'APIVersions', versions: ['v1'] }));
    if (p === '/apis') return this.send(res, rec, 200, JSON.stringify(this.groups()));
    const disc = /^\/apis\/([^/]+)\/([^/]+)$/.exec(p) ?? (p === '/api/v1' ? [p, '', 'v1'] : null);
    if (disc) {
      const [, group = '', version = ''] = disc;
      const kinds = this.served().filter((k) => k.group === group && k.version === version);
      if (kinds.length === 0) return this.send(res, rec, 404, status(404, 'NotFound', 'the server could not find the requested resource'));
      return this.send(
        res,
        rec,
        200,
        JSON.stringify({
          kind: 'APIResourceList',
          groupVersion: group ? `${group}/${version}` : version,
          resources: kinds.map((k) => ({ name: k.plural, namespaced: true, kind: k.kind, verbs: ['get', 'list', 'watch'] })),
        }),
      );
    }
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
    return this.list(res, rec, info, ns, url.searchParams);
  }

  private served(): KindInfo[] {
    return Object.values(KINDS).filter((k) => !this.missing.has(k.group));
  }

  private groups(): unknown {
    const gs = new Map<string, string>();
    for (const k of this.served()) if (k.group) gs.set(k.group, k.version);
    return {
      kind: 'APIGroupList',
      apiVersion: 'v1',
      groups: [...gs].map(([name, v]) => ({ name, versions: [{ groupVersion: `${name}/${v}`, version: v }], preferredVersion: { groupVersion: `${name}/${v}`, version: v } })),
    };
  }

  private list(res: http.ServerResponse, rec: RequestRecord, info: KindInfo, ns: string | undefined, q: URLSearchParams): void {
    const all = [...(this.objects.get(info.kind)?.values() ?? [])]
      .filter((o) => ns === undefined || o.metadata?.namespace === ns)
      .sort((a, b) => `${a.metadata?.namespace}/${a.metadata?.name}`.localeCompare(`${b.metadata?.namespace}/${b.metadata?.name}`));
    const limit = Number(q.get('limit') ?? '0');
    let offset = 0;
    let listRv = this.rv;
    const cont = q.get('continue');
    if (cont) {
      try {
        const t = JSON.parse(Buffer.from(cont, 'base64url').toString('utf8')) as { rv: number; offset: number };
        if (t.rv < this.expireContinueBefore) {
          return this.send(res, rec, 410, status(410, 'Expired', 'The provided continue parameter is too old to display a consistent list result.'));
        }
        offset = t.offset;
        listRv = t.rv;
      } catch {
        return this.send(res, rec, 400, status(400, 'BadRequest', 'invalid continue token'));
      }
    }
    const end = limit > 0 ? Math.min(all.length, offset + limit) : all.length;
    // Items of a typed list carry no kind/apiVersion, as the real API server sends them.
    const items = all.slice(offset, end).map((o) => {
      const rest: Raw = { ...o };
      delete rest.kind;
      delete rest.apiVersion;
      return rest;
    });
    const metadata: Record<string, unknown> = { resourceVersion: String(listRv) };
    if (end < all.length) {
      metadata.continue = Buffer.from(JSON.stringify({ rv: listRv, offset: end })).toString('base64url');
      metadata.remainingItemCount = all.length - end;
    }
    const apiVersion = info.group ? `${info.group}/${info.version}` : info.version;
    this.send(res, rec, 200, JSON.stringify({ kind: `${info.kind}List`, apiVersion, metadata, items }));
  }
}
