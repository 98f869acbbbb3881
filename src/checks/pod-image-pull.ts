import type { Check, Finding } from './types.ts';
import type { ClusterView } from '../kube/store.ts';
import type { CheckConfig } from './config.ts';
import { containerImage, imageHost, latestEvent, podSince, ref } from './helpers.ts';
import { quote } from '../util/redact.ts';
import { classifyPullFailure, pullFailureHint } from './pull-classifier.ts';
import { containerLabel } from './pod-crash-loop.ts';
import type { ReasonDecl } from './reasons.ts';

// Waiting reasons of an image that cannot be had. The kubelet alternates ErrImagePull and
// ImagePullBackOff for the same failure: both map to one finding with one identity.
const PULL_WAITING = new Set([
  'ImagePullBackOff',
  'ErrImagePull',
  'InvalidImageName',
  'ErrImageNeverPull',
  'RegistryUnavailable',
  'ErrImageInspect',
]);

export interface RegistryMatcher {
  matches(host: string): boolean;
}

/** The image hosts that are the platform registry: configured names, the registry Service's
 *  ClusterIP (with its ports), its NodePort on any node, and the registry Ingress hosts. */
export function registryMatcher(view: ClusterView, config: CheckConfig): RegistryMatcher {
  const exact = new Set<string>();
  const names = new Set<string>();
  const nodePorts = new Set<string>();
  const add = (h: string): void => {
    const host = h.toLowerCase();
    exact.add(host);
    if (!host.includes(':')) names.add(host);
  };
  for (const h of config.registry.hosts) add(h);
  const { namespace, service } = config.registry;
  const svc = view.get('Service', namespace, service);
  if (svc) {
    if (svc.clusterIP && svc.clusterIP !== 'None') {
      add(svc.clusterIP);
      for (const p of svc.ports) exact.add(`${svc.clusterIP}:${p.port}`);
    }
    for (const p of svc.ports) if (p.nodePort) nodePorts.add(String(p.nodePort));
  }
  for (const ing of view.list('Ingress', namespace)) if (ing.backendServices.includes(service)) for (const h of ing.hosts) add(h);
  return {
    matches(host: string): boolean {
      const h = host.toLowerCase();
      if (exact.has(h)) return true;
      const colon = h.lastIndexOf(':');
      const name = colon > 0 ? h.slice(0, colon) : h;
      if (names.has(name)) return true;
      return colon > 0 && nodePorts.has(h.slice(colon + 1));
    },
  };
}

/** The reasons this check gives, with what the catalog says of each (product.md §2). */
const reasons: readonly ReasonDecl[] = [
  {
    reason: 'ImagePullBackOff',
    kind: 'Pod',
    severity: 'critical',
    title: 'Image cannot be pulled',
    description: 'A container is waiting with ImagePullBackOff, ErrImagePull (the kubelet alternates the two: one incident), InvalidImageName or ErrImageNeverPull.',
    remediation: 'Check the image reference and pull credentials in the pod\'s Events: kubectl -n {namespace} describe pod {name}; verify {image} exists and the pull secret is valid: kubectl -n {namespace} get pod {name} -o jsonpath=\'{.spec.imagePullSecrets}\'',
    facts: ['container', 'image', 'hint'],
    runbookUrl: 'https://kubernetes.io/docs/concepts/containers/images/#imagepullbackoff',
    graceSeconds: 30,
    layer: 2,
  },
  {
    reason: 'RegistryPullFailed',
    kind: 'Pod',
    severity: 'critical',
    title: 'Pull from the MCP Runtime registry failed',
    description: 'An image pull failure whose image host is the platform registry, classified in registry.failure: auth, tls, dns, http_https_mismatch, not_found, connection_refused, rate_limited, timeout or unknown.',
    remediation: '{hint} Details: kubectl -n {namespace} describe pod {name}',
    facts: ['container', 'image', 'hint'],
    graceSeconds: 30,
    layer: 2,
  },
];

export const podImagePull: Check = {
  id: 'pod-image-pull',
  roots: 'Pod',
  reads: ['Service', 'Ingress', 'Event'],
  description: 'Containers whose image cannot be pulled; pulls from the platform registry are classified.',
  needs: ['Pod'],
  evidence: ['Event'],
  reasons,
  *run(view, ctx) {
    let registry: RegistryMatcher | undefined;
    for (const p of view.roots('Pod')) {
      if (p.meta.deletionTimestamp !== undefined) continue;
      const failing = p.containers.filter((c) => c.current.state === 'waiting' && PULL_WAITING.has(c.current.reason ?? ''));
      const c = failing[0];
      if (!c) continue;
      registry ??= registryMatcher(view, ctx.config);
      const image = containerImage(p, c);
      const host = imageHost(image);
      // The status often says only "Back-off pulling image"; the kubelet's Failed Event has the
      // registry's answer.
      const said = c.current.message;
      const answer = !said || /^back-off pulling image/i.test(said) ? latestEvent(view, p, 'Failed', ctx.now, (m) => m.startsWith('Failed to pull image'), c.name)?.message : undefined;
      const text = answer ?? said;
      const failure = classifyPullFailure(text);
      const fromRegistry = registry.matches(host);
      const detail = text ? `: ${quote(text, 600)}` : '';
      const others = failing.length > 1 ? `; ${failing.length - 1} more container(s) cannot pull either` : '';
      const f: Finding = {
        reason: fromRegistry ? 'RegistryPullFailed' : 'ImagePullBackOff',
        object: ref(p),
        message: fromRegistry
          ? `${containerLabel(c)} cannot pull ${image} from the platform registry (${failure})${detail}${others}`
          : `${containerLabel(c)} cannot pull image ${image} (${c.current.reason})${detail}${others}`,
        attributes: {
          container: c.name,
          image,
          'image.host': host,
          'registry.failure': failure,
          waiting_reason: c.current.reason ?? '',
        },
        vars: { container: c.name, image, hint: pullFailureHint(failure, host, image, p.meta.namespace, fromRegistry) },
      };
      // Every registry gets the fix its failure class calls for; an unclassified one the default.
      if (!fromRegistry && failure !== 'unknown') f.remediation = '{hint} Details: kubectl -n {namespace} describe pod {name}';
      const since = podSince(p);
      if (since !== undefined) f.since = since;
      yield f;
    }
  },
};
