import type { Check, Finding } from './types.ts';
import type { ContainerState, ContainerStatus, Pod } from '../kube/types.ts';
import { containerImage, podSince, ref } from './helpers.ts';
import { quote } from '../util/redact.ts';
import { containerLabel, exitDescription, startFailure } from './pod-crash-loop.ts';
import { K8S_DEBUG_PODS, type ReasonDecl } from './reasons.ts';

/** The resource an eviction message names ("The node was low on resource: memory."). */
export function evictedResource(message: string | undefined): string | undefined {
  return /low on resource:\s*\[?([a-z0-9./-]+)/i.exec(message ?? '')?.[1]?.toLowerCase();
}

function evictionFix(resource: string | undefined): string {
  switch (resource) {
    case 'memory':
      return 'The node ran out of memory: give the pod memory requests that reflect its real use, so the scheduler places it where memory is free; its real use: kubectl -n {namespace} top pod {name}; what else uses memory on the node: kubectl describe node {node}.';
    case 'ephemeral-storage':
      return 'The node ran out of local disk: bound the writes of the pod (an emptyDir sizeLimit, logs to stdout rather than files, ephemeral-storage requests and limits); the disk of the node: kubectl describe node {node}.';
    case 'pids':
      return 'The node ran out of process ids: look for a process that forks without bound in the pod, and set a pid limit.';
    default:
      return 'See which resource ran out: kubectl -n {namespace} get pod {name} -o jsonpath=\'{.status.message}\'; kubectl describe node {node}.';
  }
}

/** The container whose termination failed the pod, and how. */
function failedContainer(p: Pod): { c: ContainerStatus; term: ContainerState } | undefined {
  for (const c of p.containers) {
    const term = c.current.state === 'terminated' ? c.current : c.last?.state === 'terminated' ? c.last : undefined;
    if (term && (term.exitCode ?? 1) !== 0) return { c, term };
  }
  return undefined;
}

/** The reasons this check gives, with what the catalog says of each (product.md §2). */
const reasons: readonly ReasonDecl[] = [
  {
    reason: 'PodFailed',
    kind: 'Pod',
    severity: 'warning',
    title: 'Pod failed',
    description: 'The pod is in phase Failed (not evicted): its containers terminated with an error and will not be restarted (restartPolicy Never or OnFailure with the Job giving up), or a container could not start at all (StartError, exit 128).',
    remediation: 'kubectl -n {namespace} describe pod {name}; kubectl -n {namespace} logs {name} -c {container}; delete the pod once understood: kubectl -n {namespace} delete pod {name}',
    facts: ['container', 'image'],
    runbookUrl: K8S_DEBUG_PODS,
    graceSeconds: 0,
    layer: 2,
  },
  {
    reason: 'PodEvicted',
    kind: 'Pod',
    severity: 'warning',
    title: 'Pod evicted',
    description: 'The kubelet evicted the pod (status.reason Evicted) because its node ran short of a resource; the message names the resource and the container using most of it.',
    remediation: 'See which resource ran out: kubectl -n {namespace} get pod {name} -o jsonpath=\'{.status.message}\'; kubectl describe node {node}; set requests that reflect real use, then delete the evicted pod: kubectl -n {namespace} delete pod {name}',
    facts: ['node'],
    runbookUrl: 'https://kubernetes.io/docs/concepts/scheduling-eviction/node-pressure-eviction/',
    graceSeconds: 0,
    layer: 2,
  },
];

export const podFailed: Check = {
  id: 'pod-failed',
  roots: 'Pod',
  reads: [],
  description: 'Pods in phase Failed: evicted by the kubelet (node pressure), or whose containers failed and will not be restarted.',
  needs: ['Pod'],
  reasons,
  *run(view) {
    for (const p of view.roots('Pod')) {
      if (p.meta.deletionTimestamp !== undefined || p.phase !== 'Failed') continue;
      const since = p.containers.map((c) => (c.current.state === 'terminated' ? c.current.finishedAt : undefined)).find((t) => t !== undefined) ?? podSince(p);
      if (p.reason === 'Evicted') {
        const resource = evictedResource(p.message);
        const f: Finding = {
          reason: 'PodEvicted',
          object: ref(p),
          message: `pod was evicted${p.node ? ` from node ${p.node}` : ''}${p.message ? `: ${quote(p.message, 600)}` : ''}`,
          attributes: { ...(resource ? { resource } : {}), ...(p.node ? { node: p.node } : {}) },
          vars: { node: p.node ?? '<node>' },
          remediation: `${evictionFix(resource)} Then delete the evicted pod: kubectl -n {namespace} delete pod {name}`,
        };
        if (since !== undefined) f.since = since;
        yield f;
        continue;
      }
      const failed = failedContainer(p);
      // An OOM kill has a finding of its own (pod-oom-killed), with the memory limit.
      if (failed?.term.reason === 'OOMKilled') continue;
      const attributes: Finding['attributes'] = {};
      let message = `pod failed${p.reason ? ` (${p.reason})` : ''}`;
      const f: Finding = { reason: 'PodFailed', object: ref(p), message, attributes };
      if (failed) {
        const { c, term } = failed;
        attributes.container = c.name;
        if (term.exitCode !== undefined) attributes.exit_code = term.exitCode;
        if (term.reason) attributes.termination_reason = term.reason;
        message += `: ${containerLabel(c)} terminated with ${exitDescription(term.exitCode, term.signal)}${term.reason && term.reason !== 'Error' ? ` (${term.reason})` : ''}`;
        if (term.message) message += `: "${quote(term.message, 500)}"`;
        f.vars = { container: c.name, image: containerImage(p, c) };
        const start = startFailure(term);
        if (start) f.remediation = start;
      } else if (p.message) message += `: ${quote(p.message, 600)}`;
      f.message = message;
      if (!failed) f.vars = { container: p.containers[0]?.name ?? '<container>' };
      if (since !== undefined) f.since = since;
      yield f;
    }
  },
};
