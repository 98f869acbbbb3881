// The only importer of @kubernetes/client-node: it resolves kubeconfig / in-cluster config and
// credentials (tokens, client certificates, exec plugins); the requests themselves are plain
// node:http(s), so lists can be paged and streamed page by page. Loaded lazily: doctor --from-file
// never pays for it.

import http from 'node:http';
import https from 'node:https';
import type { Readable } from 'node:stream';
import { createGunzip } from 'node:zlib';

export class ClusterUnreachableError extends Error {
  override name = 'ClusterUnreachableError';
}

/** The largest non-streamed answer taken (a LIST page of 500 objects is a few MiB). */
export const MAX_BODY_BYTES = 256 * 1024 * 1024;

/** The longest watch line taken (a real object is at most ~1.5 MiB, etcd's limit). */
export const MAX_LINE_BYTES = 16 * 1024 * 1024;

export class LineTooLongError extends Error {
  override name = 'LineTooLongError';
  constructor(max: number) {
    super(`a watch line exceeded ${Math.round(max / 1048576)} MiB without a newline`);
  }
}

/**
 * Splits a byte stream into lines in linear time: each chunk is searched for newlines once, the bytes
 * of an unfinished line are kept as chunks (never re-scanned, never re-joined until the line ends),
 * and decoded once. A line longer than maxBytes is refused (push returns false).
 */
export class LineSplitter {
  readonly maxBytes: number;
  private readonly onLine: (line: string) => void;
  private pending: Buffer[] = [];
  private pendingBytes = 0;

  constructor(maxBytes: number, onLine: (line: string) => void) {
    this.maxBytes = maxBytes;
    this.onLine = onLine;
  }

  push(chunk: Buffer): boolean {
    let from = 0;
    for (let nl = chunk.indexOf(10, from); nl >= 0; nl = chunk.indexOf(10, from)) {
      const part = chunk.subarray(from, nl);
      if (this.pendingBytes + part.length > this.maxBytes) return this.refuse();
      const line = this.pending.length === 0 ? part : Buffer.concat([...this.pending, part], this.pendingBytes + part.length);
      this.pending = [];
      this.pendingBytes = 0;
      this.emit(line);
      from = nl + 1;
    }
    if (from < chunk.length) {
      const rest = chunk.subarray(from);
      if (this.pendingBytes + rest.length > this.maxBytes) return this.refuse();
      this.pending.push(rest);
      this.pendingBytes += rest.length;
    }
    return true;
  }

  /** The stream ended: a last line without its newline is still a line. */
  end(): void {
    if (this.pendingBytes > 0) this.emit(Buffer.concat(this.pending, this.pendingBytes));
    this.pending = [];
    this.pendingBytes = 0;
  }

  private emit(b: Buffer): void {
    const line = b.toString('utf8');
    if (line.trim() !== '') this.onLine(line);
  }

  private refuse(): false {
    this.pending = [];
    this.pendingBytes = 0;
    return false;
  }
}

export interface KubeResponse {
  status: number;
  headers: http.IncomingHttpHeaders;
  body: string;
}

export interface StreamOptions {
  /** Called with each complete line of a 200 response. */
  onLine(line: string): void;
  /** Called when a 200 response starts (the stream is open). */
  onOpen?(): void;
  signal?: AbortSignal;
  /** Destroys the connection when no byte arrives for this long (a hung watch). */
  inactivityMs?: number;
  /** The longest line taken (default MAX_LINE_BYTES); a longer one drops the connection. */
  maxLineBytes?: number;
}

export interface KubeClient {
  server: string;
  contextName: string;
  /** timeoutMs: no byte for this long; deadlineMs: the whole answer within this long; maxBytes: the
   *  largest body taken (past it the request fails). */
  get(path: string, opts?: { timeoutMs?: number; deadlineMs?: number; maxBytes?: number }): Promise<KubeResponse>;
  /** A write (only the optional Events sink and leader election write, with their own RBAC). */
  send(method: 'POST' | 'PATCH' | 'PUT', path: string, body: unknown, contentType?: string): Promise<KubeResponse>;
  /** A streaming GET (watch): lines are delivered as they arrive; resolves when the server ends the
   *  response (body is read whole only for a non-200 answer), rejects on a network error. */
  stream(path: string, opts: StreamOptions): Promise<KubeResponse>;
}

export interface KubeClientOptions {
  kubeconfig?: string;
  context?: string;
}

/** The response's body, gunzipped when the server compressed it (a corrupt stream is an error of
 *  the request). */
function decoded(res: http.IncomingMessage, fail: (err: Error) => void): Readable {
  if (String(res.headers['content-encoding'] ?? '').toLowerCase() !== 'gzip') return res;
  const gunzip = createGunzip();
  gunzip.on('error', (err) => fail(new Error(`the answer's gzip stream is corrupt: ${err.message}`)));
  return res.pipe(gunzip);
}

// eslint-disable-next-line max-lines-per-function -- the client's request functions share the resolved credentials, agent and bounds by closure
export async function makeKubeClient(opts: KubeClientOptions): Promise<KubeClient> {
  const k8s = await import('@kubernetes/client-node');
  const kc = new k8s.KubeConfig();
  try {
    if (opts.kubeconfig) kc.loadFromFile(opts.kubeconfig);
    else {
      // kubectl's order: $KUBECONFIG, ~/.kube/config, the in-cluster service account. The client
      // falls back to an unauthenticated http://localhost:8080 past those; say what is missing instead.
      const env = process.env.KUBECONFIG;
      const home = process.env.HOME ?? process.env.USERPROFILE;
      const { existsSync } = await import('node:fs');
      const inCluster = process.env.KUBERNETES_SERVICE_HOST !== undefined && existsSync('/var/run/secrets/kubernetes.io/serviceaccount/token');
      if (!env && !(home && existsSync(`${home}/.kube/config`)) && !inCluster) {
        throw new ClusterUnreachableError(`no kubeconfig found: KUBECONFIG is not set, ${home ? `${home}/.kube/config` : '~/.kube/config'} does not exist and this is not a pod with a service account; pass --kubeconfig FILE or set KUBECONFIG`);
      }
      kc.loadFromDefault();
    }
    if (opts.context) {
      if (!kc.getContextObject(opts.context)) {
        throw new ClusterUnreachableError(`context "${opts.context}" is not in the kubeconfig (contexts: ${kc.getContexts().map((c) => c.name).join(', ') || 'none'})`);
      }
      kc.setCurrentContext(opts.context);
    }
  } catch (err) {
    if (err instanceof ClusterUnreachableError) throw err;
    throw new ClusterUnreachableError(`cannot load kubeconfig${opts.kubeconfig ? ` ${opts.kubeconfig}` : ''}: ${(err as Error).message}`);
  }
  const cluster = kc.getCurrentCluster();
  if (!cluster?.server) {
    throw new ClusterUnreachableError('no cluster configured: set KUBECONFIG, pass --kubeconfig, or run in a pod with a service account');
  }
  const base = new URL(cluster.server);
  const isHttps = base.protocol === 'https:';
  if (!isHttps && base.protocol !== 'http:') throw new ClusterUnreachableError(`the cluster's server ${cluster.server} is neither https:// nor http://`);
  // A plain-HTTP server (kubectl proxy, a local test API server) works with kubectl as it is. The
  // client refuses to fill request options for it unless TLS checks are "skipped"; there is no TLS
  // to check, so the credentials are applied from a copy of the config that says so.
  if (!isHttps && !cluster.skipTLSVerify) {
    const clusters = kc.clusters.map((c) => (c.name === cluster.name ? { ...c, skipTLSVerify: true } : c));
    kc.loadFromOptions({ clusters, users: kc.users, contexts: kc.contexts, currentContext: kc.getCurrentContext() });
  }
  const agentOpts: https.AgentOptions = { keepAlive: true, maxSockets: 64 };
  const agent = isHttps ? new https.Agent(agentOpts) : new http.Agent(agentOpts);
  const mod = isHttps ? https : http;
  const requestOptions = async (path: string): Promise<https.RequestOptions> => {
    const url = new URL(base.pathname.replace(/\/$/, '') + path, base);
    const reqOpts: https.RequestOptions = {
      method: 'GET',
      protocol: url.protocol,
      hostname: url.hostname,
      port: url.port,
      path: url.pathname + url.search,
      // gzip, as client-go asks for it: the API server compresses a LIST (and a streaming list's
      // initial events) of more than 128 KiB, a tenth of the bytes on the wire.
      headers: { Accept: 'application/json', 'Accept-Encoding': 'gzip', 'User-Agent': 'sentinel-agent' },
      agent,
    };
    // Fills in CA, client certificate, bearer token (refreshing exec/OIDC tokens) and TLS options.
    await kc.applyToHTTPSOptions(reqOpts);
    reqOpts.agent = agent;
    return reqOpts;
  };
  /** One request, the whole answer read into memory (not for watches). */
  const exchange = (reqOpts: https.RequestOptions, timeoutMs: number, payload?: Buffer, o: { deadlineMs?: number; maxBytes?: number } = {}): Promise<KubeResponse> =>
    new Promise<KubeResponse>((resolve, reject) => {
      const maxBytes = o.maxBytes ?? MAX_BODY_BYTES;
      let deadline: NodeJS.Timeout | undefined;
      const req = mod.request(reqOpts, (res) => {
        const chunks: Buffer[] = [];
        let bytes = 0;
        const fail = (err: Error): void => {
          clearTimeout(deadline);
          req.destroy(err);
          reject(err);
        };
        // The bound is on the decoded bytes: a small gzip body cannot inflate past it.
        const body = decoded(res, fail);
        body.on('data', (c: Buffer) => {
          bytes += c.length;
          if (bytes > maxBytes) return fail(new Error(`the answer exceeded ${Math.round(maxBytes / 1048576)} MiB`));
          chunks.push(c);
        });
        body.on('end', () => {
          clearTimeout(deadline);
          resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks).toString('utf8') });
        });
        res.on('error', reject);
      });
      req.setTimeout(timeoutMs, () => req.destroy(new Error(`timeout after ${timeoutMs} ms`)));
      if (o.deadlineMs) deadline = setTimeout(() => req.destroy(new Error(`the answer did not complete within its ${Math.round((o.deadlineMs ?? 0) / 1000)} s deadline`)), o.deadlineMs);
      req.on('error', (err) => {
        clearTimeout(deadline);
        reject(err);
      });
      req.end(payload);
    });
  return {
    server: cluster.server,
    contextName: kc.getCurrentContext(),
    async stream(path, o) {
      const reqOpts = await requestOptions(path);
      return await new Promise<KubeResponse>((resolve, reject) => {
        let timer: NodeJS.Timeout | undefined;
        const req = mod.request(reqOpts, (res) => {
          const status = res.statusCode ?? 0;
          const fail = (err: Error): void => {
            clearTimeout(timer);
            req.destroy(err);
            reject(err);
          };
          const body = decoded(res, fail);
          if (status !== 200) {
            const chunks: Buffer[] = [];
            let bytes = 0;
            body.on('data', (c: Buffer) => {
              bytes += c.length;
              if (bytes <= MAX_BODY_BYTES) chunks.push(c);
            });
            body.on('end', () => {
              clearTimeout(timer);
              resolve({ status, headers: res.headers, body: Buffer.concat(chunks).toString('utf8') });
            });
            res.on('error', reject);
            return;
          }
          o.onOpen?.();
          const lines = new LineSplitter(o.maxLineBytes ?? MAX_LINE_BYTES, (line) => o.onLine(line));
          // Any byte from the server (compressed or not) shows the connection is alive.
          res.on('data', () => arm());
          body.on('data', (chunk: Buffer) => {
            if (!lines.push(chunk)) {
              // One line past the bound: counted by the caller, the connection dropped, a new watch.
              fail(new LineTooLongError(lines.maxBytes));
            }
          });
          body.on('end', () => {
            clearTimeout(timer);
            lines.end();
            resolve({ status, headers: res.headers, body: '' });
          });
          res.on('error', (err) => {
            clearTimeout(timer);
            reject(err);
          });
          res.on('aborted', () => {
            clearTimeout(timer);
            reject(new Error('watch stream aborted'));
          });
        });
        const arm = (): void => {
          if (!o.inactivityMs) return;
          clearTimeout(timer);
          timer = setTimeout(() => req.destroy(new Error(`no data for ${o.inactivityMs} ms`)), o.inactivityMs);
        };
        arm();
        const onAbort = (): void => {
          req.destroy(new Error("aborted"));
        };
        if (o.signal) {
          if (o.signal.aborted) onAbort();
          else o.signal.addEventListener('abort', onAbort, { once: true });
        }
        req.on('error', (err) => {
          clearTimeout(timer);
          reject(err);
        });
        req.on('close', () => o.signal?.removeEventListener('abort', onAbort));
        req.end();
      });
    },
    async send(method, path, body, contentType = 'application/json') {
      const reqOpts = await requestOptions(path);
      reqOpts.method = method;
      const payload = Buffer.from(JSON.stringify(body));
      reqOpts.headers = { ...reqOpts.headers, 'Content-Type': contentType, 'Content-Length': String(payload.length) };
      return await exchange(reqOpts, 15_000, payload);
    },
    async get(path, o = {}) {
      return await exchange(await requestOptions(path), o.timeoutMs ?? 60_000, undefined, o);
    },
  };
}
