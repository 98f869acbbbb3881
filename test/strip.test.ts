// The stripper removes fields by their path from an object's root, never by name. The class of
// defect this guards: a label, selector, annotation or data key named like a stripped field (`env`,
// `args`, `resources`, …) silently disappearing, so the JSON and the YAML of one dump disagree.

import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { readdirSync, readFileSync, existsSync } from 'node:fs';
import { parse, stringify } from 'yaml';
import { stripUnreadFields, strippedPaths } from '../src/kube/read/strip.ts';
import { normalize } from '../src/kube/read/normalize.ts';
import { Sharing } from '../src/kube/read/sharing.ts';
import { generateCluster } from '../bench/generate.ts';
import * as b from './support/objects.ts';
import { cli } from './support/cli.ts';

/** One table for this file's objects, as a store has (kube/read/sharing.ts). */
const share = new Sharing();

type Raw = Record<string, unknown>;

/** Every name the stripper knows, and the names of the containers it walks through: the keys most
 *  likely to be taken for a stripped field somewhere they are data. */
const LEAVES = [...new Set(strippedPaths().map((p) => p.split('.').pop()?.replace('[*]', '') ?? ''))];
const TRICKY = [...LEAVES, 'managedFields', 'kubectl.kubernetes.io/last-applied-configuration', 'metadata', 'spec', 'template', 'containers', 'items', 'object', 'annotations', 'app', 'team'];

/** An independent reference: delete each stripped path from a parsed object. */
function withoutPaths(o: unknown): unknown {
  const copy = structuredClone(o);
  const del = (v: unknown, parts: string[]): void => {
    if (v === null || typeof v !== 'object') return;
    const [head, ...rest] = parts;
    if (head === undefined) return;
    const each = head.endsWith('[*]');
    const key = each ? head.slice(0, -3) : head;
    const rec = v as Raw;
    if (Array.isArray(v) || !Object.hasOwn(rec, key)) return;
    if (rest.length === 0 && !each) {
      delete rec[key];
      return;
    }
    if (each) {
      const arr = rec[key];
      if (Array.isArray(arr)) for (const e of arr) del(e, rest);
    } else del(rec[key], rest);
  };
  // Split on '.' except inside the annotation key.
  const ANN = 'kubectl.kubernetes.io/last-applied-configuration';
  const paths = strippedPaths().map((p) => (p.endsWith(ANN) ? [...p.slice(0, -ANN.length - 1).split('.'), ANN] : p.split('.')));
  for (const p of paths) del(copy, p);
  return copy;
}

const value = fc.letrec((tie) => ({
  v: fc.oneof(
    { depthSize: 'small', withCrossShrink: true },
    fc.string({ unit: fc.constantFrom('a', '"', '\\', '{', '}', '[', ']', ',', ':', ' ', '\u2028', 'é', '"env":[') }),
    fc.integer(),
    fc.boolean(),
    fc.constant(null),
    fc.array(tie('v'), { maxLength: 3 }),
    fc.dictionary(fc.constantFrom(...TRICKY, 'x', 'y'), tie('v'), { maxKeys: 4 }),
  ),
})).v;

/** An object shaped like a Kubernetes object, with tricky keys at every level that is data. */
const objectLike = fc.record({
  metadata: fc.dictionary(fc.constantFrom(...TRICKY, 'labels', 'name'), value, { maxKeys: 5 }),
  spec: fc.dictionary(fc.constantFrom(...TRICKY, 'selector', 'containers', 'initContainers', 'template'), fc.oneof(value, fc.array(fc.dictionary(fc.constantFrom(...TRICKY, 'name'), value, { maxKeys: 5 }), { maxLength: 2 })), { maxKeys: 6 }),
  data: fc.dictionary(fc.constantFrom(...TRICKY), fc.string(), { maxKeys: 4 }),
});

describe('stripUnreadFields removes known paths only', () => {
  it('equals deleting each stripped path from the parsed object, for any object, compact or indented', () => {
    fc.assert(
      fc.property(objectLike, fc.integer({ min: 0, max: 2 }), (o, indent) => {
        expect(JSON.parse(stripUnreadFields(JSON.stringify(o, null, indent)))).toEqual(withoutPaths(o));
      }),
      { numRuns: 2000 },
    );
  });

  it('strips inside a List, a watch event and a top-level array the same as in the object alone', () => {
    fc.assert(
      fc.property(fc.array(objectLike, { maxLength: 3 }), (items) => {
        const want = items.map(withoutPaths);
        const list = JSON.parse(stripUnreadFields(JSON.stringify({ kind: 'List', items }))) as { items: unknown[] };
        expect(list.items).toEqual(want);
        expect(JSON.parse(stripUnreadFields(JSON.stringify(items)))).toEqual(want);
        for (const [i, o] of items.entries()) {
          const ev = JSON.parse(stripUnreadFields(JSON.stringify({ type: 'MODIFIED', object: o }))) as { object: unknown };
          expect(ev.object).toEqual(want[i]);
        }
      }),
      { numRuns: 500 },
    );
  });

  it('never changes a projection: real-shaped objects of every kind with data keys named like stripped fields', () => {
    const dataMap = fc.dictionary(fc.constantFrom(...TRICKY), fc.constantFrom('prod', 'staging', 'x'), { minKeys: 1, maxKeys: 5 });
    fc.assert(
      fc.property(dataMap, dataMap, dataMap, (labels, selector, annotations) => {
        const objs: Raw[] = [
          b.pod('p', { labels, annotations, containers: [{ name: 'c' }, { name: 'i', init: true }] }),
          b.deployment('d', { labels, annotations, selector }),
          b.service('s', { labels, annotations, selector }),
          b.configMap('cm', { labels, annotations, data: { ...labels, ...selector } }),
          b.mcpServer('m', { labels, annotations }),
          b.ingress('i', { labels, annotations }),
          b.certificate('c', { ready: 'True', labels, annotations }),
        ];
        for (const o of objs) {
          const stripped = JSON.parse(stripUnreadFields(JSON.stringify(o))) as unknown;
          expect(normalize(stripped, share)).toEqual(normalize(o, share));
        }
      }),
      { numRuns: 300 },
    );
  });

  it('never changes a projection of the fixtures, a generated cluster and the real-world dumps', () => {
    const objs: unknown[] = [];
    for (const f of ['cluster-healthy.yaml', 'cluster-unhealthy.json']) {
      const text = readFileSync(new URL(`./fixtures/${f}`, import.meta.url), 'utf8');
      objs.push(...(f.endsWith('.json') ? (JSON.parse(text) as { items: unknown[] }) : (parse(text) as { items: unknown[] })).items);
    }
    objs.push(...generateCluster(50));
    const realworld = new URL('../../shared/fixtures/realworld/objects/', import.meta.url);
    if (existsSync(realworld)) for (const f of readdirSync(realworld)) objs.push(JSON.parse(readFileSync(new URL(f, realworld), 'utf8')));
    expect(objs.length).toBeGreaterThan(100);
    for (const o of objs) expect(normalize(JSON.parse(stripUnreadFields(JSON.stringify(o))), share)).toEqual(normalize(o, share));
  });

  it('the JSON and the YAML of any dump give byte-identical doctor JSON', async () => {
    const keys = fc.constantFrom(...TRICKY);
    await fc.assert(
      fc.asyncProperty(fc.dictionary(keys, fc.constantFrom('prod', 'staging'), { minKeys: 1, maxKeys: 3 }), fc.dictionary(keys, fc.constantFrom('prod', 'staging'), { minKeys: 1, maxKeys: 3 }), async (podLabels, selector) => {
        const items = [
          b.pod('web-1', { labels: podLabels, containers: [{ name: 'web', ready: false, state: b.waiting('CrashLoopBackOff'), lastState: b.terminated('Error', 1, -2) }] }),
          b.service('web', { selector }),
          b.endpointSlice('web', { ready: 0 }),
        ];
        const dump = b.list(items);
        const json = await cli(['doctor', '--from-file', '-', '-o', 'json', '--fail-on', 'none'], { stdin: JSON.stringify(dump) });
        const yaml = await cli(['doctor', '--from-file', '-', '-o', 'json', '--fail-on', 'none'], { stdin: stringify(dump) });
        expect(json.code).toBe(0);
        expect(json.stdout).toBe(yaml.stdout);
      }),
      { numRuns: 40 },
    );
  });

  it('a Service selecting env=staging does not select the env=prod pods (the defect as found)', async () => {
    const items = [
      b.pod('web-1', { labels: { app: 'web', env: 'prod' }, containers: [{ name: 'web' }] }),
      b.service('web-staging', { selector: { app: 'web', env: 'staging' } }),
      b.endpointSlice('web-staging', { ready: 0 }),
    ];
    const r = await cli(['doctor', '--from-file', '-', '-o', 'json', '--fail-on', 'none'], { stdin: JSON.stringify(b.list(items)) });
    const inc = (JSON.parse(r.stdout) as { incidents: { reason: string; severity: string; message: string }[] }).incidents;
    const svc = inc.find((i) => i.reason === 'ServiceNoEndpoints');
    expect(svc?.severity).toBe('info');
    expect(svc?.message).toMatch(/matches no pods/);
  });

  it('removes managedFields and last-applied-configuration, keeping other annotations', () => {
    const p = b.pod('p', { containers: [{ name: 'c' }], annotations: { 'kubectl.kubernetes.io/last-applied-configuration': '{"metadata":{"managedFields":[]}}\n', keep: 'me' } });
    for (const text of [JSON.stringify({ items: [p, p] }), JSON.stringify({ items: [p] }, null, 2)]) {
      const out = stripUnreadFields(text);
      const parsed = JSON.parse(out) as { items: { metadata: Raw; spec: { containers: Raw[] } }[] };
      for (const it2 of parsed.items) {
        expect(it2.metadata.managedFields).toBeUndefined();
        expect(it2.metadata.annotations).toEqual({ keep: 'me' });
        expect(it2.spec.containers[0]?.env).toBeUndefined();
        expect(it2.spec.containers[0]?.resources).toBeDefined();
      }
      expect(out.length).toBeLessThan(text.length);
    }
  });

  it('malformed input is returned as it was (JSON.parse reports where)', () => {
    for (const text of ['{"metadata":{"managedFields":[{"a":1}', '{"metadata":{"managedFields":1,}}', '{"a" 1}', '[1,,2]']) {
      expect(stripUnreadFields(text)).toBe(text);
    }
  });
});
