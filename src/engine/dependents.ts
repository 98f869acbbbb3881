// What a change to one object can affect, for incremental evaluation: the object, the objects it
// rolls up to (Pod → ReplicaSet → Deployment → MCPServer; EndpointSlice → Service; ConfigMap
// <name>-gateway-policy → MCPServer <name>; CertificateRequest → Certificate), and the Services
// selecting a pod. Each mark carries the kinds whose change made it (a bit per kind), so a pass
// re-runs on a root only the checks that read what changed (Check.reads). Missed edges are healed by
// the periodic full pass.

import type { KindName } from '../kube/kinds.ts';
import { kindBit, kindNamed } from '../kube/kinds.ts';
import type { ClusterView } from '../kube/store.ts';
import type { AnyObj } from '../kube/types.ts';
import { keyOf } from '../kube/types.ts';
import { deploymentOfPod, serverNameOf, serverOf, serverOfPolicyName } from '../kube/relations.ts';

/** A marked object: where it is (its parts, so a pass looks it up without parsing its key, with
 *  strings whose hashes are already known) and the kinds (bits) whose changes touched it. */
export interface Mark {
  kind: KindName;
  namespace: string;
  name: string;
  causes: number;
}

/** Object key → its mark, since the last pass. */
export type DirtyMarks = Map<string, Mark>;

export function markDirty(marks: DirtyMarks, kind: KindName, namespace: string, name: string, causes: number, key = keyOf(kind, namespace, name)): void {
  const m = marks.get(key);
  if (m) m.causes |= causes;
  else marks.set(key, { kind, namespace, name, causes });
}

export function affectedKeys(view: ClusterView, o: AnyObj, marks: DirtyMarks): void {
  const ns = o.meta.namespace;
  const bit = kindBit(o.kind);
  const add = (kind: KindName, namespace: string, name: string): void => markDirty(marks, kind, namespace, name, bit);
  const addObj = (x: AnyObj): void => markDirty(marks, x.kind, x.meta.namespace, x.meta.name, bit);
  const addNamed = (kind: string, namespace: string, name: string): void => {
    const k = kindNamed(kind);
    if (k) add(k, namespace, name);
  };
  addObj(o);
  for (const ref of o.meta.owners) {
    const k = kindNamed(ref.kind);
    if (!k) continue;
    add(k, ns, ref.name);
    const parent = view.get(k, ns, ref.name);
    if (parent) for (const gp of parent.meta.owners) addNamed(gp.kind, ns, gp.name);
  }
  const server = serverOf(view, o);
  if (server) addObj(server);
  switch (o.kind) {
    case 'StorageClass':
      // Whether a claim can bind depends on its class (or on the default one).
      for (const c of view.list('PersistentVolumeClaim')) if (c.storageClass === undefined || c.storageClass === o.meta.name) addObj(c);
      break;
    case 'Event': {
      // What it is about, and what that rolls up to (a ReplicaSet's FailedCreate explains its
      // Deployment), are re-judged by the checks that read Events.
      const kind = kindNamed(o.about.kind);
      if (!kind) break;
      const { namespace, name } = o.about;
      add(kind, namespace, name);
      const about = view.get(kind, namespace, name);
      if (!about) break;
      for (const ref of about.meta.owners) addNamed(ref.kind, namespace, ref.name);
      const owner = serverOf(view, about);
      if (owner) addObj(owner);
      break;
    }
    case 'Pod': {
      const d = deploymentOfPod(view, o);
      if (d) addObj(d);
      for (const s of view.servicesSelecting(ns, o.meta.labels)) addObj(s);
      break;
    }
    case 'EndpointSlice':
      if (o.serviceName) add('Service', ns, o.serviceName);
      break;
    case 'Endpoints':
      add('Service', ns, o.meta.name);
      break;
    case 'ConfigMap':
      {
        const server = serverOfPolicyName(o.meta.name);
        if (server) add('MCPServer', ns, server);
      }
      break;
    case 'Certificate':
      for (const cr of view.ownedBy('CertificateRequest', o)) addObj(cr);
      break;
    case 'Ingress':
      // Whether a class publishes load-balancer status at all is judged across its Ingresses, so
      // one Ingress's status can change how its siblings (and their servers) are judged.
      for (const i of view.list('Ingress')) {
        if ((i.className ?? '') !== (o.className ?? '')) continue;
        addObj(i);
        add('MCPServer', i.meta.namespace, i.meta.name);
      }
      break;
    case 'Service':
    case 'Deployment':
      add('MCPServer', ns, serverNameOf(o.kind, o.meta.name));
      break;
    default:
      break;
  }
}
