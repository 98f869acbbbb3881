// B5: memory per object by kind after projection, measured as heap growth of the store when it holds
// N objects of one kind (run with --expose-gc; `npm run bench` does).
import { generateCluster } from './generate.ts';
import { normalize } from '../src/kube/normalize.ts';
import { ObjectStore } from '../src/kube/store.ts';
import type { KindName } from '../src/kube/kinds.ts';

export function bytesPerObject(pods = 20_000): Record<string, number> {
  const gc = (globalThis as { gc?: () => void }).gc;
  if (!gc) throw new Error('run with --expose-gc');
  const items = generateCluster(pods);
  const byKind = new Map<string, string[]>();
  for (const i of items) {
    const k = i.kind as string;
    const l = byKind.get(k) ?? [];
    l.push(JSON.stringify(i));
    byKind.set(k, l);
  }
  items.length = 0;
  const out: Record<string, number> = {};
  for (const [kind, texts] of byKind) {
    gc();
    gc();
    const before = process.memoryUsage().heapUsed;
    const store = new ObjectStore();
    for (const t of texts) {
      const o = normalize(JSON.parse(t) as unknown).obj;
      if (o) store.upsert(o);
    }
    gc();
    gc();
    const after = process.memoryUsage().heapUsed;
    out[kind] = Math.round((after - before) / texts.length);
    store.replaceKind(kind as KindName, []);
  }
  return out;
}

if (process.argv[1]?.endsWith('memory.ts')) console.log(bytesPerObject());
