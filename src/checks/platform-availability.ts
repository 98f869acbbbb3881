import type { Check, CheckContext, Finding } from './types.ts';
import type { ClusterView } from '../kube/store.ts';
import type { Deployment } from '../kube/types.ts';
import { ref } from './helpers.ts';
import { unavailableSince } from './deployment-availability.ts';
import type { ReasonDecl, ReasonId } from './reasons.ts';

const DOWN = (cause: Readonly<Record<string, unknown>>): boolean => (cause.ready_replicas ?? 0) === 0;
const SEE = 'kubectl -n {namespace} get pods -o wide; kubectl -n {namespace} describe deploy {name}; kubectl -n {namespace} logs deploy/{name} --all-containers --since=15m';

/** The reasons this check gives, with what the catalog says of each (product.md §2). */
const reasons: readonly ReasonDecl[] = [
  {
    reason: 'SentinelUnavailable',
    kind: 'Deployment',
    severity: 'critical',
    title: 'Sentinel component unavailable',
    description:
      "A Deployment of the Sentinel stack (ingest, processor, APIs, UI, gateway, collector: `platform.sentinel`) has fewer ready replicas than desired: audit events and analytics stop or queue up. The agent's own Sentinel sink reports its delivery failures in /healthz.",
    remediation: SEE,
    runbookUrl: 'https://kubernetes.io/docs/tasks/debug/debug-application/debug-running-pod/',
    graceSeconds: 60,
    layer: 0,
  },
  {
    reason: 'IngressControllerUnavailable',
    kind: 'Deployment',
    severity: 'critical',
    title: 'Ingress controller unavailable',
    description: 'The ingress controller Deployment (`platform.ingressController`: Traefik, repo-managed or k3s-bundled) has fewer ready replicas than desired; with none ready no Ingress is served or admitted, and that explains the Ingresses of its class not admitted.',
    remediation: SEE,
    runbookUrl: 'https://doc.traefik.io/traefik/providers/kubernetes-ingress/',
    graceSeconds: 60,
    layer: 0,
    explainsAcross: [{ reason: 'IngressNotAdmitted', when: (controller, ingress) => DOWN(controller) && ingress.ingress_class === controller.ingress_class }],
  },
  {
    reason: 'CertManagerUnavailable',
    kind: 'Deployment',
    severity: 'critical',
    title: 'cert-manager unavailable',
    description: 'A cert-manager Deployment (controller, webhook or cainjector: `platform.certManager`) has fewer ready replicas than desired; with none ready, certificates are not issued or renewed, and that explains the Certificates and requests left not ready.',
    remediation: SEE,
    runbookUrl: 'https://cert-manager.io/docs/troubleshooting/',
    graceSeconds: 60,
    layer: 0,
    explainsAcross: ['CertificateNotReady', 'CertificateRequestPending', 'CertificateExpiringSoon'].map((reason) => ({ reason: reason as ReasonId, when: DOWN })),
  },
];

/** The Deployments of `refs` (namespace/name) that exist and are in scope. */
function existing(view: ClusterView, ctx: CheckContext, refs: readonly string[]): Deployment[] {
  const out: Deployment[] = [];
  for (const r of refs) {
    const [ns = '', name = ''] = r.split('/');
    if (!ctx.inScope(ns)) continue;
    const d = view.get('Deployment', ns, name);
    if (d) out.push(d);
  }
  return out;
}

function short(reason: ReasonId, what: string, d: Deployment, view: ClusterView, extra: Record<string, string> = {}): Finding | undefined {
  if (d.meta.deletionTimestamp !== undefined || d.replicas === 0 || d.readyReplicas >= d.replicas) return undefined;
  const f: Finding = {
    reason,
    object: ref(d),
    message: `${what} ${d.meta.namespace}/${d.meta.name} has ${d.readyReplicas} of ${d.replicas} replicas ready`,
    attributes: { replicas: d.replicas, ready_replicas: d.readyReplicas, ...extra },
  };
  const since = unavailableSince(view, d);
  if (since !== undefined) f.since = since;
  return f;
}

export const platformAvailability: Check = {
  id: 'platform-availability',
  description: "The platform's other components: Sentinel's Deployments, the ingress controller and cert-manager have their replicas ready.",
  needs: ['Deployment'],
  reasons,
  *run(view, ctx) {
    const { sentinel, ingressController, ingressClass, certManager } = ctx.config.platform;
    for (const d of existing(view, ctx, sentinel)) {
      const f = short('SentinelUnavailable', 'Sentinel component', d, view);
      if (f) yield f;
    }
    // Alternatives: the first that exists is the controller.
    const [controller] = existing(view, ctx, ingressController);
    const f = controller && short('IngressControllerUnavailable', 'ingress controller', controller, view, { ingress_class: ingressClass });
    if (f) yield f;
    for (const d of existing(view, ctx, certManager)) {
      const c = short('CertManagerUnavailable', 'cert-manager', d, view);
      if (c) yield c;
    }
  },
};
