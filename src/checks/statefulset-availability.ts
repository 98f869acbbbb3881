import type { Check, Finding } from './types.ts';
import { ref } from './helpers.ts';
import type { ReasonDecl } from './reasons.ts';

/** The reasons this check gives, with what the catalog says of each (product.md §2). */
const reasons: readonly ReasonDecl[] = [
  {
    reason: 'StatefulSetUnavailable',
    kind: 'StatefulSet',
    severity: 'warning',
    alsoSeverities: ['critical'],
    title: 'StatefulSet has replicas not ready',
    description: 'status.readyReplicas below spec.replicas for longer than its grace (a quorum such as Sentinel\'s Kafka needs most of them); critical when none is ready. Its pods\' own findings (crash loop, unschedulable, volume) explain it.',
    remediation: 'kubectl -n {namespace} rollout status statefulset/{name}; kubectl -n {namespace} describe statefulset {name}; kubectl -n {namespace} get pods,pvc -l app={name}',
    runbookUrl: 'https://kubernetes.io/docs/tasks/debug/debug-application/debug-running-pod/',
    graceSeconds: 300,
    layer: 3,
  },
];

export const statefulSetAvailability: Check = {
  id: 'statefulset-availability',
  roots: 'StatefulSet',
  reads: [],
  description: 'StatefulSets with fewer ready replicas than desired.',
  needs: ['StatefulSet'],
  reasons,
  *run(view) {
    for (const s of view.roots('StatefulSet')) {
      // Scaled to zero, being deleted, or a spec the controller has not acted on yet: not judged.
      if (s.meta.deletionTimestamp !== undefined || s.replicas === 0 || s.stale || s.readyReplicas >= s.replicas) continue;
      const f: Finding = {
        reason: 'StatefulSetUnavailable',
        object: ref(s),
        message: `${s.readyReplicas} of ${s.replicas} replicas ready`,
        attributes: { replicas: s.replicas, ready_replicas: s.readyReplicas },
      };
      if (s.readyReplicas === 0) f.severity = 'critical';
      yield f;
    }
  },
};
