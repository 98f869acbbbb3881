import type { Check, Finding } from './types.ts';
import type { ClusterView } from '../kube/store.ts';
import type { Deployment } from '../kube/types.ts';
import { condition, isPodReady, podSince, ref, selectorString } from './helpers.ts';
import { quote } from '../util/redact.ts';
import { podsOfDeployment } from '../kube/relations.ts';
import { K8S_DEPLOY_STATUS, type ReasonDecl } from './reasons.ts';
import { isPlatformDeployment } from './config.ts';

/** When a Deployment's unavailability started: its Available=False transition, else the oldest
 *  not-ready pod's transition (the nearest related timestamp). */
export function unavailableSince(view: ClusterView, d: Deployment): number | undefined {
  const avail = condition(d, 'Available');
  if (avail?.status === 'False' && avail.lastTransitionTime !== undefined) return avail.lastTransitionTime;
  let since: number | undefined;
  for (const p of podsOfDeployment(view, d)) {
    if (isPodReady(p)) continue;
    const t = podSince(p);
    if (t !== undefined && (since === undefined || t < since)) since = t;
  }
  return since;
}

export function isUnavailable(d: Deployment): boolean {
  if (d.replicas === 0) return false;
  return d.unavailableReplicas > 0 || condition(d, 'Available')?.status === 'False';
}

export function availabilitySummary(d: Deployment): string {
  const unavailable = Math.max(d.unavailableReplicas, d.replicas - d.availableReplicas);
  return `${unavailable} unavailable (desired ${d.replicas}, current ${d.statusReplicas}, ready ${d.readyReplicas}, available ${d.availableReplicas}, up-to-date ${d.updatedReplicas})`;
}

/** Progressing=True with a reason that says the rollout is still moving (not NewReplicaSetAvailable). */
export function rolloutInProgress(d: Deployment): boolean {
  const p = condition(d, 'Progressing');
  return p?.status === 'True' && (p.reason === 'ReplicaSetUpdated' || p.reason === 'NewReplicaSetCreated' || p.reason === 'FoundNewReplicaSet');
}

export function selectorVars(d: Deployment): Record<string, string> {
  return { selector: selectorString(d.selector) || `app=${d.meta.name}` };
}

/** The reasons this check gives, with what the catalog says of each (product.md §2). */
const reasons: readonly ReasonDecl[] = [
  {
    reason: 'DeploymentUnavailable',
    kind: 'Deployment',
    severity: 'warning',
    alsoSeverities: ['critical', 'info'],
    title: 'Deployment has unavailable replicas',
    description: 'status.unavailableReplicas>0 or Available=False for longer than its grace; critical when no replica is available; info while a rollout is still progressing within its deadline (Progressing=True, ReplicaSetUpdated).',
    remediation: 'kubectl -n {namespace} rollout status deploy/{name}; kubectl -n {namespace} get pods -l {selector}; kubectl -n {namespace} describe deploy {name}',
    facts: ['selector'],
    runbookUrl: K8S_DEPLOY_STATUS,
    graceSeconds: 300,
    layer: 3,
  },
];

export const deploymentAvailability: Check = {
  id: 'deployment-availability',
  roots: 'Deployment',
  reads: ['ReplicaSet', 'Pod'],
  description: 'Deployments with unavailable replicas (Available=False or unavailableReplicas>0).',
  needs: ['Deployment'],
  reasons,
  *run(view, ctx) {
    for (const d of view.roots('Deployment')) {
      if (d.meta.deletionTimestamp !== undefined) continue;
      // The platform's Deployments have reasons of their own.
      if (isPlatformDeployment(ctx.config, d.meta.namespace, d.meta.name) || !isUnavailable(d)) continue;
      const avail = condition(d, 'Available');
      const none = d.availableReplicas === 0;
      const rolling = rolloutInProgress(d);
      const f: Finding = {
        reason: 'DeploymentUnavailable',
        object: ref(d),
        // A rollout within its progress deadline is progressing, not failing: said, at info, until it
        // stalls (then Progressing=False, ProgressDeadlineExceeded, and this is a warning again).
        severity: rolling ? 'info' : none ? 'critical' : 'warning',
        message: rolling
          ? `rollout in progress within its progress deadline: ${d.updatedReplicas} of ${d.replicas} replicas updated; ${availabilitySummary(d)}`
          : `${availabilitySummary(d)}${avail?.status === 'False' && avail.message ? `: ${quote(avail.message)}` : ''}`,
        attributes: {
          replicas: d.replicas,
          available_replicas: d.availableReplicas,
          unavailable_replicas: d.unavailableReplicas,
          ready_replicas: d.readyReplicas,
        },
        vars: selectorVars(d),
      };
      const since = unavailableSince(view, d);
      if (since !== undefined) f.since = since;
      yield f;
    }
  },
};
