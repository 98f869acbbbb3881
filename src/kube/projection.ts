// What the projections keep of the parts of an object that vary by kind: condition types and the
// labels of objects other than pods. The reader keeps exactly these, and kube/types.ts types each
// kind's conditions by this table, so a check that reads a condition the projection drops is a type
// error (checks/helpers.ts `condition`), not a silent "missing, so Unknown".

import { CUSTOM_SLOTS, type CustomSlot, type KindName } from './kinds.ts';

/** Condition types kept, per kind (the others are dropped as read). A kind not listed keeps all. */
export const KEPT_CONDITIONS = {
  Pod: ['Ready', 'PodScheduled'],
  Deployment: ['Available', 'Progressing', 'ReplicaFailure'],
  Certificate: ['Ready', 'Issuing'],
  CertificateRequest: ['Ready', 'Denied', 'InvalidRequest'],
  Node: ['Ready', 'MemoryPressure', 'DiskPressure', 'PIDPressure', 'NetworkUnavailable'],
  Issuer: ['Ready'],
  ClusterIssuer: ['Ready'],
  ...customConditions(),
} as const satisfies Partial<Record<KindName, readonly string[]>>;

/** The kstatus conditions, for every custom slot. */
function customConditions(): Record<CustomSlot, readonly ['Ready', 'Stalled']> {
  return Object.fromEntries(CUSTOM_SLOTS.map((k) => [k, ['Ready', 'Stalled'] as const])) as Record<CustomSlot, readonly ['Ready', 'Stalled']>;
}

type Filtered = keyof typeof KEPT_CONDITIONS;

/** The condition types a kind's projection holds: those kept, or any for a kind not filtered. */
export type KeptCondition<K extends KindName> = K extends Filtered ? (typeof KEPT_CONDITIONS)[K][number] : string;

/** Conditions that matter only when not True (a pod not ready since when, a Deployment not
 *  available or not progressing: their reason, message and transition time). True, one shared
 *  object per type stands for them all. */
export const TRUE_SHARED: { readonly [K in Filtered]?: readonly KeptCondition<K>[] } = {
  Pod: ['Ready', 'PodScheduled'],
  Deployment: ['Available', 'Progressing'],
  Node: ['Ready'],
};

/** True conditions whose reason is kept even so: a Deployment's Progressing reason tells a rollout
 *  under way (ReplicaSetUpdated) from a finished one (NewReplicaSetAvailable). */
export const TRUE_REASON_KEPT: readonly string[] = ['Progressing'];

/** Condition messages that no check shows (the pod's Ready message repeats the container states). */
export const DROPPED_MESSAGES: { readonly [K in Filtered]?: readonly KeptCondition<K>[] } = {
  Pod: ['Ready'],
};

/** The labels that name the MCPServer an object belongs to, in the order they are trusted (the
 *  operator's own label first). Objects other than pods keep only these; pods keep every label,
 *  because Service and Deployment selectors match them. (A slice's Service, from
 *  `kubernetes.io/service-name`, is kept as its own field.) */
export const SERVER_LABELS = ['mcpruntime.org/server', 'app'] as const;

/**
 * Whether two projections are equal in every field (shared parts compare by identity first). Many
 * watch events change nothing a projection keeps — a resourceVersion moving for a managedFields or
 * annotation write, a probe time — and such an event changes nothing to judge.
 */
export function sameProjection(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (typeof a !== 'object' || typeof b !== 'object' || a === null || b === null) return false;
  if (Array.isArray(a)) {
    if (!Array.isArray(b) || a.length !== b.length) return false;
    for (let i = 0; i < a.length; i++) if (!sameProjection(a[i], b[i])) return false;
    return true;
  }
  if (Array.isArray(b)) return false;
  const x = a as Record<string, unknown>;
  const y = b as Record<string, unknown>;
  let n = 0;
  for (const k in x) {
    if (!sameProjection(x[k], y[k])) return false;
    n++;
  }
  for (const k in y) if (--n < 0 || !(k in x)) return false;
  return n === 0;
}
