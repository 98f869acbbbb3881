// B7: the memory of the history of resolved incidents (issue 17): 10,000 incidents opened and
// resolved through the watcher's own path (the pipeline's passes and the ledger), then the heap with
// the history held against the heap once the retention has dropped it. The peer, measured in the
// same run: the same 10,000 resolved incidents as the UTF-8 JSON /incidents?state=resolved serves.
// Run with --expose-gc (`npm run bench` does): node --expose-gc bench/history.ts [N]

import { fileURLToPath } from 'node:url';
import { Pipeline } from '../src/engine/pipeline.ts';
import { IncidentLedger, DEFAULT_LEDGER_OPTIONS } from '../src/engine/ledger.ts';
import { SilenceJudge } from '../src/engine/silences.ts';
import { CHECKS } from '../src/checks/registry.ts';
import { defaultCheckConfig } from '../src/checks/config.ts';
import { KIND_NAMES } from '../src/kube/kinds.ts';
import { normalize } from '../src/kube/read/normalize.ts';
import type { AnyObj } from '../src/kube/types.ts';
import { orderedIncident } from '../src/format/report.ts';
import { T0, pod, running, terminated, waiting } from '../src/sim/objects.ts';
import { heapAfterGc } from './memory.ts';

export interface HistoryBytes {
  resolved: number;
  /** Heap per resolved incident held in the history (timeline and flapping record included). */
  bytesPerResolved: number;
  /** The same incidents as the JSON the agent serves for them, per incident. */
  jsonBytesPerResolved: number;
}

export function historyMemory(n: number): HistoryBytes {
  const p = new Pipeline({ checks: CHECKS, clusterName: 'bench', config: defaultCheckConfig(), inScope: () => true, holdMs: 60_000 });
  for (const k of KIND_NAMES) p.store.setSource(k, { status: 'synced', coverage: 'cluster' });
  const ledger = new IncidentLedger({ ...DEFAULT_LEDGER_OPTIONS, historyMax: n }, new SilenceJudge({ silences: [], windows: [] }, p.store, () => undefined));
  const put = (crash: boolean): void => {
    for (let i = 0; i < n; i++) {
      const ns = `team-${i % 50}`;
      const name = `server-${i}-7d9f8b6c5d-x2x9q`;
      const raw = crash
        ? pod(name, { ns, labels: { app: `server-${i}` }, ready: false, containers: [{ name: 'mcp', ready: false, restarts: 7, state: waiting('CrashLoopBackOff', 'back-off 2m40s restarting failed container=mcp'), lastState: terminated('Error', 1, -2, 'panic: listen tcp :8080: bind: address already in use') }] })
        : pod(name, { ns, labels: { app: `server-${i}` }, containers: [{ name: 'mcp', state: running(-1) }] });
      p.upsert(normalize(raw, p.store.sharing).obj as AnyObj);
    }
  };
  put(true);
  ledger.record(p.pass(T0).transitions, T0);
  put(false);
  ledger.record(p.pass(T0 + 1000).transitions, T0 + 1000);
  const resolvedNow = ledger.record(p.pass(T0 + 62_000).transitions, T0 + 62_000).filter((t) => t.type === 'resolved').length;
  const held = ledger.resolved(T0 + 62_000);
  const json = Buffer.byteLength(JSON.stringify(held.map(orderedIncident)));
  held.length = 0;
  const withHistory = heapAfterGc();
  // Two days on: the retention (24 h) and the flapping window (1 h) have dropped everything.
  ledger.resolved(T0 + 2 * 86_400_000);
  ledger.review(T0 + 2 * 86_400_000);
  const without = heapAfterGc();
  if (ledger.sizes().resolved !== 0) throw new Error('the history was not dropped');
  return { resolved: resolvedNow, bytesPerResolved: Math.round((withHistory - without) / resolvedNow), jsonBytesPerResolved: Math.round(json / resolvedNow) };
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const n = Number(process.argv[2] ?? 10_000);
  const r = historyMemory(n);
  console.log(JSON.stringify(r));
}
