import type { Check, Finding } from './types.ts';
import { condition, latestEvent, ref } from './helpers.ts';
import type { ClusterView } from '../kube/store.ts';
import type { Deployment, ReplicaSet } from '../kube/types.ts';
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

/** Where the Deployment has no ReplicaFailure condition (yet), its newest ReplicaSet's FailedCreate
 *  Warning Event, while the Deployment is short of pods: the same failure, from the controller's
 *  own report. Since when: the ReplicaSet's creation (the Event's time moves at every retry). */
function failedCreate(view: ClusterView, d: Deployment, now: number): { reason: string; message: string; lastTransitionTime?: number } | undefined {
  if (d.statusReplicas >= d.replicas) return undefined;
  let newest: ReplicaSet | undefined;
  for (const rs of view.ownedBy('ReplicaSet', d)) if (!newest || (rs.revision ?? 0) > (newest.revision ?? 0)) newest = rs;
  const e = newest ? latestEvent(view, newest, 'FailedCreate', now) : undefined;
  return e && newest ? { reason: 'FailedCreate', message: e.message, lastTransitionTime: newest.meta.creationTimestamp } : undefined;
}

export const deploymentReplicaFailure: Check = {
  id: 'deployment-replica-failure',
  roots: 'Deployment',
  reads: ['ReplicaSet', 'Event'],
  description: 'Deployments whose pods are rejected at creation (ReplicaFailure: quota, LimitRange, admission).',
  needs: ['Deployment'],
  evidence: ['Event'],
  reasons,
  *run(view, ctx) {
    for (const d of view.roots('Deployment')) {
      if (d.meta.deletionTimestamp !== undefined) continue;
      const cond = condition(d, 'ReplicaFailure');
      const failure = cond?.status === 'True' ? cond : failedCreate(view, d, ctx.now);
      if (!failure) continue;
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
