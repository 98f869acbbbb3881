import { ObjectStore } from '../../src/kube/store.ts';
import { configureCustomResources } from '../../src/kube/kinds.ts';
import { loadDocuments } from '../../src/collector/file.ts';
import { defaultAgentConfig, type AgentConfig } from '../../src/config/config.ts';
import { diagnose } from '../../src/cli/doctor.ts';
import type { Incident } from '../../src/engine/incidents.ts';
import type { Skipped } from '../../src/engine/evaluate.ts';
import { T0, type Raw } from './objects.ts';
import { stepProblems } from '../../src/format/remediation.ts';

/** Every reason an incident of `run` carried, in this test file's worker (for coverage checks). */
export const seenReasons = new Set<string>();

export interface RunResult {
  incidents: Incident[];
  skipped: Skipped[];
  store: ObjectStore;
}

/** Loads raw objects through the real file-loading path and runs doctor's engine over them. */
export function run(objects: Raw[], o: { now?: number; config?: (c: AgentConfig) => void; applyGrace?: boolean } = {}): RunResult {
  const store = new ObjectStore();
  const cfg = defaultAgentConfig();
  o.config?.(cfg);
  // As loadConfig does: the configured custom resources are kinds before anything is loaded.
  configureCustomResources(cfg.checks.customResources);
  loadDocuments([{ apiVersion: 'v1', kind: 'List', items: objects }], 'test', store, () => true);
  const d = diagnose(store, cfg, o.now ?? T0, o.applyGrace ?? false);
  for (const i of d.incidents) {
    seenReasons.add(i.reason);
    // Every test that produces incidents checks them: no remediation names a fact it was not given.
    const missing = missingFacts(i.remediation);
    if (missing.length > 0) throw new Error(`${i.reason} on ${i.object.kind} ${i.object.name}: the remediation names facts the finding did not give (${missing.join(', ')}): ${i.remediation}`);
    // ... and every command in it can be pasted as it stands, prose apart.
    const unpasteable = stepProblems(i.remediation);
    if (unpasteable.length > 0) throw new Error(`${i.reason} on ${i.object.kind} ${i.object.name}: ${unpasteable.join('; ')}`);
  }
  return { incidents: d.incidents, skipped: d.skipped, store };
}

/** The facts a rendered remediation names without a value: renderTemplate prints a missing one as
 *  `<name>`, bare (a value, even one that looks so, is put in as a quoted shell word). */
export function missingFacts(remediation: string): string[] {
  return [...remediation.matchAll(/(?<!')<([a-zA-Z][a-zA-Z0-9_.]*)>/g)].map((m) => m[1] ?? '');
}

/** Compact view of incidents for table assertions: "Reason Kind ns/name severity". */
export function summary(incidents: readonly Incident[]): string[] {
  return incidents.map((i) => `${i.reason} ${i.object.kind} ${i.object.namespace ?? ''}/${i.object.name} ${i.severity}`).sort();
}
