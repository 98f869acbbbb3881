/* eslint-disable no-control-regex -- these tests assert that control characters never come out */
// Hostile and malformed objects, property-based (fast-check) over the normalizer, every check and
// the formatters: missing or wrongly typed fields anywhere, huge values, terminal escapes, control and
// Unicode characters. Nothing throws out of a check; what leaves is sanitized and capped.

import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { normalize } from '../src/kube/read/normalize.ts';
import { ObjectStore } from '../src/kube/store.ts';
import { KIND_NAMES } from '../src/kube/kinds.ts';
import { CHECKS } from '../src/checks/registry.ts';
import { defaultCheckConfig } from '../src/checks/config.ts';
import { evaluate } from '../src/engine/evaluate.ts';
import { incidentsNow } from '../src/engine/incidents.ts';
import { buildReport, reportJson } from '../src/format/report.ts';
import { reportText } from '../src/format/text.ts';
import { MAX_MESSAGE } from '../src/util/redact.ts';
import { T0, certificate, deployment, endpointSlice, ingress, mcpServer, pod, service, terminated, waiting, type Raw } from './support/objects.ts';

const nasty = fc.oneof(
  fc.string(),
  fc.string({ unit: 'binary' }),
  fc.constantFrom('\u001b[2J\u001b[31mred', '\r\nforged: line', '\u202eevil', 'a'.repeat(5000), '', '0', 'true', 'null', '{"x":1}', 'CrashLoopBackOff', 'OOMKilled', 'Unschedulable'),
);
// Any JSON-ish value, to put where a field is expected.
const anyValue: fc.Arbitrary<unknown> = fc.letrec((tie) => ({
  v: fc.oneof({ depthSize: 'small' }, nasty, fc.integer(), fc.double(), fc.boolean(), fc.constant(null), fc.array(tie('v'), { maxLength: 3 }), fc.dictionary(fc.string({ maxLength: 8 }), tie('v'), { maxKeys: 3 })),
})).v;

const seeds: Raw[] = [
  pod('p', { containers: [{ name: 'c', ready: false, restarts: 3, state: waiting('CrashLoopBackOff', 'x'), lastState: terminated('OOMKilled', 137, -1, 'y') }], scheduled: { status: 'False', reason: 'Unschedulable' } }),
  deployment('d', { replicas: 2, ready: 0 }),
  service('s'),
  endpointSlice('s', { ready: 0, notReady: 1 }),
  ingress('i'),
  certificate('c', { ready: 'False', notAfter: -10 }),
  mcpServer('m', { phase: 'Error', message: 'Failed to reconcile Deployment: boom', gateway: true }),
];

/** Sets a value at a random path of an object (creating or replacing along the way). */
function mutate(o: Raw, path: string[], value: unknown): Raw {
  const copy = structuredClone(o);
  let cur: Record<string, unknown> = copy;
  for (let i = 0; i < path.length - 1; i++) {
    const k = path[i] as string;
    const next = cur[k];
    if (typeof next !== 'object' || next === null) cur[k] = {};
    cur = cur[k] as Record<string, unknown>;
  }
  cur[path[path.length - 1] as string] = value;
  return copy;
}

function paths(o: unknown, prefix: string[] = [], out: string[][] = []): string[][] {
  if (typeof o === 'object' && o !== null) {
    for (const [k, v] of Object.entries(o)) {
      out.push([...prefix, k]);
      if (prefix.length < 6) paths(v, [...prefix, k], out);
    }
  }
  return out;
}

function run(objs: unknown[]): { text: string; json: string } {
  const store = new ObjectStore();
  for (const r of objs) {
    const n = normalize(r, store.sharing);
    if (n.obj) store.upsert(n.obj);
  }
  for (const k of KIND_NAMES) store.setSource(k, { status: 'synced', coverage: 'cluster' });
  const cfg = defaultCheckConfig();
  const ev = evaluate(store, { checks: CHECKS, now: T0, config: cfg, inScope: () => true });
  // A check that throws would show up as CheckFailed: none may.
  expect(ev.findings.filter((f) => f.reason === 'CheckFailed').map((f) => f.message)).toEqual([]);
  const incidents = incidentsNow(ev.findings, store, { clusterName: 'c', config: cfg, now: T0 });
  const report = buildReport({ generatedAt: 'x', clusterName: 'c', source: 'file', incidents, skipped: ev.skipped });
  for (const i of incidents) {
    expect(i.message.length).toBeLessThanOrEqual(MAX_MESSAGE);
    expect(i.message).not.toMatch(/[\u0000-\u0008\u000b-\u001f\u007f\u202e]/);
    expect(i.remediation).not.toMatch(/[\u0000-\u0008\u000b-\u001f\u007f\u202e]/);
  }
  return { text: reportText(report, { color: false, now: T0 }), json: reportJson(report) };
}

describe('hostile objects', () => {
  it('any value at any path of a real-shaped object: normalize, every check and both formatters survive', () => {
    const candidates = seeds.flatMap((s) => paths(s).map((p) => [s, p] as const));
    fc.assert(
      fc.property(fc.array(fc.tuple(fc.integer({ min: 0, max: candidates.length - 1 }), anyValue), { minLength: 1, maxLength: 6 }), (edits) => {
        const objs = seeds.map((s) => structuredClone(s));
        for (const [idx, value] of edits) {
          const [seed, path] = candidates[idx] as readonly [Raw, string[]];
          const at = seeds.indexOf(seed);
          objs[at] = mutate(objs[at] as Raw, path, value);
        }
        const { text, json } = run(objs);
        expect(() => JSON.parse(json) as unknown).not.toThrow();
        expect(text).not.toMatch(/\u001b/);
      }),
      { numRuns: 400 },
    );
  });

  it('entirely arbitrary documents are skipped or read around, never thrown', () => {
    fc.assert(
      fc.property(fc.array(fc.oneof(anyValue, fc.record({ kind: fc.constantFrom(...KIND_NAMES), metadata: anyValue, spec: anyValue, status: anyValue })), { maxLength: 8 }), (docs) => {
        run(docs);
      }),
      { numRuns: 300 },
    );
  });

  it('a 1 MiB container message full of escapes and newlines leaves sanitized and capped', () => {
    const msg = `${'\u001b[31m\r\n\u0007'.repeat(50_000)}${'x'.repeat(800_000)}`;
    const { text, json } = run([pod('big', { containers: [{ name: 'c', ready: false, state: waiting('CreateContainerConfigError', msg) }] })]);
    const doc = JSON.parse(json) as { incidents: { message: string }[] };
    expect(doc.incidents[0]?.message.length).toBeLessThanOrEqual(MAX_MESSAGE);
    expect(text).not.toMatch(/\u001b|\r/);
    expect(json.length).toBeLessThan(20_000);
  });

  it('Unicode and control characters in names are kept readable but never raw in the output', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'binary', minLength: 1, maxLength: 40 }), (name) => {
        const p = pod('x', { containers: [{ name: 'c', ready: false, state: waiting('CrashLoopBackOff') }] });
        (p.metadata as Record<string, unknown>).name = name;
        const { text } = run([p]);
        expect(text).not.toMatch(/[\u0000-\u0008\u000b-\u001f\u007f]/);
      }),
      { numRuns: 200 },
    );
  });
});
