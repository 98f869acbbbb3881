import type { Check, Finding } from './types.ts';
import type { Pod, ReplicaSet } from '../kube/types.ts';
import { condition, isPodReady, plural, podSince, ref } from './helpers.ts';
import type { ReasonDecl } from './reasons.ts';

/** The reasons this check gives, with what the catalog says of each (product.md §2). */
const reasons: readonly ReasonDecl[] = [
  {
    reason: 'DeploymentRolloutFailing',
    kind: 'Deployment',
    severity: 'warning',
    title: 'Deployment rollout failing while old pods still serve',
    description:
      "The newest ReplicaSet's pods are not ready (crash loop, pull failure, config error, failing probe) beyond the grace while pods of an older ReplicaSet still serve, before the progress deadline: availability hides a bad rollout. The failing pods' own findings explain it.",
    remediation: 'kubectl -n {namespace} rollout status deploy/{name}; kubectl -n {namespace} get pods -l pod-template-hash={hash}; if the new version is bad, roll back: kubectl -n {namespace} rollout undo deploy/{name}',
    facts: ['hash'],
    runbookUrl: 'https://kubernetes.io/docs/concepts/workloads/controllers/deployment/#rolling-back-a-deployment',
    graceSeconds: 120,
    layer: 3,
  },
];

/** Why a pod of the new ReplicaSet does not serve: the first app or init container's waiting
 *  reason, else "not ready". */
function why(p: Pod): string {
  for (const c of p.containers) if (c.current.state === 'waiting' && c.current.reason) return c.current.reason;
  return 'not ready';
}

/** A pod that counts: not being deleted, not finished. */
function live(p: Pod): boolean {
  return p.meta.deletionTimestamp === undefined && p.phase !== 'Succeeded' && p.phase !== 'Failed';
}

export const deploymentRollout: Check = {
  id: 'deployment-rollout',
  roots: 'Deployment',
  reads: ['ReplicaSet', 'Pod'],
  description: "Deployments whose newest ReplicaSet's pods fail while older pods still serve (a bad rollout that availability hides).",
  needs: ['Deployment', 'ReplicaSet', 'Pod'],
  reasons,
  *run(view) {
    for (const d of view.roots('Deployment')) {
      if (d.meta.deletionTimestamp !== undefined) continue;
      // Past the deadline, DeploymentProgressDeadlineExceeded says it louder.
      if (condition(d, 'Progressing')?.status === 'False') continue;
      let newest: ReplicaSet | undefined;
      const sets = view.ownedBy('ReplicaSet', d);
      for (const rs of sets) if (rs.revision !== undefined && (!newest || rs.revision > (newest.revision ?? -1))) newest = rs;
      if (!newest || sets.length < 2) continue;
      let serving = 0;
      for (const rs of sets) if (rs !== newest) for (const p of view.ownedBy('Pod', rs)) if (live(p) && isPodReady(p)) serving++;
      // Nothing old serves: the Deployment is unavailable, DeploymentUnavailable's (critical).
      if (serving === 0) continue;
      const fresh = view.ownedBy('Pod', newest).filter(live);
      const failing = fresh.filter((p) => !isPodReady(p));
      if (failing.length === 0) continue;
      const causes = [...new Set(failing.map(why))].sort();
      let since: number | undefined;
      for (const p of failing) {
        const t = podSince(p);
        if (t !== undefined && (since === undefined || t < since)) since = t;
      }
      // The controller names a ReplicaSet <deployment>-<pod-template-hash> (the label is not kept).
      const hash = newest.meta.name.slice(d.meta.name.length + 1);
      const f: Finding = {
        reason: 'DeploymentRolloutFailing',
        object: ref(d),
        message: `The rollout to ReplicaSet ${newest.meta.name} (revision ${newest.revision}) is failing: ${failing.length} of ${plural(fresh.length, 'new pod')} not ready (${causes.join(', ')}) while ${plural(serving, 'old pod')} still ${serving === 1 ? 'serves' : 'serve'}`,
        attributes: { replicaset: newest.meta.name, revision: newest.revision ?? 0, failing_pods: failing.length, serving_old_pods: serving },
        vars: { hash },
      };
      // Since the first new pod that still does not serve stopped (or never started) serving: in a
      // rollout that goes well, every not-ready new pod is younger than the grace.
      if (since !== undefined) f.since = since;
      yield f;
    }
  },
};
