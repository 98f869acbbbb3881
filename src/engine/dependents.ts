// What a change to one object can affect, for incremental evaluation: the object, the objects it
// rolls up to (Pod → ReplicaSet → Deployment → MCPServer; EndpointSlice → Service; ConfigMap
// <name>-gateway-policy → MCPServer <name>; CertificateRequest → Certificate), and the Services
// selecting a pod. Each mark carries the kinds whose change made it (a bit per kind), so a pass
// re-runs on a root only the checks that read what changed (Check.reads). Missed edges are healed by
// the periodic full pass.

import type { KindName } from '../kube/kinds.ts';
import { isKindName, kindBit } from '../kube/kinds.ts';
import type { ClusterView } from '../kube/store.ts';
import type { AnyObj } from '../kube/types.ts';
import { keyOf, objKey } from '../kube/types.ts';
import { deploymentOfPod, serverOf } from '../checks/helpers.ts';

/** Object key → the kinds (bits) whose changes touched it since the last pass. */
export type DirtyMarks = Map<string, number>;

export function markDirty(marks: DirtyMarks, key: string, cause: KindName): void {
  marks.set(key, (marks.get(key) ?? 0) | kindBit(cause));
}

export function affectedKeys(view: ClusterView, o: AnyObj, marks: DirtyMarks): void {
  const ns = o.meta.namespace;
  const bit = kindBit(o.kind);
  const add = (k: string): void => void marks.set(k, (marks.get(k) ?? 0) | bit);
  add(objKey(o));
  for (const ref of o.meta.owners) {
    if (!isKindName(ref.kind)) continue;
    add(keyOf(ref.kind, ns, ref.name));
    const parent = view.get(ref.kind as KindName, ns, ref.name);
    if (parent) for (const gp of parent.meta.owners) if (isKindName(gp.kind)) add(keyOf(gp.kind, ns, gp.name));
  }
  const server = serverOf(view, o);
  if (server) add(objKey(server));
  switch (o.kind) {
    case 'Pod': {
      const d = deploymentOfPod(view, o);
      if (d) add(objKey(d));
      for (const s of view.servicesSelecting(ns, o.meta.labels)) add(objKey(s));
      break;
    }
    case 'EndpointSlice':
      if (o.serviceName) add(keyOf('Service', ns, o.serviceName));
      break;
    case 'Endpoints':
      add(keyOf('Service', ns, o.meta.name));
      break;
    case 'ConfigMap':
      if (o.meta.name.endsWith('-gateway-policy')) add(keyOf('MCPServer', ns, o.meta.name.slice(0, -'-gateway-policy'.length)));
      break;
    case 'Certificate':
      for (const cr of view.ownedBy('CertificateRequest', o)) add(objKey(cr));
      break;
    case 'Ingress':
      // Whether a class publishes load-balancer status at all is judged across its Ingresses, so
      // one Ingress's status can change how its siblings (and their servers) are judged.
      for (const i of view.list('Ingress')) {
        if ((i.className ?? '') !== (o.className ?? '')) continue;
        add(objKey(i));
        add(keyOf('MCPServer', i.meta.namespace, i.meta.name));
      }
      break;
    case 'Service':
    case 'Deployment':
      add(keyOf('MCPServer', ns, o.kind === 'Deployment' && o.meta.name.endsWith('-canary') ? o.meta.name.slice(0, -7) : o.meta.name));
      break;
    default:
      break;
  }
}
