// B6: GET /incidents under concurrent readers with 20,000 open incidents. Two servers, each in its
// own process so their RSS is theirs alone, are read the same way in the same run:
//   agent — the agent's HTTP server (one snapshot per change, shared buffers, bounded concurrency);
//   peer  — serializing the report on every request (buildReport + reportJson per GET), as the
//           agent did before, and as a naive exporter does.
// For each: 50 concurrent full reads, three rounds; the latency of each read, the server's peak RSS,
// and /healthz latency sampled every 50 ms throughout.
//   node bench/incidents-load.ts            (prints JSON)
//   node bench/incidents-load.ts --child agent|peer   (the server; prints its URL, then RSS on demand)

import { spawn } from 'node:child_process';
import http from 'node:http';
import { fileURLToPath } from 'node:url';
import { readFileSync } from 'node:fs';

const OPEN = Number(process.env.BENCH_INCIDENTS ?? 20_000);
const CONCURRENCY = 50;
const ROUNDS = 3;

async function makeIncidents(n: number) {
  const b = await import('../src/sim/objects.ts');
  const { ObjectStore } = await import('../src/kube/store.ts');
  const { loadDocuments } = await import('../src/collector/file.ts');
  const { diagnose } = await import('../src/cli/doctor.ts');
  const { defaultAgentConfig } = await import('../src/config/config.ts');
  const items = [];
  for (let i = 0; i < n; i++) {
    items.push(
      b.pod(`web-${i}-7d9f8b6c5d-x${i}`, {
        ns: `mcp-team-${i % 40}`,
        labels: { app: `web-${i % 500}` },
        ready: false,
        containers: [{ name: 'web', image: 'registry.example.com/team/web:v1.2.3', ready: false, restarts: 7, state: b.waiting('CrashLoopBackOff', 'back-off 5m0s restarting failed container'), lastState: b.terminated('Error', 1, -1, 'panic: runtime error: invalid memory address or nil pointer dereference') }],
      }),
    );
  }
  const store = new ObjectStore();
  loadDocuments([{ apiVersion: 'v1', kind: 'List', items }], 'bench', store, () => true);
  return diagnose(store, defaultAgentConfig(), b.T0).incidents;
}

function rssMiB(): number {
  const s = readFileSync('/proc/self/status', 'utf8');
  return Number(/VmRSS:\s+(\d+)/.exec(s)?.[1] ?? 0) / 1024;
}

async function child(mode: 'agent' | 'peer'): Promise<void> {
  const incidents = await makeIncidents(OPEN);
  let peak = rssMiB();
  setInterval(() => (peak = Math.max(peak, rssMiB())), 20).unref();
  let url: string;
  if (mode === 'agent') {
    const { AgentHttpServer } = await import('../src/server/http.ts');
    const agent = { version: () => 1, openIncidents: () => incidents, skipped: () => [], blind: () => [], alive: () => true, ready: () => true, sources: () => ({}), settledOnce: () => true };
    const server = new AgentHttpServer(agent as never, { host: '127.0.0.1', port: 0, clusterName: 'bench', routes: { '/rss': (_q, res) => void res.end(JSON.stringify({ rss: rssMiB(), peak })) } });
    url = await server.start();
  } else {
    const { buildReport, reportJson } = await import('../src/format/report.ts');
    const server = http.createServer((req, res) => {
      if (req.url === '/healthz') return void res.end('{"status":"ok"}');
      if (req.url === '/rss') return void res.end(JSON.stringify({ rss: rssMiB(), peak }));
      res.writeHead(200, { 'Content-Type': 'application/json' });
      res.end(reportJson(buildReport({ generatedAt: new Date().toISOString(), clusterName: 'bench', source: 'live', incidents, skipped: [] })));
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    url = `http://127.0.0.1:${(server.address() as { port: number }).port}`;
  }
  peak = rssMiB();
  process.stdout.write(`${url}\n`);
}

function quantile(xs: number[], q: number): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor(q * s.length))] ?? NaN;
}

async function get(url: string, timeoutMs = 120_000): Promise<{ ms: number; status: number; bytes: number }> {
  const t0 = performance.now();
  // A fresh connection per read: 50 readers, as 50 clients would.
  const r = await fetch(url, { signal: AbortSignal.timeout(timeoutMs), headers: { Connection: 'close' } }).catch(() => undefined);
  if (!r) return { ms: performance.now() - t0, status: 0, bytes: 0 };
  const body = await r.arrayBuffer().catch(() => new ArrayBuffer(0));
  return { ms: performance.now() - t0, status: r.status, bytes: body.byteLength };
}

export interface IncidentsLoad {
  open: number;
  concurrency: number;
  bodyMiB: number;
  agent: LoadResult;
  peer: LoadResult;
}

interface LoadResult {
  p50: number;
  p99: number;
  totalMs: number;
  peakRssMiB: number;
  idleRssMiB: number;
  healthzP99: number;
  healthzMax: number;
  refused: number;
}

async function measure(mode: 'agent' | 'peer'): Promise<LoadResult & { bytes: number }> {
  const proc = spawn(process.execPath, [fileURLToPath(import.meta.url), '--child', mode], { stdio: ['ignore', 'pipe', 'inherit'] });
  const url = await new Promise<string>((resolve) => {
    let buf = '';
    proc.stdout.on('data', (d: Buffer) => {
      buf += d.toString();
      if (buf.includes('\n')) resolve(buf.trim());
    });
  });
  try {
    const idle = (await (await fetch(`${url}/rss`)).json()) as { rss: number };
    const lat: number[] = [];
    const health: number[] = [];
    let refused = 0;
    let bytes = 0;
    // /healthz is sampled from a process of its own: this one is busy reading 50 bodies at once,
    // and its own event loop would add its delays to the server's.
    const samplerProc = spawn(process.execPath, [fileURLToPath(import.meta.url), '--healthz', url], { stdio: ['pipe', 'pipe', 'inherit'] });
    let samplerOut = '';
    samplerProc.stdout.on('data', (d: Buffer) => (samplerOut += d.toString()));
    await new Promise((r) => setTimeout(r, 300));
    const t0 = performance.now();
    for (let round = 0; round < ROUNDS; round++) {
      const rs = await Promise.all(Array.from({ length: CONCURRENCY }, () => get(`${url}/incidents`)));
      for (const r of rs) {
        if (r.status === 200) {
          lat.push(r.ms);
          bytes = r.bytes;
        } else refused++;
      }
    }
    const totalMs = performance.now() - t0;
    const closed = new Promise((r) => samplerProc.on('close', r));
    samplerProc.stdin.end('stop\n');
    await closed;
    health.push(...(JSON.parse(samplerOut) as number[]));
    const rss = (await (await fetch(`${url}/rss`)).json()) as { peak: number };
    return { p50: quantile(lat, 0.5), p99: quantile(lat, 0.99), totalMs, peakRssMiB: rss.peak, idleRssMiB: idle.rss, healthzP99: quantile(health, 0.99), healthzMax: Math.max(...health), refused, bytes };
  } finally {
    proc.kill();
  }
}

export async function benchIncidentsLoad(): Promise<IncidentsLoad> {
  const agent = await measure('agent');
  const peer = await measure('peer');
  return { open: OPEN, concurrency: CONCURRENCY, bodyMiB: agent.bytes / 1048576, agent, peer };
}

/** Samples /healthz every 50 ms (raw http, one socket each) until told to stop; prints latencies. */
async function healthzSampler(url: string): Promise<void> {
  const out: number[] = [];
  let stop = false;
  process.stdin.on('data', () => (stop = true));
  while (!stop) {
    const t0 = performance.now();
    await new Promise<void>((resolve) => {
      const req = http.get(`${url}/healthz`, { agent: false }, (res) => {
        res.resume();
        res.on('end', () => resolve());
      });
      req.on('error', () => resolve());
    });
    out.push(performance.now() - t0);
    await new Promise((r) => setTimeout(r, 50));
  }
  process.stdout.write(JSON.stringify(out));
  process.exit(0);
}

if (process.argv[2] === '--healthz') await healthzSampler(process.argv[3] ?? '');
else if (process.argv[2] === '--child') await child(process.argv[3] === 'peer' ? 'peer' : 'agent');
else if (import.meta.url === `file://${process.argv[1]}`) console.log(JSON.stringify(await benchIncidentsLoad(), null, 2));
