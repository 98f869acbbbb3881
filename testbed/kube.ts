// A small HTTPS client for the test bed's API server: client-certificate or bearer-token auth,
// JSON in and out, server-side apply. The test bed and the e2e tests use it to play the operator
// and the administrator; the agent under test uses its own client (src/collector/kube-client.ts).

import { request } from 'node:https';
import { readFileSync } from 'node:fs';
import { parse as parseYaml } from 'yaml';

export interface Credentials {
  server: string;
  ca: string;
  cert?: string;
  key?: string;
  token?: string;
}

export class KubeError extends Error {
  readonly status: number;
  readonly body: string;
  constructor(method: string, path: string, status: number, body: string) {
    let msg = body;
    try {
      msg = (JSON.parse(body) as { message?: string }).message ?? body;
    } catch {
      /* not a Status */
    }
    super(`${method} ${path}: ${status} ${msg.slice(0, 2000)}`);
    this.status = status;
    this.body = body;
  }
}

export interface Obj {
  apiVersion: string;
  kind: string;
  metadata: { name: string; namespace?: string; [k: string]: unknown };
  [k: string]: unknown;
}

/** Reads a kubeconfig the test bed wrote (one cluster, one user, inline data). */
export function credentialsFrom(kubeconfigPath: string): Credentials {
  const kc = parseYaml(readFileSync(kubeconfigPath, 'utf8')) as {
    clusters: { cluster: { server: string; 'certificate-authority-data': string } }[];
    users: { user: { 'client-certificate-data'?: string; 'client-key-data'?: string; token?: string } }[];
  };
  const c = kc.clusters[0]?.cluster;
  const u = kc.users[0]?.user;
  if (!c || !u) throw new Error(`${kubeconfigPath}: no cluster or user`);
  const b64 = (s: string | undefined): string | undefined => (s === undefined ? undefined : Buffer.from(s, 'base64').toString('utf8'));
  return { server: c.server, ca: b64(c['certificate-authority-data']) ?? '', cert: b64(u['client-certificate-data']), key: b64(u['client-key-data']), token: u.token };
}

/** The REST path of a kind's collection or of one object. */
export function pathOf(apiVersion: string, plural: string, namespace?: string, name?: string): string {
  const base = apiVersion.includes('/') ? `/apis/${apiVersion}` : `/api/${apiVersion}`;
  return `${base}${namespace ? `/namespaces/${encodeURIComponent(namespace)}` : ''}/${plural}${name ? `/${encodeURIComponent(name)}` : ''}`;
}

const PLURALS: Record<string, string> = {
  Endpoints: 'endpoints',
  Ingress: 'ingresses',
  NetworkPolicy: 'networkpolicies',
  ClusterIssuer: 'clusterissuers',
  Issuer: 'issuers',
  CertificateRequest: 'certificaterequests',
  MCPServer: 'mcpservers',
  PriorityLevelConfiguration: 'prioritylevelconfigurations',
};
const CLUSTER_SCOPED = new Set(['Namespace', 'Node', 'ClusterRole', 'ClusterRoleBinding', 'CustomResourceDefinition', 'ClusterIssuer', 'PriorityLevelConfiguration', 'FlowSchema', 'PersistentVolume', 'StorageClass']);

export function pluralOf(kind: string): string {
  return PLURALS[kind] ?? `${kind.toLowerCase()}s`;
}

export function objectPath(o: Pick<Obj, 'apiVersion' | 'kind' | 'metadata'>, withName = true): string {
  const ns = CLUSTER_SCOPED.has(o.kind) ? undefined : (o.metadata.namespace ?? 'default');
  return pathOf(o.apiVersion, pluralOf(o.kind), ns, withName ? o.metadata.name : undefined);
}

export class Kube {
  readonly creds: Credentials;
  constructor(creds: Credentials) {
    this.creds = creds;
  }

  static fromKubeconfig(path: string): Kube {
    return new Kube(credentialsFrom(path));
  }

  /** A client with the same server and CA but a bearer token (a ServiceAccount's). */
  withToken(token: string): Kube {
    return new Kube({ server: this.creds.server, ca: this.creds.ca, token });
  }

  raw(method: string, path: string, body?: string, contentType = 'application/json', timeoutMs = 30_000): Promise<{ status: number; body: string; headers: Record<string, string | string[] | undefined> }> {
    const url = new URL(path, this.creds.server);
    return new Promise((resolve, reject) => {
      const req = request(
        url,
        {
          method,
          ca: this.creds.ca,
          cert: this.creds.cert,
          key: this.creds.key,
          headers: {
            accept: 'application/json',
            ...(this.creds.token ? { authorization: `Bearer ${this.creds.token}` } : {}),
            ...(body !== undefined ? { 'content-type': contentType, 'content-length': Buffer.byteLength(body) } : {}),
          },
          timeout: timeoutMs,
        },
        (res) => {
          const chunks: Buffer[] = [];
          res.on('data', (c: Buffer) => chunks.push(c));
          res.on('end', () => resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString('utf8'), headers: res.headers }));
          res.on('error', reject);
        },
      );
      req.on('timeout', () => req.destroy(new Error(`${method} ${path}: no answer in ${timeoutMs} ms`)));
      req.on('error', reject);
      req.end(body);
    });
  }

  async call<T = Obj>(method: string, path: string, body?: unknown, contentType?: string): Promise<T> {
    const text = body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body);
    const r = await this.raw(method, path, text, contentType);
    if (r.status < 200 || r.status >= 300) throw new KubeError(method, path, r.status, r.body);
    return (r.body ? JSON.parse(r.body) : {}) as T;
  }

  get<T = Obj>(path: string): Promise<T> {
    return this.call<T>('GET', path);
  }

  /** GET that answers undefined for 404. */
  async find<T = Obj>(path: string): Promise<T | undefined> {
    try {
      return await this.get<T>(path);
    } catch (e) {
      if (e instanceof KubeError && e.status === 404) return undefined;
      throw e;
    }
  }

  /** Server-side apply (force, field manager "sentinel-testbed" unless given). */
  apply<T = Obj>(o: Obj, opts: { manager?: string; dryRun?: boolean; subresource?: 'status' } = {}): Promise<T> {
    const q = new URLSearchParams({ fieldManager: opts.manager ?? 'sentinel-testbed', force: 'true' });
    if (opts.dryRun) q.set('dryRun', 'All');
    const path = `${objectPath(o)}${opts.subresource ? `/${opts.subresource}` : ''}?${q}`;
    return this.call<T>('PATCH', path, o, 'application/apply-patch+yaml');
  }

  /** Writes an object's status through the status subresource, as a controller does. */
  applyStatus<T = Obj>(o: Obj, manager = 'sentinel-testbed-status'): Promise<T> {
    // Only what an apply configuration may carry: a whole object read back has managedFields.
    const { apiVersion, kind, metadata, status } = o;
    return this.apply<T>({ apiVersion, kind, metadata: { name: metadata.name, ...(metadata.namespace ? { namespace: metadata.namespace } : {}) }, status }, { manager, subresource: 'status' });
  }

  async delete(path: string, opts: { propagation?: 'Foreground' | 'Background' | 'Orphan'; gracePeriodSeconds?: number } = {}): Promise<void> {
    const body: Record<string, unknown> = { kind: 'DeleteOptions', apiVersion: 'v1' };
    if (opts.propagation) body.propagationPolicy = opts.propagation;
    if (opts.gracePeriodSeconds !== undefined) body.gracePeriodSeconds = opts.gracePeriodSeconds;
    try {
      await this.call('DELETE', path, body);
    } catch (e) {
      if (!(e instanceof KubeError && e.status === 404)) throw e;
    }
  }

  list<T = Obj>(path: string): Promise<{ items: T[]; metadata: { resourceVersion: string } }> {
    return this.get(path);
  }
}
