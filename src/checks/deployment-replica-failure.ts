import type { Check, Finding } from './types.ts';
import { condition, quote, ref } from './helpers.ts';
import { selectorVars } from './deployment-availability.ts';

export const deploymentReplicaFailure: Check = {
  id: 'deployment-replica-failure',
  roots: 'Deployment',
  reads: [],
  description: 'Deployments whose pods are rejected at creation (ReplicaFailure: quota, LimitRange, admission).',
  needs: ['Deployment'],
  reasons: ['DeploymentReplicaFailure'],
  *run(view) {
    for (const d of view.roots('Deployment')) {
      if (d.meta.deletionTimestamp !== undefined) continue;
      const failure = condition(d, 'ReplicaFailure');
      if (failure?.status !== 'True') continue;
      const f: Finding = {
        reason: 'DeploymentReplicaFailure',
        object: ref(d),
        message: `pods cannot be created${failure.reason ? ` (${failure.reason})` : ''}${failure.message ? `: ${quote(failure.message, 600)}` : ''}`,
        vars: selectorVars(d),
      };
      if (failure.lastTransitionTime !== undefined) f.since = failure.lastTransitionTime;
      yield f;
    }
  },
};
