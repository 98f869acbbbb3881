import type { Check, Finding } from './types.ts';
import { condition, quote, ref } from './helpers.ts';
import { availabilitySummary, selectorVars } from './deployment-availability.ts';

export const deploymentProgress: Check = {
  id: 'deployment-progress',
  roots: 'Deployment',
  reads: [],
  description: 'Deployments whose rollout exceeded its progress deadline.',
  needs: ['Deployment'],
  reasons: ['DeploymentProgressDeadlineExceeded'],
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
