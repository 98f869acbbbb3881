import type { Check, Finding } from './types.ts';
import { containerImage, podSince, ref } from './helpers.ts';
import { quote } from '../util/redact.ts';
import { containerLabel } from './pod-crash-loop.ts';
import { K8S_DEBUG_PODS, type ReasonDecl, type ReasonId } from './reasons.ts';

const WAITING: Readonly<Record<string, ReasonId>> = {
  CreateContainerConfigError: 'CreateContainerConfigError',
  CreateContainerError: 'CreateContainerError',
  RunContainerError: 'RunContainerError',
};

/** The reasons this check gives, with what the catalog says of each (product.md §2). */
const reasons: readonly ReasonDecl[] = [
  {
    reason: 'CreateContainerConfigError',
    kind: 'Pod',
    severity: 'critical',
    title: 'Container configuration cannot be built',
    description: 'A container is waiting with CreateContainerConfigError: a referenced Secret or ConfigMap (or a key in it) is missing.',
    remediation: 'Find the missing reference: kubectl -n {namespace} describe pod {name} | grep -A3 -i "error"; create the Secret/ConfigMap or fix the key it names.',
    facts: ['container', 'image'],
    runbookUrl: K8S_DEBUG_PODS,
    graceSeconds: 30,
    layer: 2,
  },
  {
    reason: 'CreateContainerError',
    kind: 'Pod',
    severity: 'critical',
    title: 'Container cannot be created or started',
    description: 'A container is waiting with CreateContainerError: the runtime refused to create it (bad mount, security context, name conflict).',
    remediation: 'Read the runtime error: kubectl -n {namespace} describe pod {name}; check the container command, volume mounts and securityContext.',
    facts: ['container', 'image'],
    runbookUrl: K8S_DEBUG_PODS,
    graceSeconds: 30,
    layer: 2,
  },
  {
    reason: 'RunContainerError',
    kind: 'Pod',
    severity: 'critical',
    title: 'Container created but cannot be started',
    description: 'A container is waiting with RunContainerError: the runtime created it but could not start its process (the command is not in the image, not executable, or a mount fails at start).',
    remediation: 'The process never started, so there are no logs to read: kubectl -n {namespace} describe pod {name}; check the command and args of container {container} and the entrypoint of image {image}: kubectl -n {namespace} get pod {name} -o jsonpath=\'{.spec.containers[?(@.name=="{container}")].command}\'',
    facts: ['container', 'image'],
    runbookUrl: K8S_DEBUG_PODS,
    graceSeconds: 30,
    layer: 2,
  },
];

export const podContainerConfig: Check = {
  id: 'pod-container-config',
  roots: 'Pod',
  reads: [],
  description: 'Containers that cannot be created: missing Secret/ConfigMap keys, runtime create or start errors.',
  needs: ['Pod'],
  reasons,
  *run(view) {
    for (const p of view.roots('Pod')) {
      if (p.meta.deletionTimestamp !== undefined) continue;
      const seen = new Set<ReasonId>();
      for (const c of p.containers) {
        const reason = c.current.state === 'waiting' && c.current.reason ? WAITING[c.current.reason] : undefined;
        if (!reason || seen.has(reason)) continue;
        seen.add(reason);
        const detail = c.current.message ? `: ${quote(c.current.message, 600)}` : '';
        const f: Finding = {
          reason,
          object: ref(p),
          message: `${containerLabel(c)} cannot start (${c.current.reason})${detail}`,
          attributes: { container: c.name, waiting_reason: c.current.reason ?? '' },
          vars: { container: c.name, image: containerImage(p, c) },
        };
        const since = podSince(p);
        if (since !== undefined) f.since = since;
        yield f;
      }
    }
  },
};
