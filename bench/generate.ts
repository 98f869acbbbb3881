// A generated MCP Runtime-shaped cluster: MCPServers with their Deployment, ReplicaSet, pods,
// Service, EndpointSlice, Ingress and policy ConfigMap, and the nodes they run on, as the API serves
// them (managedFields included, ~4-5 KB per pod), with a small share of failures; the platform's
// stateful parts (StatefulSets with their claims, node DaemonSets, a StorageClass, a ClusterIssuer);
// and the Warning Events such a cluster holds (the failing pods' back-offs, readiness probes failing
// now and then on ~5% of the others, all within the API server's hour).

import { daemonSet, issuer, node, persistentVolumeClaim, statefulSet, storageClass, warningEvent } from '../src/sim/workloads.ts';

export type Raw = Record<string, unknown>;

const T = '2026-11-24T09:00:00Z';

function managedFields(n: number): Raw[] {
  const out: Raw[] = [];
  for (let i = 0; i < n; i++) {
    out.push({
      manager: i === 0 ? 'kube-controller-manager' : 'kubelet',
      operation: 'Update',
      apiVersion: 'v1',
      time: T,
      fieldsType: 'FieldsV1',
      fieldsV1: {
        'f:metadata': { 'f:labels': { '.': {}, 'f:app': {}, 'f:pod-template-hash': {} }, 'f:ownerReferences': { '.': {}, 'k:{"uid":"x"}': {} } },
        'f:spec': { 'f:containers': { 'k:{"name":"server"}': { '.': {}, 'f:image': {}, 'f:imagePullPolicy': {}, 'f:name': {}, 'f:ports': {}, 'f:resources': {} } } },
        'f:status': { 'f:conditions': { 'k:{"type":"Ready"}': { '.': {}, 'f:lastProbeTime': {}, 'f:lastTransitionTime': {}, 'f:status': {}, 'f:type': {} } }, 'f:containerStatuses': {}, 'f:hostIP': {}, 'f:phase': {}, 'f:podIP': {}, 'f:startTime': {} },
      },
    });
  }
  return out;
}

export function generateCluster(pods: number, perServer = 10): Raw[] {
  const servers = Math.ceil(pods / perServer);
  // About 100 pods a node, as a kubelet's default of 110 allows.
  const nodes = Math.max(3, Math.ceil(pods / 100));
  const items: Raw[] = Array.from({ length: nodes }, (_, n) => node(`node-${n}`));
  for (let s = 0; s < servers; s++) {
    const ns = `mcp-team-${s % 50}`;
    const name = `srv-${s}`;
    const uid = (k: string, n: string): string => `${k}-${ns}-${n}`;
    const labels = { app: name, 'app.kubernetes.io/managed-by': 'mcp-runtime', 'mcpruntime.org/rollout-track': 'stable' };
    const broken = s % 50 === 7;
    const owner = (kind: string, n: string, apiVersion: string): Raw[] => [{ apiVersion, kind, name: n, uid: uid(kind, n), controller: true, blockOwnerDeletion: true }];
    items.push({
      apiVersion: 'mcpruntime.org/v1alpha1',
      kind: 'MCPServer',
      metadata: { name, namespace: ns, uid: uid('MCPServer', name), generation: 1, creationTimestamp: T, managedFields: managedFields(1) },
      spec: { image: `registry.registry.svc.cluster.local:5000/${name}`, imageTag: 'v1', replicas: perServer, teamID: `team-${s % 50}`, gateway: { enabled: true } },
      status: {
        phase: broken ? 'PartiallyReady' : 'Ready',
        message: 'All resources reconciled',
        deploymentReady: !broken,
        serviceReady: true,
        ingressReady: true,
        gatewayReady: !broken,
        policyReady: true,
        canaryReady: false,
        conditions: ['DeploymentReady', 'ServiceReady', 'IngressReady', 'GatewayReady', 'PolicyReady', 'CanaryReady'].map((type) => ({ type, status: 'True', reason: 'Ready', message: 'All resources reconciled', lastTransitionTime: T, observedGeneration: 1 })),
      },
    });
    const rs = `${name}-6d4cf56db6`;
    items.push({
      apiVersion: 'apps/v1',
      kind: 'Deployment',
      metadata: { name, namespace: ns, uid: uid('Deployment', name), labels, ownerReferences: owner('MCPServer', name, 'mcpruntime.org/v1alpha1'), generation: 1, creationTimestamp: T, managedFields: managedFields(2) },
      spec: { replicas: perServer, selector: { matchLabels: { app: name, 'mcpruntime.org/rollout-track': 'stable' } }, template: { metadata: { labels }, spec: { containers: [{ name, image: 'x' }, { name: 'mcp-gateway', image: 'y' }] } } },
      status: {
        replicas: perServer,
        readyReplicas: broken ? perServer - 1 : perServer,
        availableReplicas: broken ? perServer - 1 : perServer,
        updatedReplicas: perServer,
        ...(broken ? { unavailableReplicas: 1 } : {}),
        conditions: [
          { type: 'Available', status: 'True', reason: 'MinimumReplicasAvailable', lastTransitionTime: T, lastUpdateTime: T },
          { type: 'Progressing', status: 'True', reason: 'NewReplicaSetAvailable', lastTransitionTime: T, lastUpdateTime: T },
        ],
      },
    });
    items.push({
      apiVersion: 'apps/v1',
      kind: 'ReplicaSet',
      metadata: { name: rs, namespace: ns, uid: uid('ReplicaSet', rs), labels, annotations: { 'deployment.kubernetes.io/desired-replicas': '10', 'deployment.kubernetes.io/max-replicas': '13', 'deployment.kubernetes.io/revision': '1' }, ownerReferences: owner('Deployment', name, 'apps/v1'), creationTimestamp: T, managedFields: managedFields(2) },
      spec: { replicas: perServer },
      status: { replicas: perServer, readyReplicas: perServer, availableReplicas: perServer },
    });
    for (let p = 0; p < perServer; p++) {
      const pn = `${rs}-${p.toString(36).padStart(5, 'x')}`;
      const bad = broken && p === 0;
      const cs = (c: string): Raw => ({
        name: c,
        image: `registry.registry.svc.cluster.local:5000/${c}:v1`,
        imageID: `registry.registry.svc.cluster.local:5000/${c}@sha256:${'0'.repeat(64)}`,
        containerID: `containerd://${'f'.repeat(64)}`,
        ready: !bad,
        started: !bad,
        restartCount: bad ? 12 : 0,
        state: bad ? { waiting: { reason: 'CrashLoopBackOff', message: 'back-off 5m0s restarting failed container' } } : { running: { startedAt: T } },
        lastState: bad ? { terminated: { reason: 'Error', exitCode: 1, startedAt: T, finishedAt: T } } : {},
      });
      items.push({
        apiVersion: 'v1',
        kind: 'Pod',
        metadata: { name: pn, generateName: `${rs}-`, namespace: ns, uid: uid('Pod', pn), labels: { ...labels, 'pod-template-hash': '6d4cf56db6' }, ownerReferences: owner('ReplicaSet', rs, 'apps/v1'), creationTimestamp: T, resourceVersion: String(100000 + p), managedFields: managedFields(2) },
        spec: {
          containers: [name, 'mcp-gateway'].map((c) => ({
            name: c,
            image: `registry.registry.svc.cluster.local:5000/${c}:v1`,
            ports: [{ name: 'http', containerPort: 8088, protocol: 'TCP' }],
            env: [{ name: 'MCP_SERVER_NAME', value: name }, { name: 'POLICY_FILE', value: '/var/run/mcp-runtime/policy/policy.json' }],
            resources: { limits: { cpu: '500m', memory: '256Mi' }, requests: { cpu: '50m', memory: '64Mi' } },
            volumeMounts: [{ name: 'gateway-policy', mountPath: '/var/run/mcp-runtime/policy', readOnly: true }],
            readinessProbe: { tcpSocket: { port: 8088 }, initialDelaySeconds: 3, periodSeconds: 5 },
            terminationMessagePath: '/dev/termination-log',
            imagePullPolicy: 'IfNotPresent',
          })),
          serviceAccountName: 'mcp-workload',
          nodeName: `node-${(s * perServer + p) % nodes}`,
          volumes: [{ name: 'gateway-policy', configMap: { name: `${name}-gateway-policy`, defaultMode: 420 } }],
          tolerations: [{ key: 'node.kubernetes.io/not-ready', operator: 'Exists', effect: 'NoExecute', tolerationSeconds: 300 }],
        },
        status: {
          phase: 'Running',
          conditions: ['PodReadyToStartContainers', 'Initialized', 'Ready', 'ContainersReady', 'PodScheduled'].map((type) => ({ type, status: bad && (type === 'Ready' || type === 'ContainersReady') ? 'False' : 'True', lastProbeTime: null, lastTransitionTime: T })),
          hostIP: '10.0.0.1',
          podIP: `10.244.${p % 250}.${s % 250}`,
          podIPs: [{ ip: `10.244.${p % 250}.${s % 250}` }],
          startTime: T,
          containerStatuses: [cs(name), cs('mcp-gateway')],
          qosClass: 'Burstable',
        },
      });
    }
    items.push({
      apiVersion: 'v1',
      kind: 'Service',
      metadata: { name, namespace: ns, uid: uid('Service', name), labels, ownerReferences: owner('MCPServer', name, 'mcpruntime.org/v1alpha1'), creationTimestamp: T },
      spec: { type: 'ClusterIP', clusterIP: '10.96.0.10', selector: { app: name, 'app.kubernetes.io/managed-by': 'mcp-runtime' }, ports: [{ name: 'http', port: 80, targetPort: 8091 }] },
    });
    items.push({
      apiVersion: 'discovery.k8s.io/v1',
      kind: 'EndpointSlice',
      metadata: { name: `${name}-abcde`, namespace: ns, uid: uid('EndpointSlice', name), labels: { 'kubernetes.io/service-name': name }, creationTimestamp: T },
      addressType: 'IPv4',
      endpoints: Array.from({ length: perServer }, (_, i) => ({ addresses: [`10.244.${i}.${s % 250}`], conditions: { ready: !(broken && i === 0) } })),
    });
    items.push({
      apiVersion: 'networking.k8s.io/v1',
      kind: 'Ingress',
      metadata: { name, namespace: ns, uid: uid('Ingress', name), ownerReferences: owner('MCPServer', name, 'mcpruntime.org/v1alpha1'), creationTimestamp: T },
      spec: { ingressClassName: 'traefik', rules: [{ http: { paths: [{ path: `/${name}/mcp`, pathType: 'Prefix', backend: { service: { name, port: { number: 80 } } } }] } }] },
      status: { loadBalancer: { ingress: [{ ip: '10.0.0.100' }] } },
    });
    items.push({
      apiVersion: 'v1',
      kind: 'ConfigMap',
      metadata: { name: `${name}-gateway-policy`, namespace: ns, uid: uid('ConfigMap', name), ownerReferences: owner('MCPServer', name, 'mcpruntime.org/v1alpha1'), creationTimestamp: T },
      data: { 'policy.json': JSON.stringify({ schema_version: 'v1', revision: 'x'.repeat(64), tools: [] }) },
    });
  }
  items.push(...platformAndEvents(items, nodes));
  return items;
}

function platformAndEvents(items: readonly Raw[], nodes: number): Raw[] {
  const out: Raw[] = [storageClass('standard', { isDefault: true }), issuer('ClusterIssuer', 'mcp-runtime-ca')];
  for (const [name, replicas] of [['kafka', 3], ['clickhouse', 1]] as const) {
    out.push(statefulSet(name, { ns: 'mcp-sentinel', replicas, ready: replicas }));
    for (let i = 0; i < replicas; i++) out.push(persistentVolumeClaim(`data-${name}-${i}`, { ns: 'mcp-sentinel' }));
  }
  out.push(daemonSet('fluent-bit', { ns: 'logging', desired: nodes, ready: nodes }), daemonSet('kube-proxy', { ns: 'kube-system', desired: nodes, ready: nodes }));
  let k = 0;
  for (const p of items) {
    if (p.kind !== 'Pod') continue;
    const st = p.status as { containerStatuses: { name: string; state: { waiting?: unknown } }[] };
    const bad = st.containerStatuses.find((c) => c.state.waiting);
    const name = (p.metadata as Raw).name as string;
    if (bad) out.push(warningEvent(p, 'BackOff', `Back-off restarting failed container ${bad.name} in pod ${name}_${String((p.metadata as Raw).namespace)}(${String((p.metadata as Raw).uid)})`, { container: bad.name, count: 40, last: -5 }));
    else if (k++ % 20 === 0) out.push(warningEvent(p, 'Unhealthy', 'Readiness probe failed: dial tcp 10.244.0.1:8088: connect: connection refused', { container: 'mcp-gateway', count: 1, last: -20 }));
  }
  return out;
}