// What the README promises about the product's reach, read from the README itself: its reason
// catalog names every reason the agent gives, and its `kubectl get … -o json` dump command asks for
// every kind the checks read (a dump missing a kind gives a doctor that is silently blind to it).

import { describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { KINDS, KIND_NAMES, isCustomSlot } from '../src/kube/kinds.ts';
import { REASON_IDS, type ReasonId, type ReasonSpec } from '../src/checks/reasons.ts';
import { CATALOG } from '../src/checks/catalog.ts';
import { parse } from 'yaml';
import { applyConfigDocument, defaultAgentConfig } from '../src/config/config.ts';

const README = readFileSync(new URL('../README.md', import.meta.url), 'utf8');

/** kubectl's short names for the kinds the command may abbreviate. */
const SHORT: Readonly<Record<string, string>> = { deploy: 'deployments', rs: 'replicasets', sts: 'statefulsets', ds: 'daemonsets', svc: 'services', ingress: 'ingresses', cm: 'configmaps', pvc: 'persistentvolumeclaims', ep: 'endpoints', no: 'nodes', po: 'pods', ev: 'events' };

describe('the README', () => {
  it("catalog lists every reason (a reason named in a table row's first cell)", () => {
    const rows = README.split('\n').filter((l) => l.startsWith('| `'));
    const named = new Set(rows.flatMap((l) => [...(l.split('|')[1] ?? '').matchAll(/`([A-Z][A-Za-z]+)`/g)].map((m) => m[1])));
    expect(REASON_IDS.filter((r) => !named.has(r))).toEqual([]);
  });

  it("catalog's severities are the checks' own: each reason's default where the row gives it, and every severity it can have named in its row", () => {
    const wrong: string[] = [];
    for (const row of README.split('\n').filter((l) => l.startsWith('| `'))) {
      const cells = row.split(' | ');
      const reasons = [...(cells[0] ?? '').matchAll(/`([A-Z][A-Za-z]+)`/g)].map((m) => m[1] as string).filter((r) => CATALOG.has(r as ReasonId));
      if (reasons.length === 0 || cells.length !== 3) continue;
      const sev = (cells[2] ?? '').replace(/\s*\|$/, '');
      const parts = sev.split(' / ');
      const words = new Set(row.match(/\b(critical|warning|info)\b/g));
      reasons.forEach((r, i) => {
        const spec = CATALOG.get(r as ReasonId) as ReasonSpec;
        const given = (parts.length === reasons.length ? parts[i] : parts[0])?.match(/^(critical|warning|info)\b/)?.[1];
        if (given !== spec.severity) wrong.push(`${r}: the README says ${given ?? '?'}, the catalog ${spec.severity}`);
        for (const s of spec.alsoSeverities ?? []) if (!words.has(s)) wrong.push(`${r}: can be ${s}, its row never says so`);
      });
    }
    expect(wrong).toEqual([]);
  });

  it('every command of it whose output is machine-read runs npm with --silent (or is not run through npm)', () => {
    const lines = [...README.matchAll(/```sh\n([\s\S]*?)```/g)].flatMap((m) => (m[1] ?? '').split('\n'));
    const machine = lines.filter((l) => /\bnpm run\b/.test(l) && /(-o|--output)[ =]?(json|yaml)\b|\| *(jq|npm run)/.test(l.replace(/#.*$/, '')));
    expect(machine.length).toBeGreaterThan(0);
    expect(machine.filter((l) => !/npm run --silent/.test(l.split('|').pop() ?? l) && !/\| *npm run --silent/.test(l))).toEqual([]);
  });

  it('dump command asks for every kind the checks read', () => {
    const line = README.split('\n').find((l) => /^kubectl get \S+ -A -o json/.test(l));
    expect(line, 'a `kubectl get <kinds> -A -o json` line').toBeDefined();
    const asked = new Set((line ?? '').split(' ')[2]?.split(',').map((r) => SHORT[r] ?? r));
    // Endpoints are read only where EndpointSlices are not served (a pre-1.21 cluster).
    // Custom resources are the config's (the rbac section says how to add them to the dump).
    const needed = KIND_NAMES.filter((k) => k !== 'Endpoints' && !isCustomSlot(k)).map((k) => KINDS[k].plural);
    expect(needed.filter((p) => !asked.has(p))).toEqual([]);
  });

  it('configuration example is a valid config, every key it shows accepted', () => {
    const block = /```yaml\n(# sentinel-agent\.yaml[\s\S]*?)```/.exec(README)?.[1];
    expect(block, 'the Configuration yaml block').toBeDefined();
    const cfg = applyConfigDocument(parse(block ?? ''), defaultAgentConfig(), 'README.md');
    expect(cfg.checks.customResources.map((c) => c.kind)).toEqual(['HelmRelease']);
    expect(cfg.clusterName).toBe('prod');
  });
});
