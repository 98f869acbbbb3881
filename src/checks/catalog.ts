// The reason catalog (product.md §2): every reason an incident can carry, with its default
// severity, grace, remediation and runbook. Remediations are templates filled with the object's real
// names: {namespace}, {name}, {kind} and any attribute or var of the finding ({container}, {image}…).

import type { Severity } from './severity.ts';
import { shellWord } from '../util/redact.ts';

export const REASON_IDS = [
  'MCPServerError',
  'MCPServerPending',
  'MCPServerPartiallyReady',
  'CrashLoopBackOff',
  'ImagePullBackOff',
  'OOMKilled',
  'CreateContainerConfigError',
  'CreateContainerError',
  'RunContainerError',
  'PodFailed',
  'PodEvicted',
  'PodUnschedulable',
  'DeploymentUnavailable',
  'DeploymentProgressDeadlineExceeded',
  'DeploymentReplicaFailure',
  'ServiceNoEndpoints',
  'IngressNotAdmitted',
  'CertificateNotReady',
  'CertificateExpiringSoon',
  'CertificateRequestFailed',
  'CertificateRequestPending',
  'RegistryPullFailed',
  'RegistryUnavailable',
  'GatewayNotReady',
  'PolicyNotMaterialized',
  'OperatorUnavailable',
  'SourceUnavailable',
  'CheckFailed',
] as const;

export type ReasonId = (typeof REASON_IDS)[number];

export interface ReasonSpec {
  reason: ReasonId;
  /** The kind of object the incident is about ('Agent' for the agent itself). */
  kind: string;
  /** Other kinds the incident may be about. */
  alsoKinds?: readonly string[];
  /** The check that emits it. */
  check: string;
  severity: Severity;
  /** Other severities the reason can take (escalations, downgrades), for zero-filled metrics. */
  alsoSeverities?: readonly Severity[];
  title: string;
  description: string;
  remediation: string;
  runbookUrl?: string;
  /** How long the finding must hold before it is an incident (seconds). */
  graceSeconds: number;
  /** Causal layer: a finding can explain findings of a higher layer on the objects above it. */
  layer: number;
}

const K8S_DEBUG_PODS = 'https://kubernetes.io/docs/tasks/debug/debug-application/debug-pods/';
const K8S_DEBUG_SVC = 'https://kubernetes.io/docs/tasks/debug/debug-application/debug-service/';
const K8S_DEPLOY_STATUS = 'https://kubernetes.io/docs/concepts/workloads/controllers/deployment/#deployment-status';
const CERT_MANAGER_TROUBLESHOOT = 'https://cert-manager.io/docs/troubleshooting/';
const OPERATOR_LOGS = 'kubectl -n {operatorNamespace} logs deploy/{operatorDeployment} --since=15m | grep -i {name}';

const specs: readonly ReasonSpec[] = [
  {
    reason: 'MCPServerError',
    kind: 'MCPServer',
    check: 'mcpserver-phase',
    severity: 'critical',
    title: 'MCPServer reconcile failed',
    description: 'The operator set status.phase=Error: the spec was rejected or a sub-resource could not be reconciled.',
    remediation: `{hint} Read what the operator says: kubectl -n {namespace} get mcpserver {name} -o jsonpath='{.status.message}'; then ${OPERATOR_LOGS}`,
    graceSeconds: 30,
    layer: 4,
  },
  {
    reason: 'MCPServerPending',
    kind: 'MCPServer',
    check: 'mcpserver-phase',
    severity: 'warning',
    title: 'MCPServer stuck in Pending',
    description: 'The MCPServer has no status or phase Pending (no readiness flag true) for longer than its grace: the operator is not reconciling it, or nothing it created became ready.',
    remediation: `Check that the operator runs and reconciles: kubectl -n {operatorNamespace} get deploy {operatorDeployment}; ${OPERATOR_LOGS}; kubectl -n {namespace} get deploy,svc,ingress,pods -l app={name}`,
    graceSeconds: 120,
    layer: 4,
  },
  {
    reason: 'MCPServerPartiallyReady',
    kind: 'MCPServer',
    check: 'mcpserver-phase',
    severity: 'warning',
    alsoSeverities: ['info'],
    title: 'MCPServer partially ready',
    description: 'status.phase=PartiallyReady for longer than its grace, and a readiness flag that the spec requires is false (flags of features the spec does not use are ignored).',
    remediation: 'See which part is not ready: kubectl -n {namespace} get mcpserver {name} -o wide; kubectl -n {namespace} get deploy,svc,ingress,pods -l app={name}. {hint}',
    graceSeconds: 300,
    layer: 4,
  },
  {
    reason: 'CrashLoopBackOff',
    kind: 'Pod',
    check: 'pod-crash-loop',
    severity: 'critical',
    title: 'Container crash-looping',
    description: 'A container or init container is waiting with reason CrashLoopBackOff: it keeps exiting and the kubelet backs off restarting it.',
    remediation: 'Read why it exits: kubectl -n {namespace} logs {name} -c {container} --previous; kubectl -n {namespace} describe pod {name}',
    runbookUrl: K8S_DEBUG_PODS,
    graceSeconds: 0,
    layer: 2,
  },
  {
    reason: 'ImagePullBackOff',
    kind: 'Pod',
    check: 'pod-image-pull',
    severity: 'critical',
    title: 'Image cannot be pulled',
    description: 'A container is waiting with ImagePullBackOff, ErrImagePull (the kubelet alternates the two: one incident), InvalidImageName or ErrImageNeverPull.',
    remediation: 'Check the image reference and pull credentials: kubectl -n {namespace} describe pod {name} (Events), then verify {image} exists and the pull secret is valid: kubectl -n {namespace} get pod {name} -o jsonpath=\'{.spec.imagePullSecrets}\'',
    runbookUrl: 'https://kubernetes.io/docs/concepts/containers/images/#imagepullbackoff',
    graceSeconds: 30,
    layer: 2,
  },
  {
    reason: 'OOMKilled',
    kind: 'Pod',
    check: 'pod-oom-killed',
    severity: 'warning',
    title: 'Container killed for exceeding its memory limit',
    description: 'A container whose current or last termination reason is OOMKilled, within the configured window.',
    remediation: 'Raise the memory limit or find the leak: kubectl -n {namespace} get pod {name} -o jsonpath=\'{.spec.containers[?(@.name=="{container}")].resources}\'; for an MCPServer set spec.resources.limits.memory (default 256Mi).',
    runbookUrl: 'https://kubernetes.io/docs/tasks/configure-pod-container/assign-memory-resource/#exceed-a-container-s-memory-limit',
    graceSeconds: 0,
    layer: 1,
  },
  {
    reason: 'CreateContainerConfigError',
    kind: 'Pod',
    check: 'pod-container-config',
    severity: 'critical',
    title: 'Container configuration cannot be built',
    description: 'A container is waiting with CreateContainerConfigError: a referenced Secret or ConfigMap (or a key in it) is missing.',
    remediation: 'Find the missing reference: kubectl -n {namespace} describe pod {name} | grep -A3 -i "error"; create the Secret/ConfigMap or fix the key it names.',
    runbookUrl: K8S_DEBUG_PODS,
    graceSeconds: 30,
    layer: 2,
  },
  {
    reason: 'CreateContainerError',
    kind: 'Pod',
    check: 'pod-container-config',
    severity: 'critical',
    title: 'Container cannot be created or started',
    description: 'A container is waiting with CreateContainerError: the runtime refused to create it (bad mount, security context, name conflict).',
    remediation: 'Read the runtime error: kubectl -n {namespace} describe pod {name}; check the container command, volume mounts and securityContext.',
    runbookUrl: K8S_DEBUG_PODS,
    graceSeconds: 30,
    layer: 2,
  },
  {
    reason: 'RunContainerError',
    kind: 'Pod',
    check: 'pod-container-config',
    severity: 'critical',
    title: 'Container created but cannot be started',
    description: 'A container is waiting with RunContainerError: the runtime created it but could not start its process (the command is not in the image, not executable, or a mount fails at start).',
    remediation: 'The process never started, so there are no logs to read: kubectl -n {namespace} describe pod {name}; check the command and args of container {container} and the entrypoint of image {image}: kubectl -n {namespace} get pod {name} -o jsonpath=\'{.spec.containers[?(@.name=="{container}")].command}\'',
    runbookUrl: K8S_DEBUG_PODS,
    graceSeconds: 30,
    layer: 2,
  },
  {
    reason: 'PodFailed',
    kind: 'Pod',
    check: 'pod-failed',
    severity: 'warning',
    title: 'Pod failed',
    description: 'The pod is in phase Failed (not evicted): its containers terminated with an error and will not be restarted (restartPolicy Never or OnFailure with the Job giving up), or a container could not start at all (StartError, exit 128).',
    remediation: 'kubectl -n {namespace} describe pod {name}; kubectl -n {namespace} logs {name} -c {container}; delete the pod once understood: kubectl -n {namespace} delete pod {name}',
    runbookUrl: K8S_DEBUG_PODS,
    graceSeconds: 0,
    layer: 2,
  },
  {
    reason: 'PodEvicted',
    kind: 'Pod',
    check: 'pod-failed',
    severity: 'warning',
    title: 'Pod evicted',
    description: 'The kubelet evicted the pod (status.reason Evicted) because its node ran short of a resource; the message names the resource and the container using most of it.',
    remediation: 'See which resource ran out: kubectl -n {namespace} get pod {name} -o jsonpath=\'{.status.message}\'; kubectl describe node {node}; set requests that reflect real use, then delete the evicted pod: kubectl -n {namespace} delete pod {name}',
    runbookUrl: 'https://kubernetes.io/docs/concepts/scheduling-eviction/node-pressure-eviction/',
    graceSeconds: 0,
    layer: 2,
  },
  {
    reason: 'PodUnschedulable',
    kind: 'Pod',
    check: 'pod-unschedulable',
    severity: 'warning',
    title: 'Pod cannot be scheduled',
    description: 'Condition PodScheduled=False with reason Unschedulable for longer than its grace: no node fits (resources, taints, affinity, quota).',
    remediation: 'See what the scheduler says: kubectl -n {namespace} describe pod {name} | grep -A5 Events; free capacity, relax requests/affinity, or add nodes.',
    runbookUrl: K8S_DEBUG_PODS,
    graceSeconds: 120,
    layer: 2,
  },
  {
    reason: 'DeploymentUnavailable',
    kind: 'Deployment',
    check: 'deployment-availability',
    severity: 'warning',
    alsoSeverities: ['critical', 'info'],
    title: 'Deployment has unavailable replicas',
    description: 'status.unavailableReplicas>0 or Available=False for longer than its grace; critical when no replica is available; info while a rollout is still progressing within its deadline (Progressing=True, ReplicaSetUpdated).',
    remediation: 'kubectl -n {namespace} rollout status deploy/{name}; kubectl -n {namespace} get pods -l {selector}; kubectl -n {namespace} describe deploy {name}',
    runbookUrl: K8S_DEPLOY_STATUS,
    graceSeconds: 300,
    layer: 3,
  },
  {
    reason: 'DeploymentProgressDeadlineExceeded',
    kind: 'Deployment',
    check: 'deployment-progress',
    severity: 'critical',
    title: 'Deployment rollout stalled',
    description: 'Condition Progressing=False with reason ProgressDeadlineExceeded: the rollout made no progress within spec.progressDeadlineSeconds.',
    remediation: 'Find the pods of the stuck ReplicaSet: kubectl -n {namespace} rollout status deploy/{name}; kubectl -n {namespace} get pods -l {selector}; fix them or roll back: kubectl -n {namespace} rollout undo deploy/{name}',
    runbookUrl: 'https://kubernetes.io/docs/concepts/workloads/controllers/deployment/#failed-deployment',
    graceSeconds: 0,
    layer: 3,
  },
  {
    reason: 'DeploymentReplicaFailure',
    kind: 'Deployment',
    check: 'deployment-replica-failure',
    severity: 'warning',
    title: 'Deployment cannot create pods',
    description: 'Condition ReplicaFailure=True (reason FailedCreate): pods are rejected at creation, typically by a ResourceQuota, LimitRange or admission webhook.',
    remediation: 'kubectl -n {namespace} describe rs -l {selector} | grep -A3 FailedCreate; kubectl -n {namespace} describe resourcequota',
    runbookUrl: K8S_DEPLOY_STATUS,
    graceSeconds: 60,
    layer: 2,
  },
  {
    reason: 'ServiceNoEndpoints',
    kind: 'Service',
    check: 'service-endpoints',
    severity: 'warning',
    alsoSeverities: ['info'],
    title: 'Service has no ready endpoints',
    description: 'A Service with a selector whose EndpointSlices (or Endpoints) have no ready endpoint for longer than its grace; info when it selects no pods at all.',
    remediation: 'kubectl -n {namespace} get endpointslices -l kubernetes.io/service-name={name}; kubectl -n {namespace} get pods -l {selector} -o wide; check the readiness probes of the pods and that the selector matches.',
    runbookUrl: K8S_DEBUG_SVC,
    graceSeconds: 120,
    layer: 3,
  },
  {
    reason: 'IngressNotAdmitted',
    kind: 'Ingress',
    check: 'ingress-admission',
    severity: 'warning',
    alsoSeverities: ['info'],
    title: 'Ingress not admitted by a controller',
    description: 'status.loadBalancer.ingress is empty for longer than its grace while strict ingress readiness applies; info where the controller of that class publishes no load-balancer status on any Ingress.',
    remediation: 'Check the controller for class {ingressClass}: kubectl get ingressclass {ingressClass}; kubectl -n {namespace} describe ingress {name}; for Traefik, set providers.kubernetesIngress.ingressEndpoint.publishedService, or run the operator with MCP_INGRESS_READINESS_MODE=permissive.',
    runbookUrl: 'https://kubernetes.io/docs/concepts/services-networking/ingress-controllers/',
    graceSeconds: 300,
    layer: 2,
  },
  {
    reason: 'CertificateNotReady',
    kind: 'Certificate',
    check: 'certificate-readiness',
    severity: 'warning',
    alsoSeverities: ['critical'],
    title: 'Certificate not ready',
    description: 'cert-manager Certificate Ready=False for longer than its grace (at once when issuance failed); critical when the certificate has expired.',
    remediation: 'kubectl -n {namespace} describe certificate {name}; kubectl -n {namespace} get certificaterequest,order,challenge; check the issuer: kubectl get clusterissuer,issuer -A',
    runbookUrl: CERT_MANAGER_TROUBLESHOOT,
    graceSeconds: 600,
    layer: 2,
  },
  {
    reason: 'CertificateExpiringSoon',
    kind: 'Certificate',
    check: 'certificate-readiness',
    severity: 'warning',
    alsoSeverities: ['critical'],
    title: 'Certificate close to expiry and not renewed',
    description: 'A Ready certificate whose renewal time has passed, or whose expiry is within the warning window, without renewal; critical within 24 hours of expiry.',
    remediation: 'kubectl -n {namespace} describe certificate {name}; kubectl -n {namespace} get certificaterequest; force a renewal with: cmctl renew -n {namespace} {name}',
    runbookUrl: CERT_MANAGER_TROUBLESHOOT,
    graceSeconds: 3600,
    layer: 2,
  },
  {
    reason: 'CertificateRequestFailed',
    kind: 'CertificateRequest',
    check: 'certificate-request',
    severity: 'warning',
    title: 'Certificate request failed or denied',
    description: 'A cert-manager CertificateRequest Ready=False with reason Failed or Denied, while the Certificate it serves is not ready.',
    remediation: 'kubectl -n {namespace} describe certificaterequest {name}; check the issuer {issuer}: kubectl describe {issuerKindLower} {issuerName}',
    runbookUrl: CERT_MANAGER_TROUBLESHOOT,
    graceSeconds: 0,
    layer: 1,
  },
  {
    reason: 'CertificateRequestPending',
    kind: 'CertificateRequest',
    check: 'certificate-request',
    severity: 'warning',
    title: 'Certificate request stuck pending',
    description: 'A cert-manager CertificateRequest Ready=False with reason Pending for longer than its grace, while the Certificate it serves is not ready: typically its issuer does not exist or is not ready.',
    remediation: 'kubectl -n {namespace} describe certificaterequest {name}; check the issuer {issuer} exists and is Ready: kubectl describe {issuerKindLower} {issuerName}',
    runbookUrl: CERT_MANAGER_TROUBLESHOOT,
    graceSeconds: 600,
    layer: 1,
  },
  {
    reason: 'RegistryPullFailed',
    kind: 'Pod',
    check: 'pod-image-pull',
    severity: 'critical',
    title: 'Pull from the MCP Runtime registry failed',
    description: 'An image pull failure whose image host is the platform registry, classified in registry.failure: auth, tls, dns, http_https_mismatch, not_found, connection_refused, rate_limited, timeout or unknown.',
    remediation: '{hint} Details: kubectl -n {namespace} describe pod {name}',
    graceSeconds: 30,
    layer: 2,
  },
  {
    reason: 'RegistryUnavailable',
    kind: 'Deployment',
    alsoKinds: ['Service'],
    check: 'registry-availability',
    severity: 'critical',
    title: 'Platform registry unavailable',
    description: 'The platform registry Deployment is unavailable, or its Service has no ready endpoint: pulls of platform images fail.',
    remediation: 'kubectl -n {registryNamespace} get deploy,svc,endpointslices,pvc,pods; kubectl -n {registryNamespace} describe deploy {registryDeployment}; kubectl -n {registryNamespace} logs deploy/{registryDeployment}',
    graceSeconds: 60,
    layer: 0,
  },
  {
    reason: 'GatewayNotReady',
    kind: 'MCPServer',
    check: 'gateway-readiness',
    severity: 'warning',
    title: 'MCP gateway sidecar not ready',
    description: 'The gateway is enabled and the mcp-gateway container is missing or not ready in the server\'s pods, or status.gatewayReady stays false while the Deployment is ready.',
    remediation: 'kubectl -n {namespace} logs -l app={name} -c mcp-gateway --tail=50; a 503 policy_not_loaded means the policy never loaded: kubectl -n {namespace} get configmap {name}-gateway-policy',
    graceSeconds: 120,
    layer: 3,
  },
  {
    reason: 'PolicyNotMaterialized',
    kind: 'MCPServer',
    check: 'gateway-policy',
    severity: 'critical',
    title: 'Gateway policy not materialized',
    description: 'The gateway is enabled and ConfigMap <name>-gateway-policy is missing or has no policy.json key, or the operator reports a policy render failure.',
    remediation: 'kubectl -n {namespace} get configmap {name}-gateway-policy -o jsonpath=\'{.data}\' | head -c 300; kubectl -n {namespace} get mcpserver {name} -o jsonpath=\'{.status.message}\'; check the MCPAccessGrants/MCPAgentSessions that reference it.',
    graceSeconds: 60,
    layer: 2,
  },
  {
    reason: 'OperatorUnavailable',
    kind: 'Deployment',
    check: 'operator-availability',
    severity: 'critical',
    title: 'MCP Runtime operator unavailable',
    description: 'The operator Deployment has fewer ready replicas than desired (or is missing while MCPServers exist): MCPServers are not reconciled and, with webhooks on, cannot be changed.',
    remediation: 'kubectl -n {operatorNamespace} get pods -l control-plane=controller-manager; kubectl -n {operatorNamespace} describe deploy {operatorDeployment}; kubectl -n {operatorNamespace} logs deploy/{operatorDeployment} -c manager --previous',
    graceSeconds: 60,
    layer: 0,
  },
  {
    reason: 'SourceUnavailable',
    kind: 'Agent',
    check: 'source-availability',
    severity: 'warning',
    alsoSeverities: ['info'],
    title: 'A kind the checks need cannot be read',
    description: 'Listing or watching a kind failed (forbidden by RBAC, CRD not installed, API failing): the checks that need it are skipped, not green. Info when an optional CRD (cert-manager) is simply not installed.',
    // For RBAC, the usual cause; the others (a CRD not installed, a kind not served, 429s, an API
    // server out of reach) get their own remediation from engine/evaluate.ts.
    remediation: 'The agent lacks RBAC for {resource}: kubectl auth can-i list {resource} --all-namespaces --as=system:serviceaccount:{agentNamespace}:sentinel-agent; re-apply its ClusterRole and ClusterRoleBinding from deploy/ (kubectl get clusterrolebinding sentinel-agent -o yaml).',
    graceSeconds: 0,
    layer: 0,
  },
  {
    reason: 'CheckFailed',
    kind: 'Agent',
    check: 'check-execution',
    severity: 'warning',
    title: 'A check failed to run',
    description: 'A check threw an error; its findings are unknown for this evaluation while every other check still ran.',
    remediation: 'Report it with the agent log line for check {check}; run: sentinel-agent doctor --output json --log-level debug',
    graceSeconds: 0,
    layer: 0,
  },
];

export const CATALOG: ReadonlyMap<ReasonId, ReasonSpec> = new Map(specs.map((s) => [s.reason, s]));

export function reasonSpec(reason: ReasonId): ReasonSpec {
  const s = CATALOG.get(reason);
  if (!s) throw new Error(`reason ${reason} is not in the catalog`);
  return s;
}

export function isReasonId(s: string): s is ReasonId {
  return (REASON_IDS as readonly string[]).includes(s);
}

/** Engine-level reasons, emitted by the evaluation itself rather than by a check in the registry. */
export const ENGINE_CHECKS = ['source-availability', 'check-execution'] as const;

/** Vars that are prose written by the checks (their values from objects already shell words). */
const PROSE_VARS: ReadonlySet<string> = new Set(['hint']);

/** Fills a remediation template; unknown placeholders become <placeholder>. Every value is put in
 *  as exactly itself for a shell: outside quotes as one word (quoted when it is not made of safe
 *  characters), inside a single-quoted part of the template with its own quotes escaped.
 *  Remediations are pasted into terminals. */
export function renderTemplate(template: string, vars: Readonly<Record<string, string | number | boolean | undefined>>): string {
  let out = '';
  let inSingle = false;
  let last = 0;
  for (const m of template.matchAll(/\{([a-zA-Z][a-zA-Z0-9_.]*)\}/g)) {
    const literal = template.slice(last, m.index);
    // A quote opens or closes a single-quoted part; between two letters it is prose (operator's).
    for (let i = 0; i < literal.length; i++) {
      if (literal[i] !== "'") continue;
      const around = (literal[i - 1] ?? (i === 0 ? out.slice(-1) : '')) + (literal[i + 1] ?? '');
      if (!/^[A-Za-z]{2}$/.test(around)) inSingle = !inSingle;
    }
    out += literal;
    last = m.index + m[0].length;
    const key = m[1] ?? '';
    const v = vars[key];
    if (v === undefined || v === '') out += `<${key}>`;
    else if (PROSE_VARS.has(key)) out += String(v);
    else out += inSingle ? String(v).replace(/'/g, "'\\''") : shellWord(String(v));
  }
  out += template.slice(last);
  return out
    .replace(/^\s*<hint>\s*/, '')
    .replace(/\s*<hint>\s*$/, '')
    .trim();
}
