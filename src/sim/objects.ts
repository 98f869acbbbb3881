// Builders of real-shaped Kubernetes objects, as `kubectl get -o json` prints them (metadata with
// uids, resourceVersions, managedFields, ownerReferences; status as the controllers write it).
// Tests describe a cluster with these and run the real code on it; the demo plays a story with them.
// Times are minutes relative to a base time: a fixed instant for tests, now for the demo.

import { createHash } from 'node:crypto';

export type Raw = Record<string, unknown>;
export const T0 = Date.parse('2026-11-24T10:00:00Z');
let base = T0;
/** Sets the instant that relative times count from (the demo uses now). */
export function setBaseTime(ms: number): void {
  base = ms;
}
export const at = (minutes: number): string => new Date(base + minutes * 60_000).toISOString().replace(/\.\d{3}Z$/, 'Z');

export function uid(...parts: string[]): string {
  const h = createHash('sha1').update(parts.join('/')).digest('hex');
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20, 32)}`;
}

export interface MetaOpts {
  ns?: string;
  labels?: Record<string, string>;
  annotations?: Record<string, string>;
  owner?: { kind: string; name: string; apiVersion?: string };
  created?: number;
}

export function meta(kind: string, name: string, o: MetaOpts): Raw {
  const ns = o.ns ?? 'mcp-servers';
  const m: Raw = {
    name,
    namespace: ns,
    uid: uid(kind, ns, name),
    resourceVersion: String(1000 + (name.length * 7919) % 9000),
    creationTimestamp: at(o.created ?? -60),
    managedFields: [{ manager: 'kube-controller-manager', operation: 'Update', apiVersion: 'v1', time: at(0), fieldsType: 'FieldsV1', fieldsV1: { 'f:status': {} } }],
  };
  if (o.labels) m.labels = o.labels;
  if (o.annotations) m.annotations = o.annotations;
  if (o.owner) {
    m.ownerReferences = [
      {
        apiVersion: o.owner.apiVersion ?? apiVersionFor(o.owner.kind),
        kind: o.owner.kind,
        name: o.owner.name,
        uid: uid(o.owner.kind, ns, o.owner.name),
        controller: true,
        blockOwnerDeletion: true,
      },
    ];
  }
  return m;
}

function apiVersionFor(kind: string): string {
  switch (kind) {
    case 'ReplicaSet':
    case 'Deployment':
    case 'StatefulSet':
    case 'DaemonSet':
      return 'apps/v1';
    case 'MCPServer':
      return 'mcpruntime.org/v1alpha1';
    case 'Certificate':
      return 'cert-manager.io/v1';
    default:
      return 'v1';
  }
}

export type ContainerSpec = {
  name: string;
  image?: string;
  ready?: boolean;
  restarts?: number;
  state?: Raw;
  lastState?: Raw;
  init?: boolean;
};

export const running = (startedMin: number): Raw => ({ running: { startedAt: at(startedMin) } });
export const waiting = (reason: string, message?: string): Raw => ({ waiting: message ? { reason, message } : { reason } });
export const terminated = (reason: string, exitCode: number, finishedMin: number, message?: string): Raw => ({
  terminated: { reason, exitCode, startedAt: at(finishedMin - 1), finishedAt: at(finishedMin), ...(message ? { message } : {}), containerID: 'containerd://abc' },
});

export interface PodOpts extends MetaOpts {
  containers: ContainerSpec[];
  phase?: string;
  ready?: boolean;
  readySince?: number;
  scheduled?: { status: 'True' | 'False'; reason?: string; message?: string; since?: number };
  node?: string;
  /** PersistentVolumeClaims it mounts (one volume each). */
  claims?: string[];
}

export function pod(name: string, o: PodOpts): Raw {
  const main = o.containers.filter((c) => !c.init);
  const init = o.containers.filter((c) => c.init);
  const allReady = o.ready ?? main.every((c) => c.ready !== false);
  const status = (c: ContainerSpec): Raw => ({
    name: c.name,
    image: c.image ?? `${c.name}:1.0`,
    imageID: c.state && 'running' in c.state ? `docker.io/library/${c.name}@sha256:${'a'.repeat(64)}` : '',
    ready: c.ready ?? true,
    restartCount: c.restarts ?? 0,
    started: c.ready ?? true,
    state: c.state ?? running(-50),
    lastState: c.lastState ?? {},
    containerID: 'containerd://0123456789abcdef',
  });
  const conditions: Raw[] = [
    { type: 'PodReadyToStartContainers', status: 'True', lastProbeTime: null, lastTransitionTime: at(-55) },
    { type: 'Initialized', status: 'True', lastProbeTime: null, lastTransitionTime: at(-55) },
    { type: 'Ready', status: allReady ? 'True' : 'False', lastProbeTime: null, lastTransitionTime: at(o.readySince ?? -50), ...(allReady ? {} : { reason: 'ContainersNotReady', message: 'containers with unready status: [x]' }) },
    { type: 'ContainersReady', status: allReady ? 'True' : 'False', lastProbeTime: null, lastTransitionTime: at(o.readySince ?? -50) },
    o.scheduled
      ? { type: 'PodScheduled', status: o.scheduled.status, lastProbeTime: null, lastTransitionTime: at(o.scheduled.since ?? -55), ...(o.scheduled.reason ? { reason: o.scheduled.reason } : {}), ...(o.scheduled.message ? { message: o.scheduled.message } : {}) }
      : { type: 'PodScheduled', status: 'True', lastProbeTime: null, lastTransitionTime: at(-56) },
  ];
  const unscheduled = o.scheduled?.status === 'False';
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: meta('Pod', name, o),
    spec: {
      ...(init.length ? { initContainers: init.map((c) => ({ name: c.name, image: c.image ?? `${c.name}:1.0`, resources: {} })) } : {}),
      containers: main.map((c) => ({
        name: c.name,
        image: c.image ?? `${c.name}:1.0`,
        env: [{ name: 'API_TOKEN', valueFrom: { secretKeyRef: { name: 'creds', key: 'token' } } }],
        resources: { limits: { memory: '256Mi', cpu: '500m' }, requests: { memory: '64Mi', cpu: '50m' } },
      })),
      volumes: [
        ...(o.claims ?? []).map((claimName, i) => ({ name: `data-${i}`, persistentVolumeClaim: { claimName } })),
        { name: 'kube-api-access-x2x9q', projected: { defaultMode: 420, sources: [{ serviceAccountToken: { expirationSeconds: 3607, path: 'token' } }, { configMap: { name: 'kube-root-ca.crt', items: [{ key: 'ca.crt', path: 'ca.crt' }] } }] } },
      ],
      nodeName: unscheduled ? undefined : (o.node ?? 'kind-worker'),
      restartPolicy: 'Always',
      serviceAccountName: 'mcp-workload',
    },
    status: unscheduled
      ? { phase: 'Pending', conditions: [conditions[4]], qosClass: 'Burstable' }
      : {
          phase: o.phase ?? 'Running',
          conditions,
          hostIP: '172.18.0.2',
          podIP: '10.244.1.17',
          startTime: at(-56),
          ...(init.length ? { initContainerStatuses: init.map(status) } : {}),
          containerStatuses: main.map(status),
          qosClass: 'Burstable',
        },
  };
}

export interface DeployOpts extends MetaOpts {
  replicas?: number;
  ready?: number;
  available?: number;
  updated?: number;
  selector?: Record<string, string>;
  containers?: string[];
  conditions?: Raw[];
}

export function deployment(name: string, o: DeployOpts = {}): Raw {
  const replicas = o.replicas ?? 1;
  const ready = o.ready ?? replicas;
  const available = o.available ?? ready;
  const selector = o.selector ?? { app: name };
  const conditions = o.conditions ?? [
    available >= replicas
      ? { type: 'Available', status: 'True', reason: 'MinimumReplicasAvailable', message: 'Deployment has minimum availability.', lastUpdateTime: at(-50), lastTransitionTime: at(-50) }
      : { type: 'Available', status: 'False', reason: 'MinimumReplicasUnavailable', message: 'Deployment does not have minimum availability.', lastUpdateTime: at(-30), lastTransitionTime: at(-30) },
    { type: 'Progressing', status: 'True', reason: 'NewReplicaSetAvailable', message: `ReplicaSet "${name}-7d9f8b6c5d" has successfully progressed.`, lastUpdateTime: at(-50), lastTransitionTime: at(-58) },
  ];
  return {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { ...meta('Deployment', name, o), generation: 2 },
    spec: {
      replicas,
      selector: { matchLabels: selector },
      template: {
        metadata: { labels: { ...selector, ...(o.labels ?? {}) } },
        spec: { containers: (o.containers ?? [name]).map((c) => ({ name: c, image: `${c}:1.0` })) },
      },
      strategy: { type: 'RollingUpdate', rollingUpdate: { maxUnavailable: '25%', maxSurge: '25%' } },
      progressDeadlineSeconds: 600,
    },
    status: {
      observedGeneration: 2,
      replicas,
      updatedReplicas: o.updated ?? replicas,
      ...(ready ? { readyReplicas: ready } : {}),
      ...(available ? { availableReplicas: available } : {}),
      ...(replicas - available > 0 ? { unavailableReplicas: replicas - available } : {}),
      conditions,
    },
  };
}

export function replicaSet(name: string, deploymentName: string, o: MetaOpts & { replicas?: number; ready?: number; revision?: number } = {}): Raw {
  const m = meta('ReplicaSet', name, { ...o, owner: { kind: 'Deployment', name: deploymentName } });
  return {
    apiVersion: 'apps/v1',
    kind: 'ReplicaSet',
    // As the Deployment controller writes it on every ReplicaSet it makes.
    metadata: { ...m, annotations: { ...(m.annotations as Raw | undefined), 'deployment.kubernetes.io/revision': String(o.revision ?? 1) } },
    spec: { replicas: o.replicas ?? 1, selector: { matchLabels: o.labels ?? {} } },
    status: { replicas: o.replicas ?? 1, readyReplicas: o.ready ?? o.replicas ?? 1, availableReplicas: o.ready ?? o.replicas ?? 1, observedGeneration: 1 },
  };
}

export function service(name: string, o: MetaOpts & { selector?: Record<string, string> | null; type?: string; clusterIP?: string; ports?: Raw[] } = {}): Raw {
  return {
    apiVersion: 'v1',
    kind: 'Service',
    metadata: meta('Service', name, o),
    spec: {
      type: o.type ?? 'ClusterIP',
      clusterIP: o.clusterIP ?? '10.96.12.34',
      ...(o.selector === null ? {} : { selector: o.selector ?? { app: name } }),
      ports: o.ports ?? [{ name: 'http', port: 80, protocol: 'TCP', targetPort: 8088 }],
    },
    status: { loadBalancer: {} },
  };
}

export function endpointSlice(service: string, o: MetaOpts & { ready: number; notReady?: number }): Raw {
  const eps: Raw[] = [];
  for (let i = 0; i < o.ready; i++) eps.push({ addresses: [`10.244.1.${10 + i}`], conditions: { ready: true, serving: true, terminating: false }, targetRef: { kind: 'Pod', name: `${service}-${i}` } });
  for (let i = 0; i < (o.notReady ?? 0); i++) eps.push({ addresses: [`10.244.2.${10 + i}`], conditions: { ready: false, serving: false, terminating: false }, targetRef: { kind: 'Pod', name: `${service}-nr-${i}` } });
  return {
    apiVersion: 'discovery.k8s.io/v1',
    kind: 'EndpointSlice',
    metadata: meta('EndpointSlice', `${service}-x7k2p`, { ...o, labels: { 'kubernetes.io/service-name': service, 'endpointslice.kubernetes.io/managed-by': 'endpointslice-controller.k8s.io' }, owner: { kind: 'Service', name: service } }),
    addressType: 'IPv4',
    endpoints: eps,
    ports: [{ name: 'http', port: 8088, protocol: 'TCP' }],
  };
}

export function ingress(name: string, o: MetaOpts & { className?: string; host?: string; lb?: string[]; service?: string } = {}): Raw {
  return {
    apiVersion: 'networking.k8s.io/v1',
    kind: 'Ingress',
    metadata: meta('Ingress', name, o),
    spec: {
      ingressClassName: o.className ?? 'traefik',
      rules: [{ ...(o.host ? { host: o.host } : {}), http: { paths: [{ path: `/${name}/mcp`, pathType: 'Prefix', backend: { service: { name: o.service ?? name, port: { number: 80 } } } }] } }],
    },
    status: { loadBalancer: o.lb ? { ingress: o.lb.map((ip) => ({ ip })) } : {} },
  };
}

/** A ConfigMap; a `<server>-gateway-policy` one carries the labels the operator gives it. */
export function configMap(name: string, o: MetaOpts & { data: Record<string, string> }): Raw {
  const server = name.endsWith('-gateway-policy') ? name.slice(0, -'-gateway-policy'.length) : undefined;
  const labels = o.labels ?? (server ? { app: server, 'app.kubernetes.io/managed-by': 'mcp-runtime' } : undefined);
  return { apiVersion: 'v1', kind: 'ConfigMap', metadata: meta('ConfigMap', name, { ...o, ...(labels ? { labels } : {}) }), data: o.data };
}

export interface ServerOpts extends MetaOpts {
  phase?: string;
  flags?: Partial<Record<'deploymentReady' | 'serviceReady' | 'ingressReady' | 'gatewayReady' | 'policyReady' | 'canaryReady', boolean>>;
  gateway?: boolean;
  team?: string;
  message?: string;
  since?: number;
  noStatus?: boolean;
  authMode?: string;
  canary?: number;
  /** status.url (newer operator versions). */
  url?: string;
}

export function mcpServer(name: string, o: ServerOpts = {}): Raw {
  const flags = o.flags ?? {};
  const phase = o.phase ?? 'Ready';
  const all = ['deploymentReady', 'serviceReady', 'ingressReady', 'gatewayReady', 'policyReady', 'canaryReady'] as const;
  const message = o.message ?? 'All resources reconciled';
  return {
    apiVersion: 'mcpruntime.org/v1alpha1',
    kind: 'MCPServer',
    metadata: { ...meta('MCPServer', name, o), generation: 1 },
    spec: {
      image: `registry.registry.svc.cluster.local:5000/${name}`,
      imageTag: 'v1.0.0',
      port: 8088,
      replicas: 1,
      ...(o.team ? { teamID: o.team } : {}),
      ...(o.gateway ? { gateway: { enabled: true, port: 8091 } } : {}),
      ...(o.authMode ? { auth: { mode: o.authMode } } : {}),
      ...(o.canary ? { rollout: { strategy: 'Canary', canaryReplicas: o.canary } } : {}),
    },
    ...(o.noStatus
      ? {}
      : {
          status: {
            phase,
            message,
            ...(o.url ? { url: o.url } : {}),
            ...Object.fromEntries(all.map((f) => [f, flags[f] ?? false])),
            conditions: all.map((f) => ({
              type: f.charAt(0).toUpperCase() + f.slice(1),
              status: flags[f] ? 'True' : 'False',
              reason: phase,
              message,
              observedGeneration: 1,
              lastTransitionTime: at(o.since ?? -40),
            })),
          },
        }),
  };
}

/** Who signs a Certificate or a request: `Kind/name` (ClusterIssuer or Issuer). */
type IssuedBy = { issuer?: `${'Issuer' | 'ClusterIssuer'}/${string}` };

function issuerRef(by: IssuedBy['issuer'], fallback: string): Raw {
  const [kind, name] = (by ?? fallback).split('/');
  return { kind, name, group: 'cert-manager.io' };
}

export function certificate(name: string, o: MetaOpts & IssuedBy & { ready: 'True' | 'False'; reason?: string; message?: string; notAfter?: number; notBefore?: number; renewal?: number; since?: number; extra?: Raw[]; failed?: number } ): Raw {
  return {
    apiVersion: 'cert-manager.io/v1',
    kind: 'Certificate',
    metadata: meta('Certificate', name, o),
    spec: { secretName: name, dnsNames: [`${name}.example.com`], issuerRef: issuerRef(o.issuer, 'ClusterIssuer/mcp-runtime-ca'), duration: '2160h0m0s', renewBefore: '360h0m0s' },
    status: {
      conditions: [
        { type: 'Ready', status: o.ready, reason: o.reason ?? (o.ready === 'True' ? 'Ready' : 'DoesNotExist'), message: o.message ?? (o.ready === 'True' ? 'Certificate is up to date and has not expired' : 'Issuing certificate as Secret does not exist'), observedGeneration: 1, lastTransitionTime: at(o.since ?? -30) },
        ...(o.extra ?? []),
      ],
      ...(o.notAfter !== undefined ? { notAfter: at(o.notAfter) } : {}),
      ...(o.notBefore !== undefined ? { notBefore: at(o.notBefore) } : {}),
      ...(o.renewal !== undefined ? { renewalTime: at(o.renewal) } : {}),
      ...(o.failed !== undefined ? { failedIssuanceAttempts: o.failed, lastFailureTime: at(-5) } : {}),
    },
  };
}

export function certificateRequest(name: string, o: MetaOpts & IssuedBy & { reason: string; status?: 'True' | 'False'; message?: string; certificate?: string }): Raw {
  return {
    apiVersion: 'cert-manager.io/v1',
    kind: 'CertificateRequest',
    metadata: meta('CertificateRequest', name, { ...o, ...(o.certificate ? { owner: { kind: 'Certificate', name: o.certificate } } : {}) }),
    spec: { issuerRef: issuerRef(o.issuer, 'ClusterIssuer/letsencrypt-prod'), request: 'LS0tLS1CRUdJTi...' },
    status: {
      conditions: [
        { type: 'Approved', status: 'True', reason: 'cert-manager.io', message: 'Certificate request has been approved by cert-manager.io', lastTransitionTime: at(-20) },
        { type: 'Ready', status: o.status ?? 'False', reason: o.reason, message: o.message ?? 'Failed to wait for order resource "x" to become ready: order is in "invalid" state', lastTransitionTime: at(-10) },
      ],
      ...(o.reason === 'Failed' ? { failureTime: at(-10) } : {}),
    },
  };
}

/** A healthy MCPServer with everything the operator creates for it. */
export function healthyServer(name: string, o: { ns?: string; gateway?: boolean; team?: string } = {}): Raw[] {
  const ns = o.ns ?? 'mcp-servers';
  const labels = { app: name, 'app.kubernetes.io/managed-by': 'mcp-runtime', 'mcpruntime.org/rollout-track': 'stable' };
  const rs = `${name}-7d9f8b6c5d`;
  const containers = o.gateway ? [name, 'mcp-gateway'] : [name];
  const objs: Raw[] = [
    mcpServer(name, { ns, gateway: o.gateway ?? false, ...(o.team ? { team: o.team } : {}), phase: 'Ready', flags: { deploymentReady: true, serviceReady: true, ingressReady: true, ...(o.gateway ? { gatewayReady: true, policyReady: true } : {}) } }),
    deployment(name, { ns, labels, selector: { app: name, 'mcpruntime.org/rollout-track': 'stable' }, owner: { kind: 'MCPServer', name }, containers }),
    replicaSet(rs, name, { ns, labels }),
    pod(`${rs}-x2x9q`, { ns, labels: { ...labels, 'pod-template-hash': '7d9f8b6c5d' }, owner: { kind: 'ReplicaSet', name: rs }, containers: containers.map((c) => ({ name: c, image: `registry.registry.svc.cluster.local:5000/${c}:v1.0.0` })) }),
    service(name, { ns, selector: { app: name, 'app.kubernetes.io/managed-by': 'mcp-runtime' }, owner: { kind: 'MCPServer', name } }),
    endpointSlice(name, { ns, ready: 1 }),
    ingress(name, { ns, owner: { kind: 'MCPServer', name }, lb: ['172.18.0.3'] }),
  ];
  if (o.gateway) objs.push(configMap(`${name}-gateway-policy`, { ns, owner: { kind: 'MCPServer', name }, data: { 'policy.json': '{"schema_version":"v1"}' } }));
  return objs;
}

/** The platform: operator, registry, both healthy. */
export function healthyPlatform(): Raw[] {
  return [
    deployment('mcp-runtime-operator-controller-manager', { ns: 'mcp-runtime', replicas: 2, selector: { 'control-plane': 'controller-manager' }, containers: ['manager'] }),
    deployment('registry', { ns: 'registry' }),
    service('registry', { ns: 'registry', type: 'NodePort', clusterIP: '10.43.174.51', ports: [{ name: 'http', port: 5000, nodePort: 32000, targetPort: 5000 }] }),
    endpointSlice('registry', { ns: 'registry', ready: 1 }),
  ];
}

export function list(items: Raw[]): Raw {
  return { apiVersion: 'v1', kind: 'List', metadata: { resourceVersion: '' }, items };
}

