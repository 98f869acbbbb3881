// How objects relate, for the checks, the incremental engine and root causes alike: ownership
// (Pod → ReplicaSet → Deployment → MCPServer, CertificateRequest → Certificate), selection, use (a
// node's pods, a claim's pods, an issuer's Certificates), and the
// operator's naming conventions (an MCPServer's Deployment, Service and Ingress are named after it;
// its canary Deployment `<name>-canary`, its gateway policy ConfigMap `<name>-gateway-policy`, its
// gateway certificate `<name>-gateway-mtls`).

import { SERVER_LABELS } from './projection.ts';
import { selects, type ClusterView } from './store.ts';
import type { AnyObj, Deployment, MCPServer, Pod } from './types.ts';

const CANARY = '-canary';
const POLICY = '-gateway-policy';
const GATEWAY_MTLS = '-gateway-mtls';

export const canaryName = (server: string): string => `${server}${CANARY}`;
export const policyConfigMapName = (server: string): string => `${server}${POLICY}`;
export const gatewayCertificateName = (server: string): string => `${server}${GATEWAY_MTLS}`;

/** The MCPServer an operator-made object is named after: its own name, or a canary Deployment's less `-canary`. */
export function serverNameOf(kind: string, name: string): string {
  return kind === 'Deployment' && name.endsWith(CANARY) ? name.slice(0, -CANARY.length) : name;
}

/** The MCPServer whose gateway policy a ConfigMap is, by its name (undefined for other ConfigMaps). */
export function serverOfPolicyName(name: string): string | undefined {
  return name.endsWith(POLICY) ? name.slice(0, -POLICY.length) : undefined;
}

/** Pods of a Deployment: through its ReplicaSets, else by selector when no ReplicaSet is known. */
export function podsOfDeployment(view: ClusterView, d: Deployment): readonly Pod[] {
  const rss = view.ownedBy('ReplicaSet', d);
  // One ReplicaSet (the usual case): its pods as the store indexes them, without a copy.
  if (rss.length === 1) return view.ownedBy('Pod', rss[0] as AnyObj);
  if (rss.length > 0) return rss.flatMap((rs) => view.ownedBy('Pod', rs));
  if (Object.keys(d.selector).length === 0) return [];
  return view.list('Pod', d.meta.namespace).filter((p) => selects(d.selector, p.meta.labels));
}

/** The Deployment a pod belongs to (Pod → ReplicaSet → Deployment). */
export function deploymentOfPod(view: ClusterView, p: Pod): Deployment | undefined {
  for (const ref of p.meta.owners) {
    if (ref.kind !== 'ReplicaSet') continue;
    const rs = view.get('ReplicaSet', p.meta.namespace, ref.name);
    const depRef = rs?.meta.owners.find((o) => o.kind === 'Deployment');
    if (depRef) return view.get('Deployment', p.meta.namespace, depRef.name);
    // A dump without ReplicaSets: the RS name is <deployment>-<pod-template-hash>.
    const hash = p.meta.labels['pod-template-hash'];
    if (!rs && hash && ref.name.endsWith(`-${hash}`)) {
      return view.get('Deployment', p.meta.namespace, ref.name.slice(0, -hash.length - 1));
    }
  }
  return undefined;
}

/**
 * The MCPServer an object belongs to: owner references first (walking up through ReplicaSets and
 * Deployments, and CertificateRequests to Certificates), then labels (`mcpruntime.org/server`,
 * `app` naming an existing MCPServer), then for Ingresses and Services the same-named server.
 */
export function serverOf(view: ClusterView, o: AnyObj, depth = 0): MCPServer | undefined {
  if (o.kind === 'MCPServer') return o;
  if (depth > 4) return undefined;
  const ns = o.meta.namespace;
  for (const ref of o.meta.owners) {
    if (ref.kind === 'MCPServer') {
      const s = view.get('MCPServer', ns, ref.name);
      if (s && (!ref.uid || !s.meta.uid || s.meta.uid === ref.uid)) return s;
    }
  }
  for (const ref of o.meta.owners) {
    if (ref.kind === 'ReplicaSet' || ref.kind === 'Deployment' || ref.kind === 'Certificate') {
      const parent = view.get(ref.kind, ns, ref.name);
      if (parent) {
        const s = serverOf(view, parent, depth + 1);
        if (s) return s;
      }
    }
  }
  let byLabel: string | undefined;
  for (const k of SERVER_LABELS) if ((byLabel = o.meta.labels[k]) !== undefined) break;
  if (byLabel) {
    const s = view.get('MCPServer', ns, byLabel);
    if (s) return s;
  }
  if (o.kind === 'Pod') {
    const d = deploymentOfPod(view, o);
    if (d) return serverOf(view, d, depth + 1);
  }
  if (o.kind === 'Ingress' || o.kind === 'Service' || o.kind === 'Deployment') {
    return view.get('MCPServer', ns, serverNameOf(o.kind, o.meta.name));
  }
  return undefined;
}

/** Deployments an MCPServer runs: those it owns, and stable `<name>` and, for canaries, `<name>-canary`. */
export function deploymentsOfServer(view: ClusterView, s: MCPServer): readonly Deployment[] {
  const owned = view.ownedBy('Deployment', s);
  const ns = s.meta.namespace;
  const stable = view.get('Deployment', ns, s.meta.name);
  const canary = view.get('Deployment', ns, canaryName(s.meta.name));
  // Store objects are unique per name, so identity stands for the name.
  if ((!stable || owned.includes(stable)) && (!canary || owned.includes(canary))) return owned;
  const out = [...owned];
  if (stable && !out.includes(stable)) out.push(stable);
  if (canary && !out.includes(canary)) out.push(canary);
  return out;
}

export function podsOfServer(view: ClusterView, s: MCPServer): readonly Pod[] {
  const ds = deploymentsOfServer(view, s);
  if (ds.length === 1) {
    const pods = podsOfDeployment(view, ds[0] as Deployment);
    if (pods.length > 0) return pods;
  } else if (ds.length > 1) {
    const out = new Set<Pod>();
    for (const d of ds) for (const p of podsOfDeployment(view, d)) out.add(p);
    if (out.size > 0) return [...out];
  }
  return view.list('Pod', s.meta.namespace).filter((p) => p.meta.labels['app'] === s.meta.name);
}

/** Whether the server's gateway is on: spec.gateway.enabled, or when omitted, what the operator
 *  version does then (off in reference §1's versions, on in newer ones; the config says which). */
export function gatewayOn(s: MCPServer, enabledByDefault: boolean): boolean {
  return s.spec.gatewayEnabled ?? enabledByDefault;
}

/** What uses an object without being owned by it: the pods on a node or mounting a claim, the
 *  Certificates and CertificateRequests of an issuer. Empty for other kinds. */
export function usersOf(view: ClusterView, o: AnyObj): readonly AnyObj[] {
  switch (o.kind) {
    case 'Node':
      return view.podsOn(o.meta.name);
    case 'PersistentVolumeClaim':
      return view.list('Pod', o.meta.namespace).filter((p) => p.claims.includes(o.meta.name));
    case 'Issuer':
    case 'ClusterIssuer': {
      const ref = `${o.kind}/${o.meta.name}`;
      const ns = o.kind === 'Issuer' ? o.meta.namespace : undefined;
      return [...view.list('Certificate', ns), ...view.list('CertificateRequest', ns)].filter((c) => c.issuer === ref);
    }
    default:
      return [];
  }
}
