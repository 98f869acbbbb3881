// The HTTP endpoints of watch (product.md §6): /healthz, /readyz, /incidents (the doctor JSON
// schema). Read-only, GET/HEAD only; nothing here can change the agent.

import http from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Agent } from '../agent/agent.ts';
import { buildReport, reportJson } from '../format/report.ts';
import { rfc3339 } from '../engine/incidents.ts';

export interface HttpServerOptions {
  host: string;
  port: number;
  clusterName: string;
  now?: () => number;
  /** Extra routes (GET path → handler), e.g. /metrics. */
  routes?: Record<string, (req: http.IncomingMessage, res: http.ServerResponse) => void | Promise<void>>;
}

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

  constructor(agent: Agent, opts: HttpServerOptions) {
    this.agent = agent;
    this.opts = opts;
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
        this.json(res, ready ? 200 : 503, { status: ready ? 'ready' : 'syncing', sources });
        return;
      }
      case '/incidents': {
        const report = buildReport({ generatedAt: rfc3339(now), clusterName: this.opts.clusterName, source: 'live', incidents: this.agent.openIncidents(), skipped: this.agent.skipped() });
        this.json(res, 200, reportJson(report));
        return;
      }
      default: {
        const route = this.opts.routes?.[path];
        if (route) {
          await route(req, res);
          return;
        }
        this.json(res, 404, { error: 'not found', paths: ['/healthz', '/readyz', '/incidents', ...Object.keys(this.opts.routes ?? {})] });
      }
    }
  }
}
