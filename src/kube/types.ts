// Compact projections of Kubernetes objects: only what the checks read. Timestamps are epoch
// milliseconds, parsed once. No managedFields, no Secret data, no env values, ConfigMap data reduced
// to its key names.

import type { CustomSlot, KindName } from './kinds.ts';
import type { KeptCondition } from './projection.ts';

export interface ObjectRef {
  apiVersion: string;
  kind: string;
  namespace?: string;
  name: string;
  uid?: string;
}

/** An owner reference: what the ownership walk reads (kind, name, uid). */
export interface OwnerRef {
  kind: string;
  name: string;
  uid?: string;
}

export type ConditionStatus = 'True' | 'False' | 'Unknown';

/** A condition of a given type (a kind's conditions are typed by what its projection keeps). */
export interface Condition<T extends string = string> {
  type: T;
  status: ConditionStatus;
  reason?: string;
  message?: string;
  lastTransitionTime?: number;
  observedGeneration?: number;
}

export interface Meta {
  apiVersion: string;
  namespace: string;
  name: string;
  uid?: string;
  creationTimestamp?: number;
  deletionTimestamp?: number;
  labels: Readonly<Record<string, string>>;
  owners: readonly OwnerRef[];
  /** The silence annotations (`health.mcpruntime.org/silence-until` and `-reason`), as written and
   *  bounded: set only on the few objects that carry them (added after the literal, so the others
   *  do not pay for the field). Interpreted by engine/silences.ts. */
  silence?: SilenceAnnotation;
}

export interface SilenceAnnotation {
  until: string;
  reason?: string;
}

export interface ContainerState {
  state: 'waiting' | 'running' | 'terminated' | 'unknown';
  reason?: string;
  message?: string;
  exitCode?: number;
  signal?: number;
  startedAt?: number;
  finishedAt?: number;
}

export interface ContainerStatus {
  name: string;
  init: boolean;
  image: string;
  ready: boolean;
  restartCount: number;
  current: ContainerState;
  last?: ContainerState;
}

export interface Pod {
  kind: 'Pod';
  meta: Meta;
  phase?: string;
  reason?: string;
  /** spec.nodeName: where it runs (an evicted pod's node). */
  node?: string;
  /** status.message: why a pod failed or was evicted (the resource that ran out). */
  message?: string;
  startTime?: number;
  conditions: readonly Condition<KeptCondition<'Pod'>>[];
  /** Spec images by container name (init containers included), for pulls not yet in status. */
  images: Readonly<Record<string, string>>;
  /** Memory limits by container name, as written (`256Mi`), for the OOM remediation. */
  memoryLimits: Readonly<Record<string, string>>;
  /** The PersistentVolumeClaims its volumes name (spec.volumes[*].persistentVolumeClaim.claimName). */
  claims: readonly string[];
  containers: readonly ContainerStatus[];
}

/** Only a link between a pod and its Deployment: no check reads its replica counts or conditions. */
export interface ReplicaSet {
  kind: 'ReplicaSet';
  meta: Meta;
  /** The deployment.kubernetes.io/revision annotation the Deployment controller writes: the highest
   *  is the rollout's newest ReplicaSet. Undefined for a ReplicaSet no Deployment revised. */
  revision: number | undefined;
}

export interface Deployment {
  kind: 'Deployment';
  meta: Meta;
  /** spec.replicas, defaulted to 1 when omitted (API default). */
  replicas: number;
  selector: Readonly<Record<string, string>>;
  statusReplicas: number;
  readyReplicas: number;
  availableReplicas: number;
  unavailableReplicas: number;
  updatedReplicas: number;
  conditions: readonly Condition<KeptCondition<'Deployment'>>[];
  /** Container names of the pod template, for sidecar checks. */
  templateContainers: readonly string[];
}

export interface Service {
  kind: 'Service';
  meta: Meta;
  type: string;
  /** undefined: a Service without a selector (endpoints managed by hand). */
  selector?: Readonly<Record<string, string>>;
  clusterIP?: string;
  ports: readonly { name?: string; port: number; nodePort?: number }[];
}

export interface EndpointSlice {
  kind: 'EndpointSlice';
  meta: Meta;
  serviceName?: string;
  ready: number;
  notReady: number;
}

export interface Endpoints {
  kind: 'Endpoints';
  meta: Meta;
  ready: number;
  notReady: number;
}

export interface Ingress {
  kind: 'Ingress';
  meta: Meta;
  className?: string;
  hosts: readonly string[];
  backendServices: readonly string[];
  hasRules: boolean;
  /** ip or hostname of each status.loadBalancer.ingress entry. */
  loadBalancer: readonly string[];
}

export interface ConfigMap {
  kind: 'ConfigMap';
  meta: Meta;
  keys: readonly string[];
}

export interface Certificate {
  kind: 'Certificate';
  meta: Meta;
  secretName?: string;
  issuer?: string;
  dnsNames: readonly string[];
  conditions: readonly Condition<KeptCondition<'Certificate'>>[];
  notBefore?: number;
  notAfter?: number;
  renewalTime?: number;
  failedIssuanceAttempts?: number;
  lastFailureTime?: number;
}

export interface CertificateRequest {
  kind: 'CertificateRequest';
  meta: Meta;
  issuer?: string;
  conditions: readonly Condition<KeptCondition<'CertificateRequest'>>[];
  failureTime?: number;
}

export type ReadinessFlag =
  | 'deploymentReady'
  | 'serviceReady'
  | 'ingressReady'
  | 'gatewayReady'
  | 'policyReady'
  | 'canaryReady';

export const READINESS_FLAGS: readonly ReadinessFlag[] = [
  'deploymentReady',
  'serviceReady',
  'ingressReady',
  'gatewayReady',
  'policyReady',
  'canaryReady',
];

export interface MCPServer {
  kind: 'MCPServer';
  meta: Meta;
  spec: {
    image?: string;
    teamID?: string;
    replicas: number;
    /** spec.gateway.enabled; undefined when omitted (its meaning depends on the operator version:
     *  see gatewayOn in kube/relations.ts). */
    gatewayEnabled?: boolean;
    authMode?: string;
    rolloutStrategy: string;
    canaryReplicas: number;
    ingressHost?: string;
    ingressClass: string;
  };
  status: {
    present: boolean;
    phase?: string;
    message?: string;
    /** status.url, the address the server is published at (newer operator versions). */
    url?: string;
    flags: Readonly<Partial<Record<ReadinessFlag, boolean>>>;
    conditions: readonly Condition[];
  };
}

export interface StatefulSet {
  kind: 'StatefulSet';
  meta: Meta;
  /** spec.replicas, defaulted to 1 when omitted (API default). */
  replicas: number;
  readyReplicas: number;
  availableReplicas: number;
  /** status.observedGeneration behind metadata.generation: the controller has not seen the spec yet. */
  stale: boolean;
}

export interface DaemonSet {
  kind: 'DaemonSet';
  meta: Meta;
  /** status.desiredNumberScheduled: the nodes that should run its pod. */
  desired: number;
  ready: number;
  unavailable: number;
  /** Nodes running its pod that should not (numberMisscheduled). */
  misscheduled: number;
  updated: number;
  stale: boolean;
}

/** A node (cluster-scoped: meta.namespace is ''). Only its health: the conditions below and whether
 *  it is cordoned; no labels, capacity, images or addresses. */
export interface Node {
  kind: 'Node';
  meta: Meta;
  /** spec.unschedulable: cordoned (kubectl cordon, a drain). Not a fault in itself. */
  unschedulable: boolean;
  conditions: readonly Condition<KeptCondition<'Node'>>[];
}

/** A Warning Event (core v1 or events.k8s.io/v1): evidence of why an object is as it is. */
export interface Event {
  kind: 'Event';
  meta: Meta;
  /** involvedObject (core v1) or regarding (events.k8s.io/v1); namespace '' for a cluster-scoped one. */
  about: { kind: string; namespace: string; name: string; uid?: string; fieldPath?: string };
  reason: string;
  /** message (core v1) or note (events.k8s.io/v1), bounded. */
  message: string;
  /** How many times it happened (count, series.count or deprecatedCount; 1 when none). */
  count: number;
  /** When it last happened: series.lastObservedTime, lastTimestamp, eventTime, or creation. */
  last?: number;
  /** The component that reported it (reportingComponent/Controller, or source.component). */
  from?: string;
  /** type Warning (the watch asks only for those; a server that ignores the field selector, or a
   *  dump, may give others, which are not kept). */
  warning: boolean;
}

export interface PersistentVolumeClaim {
  kind: 'PersistentVolumeClaim';
  meta: Meta;
  /** status.phase: Pending, Bound or Lost. */
  phase?: string;
  /** spec.storageClassName: undefined when omitted (the default class), '' for "no class". */
  storageClass?: string;
  /** spec.volumeName: the PersistentVolume it asks for or is bound to. */
  volumeName?: string;
  /** The volume.kubernetes.io/selected-node annotation: the scheduler chose a node for its first
   *  consumer (WaitForFirstConsumer), so provisioning should be under way. */
  selectedNode?: string;
}

/** A Namespace: only its identity and silence annotations (a namespace-wide silence). */
export interface Namespace {
  kind: 'Namespace';
  meta: Meta;
}

export interface StorageClass {
  kind: 'StorageClass';
  meta: Meta;
  provisioner: string;
  /** volumeBindingMode: Immediate (the API default) or WaitForFirstConsumer. */
  bindingMode: string;
  /** storageclass.kubernetes.io/is-default-class is "true". */
  isDefault: boolean;
}

/** A cert-manager Issuer or ClusterIssuer (cluster-scoped): its Ready condition and its type. */
export interface Issuer<K extends 'Issuer' | 'ClusterIssuer' = 'Issuer' | 'ClusterIssuer'> {
  kind: K;
  meta: Meta;
  /** Which issuer it is: acme, ca, selfSigned, vault, venafi (the spec's key), or '' when none. */
  type: string;
  conditions: readonly Condition<KeptCondition<K>>[];
}

/** A configured custom resource (kinds.ts CUSTOM_SLOTS), as the kstatus conventions judge it. */
export interface CustomResource<K extends CustomSlot = CustomSlot> {
  kind: K;
  meta: Meta;
  /** Its kind as the API names it (HelmRelease). */
  resourceKind: string;
  generation?: number;
  observedGeneration?: number;
  conditions: readonly Condition<KeptCondition<K>>[];
}

type CustomKinds = { [K in CustomSlot]: CustomResource<K> };

export interface KindMap extends CustomKinds {
  Pod: Pod;
  ReplicaSet: ReplicaSet;
  Deployment: Deployment;
  Service: Service;
  EndpointSlice: EndpointSlice;
  Endpoints: Endpoints;
  Ingress: Ingress;
  ConfigMap: ConfigMap;
  Certificate: Certificate;
  CertificateRequest: CertificateRequest;
  MCPServer: MCPServer;
  StatefulSet: StatefulSet;
  DaemonSet: DaemonSet;
  Node: Node;
  Event: Event;
  PersistentVolumeClaim: PersistentVolumeClaim;
  StorageClass: StorageClass;
  Namespace: Namespace;
  Issuer: Issuer<'Issuer'>;
  ClusterIssuer: Issuer<'ClusterIssuer'>;
}

export type Obj<K extends KindName = KindName> = KindMap[K];
export type AnyObj = KindMap[KindName];

export function refOf(o: AnyObj): ObjectRef {
  // A custom resource is named by its own kind (HelmRelease), not by the slot it is held in.
  const r: ObjectRef = { apiVersion: o.meta.apiVersion, kind: 'resourceKind' in o ? o.resourceKind : o.kind, name: o.meta.name };
  // A cluster-scoped object (held under '') has no namespace.
  if (o.meta.namespace !== '') r.namespace = o.meta.namespace;
  if (o.meta.uid) r.uid = o.meta.uid;
  return r;
}

export function keyOf(kind: string, namespace: string | undefined, name: string): string {
  return `${kind}/${namespace ?? ''}/${name}`;
}

export function objKey(o: AnyObj): string {
  return keyOf(o.kind, o.meta.namespace, o.meta.name);
}

/** The state of one kind's source: synced, or why it cannot be read. */
/** 'stale': synced once, but cannot be read now for longer than the stale limit: the last state seen
 *  is kept and judged, and the agent says it cannot see (never green by absence of news). */
export type SourceStatus = 'synced' | 'stale' | 'absent' | 'forbidden' | 'failing' | 'not-loaded';

export interface SourceState {
  status: SourceStatus;
  detail?: string;
  /** 'cluster' when the kind was read across every namespace (so absence is evidence); a dump or a
   *  namespace-restricted read is 'partial'. */
  coverage?: 'cluster' | 'partial';
  /** Since when the kind could not be read (stale, failing): epoch ms. */
  since?: number;
}
