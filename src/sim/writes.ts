// What clients may write to the fake API server: Leases (leader election, with optimistic
// concurrency) and core v1 Events (the Events sink: create, then merge patches).

import type http from 'node:http';
import { status, type Raw, type RequestRecord } from './protocol.ts';

export interface WriteContext {
  leases: Map<string, Raw>;
  events: Map<string, Raw>;
  writable: ReadonlySet<string>;
  forbidden: ReadonlySet<string>;
  send(res: http.ServerResponse, rec: RequestRecord, code: number, body: string): void;
  nextRv(): number;
}

export function leaseRequest(ctx: WriteContext, req: http.IncomingMessage, res: http.ServerResponse, rec: RequestRecord, ns: string, name: string | undefined): void {
  const chunks: Buffer[] = [];
  req.on('data', (c: Buffer) => chunks.push(c));
  req.on('end', () => {
    if (ctx.forbidden.has('leases')) return ctx.send(res, rec, 403, status(403, 'Forbidden', 'leases.coordination.k8s.io is forbidden'));
    const key = `${ns}/${name ?? ''}`;
    if (req.method === 'GET') {
      const l = name ? ctx.leases.get(key) : undefined;
      return l ? ctx.send(res, rec, 200, JSON.stringify(l)) : ctx.send(res, rec, 404, status(404, 'NotFound', `leases.coordination.k8s.io "${name ?? ''}" not found`));
    }
    let body: Raw;
    try {
      body = JSON.parse(Buffer.concat(chunks).toString('utf8')) as Raw;
    } catch {
      return ctx.send(res, rec, 400, status(400, 'BadRequest', 'the body is not JSON'));
    }
    const n = body.metadata?.name ?? name ?? '';
    const k = `${ns}/${n}`;
    if (req.method === 'POST') {
      if (ctx.leases.has(k)) return ctx.send(res, rec, 409, status(409, 'AlreadyExists', `leases.coordination.k8s.io "${n}" already exists`));
      body.metadata = { ...(body.metadata ?? {}), name: n, namespace: ns, resourceVersion: String(ctx.nextRv()) };
      ctx.leases.set(k, body);
      return ctx.send(res, rec, 201, JSON.stringify(body));
    }
    if (req.method === 'PUT') {
      const cur = ctx.leases.get(k);
      if (!cur) return ctx.send(res, rec, 404, status(404, 'NotFound', `leases.coordination.k8s.io "${n}" not found`));
      // Optimistic concurrency: the update must carry the current resourceVersion.
      if (body.metadata?.resourceVersion !== cur.metadata?.resourceVersion) {
        return ctx.send(res, rec, 409, status(409, 'Conflict', `Operation cannot be fulfilled on leases.coordination.k8s.io "${n}": the object has been modified; please apply your changes to the latest version and try again`));
      }
      body.metadata = { ...(body.metadata ?? {}), name: n, namespace: ns, resourceVersion: String(ctx.nextRv()) };
      ctx.leases.set(k, body);
      return ctx.send(res, rec, 200, JSON.stringify(body));
    }
    return ctx.send(res, rec, 405, status(405, 'MethodNotAllowed', `the server does not allow ${req.method} on leases`));
  });
}

export function writeRequest(ctx: WriteContext, req: http.IncomingMessage, res: http.ServerResponse, rec: RequestRecord, url: URL): void {
  const chunks: Buffer[] = [];
  req.on('data', (c: Buffer) => chunks.push(c));
  req.on('end', () => {
    const m = /^\/api\/v1\/namespaces\/([^/]+)\/([^/]+)(?:\/([^/]+))?$/.exec(url.pathname);
    const [, ns = '', resource = '', name] = m ?? [];
    if (!m || !ctx.writable.has(resource)) return ctx.send(res, rec, 405, status(405, 'MethodNotAllowed', `the server does not allow this method on ${url.pathname}`));
    if (ctx.forbidden.has(resource)) return ctx.send(res, rec, 403, status(403, 'Forbidden', `${resource} is forbidden: cannot ${req.method?.toLowerCase()} resource "${resource}"`));
    let body: Raw;
    try {
      body = JSON.parse(Buffer.concat(chunks).toString('utf8')) as Raw;
    } catch {
      return ctx.send(res, rec, 400, status(400, 'BadRequest', 'the body is not JSON'));
    }
    if (req.method === 'POST') {
      const md = (body.metadata ??= {});
      const n = md.name ?? `${String((md as { generateName?: string }).generateName ?? 'event.')}${(ctx.nextRv()).toString(36)}`;
      md.name = n;
      md.namespace = ns;
      if (ctx.events.has(`${ns}/${n}`)) return ctx.send(res, rec, 409, status(409, 'AlreadyExists', `events "${n}" already exists`));
      md.resourceVersion = String(ctx.nextRv());
      ctx.events.set(`${ns}/${n}`, body);
      return ctx.send(res, rec, 201, JSON.stringify(body));
    }
    const key = `${ns}/${name ?? ''}`;
    const cur = ctx.events.get(key);
    if (!cur) return ctx.send(res, rec, 404, status(404, 'NotFound', `events "${name}" not found`));
    // A JSON merge patch (or strategic merge, identical for these flat fields).
    const merged = { ...cur, ...body, metadata: { ...(cur.metadata ?? {}), ...(body.metadata ?? {}), resourceVersion: String(ctx.nextRv()) } };
    ctx.events.set(key, merged);
    return ctx.send(res, rec, 200, JSON.stringify(merged));
  });
}
