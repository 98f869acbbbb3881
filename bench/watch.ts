// Benchmarks of `sentinel-agent watch` against the fake API server over real HTTP, each in its own
// process: start → ready, peak and steady RSS, detection latency (watch event written by the fake →
// incident in /incidents) with background churn, API load in a steady state; and the baseline of
// @kubernetes/client-node's informers caching the same kinds.

import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { FakeApiServer } from '../src/sim/apiserver.ts';
import { OtlpReceiver } from '../test/support/otlp-receiver.ts';
import { freePort, sleep } from '../testbed/testbed.ts';

const here = (f: string): string => fileURLToPath(new URL(f, import.meta.url));
const BIN = here('../bin/sentinel-agent.js');

export interface WatchBench {
  pods: number;
  objects: number;
  readyMs: number;
  peakRssMiB: number;
  steadyRssMiB: number;
  detection: { p50: number; p99: number; max: number; samples: number };
  /** Watch event written by the fake → 'opened' log record received by the OTLP receiver. */
  toOtlp: { p50: number; p99: number; max: number; samples: number };
  steady: { listsAfterSync: number; watchRequestsPerMin: number; seconds: number };
  baseline: { readyMs: number; peakRssMiB: number; steadyRssMiB: number; objects: number };
}

/** A process's RSS and peak RSS (VmHWM), MiB. */
export function rss(pid: number): { rss: number; hwm: number } {
  const s = readFileSync(`/proc/${pid}/status`, 'utf8');
  const kb = (k: string): number => Number(new RegExp(`${k}:\\s+(\\d+)`).exec(s)?.[1] ?? 0);
  return { rss: kb('VmRSS') / 1024, hwm: kb('VmHWM') / 1024 };
}

export function lines(p: ChildProcess): AsyncIterator<string> {
  if (!p.stdout) throw new Error('no stdout');
  return createInterface({ input: p.stdout })[Symbol.asyncIterator]();
}

/** The words after `prefix` of the next line that starts with it. */
export async function next(it: AsyncIterator<string>, prefix: string): Promise<string[]> {
  for (;;) {
    const r = await it.next();
    if (r.done) throw new Error(`child ended before "${prefix}"`);
    if (r.value.startsWith(`${prefix} `)) return r.value.split(' ').slice(1);
  }
}

export { sleep };

export function pct(xs: number[], p: number): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor((p / 100) * s.length))] ?? NaN;
}


export async function benchWatch(pods: number, opts: { detectSamples?: number; churnPerSec?: number; steadySeconds?: number; perServer?: number; baseline?: boolean } = {}): Promise<WatchBench> {
  const api = spawn(process.execPath, ['--max-old-space-size=16384', here('./apiserver-child.ts'), String(pods), String(opts.perServer ?? 10)], { stdio: ['pipe', 'pipe', 'inherit'] });
  const apiOut = lines(api);
  try {
    const [url = '', objects = '0'] = await next(apiOut, 'url');
    const dir = mkdtempSync(join(tmpdir(), 'sentinel-bench-'));
    const kubeconfig = join(dir, 'config');
    writeFileSync(kubeconfig, new FakeApiServer().kubeconfig(url));
    const port = await freePort();
    const base = `http://127.0.0.1:${port}`;
    const rx = new OtlpReceiver();
    const rxUrl = await rx.start();

    // The agent, as a user runs it.
    const t0 = performance.now();
    // The agent's default telemetry settings, pointed at the receiver.
    const agent = spawn(process.execPath, [BIN, 'watch', '--kubeconfig', kubeconfig, '--listen', `127.0.0.1:${port}`, '--log-level', 'warn'], {
      stdio: ['ignore', 'ignore', 'inherit'],
      // The container image's malloc settings (Dockerfile).
      env: { ...process.env, OTEL_EXPORTER_OTLP_ENDPOINT: rxUrl, MALLOC_MMAP_THRESHOLD_: '131072', MALLOC_TRIM_THRESHOLD_: '131072' },
    });
    const pid = agent.pid ?? 0;
    let readyMs = NaN;
    for (;;) {
      try {
        if ((await fetch(`${base}/readyz`)).status === 200) {
          readyMs = performance.now() - t0;
          break;
        }
      } catch {
        /* not listening yet */
      }
      if (performance.now() - t0 > 300_000) throw new Error('agent not ready within 300 s');
      await sleep(25);
    }
    // Settle, then measure detection latency under background churn.
    await sleep(1500);
    api.stdin?.write(`churn ${opts.churnPerSec ?? 20}\n`);
    const latencies: number[] = [];
    const otlp: number[] = [];
    const podCount = pods;
    for (let k = 0; k < (opts.detectSamples ?? 40); k++) {
      const idx = (k * 487 + 13) % podCount;
      api.stdin?.write(`break ${idx}\n`);
      const [, at = '0', name = ''] = await next(apiOut, 'broken');
      for (;;) {
        const doc = (await (await fetch(`${base}/incidents`)).json()) as { incidents: { object: { name: string } }[] };
        if (doc.incidents.some((i) => i.object.name === name)) {
          latencies.push(Date.now() - Number(at));
          break;
        }
        if (Date.now() - Number(at) > 10_000) {
          latencies.push(10_000);
          break;
        }
        await sleep(5);
      }
      for (;;) {
        const rec = rx.logRecords().find((r) => r.attributes['k8s.object.name'] === name && r.eventName === 'mcp_runtime.health.incident.opened');
        if (rec) {
          otlp.push(rec.receivedAt - Number(at));
          break;
        }
        if (Date.now() - Number(at) > 10_000) {
          otlp.push(10_000);
          break;
        }
        await sleep(5);
      }
      await sleep(50);
    }
    // Steady state: requests over a quiet period (churn goes on).
    api.stdin?.write('stats\n');
    const [lists0 = '0', watches0 = '0'] = await next(apiOut, 'stats');
    const steadySeconds = opts.steadySeconds ?? 20;
    await sleep(steadySeconds * 1000);
    api.stdin?.write('stats\n');
    const [lists1 = '0', watches1 = '0'] = await next(apiOut, 'stats');
    api.stdin?.write('churn 0\n');
    const mem = rss(pid);
    agent.kill('SIGTERM');
    await new Promise((r) => agent.once('exit', r));
    await rx.stop();

    // Baseline: client-node informers over the same API server.
    let baseline = { ready: NaN, objects: NaN, hwm: NaN, rss: NaN };
    if (opts.baseline !== false) {
      const inf = spawn(process.execPath, ['--max-old-space-size=16384', here('./informer-child.ts'), kubeconfig], { stdio: ['ignore', 'pipe', 'inherit'] });
      const [bReady = '0', bObjects = '0'] = await next(lines(inf), 'ready');
      await sleep(3000);
      const bmem = rss(inf.pid ?? 0);
      inf.kill('SIGKILL');
      baseline = { ready: Number(bReady), objects: Number(bObjects), ...bmem };
      if (!(baseline.objects > 0)) throw new Error(`the informer baseline cached no objects (ready ${bReady} ms): it did not run, its figures would be meaningless`);
    }

    return {
      pods,
      objects: Number(objects),
      readyMs,
      peakRssMiB: mem.hwm,
      steadyRssMiB: mem.rss,
      detection: { p50: pct(latencies, 50), p99: pct(latencies, 99), max: Math.max(...latencies), samples: latencies.length },
      toOtlp: { p50: pct(otlp, 50), p99: pct(otlp, 99), max: Math.max(...otlp), samples: otlp.length },
      steady: { listsAfterSync: Number(lists1) - Number(lists0), watchRequestsPerMin: ((Number(watches1) - Number(watches0)) * 60) / steadySeconds, seconds: steadySeconds },
      baseline: { readyMs: baseline.ready, peakRssMiB: baseline.hwm, steadyRssMiB: baseline.rss, objects: baseline.objects },
    };
  } finally {
    api.stdin?.write('stop\n');
    setTimeout(() => api.kill('SIGKILL'), 2000).unref();
  }
}
