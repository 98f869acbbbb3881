// StatefulSets and DaemonSets as their controllers leave them (the platform's stateful parts and
// node agents), for tests, fixtures and the simulated cluster.

import { at, meta, uid, type MetaOpts, type Raw } from './objects.ts';

export function statefulSet(name: string, o: MetaOpts & { replicas?: number; ready?: number } = {}): Raw {
  const replicas = o.replicas ?? 1;
  const ready = o.ready ?? replicas;
  return {
    apiVersion: 'apps/v1',
    kind: 'StatefulSet',
    metadata: { ...meta('StatefulSet', name, o), generation: 1 },
    spec: { replicas, serviceName: name, selector: { matchLabels: { app: name } }, template: { metadata: { labels: { app: name } }, spec: { containers: [{ name, image: `${name}:1.0` }] } } },
    status: { observedGeneration: 1, replicas, readyReplicas: ready, availableReplicas: ready, currentReplicas: replicas, updatedReplicas: replicas, currentRevision: `${name}-5d8f7c6b9`, updateRevision: `${name}-5d8f7c6b9` },
  };
}

export function daemonSet(name: string, o: MetaOpts & { desired?: number; ready?: number; misscheduled?: number; updated?: number } = {}): Raw {
  const desired = o.desired ?? 3;
  const ready = o.ready ?? desired;
  return {
    apiVersion: 'apps/v1',
    kind: 'DaemonSet',
    metadata: { ...meta('DaemonSet', name, o), generation: 1 },
    spec: { selector: { matchLabels: { app: name } }, template: { metadata: { labels: { app: name } }, spec: { containers: [{ name, image: `${name}:1.0` }] } } },
    status: {
      observedGeneration: 1,
      desiredNumberScheduled: desired,
      currentNumberScheduled: desired,
      numberReady: ready,
      numberAvailable: ready,
      ...(desired - ready > 0 ? { numberUnavailable: desired - ready } : {}),
      numberMisscheduled: o.misscheduled ?? 0,
      updatedNumberScheduled: o.updated ?? desired,
    },
  };
}

export interface NodeOpts {
  /** The Ready condition's status (True when omitted), since when (minutes), and the kubelet's words. */
  ready?: 'True' | 'False' | 'Unknown';
  readySince?: number;
  reason?: string;
  message?: string;
  /** Conditions True besides Ready (MemoryPressure, DiskPressure, PIDPressure, NetworkUnavailable). */
  pressure?: { type: string; since?: number; message?: string }[];
  cordoned?: boolean;
}

const NODE_CONDITIONS: readonly [string, string, string][] = [
  ['MemoryPressure', 'KubeletHasSufficientMemory', 'kubelet has sufficient memory available'],
  ['DiskPressure', 'KubeletHasNoDiskPressure', 'kubelet has no disk pressure'],
  ['PIDPressure', 'KubeletHasSufficientPID', 'kubelet has sufficient PID available'],
];

/** A node as its kubelet and the node lifecycle controller leave it (cluster-scoped: no namespace),
 *  with the images list and node info that make up most of a real one. */
export function node(name: string, o: NodeOpts = {}): Raw {
  const ready = o.ready ?? 'True';
  const readyReason = o.reason ?? (ready === 'True' ? 'KubeletReady' : ready === 'Unknown' ? 'NodeStatusUnknown' : 'KubeletNotReady');
  const readyMessage = o.message ?? (ready === 'True' ? 'kubelet is posting ready status' : ready === 'Unknown' ? 'Kubelet stopped posting node status.' : 'container runtime network not ready: NetworkReady=false reason:NetworkPluginNotReady message:Network plugin returns error: cni plugin not initialized');
  const pressed = new Map((o.pressure ?? []).map((p) => [p.type, p]));
  const conditions: Raw[] = NODE_CONDITIONS.map(([type, reason, message]) => {
    const p = pressed.get(type);
    if (ready === 'Unknown') return { type, status: 'Unknown', reason: 'NodeStatusUnknown', message: 'Kubelet stopped posting node status.', lastHeartbeatTime: at(-10), lastTransitionTime: at(o.readySince ?? -5) };
    return p
      ? { type, status: 'True', reason: reason.replace('HasSufficient', 'HasInsufficient').replace('HasNo', 'Has'), message: p.message ?? `kubelet has ${type.replace('Pressure', '').toLowerCase()} pressure`, lastHeartbeatTime: at(0), lastTransitionTime: at(p.since ?? -10) }
      : { type, status: 'False', reason, message, lastHeartbeatTime: at(0), lastTransitionTime: at(-600) };
  });
  const net = pressed.get('NetworkUnavailable');
  conditions.push(net ? { type: 'NetworkUnavailable', status: 'True', reason: 'NoRouteCreated', message: net.message ?? 'Node created without a route', lastHeartbeatTime: at(0), lastTransitionTime: at(net.since ?? -10) } : { type: 'NetworkUnavailable', status: 'False', reason: 'CalicoIsUp', message: 'Calico is running on this node', lastTransitionTime: at(-600), lastHeartbeatTime: at(-600) });
  conditions.push({ type: 'Ready', status: ready, reason: readyReason, message: readyMessage, lastHeartbeatTime: at(ready === 'Unknown' ? -10 : 0), lastTransitionTime: at(o.readySince ?? (ready === 'True' ? -600 : -5)) });
  return {
    apiVersion: 'v1',
    kind: 'Node',
    metadata: {
      name,
      uid: uid('Node', '', name),
      resourceVersion: String(2000 + (name.length * 7919) % 9000),
      creationTimestamp: at(-1440),
      labels: { 'kubernetes.io/hostname': name, 'kubernetes.io/os': 'linux', 'kubernetes.io/arch': 'amd64', 'node.kubernetes.io/instance-type': 'm6i.xlarge' },
      annotations: { 'node.alpha.kubernetes.io/ttl': '0', 'volumes.kubernetes.io/controller-managed-attach-detach': 'true' },
      managedFields: [{ manager: 'kubelet', operation: 'Update', apiVersion: 'v1', time: at(0), fieldsType: 'FieldsV1', fieldsV1: { 'f:status': {} } }],
    },
    spec: {
      podCIDR: '10.244.1.0/24',
      ...(o.cordoned ? { unschedulable: true, taints: [{ key: 'node.kubernetes.io/unschedulable', effect: 'NoSchedule', timeAdded: at(-30) }] } : {}),
      ...(ready !== 'True' ? { taints: [{ key: ready === 'Unknown' ? 'node.kubernetes.io/unreachable' : 'node.kubernetes.io/not-ready', effect: 'NoExecute', timeAdded: at(-4) }] } : {}),
    },
    status: {
      conditions,
      addresses: [{ type: 'InternalIP', address: '172.18.0.3' }, { type: 'Hostname', address: name }],
      allocatable: { cpu: '4', memory: '15896704Ki', pods: '110', 'ephemeral-storage': '95551679124' },
      capacity: { cpu: '4', memory: '16099456Ki', pods: '110', 'ephemeral-storage': '103677100Ki' },
      daemonEndpoints: { kubeletEndpoint: { Port: 10250 } },
      nodeInfo: { architecture: 'amd64', containerRuntimeVersion: 'containerd://1.7.24', kernelVersion: '6.8.0-1019-aws', kubeProxyVersion: 'v1.34.2', kubeletVersion: 'v1.34.2', operatingSystem: 'linux', osImage: 'Ubuntu 24.04.1 LTS', machineID: 'ec2a', systemUUID: 'ec2a', bootID: 'b00t' },
      images: Array.from({ length: 12 }, (_, i) => ({ names: [`registry.example.com/team/app-${i}@sha256:${'b'.repeat(64)}`, `registry.example.com/team/app-${i}:1.${i}`], sizeBytes: 50_000_000 + i })),
    },
  };
}

export interface EventOpts {
  /** Minutes relative to the base time of the last occurrence (default 0), and how many there were. */
  last?: number;
  count?: number;
  /** The container it is about (`spec.containers{name}`). */
  container?: string;
  component?: string;
  /** events.k8s.io/v1 instead of core v1. */
  eventsV1?: boolean;
  /** Its own name (a core v1 Event is named <object>.<hex>). */
  name?: string;
}

/** A Warning Event about an object, as the kubelet or a controller records it. */
export function warningEvent(about: Raw, reason: string, message: string, o: EventOpts = {}): Raw {
  const md = about.metadata as Raw;
  const ns = (md.namespace as string | undefined) ?? 'default';
  const regarding: Raw = { apiVersion: about.apiVersion, kind: about.kind, name: md.name, uid: md.uid, resourceVersion: md.resourceVersion };
  if (md.namespace !== undefined) regarding.namespace = md.namespace;
  if (o.container) regarding.fieldPath = `spec.containers{${o.container}}`;
  const name = o.name ?? `${String(md.name)}.${uid(reason, message).replace(/-/g, '').slice(0, 16)}`;
  const when = at(o.last ?? 0);
  const component = o.component ?? (about.kind === 'Pod' ? 'kubelet' : `${String(about.kind).toLowerCase()}-controller`);
  const metadata = { name, namespace: ns, uid: uid('Event', ns, name), resourceVersion: '4242', creationTimestamp: at((o.last ?? 0) - 10) };
  if (o.eventsV1) {
    return { apiVersion: 'events.k8s.io/v1', kind: 'Event', metadata, regarding, reason, note: message, type: 'Warning', eventTime: null, reportingController: component, reportingInstance: 'kind-worker', deprecatedCount: o.count ?? 1, deprecatedFirstTimestamp: at((o.last ?? 0) - 10), deprecatedLastTimestamp: when, deprecatedSource: { component } };
  }
  return { apiVersion: 'v1', kind: 'Event', metadata, involvedObject: regarding, reason, message, source: { component, host: 'kind-worker' }, firstTimestamp: at((o.last ?? 0) - 10), lastTimestamp: when, count: o.count ?? 1, type: 'Warning', eventTime: null, reportingComponent: component, reportingInstance: 'kind-worker' };
}

export interface ClaimOpts extends MetaOpts {
  phase?: 'Pending' | 'Bound' | 'Lost';
  /** spec.storageClassName; null omits it (the default class). */
  storageClass?: string | null;
  volumeName?: string;
  /** The scheduler's volume.kubernetes.io/selected-node (a WaitForFirstConsumer claim's consumer). */
  selectedNode?: string;
}

/** A PersistentVolumeClaim as the PV controller leaves it. */
export function persistentVolumeClaim(name: string, o: ClaimOpts = {}): Raw {
  const phase = o.phase ?? 'Bound';
  const m = meta('PersistentVolumeClaim', name, o);
  const annotations: Record<string, string> = { ...(o.annotations ?? {}) };
  if (o.selectedNode) annotations['volume.kubernetes.io/selected-node'] = o.selectedNode;
  if (phase === 'Bound') Object.assign(annotations, { 'pv.kubernetes.io/bind-completed': 'yes', 'pv.kubernetes.io/bound-by-controller': 'yes' });
  if (Object.keys(annotations).length > 0) m.annotations = annotations;
  const volumeName = o.volumeName ?? (phase === 'Pending' ? undefined : `pvc-${uid('PersistentVolumeClaim', String(m.namespace), name)}`);
  return {
    apiVersion: 'v1',
    kind: 'PersistentVolumeClaim',
    metadata: m,
    spec: {
      accessModes: ['ReadWriteOnce'],
      resources: { requests: { storage: '10Gi' } },
      ...(o.storageClass === null ? {} : { storageClassName: o.storageClass ?? 'standard' }),
      volumeMode: 'Filesystem',
      ...(volumeName ? { volumeName } : {}),
    },
    status: phase === 'Pending' ? { phase } : { phase, accessModes: ['ReadWriteOnce'], capacity: { storage: '10Gi' } },
  };
}

/** A StorageClass (cluster-scoped). */
export function storageClass(name: string, o: { provisioner?: string; bindingMode?: 'Immediate' | 'WaitForFirstConsumer'; isDefault?: boolean } = {}): Raw {
  return {
    apiVersion: 'storage.k8s.io/v1',
    kind: 'StorageClass',
    metadata: { name, uid: uid('StorageClass', '', name), resourceVersion: '311', creationTimestamp: at(-1440), ...(o.isDefault ? { annotations: { 'storageclass.kubernetes.io/is-default-class': 'true' } } : {}) },
    provisioner: o.provisioner ?? 'rancher.io/local-path',
    reclaimPolicy: 'Delete',
    volumeBindingMode: o.bindingMode ?? 'WaitForFirstConsumer',
  };
}

/** A cert-manager Issuer (namespaced) or ClusterIssuer as cert-manager's issuer controller leaves it:
 *  a CA issuer by default, an ACME one with `acme`. */
export function issuer(kind: 'Issuer' | 'ClusterIssuer', name: string, o: MetaOpts & { ready?: 'True' | 'False'; reason?: string; message?: string; acme?: boolean; since?: number } = {}): Raw {
  const ready = o.ready ?? 'True';
  const m = kind === 'Issuer' ? meta(kind, name, o) : { name, uid: uid(kind, '', name), resourceVersion: '512', generation: 1, creationTimestamp: at(-1440) };
  const spec = o.acme ? { acme: { server: 'https://acme-v02.api.letsencrypt.org/directory', email: 'ops@example.com', privateKeySecretRef: { name: `${name}-account` }, solvers: [{ http01: { ingress: { ingressClassName: 'traefik' } } }] } } : { ca: { secretName: `${name}-key-pair` } };
  const healthy = o.acme ? ['ACMEAccountRegistered', 'The ACME account was registered with the ACME server'] : ['KeyPairVerified', 'Signing CA verified'];
  return {
    apiVersion: 'cert-manager.io/v1',
    kind,
    metadata: m,
    spec,
    status: {
      ...(o.acme ? { acme: { uri: 'https://acme-v02.api.letsencrypt.org/acme/acct/123', lastRegisteredEmail: 'ops@example.com' } } : {}),
      conditions: [{ type: 'Ready', status: ready, reason: o.reason ?? (ready === 'True' ? healthy[0] : 'ErrGetKeyPair'), message: o.message ?? (ready === 'True' ? healthy[1] : `Error getting keypair for CA issuer: secrets "${name}-key-pair" not found`), observedGeneration: 1, lastTransitionTime: at(o.since ?? -30) }],
    },
  };
}
