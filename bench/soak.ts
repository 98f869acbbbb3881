// npm run soak -- --minutes N [--pods P] [--rate R]: churn a generated cluster at a steady rate for N
// minutes against the real agent (separate processes, real HTTP) and print its RSS and heap over time
// with their slope after warm-up (target: no growth). Not part of the tests.
import { spawn } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { FakeApiServer } from '../src/sim/apiserver.ts';
import { rss, sleep } from './watch.ts';

const { values } = parseArgs({ options: { minutes: { type: 'string', default: '10' }, pods: { type: 'string', default: '5000' }, rate: { type: 'string', default: '200' } } });
const minutes = Number(values.minutes);
const here = (f: string): string => fileURLToPath(new URL(f, import.meta.url));

const api = spawn(process.execPath, [here('./apiserver-child.ts'), String(values.pods)], { stdio: ['pipe', 'pipe', 'inherit'] });
const out = createInterface({ input: api.stdout })[Symbol.asyncIterator]();
const url = String((await out.next()).value).split(' ')[1] ?? '';
const dir = mkdtempSync(join(tmpdir(), 'sentinel-soak-'));
writeFileSync(join(dir, 'kubeconfig'), new FakeApiServer().kubeconfig(url));
// RSS from /proc; the heap from the agent's /healthz.
const agent = spawn(process.execPath, [here('../bin/sentinel-agent.js'), 'watch', '--kubeconfig', join(dir, 'kubeconfig'), '--listen', '127.0.0.1:0', '--log-level', 'info'], {
  stdio: ['ignore', 'ignore', 'pipe'],
  // The container image's malloc settings (Dockerfile).
  env: { ...process.env, OTEL_SDK_DISABLED: 'true', MALLOC_MMAP_THRESHOLD_: '131072', MALLOC_TRIM_THRESHOLD_: '131072' },
});
let log = '';
agent.stderr?.on('data', (d: Buffer) => {
  if (log.length < 100_000) log += d.toString();
});
const rssNow = (): number => rss(agent.pid ?? 0).rss;
let base = '';
while (!base) {
  await sleep(200);
  base = /"msg":"serving","url":"(http:[^"]+)"/.exec(log)?.[1] ?? '';
}
const heap = async (): Promise<number> => ((await (await fetch(`${base}/healthz`)).json()) as { heapUsedMiB: number }).heapUsedMiB;
while ((await fetch(`${base}/readyz`)).status !== 200) await sleep(200);
api.stdin?.write(`churn ${values.rate}\n`);
const samples: { t: number; rss: number; heap: number }[] = [];
const t0 = Date.now();
console.log(`soak: ${values.pods} pods, ${values.rate} changes/s, ${minutes} min`);
console.log('minute  RSS MiB  heap MiB');
while (Date.now() - t0 < minutes * 60_000) {
  await sleep(Math.min(15_000, minutes * 60_000));
  const s = { t: (Date.now() - t0) / 60_000, rss: rssNow(), heap: await heap() };
  samples.push(s);
  console.log(`${s.t.toFixed(1).padStart(6)}  ${s.rss.toFixed(1).padStart(7)}  ${String(s.heap).padStart(8)}`);
}
// Least-squares slopes over time after the first third (warm-up).
const warm = samples.slice(Math.floor(samples.length / 3));
const slope = (f: (s: (typeof samples)[number]) => number): number => {
  const n = warm.length;
  const mx = warm.reduce((a, s) => a + s.t, 0) / n;
  const my = warm.reduce((a, s) => a + f(s), 0) / n;
  return warm.reduce((a, s) => a + (s.t - mx) * (f(s) - my), 0) / Math.max(1e-9, warm.reduce((a, s) => a + (s.t - mx) ** 2, 0));
};
console.log(`after warm-up (${warm.length} samples): RSS slope ${slope((s) => s.rss).toFixed(2)} MiB/min, heap slope ${slope((s) => s.heap).toFixed(2)} MiB/min (target: ~0)`);
agent.kill('SIGTERM');
api.stdin?.write('stop\n');
await sleep(1000);
process.exit(0);
