// Reads and writes of single objects, for `sentinel-agent sim`, where a person breaks things with
// kubectl: GET, DELETE, POST, PUT and PATCH (JSON merge patch, strategic merge patch, JSON patch) on
// any served kind, its status subresource, and a Deployment's scale. Strategic merge is kubectl's
// default: lists of objects merge by their key (name, or type for conditions), other lists replace.

import type http from 'node:http';
import type { KindInfo, KindName } from '../kube/kinds.ts';
import { status, type Raw, type RequestRecord } from './protocol.ts';

export interface ObjectStoreAccess {
  get(kind: KindName, namespace: string, name: string): Raw | undefined;
  apply(...objs: Raw[]): void;
  delete(kind: KindName, namespace: string, name: string): boolean;
  send(res: http.ServerResponse, rec: RequestRecord, code: number, body: string): void;
}

type Json = unknown;
const isObj = (v: Json): v is Record<string, Json> => typeof v === 'object' && v !== null && !Array.isArray(v);

/** RFC 7386. */
export function mergePatch(target: Json, patch: Json): Json {
  if (!isObj(patch)) return patch;
  const out: Record<string, Json> = isObj(target) ? { ...target } : {};
  for (const [k, v] of Object.entries(patch)) {
    if (v === null) delete out[k];
    else out[k] = mergePatch(out[k], v);
  }
  return out;
}

const KEYS = ['name', 'type', 'containerPort', 'mountPath', 'ip'];

/** Kubernetes' strategic merge patch, for the lists kubectl edits: keyed lists merge by key. */
export function strategicPatch(target: Json, patch: Json): Json {
  if (Array.isArray(patch)) {
    const key = KEYS.find((k) => patch.length > 0 && patch.every((p) => isObj(p) && k in p));
    if (!key || !Array.isArray(target)) return patch;
    const out = [...target] as Json[];
    for (const p of patch as Record<string, Json>[]) {
      const i = out.findIndex((t) => isObj(t) && t[key] === p[key]);
      if (p.$patch === 'delete') {
        if (i >= 0) out.splice(i, 1);
      } else if (i >= 0) out[i] = strategicPatch(out[i], p);
      else out.push(p);
    }
    return out;
  }
  if (!isObj(patch)) return patch;
  const out: Record<string, Json> = isObj(target) ? { ...target } : {};
  for (const [k, v] of Object.entries(patch)) {
    if (k.startsWith('$')) continue;
    if (v === null) delete out[k];
    else out[k] = strategicPatch(out[k], v);
  }
  return out;
}

/** RFC 6902: add, remove, replace, test (what kubectl patch --type json sends). */
export function jsonPatch(target: Json, ops: Json): Json {
  if (!Array.isArray(ops)) throw new Error('a JSON patch is a list of operations');
  let doc = structuredClone(target);
  for (const op of ops as { op?: string; path?: string; value?: Json }[]) {
    const parts = (op.path ?? '').split('/').slice(1).map((p) => p.replace(/~1/g, '/').replace(/~0/g, '~'));
    const last = parts.pop();
    if (last === undefined) {
      doc = op.value;
      continue;
    }
    let parent: Json = doc;
    for (const p of parts) parent = Array.isArray(parent) ? parent[Number(p)] : isObj(parent) ? parent[p] : undefined;
    if (!isObj(parent) && !Array.isArray(parent)) throw new Error(`path ${op.path ?? ''} does not exist`);
    const at = Array.isArray(parent) ? (last === '-' ? parent.length : Number(last)) : last;
    const here = Array.isArray(parent) ? parent[at as number] : parent[at as string];
    if (op.op === 'test' && JSON.stringify(here) !== JSON.stringify(op.value)) throw new Error(`test failed at ${op.path ?? ''}`);
    if (op.op === 'remove') {
      if (Array.isArray(parent)) parent.splice(at as number, 1);
      else delete parent[at as string];
    } else if (op.op === 'add' && Array.isArray(parent)) parent.splice(at as number, 0, op.value);
    else if (op.op === 'add' || op.op === 'replace') (parent as Record<string, Json>)[at as string] = op.value;
    else if (op.op !== 'test') throw new Error(`unsupported op ${String(op.op)}`);
  }
  return doc;
}

function patched(current: Raw, body: Json, contentType: string): Raw {
  if (contentType.includes('json-patch')) return jsonPatch(current, body) as Raw;
  if (contentType.includes('merge-patch')) return mergePatch(current, body) as Raw;
  return strategicPatch(current, body) as Raw;
}

function scaleOf(d: Raw): Raw {
  const spec = (d.spec ?? {}) as { replicas?: number };
  const st = (d.status ?? {}) as { replicas?: number };
  return { apiVersion: 'autoscaling/v1', kind: 'Scale', metadata: { ...(d.metadata ?? {}) }, spec: { replicas: spec.replicas ?? 1 }, status: { replicas: st.replicas ?? 0, selector: '' } };
}

/** …/plural[/name[/status|scale]] of a served resource. */
export function objectPath(path: string): { group: string; version: string; ns?: string; plural: string; name?: string; sub?: string } | undefined {
  const m = /^\/(?:api\/(v1)|apis\/([^/]+)\/([^/]+))(?:\/namespaces\/([^/]+))?\/([^/]+)(?:\/([^/]+))?(?:\/(status|scale))?\/?$/.exec(path);
  if (!m) return undefined;
  const [, core, group = '', groupVersion, ns, plural = '', name, sub] = m;
  return { group, version: core ?? groupVersion ?? '', plural, ...(ns ? { ns } : {}), ...(name ? { name } : {}), ...(sub ? { sub } : {}) };
}

/** One object: GET, DELETE, PUT, PATCH on …/name (and …/name/status, …/name/scale); POST on the list. */
export function objectRequest(s: ObjectStoreAccess, req: http.IncomingMessage, res: http.ServerResponse, rec: RequestRecord, info: KindInfo, ns: string, name: string | undefined, sub: string | undefined): void {
  const chunks: Buffer[] = [];
  req.on('data', (c: Buffer) => chunks.push(c));
  req.on('end', () => {
    const what = `${info.plural}${info.group ? `.${info.group}` : ''} "${name ?? ''}"`;
    const current = name ? s.get(info.kind, ns, name) : undefined;
    const ok = (code: number, o: Raw): void => s.send(res, rec, code, JSON.stringify(o));
    const notFound = (): void => s.send(res, rec, 404, status(404, 'NotFound', `${what} not found`));
    let body: Json;
    try {
      body = chunks.length > 0 ? (JSON.parse(Buffer.concat(chunks).toString('utf8')) as Json) : undefined;
    } catch {
      return s.send(res, rec, 415, status(415, 'UnsupportedMediaType', 'the body is not JSON (server-side apply is not served here: use kubectl apply without --server-side)'));
    }
    const store = (o: Raw): Raw => {
      const md = (o.metadata ??= {});
      md.name = md.name ?? name;
      if (info.namespaced) md.namespace = ns;
      o.kind = info.kind;
      s.apply(o);
      return s.get(info.kind, ns, md.name ?? '') ?? o;
    };
    try {
      if (req.method === 'POST') {
        const n = isObj(body) && isObj(body.metadata) && typeof body.metadata.name === 'string' ? body.metadata.name : '';
        if (s.get(info.kind, ns, n)) return s.send(res, rec, 409, status(409, 'AlreadyExists', `${info.plural} "${n}" already exists`));
        return ok(201, store(body as Raw));
      }
      if (!current) return notFound();
      if (req.method === 'GET') return ok(200, sub === 'scale' ? scaleOf(current) : current);
      if (req.method === 'DELETE') {
        s.delete(info.kind, ns, current.metadata?.name ?? '');
        return ok(200, current);
      }
      if (sub === 'scale') {
        const next = req.method === 'PUT' ? (body as Raw) : (patched(scaleOf(current), body, String(req.headers['content-type'] ?? '')) as Raw);
        const replicas = ((next.spec ?? {}) as { replicas?: number }).replicas;
        return ok(200, scaleOf(store({ ...current, spec: { ...(current.spec as Raw), replicas } })));
      }
      const next = req.method === 'PUT' ? (body as Raw) : patched(current, body, String(req.headers['content-type'] ?? ''));
      return ok(200, store(next));
    } catch (err) {
      return s.send(res, rec, 422, status(422, 'Invalid', `${what}: ${(err as Error).message}`));
    }
  });
}
