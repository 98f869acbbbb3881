// The Events held as evidence stay bounded whatever arrives: at most the count and byte caps, one
// per involved object, reason and message kind (the latest), nothing older than the TTL behind the
// newest, and nothing the index does not keep (the agent's own, about kinds no check reads).

import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { ObjectStore } from '../src/kube/store.ts';
import { normalize } from '../src/kube/read/normalize.ts';
import { aboutKey, eventBytes, messageKind } from '../src/kube/events.ts';
import type { Event } from '../src/kube/types.ts';
import { pod, warningEvent, type Raw } from './support/objects.ts';

const LIMITS = { maxEvents: 40, maxBytes: 24_000, ttlMs: 30 * 60_000 };
const REASONS = ['Failed', 'BackOff', 'Unhealthy', 'FailedMount', 'FailedCreatePodSandBox'];
const MESSAGES = ['Failed to pull image "x": 401 Unauthorized', 'Error: ErrImagePull', 'Readiness probe failed: 503', 'Liveness probe failed: timeout', 'MountVolume.SetUp failed for volume "v" : not found'];

const arrival = fc.record({
  pod: fc.integer({ min: 0, max: 30 }),
  reason: fc.constantFrom(...REASONS),
  message: fc.oneof(fc.constantFrom(...MESSAGES), fc.string({ maxLength: 2000 })),
  minute: fc.integer({ min: -120, max: 0 }),
  name: fc.integer({ min: 0, max: 200 }),
  own: fc.integer({ min: 0, max: 9 }).map((n) => n === 0),
  deleted: fc.integer({ min: 0, max: 9 }).map((n) => n === 0),
});

function held(store: ObjectStore): Event[] {
  return store.list('Event') as Event[];
}

describe('the Events index', () => {
  it('for any arrivals, updates and deletions it stays within its caps and keeps the latest of each kind', () => {
    fc.assert(
      fc.property(fc.array(arrival, { maxLength: 300 }), (arrivals) => {
        const store = new ObjectStore(LIMITS);
        let newest = -Infinity;
        for (const a of arrivals) {
          const about = pod(`p-${a.pod}`, { containers: [{ name: 'c' }] });
          const raw: Raw = warningEvent(about, a.reason, a.message, { last: a.minute, name: `e-${a.name}`, ...(a.own ? { component: 'sentinel-agent' } : {}) });
          const e = normalize(raw, store.sharing).obj as Event;
          if (a.deleted) {
            store.delete('Event', e.meta.namespace, e.meta.name);
            continue;
          }
          store.upsert(e);
          if (!a.own) newest = Math.max(newest, e.last ?? 0);
          const all = held(store);
          expect(all.length).toBeLessThanOrEqual(LIMITS.maxEvents);
          expect(all.reduce((n, x) => n + eventBytes(x), 0)).toBeLessThanOrEqual(LIMITS.maxBytes);
          expect(store.events.size).toBe(all.length);
          expect(all.every((x) => x.from !== 'sentinel-agent')).toBe(true);
          const kinds = all.map((x) => `${aboutKey(x)} ${x.reason} ${messageKind(x.message)}`);
          expect(new Set(kinds).size).toBe(kinds.length);
          // A sweep leaves nothing older than the TTL behind the newest.
          store.expireEvents(newest);
          expect(held(store).every((x) => (x.last ?? 0) >= newest - LIMITS.ttlMs)).toBe(true);
        }
      }),
      { numRuns: 200 },
    );
  });

  it('a newer Event of a kind replaces the older; a late older one is not kept', () => {
    const store = new ObjectStore();
    const about = pod('p', { containers: [{ name: 'c' }] });
    const add = (min: number, name: string): void => {
      store.upsert(normalize(warningEvent(about, 'Unhealthy', `Readiness probe failed: ${name}`, { last: min, name }), store.sharing).obj as Event);
    };
    add(-5, 'a');
    add(-1, 'b');
    add(-3, 'c');
    const p = normalize(about, store.sharing).obj;
    expect(p && store.eventsAbout(p).map((e) => e.meta.name)).toEqual(['b']);
    expect(store.size('Event')).toBe(1);
  });
});
