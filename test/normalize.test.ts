import { readFileSync, readdirSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { normalize } from '../src/kube/read/normalize.ts';
import { Sharing } from '../src/kube/read/sharing.ts';
import { KEPT_CONDITIONS } from '../src/kube/projection.ts';
import { condition } from '../src/checks/helpers.ts';
import { certificate, configMap, deployment, endpointSlice, ingress, pod, replicaSet, running, service, terminated, uid } from './support/objects.ts';

/** One table for this file's objects, as a store has (kube/read/sharing.ts). */
const share = new Sharing();

describe('normalize', () => {
  it('drops managedFields, env and ConfigMap values; keeps what the checks read', () => {
    const p = normalize(pod('p', { containers: [{ name: 'c', restarts: 2, state: running(-3), lastState: terminated('OOMKilled', 137, -4) }] }), share).obj;
    expect(p?.kind).toBe('Pod');
    const json = JSON.stringify(p);
    expect(json).not.toContain('managedFields');
    expect(json).not.toContain('API_TOKEN');
    if (p?.kind !== 'Pod') throw new Error('not a pod');
    expect(p.containers[0]?.last?.reason).toBe('OOMKilled');
    expect(typeof p.containers[0]?.last?.finishedAt).toBe('number');
    // Running states carry nothing a check reads: all pods share one object (memory, B5).
    const q = normalize(pod('q', { containers: [{ name: 'c', state: running(-9) }] }), share).obj;
    if (q?.kind !== 'Pod') throw new Error('not a pod');
    expect(q.containers[0]?.current).toBe(p.containers[0]?.current);
    expect(q.containers[0]?.current).toEqual({ state: 'running' });
    const cm = normalize(configMap('x', { data: { 'policy.json': '{"secret":"value"}' } }), share).obj;
    expect(cm).toMatchObject({ kind: 'ConfigMap', keys: ['policy.json'] });
    expect(JSON.stringify(cm)).not.toContain('value');
  });

  it('healthy pods of a family share their conditions and container statuses; what is wrong stays their own', () => {
    const a = normalize(pod('a', { labels: { app: 's' }, containers: [{ name: 'c', state: running(-9) }, { name: 'mcp-gateway', state: running(-9) }] }), share).obj;
    const b = normalize(pod('b', { labels: { app: 's' }, containers: [{ name: 'c', state: running(-5) }, { name: 'mcp-gateway', state: running(-5) }] }), share).obj;
    const bad = normalize(pod('x', { labels: { app: 's' }, ready: false, containers: [{ name: 'c', ready: false, state: running(-5) }, { name: 'mcp-gateway', state: running(-5) }] }), share).obj;
    if (a?.kind !== 'Pod' || b?.kind !== 'Pod' || bad?.kind !== 'Pod') throw new Error('not pods');
    expect(b.conditions).toBe(a.conditions);
    expect(b.containers).toBe(a.containers);
    expect(a.conditions.find((c) => c.type === 'Ready')).toEqual({ type: 'Ready', status: 'True' });
    // A pod that is not ready keeps when it stopped being ready (podSince reads it) and its own statuses.
    const ready = bad.conditions.find((c) => c.type === 'Ready');
    expect(ready?.status).toBe('False');
    expect(typeof ready?.lastTransitionTime).toBe('number');
    expect(bad.containers).not.toBe(a.containers);
    expect(bad.containers[0]?.ready).toBe(false);
    expect(bad.containers[1]).toBe(a.containers[1]);
  });

  it('objects other than pods keep the labels checks read, and share them and their owner list with their siblings', () => {
    const labels = { app: 'weather', 'app.kubernetes.io/managed-by': 'mcp-runtime', 'mcpruntime.org/rollout-track': 'stable', team: 'acme' };
    const owner = { kind: 'MCPServer', name: 'weather' };
    const d = normalize(deployment('weather', { labels, owner }), share).obj;
    const s = normalize(service('weather', { labels, owner }), share).obj;
    const i = normalize(ingress('weather', { labels: { ...labels, team: 'other' }, owner }), share).obj;
    const rs = normalize(replicaSet('weather-7d9f8b6c5d', 'weather', { labels: { ...labels, 'pod-template-hash': '7d9f8b6c5d' } }), share).obj;
    if (d?.kind !== 'Deployment' || s?.kind !== 'Service' || i?.kind !== 'Ingress' || rs?.kind !== 'ReplicaSet') throw new Error('wrong kinds');
    // serverOf reads `app` and `mcpruntime.org/server`; nothing else reads the labels of these kinds.
    expect(d.meta.labels).toEqual({ app: 'weather' });
    expect(s.meta.labels).toBe(d.meta.labels);
    expect(i.meta.labels).toBe(d.meta.labels);
    expect(rs.meta.labels).toBe(d.meta.labels);
    // One owner list for everything the MCPServer owns; a ReplicaSet's names its Deployment.
    expect(d.meta.owners).toEqual([{ kind: 'MCPServer', name: 'weather', uid: uid('MCPServer', 'mcp-servers', 'weather') }]);
    expect(s.meta.owners).toBe(d.meta.owners);
    expect(i.meta.owners).toBe(d.meta.owners);
    expect(rs.meta.owners).toEqual([{ kind: 'Deployment', name: 'weather', uid: uid('Deployment', 'mcp-servers', 'weather') }]);
    // A ReplicaSet is a link in the ownership chain and its rollout revision (which is newest).
    expect(Object.keys(rs).sort()).toEqual(['kind', 'meta', 'revision']);
    // The same uid with another name (a hand-made dump) is not taken for the shared list.
    const raw = configMap('weather-gateway-policy', { owner, data: {} });
    ((raw.metadata as { ownerReferences: { name: string }[] }).ownerReferences[0] as { name: string }).name = 'other';
    const cm = normalize(raw, share).obj;
    expect(cm?.meta.owners).toEqual([{ kind: 'MCPServer', name: 'other', uid: uid('MCPServer', 'mcp-servers', 'weather') }]);
    expect(cm?.meta.owners).not.toBe(d.meta.owners);
    // Pods keep every label: Service and Deployment selectors match them.
    const p = normalize(pod('weather-7d9f8b6c5d-x2x9q', { labels: { ...labels, 'pod-template-hash': '7d9f8b6c5d' }, containers: [{ name: 'weather', state: running(-9) }] }), share).obj;
    expect(p?.meta.labels).toEqual({ ...labels, 'pod-template-hash': '7d9f8b6c5d' });
    // A slice's Service is its own field; its labels (the Service's, copied) are not kept.
    const sl = normalize(endpointSlice('weather', { ready: 1 }), share).obj;
    if (sl?.kind !== 'EndpointSlice') throw new Error('not a slice');
    expect(sl.serviceName).toBe('weather');
    expect(sl.meta.labels).toEqual({});
    // A label map of the wrong type is noted once (read once for the metadata and the slice's Service).
    const odd = endpointSlice('weather', { ready: 1 });
    (odd.metadata as Record<string, unknown>).labels = 'oops';
    expect(normalize(odd, share).notes).toEqual(['metadata.labels: expected an object, got string "oops"']);
  });

  it('a Deployment keeps the details of conditions that are not True, and of ReplicaFailure', () => {
    const d = normalize(
      deployment('d', {
        conditions: [
          { type: 'Available', status: 'False', reason: 'MinimumReplicasUnavailable', message: 'Deployment does not have minimum availability.', lastTransitionTime: '2026-11-24T09:00:00Z' },
          { type: 'Progressing', status: 'True', reason: 'NewReplicaSetAvailable', lastTransitionTime: '2026-11-24T09:00:00Z' },
          { type: 'ReplicaFailure', status: 'True', reason: 'FailedCreate', message: 'quota exceeded', lastTransitionTime: '2026-11-24T09:00:00Z' },
        ],
      }), share,
    ).obj;
    if (d?.kind !== 'Deployment') throw new Error('not a Deployment');
    expect(d.conditions.find((c) => c.type === 'Available')).toMatchObject({ status: 'False', message: 'Deployment does not have minimum availability.', lastTransitionTime: Date.parse('2026-11-24T09:00:00Z') });
    // A True Progressing keeps its reason: a rollout under way (ReplicaSetUpdated) is not a finished one.
    expect(d.conditions.find((c) => c.type === 'Progressing')).toEqual({ type: 'Progressing', status: 'True', reason: 'NewReplicaSetAvailable' });
    expect(d.conditions.find((c) => c.type === 'ReplicaFailure')).toMatchObject({ status: 'True', reason: 'FailedCreate', message: 'quota exceeded' });
  });

  it('an omitted replicas count is 1 (API default)', () => {
    const d = deployment('d');
    delete (d.spec as Record<string, unknown>).replicas;
    expect(normalize(d, share).obj).toMatchObject({ replicas: 1 });
  });

  it('accepts older API versions', () => {
    for (const v of ['extensions/v1beta1', 'apps/v1beta2']) expect(normalize({ ...deployment('d'), apiVersion: v }, share).obj?.kind).toBe('Deployment');
    for (const v of ['cert-manager.io/v1alpha2', 'cert-manager.io/v1alpha3', 'cert-manager.io/v1beta1', 'certmanager.k8s.io/v1alpha1']) {
      expect(normalize({ ...certificate('c', { ready: 'True' }), apiVersion: v }, share).obj?.kind).toBe('Certificate');
    }
    const ing = normalize({
      apiVersion: 'networking.k8s.io/v1beta1',
      kind: 'Ingress',
      metadata: { name: 'i', namespace: 'n' },
      spec: { backend: { serviceName: 'def', servicePort: 80 }, rules: [{ http: { paths: [{ backend: { serviceName: 'web', servicePort: 'http' } }] } }] },
    }, share).obj;
    expect(ing).toMatchObject({ kind: 'Ingress', backendServices: ['def', 'web'] });
  });

  it('reads around wrongly typed fields and says where', () => {
    const raw = pod('p', { containers: [{ name: 'c' }] });
    const cs = ((raw.status as Record<string, unknown>).containerStatuses as Record<string, unknown>[])[0] as Record<string, unknown>;
    cs.restartCount = 'three';
    (raw.status as Record<string, unknown>).conditions = 'nope';
    const r = normalize(raw, share);
    expect(r.obj?.kind).toBe('Pod');
    expect(r.notes).toContain('status.containerStatuses[0].restartCount: expected a number, got string "three"');
    expect(r.notes).toContain('status.conditions: expected a list, got string "nope"');
  });

  it('numeric strings are numbers; a condition with an odd status is Unknown', () => {
    const d = deployment('d');
    (d.spec as Record<string, unknown>).replicas = '3';
    ((d.status as Record<string, unknown>).conditions as Record<string, unknown>[])[0] = { type: 'Available', status: 'maybe' };
    const o = normalize(d, share).obj;
    expect(o).toMatchObject({ replicas: 3, conditions: [{ type: 'Available', status: 'Unknown' }, expect.anything()] });
  });

  it('skips what it cannot identify, with a reason', () => {
    expect(normalize({ kind: 'Pod', metadata: {} }, share).skipped).toBe('Pod without metadata.name');
    expect(normalize({ kind: 'ServiceAccount', metadata: { name: 'n' } }, share).skipped).toMatch(/not read by any check/);
    expect(normalize('text', share).skipped).toBe('not an object');
    expect(normalize({ apiVersion: 'v1', metadata: { name: 'x' } }, share, { kind: 'Pod' }).obj?.kind).toBe('Pod');
  });
});

describe('reading a JSON dump item by item', () => {
  it('loads what a whole parse loads, with the same notes', async () => {
    const { readFileSync } = await import('node:fs');
    const { JsonArrayItems, loadDocuments, parseDocuments } = await import('../src/collector/file.ts');
    const { ObjectStore } = await import('../src/kube/store.ts');
    const { KIND_NAMES } = await import('../src/kube/kinds.ts');
    const text = readFileSync(new URL('./fixtures/cluster-unhealthy.json', import.meta.url), 'utf8');
    // A typed list inside, whose items carry no kind, and an odd item, to exercise fallbacks and notes.
    const list = JSON.parse(text) as { items: unknown[] };
    list.items.push({ apiVersion: 'v1', kind: 'PodList', items: [{ metadata: { name: 'bare', namespace: 'x' }, status: { phase: 42 } }] }, { kind: 'Widget', metadata: { name: 'w' } });
    const dump = JSON.stringify(list, null, 1);
    const docs = parseDocuments(dump, 'dump.json');
    expect((docs[0] as { items: unknown }).items).toBeInstanceOf(JsonArrayItems);
    const lazy = new ObjectStore();
    const whole = new ObjectStore();
    const a = loadDocuments(docs, 'dump.json', lazy, () => true);
    const b = loadDocuments([JSON.parse(dump)], 'dump.json', whole, () => true);
    expect(a).toEqual(b);
    expect(a.notes.join('\n')).toContain('root.items');
    for (const k of KIND_NAMES) {
      expect(lazy.list(k)).toEqual(whole.list(k));
      expect(lazy.source(k)).toEqual(whole.source(k));
    }
    expect(lazy.get('Pod', 'x', 'bare')).toBeDefined();
  });

  it('a condition the projection drops cannot be asked for: a type error, and absent as read', () => {
    // The pod as the kubelet writes it carries Initialized and ContainersReady too.
    const raw = pod('p', { containers: [{ name: 'c' }] });
    expect(JSON.stringify(raw)).toContain('"Initialized"');
    const p = normalize(raw, share).obj;
    if (p?.kind !== 'Pod') throw new Error('not a pod');
    // @ts-expect-error Initialized is not kept for pods (kube/projection.ts): a check must not read it.
    expect(condition(p, 'Initialized')).toBeUndefined();
    expect(condition(p, 'Ready')?.status).toBe('True');
  });

  it('every condition type a projection keeps is read by a check (the table holds nothing dead)', () => {
    const dir = new URL('../src/checks/', import.meta.url);
    const text = readdirSync(dir).map((f) => readFileSync(new URL(f, dir), 'utf8')).join('\n');
    const asked = new Set([...text.matchAll(/(?:condition|isTrue)\([^,()]+, '([A-Za-z]+)'\)/g)].map((m) => m[1]));
    const kept = Object.values(KEPT_CONDITIONS).flat();
    expect(kept.filter((t) => !asked.has(t))).toEqual([]);
  });
});
