import type { Check, Finding } from './types.ts';
import { condition, quote, ref } from './helpers.ts';

export const podUnschedulable: Check = {
  id: 'pod-unschedulable',
  roots: 'Pod',
  reads: [],
  description: 'Pods the scheduler cannot place (PodScheduled=False, reason Unschedulable).',
  needs: ['Pod'],
  reasons: ['PodUnschedulable'],
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
