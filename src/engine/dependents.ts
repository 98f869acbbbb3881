// What a change to one object can affect, for incremental evaluation: the object, the objects it
// rolls up to (Pod → ReplicaSet → Deployment → MCPServer; EndpointSlice → Service; ConfigMap
// <name>-gateway-policy → MCPServer <name>; CertificateRequest → Certificate), and the Services
// selecting a pod. Missed edges are healed by the periodic full pass.

import type { KindName } from '../kube/kinds.ts';
import { isKindName } from '../kube/kinds.ts';
import type { ClusterView } from '../kube/store.ts';
import type { AnyObj } from '../kube/types.ts';
import { keyOf, objKey } from '../kube/types.ts';
import { deploymentOfPod, serverOf } from '../checks/helpers.ts';

export function affectedKeys(view: ClusterView, o: AnyObj, out: Set<string>): void {
  const ns = o.meta.namespace;
  out.add(objKey(o));
  for (const ref of o.meta.owners) {
    if (!isKindName(ref.kind)) continue;
    out.add(keyOf(ref.kind, ns, ref.name));
    const parent = view.get(ref.kind as KindName, ns, ref.name);
    if (parent) for (const gp of parent.meta.owners) if (isKindName(gp.kind)) out.add(keyOf(gp.kind, ns, gp.name));
  }
  const server = serverOf(view, o);
  if (server) out.add(objKey(server));
  switch (o.kind) {
    case 'Pod': {
      const d = deploymentOfPod(view, o);
      if (d) out.add(objKey(d));
      for (const s of view.servicesSelecting(ns, o.meta.labels)) out.add(objKey(s));
      break;
    }
    case 'EndpointSlice':
      if (o.serviceName) out.add(keyOf('Service', ns, o.serviceName));
      break;
    case 'Endpoints':
      out.add(keyOf('Service', ns, o.meta.name));
      break;
    case 'ConfigMap':
      if (o.meta.name.endsWith('-gateway-policy')) out.add(keyOf('MCPServer', ns, o.meta.name.slice(0, -'-gateway-policy'.length)));
      break;
    case 'Certificate':
      for (const cr of view.ownedBy('CertificateRequest', o)) out.add(objKey(cr));
      break;
    case 'Ingress':
      // Whether a class publishes load-balancer status at all is judged across its Ingresses, so
      // one Ingress's status can change how its siblings (and their servers) are judged.
      for (const i of view.list('Ingress')) {
        if ((i.className ?? '') !== (o.className ?? '')) continue;
        out.add(objKey(i));
        out.add(keyOf('MCPServer', i.meta.namespace, i.meta.name));
      }
      break;
    case 'Service':
    case 'Deployment':
      out.add(keyOf('MCPServer', ns, o.kind === 'Deployment' && o.meta.name.endsWith('-canary') ? o.meta.name.slice(0, -7) : o.meta.name));
      break;
    default:
      break;
  }
}
