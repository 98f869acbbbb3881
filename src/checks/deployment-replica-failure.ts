import type { Check, Finding } from './types.ts';
import { condition, ref } from './helpers.ts';
import { quote } from '../util/redact.ts';
import { selectorVars } from './deployment-availability.ts';
import { K8S_DEPLOY_STATUS, type ReasonDecl } from './reasons.ts';

/** Why the ReplicaSet controller cannot create pods, from its FailedCreate message. */
export function createFailureClass(msg: string): 'quota' | 'service_account' | 'pod_security' | 'limit_range' | 'webhook' | 'unknown' {
  if (/exceeded quota|forbidden: exceeded|must specify limits|must specify requests/i.test(msg) && /quota/i.test(msg)) return 'quota';
  if (/serviceaccounts? "[^"]*" not found|service account .* not found|error looking up service account/i.test(msg)) return 'service_account';
  if (/violates PodSecurity|pod security|PodSecurity "/i.test(msg)) return 'pod_security';
  if (/LimitRange|maximum (memory|cpu) usage|minimum (memory|cpu) usage/i.test(msg)) return 'limit_range';
  if (/admission webhook .* denied|denied the request/i.test(msg)) return 'webhook';
  return 'unknown';
}

function createFailureFix(msg: string): string {
  const see = 'kubectl -n {namespace} describe rs -l {selector} | grep -A3 FailedCreate';
  switch (createFailureClass(msg)) {
    case 'quota':
      return `A ResourceQuota refuses the pods: ${see}; kubectl -n {namespace} describe resourcequota; raise the quota or lower the pods' requests.`;
    case 'service_account':
      return `The pods name a ServiceAccount that does not exist: create it, or fix spec.template.spec.serviceAccountName: kubectl -n {namespace} get serviceaccounts; ${see}`;
    case 'pod_security':
      return `Pod Security admission rejects the pod template: make it meet the level of the namespace (runAsNonRoot, no privilege escalation, dropped capabilities, seccomp RuntimeDefault) or change the level: kubectl get ns {namespace} --show-labels; ${see}`;
    case 'limit_range':
      return `A LimitRange rejects the containers' requests or limits: kubectl -n {namespace} describe limitrange; ${see}`;
    case 'webhook':
      return `An admission webhook denies the pods: read its reason in ${see}; kubectl get validatingwebhookconfigurations,mutatingwebhookconfigurations`;
    case 'unknown':
      return `${see}; kubectl -n {namespace} describe resourcequota,limitrange`;
  }
}

/** The reasons this check gives, with what the catalog says of each (product.md §2). */
const reasons: readonly ReasonDecl[] = [
  {
    reason: 'DeploymentReplicaFailure',
    kind: 'Deployment',
    severity: 'warning',
    title: 'Deployment cannot create pods',
    description: 'Condition ReplicaFailure=True (reason FailedCreate): pods are rejected at creation, typically by a ResourceQuota, LimitRange or admission webhook.',
    remediation: 'kubectl -n {namespace} describe rs -l {selector} | grep -A3 FailedCreate; kubectl -n {namespace} describe resourcequota',
    facts: ['selector'],
    runbookUrl: K8S_DEPLOY_STATUS,
    graceSeconds: 60,
    layer: 2,
  },
];

export const deploymentReplicaFailure: Check = {
  id: 'deployment-replica-failure',
  roots: 'Deployment',
  reads: [],
  description: 'Deployments whose pods are rejected at creation (ReplicaFailure: quota, LimitRange, admission).',
  needs: ['Deployment'],
  reasons,
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
        remediation: createFailureFix(failure.message ?? ''),
      };
      f.attributes = { failure_class: createFailureClass(failure.message ?? '') };
      if (failure.lastTransitionTime !== undefined) f.since = failure.lastTransitionTime;
      yield f;
    }
  },
};
