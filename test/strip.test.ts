import { describe, expect, it } from 'vitest';
import { stripUnreadFields } from '../src/kube/strip.ts';
import { readdirSync, readFileSync, existsSync } from 'node:fs';
import { parse } from 'yaml';
import { pod } from './support/objects.ts';
import { normalize } from '../src/kube/normalize.ts';
import { generateCluster } from '../bench/generate.ts';

describe('stripUnreadFields', () => {
  it('never changes a projection: every fixture normalizes the same stripped or not', () => {
    const files = ['cluster-healthy.yaml', 'cluster-unhealthy.json'];
    const objs: unknown[] = [];
    for (const f of files) {
      const text = readFileSync(new URL(`./fixtures/${f}`, import.meta.url), 'utf8');
      const doc = f.endsWith('.json') ? (JSON.parse(text) as { items: unknown[] }) : (parse(text) as { items: unknown[] });
      objs.push(...doc.items);
    }
    objs.push(...generateCluster(50));
    const realworld = new URL('../../shared/fixtures/realworld/objects/', import.meta.url);
    if (existsSync(realworld)) for (const f of readdirSync(realworld)) objs.push(JSON.parse(readFileSync(new URL(f, realworld), 'utf8')));
    expect(objs.length).toBeGreaterThan(100);
    for (const o of objs) {
      const stripped = JSON.parse(stripUnreadFields(JSON.stringify(o))) as unknown;
      expect(normalize(stripped)).toEqual(normalize(o));
    }
  });

  it('removes managedFields and last-applied-configuration, keeping everything else', () => {
    const p = pod('p', { containers: [{ name: 'c' }] });
    const md = p.metadata as Record<string, unknown>;
    md.annotations = { 'kubectl.kubernetes.io/last-applied-configuration': '{"apiVersion":"v1","metadata":{"managedFields":[]}}\n', keep: 'me' };
    for (const text of [JSON.stringify({ items: [p, p] }), JSON.stringify({ items: [p] }, null, 2)]) {
      const out = stripUnreadFields(text);
      const parsed = JSON.parse(out) as { items: { metadata: Record<string, unknown> }[] };
      for (const it2 of parsed.items) {
        expect(it2.metadata.managedFields).toBeUndefined();
        expect(it2.metadata.annotations).toEqual({ keep: 'me' });
        expect(JSON.stringify(it2)).not.toContain('API_TOKEN');
        expect((it2 as unknown as { status: unknown }).status).toEqual(p.status);
      }
      expect(out.length).toBeLessThan(text.length);
    }
  });

  it('leaves the key alone where it is only text inside a string', () => {
    const text = JSON.stringify({ metadata: { annotations: { note: 'the "managedFields": [1] text' } }, managedFieldsX: 1 });
    expect(stripUnreadFields(text)).toBe(text);
  });

  it('handles the key first, last and alone in an object, and escaped quotes in values', () => {
    for (const o of [{ managedFields: [{ a: '}]"' }], x: 1 }, { x: 1, managedFields: [{ 'b\\"': ['[', '{'] }] }, { managedFields: [] }]) {
      const out = JSON.parse(stripUnreadFields(JSON.stringify(o))) as Record<string, unknown>;
      const want: Record<string, unknown> = { ...o };
      delete want.managedFields;
      expect(out).toEqual(want);
    }
  });

  it('malformed input stays malformed (JSON.parse reports it)', () => {
    const text = '{"metadata":{"managedFields":[{"a":1}';
    expect(() => JSON.parse(stripUnreadFields(text)) as unknown).toThrow();
  });
});

describe('stripUnreadFields, consecutive keys', () => {
  it('keeps valid JSON when stripped keys follow each other anywhere', () => {
    const cases = [
      { env: [], resources: {}, b: 2 },
      { a: 1, env: [], resources: {}, b: 2 },
      { env: [], resources: {} },
      { a: 1, env: [], resources: {} },
      { env: [1], a: 1, volumes: [], resources: { x: '}' }, args: ['"'], b: [{ command: 'x' }] },
    ];
    for (const c of cases) {
      const out = JSON.parse(stripUnreadFields(JSON.stringify(c))) as Record<string, unknown>;
      const want = Object.fromEntries(Object.entries(c).filter(([k]) => !['env', 'resources', 'volumes', 'args'].includes(k)));
      if (Array.isArray(want.b)) want.b = [{}];
      expect(out).toEqual(want);
    }
  });
});

describe('stripUnreadFields, random documents', () => {
  const STRIPPED = new Set(['managedFields', 'env', 'envFrom', 'volumeMounts', 'volumes', 'tolerations', 'affinity', 'readinessProbe', 'livenessProbe', 'startupProbe', 'securityContext', 'resources', 'topologySpreadConstraints', 'command', 'args', 'kubectl.kubernetes.io/last-applied-configuration']);
  const KEYS = [...STRIPPED, 'a', 'b', 'name', 'spec', 'status', 'envX', 'xenv', 'ports'];
  const STRS = ['', '"', '\\', '{', '}', '[', ']', ',', ':', '"env":[', 'a"b', '\u00e9\u2028', ' spaced '];
  function rng(seed: number): () => number {
    let s = seed >>> 0;
    return () => ((s = (s * 1664525 + 1013904223) >>> 0) / 2 ** 32);
  }
  function gen(r: () => number, depth: number): unknown {
    const x = r();
    if (depth > 3 || x < 0.3) return [() => Math.floor(r() * 1000) - 500, () => STRS[Math.floor(r() * STRS.length)], () => r() < 0.5, () => null][Math.floor(r() * 4)]?.();
    if (x < 0.55) return Array.from({ length: Math.floor(r() * 4) }, () => gen(r, depth + 1));
    const o: Record<string, unknown> = {};
    for (let i = Math.floor(r() * 5); i > 0; i--) o[KEYS[Math.floor(r() * KEYS.length)] as string] = gen(r, depth + 1);
    return o;
  }
  function without(v: unknown): unknown {
    if (Array.isArray(v)) return v.map(without);
    if (v && typeof v === 'object') return Object.fromEntries(Object.entries(v).filter(([k]) => !STRIPPED.has(k)).map(([k, x]) => [k, without(x)]));
    return v;
  }
  it('equals the document without the stripped keys, compact or indented', () => {
    const r = rng(42);
    for (let i = 0; i < 3000; i++) {
      const doc = { root: gen(r, 0) };
      for (const text of [JSON.stringify(doc), JSON.stringify(doc, null, i % 3)]) {
        expect(JSON.parse(stripUnreadFields(text))).toEqual(without(doc));
      }
    }
  });
});
