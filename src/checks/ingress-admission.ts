import type { Check, Finding } from './types.ts';
import type { ClusterView } from '../kube/store.ts';
import type { Ingress } from '../kube/types.ts';
import { ref } from './helpers.ts';
import type { ReasonDecl } from './reasons.ts';

/**
 * Classes whose controller evidently never publishes load-balancer status: at least two Ingresses of
 * the class and none with status (repo-managed Traefik without publishedService, reference §1.4).
 * With a single Ingress there is no evidence either way.
 */
export function silentClasses(view: ClusterView): Set<string> {
  const seen = new Map<string, { total: number; published: number }>();
  for (const i of view.list('Ingress')) {
    const c = i.className ?? '';
    const e = seen.get(c) ?? { total: 0, published: 0 };
    e.total++;
    if (i.loadBalancer.length > 0) e.published++;
    seen.set(c, e);
  }
  const out = new Set<string>();
  for (const [c, e] of seen) if (e.total >= 2 && e.published === 0) out.add(c);
  return out;
}

export function lacksLoadBalancer(i: Ingress, permissive: boolean): boolean {
  if (i.loadBalancer.length > 0) return false;
  // In permissive mode the operator counts a rule-bearing Ingress as ready.
  return !(permissive && i.hasRules);
}

/** The reasons this check gives, with what the catalog says of each (product.md §2). */
const reasons: readonly ReasonDecl[] = [
  {
    reason: 'IngressNotAdmitted',
    kind: 'Ingress',
    severity: 'warning',
    alsoSeverities: ['info'],
    title: 'Ingress not admitted by a controller',
    description: 'status.loadBalancer.ingress is empty for longer than its grace while strict ingress readiness applies; info where the controller of that class publishes no load-balancer status on any Ingress.',
    remediation: 'Check the controller for class {ingressClass}: kubectl get ingressclass {ingressClass}; kubectl -n {namespace} describe ingress {name}; for Traefik, set providers.kubernetesIngress.ingressEndpoint.publishedService, or run the operator with MCP_INGRESS_READINESS_MODE=permissive.',
    facts: ['ingressClass'],
    runbookUrl: 'https://kubernetes.io/docs/concepts/services-networking/ingress-controllers/',
    graceSeconds: 300,
    layer: 2,
  },
];

export const ingressAdmission: Check = {
  id: 'ingress-admission',
  roots: 'Ingress',
  reads: [],
  description: 'Ingresses that no controller has admitted (empty status.loadBalancer) under strict readiness.',
  needs: ['Ingress'],
  reasons,
  *run(view, ctx) {
    const permissive = ctx.config.ingressReadinessMode === 'permissive';
    let silent: Set<string> | undefined;
    for (const i of view.roots('Ingress')) {
      if (i.meta.deletionTimestamp !== undefined || !lacksLoadBalancer(i, permissive)) continue;
      silent ??= silentClasses(view);
      const cls = i.className ?? '';
      const structural = silent.has(cls);
      const f: Finding = {
        reason: 'IngressNotAdmitted',
        object: ref(i),
        message: structural
          ? `no load-balancer address, like every Ingress of class "${cls || 'default'}": its controller does not publish status`
          : `no load-balancer address: no ingress controller${cls ? ` of class "${cls}"` : ''} has admitted it${i.hosts.length ? ` (hosts: ${i.hosts.slice(0, 3).join(', ')})` : ''}`,
        attributes: { ingress_class: cls || 'default' },
        vars: { ingressClass: cls || '<class>' },
      };
      if (structural) f.severity = 'info';
      if (i.meta.creationTimestamp !== undefined) f.since = i.meta.creationTimestamp;
      yield f;
    }
  },
};
