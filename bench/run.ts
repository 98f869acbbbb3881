// npm run bench: benchmarks, separate from the tests. Prints a table and writes BENCHMARKS.md.
//   B0 doctor --from-file over a generated 20,000-pod MCP Runtime cluster: evaluation time (in
//      process: parse, load, evaluate separately) and the whole run as a user runs it (wall, peak RSS).
//   W  watch against the fake API server over real HTTP (20,000 pods): start → ready, peak and steady
//      RSS, detection latency under 20 changes/s, API requests in a steady state; beside it the
//      baseline of @kubernetes/client-node's informers caching the same kinds.
// BENCH_PODS sets the cluster size; BENCH_SKIP_WATCH=1 runs B0 only.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { generateCluster } from './generate.ts';
import { realSections } from './sections.ts';
import { ObjectStore } from '../src/kube/store.ts';
import { loadDocuments, parseDocuments } from '../src/collector/file.ts';
import { defaultAgentConfig } from '../src/config/config.ts';
import { diagnose } from '../src/cli/doctor.ts';

const PODS = Number(process.env.BENCH_PODS ?? 20_000);
const dir = mkdtempSync(join(tmpdir(), 'sentinel-bench-'));
const file = join(dir, 'cluster.json');
const items = generateCluster(PODS);
writeFileSync(file, JSON.stringify({ apiVersion: 'v1', kind: 'List', items }));
const sizeMiB = statSync(file).size / 1048576;
const pods = items.filter((i) => i.kind === 'Pod').length;

// In process, three times: the engine's own cost, without process start-up.
const runs: { parse: number; load: number; evaluate: number; incidents: number }[] = [];
const text = (await import('node:fs')).readFileSync(file, 'utf8');
for (let i = 0; i < 3; i++) {
  const t0 = performance.now();
  const docs = parseDocuments(text, file);
  const t1 = performance.now();
  const store = new ObjectStore();
  loadDocuments(docs, file, store, () => true);
  const t2 = performance.now();
  const d = diagnose(store, defaultAgentConfig(), Date.parse('2026-11-24T10:00:00Z'));
  const t3 = performance.now();
  runs.push({ parse: t1 - t0, load: t2 - t1, evaluate: t3 - t2, incidents: d.incidents.length });
}
const best = (k: 'parse' | 'load' | 'evaluate'): number => Math.min(...runs.map((r) => r[k]));

// As a user runs it: a fresh process, the real CLI.
const child = fileURLToPath(new URL('./doctor-child.ts', import.meta.url));
const whole: { ms: number; maxRssMiB: number; code: number }[] = [];
for (let i = 0; i < 3; i++) {
  const t0 = performance.now();
  const r = spawnSync(process.execPath, [child, 'doctor', '--from-file', file, '--output', 'json'], { encoding: 'utf8' });
  const wall = performance.now() - t0;
  const rep = JSON.parse(r.stderr.trim().split('\n').pop() ?? '{}') as { ms: number; maxRssMiB: number; code: number };
  whole.push({ ...rep, ms: wall });
}
const f = (n: number): string => n.toFixed(0);
// B5: each figure from its own fresh process with --expose-gc (see memory.ts).
const b5 = (await import('./memory.ts')).bytesPerObject(PODS);
const { benchEvents } = await import('./events.ts');
const b2 = await benchEvents(PODS, 10_000);
const { benchWatch } = await import('./watch.ts');
const w = process.env.BENCH_SKIP_WATCH ? undefined : await benchWatch(PODS, { detectSamples: 40, steadySeconds: 30 });
// B1 at the larger sizes: 50,000 pods with ~50,000 other objects (7 pods per server), with the
// informer baseline; 150,000 pods (BENCH_150K=1, without the baseline: it needs ~5 GiB).
const large = process.env.BENCH_SKIP_WATCH || process.env.BENCH_PODS ? [] : [{ pods: 50_000, perServer: 7, baseline: true }, ...(process.env.BENCH_150K ? [{ pods: 150_000, perServer: 10, baseline: false }] : [])];
const b1: Awaited<ReturnType<typeof benchWatch>>[] = [];
for (const l of large) b1.push(await benchWatch(l.pods, { detectSamples: 20, steadySeconds: 60, perServer: l.perServer, baseline: l.baseline }));
const { benchIncidentsLoad } = await import('./incidents-load.ts');
const b6 = await benchIncidentsLoad();
const rows = [
  ['benchmark', 'value', 'target'],
  ['B0 input', `${pods} pods, ${items.length} objects, ${sizeMiB.toFixed(0)} MiB JSON`, ''],
  ['B0 parse JSON (best of 3)', `${f(best('parse'))} ms`, ''],
  ['B0 normalize + store (best of 3)', `${f(best('load'))} ms`, ''],
  ['B0 evaluate + incidents (best of 3)', `${f(best('evaluate'))} ms`, '< 1000 ms'],
  ['B0 incidents found', String(runs[0]?.incidents ?? 0), ''],
  ['B0 whole doctor run, wall (best of 3)', `${f(Math.min(...whole.map((w) => w.ms)))} ms`, '< 10000 ms'],
  ['B0 whole doctor run, peak RSS', `${f(Math.max(...whole.map((x) => x.maxRssMiB)))} MiB`, ''],
];
rows.push(
  ['B2 per watch event, health unchanged, nothing kept changed (resourceVersion only), one pass each (p50 / p99)', `${f(b2.p50us)} / ${f(b2.p99us)} µs`, 'p50 <= 60, p99 <= 250 µs'],
  ['B2 same, 50 events per pass as the agent batches them (p50 / p99 per event)', `${f(b2.batched.p50us)} / ${f(b2.batched.p99us)} µs`, ''],
  ['B2 per watch event, health unchanged, a kept field changed (restart count), one pass each (p50 / p99)', `${f(b2.projected.p50us)} / ${f(b2.projected.p99us)} µs`, 'p50 <= 60, p99 <= 250 µs'],
  ['B2 same, 50 events per pass (p50 / p99 per event)', `${f(b2.projectedBatched.p50us)} / ${f(b2.projectedBatched.p99us)} µs`, ''],
  ['B2 events per second on one core, health unchanged (nothing kept / kept field; one pass each)', `${f(b2.eventsPerSecond)} / ${f(b2.projected.eventsPerSecond)}`, '>= 10,000'],
  ['B2 per event flipping a pod healthy ↔ CrashLoopBackOff, ~1,000 open incidents, one pass each (p50 / p99)', `${f(b2.changing.p50us)} / ${f(b2.changing.p99us)} µs (${b2.changing.transitions} transitions)`, ''],
  ['B2 same, 50 events per pass (p50 / p99 per event; events/s)', `${f(b2.changingBatched.p50us)} / ${f(b2.changingBatched.p99us)} µs; ${f(b2.changingBatched.eventsPerSecond)}/s`, ''],
  ['B2 per Warning Event (a readiness probe failing once on a running pod: held as evidence, the pod re-judged, no finding changes), one pass each (p50 / p99)', `${f(b2.warnings.p50us)} / ${f(b2.warnings.p99us)} µs`, 'p50 <= 60, p99 <= 250 µs'],
  ['B2 same, 50 per pass (p50 / p99 per event; events/s)', `${f(b2.warningsBatched.p50us)} / ${f(b2.warningsBatched.p99us)} µs; ${f(b2.warningsBatched.eventsPerSecond)}/s`, '>= 10,000/s'],
  [`B2 a storm of ${b2.storm.sent} distinct Warning Events, 50 per pass: per event (p50 / p99; events/s), then held by the index`, `${f(b2.storm.p50us)} / ${f(b2.storm.p99us)} µs; ${f(b2.storm.eventsPerSecond)}/s; ${b2.storm.held} held, ${b2.storm.heldMiB.toFixed(1)} MiB`, '<= 10,000 held, <= 8 MiB'],
  ['B2 event-loop lag p99 at 2,000 events/s', `${b2.lagP99ms.toFixed(1)} ms`, '<= 50 ms'],
);
rows.push(
  [`B6 /incidents, ${b6.open} open incidents (${b6.bodyMiB.toFixed(0)} MiB), ${b6.concurrency} concurrent readers × 3: agent vs per-request serialization (the peer)`, `p50 ${f(b6.agent.p50)} vs ${f(b6.peer.p50)} ms (${(b6.agent.p50 / b6.peer.p50).toFixed(2)}x); p99 ${f(b6.agent.p99)} vs ${f(b6.peer.p99)} ms`, ''],
  ['B6 same: server peak RSS (idle before the load)', `${f(b6.agent.peakRssMiB)} (${f(b6.agent.idleRssMiB)}) vs ${f(b6.peer.peakRssMiB)} (${f(b6.peer.idleRssMiB)}) MiB: ${((b6.agent.peakRssMiB - b6.agent.idleRssMiB) / Math.max(1, b6.peer.peakRssMiB - b6.peer.idleRssMiB)).toFixed(2)}x the growth`, ''],
  ['B6 same: /healthz latency during the load, p99 / max (sampled every 50 ms from another process)', `${f(b6.agent.healthzP99)} / ${f(b6.agent.healthzMax)} ms vs ${f(b6.peer.healthzP99)} / ${f(b6.peer.healthzMax)} ms`, '<= 100 ms'],
);
// B7: the history of resolved incidents, in a fresh process with --expose-gc (see history.ts).
{
  const h = spawnSync(process.execPath, ['--expose-gc', fileURLToPath(new URL('./history.ts', import.meta.url)), '10000'], { encoding: 'utf8' });
  const b7 = JSON.parse(h.stdout.trim().split('\n').pop() ?? '{}') as { resolved: number; bytesPerResolved: number; jsonBytesPerResolved: number };
  rows.push([`B7 memory of the history: ${b7.resolved} resolved incidents held (timelines included) vs the same as the JSON served (the peer)`, `${b7.bytesPerResolved} B vs ${b7.jsonBytesPerResolved} B an incident (${(b7.bytesPerResolved / b7.jsonBytesPerResolved).toFixed(2)}x); ${((b7.bytesPerResolved * b7.resolved) / 1048576).toFixed(1)} MiB in all`, '']);
}
for (const [kind, bytes] of Object.entries(b5)) {
  rows.push([`B5 memory per ${kind} after projection: in the cluster (mean of 4 sizes, range) / alone`, `${bytes.inCluster} B (${bytes.inClusterMin}–${bytes.inClusterMax}) / ${bytes.alone} B`, kind === 'Pod' ? '<= 600 B' : ['ReplicaSet', 'Deployment', 'EndpointSlice'].includes(kind) ? '<= 400 B' : '']);
}
if (w) {
  rows.push(
    ['W watch: start → ready', `${f(w.readyMs)} ms`, '< 8000 ms'],
    ['W watch: peak RSS (VmHWM)', `${f(w.peakRssMiB)} MiB`, '< 300 MiB'],
    ['W watch: steady RSS', `${f(w.steadyRssMiB)} MiB`, ''],
    ['W detection → /incidents p50 / p99', `${f(w.detection.p50)} / ${f(w.detection.p99)} ms (${w.detection.samples} samples, 20 changes/s)`, 'p99 < 1000 ms'],
    ['W detection → opened log record at the OTLP receiver p50 / p99', `${f(w.toOtlp.p50)} / ${f(w.toOtlp.p99)} ms (default batching: 100 ms)`, 'p50 < 300, p99 < 1000 ms'],
    ['W steady state: LISTs / watch requests per min', `${w.steady.listsAfterSync} / ${f(w.steady.watchRequestsPerMin)} (over ${w.steady.seconds} s)`, '0 LISTs'],
    ['W baseline informers: start → ready', `${f(w.baseline.readyMs)} ms`, ''],
    ['W baseline informers: peak / steady RSS', `${f(w.baseline.peakRssMiB)} / ${f(w.baseline.steadyRssMiB)} MiB`, ''],
    ['W ready time vs baseline', `${(w.readyMs / w.baseline.readyMs).toFixed(2)}x`, '<= 1.25x'],
    ['W peak memory vs baseline', `${(w.peakRssMiB / w.baseline.peakRssMiB).toFixed(2)}x`, '<= 0.5x'],
  );
}
for (const r of b1) {
  const big = r.pods > 100_000;
  const k = `B1 ${r.pods / 1000}k pods, ${r.objects - r.pods} other objects:`;
  rows.push(
    [`${k} start → ready (first full evaluation done)`, `${f(r.readyMs)} ms`, big ? '<= 45000 ms' : '<= 15000 ms'],
    [`${k} peak / steady RSS`, `${f(r.peakRssMiB)} / ${f(r.steadyRssMiB)} MiB`, big ? 'peak <= 1024 MiB' : 'peak <= 512, steady <= 256 MiB'],
    [`${k} detection → /incidents, → OTLP p50 / p99`, `${f(r.detection.p50)} / ${f(r.detection.p99)} ms, ${f(r.toOtlp.p50)} / ${f(r.toOtlp.p99)} ms`, 'p99 <= 500 ms, <= 1000 ms'],
    [`${k} LISTs / watch requests per min after sync`, `${r.steady.listsAfterSync} / ${f(r.steady.watchRequestsPerMin)} (over ${r.steady.seconds} s)`, '0 LISTs, <= 2 reconnects/min'],
  );
  if (!Number.isNaN(r.baseline.readyMs)) {
    rows.push(
      [`${k} baseline informers: ready; peak / steady RSS`, `${f(r.baseline.readyMs)} ms; ${f(r.baseline.peakRssMiB)} / ${f(r.baseline.steadyRssMiB)} MiB`, ''],
      [`${k} vs baseline: ready time; peak memory`, `${(r.readyMs / r.baseline.readyMs).toFixed(2)}x; ${(r.peakRssMiB / r.baseline.peakRssMiB).toFixed(2)}x`, '<= 1.25x; <= 0.5x'],
    );
  }
}
const widths = [0, 1, 2].map((i) => Math.max(...rows.map((r) => (r[i] ?? '').length)));
const os = await import('node:os');
const machine = `${os.cpus()[0]?.model ?? 'cpu'} × ${os.cpus().length}, ${(os.totalmem() / 2 ** 30).toFixed(0)} GiB, node ${process.version}, ${new Date().toISOString().slice(0, 10)}`;
console.log(machine);
for (const r of rows) console.log(r.map((c, i) => c.padEnd(widths[i] ?? 0)).join('  '));
if (!process.env.BENCH_PODS || process.env.BENCH_WRITE) {
  const md = [
    '# Benchmarks',
    '',
    'Written by `npm run bench` (do not edit by hand). Generated MCP Runtime-shaped clusters (MCPServers with their',
    'Deployments, ReplicaSets, pods with managedFields, Services, EndpointSlices, Ingresses and policy ConfigMaps;',
    '2% of servers failing; the nodes they run on, the platform\'s StatefulSets with their claims, DaemonSets, a',
    'StorageClass, a ClusterIssuer and the Warning Events of the hour), served by the fake API server over real HTTP',
    'in its own process.',
    '',
    `Machine: ${machine}.`,
    '',
    '| benchmark | value | target |',
    '|---|---|---|',
    ...rows.slice(1).map((r) => `| ${r[0]} | ${r[1]} | ${r[2] ?? ''} |`),
    '',
    '## Reading the figures',
    '',
    '- B1 runs the agent as a user runs it, with the container image\'s malloc settings, against the fake API server in',
    '  its own process; "ready" is /readyz answering 200, which needs every kind listed and the first full evaluation',
    '  done. Steady RSS is read after the detection samples and the steady-state minute.',
    '- B2 "health unchanged" is the bulk of a real watch stream (status updates that change no finding). When nothing',
    '  the projection keeps changed (a resourceVersion moving for a managedFields or annotation write), the event ends',
    '  after normalize: the stored projection stays. When a kept field changed (a restart count), the pass re-runs on',
    '  the pod and on the pod\'s Deployment, Services and MCPServer only the checks that read pods (Check.reads), finds',
    '  nothing new, and skips candidates and the tracker. Events that do change a finding feed the tracker the',
    '  change alone: the new and gone findings, the holds and graces ending (a deadline heap), and root causes',
    '  recomputed over the connected component of the change only (ownership scopes, plus registry and operator',
    '  outages to what they explain). Relations changing (an object created or deleted, labels, owners, selectors)',
    '  or two findings with one identity take the whole feed, O(open incidents). The flip rows hold ~1,000–2,000',
    '  open incidents.',
    '- B2 Warning Events are the kubelet\'s Unhealthy Events, each a new object about a pod (ADDED): parsed, stripped,',
    '  held in the store\'s bounded EventIndex (latest per object, reason and kind of message; 10,000 and 8 MiB caps),',
    '  and the pod they are about re-judged by the checks that read Events. The generated cluster holds the Events such',
    '  a cluster has within the API server\'s hour: a BackOff per failing pod and an Unhealthy on ~5% of the others.',
    '- B5 is heap growth per object, each figure from a fresh process. "In the cluster": the kind added to a store',
    '  already holding every other kind of the same cluster, as the agent holds them: what one more object of the kind',
    '  costs. "Alone": a store holding only that kind, which then pays for every shared entry it creates (its interned',
    '  uid, its owner list, its `app` label map) that, in a cluster, its children and siblings share. Both include the',
    '  growth of the store\'s hash tables, so a kind that adds the entries doubling a big shared table (the owner',
    '  index) pays for the whole doubling: one size alone swings a ReplicaSet between ~285 and ~430 B, so "in the',
    '  cluster" is the mean over 0.8, 1, 1.2 and 1.5 times the pods. A kind the cluster holds fewer than 1,000 of',
    '  (StatefulSets, DaemonSets, claims, a StorageClass, a ClusterIssuer) is measured on 1,000 copies of its objects,',
    '  each with a name and uid of its own: below that, heap growth is noise. Node\'s V8 is built without pointer',
    '  compression: every field is 8 bytes and every object has a 24-byte header. A ReplicaSet in the cluster is its',
    '  object (40 B), metadata (88 B), owner list (104 B, shared by its siblings), creation time (16 B), and its',
    '  entries in the namespace bucket, the owner index and the owner-list table (~150 B amortized).',
    '',
  ].join('\n');
  // The real-control-plane section is written by `npm run bench:real`: kept as it is.
  const fs = await import('node:fs');
  const file = new URL('../BENCHMARKS.md', import.meta.url);
  const real = realSections(fs.existsSync(file) ? fs.readFileSync(file, 'utf8') : '').map((x) => x.text);
  fs.writeFileSync(file, real.length > 0 ? `${md}\n${real.join('\n\n')}\n` : md);
}
