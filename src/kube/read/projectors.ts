// One projector per kind: from a raw object (read by the Reader) to the compact projection of
// types.ts, keeping what the checks read and sharing what objects repeat.

import type { AnyObj, Certificate, CertificateRequest, ConfigMap, ContainerState, ContainerStatus, DaemonSet, Deployment, EndpointSlice, Endpoints, Ingress, MCPServer, Meta, Pod, ReadinessFlag, ReplicaSet, Service, StatefulSet } from '../types.ts';
import { READINESS_FLAGS } from '../types.ts';
import type { KindName } from '../kinds.ts';
import { RUNNING, UNKNOWN_STATE, bounded, exact } from './sharing.ts';
import type { Reader } from './reader.ts';
import { asRec } from './reader.ts';
import { customResource, event, issuer, node, persistentVolumeClaim, storageClass } from './projectors-infra.ts';

type Rec = Record<string, unknown>;

export function project(r: Reader, kind: KindName, meta: Meta, spec: Rec, status: Rec, o: Rec): AnyObj {
  switch (kind) {
    case 'Pod':
      return pod(r, meta, spec, status);
    case 'ReplicaSet':
      return replicaSet(r, meta, o);
    case 'Deployment':
      return deployment(r, meta, spec, status);
    case 'Service':
      return service(r, meta, spec);
    case 'EndpointSlice':
      // readMeta has read (and noted) metadata.labels already.
      return endpointSlice(r, meta, o, asRec(asRec(o.metadata)?.labels));
    case 'Endpoints':
      return endpoints(r, meta, o);
    case 'Ingress':
      return ingress(r, meta, spec, status, o);
    case 'ConfigMap':
      return configMap(r, meta, o);
    case 'Certificate':
      return certificate(r, meta, spec, status);
    case 'CertificateRequest':
      return certificateRequest(r, meta, spec, status);
    case 'MCPServer':
      return mcpServer(r, meta, spec, o);
    case 'StatefulSet':
      return statefulSet(r, meta, spec, status, o);
    case 'DaemonSet':
      return daemonSet(r, meta, status, o);
    case 'Node':
      return node(r, meta, spec, status);
    case 'Event':
      return event(r, meta, o);
    case 'PersistentVolumeClaim':
      return persistentVolumeClaim(r, meta, spec, status, o);
    case 'StorageClass':
      return storageClass(r, meta, o);
    case 'Namespace':
      return { kind: 'Namespace', meta };
    case 'Issuer':
    case 'ClusterIssuer':
      return issuer(r, kind, meta, spec, status);
    default:
      return customResource(r, kind, meta, status, o);
  }
}

function containerState(r: Reader, v: unknown, path: string): ContainerState | undefined {
  const s = r.rec(v, path);
  if (!s) return undefined;
  for (const state of ['waiting', 'running', 'terminated'] as const) {
    const d = r.rec(s[state], `${path}.${state}`);
    if (!d) continue;
    const p = `${path}.${state}`;
    // Running is the common state and no check reads when it started: one shared object for all.
    if (state === 'running') return RUNNING;
    const reason = r.str(d.reason, `${p}.reason`);
    // One literal with every field: objects of one shape, no out-of-object property storage.
    return {
      state,
      reason: reason ? r.share.intern(reason) : undefined,
      message: r.str(d.message, `${p}.message`) || undefined,
      exitCode: r.num(d.exitCode, `${p}.exitCode`),
      signal: r.num(d.signal, `${p}.signal`),
      startedAt: r.time(d.startedAt, `${p}.startedAt`),
      finishedAt: r.time(d.finishedAt, `${p}.finishedAt`),
    };
  }
  return undefined;
}

const NO_CLAIMS: readonly string[] = [];

export function pod(r: Reader, meta: Meta, spec: Rec, status: Rec): Pod {
  const images: Record<string, string> = {};
  const limits: Record<string, string> = {};
  for (const field of ['initContainers', 'containers'] as const) {
    r.recs(spec[field], `spec.${field}`).forEach((c, i) => {
      const name = r.str(c.name, `spec.${field}[${i}].name`);
      const image = r.str(c.image, `spec.${field}[${i}].image`);
      if (name && image) images[name] = image;
      const res = r.rec(c.resources, `spec.${field}[${i}].resources`);
      const mem = res ? r.str(r.rec(res.limits, `spec.${field}[${i}].resources.limits`)?.memory, `spec.${field}[${i}].resources.limits.memory`) : undefined;
      if (name && mem) limits[name] = mem;
    });
  }
  const claims: string[] = [];
  r.recs(spec.volumes, 'spec.volumes').forEach((v, i) => {
    const claim = r.str(r.rec(v.persistentVolumeClaim, `spec.volumes[${i}].persistentVolumeClaim`)?.claimName, `spec.volumes[${i}].persistentVolumeClaim.claimName`);
    if (claim) claims.push(r.share.intern(claim));
  });
  const containers: ContainerStatus[] = [];
  for (const [field, init] of [
    ['initContainerStatuses', true],
    ['containerStatuses', false],
  ] as const) {
    r.recs(status[field], `status.${field}`).forEach((c, i) => {
      const p = `status.${field}[${i}]`;
      const name = r.str(c.name, `${p}.name`);
      if (!name) return;
      containers.push(r.share.shareStatus({
        name,
        init,
        image: images[name] ?? r.str(c.image, `${p}.image`) ?? '',
        ready: r.bool(c.ready, `${p}.ready`) ?? false,
        restartCount: r.num(c.restartCount, `${p}.restartCount`) ?? 0,
        current: containerState(r, c.state, `${p}.state`) ?? UNKNOWN_STATE,
        last: containerState(r, c.lastState, `${p}.lastState`),
      }));
    });
  }
  const phase = r.str(status.phase, 'status.phase');
  return {
    kind: 'Pod',
    meta,
    phase: phase ? r.share.intern(phase) : undefined,
    reason: r.str(status.reason, 'status.reason') || undefined,
    node: r.share.internOpt(r.str(spec.nodeName, 'spec.nodeName')),
    message: r.str(status.message, 'status.message') || undefined,
    startTime: r.time(status.startTime, 'status.startTime'),
    conditions: r.conditions(status.conditions, 'status.conditions', 'Pod'),
    images: r.share.shareRecord(images),
    memoryLimits: r.share.shareRecord(limits),
    claims: claims.length === 0 ? NO_CLAIMS : exact(claims),
    containers: r.share.shareList(containers),
  };
}

/** A ReplicaSet is a link in the ownership chain Pod → ReplicaSet → Deployment; no check reads its
 *  replica counts or conditions (the Deployment's say the same, and are what checks judge). */
export const REVISION_ANNOTATION = 'deployment.kubernetes.io/revision';

function replicaSet(r: Reader, meta: Meta, o: Rec): ReplicaSet {
  const annotations = r.rec(r.rec(o.metadata, 'metadata')?.annotations, 'metadata.annotations');
  const where = `metadata.annotations["${REVISION_ANNOTATION}"]`;
  const text = r.str(annotations?.[REVISION_ANNOTATION], where);
  const revision = text !== undefined && /^\d{1,15}$/.test(text) ? Number(text) : undefined;
  if (text !== undefined && revision === undefined) r.note(where, `not a revision number: ${JSON.stringify(text.slice(0, 40))}`);
  return { kind: 'ReplicaSet', meta, revision };
}

function deployment(r: Reader, meta: Meta, spec: Rec, status: Rec): Deployment {
  const selector = r.rec(spec.selector, 'spec.selector');
  const template = r.rec(spec.template, 'spec.template');
  const tspec = r.rec(template?.spec, 'spec.template.spec');
  const templateContainers = tspec
    ? r.recs(tspec.containers, 'spec.template.spec.containers').flatMap((c, i) => {
        const n = r.str(c.name, `spec.template.spec.containers[${i}].name`);
        return n ? [n] : [];
      })
    : [];
  const out: Deployment = {
    kind: 'Deployment',
    meta,
    // An omitted spec.replicas means 1 (API default).
    replicas: r.num(spec.replicas, 'spec.replicas') ?? 1,
    selector: r.strMap(selector?.matchLabels, 'spec.selector.matchLabels'),
    statusReplicas: r.num(status.replicas, 'status.replicas') ?? 0,
    readyReplicas: r.num(status.readyReplicas, 'status.readyReplicas') ?? 0,
    availableReplicas: r.num(status.availableReplicas, 'status.availableReplicas') ?? 0,
    unavailableReplicas: r.num(status.unavailableReplicas, 'status.unavailableReplicas') ?? 0,
    updatedReplicas: r.num(status.updatedReplicas, 'status.updatedReplicas') ?? 0,
    conditions: r.conditions(status.conditions, 'status.conditions', 'Deployment'),
    templateContainers: r.share.names(templateContainers),
  };
  return out;
}

export function service(r: Reader, meta: Meta, spec: Rec): Service {
  const sel = r.strMap(spec.selector, 'spec.selector');
  const out: Service = {
    kind: 'Service',
    meta,
    type: r.str(spec.type, 'spec.type') ?? 'ClusterIP',
    selector: Object.keys(sel).length > 0 ? sel : undefined,
    clusterIP: r.str(spec.clusterIP, 'spec.clusterIP') || undefined,
    ports: exact(r.recs(spec.ports, 'spec.ports').flatMap((p, i) => {
      const port = r.num(p.port, `spec.ports[${i}].port`);
      if (port === undefined) return [];
      const e: { name?: string; port: number; nodePort?: number } = { port };
      const name = r.str(p.name, `spec.ports[${i}].name`);
      if (name) e.name = name;
      const np = r.num(p.nodePort, `spec.ports[${i}].nodePort`);
      if (np !== undefined) e.nodePort = np;
      return [e];
    })),
  };
  return out;
}

function endpointSlice(r: Reader, meta: Meta, o: Rec, labels: Rec | undefined): EndpointSlice {
  let ready = 0;
  let notReady = 0;
  r.recs(o.endpoints, 'endpoints').forEach((e, i) => {
    const cond = r.rec(e.conditions, `endpoints[${i}].conditions`);
    // An unset ready condition means ready (discovery.k8s.io semantics).
    const isReady = r.bool(cond?.ready, `endpoints[${i}].conditions.ready`) ?? true;
    if (isReady) ready++;
    else notReady++;
  });
  // The Service's name is interned: the Service holds the same string.
  const service = r.str(labels?.['kubernetes.io/service-name'], 'metadata.labels.kubernetes.io/service-name');
  return { kind: 'EndpointSlice', meta, serviceName: service ? r.share.intern(service) : undefined, ready, notReady };
}

function endpoints(r: Reader, meta: Meta, o: Rec): Endpoints {
  let ready = 0;
  let notReady = 0;
  r.recs(o.subsets, 'subsets').forEach((s, i) => {
    ready += r.arr(s.addresses, `subsets[${i}].addresses`).length;
    notReady += r.arr(s.notReadyAddresses, `subsets[${i}].notReadyAddresses`).length;
  });
  return { kind: 'Endpoints', meta, ready, notReady };
}

function ingress(r: Reader, meta: Meta, spec: Rec, status: Rec, o: Rec): Ingress {
  const hosts = new Set<string>();
  const backends = new Set<string>();
  const addBackend = (b: Rec | undefined, p: string): void => {
    if (!b) return;
    // networking.k8s.io/v1: backend.service.name; v1beta1/extensions: backend.serviceName.
    const svc = r.rec(b.service, `${p}.service`);
    const name = svc ? r.str(svc.name, `${p}.service.name`) : r.str(b.serviceName, `${p}.serviceName`);
    if (name) backends.add(name);
  };
  addBackend(r.rec(spec.defaultBackend ?? spec.backend, 'spec.defaultBackend'), 'spec.defaultBackend');
  const rules = r.recs(spec.rules, 'spec.rules');
  rules.forEach((rule, i) => {
    const h = r.str(rule.host, `spec.rules[${i}].host`);
    if (h) hosts.add(h);
    const http = r.rec(rule.http, `spec.rules[${i}].http`);
    r.recs(http?.paths, `spec.rules[${i}].http.paths`).forEach((p, j) =>
      addBackend(r.rec(p.backend, `spec.rules[${i}].http.paths[${j}].backend`), `spec.rules[${i}].http.paths[${j}].backend`),
    );
  });
  const lb = r.rec(status.loadBalancer, 'status.loadBalancer');
  const loadBalancer = exact(r.recs(lb?.ingress, 'status.loadBalancer.ingress').flatMap((e, i) => {
    const a = r.str(e.ip, `status.loadBalancer.ingress[${i}].ip`) || r.str(e.hostname, `status.loadBalancer.ingress[${i}].hostname`);
    return a ? [a] : [];
  }));
  const out: Ingress = {
    kind: 'Ingress',
    meta,
    hosts: [...hosts].sort(),
    backendServices: [...backends].sort(),
    hasRules: rules.length > 0,
    loadBalancer,
  };
  // The class may still be given by the pre-1.18 annotation.
  const annotations = r.rec(r.rec(o.metadata, 'metadata')?.annotations, 'metadata.annotations');
  const cls = r.str(spec.ingressClassName, 'spec.ingressClassName') || r.str(annotations?.['kubernetes.io/ingress.class'], 'metadata.annotations');
  if (cls) out.className = cls;
  return out;
}

function configMap(r: Reader, meta: Meta, o: Rec): ConfigMap {
  // Only key names are kept: values may be large or sensitive, and no check needs them.
  const keys = new Set<string>();
  for (const field of ['data', 'binaryData']) {
    const d = r.rec(o[field], field);
    // A key longer than Kubernetes allows (253) is not one a check looks for.
    if (d) for (const k of Object.keys(d)) if (k.length <= 253) keys.add(k);
  }
  return { kind: 'ConfigMap', meta, keys: [...keys].sort() };
}

function certificate(r: Reader, meta: Meta, spec: Rec, status: Rec): Certificate {
  const issuerRef = r.rec(spec.issuerRef, 'spec.issuerRef');
  const out: Certificate = {
    kind: 'Certificate',
    meta,
    dnsNames: r.strs(spec.dnsNames, 'spec.dnsNames'),
    conditions: r.conditions(status.conditions, 'status.conditions', 'Certificate'),
  };
  const sn = r.str(spec.secretName, 'spec.secretName');
  if (sn) out.secretName = sn;
  const iss = issuerRef ? r.str(issuerRef.name, 'spec.issuerRef.name') : undefined;
  if (iss) out.issuer = bounded(`${r.str(issuerRef?.kind, 'spec.issuerRef.kind') ?? 'Issuer'}/${iss}`);
  const nb = r.time(status.notBefore, 'status.notBefore');
  if (nb !== undefined) out.notBefore = nb;
  const na = r.time(status.notAfter, 'status.notAfter');
  if (na !== undefined) out.notAfter = na;
  const rt = r.time(status.renewalTime, 'status.renewalTime');
  if (rt !== undefined) out.renewalTime = rt;
  const fia = r.num(status.failedIssuanceAttempts, 'status.failedIssuanceAttempts');
  if (fia !== undefined) out.failedIssuanceAttempts = fia;
  const lft = r.time(status.lastFailureTime, 'status.lastFailureTime');
  if (lft !== undefined) out.lastFailureTime = lft;
  return out;
}

function certificateRequest(r: Reader, meta: Meta, spec: Rec, status: Rec): CertificateRequest {
  const issuerRef = r.rec(spec.issuerRef, 'spec.issuerRef');
  const out: CertificateRequest = {
    kind: 'CertificateRequest',
    meta,
    conditions: r.conditions(status.conditions, 'status.conditions', 'CertificateRequest'),
  };
  const iss = issuerRef ? r.str(issuerRef.name, 'spec.issuerRef.name') : undefined;
  if (iss) out.issuer = bounded(`${r.str(issuerRef?.kind, 'spec.issuerRef.kind') ?? 'Issuer'}/${iss}`);
  const ft = r.time(status.failureTime, 'status.failureTime');
  if (ft !== undefined) out.failureTime = ft;
  return out;
}

function mcpServer(r: Reader, meta: Meta, spec: Rec, o: Rec): MCPServer {
  const gateway = r.rec(spec.gateway, 'spec.gateway');
  const auth = r.rec(spec.auth, 'spec.auth');
  const rollout = r.rec(spec.rollout, 'spec.rollout');
  const rawStatus = r.rec(o.status, 'status');
  const status = rawStatus ?? {};
  const flags: Partial<Record<ReadinessFlag, boolean>> = {};
  for (const f of READINESS_FLAGS) {
    const b = r.bool(status[f], `status.${f}`);
    if (b !== undefined) flags[f] = b;
  }
  const out: MCPServer = {
    kind: 'MCPServer',
    meta,
    spec: {
      // Defaults as the operator applies them (reference §1.1).
      replicas: r.num(spec.replicas, 'spec.replicas') ?? 1,
      rolloutStrategy: (rollout ? r.str(rollout.strategy, 'spec.rollout.strategy') : undefined) || 'RollingUpdate',
      canaryReplicas: (rollout ? r.num(rollout.canaryReplicas, 'spec.rollout.canaryReplicas') : undefined) ?? 0,
      ingressClass: r.str(spec.ingressClass, 'spec.ingressClass') || 'traefik',
    },
    status: {
      present: rawStatus !== undefined && Object.keys(rawStatus).length > 0,
      flags,
      conditions: r.conditions(status.conditions, 'status.conditions'),
    },
  };
  const gatewayEnabled = gateway ? r.bool(gateway.enabled, 'spec.gateway.enabled') : undefined;
  if (gatewayEnabled !== undefined) out.spec.gatewayEnabled = gatewayEnabled;
  const image = r.str(spec.image, 'spec.image');
  if (image) out.spec.image = image;
  const team = r.str(spec.teamID, 'spec.teamID');
  if (team) out.spec.teamID = team;
  const mode = auth ? r.str(auth.mode, 'spec.auth.mode') || 'header' : undefined;
  if (mode) out.spec.authMode = mode;
  const host = r.str(spec.ingressHost, 'spec.ingressHost');
  if (host) out.spec.ingressHost = host;
  const phase = r.str(status.phase, 'status.phase');
  if (phase) out.status.phase = phase;
  const msg = r.str(status.message, 'status.message');
  if (msg) out.status.message = msg;
  const url = r.str(status.url, 'status.url');
  if (url) out.status.url = url;
  return out;
}

/** Whether the controller has not yet observed the object's current spec (status behind). */
function behind(r: Reader, o: Rec, status: Rec): boolean {
  const generation = r.num(r.rec(o.metadata, 'metadata')?.generation, 'metadata.generation');
  const observed = r.num(status.observedGeneration, 'status.observedGeneration');
  return generation !== undefined && observed !== undefined && observed < generation;
}

function statefulSet(r: Reader, meta: Meta, spec: Rec, status: Rec, o: Rec): StatefulSet {
  return {
    kind: 'StatefulSet',
    meta,
    replicas: r.num(spec.replicas, 'spec.replicas') ?? 1,
    readyReplicas: r.num(status.readyReplicas, 'status.readyReplicas') ?? 0,
    availableReplicas: r.num(status.availableReplicas, 'status.availableReplicas') ?? 0,
    stale: behind(r, o, status),
  };
}

function daemonSet(r: Reader, meta: Meta, status: Rec, o: Rec): DaemonSet {
  return {
    kind: 'DaemonSet',
    meta,
    desired: r.num(status.desiredNumberScheduled, 'status.desiredNumberScheduled') ?? 0,
    ready: r.num(status.numberReady, 'status.numberReady') ?? 0,
    unavailable: r.num(status.numberUnavailable, 'status.numberUnavailable') ?? 0,
    misscheduled: r.num(status.numberMisscheduled, 'status.numberMisscheduled') ?? 0,
    updated: r.num(status.updatedNumberScheduled, 'status.updatedNumberScheduled') ?? 0,
    stale: behind(r, o, status),
  };
}

