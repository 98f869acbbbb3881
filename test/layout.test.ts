// The layout of src/ as rules, read from the sources themselves: each folder is a layer and imports
// only from itself and from layers below it; no import cycle between files; no `export *` (every
// name a module offers is written where it is offered); @kubernetes/client-node only in the collector
// and @opentelemetry/* only in delivery/otel (ESLint says the same where the import is written).

import { describe, expect, it } from 'vitest';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, normalize, relative } from 'node:path';
import { fileURLToPath } from 'node:url';

const SRC = fileURLToPath(new URL('../src/', import.meta.url));

/** Bottom first. A folder may import from its own layer's folder and from any layer below. */
const LAYERS: readonly (readonly string[])[] = [
  ['util'], // backoff, token bucket, log, redaction: no imports of the project
  ['kube'], // reading objects: kinds, projection, the store
  ['checks', 'sim'], // the diagnostics over the store; the fake API server over the object model
  ['engine'], // evaluation, incidents, root causes, the tracker
  ['format'], // reports as text and JSON
  ['config'],
  ['collector'], // the API server: client, lists, reflectors; doctor's file and live reads
  ['delivery'], // every sink: log, OpenTelemetry, Kubernetes Events, Sentinel
  ['agent'],
  ['server'],
  ['cli'],
];

function files(dir: string): string[] {
  return readdirSync(dir).flatMap((f) => {
    const p = join(dir, f);
    return statSync(p).isDirectory() ? files(p) : p.endsWith('.ts') ? [p] : [];
  });
}

const SOURCES = files(SRC).map((p) => ({ path: relative(SRC, p), text: readFileSync(p, 'utf8') }));

function imports(text: string): string[] {
  return [...text.matchAll(/(?:^|\n)\s*(?:import|export)\s[^'"]*?from\s+['"]([^'"]+)['"]|import\(\s*['"]([^'"]+)['"]\s*\)/g)].map((m) => (m[1] ?? m[2]) as string);
}

const layerOf = (path: string): number => LAYERS.findIndex((l) => l.includes(path.split('/')[0] as string));

describe('the layout of src/', () => {
  it('every folder of src/ has a layer', () => {
    for (const f of SOURCES) expect(layerOf(f.path), f.path).toBeGreaterThanOrEqual(0);
  });

  it('imports go to the same layer or down, never up', () => {
    const up: string[] = [];
    for (const f of SOURCES) {
      for (const spec of imports(f.text).filter((s) => s.startsWith('.'))) {
        const target = normalize(join(dirname(f.path), spec));
        const [from, to] = [layerOf(f.path), layerOf(target)];
        const sameFolder = f.path.split('/')[0] === target.split('/')[0];
        if (to > from || (to === from && !sameFolder)) up.push(`${f.path} → ${target}`);
      }
    }
    expect(up).toEqual([]);
  });

  it('no import cycle between files', () => {
    const graph = new Map(SOURCES.map((f) => [f.path, imports(f.text).filter((s) => s.startsWith('.')).map((s) => normalize(join(dirname(f.path), s)))]));
    const state = new Map<string, 'open' | 'done'>();
    const cycles: string[] = [];
    const visit = (n: string, path: string[]): void => {
      if (state.get(n) === 'done') return;
      if (state.get(n) === 'open') {
        cycles.push([...path.slice(path.indexOf(n)), n].join(' → '));
        return;
      }
      state.set(n, 'open');
      for (const m of graph.get(n) ?? []) visit(m, [...path, n]);
      state.set(n, 'done');
    };
    for (const n of graph.keys()) visit(n, []);
    expect(cycles).toEqual([]);
  });

  it('no export *', () => {
    expect(SOURCES.filter((f) => /^\s*export\s+\*/m.test(f.text)).map((f) => f.path)).toEqual([]);
  });

  it('@kubernetes/client-node only in the collector, @opentelemetry/* only in delivery/otel', () => {
    const wrong: string[] = [];
    for (const f of SOURCES) {
      for (const spec of imports(f.text)) {
        if (spec.startsWith('@kubernetes/client-node') && !f.path.startsWith('collector/')) wrong.push(`${f.path}: ${spec}`);
        if (spec.startsWith('@opentelemetry/') && !f.path.startsWith('delivery/otel/')) wrong.push(`${f.path}: ${spec}`);
      }
    }
    expect(wrong).toEqual([]);
  });

  it('the rules see the imports they judge (the reader of this test reads real imports)', () => {
    // Without this, a regex that matched nothing would pass every rule above.
    const agent = SOURCES.find((f) => f.path === 'agent/agent.ts');
    expect(imports(agent?.text ?? '')).toContain('../engine/pipeline.ts');
    expect(SOURCES.some((f) => imports(f.text).some((s) => s.startsWith('@opentelemetry/')))).toBe(true);
    expect(SOURCES.some((f) => imports(f.text).some((s) => s.startsWith('@kubernetes/client-node')))).toBe(true);
  });
});
