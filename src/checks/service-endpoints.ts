import type { Check, Finding } from './types.ts';
import type { Service } from '../kube/types.ts';
import { condition, plural, ref, selectorString } from './helpers.ts';
import { selects, type ClusterView } from '../kube/store.ts';
import { K8S_DEBUG_SVC, type ReasonDecl } from './reasons.ts';

export interface EndpointCount {
  ready: number;
  notReady: number;
  /** Whether any endpoint source was readable for this Service. */
  known: boolean;
}

/** Ready endpoints of a Service from its EndpointSlices, else from the legacy Endpoints object. */
export function endpointCount(view: ClusterView, s: Service): EndpointCount {
  const ns = s.meta.namespace;
  if (view.source('EndpointSlice').status === 'synced') {
    let ready = 0;
    let notReady = 0;
    for (const sl of view.slicesFor(ns, s.meta.name)) {
      ready += sl.ready;
      notReady += sl.notReady;
    }
    return { ready, notReady, known: true };
  }
  if (view.source('Endpoints').status === 'synced') {
    const ep = view.get('Endpoints', ns, s.meta.name);
    return { ready: ep?.ready ?? 0, notReady: ep?.notReady ?? 0, known: true };
  }
  return { ready: 0, notReady: 0, known: false };
}

/** The reasons this check gives, with what the catalog says of each (product.md §2). */
const reasons: readonly ReasonDecl[] = [
  {
    reason: 'ServiceNoEndpoints',
    kind: 'Service',
    severity: 'warning',
    alsoSeverities: ['info'],
    title: 'Service has no ready endpoints',
    description: 'A Service with a selector whose EndpointSlices (or Endpoints) have no ready endpoint for longer than its grace; info when it selects no pods at all.',
    remediation: 'kubectl -n {namespace} get endpointslices -l kubernetes.io/service-name={name}; kubectl -n {namespace} get pods -l {selector} -o wide; check the readiness probes of the pods and that the selector matches.',
    facts: ['selector'],
    runbookUrl: K8S_DEBUG_SVC,
    graceSeconds: 120,
    layer: 3,
  },
];

export const serviceEndpoints: Check = {
  id: 'service-endpoints',
  roots: 'Service',
  reads: ['EndpointSlice', 'Endpoints', 'Pod'],
  description: 'Services with a selector whose endpoints have no ready address.',
  needs: ['Service', ['EndpointSlice', 'Endpoints']],
  reasons,
  *run(view, ctx) {
    const { registry } = ctx.config;
    // Pods only refine the finding (since, "selects nothing"); the check stands without them.
    const podsKnown = view.source('Pod').status === 'synced';
    for (const s of view.roots('Service')) {
      if (!s.selector || s.type === 'ExternalName' || s.meta.deletionTimestamp !== undefined) continue;
      // The registry Service has a reason of its own (RegistryUnavailable).
      if (s.meta.namespace === registry.namespace && s.meta.name === registry.service) continue;
      const count = endpointCount(view, s);
      if (!count.known || count.ready > 0) continue;
      const selector = s.selector;
      const pods = view.list('Pod', s.meta.namespace).filter((p) => selects(selector, p.meta.labels) && p.meta.deletionTimestamp === undefined);
      const vars = { selector: selectorString(selector) };
      let since: number | undefined;
      for (const p of pods) {
        const t = condition(p, 'Ready')?.lastTransitionTime ?? p.meta.creationTimestamp;
        if (t !== undefined && (since === undefined || t > since)) since = t;
      }
      const f: Finding = podsKnown && pods.length === 0
        ? {
            reason: 'ServiceNoEndpoints',
            object: ref(s),
            severity: 'info',
            message: `selector ${vars.selector} matches no pods, so the Service has no endpoints`,
            attributes: { selected_pods: 0 },
            vars,
          }
        : {
            reason: 'ServiceNoEndpoints',
            object: ref(s),
            message: `no ready endpoints${podsKnown ? `: ${plural(pods.length, 'selected pod')}, none ready` : ''}${count.notReady ? ` (${plural(count.notReady, 'not-ready endpoint')})` : ''}`,
            attributes: { selected_pods: pods.length, not_ready_endpoints: count.notReady },
            vars,
          };
      if (since !== undefined) f.since = since;
      yield f;
    }
  },
};
