import type { Check, Finding } from './types.ts';
import { ref } from './helpers.ts';
import { unavailableSince } from './deployment-availability.ts';
import { endpointCount } from './service-endpoints.ts';
import type { ReasonDecl } from './reasons.ts';

/** The reasons this check gives, with what the catalog says of each (product.md §2). */
const reasons: readonly ReasonDecl[] = [
  {
    reason: 'RegistryUnavailable',
    kind: 'Deployment',
    alsoKinds: ['Service'],
    severity: 'critical',
    title: 'Platform registry unavailable',
    description: 'The platform registry Deployment is unavailable, or its Service has no ready endpoint: pulls of platform images fail.',
    remediation: 'kubectl -n {registryNamespace} get deploy,svc,endpointslices,pvc,pods; kubectl -n {registryNamespace} describe deploy {registryDeployment}; kubectl -n {registryNamespace} logs deploy/{registryDeployment}',
    graceSeconds: 60,
    layer: 0,
    // A registry that does not answer explains pulls from it that got no answer; not a pull refused
    // for auth, TLS or a missing tag, which an up registry gives just as well.
    explainsAcross: [{ reason: 'RegistryPullFailed', when: (_registry, pull) => NO_ANSWER.has(String(pull['registry.failure'])) }],
  },
];

/** The pull failures (registry.failure) of a registry that is not there to answer. */
const NO_ANSWER: ReadonlySet<string> = new Set(['connection_refused', 'timeout', 'unknown', 'dns']);

export const registryAvailability: Check = {
  id: 'registry-availability',
  description: "The platform registry's Deployment and Service (MCP Runtime's bundled registry).",
  needs: ['Deployment', 'Service'],
  reasons,
  *run(view, ctx) {
    const { namespace, deployment, service } = ctx.config.registry;
    if (!ctx.inScope(namespace)) {
      ctx.skip(`namespace ${namespace} is not being read`);
      return;
    }
    const vars = { registryNamespace: namespace, registryDeployment: deployment };
    const d = view.get('Deployment', namespace, deployment);
    if (d && d.replicas > 0 && d.readyReplicas < d.replicas) {
      const f: Finding = {
        reason: 'RegistryUnavailable',
        object: ref(d),
        message: `registry Deployment ${namespace}/${deployment} has ${d.readyReplicas} of ${d.replicas} replicas ready: platform image pulls fail`,
        attributes: { replicas: d.replicas, ready_replicas: d.readyReplicas },
        vars,
      };
      const since = unavailableSince(view, d);
      if (since !== undefined) f.since = since;
      yield f;
      return;
    }
    const s = view.get('Service', namespace, service);
    if (!s || !s.selector) return; // no bundled registry here (an external one is not ours to judge)
    const count = endpointCount(view, s);
    if (!count.known || count.ready > 0) return;
    const f: Finding = {
      reason: 'RegistryUnavailable',
      object: ref(s),
      message: `registry Service ${namespace}/${service} has no ready endpoint: platform image pulls fail`,
      attributes: { not_ready_endpoints: count.notReady },
      vars,
    };
    if (s.meta.creationTimestamp !== undefined && !d) f.since = s.meta.creationTimestamp;
    yield f;
  },
};
