import type { Check, Finding } from './types.ts';
import { condition, ref } from './helpers.ts';
import { quote } from '../util/redact.ts';
import { K8S_DEBUG_PODS, type ReasonDecl } from './reasons.ts';

/** The reasons this check gives, with what the catalog says of each (product.md §2). */
const reasons: readonly ReasonDecl[] = [
  {
    reason: 'PodUnschedulable',
    kind: 'Pod',
    severity: 'warning',
    title: 'Pod cannot be scheduled',
    description: 'Condition PodScheduled=False with reason Unschedulable for longer than its grace: no node fits (resources, taints, affinity, quota).',
    remediation: 'See what the scheduler says: kubectl -n {namespace} describe pod {name} | grep -A5 Events; free capacity, relax requests/affinity, or add nodes.',
    runbookUrl: K8S_DEBUG_PODS,
    graceSeconds: 120,
    layer: 2,
  },
];

export const podUnschedulable: Check = {
  id: 'pod-unschedulable',
  roots: 'Pod',
  reads: [],
  description: 'Pods the scheduler cannot place (PodScheduled=False, reason Unschedulable).',
  needs: ['Pod'],
  reasons,
  *run(view) {
    for (const p of view.roots('Pod')) {
      if (p.meta.deletionTimestamp !== undefined) continue;
      const c = condition(p, 'PodScheduled');
      if (!c || c.status !== 'False' || c.reason !== 'Unschedulable') continue;
      const f: Finding = {
        reason: 'PodUnschedulable',
        object: ref(p),
        message: `pod cannot be scheduled${c.message ? `: ${quote(c.message, 600)}` : ''}`,
      };
      const since = c.lastTransitionTime ?? p.meta.creationTimestamp;
      if (since !== undefined) f.since = since;
      yield f;
    }
  },
};
