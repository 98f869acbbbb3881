import type { Check, Finding } from './types.ts';
import { condition, ref } from './helpers.ts';
import { canaryName } from '../kube/relations.ts';
import type { ReasonDecl } from './reasons.ts';
import { servedAt } from './mcpserver-phase.ts';

/** The reasons this check gives, with what the catalog says of each (product.md §2). */
const reasons: readonly ReasonDecl[] = [
  {
    reason: 'CanaryNotReady',
    kind: 'MCPServer',
    severity: 'warning',
    title: 'MCPServer canary not ready',
    description: 'spec.rollout.strategy is Canary and status.canaryReady stays false beyond its grace: the <name>-canary Deployment is missing or has fewer ready replicas than spec.rollout.canaryReplicas, so the server stays PartiallyReady. The canary Deployment\'s own findings (unavailable, crash-looping pods) explain it.',
    remediation: 'kubectl -n {namespace} rollout status deploy/{canary}; kubectl -n {namespace} get pods -l app={name},mcpruntime.org/rollout-track=canary; kubectl -n {namespace} describe deploy {canary}',
    facts: ['canary'],
    graceSeconds: 300,
    layer: 4,
  },
];

export const canaryReadiness: Check = {
  id: 'canary-readiness',
  roots: 'MCPServer',
  // The canary Deployment says how far from ready it is.
  reads: ['Deployment'],
  description: 'MCPServers rolling out as a canary whose canary Deployment is not ready.',
  needs: ['MCPServer'],
  reasons,
  *run(view) {
    for (const s of view.roots('MCPServer')) {
      if (s.meta.deletionTimestamp !== undefined || s.spec.rolloutStrategy !== 'Canary') continue;
      // Judged on the operator's word: no status yet is MCPServerPending's, and a true flag is ready.
      if (!s.status.present || s.status.flags.canaryReady !== false) continue;
      const name = canaryName(s.meta.name);
      const d = view.get('Deployment', s.meta.namespace, name);
      const want = s.spec.canaryReplicas;
      const state = d ? `${d.readyReplicas} of ${d.replicas} replicas ready` : `Deployment ${name} does not exist`;
      const f: Finding = {
        reason: 'CanaryNotReady',
        object: ref(s),
        message: `The canary is not ready: ${state}${want > 0 ? ` (spec.rollout.canaryReplicas ${want})` : ' (spec.rollout.canaryReplicas is not set: the operator needs 0 < canaryReplicas < replicas)'}${servedAt(s)}`,
        attributes: { canary_deployment: name, canary_replicas: want, ready_replicas: d?.readyReplicas ?? 0 },
        vars: { canary: name },
      };
      const since = condition(s.status, 'CanaryReady')?.lastTransitionTime ?? s.meta.creationTimestamp;
      if (since !== undefined) f.since = since;
      yield f;
    }
  },
};
