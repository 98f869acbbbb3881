// npm run bench:faults [-- --pods P --outage-minutes M]: the agent under a Collector outage and an
// incident flood, measured (issue: reliability under faults). Real agent, real HTTP, separate
// processes: the fake API server with a generated cluster, the agent as a user runs it (the image's
// settings), an OTLP receiver standing in for the Collector.
//   0. API server faults at full length (500s on LIST and WATCH for 30 s, a relist storm, the API
//      server gone for 2 minutes): how long after each until the agent shows a change made meanwhile.
//   1. Collector down (503 with Retry-After) for M minutes while incidents open and resolve and 20
//      changes per second arrive: RSS over time, export failures and drops counted by the agent, and
//      once the Collector answers again, how long until every open incident was re-announced.
//   2. A registry outage: the registry down and every pod failing to pull from it, at once: RSS peak,
//      time until it is one root-cause incident explaining the pull failures, log records sent per
//      second (flood control), and the number of incident metric series (bounded by the catalog).
import { spawn } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { FakeApiServer } from '../src/sim/apiserver.ts';
import { OtlpReceiver } from '../test/support/otlp-receiver.ts';
import { lines, next, rss, sleep } from './watch.ts';

const { values } = parseArgs({ options: { pods: { type: 'string', default: '20000' }, 'outage-minutes': { type: 'string', default: '3' } } });
const PODS = Number(values.pods);
const OUTAGE_MS = Number(values['outage-minutes']) * 60_000;
const here = (f: string): string => fileURLToPath(new URL(f, import.meta.url));
const mib = (n: number): number => Math.round(n);

const api = spawn(process.execPath, ['--max-old-space-size=8192', here('./apiserver-child.ts'), String(PODS)], { stdio: ['pipe', 'pipe', 'inherit'] });
const apiOut = lines(api);
const expectLine = (prefix: string): Promise<string[]> => next(apiOut, prefix);
const [url = ''] = await expectLine('url');
const dir = mkdtempSync(join(tmpdir(), 'sentinel-faults-'));
writeFileSync(join(dir, 'kubeconfig'), new FakeApiServer().kubeconfig(url));
const rx = new OtlpReceiver();
const rxUrl = await rx.start();
const agent = spawn(process.execPath, [here('../bin/sentinel-agent.js'), 'watch', '--kubeconfig', join(dir, 'kubeconfig'), '--listen', '127.0.0.1:0', '--prometheus', '--log-level', 'info'], {
  stdio: ['ignore', 'ignore', 'pipe'],
  env: { ...process.env, OTEL_EXPORTER_OTLP_ENDPOINT: rxUrl, OTEL_METRIC_EXPORT_INTERVAL: '5000', MALLOC_MMAP_THRESHOLD_: '131072', MALLOC_TRIM_THRESHOLD_: '131072' },
});
let log = '';
agent.stderr?.on('data', (d: Buffer) => {
  if (log.length < 1_000_000) log += d.toString();
});
const status = (): { rss: number; hwm: number } => rss(agent.pid ?? 0);
let base = '';
while (!base) {
  await sleep(200);
  base = /"msg":"serving","url":"(http:[^"]+)"/.exec(log)?.[1] ?? '';
}
while ((await fetch(`${base}/readyz`)).status !== 200) await sleep(200);
await sleep(5000);
const open = async (): Promise<{ id: string; reason: string; attributes: Record<string, unknown> }[]> => ((await (await fetch(`${base}/incidents`)).json()) as { incidents: { id: string; reason: string; attributes: Record<string, unknown> }[] }).incidents;
/** A counter from the agent's /metrics (Prometheus text), summed over its series. */
const counter = async (name: string): Promise<number> => {
  const text = await (await fetch(`${base}/metrics`)).text();
  let n = 0;
  for (const line of text.split('\n')) if (line.startsWith(name)) n += Number(line.slice(line.lastIndexOf(' ') + 1)) || 0;
  return n;
};
const rssReady = status().rss;
console.log(`ready: ${PODS} pods, RSS ${mib(rssReady)} MiB, ${(await open()).length} open incidents`);

// 0. API server faults, at full length: recovery = the fault ends → the change made during it is an
// incident on /incidents.
const brokenName = async (i: number): Promise<string> => {
  api.stdin?.write(`break ${i}\n`);
  const [, , name = ''] = await expectLine('broken');
  return name;
};
const incidentFor = async (name: string, limitMs = 120_000): Promise<number> => {
  const from = Date.now();
  while (Date.now() - from < limitMs) {
    const doc = (await (await fetch(`${base}/incidents`)).json()) as { incidents: { object: { name: string } }[] };
    if (doc.incidents.some((x) => x.object.name === name)) return Date.now() - from;
    await sleep(50);
  }
  return NaN;
};
const readyz = async (): Promise<string> => {
  const r = (await (await fetch(`${base}/readyz`)).json()) as { sources: Record<string, string> };
  return r.sources.Pod ?? '';
};
const ms = (n: number): string => (Number.isNaN(n) ? 'NOT within 120 s' : `${n} ms`);
{
  api.stdin?.write(`fault ${JSON.stringify({ status: 500, times: 1_000_000 })}\n`);
  api.stdin?.write('drop\n');
  const name = await brokenName(101);
  await sleep(15_000);
  const during = await readyz();
  const alive = (await fetch(`${base}/healthz`)).status;
  await sleep(15_000);
  api.stdin?.write('clear\n');
  console.log(`500s on every LIST and WATCH for 30 s: /healthz ${alive}, /readyz said "${during.slice(0, 80)}"; recovered (the change made meanwhile on /incidents) ${ms(await incidentFor(name))} after the fault ended`);
}
{
  api.stdin?.write('compact\n');
  api.stdin?.write(`fault ${JSON.stringify({ watch: true, status: 410, times: 40 })}\n`);
  api.stdin?.write('stats\n');
  const [lists0 = '0'] = await expectLine('stats');
  api.stdin?.write('drop\n');
  const t = Date.now();
  const name = await brokenName(202);
  const took = await incidentFor(name);
  api.stdin?.write('stats\n');
  const [lists1 = '0'] = await expectLine('stats');
  console.log(`relist storm (history compacted, 40 watches answered 410 in a row): the change made meanwhile on /incidents ${ms(took)} after it started (${Date.now() - t} ms in all), ${Number(lists1) - Number(lists0)} LIST requests`);
}
{
  api.stdin?.write('pause\n');
  await expectLine('paused');
  await sleep(60_000);
  const alive = (await fetch(`${base}/healthz`)).status;
  const during = await readyz();
  await sleep(60_000);
  // Made "during" the outage from the agent's point of view: it can only learn of it after.
  const name = await brokenName(303);
  api.stdin?.write('resume\n');
  await expectLine('resumed');
  console.log(`API server gone for 2 min: /healthz ${alive}, /readyz said "${during.slice(0, 80)}"; recovered ${ms(await incidentFor(name))} after it came back; RSS ${mib(status().rss)} MiB`);
}

// 1. The Collector down.
rx.respond.logs = { status: 503, headers: { 'Retry-After': '1' } };
rx.respond.metrics = { status: 503, headers: { 'Retry-After': '1' } };
api.stdin?.write('churn 20\n');
const samples: { t: number; rss: number }[] = [];
const t0 = Date.now();
let k = 0;
console.log(`collector down for ${OUTAGE_MS / 60_000} min; a pod breaks every 2 s; 20 changes/s`);
while (Date.now() - t0 < OUTAGE_MS) {
  api.stdin?.write(`break ${(k++ * 4099 + 11) % PODS}\n`);
  await sleep(2000);
  if (k % 5 === 0) samples.push({ t: (Date.now() - t0) / 60_000, rss: status().rss });
}
const openAtEnd = await open();
const failures = await counter('sentinel_agent_export_failures');
const dropped = await counter('sentinel_agent_export_dropped');
const rssOutage = samples.map((s) => s.rss);
const warm = samples.slice(Math.floor(samples.length / 3));
const n = warm.length;
const mx = warm.reduce((a, s) => a + s.t, 0) / n;
const my = warm.reduce((a, s) => a + s.rss, 0) / n;
const slope = warm.reduce((a, s) => a + (s.t - mx) * (s.rss - my), 0) / Math.max(1e-9, warm.reduce((a, s) => a + (s.t - mx) ** 2, 0));
console.log(`during the outage: RSS ${mib(Math.min(...rssOutage))}–${mib(Math.max(...rssOutage))} MiB (slope after warm-up ${slope.toFixed(2)} MiB/min); export failures ${failures}, dropped ${dropped}; ${openAtEnd.length} incidents open`);
// The Collector back: every open incident must be announced again.
rx.respond.logs = { status: 200 };
rx.respond.metrics = { status: 200 };
const back = Date.now();
const receivedBefore = rx.logRecords().length;
let recoveredMs = NaN;
while (Date.now() - back < 120_000) {
  const seen = new Set(rx.logRecords().slice(receivedBefore).filter((r) => r.eventName === 'mcp_runtime.health.incident.opened').map((r) => r.attributes['incident.id']));
  if (openAtEnd.every((i) => seen.has(i.id))) {
    recoveredMs = Date.now() - back;
    break;
  }
  await sleep(100);
}
console.log(`collector back: all ${openAtEnd.length} open incidents re-announced after ${Number.isNaN(recoveredMs) ? 'NOT within 120 s' : `${recoveredMs} ms`}`);
api.stdin?.write('churn 0\n');
await sleep(3000);

// 2. The flood.
const hwmBefore = status().hwm;
const recordsBefore = rx.logRecords().length;
api.stdin?.write(`flood ${PODS}\n`);
const [count = '0', at = '0'] = await expectLine('flooded');
let rootMs = NaN;
let root: { attributes: Record<string, unknown> } | undefined;
const rssFlood: number[] = [];
while (Date.now() - Number(at) < 90_000) {
  rssFlood.push(status().rss);
  const inc = await open();
  root = inc.find((i) => i.reason === 'RegistryUnavailable');
  if (Number.isNaN(rootMs) && root && Number(root.attributes.explains ?? 0) >= Number(count)) rootMs = Date.now() - Number(at);
  if (!Number.isNaN(rootMs) && Date.now() - Number(at) > 60_000) break;
  await sleep(1000);
}
const floodRecords = rx.logRecords().slice(recordsBefore);
const secs = (Date.now() - Number(at)) / 1000;
const inc = await open();
const series = rx.latest('mcp_runtime.health.incidents').size;
const suppressed = floodRecords.filter((r) => r.eventName === 'mcp_runtime.health.incident.suppressed').length;
console.log(
  `flood: ${count} pods failing to pull at once → ${inc.length} open incidents; the registry outage explains ${String(root?.attributes.explains ?? 0)} of them (after ${Number.isNaN(rootMs) ? 'never' : `${rootMs} ms`})`,
);
console.log(`flood: RSS ${mib(Math.max(...rssFlood))} MiB at most (peak before the flood ${mib(hwmBefore)}, after ${mib(status().hwm)}); ${floodRecords.length} log records in ${secs.toFixed(0)} s (${(floodRecords.length / secs).toFixed(0)}/s), ${suppressed} suppression summaries; ${series} incident metric series`);
agent.kill('SIGTERM');
api.stdin?.write('stop\n');
await rx.stop();
await sleep(1000);
process.exit(0);
