// B5: memory per object by kind after projection, as heap growth per object (run with --expose-gc;
// `npm run bench` does). Each figure is measured in a fresh process, so the tables normalize shares
// strings, label maps and owner lists through start empty:
// - alone: a store holding only that kind. The kind pays for every shared entry it creates, even
//   those that, in a cluster, the kinds around it would share (a Deployment's uid is also its
//   ReplicaSets' owner reference; an MCPServer's `app` label map is also its Deployment's, Service's
//   and Ingress's).
// - in the cluster: the growth when that kind is added to a store already holding every other kind
//   of the same cluster, as the agent holds them. This is what one more object of the kind costs.
//   Hash tables grow by doubling, so one size can catch a kind adding the entries that double a big
//   shared table (the owner index) and charge it all: the figure is the mean over four cluster sizes
//   (0.8, 1, 1.2 and 1.5 times the given pods), with the range beside it.
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { generateCluster } from './generate.ts';
import { normalize } from '../src/kube/read/normalize.ts';
import { ObjectStore } from '../src/kube/store.ts';

export interface KindBytes {
  alone: number;
  /** Mean over the cluster sizes, and the lowest and highest. */
  inCluster: number;
  inClusterMin: number;
  inClusterMax: number;
}

const SIZES = [0.8, 1, 1.2, 1.5];

export function heapAfterGc(): number {
  const gc = (globalThis as { gc?: () => void }).gc;
  if (!gc) throw new Error('run with --expose-gc');
  gc();
  gc();
  return process.memoryUsage().heapUsed;
}

/** One measurement in this process (which must be fresh). */
function measure(pods: number, kind: string, mode: 'alone' | 'inCluster'): number {
  const texts = new Map<string, string[]>();
  for (const i of generateCluster(pods)) {
    const k = i.kind as string;
    const l = texts.get(k) ?? [];
    l.push(JSON.stringify(i));
    texts.set(k, l);
  }
  const found = texts.get(kind);
  if (!found) throw new Error(`the generated cluster has no ${kind}`);
  const mine = atLeast(MIN_MEASURED, found);
  const store = new ObjectStore();
  const load = (list: string[]): void => {
    for (const t of list) {
      const o = normalize(JSON.parse(t) as unknown, store.sharing).obj;
      if (o) store.upsert(o);
    }
  };
  if (mode === 'inCluster') for (const [k, list] of texts) if (k !== kind) load(list);
  const before = heapAfterGc();
  load(mine);
  const after = heapAfterGc();
  if (store.size() === 0) throw new Error('nothing stored');
  return Math.round((after - before) / mine.length);
}

/** Below this many objects heap growth is noise (a few KB either way): a kind the cluster holds
 *  fewer of (StatefulSets, DaemonSets, claims, a StorageClass) is measured on copies of its objects,
 *  each under a name and uid of its own, as more of them in the same cluster would be. */
const MIN_MEASURED = 1000;

function atLeast(n: number, texts: readonly string[]): string[] {
  if (texts.length >= n) return [...texts];
  const out: string[] = [];
  for (let k = 0; out.length < n; k++) {
    for (const t of texts) {
      const o = JSON.parse(t) as { metadata: { name: string; uid?: string } };
      o.metadata.name = `${o.metadata.name}-c${k}`;
      if (o.metadata.uid) o.metadata.uid = `${o.metadata.uid}-c${k}`;
      out.push(JSON.stringify(o));
    }
  }
  return out;
}

/** Every kind of the generated cluster, each figure from its own child process. */
export function bytesPerObject(pods = 20_000): Record<string, KindBytes> {
  const self = fileURLToPath(import.meta.url);
  const kinds = [...new Set(generateCluster(Math.min(pods, 100)).map((i) => i.kind as string))];
  const out: Record<string, KindBytes> = {};
  for (const kind of kinds) {
    const one = (mode: string, n: number): number => {
      const r = spawnSync(process.execPath, ['--expose-gc', self, String(n), kind, mode], { encoding: 'utf8' });
      const b = Number(r.stdout.trim());
      if (r.status !== 0 || !Number.isFinite(b)) throw new Error(`B5 ${kind} ${mode} failed: ${r.stderr.trim().slice(-500)}`);
      return b;
    };
    const sized = SIZES.map((f) => one('inCluster', Math.round(pods * f)));
    out[kind] = {
      alone: one('alone', pods),
      inCluster: Math.round(sized.reduce((a, b) => a + b, 0) / sized.length),
      inClusterMin: Math.min(...sized),
      inClusterMax: Math.max(...sized),
    };
  }
  return out;
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const [pods, kind, mode] = process.argv.slice(2);
  if (kind && (mode === 'alone' || mode === 'inCluster')) console.log(measure(Number(pods), kind, mode));
  else console.log(bytesPerObject(Number(pods ?? 20_000)));
}
