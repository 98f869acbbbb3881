import type { Check, Finding } from './types.ts';
import { ref } from './helpers.ts';
import type { ReasonDecl } from './reasons.ts';

/** The reasons this check gives, with what the catalog says of each (product.md §2). */
const reasons: readonly ReasonDecl[] = [
  {
    reason: 'DaemonSetUnavailable',
    kind: 'DaemonSet',
    severity: 'warning',
    alsoSeverities: ['critical'],
    title: 'DaemonSet pods unavailable or misscheduled',
    description: 'Pods of the DaemonSet unavailable on nodes that should run them (numberUnavailable, or fewer ready than desiredNumberScheduled), or running where they should not (numberMisscheduled), for longer than its grace, which covers a rolling update; critical when none is ready.',
    remediation: 'kubectl -n {namespace} rollout status daemonset/{name}; kubectl -n {namespace} describe daemonset {name}; kubectl -n {namespace} get pods -o wide -l app={name}',
    runbookUrl: 'https://kubernetes.io/docs/concepts/workloads/controllers/daemonset/',
    graceSeconds: 300,
    layer: 3,
  },
];

export const daemonSetAvailability: Check = {
  id: 'daemonset-availability',
  roots: 'DaemonSet',
  reads: [],
  description: 'DaemonSets with pods unavailable on their nodes, or running on nodes they should not.',
  needs: ['DaemonSet'],
  reasons,
  *run(view) {
    for (const d of view.roots('DaemonSet')) {
      if (d.meta.deletionTimestamp !== undefined || d.stale) continue;
      const unavailable = Math.max(d.unavailable, d.desired - d.ready);
      if (unavailable <= 0 && d.misscheduled === 0) continue;
      const parts: string[] = [];
      if (unavailable > 0) parts.push(`${d.ready} of ${d.desired} scheduled pods ready`);
      if (d.misscheduled > 0) parts.push(`${d.misscheduled} running on nodes that should not run it`);
      const f: Finding = {
        reason: 'DaemonSetUnavailable',
        object: ref(d),
        message: parts.join('; '),
        attributes: { desired: d.desired, ready: d.ready, unavailable, misscheduled: d.misscheduled },
      };
      if (d.desired > 0 && d.ready === 0) f.severity = 'critical';
      yield f;
    }
  },
};
