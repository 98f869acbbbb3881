import type { Check, Finding } from './types.ts';
import { condition, ref } from './helpers.ts';
import { quote } from '../util/redact.ts';
import { availabilitySummary, selectorVars } from './deployment-availability.ts';
import type { ReasonDecl } from './reasons.ts';

/** The reasons this check gives, with what the catalog says of each (product.md §2). */
const reasons: readonly ReasonDecl[] = [
  {
    reason: 'DeploymentProgressDeadlineExceeded',
    kind: 'Deployment',
    severity: 'critical',
    title: 'Deployment rollout stalled',
    description: 'Condition Progressing=False with reason ProgressDeadlineExceeded: the rollout made no progress within spec.progressDeadlineSeconds.',
    remediation: 'Find the pods of the stuck ReplicaSet: kubectl -n {namespace} rollout status deploy/{name}; kubectl -n {namespace} get pods -l {selector}; fix them or roll back: kubectl -n {namespace} rollout undo deploy/{name}',
    facts: ['selector'],
    runbookUrl: 'https://kubernetes.io/docs/concepts/workloads/controllers/deployment/#failed-deployment',
    graceSeconds: 0,
    layer: 3,
  },
];

export const deploymentProgress: Check = {
  id: 'deployment-progress',
  roots: 'Deployment',
  reads: [],
  description: 'Deployments whose rollout exceeded its progress deadline.',
  needs: ['Deployment'],
  reasons,
  *run(view) {
    for (const d of view.roots('Deployment')) {
      if (d.meta.deletionTimestamp !== undefined) continue;
      const progressing = condition(d, 'Progressing');
      if (progressing?.status !== 'False' || progressing.reason !== 'ProgressDeadlineExceeded') continue;
      const f: Finding = {
        reason: 'DeploymentProgressDeadlineExceeded',
        object: ref(d),
        message: `rollout exceeded its progress deadline${progressing.message ? `: ${quote(progressing.message)}` : ''}; ${availabilitySummary(d)}`,
        attributes: { replicas: d.replicas, ready_replicas: d.readyReplicas, updated_replicas: d.updatedReplicas },
        vars: selectorVars(d),
      };
      if (progressing.lastTransitionTime !== undefined) f.since = progressing.lastTransitionTime;
      yield f;
    }
  },
};
