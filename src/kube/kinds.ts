// The kinds the checks read: where each lives in the API, and which older API versions a dump may
// carry for it. One table, so RBAC, discovery, listing and file loading never disagree.

/** Slots for the custom resources a config names (`customResources`): each configured one is a
 *  kind of its own (listed, watched, synced and reported on its own, under its own kind name),
 *  judged by the kstatus conventions (checks/resource-readiness.ts). An unconfigured slot is never
 *  read. */
export const CUSTOM_SLOTS = ['CustomResource1', 'CustomResource2', 'CustomResource3', 'CustomResource4', 'CustomResource5', 'CustomResource6', 'CustomResource7', 'CustomResource8'] as const;
export type CustomSlot = (typeof CUSTOM_SLOTS)[number];

export const KIND_NAMES = [
  'Pod',
  'ReplicaSet',
  'Deployment',
  'Service',
  'EndpointSlice',
  'Endpoints',
  'Ingress',
  'ConfigMap',
  'Certificate',
  'CertificateRequest',
  'MCPServer',
  'StatefulSet',
  'DaemonSet',
  'Node',
  'Event',
  'PersistentVolumeClaim',
  'StorageClass',
  'Namespace',
  'Issuer',
  'ClusterIssuer',
  ...CUSTOM_SLOTS,
] as const;

export type KindName = (typeof KIND_NAMES)[number];

/** One bit per kind, for sets of kinds as numbers (see engine/dependents.ts). */
export function kindBit(k: KindName): number {
  return 1 << KIND_NAMES.indexOf(k);
}

export interface KindInfo {
  kind: KindName;
  /** API group ('' for the core group). */
  group: string;
  /** The version the agent lists and watches. */
  version: string;
  plural: string;
  /** False for a cluster-scoped kind (Node): listed and watched once, whatever namespaces are read,
   *  and held under the namespace ''. */
  namespaced: boolean;
  /** Every apiVersion a saved object of this kind may carry (dumps of older clusters). */
  acceptedApiVersions: readonly string[];
  /** Whether the kind comes from a CRD that may simply not be installed. */
  optional: boolean;
  /** Read only the objects with these labels (LIST, WATCH and dumps alike): what the checks need
   * and no more (ConfigMaps: only the operator's, never every application's configuration). */
  labelSelector?: string;
  /** And only those whose fields match (Events: Warning only), as `field=value` terms. */
  fieldSelector?: string;
  /** A custom slot's kind as the API names it (HelmRelease); undefined for the built-in kinds. */
  resourceKind?: string;
}

const CERT_MANAGER_VERSIONS = [
  'cert-manager.io/v1',
  'cert-manager.io/v1beta1',
  'cert-manager.io/v1alpha3',
  'cert-manager.io/v1alpha2',
  'certmanager.k8s.io/v1alpha1',
];

const TABLE: Record<KindName, KindInfo> = {
  Pod: info('Pod', '', 'v1', 'pods', ['v1']),
  ReplicaSet: info('ReplicaSet', 'apps', 'v1', 'replicasets', [
    'apps/v1',
    'apps/v1beta2',
    'extensions/v1beta1',
  ]),
  Deployment: info('Deployment', 'apps', 'v1', 'deployments', [
    'apps/v1',
    'apps/v1beta2',
    'apps/v1beta1',
    'extensions/v1beta1',
  ]),
  Service: info('Service', '', 'v1', 'services', ['v1']),
  EndpointSlice: info('EndpointSlice', 'discovery.k8s.io', 'v1', 'endpointslices', [
    'discovery.k8s.io/v1',
    'discovery.k8s.io/v1beta1',
  ]),
  Endpoints: info('Endpoints', '', 'v1', 'endpoints', ['v1']),
  Ingress: info('Ingress', 'networking.k8s.io', 'v1', 'ingresses', [
    'networking.k8s.io/v1',
    'networking.k8s.io/v1beta1',
    'extensions/v1beta1',
  ]),
  // The gateway-policy check reads the operator's `<name>-gateway-policy` ConfigMaps, which carry
  // app.kubernetes.io/managed-by=mcp-runtime (reference §2.1); no other ConfigMap is read.
  ConfigMap: { ...info('ConfigMap', '', 'v1', 'configmaps', ['v1']), labelSelector: 'app.kubernetes.io/managed-by=mcp-runtime' },
  Certificate: info('Certificate', 'cert-manager.io', 'v1', 'certificates', CERT_MANAGER_VERSIONS, true),
  CertificateRequest: info(
    'CertificateRequest',
    'cert-manager.io',
    'v1',
    'certificaterequests',
    CERT_MANAGER_VERSIONS,
    true,
  ),
  MCPServer: info('MCPServer', 'mcpruntime.org', 'v1alpha1', 'mcpservers', ['mcpruntime.org/v1alpha1'], true),
  // The platform's stateful parts (Sentinel's Kafka, ClickHouse) and node agents (log collectors).
  StatefulSet: info('StatefulSet', 'apps', 'v1', 'statefulsets', ['apps/v1', 'apps/v1beta2', 'apps/v1beta1']),
  DaemonSet: info('DaemonSet', 'apps', 'v1', 'daemonsets', ['apps/v1', 'apps/v1beta2', 'extensions/v1beta1']),
  // Where pods run: a node down or under pressure is the root cause of what runs on it.
  Node: { ...info('Node', '', 'v1', 'nodes', ['v1']), namespaced: false },
  // Evidence, never incidents of their own: the kubelet's and controllers' Warnings say why (a
  // registry's answer, a failing probe, a volume that will not mount). A dump may hold either API's.
  Event: { ...info('Event', '', 'v1', 'events', ['v1', 'events.k8s.io/v1']), fieldSelector: 'type=Warning' },
  // Storage: a claim that does not bind keeps its pods from starting.
  PersistentVolumeClaim: info('PersistentVolumeClaim', '', 'v1', 'persistentvolumeclaims', ['v1']),
  // cert-manager's issuers: one not ready is why its Certificates are not issued.
  Issuer: info('Issuer', 'cert-manager.io', 'v1', 'issuers', CERT_MANAGER_VERSIONS, true),
  ClusterIssuer: { ...info('ClusterIssuer', 'cert-manager.io', 'v1', 'clusterissuers', CERT_MANAGER_VERSIONS, true), namespaced: false },
  StorageClass: { ...info('StorageClass', 'storage.k8s.io', 'v1', 'storageclasses', ['storage.k8s.io/v1', 'storage.k8s.io/v1beta1']), namespaced: false },
  // No check reads them: the agent watches them for their silence annotations (a namespace-wide
  // "we know").
  Namespace: { ...info('Namespace', '', 'v1', 'namespaces', ['v1']), namespaced: false },
  ...unconfiguredSlots(),
};

export const KINDS: Readonly<Record<KindName, KindInfo>> = TABLE;

function unconfiguredSlots(): Record<CustomSlot, KindInfo> {
  return Object.fromEntries(CUSTOM_SLOTS.map((k) => [k, { ...info(k, '', '', '', [], true) }])) as Record<CustomSlot, KindInfo>;
}

/** A custom resource to judge by the kstatus conventions (config `customResources`). */
export interface CustomResourceSpec {
  group: string;
  version: string;
  kind: string;
  plural: string;
  namespaced: boolean;
}

/** Fills the custom slots from the config (every earlier configuration dropped): called once the
 *  config is read, before anything lists, loads or generates RBAC. At most CUSTOM_SLOTS.length. */
export function configureCustomResources(specs: readonly CustomResourceSpec[]): void {
  if (specs.length > CUSTOM_SLOTS.length) throw new Error(`at most ${CUSTOM_SLOTS.length} custom resources`);
  Object.assign(TABLE, unconfiguredSlots());
  specs.forEach((c, i) => {
    const slot = CUSTOM_SLOTS[i] as CustomSlot;
    TABLE[slot] = { ...info(slot, c.group, c.version, c.plural, [`${c.group}/${c.version}`], true), namespaced: c.namespaced, resourceKind: c.kind };
  });
}

export function isCustomSlot(k: KindName): k is CustomSlot {
  return (CUSTOM_SLOTS as readonly string[]).includes(k);
}

/** Whether a kind can be read at all: every built-in kind, and the custom slots configured. */
export function isConfigured(k: KindName): boolean {
  return !isCustomSlot(k) || KINDS[k].resourceKind !== undefined;
}

/** The kind as objects and people name it: a custom slot's resource kind, else the kind itself. */
export function displayKind(k: KindName): string {
  return KINDS[k].resourceKind ?? k;
}

function info(
  kind: KindName,
  group: string,
  version: string,
  plural: string,
  accepted: readonly string[],
  optional = false,
): KindInfo {
  return { kind, group, version, plural, namespaced: true, acceptedApiVersions: accepted, optional };
}

/** The query of a LIST or WATCH of this kind (its label selector, if any, and the given params). */
export function kindQuery(kind: KindName, params: Record<string, string>): URLSearchParams {
  const q = new URLSearchParams(params);
  const sel = KINDS[kind].labelSelector;
  if (sel) q.set('labelSelector', sel);
  const fields = KINDS[kind].fieldSelector;
  if (fields) q.set('fieldSelector', fields);
  return q;
}

/** Whether a raw object is one its kind's selectors admit (what a LIST or WATCH with them would
 *  give): its labels match the label selector, its fields the field selector (equality terms,
 *  comma-separated; a field is a dotted path from the object's root). */
export function matchesKindSelector(kind: KindName, raw: unknown): boolean {
  const o = raw && typeof raw === 'object' ? (raw as Record<string, unknown>) : {};
  const md = o.metadata && typeof o.metadata === 'object' ? (o.metadata as Record<string, unknown>) : {};
  const labels = md.labels && typeof md.labels === 'object' ? (md.labels as Record<string, unknown>) : {};
  const { labelSelector, fieldSelector } = KINDS[kind];
  return (!labelSelector || terms(labelSelector).every(([k, v]) => labels[k] === v)) && (!fieldSelector || terms(fieldSelector).every(([k, v]) => field(o, k) === v));
}

function terms(selector: string): [string, string][] {
  return selector.split(',').map((t) => {
    const [k = '', v = ''] = t.split('=');
    return [k, v];
  });
}

function field(o: Record<string, unknown>, path: string): unknown {
  let cur: unknown = o;
  for (const part of path.split('.')) cur = cur && typeof cur === 'object' ? (cur as Record<string, unknown>)[part] : undefined;
  return cur;
}

/** The namespaces to list or watch a kind in: each of those read, or the whole cluster (undefined)
 *  when all are read or the kind is cluster-scoped. */
export function listTargets(kind: KindName, namespaces: readonly string[]): readonly (string | undefined)[] {
  return namespaces.length > 0 && KINDS[kind].namespaced ? namespaces : [undefined];
}

export function apiVersionOf(k: KindInfo): string {
  return k.group === '' ? k.version : `${k.group}/${k.version}`;
}

/** The kind an object's `kind` (or a reference's) names: a built-in kind, or the slot of a
 *  configured custom resource; undefined for what no check reads (the slots' own names included). */
export function kindNamed(s: string): KindName | undefined {
  if ((BUILTIN as readonly string[]).includes(s)) return s as KindName;
  return CUSTOM_SLOTS.find((k) => KINDS[k].resourceKind === s);
}

const BUILTIN = KIND_NAMES.filter((k) => !isCustomSlot(k));

/** The resource name a person types (`pods`, `certificates.cert-manager.io`). */
export function describeKind(kind: KindName): string {
  const k = KINDS[kind];
  return k.group === '' ? k.plural : `${k.plural}.${k.group}`;
}
