// npm run bench: benchmarks, separate from the tests. Prints a table.
//   B0 doctor --from-file over a generated 20,000-pod MCP Runtime cluster: evaluation time (in
//      process: parse, load, evaluate separately) and the whole run as a user runs it (wall, peak RSS).
import { spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { generateCluster } from './generate.ts';
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
const rows = [
  ['benchmark', 'value', 'target'],
  ['B0 input', `${pods} pods, ${items.length} objects, ${sizeMiB.toFixed(0)} MiB JSON`, ''],
  ['B0 parse JSON (best of 3)', `${f(best('parse'))} ms`, ''],
  ['B0 normalize + store (best of 3)', `${f(best('load'))} ms`, ''],
  ['B0 evaluate + incidents (best of 3)', `${f(best('evaluate'))} ms`, '< 1000 ms'],
  ['B0 incidents found', String(runs[0]?.incidents ?? 0), ''],
  ['B0 whole doctor run, wall (best of 3)', `${f(Math.min(...whole.map((w) => w.ms)))} ms`, '< 10000 ms'],
  ['B0 whole doctor run, peak RSS', `${f(Math.max(...whole.map((w) => w.maxRssMiB)))} MiB`, ''],
];
const widths = [0, 1, 2].map((i) => Math.max(...rows.map((r) => (r[i] ?? '').length)));
console.log(`node ${process.version}, ${(await import('node:os')).cpus().length} cores, ${new Date().toISOString()}`);
for (const r of rows) console.log(r.map((c, i) => c.padEnd(widths[i] ?? 0)).join('  '));
