// Helpers that encode API semantics, shared by the checks. A missing condition is Unknown, never
// False; an omitted replicas count is 1 (done in normalize); image references follow the
// distribution reference grammar (docker.io is the implicit host).

import type { AnyObj, Condition, ContainerStatus, Event, ObjectRef, Pod } from '../kube/types.ts';
import type { ClusterView } from '../kube/store.ts';
import { refOf } from '../kube/types.ts';

/** The condition of that type. The type must be one the kind's projection keeps (kube/projection.ts):
 *  asking for another is a type error, since it would read as missing, so Unknown, on every object. */
export function condition<T extends string>(o: { conditions: readonly Condition<T>[] }, type: NoInfer<T>): Condition<T> | undefined {
  return o.conditions.find((c) => c.type === type);
}

export function isTrue<T extends string>(o: { conditions: readonly Condition<T>[] }, type: NoInfer<T>): boolean {
  return condition(o, type)?.status === 'True';
}

export function selectorString(selector: Readonly<Record<string, string>>): string {
  return Object.entries(selector)
    .map(([k, v]) => `${k}=${v}`)
    .join(',');
}

/** When the pod stopped being ready, else when it started: the pod-level "since". */
export function podSince(p: Pod): number | undefined {
  const ready = condition(p, 'Ready');
  if (ready && ready.status !== 'True' && ready.lastTransitionTime !== undefined) return ready.lastTransitionTime;
  return p.startTime ?? p.meta.creationTimestamp;
}

export function isPodReady(p: Pod): boolean {
  return isTrue(p, 'Ready');
}

/** The host part of an image reference ("docker.io" when it has none). */
export function imageHost(image: string): string {
  const slash = image.indexOf('/');
  if (slash < 0) return 'docker.io';
  const first = image.slice(0, slash);
  if (first.includes('.') || first.includes(':') || first === 'localhost') return first.toLowerCase();
  return 'docker.io';
}

export function containerImage(p: Pod, c: ContainerStatus): string {
  return p.images[c.name] || c.image;
}

export function ref(o: AnyObj): ObjectRef {
  return refOf(o);
}

/** The latest lastTransitionTime among the given conditions. */
export function latestTransition(conds: readonly (Condition | undefined)[]): number | undefined {
  let t: number | undefined;
  for (const c of conds) if (c?.lastTransitionTime !== undefined && (t === undefined || c.lastTransitionTime > t)) t = c.lastTransitionTime;
  return t;
}

export function plural(n: number, word: string): string {
  return `${n} ${word}${n === 1 ? '' : 's'}`;
}

/** How old an Event may be and still explain the present (the API server's own Event TTL). */
export const EVIDENCE_MAX_AGE_MS = 60 * 60_000;

/**
 * The latest Warning Event about the object with that reason (any, when undefined) whose message
 * passes `test` (and, for a container, names it in its fieldPath when it has one), no older than
 * EVIDENCE_MAX_AGE_MS.
 */
export function latestEvent(view: ClusterView, o: AnyObj, reason: string | undefined, now: number, test: (message: string) => boolean = () => true, container?: string): Event | undefined {
  let best: Event | undefined;
  for (const e of view.eventsAbout(o)) {
    if ((reason !== undefined && e.reason !== reason) || !test(e.message)) continue;
    if (e.last !== undefined && now - e.last > EVIDENCE_MAX_AGE_MS) continue;
    if (container !== undefined && e.about.fieldPath && !e.about.fieldPath.includes(`{${container}}`)) continue;
    if (!best || (e.last ?? 0) > (best.last ?? 0)) best = e;
  }
  return best;
}
