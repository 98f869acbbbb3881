import type { Check, Finding } from './types.ts';
import type { Event, Pod } from '../kube/types.ts';
import type { ClusterView } from '../kube/store.ts';
import { condition, latestEvent, ref } from './helpers.ts';
import { quote } from '../util/redact.ts';
import { K8S_DEBUG_PODS, type ReasonDecl } from './reasons.ts';

const SEE_EVENTS = 'kubectl -n {namespace} get events --field-selector involvedObject.name={name},reason={event_reason}';

/** The reasons this check gives, with what the catalog says of each (product.md §2). */
const reasons: readonly ReasonDecl[] = [
  {
    reason: 'PodVolumeNotMounted',
    kind: 'Pod',
    severity: 'critical',
    title: 'Pod stuck creating: a volume cannot be mounted',
    description:
      "A scheduled pod whose containers wait in ContainerCreating while the kubelet's Warning Events say a volume cannot be attached or mounted (FailedMount, FailedAttachVolume, FailedMapVolume): a missing ConfigMap, Secret or claim, a volume still attached to another node, a CSI driver failing. Needs Events.",
    remediation: `${SEE_EVENTS}; kubectl -n {namespace} get pod {name} -o jsonpath='{.spec.volumes}'; kubectl -n {namespace} get pvc,configmaps,secrets`,
    facts: ['event_reason'],
    runbookUrl: 'https://kubernetes.io/docs/concepts/storage/volumes/',
    graceSeconds: 120,
    layer: 2,
  },
  {
    reason: 'PodSandboxFailed',
    kind: 'Pod',
    severity: 'critical',
    title: 'Pod stuck creating: its sandbox cannot be created',
    description:
      "A scheduled pod whose containers wait in ContainerCreating while the kubelet's Warning Events say its sandbox cannot be created (FailedCreatePodSandBox): the node's network plugin (CNI) or container runtime fails. Needs Events.",
    remediation: `${SEE_EVENTS}; kubectl -n kube-system get pods -o wide --field-selector spec.nodeName={node}; kubectl describe node {node}`,
    facts: ['event_reason', 'node'],
    runbookUrl: K8S_DEBUG_PODS,
    graceSeconds: 120,
    layer: 2,
  },
];

/** Scheduled, not started: no container runs or has run, and none waits for another reason. */
function stuckCreating(p: Pod): boolean {
  if (p.meta.deletionTimestamp !== undefined || p.phase !== 'Pending' || p.node === undefined) return false;
  return p.containers.every((c) => c.current.state === 'waiting' && (c.current.reason === 'ContainerCreating' || c.current.reason === 'PodInitializing') && c.restartCount === 0) || p.containers.length === 0;
}

/** The most telling mount failure: one naming its volume before the kubelet's summary of them. */
function mountFailure(view: ClusterView, p: Pod, now: number): Event | undefined {
  return (
    latestEvent(view, p, 'FailedMount', now, (m) => !m.startsWith('Unable to attach or mount volumes')) ??
    latestEvent(view, p, 'FailedAttachVolume', now) ??
    latestEvent(view, p, 'FailedMapVolume', now) ??
    latestEvent(view, p, 'FailedMount', now)
  );
}

export const podStuckCreating: Check = {
  id: 'pod-stuck-creating',
  roots: 'Pod',
  reads: ['Event'],
  description: 'Scheduled pods stuck in ContainerCreating, with the Warning Event that says why (a volume, the sandbox).',
  needs: ['Pod'],
  evidence: ['Event'],
  reasons,
  *run(view, ctx) {
    for (const p of view.roots('Pod')) {
      if (!stuckCreating(p)) continue;
      const mount = mountFailure(view, p, ctx.now);
      const sandbox = mount ? undefined : latestEvent(view, p, 'FailedCreatePodSandBox', ctx.now);
      const e = mount ?? sandbox;
      if (!e) continue;
      const volume = mount ? /volumes? "?([^" ,\]]+)/.exec(e.message)?.[1] : undefined;
      const f: Finding = {
        reason: mount ? 'PodVolumeNotMounted' : 'PodSandboxFailed',
        object: ref(p),
        message: mount
          ? `pod stuck creating: ${volume ? `volume ${quote(volume)}` : 'a volume'} cannot be mounted (${e.reason}): ${quote(e.message, 600)}`
          : `pod stuck creating: its sandbox cannot be created on node ${quote(p.node ?? '')} (${e.reason}): ${quote(e.message, 600)}`,
        attributes: { event_reason: e.reason, ...(volume ? { volume } : {}), ...(p.node ? { node: p.node } : {}) },
        vars: { event_reason: e.reason, node: p.node ?? '' },
      };
      const since = condition(p, 'PodScheduled')?.lastTransitionTime ?? p.meta.creationTimestamp;
      if (since !== undefined) f.since = since;
      yield f;
    }
  },
};
