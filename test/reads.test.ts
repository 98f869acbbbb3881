// Check.reads is what lets an incremental pass skip a check when only kinds it does not read
// changed. A check that reads a kind it does not declare would miss changes until the next full
// pass, so every rooted check is run here over clusters with something wrong everywhere, through a
// view that records which kinds it looks at.

import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { KIND_NAMES, type KindName } from '../src/kube/kinds.ts';
import { ObjectStore, type ClusterView } from '../src/kube/store.ts';
import { normalize } from '../src/kube/read/normalize.ts';
import type { AnyObj, Obj, Service } from '../src/kube/types.ts';
import { CHECKS } from '../src/checks/registry.ts';
import { defaultCheckConfig } from '../src/checks/config.ts';
import { runCheck } from '../src/engine/evaluate.ts';
import { deployment, healthyPlatform, healthyServer, mcpServer, pod, waiting, type Raw } from './support/objects.ts';

/** Every lookup a check makes, by kind (source states excepted: a change there forces a full pass). */
class RecordingView implements ClusterView {
  readonly seen = new Set<KindName>();
  private readonly base: ClusterView;
  constructor(base: ClusterView) {
    this.base = base;
  }
  roots<K extends KindName>(kind: K): readonly Obj<K>[] {
    this.seen.add(kind);
    return this.base.roots(kind);
  }
  list<K extends KindName>(kind: K, namespace?: string): readonly Obj<K>[] {
    this.seen.add(kind);
    return this.base.list(kind, namespace);
  }
  get<K extends KindName>(kind: K, namespace: string, name: string): Obj<K> | undefined {
    this.seen.add(kind);
    return this.base.get(kind, namespace, name);
  }
  ownedBy<K extends KindName>(kind: K, owner: AnyObj): readonly Obj<K>[] {
    this.seen.add(kind);
    return this.base.ownedBy(kind, owner);
  }
  slicesFor(namespace: string, service: string): ReturnType<ClusterView['slicesFor']> {
    this.seen.add('EndpointSlice');
    return this.base.slicesFor(namespace, service);
  }
  source(kind: KindName): ReturnType<ClusterView['source']> {
    return this.base.source(kind);
  }
  count(kind: KindName, namespace?: string): number {
    this.seen.add(kind);
    return this.base.count(kind, namespace);
  }
  eventsAbout(o: AnyObj): ReturnType<ClusterView['eventsAbout']> {
    this.seen.add('Event');
    return this.base.eventsAbout(o);
  }
  podsOn(node: string): ReturnType<ClusterView['podsOn']> {
    this.seen.add('Pod');
    return this.base.podsOn(node);
  }
  servicesSelecting(namespace: string, labels: Readonly<Record<string, string>>): readonly Service[] {
    this.seen.add('Service');
    return this.base.servicesSelecting(namespace, labels);
  }
}

function storeOf(raws: unknown[]): ObjectStore {
  const store = new ObjectStore();
  for (const k of KIND_NAMES) store.setSource(k, { status: 'synced', coverage: 'cluster' });
  for (const r of raws) {
    const o = normalize(r, store.sharing).obj;
    if (o) store.upsert(o);
  }
  return store;
}

const fixture = (JSON.parse(readFileSync(new URL('./fixtures/cluster-unhealthy.json', import.meta.url), 'utf8')) as { items: unknown[] }).items;
const clusters: [string, ObjectStore][] = [
  ['the unhealthy fixture cluster', storeOf(fixture)],
  [
    'servers without their own objects (lookups fall back to labels and names)',
    storeOf([
      ...healthyPlatform(),
      ...healthyServer('a', { gateway: true }),
      mcpServer('b', { gateway: true, phase: 'Pending' }),
      pod('b-0', { labels: { app: 'b' }, containers: [{ name: 'b', ready: false, state: waiting('ImagePullBackOff', 'x') }] }) as Raw,
    ]),
  ],
  [
    'a Deployment short of replicas while still Available (its pods tell since when)',
    storeOf([
      ...healthyServer('c'),
      deployment('c', {
        owner: { kind: 'MCPServer', name: 'c' },
        replicas: 2,
        ready: 1,
        conditions: [{ type: 'Available', status: 'True', reason: 'MinimumReplicasAvailable', lastTransitionTime: '2026-11-24T09:00:00Z' }],
      }),
    ]),
  ],
];

describe('Check.reads', () => {
  for (const check of CHECKS.filter((c) => c.roots)) {
    it(`${check.id} reads only its root and what it declares`, () => {
      const allowed = new Set<KindName>([check.roots as KindName, ...(check.reads ?? KIND_NAMES)]);
      for (const [, store] of clusters) {
        const view = new RecordingView(store);
        runCheck(check, view, { checks: CHECKS, now: Date.parse('2026-11-24T12:00:00Z'), config: defaultCheckConfig(), inScope: () => true });
        const undeclared = [...view.seen].filter((k) => !allowed.has(k));
        expect(undeclared, `${check.id} reads ${undeclared.join(', ')} without declaring it`).toEqual([]);
      }
    });
  }
});
