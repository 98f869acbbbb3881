// The HTTP endpoints of watch (product.md §6): /healthz, /readyz, /incidents (the doctor JSON
// schema). Read-only, GET/HEAD only; nothing here can change the agent.

import http from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Agent } from '../agent/agent.ts';
import { PAGE_CSP, pageHtml } from './page.ts';
import { pageState } from './page-state.ts';
import { IncidentSnapshots, parseQuery, QueryError, type IncidentState } from './snapshot.ts';

export interface HttpServerOptions {
  host: string;
  port: number;
  clusterName: string;
  now?: () => number;
  /** Extra routes (GET path → handler), e.g. /metrics. */
  routes?: Record<string, (req: http.IncomingMessage, res: http.ServerResponse) => void | Promise<void>>;
  /** /incidents responses written at once; more wait, and past maxQueued are told to retry. */
  maxInFlight?: number;
  maxQueued?: number;
}

const PAGE = pageHtml();

export function parseListen(v: string): { host: string; port: number } {
  const m = /^(?:\[([^\]]+)\]|([^:]*)):(\d{1,5})$/.exec(v.trim());
  const port = Number(m?.[3]);
  if (!m || port > 65535) throw new Error(`--listen: expected HOST:PORT (e.g. 0.0.0.0:8080), got ${JSON.stringify(v)}`);
  return { host: m[1] ?? (m[2] || '0.0.0.0'), port };
}

export class AgentHttpServer {
  private readonly server: http.Server;
  private readonly agent: Agent;
  private readonly opts: HttpServerOptions;
  /** One snapshot series per state asked for (open, resolved, all). */
  private readonly snapshots: Record<IncidentState, IncidentSnapshots>;
  private inFlight = 0;
  private readonly queued: (() => void)[] = [];

  constructor(agent: Agent, opts: HttpServerOptions) {
    this.agent = agent;
    this.opts = opts;
    const common = { skipped: () => agent.skipped(), staleSources: () => agent.blind() };
    const sopts = { clusterName: opts.clusterName, ...(opts.now ? { now: opts.now } : {}) };
    this.snapshots = {
      open: new IncidentSnapshots({ ...common, version: () => agent.version(), openIncidents: () => agent.openIncidents() }, sopts),
      resolved: new IncidentSnapshots({ ...common, version: () => agent.ledger.version, openIncidents: () => agent.resolvedIncidents() }, sopts),
      all: new IncidentSnapshots({ ...common, version: () => `${agent.version()}/${agent.ledger.version}`, openIncidents: () => [...agent.openIncidents(), ...agent.resolvedIncidents()] }, sopts),
    };
    this.server = http.createServer((req, res) => {
      this.handle(req, res).catch((err: unknown) => {
        if (!res.headersSent) res.writeHead(500, { 'Content-Type': 'text/plain' });
        res.end(`internal error: ${err instanceof Error ? err.message : String(err)}\n`);
      });
    });
    this.server.keepAliveTimeout = 5000;
  }

  async start(): Promise<string> {
    await new Promise<void>((resolve, reject) => {
      this.server.once('error', reject);
      this.server.listen(this.opts.port, this.opts.host, () => resolve());
    });
    const a = this.server.address() as AddressInfo;
    const host = a.family === 'IPv6' ? `[${a.address}]` : a.address;
    return `http://${host === '0.0.0.0' ? '127.0.0.1' : host}:${a.port}`;
  }

  async stop(): Promise<void> {
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  private json(res: http.ServerResponse, code: number, body: unknown): void {
    res.writeHead(code, { 'Content-Type': 'application/json', 'Cache-Control': 'no-store' });
    res.end(typeof body === 'string' ? body : `${JSON.stringify(body, null, 2)}\n`);
  }

  /** /incidents, bounded: at most maxInFlight responses are written at once, maxQueued wait, the
   *  rest are told to come back (503, Retry-After), so readers cannot exhaust the agent. */
  private async incidents(req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
    let q;
    try {
      q = parseQuery(new URL(req.url ?? '/', 'http://x').searchParams);
    } catch (err) {
      if (err instanceof QueryError) return this.json(res, err.status, { error: err.message });
      throw err;
    }
    const max = this.opts.maxInFlight ?? 4;
    const st: { state: 'queued' | 'running' | 'done' } = { state: 'queued' };
    let wake: (() => void) | undefined;
    const release = (): void => {
      if (st.state === 'running') {
        this.inFlight--;
        this.queued.shift()?.();
      } else if (st.state === 'queued' && wake) {
        // Gone while waiting: give up the place in the queue.
        const i = this.queued.indexOf(wake);
        if (i >= 0) this.queued.splice(i, 1);
      }
      st.state = 'done';
    };
    res.once('close', release);
    if (this.inFlight >= max) {
      if (this.queued.length >= (this.opts.maxQueued ?? 64)) {
        st.state = 'done';
        res.writeHead(503, { 'Content-Type': 'application/json', 'Retry-After': '1' }).end(`${JSON.stringify({ error: 'too many concurrent /incidents requests; retry' })}\n`);
        return;
      }
      await new Promise<void>((r) => this.queued.push((wake = r)));
      if (st.state === 'done') {
        // Woken, but gone meanwhile: hand the free slot on.
        if (this.inFlight < max) this.queued.shift()?.();
        return;
      }
    }
    st.state = 'running';
    this.inFlight++;
    try {
      const parts = await this.snapshots[q.state ?? 'open'].respond(q);
      const length = parts.reduce((n, b) => n + b.length, 0);
      res.writeHead(200, { 'Content-Type': 'application/json', 'Cache-Control': 'no-store', 'Content-Length': length });
      if (req.method === 'HEAD') return void res.end();
      for (const p of parts) res.write(p);
      res.end();
    } catch (err) {
      release();
      if (err instanceof QueryError) return this.json(res, err.status, { error: err.message });
      throw err;
    }
  }

  private async handle(req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      res.writeHead(405, { Allow: 'GET, HEAD' }).end();
      return;
    }
    const path = new URL(req.url ?? '/', 'http://x').pathname;
    const now = (this.opts.now ?? Date.now)();
    switch (path) {
      case '/healthz': {
        const ok = this.agent.alive(now);
        const m = process.memoryUsage();
        this.json(res, ok ? 200 : 503, { status: ok ? 'ok' : 'stalled', rssMiB: Math.round(m.rss / 1048576), heapUsedMiB: Math.round(m.heapUsed / 1048576) });
        return;
      }
      case '/readyz': {
        const ready = this.agent.ready();
        const sources = Object.fromEntries(Object.entries(this.agent.sources()).map(([k, s]) => [k, s.detail ? `${s.status}: ${s.detail}` : s.status]));
        const blind = this.agent.blind();
        const status = ready ? 'ready' : blind.length > 0 && this.agent.settledOnce() ? 'blind' : 'syncing';
        const body: Record<string, unknown> = { status, sources };
        if (blind.length > 0) body.reason = `cannot read ${blind.map((b) => `${b.kind} (${b.status}${b.detail ? `: ${b.detail}` : ''})`).join(', ')}`;
        this.json(res, ready ? 200 : 503, body);
        return;
      }
      case '/incidents': {
        await this.incidents(req, res);
        return;
      }
      case '/': {
        res.writeHead(200, { 'Content-Type': 'text/html; charset=utf-8', 'Cache-Control': 'no-store', 'Content-Security-Policy': PAGE_CSP, 'X-Content-Type-Options': 'nosniff', 'Referrer-Policy': 'no-referrer' });
        res.end(req.method === 'HEAD' ? undefined : PAGE);
        return;
      }
      case '/ui/state': {
        const a = this.agent;
        this.json(res, 200, pageState({ clusterName: this.opts.clusterName, openIncidents: () => a.openIncidents(), resolvedIncidents: () => a.resolvedIncidents(), ready: () => a.ready(), blind: () => a.blind() }, now));
        return;
      }
      default: {
        const route = this.opts.routes?.[path];
        if (route) {
          await route(req, res);
          return;
        }
        this.json(res, 404, { error: 'not found', paths: ['/', '/healthz', '/readyz', '/incidents', '/ui/state', ...Object.keys(this.opts.routes ?? {})] });
      }
    }
  }
}
