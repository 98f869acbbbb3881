// One table per check over real-shaped objects, with the healthy look-alikes that catch false
// positives. Every row runs the real path: raw objects → normalize → store → checks → incidents.

import { afterAll, describe, expect, it } from 'vitest';
import {
  T0,
  at,
  certificate,
  certificateRequest,
  configMap,
  daemonSet,
  deployment,
  endpointSlice,
  healthyPlatform,
  healthyServer,
  ingress,
  issuer,
  mcpServer,
  node,
  persistentVolumeClaim,
  storageClass,
  pod,
  replicaSet,
  running,
  service,
  statefulSet,
  terminated,
  waiting,
  warningEvent,
  type Raw,
} from './support/objects.ts';
import { run, seenReasons, summary } from './support/run.ts';
import { ENGINE_CHECKS, reasonSpec } from '../src/checks/catalog.ts';
import { REASON_IDS } from '../src/checks/reasons.ts';

// Every reason a check gives is produced by at least one row of these tables: counted from the
// incidents the rows' runs produced, not from the names a test file mentions (a test that expects
// a reason's absence names it too).
afterAll(() => {
  const byChecks = REASON_IDS.filter((r) => !(ENGINE_CHECKS as readonly string[]).includes(reasonSpec(r).check));
  expect(byChecks.filter((r) => !seenReasons.has(r))).toEqual([]);
});

interface Row {
  name: string;
  objects: Raw[];
  expect: string[];
  now?: number;
  config?: NonNullable<Parameters<typeof run>[1]>["config"];
}

function table(title: string, rows: Row[]): void {
  describe(title, () => {
    for (const r of rows) {
      it(r.name, () => {
        const opts: NonNullable<Parameters<typeof run>[1]> = {};
        if (r.now !== undefined) opts.now = r.now;
        if (r.config) opts.config = r.config;
        expect(summary(run(r.objects, opts).incidents)).toEqual([...r.expect].sort());
      });
    }
  });
}

const MIN = 60_000;

table('pod-crash-loop', [
  {
    name: 'app container in CrashLoopBackOff',
    objects: [pod('web-1', { containers: [{ name: 'web', ready: false, restarts: 14, state: waiting('CrashLoopBackOff', 'back-off 5m0s restarting failed container=web'), lastState: terminated('Error', 1, -2) }] })],
    expect: ['CrashLoopBackOff Pod mcp-servers/web-1 critical'],
  },
  {
    name: 'init container crash-looping while the app waits PodInitializing',
    objects: [
      pod('db-0', {
        phase: 'Pending',
        containers: [
          { name: 'init-schema', init: true, ready: false, restarts: 7527, state: waiting('CrashLoopBackOff'), lastState: terminated('Error', 1, -1, 'could not connect') },
          { name: 'db', ready: false, state: waiting('PodInitializing') },
        ],
      }),
    ],
    expect: ['CrashLoopBackOff Pod mcp-servers/db-0 critical'],
  },
  {
    name: 'healthy look-alike: restarted once, Ready now',
    objects: [pod('web-2', { containers: [{ name: 'web', restarts: 1, state: running(-30), lastState: terminated('Error', 1, -31) }] })],
    expect: [],
  },
  {
    name: 'terminating pod is not reported',
    objects: [{ ...pod('web-3', { containers: [{ name: 'web', ready: false, state: waiting('CrashLoopBackOff') }] }), metadata: { name: 'web-3', namespace: 'mcp-servers', deletionTimestamp: '2026-11-24T09:59:00Z' } }],
    expect: [],
  },
]);

table('pod-image-pull', [
  {
    name: 'ErrImagePull and ImagePullBackOff are one incident per pod',
    objects: [
      pod('api-1', { containers: [{ name: 'api', image: 'ghcr.io/acme/api:v2', ready: false, state: waiting('ErrImagePull', 'rpc error: code = NotFound desc = failed to pull and unpack image "ghcr.io/acme/api:v2": not found') }] }),
      pod('api-2', { containers: [{ name: 'api', image: 'ghcr.io/acme/api:v2', ready: false, state: waiting('ImagePullBackOff', 'Back-off pulling image "ghcr.io/acme/api:v2"') }] }),
    ],
    expect: ['ImagePullBackOff Pod mcp-servers/api-1 critical', 'ImagePullBackOff Pod mcp-servers/api-2 critical'],
  },
  {
    name: 'InvalidImageName',
    objects: [pod('bad-1', { containers: [{ name: 'bad', image: 'UPPER/case:x', ready: false, state: waiting('InvalidImageName', 'Failed to apply default image tag') }] })],
    expect: ['ImagePullBackOff Pod mcp-servers/bad-1 critical'],
  },
  {
    name: 'pull from the platform registry is RegistryPullFailed',
    objects: [pod('weather-1', { containers: [{ name: 'weather', image: 'registry.registry.svc.cluster.local:5000/weather:v1', ready: false, state: waiting('ErrImagePull', 'failed to resolve reference: unexpected status from HEAD request: 401 Unauthorized') }] })],
    expect: ['RegistryPullFailed Pod mcp-servers/weather-1 critical'],
  },
  {
    name: 'registry by ClusterIP of the registry Service is the platform registry',
    objects: [
      ...healthyPlatform(),
      pod('t-1', { containers: [{ name: 't', image: '10.43.174.51:5000/t:latest', ready: false, state: waiting('ErrImagePull', 'x509: cannot validate certificate for 10.43.174.51 because it doesn\'t contain any IP SANs') }] }),
    ],
    expect: ['RegistryPullFailed Pod mcp-servers/t-1 critical'],
  },
]);

table('pod-oom-killed', [
  {
    name: 'last termination OOMKilled five minutes ago',
    objects: [pod('mem-1', { containers: [{ name: 'mem', restarts: 3, state: running(-4), lastState: terminated('OOMKilled', 137, -5) }] })],
    expect: ['OOMKilled Pod mcp-servers/mem-1 warning'],
  },
  {
    name: 'OOMKilled and crash-looping: both, the OOM kill as root',
    objects: [pod('mem-2', { containers: [{ name: 'mem', ready: false, restarts: 9, state: waiting('CrashLoopBackOff'), lastState: terminated('OOMKilled', 137, -1) }] })],
    expect: ['CrashLoopBackOff Pod mcp-servers/mem-2 critical', 'OOMKilled Pod mcp-servers/mem-2 warning'],
  },
  {
    name: 'healthy look-alike: OOMKilled three days ago, running fine since',
    objects: [pod('mem-3', { containers: [{ name: 'mem', restarts: 1, state: running(-3 * 24 * 60), lastState: terminated('OOMKilled', 137, -3 * 24 * 60) }] })],
    expect: [],
  },
  {
    name: 'healthy look-alike: exit code 137 with reason Error is not an OOM kill',
    objects: [pod('sig-1', { containers: [{ name: 'sig', restarts: 1, state: running(-10), lastState: terminated('Error', 137, -11) }] })],
    expect: [],
  },
]);

table('pod-container-config and pod-unschedulable', [
  {
    name: 'missing Secret key',
    objects: [pod('cfg-1', { containers: [{ name: 'cfg', ready: false, state: waiting('CreateContainerConfigError', 'couldn\'t find key token in Secret mcp-servers/creds') }] })],
    expect: ['CreateContainerConfigError Pod mcp-servers/cfg-1 critical'],
  },
  {
    name: 'CreateContainerError',
    objects: [pod('mnt-1', { containers: [{ name: 'mnt', ready: false, state: waiting('CreateContainerError', 'Error: container create failed: mount "/data" not allowed') }] })],
    expect: ['CreateContainerError Pod mcp-servers/mnt-1 critical'],
  },
  {
    name: 'RunContainerError',
    objects: [pod('run-1', { containers: [{ name: 'run', ready: false, state: waiting('RunContainerError', 'exec: "wge": executable file not found in $PATH') }] })],
    expect: ['RunContainerError Pod mcp-servers/run-1 critical'],
  },
  {
    name: 'Unschedulable',
    objects: [pod('big-1', { containers: [{ name: 'big' }], scheduled: { status: 'False', reason: 'Unschedulable', message: '0/3 nodes are available: 3 Insufficient memory.', since: -10 } })],
    expect: ['PodUnschedulable Pod mcp-servers/big-1 warning'],
  },
]);

/** The object as it is once deleted and waiting for its finalizers or grace period. */
function deleting(o: Raw): Raw {
  (o.metadata as Raw).deletionTimestamp = at(-1);
  return o;
}

table('pod-not-ready', [
  {
    name: 'runs but not ready beyond its grace (a failing readiness probe)',
    objects: [pod('api-1', { containers: [{ name: 'api', ready: false, state: running(-40) }], readySince: -30 })],
    expect: ['PodNotReady Pod mcp-servers/api-1 warning'],
  },
  {
    name: 'the sidecar not ready while the server is: the pod is not ready',
    objects: [pod('api-1', { containers: [{ name: 'api', state: running(-40) }, { name: 'mcp-gateway', ready: false, state: running(-40) }], readySince: -30 })],
    expect: ['PodNotReady Pod mcp-servers/api-1 warning'],
  },
  {
    name: 'ready pods, and a pod whose Ready is False with every container ready (a readiness gate): nothing',
    objects: [pod('ok-1', { containers: [{ name: 'ok', state: running(-40) }] }), pod('gate-1', { containers: [{ name: 'gate', state: running(-40) }], ready: false, readySince: -30 })],
    expect: [],
  },
  {
    name: 'a container that restarted minutes ago is left to the crash and OOM checks',
    objects: [pod('flap-1', { containers: [{ name: 'flap', ready: false, restarts: 4, state: running(-1), lastState: terminated('Error', 1, -2) }], readySince: -30 })],
    expect: [],
  },
  {
    name: 'a container that restarted an hour ago and runs not ready since is not ready',
    objects: [pod('slow-1', { containers: [{ name: 'slow', ready: false, restarts: 1, state: running(-59), lastState: terminated('Error', 1, -60) }], readySince: -59 })],
    expect: ['PodNotReady Pod mcp-servers/slow-1 warning'],
  },
  {
    name: 'a waiting container is left to the check that says why (CrashLoopBackOff)',
    objects: [pod('crash-1', { containers: [{ name: 'crash', ready: false, restarts: 9, state: waiting('CrashLoopBackOff', 'back-off 5m0s restarting failed container') }], readySince: -30 })],
    expect: ['CrashLoopBackOff Pod mcp-servers/crash-1 critical'],
  },
  {
    name: 'a pod being deleted, and a pod not Running, are not judged',
    objects: [
      deleting(pod('gone-1', { containers: [{ name: 'gone', ready: false, state: running(-40) }], readySince: -30 })),
      pod('done-1', { containers: [{ name: 'done', ready: false, state: terminated('Completed', 0, -5) }], phase: 'Succeeded', readySince: -5 }),
    ],
    expect: [],
  },
]);

table('deployments', [
  {
    name: 'no replica available is critical',
    objects: [deployment('api', { replicas: 2, ready: 0 })],
    expect: ['DeploymentUnavailable Deployment mcp-servers/api critical'],
  },
  {
    name: 'one of three unavailable is a warning',
    objects: [deployment('api', { replicas: 3, ready: 2, available: 2, conditions: [{ type: 'Available', status: 'True', reason: 'MinimumReplicasAvailable', lastTransitionTime: '2026-11-24T09:00:00Z' }] })],
    expect: ['DeploymentUnavailable Deployment mcp-servers/api warning'],
  },
  {
    name: 'ProgressDeadlineExceeded',
    objects: [
      deployment('api', {
        replicas: 1,
        conditions: [
          { type: 'Available', status: 'True', reason: 'MinimumReplicasAvailable', lastTransitionTime: '2026-11-24T08:00:00Z' },
          { type: 'Progressing', status: 'False', reason: 'ProgressDeadlineExceeded', message: 'ReplicaSet "api-75dd4d49d5" has timed out progressing.', lastTransitionTime: '2026-11-24T09:30:00Z' },
        ],
      }),
    ],
    expect: ['DeploymentProgressDeadlineExceeded Deployment mcp-servers/api critical'],
  },
  {
    name: 'ReplicaFailure from a quota',
    objects: [
      deployment('api', {
        replicas: 1,
        ready: 0,
        conditions: [{ type: 'ReplicaFailure', status: 'True', reason: 'FailedCreate', message: 'pods "api-x" is forbidden: exceeded quota: platform-default-quota', lastTransitionTime: '2026-11-24T09:30:00Z' }],
      }),
    ],
    expect: ['DeploymentReplicaFailure Deployment mcp-team-acme/api warning', 'DeploymentUnavailable Deployment mcp-team-acme/api critical'].map((s) => s.replace('mcp-team-acme', 'mcp-servers')),
  },
  { name: 'scaled to zero is not unavailable', objects: [deployment('idle', { replicas: 0, ready: 0 })], expect: [] },
  { name: 'healthy', objects: [deployment('ok')], expect: [] },
]);

table('service-endpoints', [
  {
    name: 'selected pods exist, none ready',
    objects: [service('api'), endpointSlice('api', { ready: 0, notReady: 2 }), pod('api-1', { labels: { app: 'api' }, ready: false, containers: [{ name: 'api', ready: false }] })],
    // The pod runs not ready (past PodNotReady's grace in this fixture): both are true.
    expect: ['PodNotReady Pod mcp-servers/api-1 warning', 'ServiceNoEndpoints Service mcp-servers/api warning'],
  },
  {
    name: 'healthy look-alike: one ready and one unready endpoint',
    objects: [service('api'), endpointSlice('api', { ready: 1, notReady: 1 })],
    expect: [],
  },
  {
    name: 'selector matches no pod at all: info',
    objects: [service('ghost'), endpointSlice('ghost', { ready: 0 }), pod('other-1', { labels: { app: 'other' }, containers: [{ name: 'x' }] })],
    expect: ['ServiceNoEndpoints Service mcp-servers/ghost info'],
  },
  { name: 'a Service without selector is not judged', objects: [service('external', { selector: null }), endpointSlice('api', { ready: 1 })], expect: [] },
  {
    name: 'legacy v1 Endpoints when the dump has no EndpointSlices',
    objects: [service('old'), { apiVersion: 'v1', kind: 'Endpoints', metadata: { name: 'old', namespace: 'mcp-servers' }, subsets: [{ notReadyAddresses: [{ ip: '10.0.0.1' }], ports: [{ port: 80 }] }] }],
    expect: ['ServiceNoEndpoints Service mcp-servers/old warning'],
  },
]);

table('ingress-admission', [
  { name: 'empty load-balancer status', objects: [ingress('api')], expect: ['IngressNotAdmitted Ingress mcp-servers/api warning'] },
  { name: 'admitted', objects: [ingress('api', { lb: ['10.0.0.1'] })], expect: [] },
  {
    name: 'permissive mode counts rule-bearing Ingresses as ready',
    objects: [ingress('api')],
    config: (c) => {
      c.checks.ingressReadinessMode = 'permissive';
    },
    expect: [],
  },
  {
    name: 'a class whose controller never publishes status: info',
    objects: [ingress('a'), ingress('b')],
    expect: ['IngressNotAdmitted Ingress mcp-servers/a info', 'IngressNotAdmitted Ingress mcp-servers/b info'],
  },
  {
    name: 'old extensions/v1beta1 Ingress with serviceName backend',
    objects: [
      {
        apiVersion: 'extensions/v1beta1',
        kind: 'Ingress',
        metadata: { name: 'legacy', namespace: 'web', annotations: { 'kubernetes.io/ingress.class': 'nginx' } },
        spec: { rules: [{ host: 'x.example.com', http: { paths: [{ path: '/', backend: { serviceName: 'web', servicePort: 80 } }] } }] },
        status: { loadBalancer: {} },
      },
    ],
    expect: ['IngressNotAdmitted Ingress web/legacy warning'],
  },
]);

table('certificates', [
  { name: 'Ready=False', objects: [certificate('registry-cert', { ns: 'registry', ready: 'False', since: -20 })], expect: ['CertificateNotReady Certificate registry/registry-cert warning'] },
  {
    name: 'healthy look-alike: Ready=True with another condition False',
    objects: [certificate('ok-cert', { ready: 'True', notBefore: -60 * 24, notAfter: 60 * 24 * 60, renewal: 60 * 24 * 45, extra: [{ type: 'Issuing', status: 'False', reason: 'Done', lastTransitionTime: '2026-11-24T09:00:00Z' }] })],
    expect: [],
  },
  {
    name: 'expired is critical',
    objects: [certificate('old', { ready: 'False', reason: 'Expired', notAfter: -60, since: -60 })],
    expect: ['CertificateNotReady Certificate mcp-servers/old critical'],
  },
  {
    name: 'renewal overdue and close to expiry',
    objects: [certificate('late', { ready: 'True', notBefore: -60 * 24 * 80, notAfter: 60 * 10, renewal: -60 * 24 * 5 })],
    expect: ['CertificateExpiringSoon Certificate mcp-servers/late critical'],
  },
  {
    name: 'request failed while its Certificate is not ready',
    objects: [certificate('site', { ready: 'False', since: -15 }), certificateRequest('site-1', { reason: 'Failed', certificate: 'site' })],
    expect: ['CertificateNotReady Certificate mcp-servers/site warning', 'CertificateRequestFailed CertificateRequest mcp-servers/site-1 warning'],
  },
  {
    name: 'healthy look-alike: an old failed request of a Certificate that is Ready now',
    objects: [certificate('site', { ready: 'True' }), certificateRequest('site-1', { reason: 'Denied', certificate: 'site' })],
    expect: [],
  },
  {
    name: 'legacy certmanager.k8s.io/v1alpha1 Certificate',
    objects: [{ ...certificate('legacy', { ready: 'False' }), apiVersion: 'certmanager.k8s.io/v1alpha1' }],
    expect: ['CertificateNotReady Certificate mcp-servers/legacy warning'],
  },
]);

table('platform: operator, registry, Sentinel, ingress controller, cert-manager', [
  { name: 'healthy platform', objects: healthyPlatform(), expect: [] },
  {
    name: "Sentinel's ingest with 1 of 3 ready: SentinelUnavailable, not a second DeploymentUnavailable",
    objects: [deployment('mcp-sentinel-ingest', { ns: 'mcp-sentinel', replicas: 3, ready: 1, available: 1 }), deployment('mcp-sentinel-ui', { ns: 'mcp-sentinel' })],
    expect: ['SentinelUnavailable Deployment mcp-sentinel/mcp-sentinel-ingest critical'],
  },
  { name: "k3s' bundled Traefik down (the first alternative that exists)", objects: [deployment('traefik', { ns: 'kube-system', ready: 0, available: 0 })], expect: ['IngressControllerUnavailable Deployment kube-system/traefik critical'] },
  { name: "cert-manager's webhook down", objects: [deployment('cert-manager', { ns: 'cert-manager' }), deployment('cert-manager-webhook', { ns: 'cert-manager', ready: 0, available: 0 })], expect: ['CertManagerUnavailable Deployment cert-manager/cert-manager-webhook critical'] },
  {
    name: 'healthy look-alikes: components not installed, all ready, scaled to zero',
    objects: [deployment('mcp-sentinel-processor', { ns: 'mcp-sentinel', replicas: 3 }), deployment('traefik', { ns: 'traefik', replicas: 0, ready: 0, available: 0 }), deployment('traefik', { ns: 'kube-system', ready: 0, available: 0 })],
    expect: [],
  },
  {
    name: 'operator with 0 of 2 ready',
    objects: [deployment('mcp-runtime-operator-controller-manager', { ns: 'mcp-runtime', replicas: 2, ready: 0 })],
    expect: ['OperatorUnavailable Deployment mcp-runtime/mcp-runtime-operator-controller-manager critical'],
  },
  {
    name: 'operator missing while MCPServers exist',
    objects: [deployment('other', { ns: 'mcp-runtime' }), mcpServer('a', { phase: 'Ready', flags: { deploymentReady: true, serviceReady: true, ingressReady: true } })],
    expect: ['OperatorUnavailable Deployment mcp-runtime/mcp-runtime-operator-controller-manager critical'],
  },
  {
    name: 'registry Deployment down: RegistryUnavailable, not a second DeploymentUnavailable',
    objects: [...healthyPlatform().filter((o) => !(o.kind === 'Deployment' && (o.metadata as Raw).name === 'registry')), deployment('registry', { ns: 'registry', ready: 0 })],
    expect: ['RegistryUnavailable Deployment registry/registry critical'],
  },
  {
    name: 'registry Service without ready endpoints',
    objects: [...healthyPlatform().filter((o) => o.kind !== 'EndpointSlice'), endpointSlice('registry', { ns: 'registry', ready: 0, notReady: 1 })],
    expect: ['RegistryUnavailable Service registry/registry critical'],
  },
]);

describe('platform outages as root causes', () => {
  it('an ingress controller with none ready explains the Ingresses of its class not admitted; one still serving does not', () => {
    const objs = (ready: number): Raw[] => [deployment('traefik', { ns: 'traefik', replicas: 2, ready, available: ready }), ingress('a', { className: 'traefik', lb: ['10.0.0.9'] }), ingress('orphan', { className: 'traefik' })];
    const down = run(objs(0)).incidents;
    const controller = down.find((i) => i.reason === 'IngressControllerUnavailable');
    expect(down.find((i) => i.reason === 'IngressNotAdmitted')?.rootCauseId).toBe(controller?.id);
    const half = run(objs(1)).incidents;
    expect(half.find((i) => i.reason === 'IngressNotAdmitted')?.rootCauseId).toBeUndefined();
  });

  it('cert-manager with none ready explains Certificates not ready', () => {
    const r = run([deployment('cert-manager', { ns: 'cert-manager', ready: 0, available: 0 }), certificate('gw-mtls', { ready: 'False', reason: 'Issuing', message: 'Issuing certificate as Secret does not exist' })]);
    expect(r.incidents.find((i) => i.reason === 'CertificateNotReady')?.rootCauseId).toBe(r.incidents.find((i) => i.reason === 'CertManagerUnavailable')?.id);
  });

  it('the components are configurable (namespace/deployment), and a wrong reference is a config error naming it', () => {
    const objs = [deployment('ingest', { ns: 'mcp-observability', ready: 0, available: 0 })];
    expect(summary(run(objs).incidents)).toEqual(['DeploymentUnavailable Deployment mcp-observability/ingest critical']);
    expect(summary(run(objs, { config: (c) => { c.checks.platform = { ...c.checks.platform, sentinel: ['mcp-observability/ingest'] }; } }).incidents)).toEqual(['SentinelUnavailable Deployment mcp-observability/ingest critical']);
  });
});

const flagsReady = { deploymentReady: true, serviceReady: true, ingressReady: true };

table('mcpserver-phase, gateway-readiness, gateway-policy', [
  { name: 'healthy gateway-less server (GatewayReady/PolicyReady/CanaryReady False with reason Ready)', objects: healthyServer('plain'), expect: [] },
  { name: 'healthy server with gateway', objects: healthyServer('gw', { gateway: true }), expect: [] },
  {
    name: 'Error with the operator message',
    objects: [mcpServer('bad', { phase: 'Error', message: 'gateway.image is required when gateway.enabled is true (set MCP_GATEWAY_PROXY_IMAGE)', gateway: true }), configMap('bad-gateway-policy', { data: { 'policy.json': '{}' } })],
    expect: ['MCPServerError MCPServer mcp-servers/bad critical'],
  },
  { name: 'no status at all', objects: [mcpServer('new', { noStatus: true, created: -10 })], expect: ['MCPServerPending MCPServer mcp-servers/new warning'] },
  { name: 'Pending', objects: [mcpServer('p', { phase: 'Pending' })], expect: ['MCPServerPending MCPServer mcp-servers/p warning'] },
  {
    name: 'PartiallyReady on a required flag',
    objects: [mcpServer('half', { phase: 'PartiallyReady', flags: { serviceReady: true, ingressReady: true } })],
    expect: ['MCPServerPartiallyReady MCPServer mcp-servers/half warning'],
  },
  {
    name: 'PartiallyReady only on ingressReady for an mTLS server is info (operator inconsistency)',
    objects: [mcpServer('m', { phase: 'PartiallyReady', authMode: 'mtls', gateway: true, flags: { deploymentReady: true, serviceReady: true, gatewayReady: true, policyReady: true } }), configMap('m-gateway-policy', { data: { 'policy.json': '{}' } })],
    expect: ['MCPServerPartiallyReady MCPServer mcp-servers/m info'],
  },
  {
    // The canary is CanaryNotReady's: one incident for it, not a second PartiallyReady one.
    name: 'PartiallyReady with canaryReady false for a Canary rollout',
    objects: [mcpServer('c', { phase: 'PartiallyReady', canary: 1, flags: flagsReady })],
    expect: ['CanaryNotReady MCPServer mcp-servers/c warning'],
  },
  {
    name: 'PartiallyReady on the canary and on the ingress: both, each its own',
    objects: [mcpServer('c', { phase: 'PartiallyReady', canary: 1, flags: { deploymentReady: true, serviceReady: true } })],
    expect: ['CanaryNotReady MCPServer mcp-servers/c warning', 'MCPServerPartiallyReady MCPServer mcp-servers/c warning'],
  },
  {
    name: 'gateway enabled and the policy ConfigMap is missing',
    objects: [...healthyServer('gw', { gateway: true }).filter((o) => o.kind !== 'ConfigMap'), configMap('kube-root-ca.crt', { data: { 'ca.crt': 'x' } })],
    expect: ['PolicyNotMaterialized MCPServer mcp-servers/gw critical'],
  },
  {
    name: 'policy ConfigMap without policy.json',
    objects: [...healthyServer('gw', { gateway: true }).filter((o) => o.kind !== 'ConfigMap'), configMap('gw-gateway-policy', { data: { 'other.json': '{}' } })],
    expect: ['PolicyNotMaterialized MCPServer mcp-servers/gw critical'],
  },
  {
    name: 'mcp-gateway sidecar crash-looping: the pod is the root of the gateway and deployment incidents',
    objects: (() => {
      const objs = healthyServer('gw', { gateway: true });
      const i = objs.findIndex((o) => o.kind === 'Pod');
      objs[i] = pod('gw-7d9f8b6c5d-x2x9q', {
        labels: { app: 'gw', 'app.kubernetes.io/managed-by': 'mcp-runtime', 'mcpruntime.org/rollout-track': 'stable', 'pod-template-hash': '7d9f8b6c5d' },
        owner: { kind: 'ReplicaSet', name: 'gw-7d9f8b6c5d' },
        ready: false,
        containers: [{ name: 'gw' }, { name: 'mcp-gateway', ready: false, restarts: 6, state: waiting('CrashLoopBackOff'), lastState: terminated('Error', 1, -1, 'initial policy load failed: open /var/run/mcp-runtime/policy/policy.json: no such file') }],
      });
      const d = objs.findIndex((o) => o.kind === 'Deployment');
      objs[d] = deployment('gw', { labels: { app: 'gw' }, selector: { app: 'gw', 'mcpruntime.org/rollout-track': 'stable' }, owner: { kind: 'MCPServer', name: 'gw' }, containers: ['gw', 'mcp-gateway'], ready: 0 });
      const e = objs.findIndex((o) => o.kind === 'EndpointSlice');
      objs[e] = endpointSlice('gw', { ready: 0, notReady: 1 });
      return objs;
    })(),
    expect: [
      'CrashLoopBackOff Pod mcp-servers/gw-7d9f8b6c5d-x2x9q critical',
      'DeploymentUnavailable Deployment mcp-servers/gw critical',
      'GatewayNotReady MCPServer mcp-servers/gw warning',
      'ServiceNoEndpoints Service mcp-servers/gw warning',
    ],
  },
]);

table('canary-readiness', [
  {
    name: 'the canary Deployment has no ready replica: it explains the canary, which is its own incident',
    objects: [
      mcpServer('c', { phase: 'PartiallyReady', canary: 1, flags: flagsReady }),
      deployment('c-canary', { replicas: 1, ready: 0, owner: { kind: 'MCPServer', name: 'c' }, selector: { app: 'c', 'mcpruntime.org/rollout-track': 'canary' } }),
    ],
    expect: ['CanaryNotReady MCPServer mcp-servers/c warning', 'DeploymentUnavailable Deployment mcp-servers/c-canary critical'],
  },
  { name: 'healthy: a Canary rollout whose canary is ready', objects: [mcpServer('c', { phase: 'Ready', canary: 1, flags: { ...flagsReady, canaryReady: true } })], expect: [] },
  { name: 'healthy look-alike: canaryReady false on a server that is not a canary (forced false by the operator)', objects: [mcpServer('r', { phase: 'Ready', flags: flagsReady })], expect: [] },
  { name: 'no status yet is MCPServerPending\'s, not the canary\'s', objects: [mcpServer('n', { noStatus: true, canary: 1, created: -10 })], expect: ['MCPServerPending MCPServer mcp-servers/n warning'] },
]);

describe('canary readiness, status.url and the gateway default', () => {
  it('the canary message says what the canary Deployment shows and the root cause is the Deployment', () => {
    const r = run([mcpServer('c', { phase: 'PartiallyReady', canary: 2, flags: flagsReady }), deployment('c-canary', { replicas: 2, ready: 1, owner: { kind: 'MCPServer', name: 'c' } })]);
    const canary = r.incidents.find((i) => i.reason === 'CanaryNotReady');
    expect(canary?.message).toBe('The canary is not ready: 1 of 2 replicas ready (spec.rollout.canaryReplicas 2)');
    expect(canary?.remediation).toContain('rollout status deploy/c-canary');
    const dep = r.incidents.find((i) => i.reason === 'DeploymentUnavailable');
    expect(canary?.rootCauseId).toBe(dep?.id);
    const missing = run([mcpServer('m', { phase: 'PartiallyReady', canary: 1, flags: flagsReady })]).incidents[0];
    expect(missing?.message).toBe('The canary is not ready: Deployment m-canary does not exist (spec.rollout.canaryReplicas 1)');
  });

  it('a canary not ready for less than its five minutes of grace is not yet an incident', () => {
    const objs = [mcpServer('c', { phase: 'PartiallyReady', canary: 1, flags: flagsReady, since: -2 })];
    expect(summary(run(objs, { applyGrace: true }).incidents)).toEqual([]);
    expect(summary(run(objs, { applyGrace: true, now: T0 + 4 * MIN }).incidents)).toEqual(['CanaryNotReady MCPServer mcp-servers/c warning']);
  });

  it('status.url, where the operator sets it, is in the MCPServer messages', () => {
    const url = 'https://mcp.example.com/half/mcp';
    const r = run([mcpServer('half', { phase: 'PartiallyReady', url, flags: { serviceReady: true, ingressReady: true } }), mcpServer('e', { phase: 'Error', url, message: 'Failed to reconcile Deployment: boom' })]);
    for (const i of r.incidents) expect(i.message).toContain(`(status.url ${url})`);
    expect(r.incidents.length).toBe(2);
  });

  it('an omitted spec.gateway.enabled is off by default and on when the operator version turns it on', () => {
    const objs = [...healthyServer('plain'), ...healthyPlatform()];
    expect(summary(run(objs).incidents)).toEqual([]);
    const on = run(objs, { config: (c) => void (c.checks.operator.gatewayEnabledByDefault = true) });
    // (The policy check is skipped: the dump holds no ConfigMap, so it cannot say one is missing.)
    expect(summary(on.incidents)).toEqual(['GatewayNotReady MCPServer mcp-servers/plain warning']);
    // An explicit false stays off whatever the default.
    const off = objs.map((o) => (o.kind === 'MCPServer' ? { ...o, spec: { ...(o.spec as Raw), gateway: { enabled: false } } } : o));
    expect(summary(run(off, { config: (c) => void (c.checks.operator.gatewayEnabledByDefault = true) }).incidents)).toEqual([]);
  });
});

/** A Deployment mid-rollout: `old` ready pods of revision 1 and the new revision's pods as given. */
function rollout(fresh: Raw[], o: { old?: number; progressing?: Raw } = {}): Raw[] {
  const labels = { app: 'web' };
  const old = o.old ?? 3;
  const progressing = o.progressing ?? { type: 'Progressing', status: 'True', reason: 'ReplicaSetUpdated', message: 'ReplicaSet "web-new" is progressing.', lastUpdateTime: at(-1), lastTransitionTime: at(-60) };
  return [
    deployment('web', { replicas: 4, ready: old, updated: fresh.length, conditions: [{ type: 'Available', status: 'True', reason: 'MinimumReplicasAvailable', lastTransitionTime: at(-60) }, progressing] }),
    replicaSet('web-old', 'web', { labels, revision: 1, replicas: old }),
    replicaSet('web-new', 'web', { labels, revision: 2, replicas: fresh.length }),
    ...Array.from({ length: old }, (_, i) => pod(`web-old-${i}`, { labels, owner: { kind: 'ReplicaSet', name: 'web-old' }, containers: [{ name: 'web' }] })),
    ...fresh,
  ];
}
const newPod = (name: string, c: Parameters<typeof pod>[1]['containers'][number], o: { readySince?: number } = {}): Raw =>
  pod(name, { labels: { app: 'web' }, owner: { kind: 'ReplicaSet', name: 'web-new' }, ready: false, containers: [c], ...(o.readySince !== undefined ? { readySince: o.readySince } : {}) });

table('deployment-rollout', [
  {
    name: "the new ReplicaSet's pod crash-loops while three old pods serve",
    objects: rollout([newPod('web-new-0', { name: 'web', ready: false, restarts: 5, state: waiting('CrashLoopBackOff', 'back-off 2m40s') })]),
    expect: ['CrashLoopBackOff Pod mcp-servers/web-new-0 critical', 'DeploymentRolloutFailing Deployment mcp-servers/web warning', 'DeploymentUnavailable Deployment mcp-servers/web info'],
  },
  {
    name: 'a new pod that runs but fails its readiness probe',
    objects: rollout([newPod('web-new-0', { name: 'web', ready: false }, { readySince: -30 })]),
    expect: ['DeploymentRolloutFailing Deployment mcp-servers/web warning', 'DeploymentUnavailable Deployment mcp-servers/web info', 'PodNotReady Pod mcp-servers/web-new-0 warning'],
  },
  { name: 'healthy: the rollout done, the old ReplicaSet scaled to zero', objects: rollout([newPod('web-new-0', { name: 'web' }), newPod('web-new-1', { name: 'web' })].map((p) => ({ ...p, status: { ...(p.status as Raw), conditions: [{ type: 'Ready', status: 'True' }] } })), { old: 0 }).filter((o) => o.kind !== 'Deployment').concat([deployment('web', { replicas: 2 })]), expect: [] },
  {
    name: 'nothing old serves: the Deployment is unavailable, not a hidden bad rollout',
    objects: rollout([newPod('web-new-0', { name: 'web', ready: false, restarts: 5, state: waiting('CrashLoopBackOff') })], { old: 0 }),
    expect: ['CrashLoopBackOff Pod mcp-servers/web-new-0 critical', 'DeploymentUnavailable Deployment mcp-servers/web info'],
  },
  {
    name: 'past the progress deadline it is DeploymentProgressDeadlineExceeded alone',
    objects: rollout([newPod('web-new-0', { name: 'web', ready: false, restarts: 5, state: waiting('ImagePullBackOff', 'Back-off pulling image "web:2.0"') })], { progressing: { type: 'Progressing', status: 'False', reason: 'ProgressDeadlineExceeded', message: 'ReplicaSet "web-new" has timed out progressing.', lastTransitionTime: at(-5) } }),
    expect: ['DeploymentProgressDeadlineExceeded Deployment mcp-servers/web critical', 'DeploymentUnavailable Deployment mcp-servers/web warning', 'ImagePullBackOff Pod mcp-servers/web-new-0 critical'],
  },
]);

table('statefulset-availability and daemonset-availability', [
  { name: "Kafka with one of three brokers ready (Sentinel's quorum lost)", objects: [statefulSet('kafka', { ns: 'mcp-sentinel', replicas: 3, ready: 1 })], expect: ['StatefulSetUnavailable StatefulSet mcp-sentinel/kafka warning'] },
  { name: 'none ready is critical', objects: [statefulSet('clickhouse', { ns: 'mcp-sentinel', replicas: 1, ready: 0 })], expect: ['StatefulSetUnavailable StatefulSet mcp-sentinel/clickhouse critical'] },
  { name: 'healthy, and scaled to zero', objects: [statefulSet('kafka', { replicas: 3 }), statefulSet('idle', { replicas: 0, ready: 0 })], expect: [] },
  { name: 'a DaemonSet with pods unavailable on two of five nodes', objects: [daemonSet('promtail', { ns: 'mcp-sentinel', desired: 5, ready: 3 })], expect: ['DaemonSetUnavailable DaemonSet mcp-sentinel/promtail warning'] },
  { name: 'a DaemonSet running where it should not (misscheduled)', objects: [daemonSet('node-exporter', { desired: 3, misscheduled: 1 })], expect: ['DaemonSetUnavailable DaemonSet mcp-servers/node-exporter warning'] },
  { name: 'a DaemonSet no pod of which is ready is critical', objects: [daemonSet('cni', { desired: 3, ready: 0 })], expect: ['DaemonSetUnavailable DaemonSet mcp-servers/cni critical'] },
  { name: 'healthy: every node runs it, and a DaemonSet whose node selector matches no node', objects: [daemonSet('promtail', { desired: 3 }), daemonSet('gpu-plugin', { desired: 0, ready: 0 })], expect: [] },
]);

table('node-health', [
  { name: 'the kubelet reports it cannot run pods (Ready False)', objects: [node('worker-1', { ready: 'False' })], expect: ['NodeNotReady Node /worker-1 critical'] },
  { name: 'the kubelet stopped posting status (Ready Unknown, set by the node lifecycle controller)', objects: [node('worker-2', { ready: 'Unknown' })], expect: ['NodeNotReady Node /worker-2 critical'] },
  {
    name: 'memory and disk pressure: one incident per condition',
    objects: [node('worker-3', { pressure: [{ type: 'MemoryPressure' }, { type: 'DiskPressure', message: 'kubelet has disk pressure' }] })],
    expect: ['NodePressure Node /worker-3 warning', 'NodePressure Node /worker-3 warning'],
  },
  { name: 'a node without a pod network', objects: [node('worker-4', { pressure: [{ type: 'NetworkUnavailable' }] })], expect: ['NodePressure Node /worker-4 warning'] },
  { name: 'a node down says so once: its pressure conditions are Unknown with it', objects: [node('worker-5', { ready: 'Unknown', pressure: [{ type: 'MemoryPressure' }] })], expect: ['NodeNotReady Node /worker-5 critical'] },
  { name: 'healthy look-alikes: a Ready node, a cordoned but Ready node', objects: [node('worker-6'), node('worker-7', { cordoned: true })], expect: [] },
]);

describe('nodes', () => {
  it('a node still registering (no Ready condition yet) is not judged; one being deleted neither', () => {
    const fresh = node('new');
    ((fresh.status as Raw).conditions as Raw[]).splice(0);
    const leaving = node('old', { ready: 'Unknown' });
    (leaving.metadata as Raw).deletionTimestamp = at(-1);
    expect(summary(run([fresh, leaving]).incidents)).toEqual([]);
  });

  it('says what the condition says, and that the node is cordoned', () => {
    const [down] = run([node('worker-1', { ready: 'Unknown', cordoned: true })]).incidents;
    expect(down?.message).toBe('node Ready is Unknown (NodeStatusUnknown: Kubelet stopped posting node status): its kubelet stopped posting status, so it is down or cut off; the node is cordoned');
    expect(down?.object).toEqual({ apiVersion: 'v1', kind: 'Node', name: 'worker-1', uid: expect.any(String) });
    expect(down?.remediation).toContain("kubectl describe node worker-1; kubectl get pods -A -o wide --field-selector spec.nodeName=worker-1");
    const [pressed] = run([node('worker-2', { pressure: [{ type: 'PIDPressure', message: 'kubelet has insufficient PID available' }] })]).incidents;
    expect(pressed?.message).toBe('PIDPressure is True (kubelet has insufficient PID available): the kubelet evicts pods to reclaim process ids');
  });

  it('within its grace a NotReady node is held back; after, it opens, counted from the transition', () => {
    const objs = [node('worker-1', { ready: 'False', readySince: -1 })];
    expect(summary(run(objs, { applyGrace: true }).incidents)).toEqual([]);
    const later = run(objs, { applyGrace: true, now: T0 + 2 * MIN }).incidents;
    expect(summary(later)).toEqual(['NodeNotReady Node /worker-1 critical']);
    expect(later[0]?.since).toBe(at(-1));
  });

  it('a node down is the root cause of its pods and of what they serve; what runs elsewhere is not explained by it', () => {
    // The node lifecycle controller marks the pods on a node gone Unknown not ready (their container
    // statuses stay as the kubelet last posted them); the Deployment, Service and MCPServer follow.
    const weather = healthyServer('weather').map((o) => {
      if (o.kind === 'Pod') return pod(String((o.metadata as Raw).name), { labels: (o.metadata as Raw).labels as Record<string, string>, owner: { kind: 'ReplicaSet', name: 'weather-7d9f8b6c5d' }, node: 'worker-1', ready: false, readySince: -4, containers: [{ name: 'weather' }] });
      if (o.kind === 'Deployment') return deployment('weather', { labels: (o.metadata as Raw).labels as Record<string, string>, selector: { app: 'weather', 'mcpruntime.org/rollout-track': 'stable' }, owner: { kind: 'MCPServer', name: 'weather' }, ready: 0, available: 0 });
      if (o.kind === 'EndpointSlice') return endpointSlice('weather', { ready: 0, notReady: 1 });
      if (o.kind === 'MCPServer') return mcpServer('weather', { phase: 'PartiallyReady', flags: { deploymentReady: false, serviceReady: true, ingressReady: true } });
      return o;
    });
    const elsewhere = pod('crashy-0', { node: 'worker-2', ready: false, containers: [{ name: 'crashy', ready: false, restarts: 9, state: waiting('CrashLoopBackOff') }] });
    const r = run([...healthyPlatform(), node('worker-1', { ready: 'Unknown' }), node('worker-2'), ...weather, elsewhere]);
    const down = r.incidents.find((i) => i.reason === 'NodeNotReady');
    expect(down).toBeDefined();
    const explained = r.incidents.filter((i) => i.rootCauseId === down?.id).map((i) => `${i.reason} ${i.object.kind}/${i.object.name}`).sort();
    expect(explained).toEqual(['DeploymentUnavailable Deployment/weather', 'MCPServerPartiallyReady MCPServer/weather', 'ServiceNoEndpoints Service/weather']);
    expect(r.incidents.find((i) => i.reason === 'CrashLoopBackOff')?.rootCauseId).toBeUndefined();
    expect(down?.rootCauseId).toBeUndefined();
  });

  it('a node under memory pressure explains the evictions on it, not the crash loops', () => {
    const evicted = pod('batch-1', { node: 'worker-1', phase: 'Failed', containers: [{ name: 'w', ready: false, state: terminated('ContainerStatusUnknown', 137, -3) }] });
    Object.assign(evicted.status as Raw, { reason: 'Evicted', message: 'The node was low on resource: memory. Threshold quantity: 100Mi, available: 50Mi.' });
    const crashing = pod('crashy-0', { node: 'worker-1', ready: false, containers: [{ name: 'crashy', ready: false, restarts: 9, state: waiting('CrashLoopBackOff') }] });
    const r = run([node('worker-1', { pressure: [{ type: 'MemoryPressure' }] }), evicted, crashing]);
    const pressure = r.incidents.find((i) => i.reason === 'NodePressure');
    expect(r.incidents.find((i) => i.reason === 'PodEvicted')?.rootCauseId).toBe(pressure?.id);
    expect(r.incidents.find((i) => i.reason === 'CrashLoopBackOff')?.rootCauseId).toBeUndefined();
  });
});

const creating = (name: string): Raw => pod(name, { phase: 'Pending', ready: false, containers: [{ name: 'app', ready: false, state: waiting('ContainerCreating') }] });

table('pod-stuck-creating', [
  {
    name: 'a ConfigMap volume whose ConfigMap does not exist',
    objects: [creating('web-0'), warningEvent(creating('web-0'), 'FailedMount', 'MountVolume.SetUp failed for volume "config" : configmap "web-config" not found', { count: 7 })],
    expect: ['PodVolumeNotMounted Pod mcp-servers/web-0 critical'],
  },
  {
    name: 'a volume still attached to another node (Multi-Attach)',
    objects: [creating('db-0'), warningEvent(creating('db-0'), 'FailedAttachVolume', 'Multi-Attach error for volume "pvc-3f1c" Volume is already exclusively attached to one node and can\'t be attached to another', { component: 'attachdetach-controller' })],
    expect: ['PodVolumeNotMounted Pod mcp-servers/db-0 critical'],
  },
  {
    name: "the node's network plugin cannot set up the sandbox",
    objects: [creating('api-0'), warningEvent(creating('api-0'), 'FailedCreatePodSandBox', 'Failed to create pod sandbox: rpc error: code = Unknown desc = failed to setup network for sandbox "4f1e": plugin type="calico" failed (add): stat /var/lib/calico/nodename: no such file or directory')],
    expect: ['PodSandboxFailed Pod mcp-servers/api-0 critical'],
  },
  {
    name: 'healthy look-alikes: creating with no Warning, running with an old mount failure, a failure over an hour old',
    objects: [creating('fresh-0'), pod('up-0', { containers: [{ name: 'app' }] }), warningEvent(pod('up-0', { containers: [{ name: 'app' }] }), 'FailedMount', 'MountVolume.SetUp failed for volume "config" : configmap "c" not found', { last: -20 }), creating('slow-0'), warningEvent(creating('slow-0'), 'FailedMount', 'MountVolume.SetUp failed for volume "config" : configmap "c" not found', { last: -61 })],
    expect: [],
  },
]);

const claim = (name: string, o: Parameters<typeof persistentVolumeClaim>[1] = {}): Raw => persistentVolumeClaim(name, { ns: 'mcp-sentinel', ...o });

table('pvc-binding', [
  {
    name: 'a StorageClass that does not exist (the PV controller says so)',
    objects: [storageClass('standard', { isDefault: true }), claim('data-kafka-0', { phase: 'Pending', storageClass: 'fast-ssd' }), warningEvent(claim('data-kafka-0', { phase: 'Pending', storageClass: 'fast-ssd' }), 'ProvisioningFailed', 'storageclass.storage.k8s.io "fast-ssd" not found', { component: 'persistentvolume-controller', count: 14 })],
    expect: ['PersistentVolumeClaimPending PersistentVolumeClaim mcp-sentinel/data-kafka-0 warning'],
  },
  { name: 'no class and no default class', objects: [storageClass('manual', { bindingMode: 'Immediate' }), claim('data-0', { phase: 'Pending', storageClass: null })], expect: ['PersistentVolumeClaimPending PersistentVolumeClaim mcp-sentinel/data-0 warning'] },
  { name: 'storageClassName "" with no volume to bind', objects: [claim('static-0', { phase: 'Pending', storageClass: '' })], expect: ['PersistentVolumeClaimPending PersistentVolumeClaim mcp-sentinel/static-0 warning'] },
  {
    name: 'an Immediate class whose provisioner fails',
    objects: [storageClass('ebs', { provisioner: 'ebs.csi.aws.com', bindingMode: 'Immediate' }), claim('ch-0', { phase: 'Pending', storageClass: 'ebs' }), warningEvent(claim('ch-0', { phase: 'Pending', storageClass: 'ebs' }), 'ProvisioningFailed', 'failed to provision volume with StorageClass "ebs": rpc error: code = Internal desc = Could not create volume: UnauthorizedOperation', { component: 'ebs.csi.aws.com_ebs-csi-controller' })],
    expect: ['PersistentVolumeClaimPending PersistentVolumeClaim mcp-sentinel/ch-0 warning'],
  },
  { name: 'a claim whose volume is gone', objects: [claim('data-kafka-1', { phase: 'Lost', volumeName: 'pvc-9d1c' })], expect: ['PersistentVolumeClaimLost PersistentVolumeClaim mcp-sentinel/data-kafka-1 critical'] },
  {
    name: 'healthy look-alikes: bound, and a WaitForFirstConsumer claim no pod has been scheduled with',
    objects: [storageClass('standard', { isDefault: true }), claim('bound-0'), claim('later-0', { phase: 'Pending', storageClass: null }), claim('later-1', { phase: 'Pending' })],
    expect: [],
  },
]);

describe('claims', () => {
  it('a claim that cannot bind is the root cause of the pod waiting for it and of its StatefulSet', () => {
    const pending = claim('data-kafka-0', { phase: 'Pending', storageClass: 'fast-ssd' });
    const broker = pod('kafka-0', { ns: 'mcp-sentinel', labels: { app: 'kafka' }, owner: { kind: 'StatefulSet', name: 'kafka' }, claims: ['data-kafka-0'], containers: [{ name: 'kafka' }], scheduled: { status: 'False', reason: 'Unschedulable', message: '0/3 nodes are available: pod has unbound immediate PersistentVolumeClaims. preemption: 0/3 nodes are available: 3 Preemption is not helpful for scheduling.', since: -10 } });
    const r = run([storageClass('standard', { isDefault: true }), pending, broker, statefulSet('kafka', { ns: 'mcp-sentinel', replicas: 1, ready: 0 })]);
    const root = r.incidents.find((i) => i.reason === 'PersistentVolumeClaimPending');
    expect(root?.message).toBe('claim names StorageClass fast-ssd, which does not exist');
    expect(r.incidents.filter((i) => i.rootCauseId === root?.id).map((i) => i.reason).sort()).toEqual(['PodUnschedulable', 'StatefulSetUnavailable']);
  });

  it('within its grace a Pending claim is provisioning, not failing', () => {
    const objs = [storageClass('ebs', { bindingMode: 'Immediate' }), claim('new-0', { phase: 'Pending', storageClass: 'ebs', created: -1 })];
    expect(summary(run(objs, { applyGrace: true }).incidents)).toEqual([]);
    expect(summary(run(objs, { applyGrace: true, now: T0 + 2 * MIN }).incidents)).toEqual(['PersistentVolumeClaimPending PersistentVolumeClaim mcp-sentinel/new-0 warning']);
  });
});

describe('Events as evidence', () => {
  const pulling = (): Raw => pod('web-1', { ready: false, containers: [{ name: 'web', image: 'ghcr.io/acme/web:2.0', ready: false, state: waiting('ImagePullBackOff', 'Back-off pulling image "ghcr.io/acme/web:2.0"') }] });
  const failedPull = (o = {}): Raw => warningEvent(pulling(), 'Failed', 'Failed to pull image "ghcr.io/acme/web:2.0": rpc error: code = Unknown desc = failed to pull and unpack image "ghcr.io/acme/web:2.0": failed to resolve reference "ghcr.io/acme/web:2.0": unexpected status from HEAD request to https://ghcr.io/v2/acme/web/manifests/2.0: 401 Unauthorized', { container: 'web', last: -2, ...o });

  it("a pull whose status says only 'Back-off pulling image' is classified from the kubelet's Failed Event, before or after the pod, in either Events API", () => {
    for (const objs of [[pulling(), failedPull()], [failedPull(), pulling()], [pulling(), failedPull({ eventsV1: true })]]) {
      const [f] = run(objs).incidents;
      expect(f?.attributes['registry.failure']).toBe('auth');
      expect(f?.message).toContain('401 Unauthorized');
    }
    // Without the Event, the status says too little to classify.
    expect(run([pulling()]).incidents[0]?.attributes['registry.failure']).toBe('unknown');
  });

  it("the kubelet's later 'Error: ErrImagePull' (also reason Failed) does not displace the registry's answer", () => {
    const later = warningEvent(pulling(), 'Failed', 'Error: ErrImagePull', { container: 'web', last: -1 });
    const [f] = run([pulling(), failedPull(), later]).incidents;
    expect(f?.attributes['registry.failure']).toBe('auth');
  });

  it('an Event about an earlier pod of the same name, or written by the agent itself, is not evidence', () => {
    const stale = failedPull();
    ((stale.involvedObject as Raw).uid as string) = 'a-pod-that-was-deleted';
    const own = failedPull({ component: 'sentinel-agent' });
    for (const e of [stale, own]) expect(run([pulling(), e]).incidents[0]?.attributes['registry.failure']).toBe('unknown');
  });

  it('PodNotReady names the failing readiness probe from the Unhealthy Event (not the liveness one)', () => {
    const p = pod('api-1', { ready: false, readySince: -20, containers: [{ name: 'api', ready: false, state: running(-30) }] });
    const objs = [p, warningEvent(p, 'Unhealthy', 'Liveness probe failed: Get "http://10.244.1.17:8080/live": context deadline exceeded', { container: 'api', last: -1 }), warningEvent(p, 'Unhealthy', 'Readiness probe failed: HTTP probe failed with statuscode: 503', { container: 'api', count: 40, last: -2 })];
    const [f] = run(objs).incidents;
    expect(f?.message).toBe('container api runs but is not ready: Readiness probe failed: HTTP probe failed with statuscode: 503, so the pod takes no traffic');
    expect(f?.attributes.probe).toBe('readiness');
  });

  it("a ReplicaSet's FailedCreate explains a Deployment that has no ReplicaFailure condition yet", () => {
    const rs = replicaSet('web-5d8f7c6b9', 'web', { replicas: 2, ready: 0 });
    // No pod could be created: the controller counts none.
    const d = deployment('web', { replicas: 2, ready: 0, available: 0 });
    Object.assign(d.status as Raw, { replicas: 0, unavailableReplicas: 2 });
    const objs = [d, rs, warningEvent(rs, 'FailedCreate', 'Error creating: pods "web-5d8f7c6b9-" is forbidden: error looking up service account mcp-servers/web-sa: serviceaccount "web-sa" not found', { count: 12 })];
    const f = run(objs).incidents.find((i) => i.reason === 'DeploymentReplicaFailure');
    expect(f?.message).toContain('serviceaccount "web-sa" not found');
    expect(f?.attributes.failure_class).toBe('service_account');
  });

  it("the operator's own Warning on an MCPServer is shown with its finding", () => {
    const s = mcpServer('maps', { phase: 'Pending', since: -20 });
    const [f] = run([s, warningEvent(s, 'ReconcileError', 'failed to create Ingress mcp-servers/maps: admission webhook "validate.nginx.ingress.kubernetes.io" denied the request: host "maps.example.com" is already defined', { component: 'mcpserver-controller' })]).incidents;
    expect(f?.message).toMatch(/the operator warns: ReconcileError: failed to create Ingress mcp-servers\/maps: admission webhook/);
    expect(f?.attributes.operator_event).toBe('ReconcileError');
  });

  it('Normal Events in a dump are not read (the live watch asks for type=Warning)', () => {
    const p = pulling();
    const normal = { ...failedPull(), type: 'Normal' };
    const r = run([p, normal]);
    expect(r.store.size('Event')).toBe(0);
    expect(r.incidents[0]?.attributes['registry.failure']).toBe('unknown');
  });
});

describe('StatefulSets and DaemonSets', () => {
  it('a spec the controller has not observed yet is not judged (status behind metadata.generation)', () => {
    const sts = statefulSet('kafka', { replicas: 5, ready: 3 });
    (sts.metadata as Raw).generation = 2;
    const ds = daemonSet('promtail', { desired: 3, ready: 1 });
    (ds.metadata as Raw).generation = 2;
    expect(summary(run([sts, ds]).incidents)).toEqual([]);
  });

  it('a DaemonSet mid-update (one node between pods) is within its grace; still unavailable later it opens', () => {
    const objs = [daemonSet('promtail', { desired: 5, ready: 4, updated: 2 })];
    const first = run(objs, { applyGrace: true }).incidents;
    // No status timestamp says since when: the grace counts from first sight, so doctor shows it and
    // the watcher holds it back until the grace has passed (tests/watch covers the watcher's side).
    expect(summary(first)).toEqual(['DaemonSetUnavailable DaemonSet mcp-servers/promtail warning']);
    expect(first[0]?.since).toBeUndefined();
  });

  it("a StatefulSet's crash-looping pod explains it", () => {
    const r = run([
      statefulSet('kafka', { ns: 'mcp-sentinel', replicas: 3, ready: 2 }),
      pod('kafka-2', { ns: 'mcp-sentinel', labels: { app: 'kafka' }, owner: { kind: 'StatefulSet', name: 'kafka' }, ready: false, containers: [{ name: 'kafka', ready: false, restarts: 7, state: waiting('CrashLoopBackOff') }] }),
    ]);
    const sts = r.incidents.find((i) => i.reason === 'StatefulSetUnavailable');
    expect(r.incidents.find((i) => i.id === sts?.rootCauseId)?.reason).toBe('CrashLoopBackOff');
  });
});

describe('a failing rollout hidden by old pods', () => {
  it('says which ReplicaSet, how many pods and why; the failing pod explains it', () => {
    const r = run(rollout([newPod('web-new-0', { name: 'web', ready: false, restarts: 5, state: waiting('CrashLoopBackOff') }), newPod('web-new-1', { name: 'web', ready: false }, { readySince: -20 })]));
    const f = r.incidents.find((i) => i.reason === 'DeploymentRolloutFailing');
    expect(f?.message).toBe('The rollout to ReplicaSet web-new (revision 2) is failing: 2 of 2 new pods not ready (CrashLoopBackOff, not ready) while 3 old pods still serve');
    expect(f?.remediation).toContain('rollout undo deploy/web');
    expect(f?.remediation).toContain('pod-template-hash=new');
    expect(r.incidents.find((i) => i.id === f?.rootCauseId)?.reason).toBe('CrashLoopBackOff');
  });

  it('a new pod still starting (within the grace) is a rollout under way, not a failing one', () => {
    const objs = rollout([newPod('web-new-0', { name: 'web', ready: false }, { readySince: -1 })]);
    expect(summary(run(objs, { applyGrace: true }).incidents).filter((s) => s.startsWith('DeploymentRolloutFailing'))).toEqual([]);
    expect(summary(run(objs, { applyGrace: true, now: T0 + 2 * MIN }).incidents).filter((s) => s.startsWith('DeploymentRolloutFailing'))).toEqual(['DeploymentRolloutFailing Deployment mcp-servers/web warning']);
  });

  it('a revision annotation that is not a number is a note naming the field, and the ReplicaSet is kept', () => {
    const rs = replicaSet('web-x', 'web', { labels: { app: 'web' } });
    (rs.metadata as { annotations: Raw }).annotations['deployment.kubernetes.io/revision'] = 'two';
    const r = run([rs]);
    expect(r.store.size('ReplicaSet')).toBe(1);
    expect(r.store.get('ReplicaSet', 'mcp-servers', 'web-x')?.revision).toBeUndefined();
  });
});

describe('time and grace', () => {
  it('apply-grace drops findings younger than their grace, judged by object timestamps', () => {
    const objs = [pod('big-1', { containers: [{ name: 'big' }], scheduled: { status: 'False', reason: 'Unschedulable', since: -1 } })];
    expect(summary(run(objs, { applyGrace: true }).incidents)).toEqual([]);
    expect(summary(run(objs, { applyGrace: true, now: T0 + 5 * MIN }).incidents)).toEqual(['PodUnschedulable Pod mcp-servers/big-1 warning']);
    expect(summary(run(objs).incidents)).toEqual(['PodUnschedulable Pod mcp-servers/big-1 warning']);
  });

  it('a pod not ready for less than its five minutes of grace is not yet an incident', () => {
    const objs = [pod('api-1', { containers: [{ name: 'api', ready: false, state: running(-40) }], readySince: -3 })];
    expect(summary(run(objs, { applyGrace: true }).incidents)).toEqual([]);
    expect(summary(run(objs, { applyGrace: true, now: T0 + 2 * MIN }).incidents)).toEqual(['PodNotReady Pod mcp-servers/api-1 warning']);
  });

  it('since comes from the object, not the clock', () => {
    const objs = [pod('big-1', { containers: [{ name: 'big' }], scheduled: { status: 'False', reason: 'Unschedulable', since: -7 } })];
    const a = run(objs, { now: T0 }).incidents[0];
    const b = run(objs, { now: T0 + 60 * MIN }).incidents[0];
    expect(a?.since).toBe('2026-11-24T09:53:00Z');
    expect(b?.since).toBe(a?.since);
  });
});

describe('ignored objects and scope', () => {
  it('ignores the MCP Runtime doctor smoke objects', () => {
    const objs = [
      pod('doctor-pull-abc', { containers: [{ name: 'p', ready: false, state: waiting('ImagePullBackOff') }] }),
      mcpServer('doctor-smoke-1', { phase: 'Pending' }),
      deployment('doctor-smoke-1', { ready: 0 }),
    ];
    expect(run(objs).incidents).toEqual([]);
  });

  it('a ReplicaSet-owned pod of a Deployment rolls up to its MCPServer', () => {
    // The pod's chain: Pod → ReplicaSet weather-7d9f8b6c5d → Deployment weather → MCPServer weather.
    const objs = healthyServer('weather', { team: 'acme' }).map((o) => {
      if (o.kind !== 'Pod') return o;
      const status = o.status as { containerStatuses: Record<string, unknown>[] };
      status.containerStatuses = status.containerStatuses.map((c) => ({ ...c, ready: false, restartCount: 6, state: waiting('CrashLoopBackOff', 'back-off 2m40s') }));
      return o;
    });
    // A ReplicaSet of a Deployment that is not there, beside it, joins nothing.
    const r = run([...objs, replicaSet('x', 'y')]);
    const crash = r.incidents.find((i) => i.reason === 'CrashLoopBackOff');
    expect(crash?.object).toMatchObject({ kind: 'Pod', namespace: 'mcp-servers', name: 'weather-7d9f8b6c5d-x2x9q' });
    expect(crash?.server).toEqual({ namespace: 'mcp-servers', name: 'weather', teamID: 'acme' });
  });
});

/** A pod that ran to its end (phase Failed or Succeeded), with its containers terminated. */
function finishedPod(name: string, phase: string, o: { reason?: string; message?: string; term?: Raw; labels?: Record<string, string>; owner?: { kind: string; name: string } } = {}): Raw {
  const p = pod(name, { containers: [{ name: 'job', ready: false, state: o.term ?? terminated('Completed', 0, -5) }], ...(o.labels ? { labels: o.labels } : {}), ...(o.owner ? { owner: o.owner } : {}) });
  const status = p.status as Record<string, unknown>;
  status.phase = phase;
  if (o.reason) status.reason = o.reason;
  if (o.message) status.message = o.message;
  (p.spec as Record<string, unknown>).restartPolicy = 'Never';
  return p;
}

table('pod-failed: failed and evicted pods', [
  {
    name: 'a container that could not start (StartError, exit 128, restartPolicy Never) fails the pod',
    objects: [finishedPod('start-1', 'Failed', { term: terminated('StartError', 128, -5, 'failed to create containerd task: exec: "wge": executable file not found in $PATH') })],
    expect: ['PodFailed Pod mcp-servers/start-1 warning'],
  },
  {
    name: 'an evicted pod (node memory pressure)',
    objects: [finishedPod('ev-1', 'Failed', { reason: 'Evicted', message: 'The node was low on resource: memory. Threshold quantity: 100Mi, available: 20Mi. Container job was using 900Mi, request is 0.' })],
    expect: ['PodEvicted Pod mcp-servers/ev-1 warning'],
  },
  { name: 'healthy look-alike: a completed Job pod', objects: [finishedPod('done-1', 'Succeeded')], expect: [] },
  {
    name: 'an OOM-killed Job pod is one OOMKilled incident, not also PodFailed',
    objects: [finishedPod('oom-1', 'Failed', { term: terminated('OOMKilled', 137, -2) })],
    now: T0,
    expect: ['OOMKilled Pod mcp-servers/oom-1 warning'],
  },
]);

describe('remediations follow the cause the objects show', () => {
  const one = (objects: Raw[], opts: NonNullable<Parameters<typeof run>[1]> = {}) => {
    const r = run(objects, opts);
    expect(r.incidents.length).toBeGreaterThan(0);
    return r.incidents;
  };

  it('every container finding carries the kubelet waiting reason', () => {
    for (const [reason, w] of [['ImagePullBackOff', 'ErrImagePull'], ['ImagePullBackOff', 'ImagePullBackOff'], ['CrashLoopBackOff', 'CrashLoopBackOff'], ['CreateContainerConfigError', 'CreateContainerConfigError'], ['RunContainerError', 'RunContainerError']] as const) {
      const [i] = one([pod('p', { containers: [{ name: 'c', ready: false, state: waiting(w, 'x'), lastState: terminated('Error', 1, -1) }] })]);
      expect(i?.reason).toBe(reason);
      expect(i?.attributes.waiting_reason).toBe(w);
    }
  });

  it('a crash loop whose process never started points at the command, not at logs', () => {
    for (const [reason, code] of [['StartError', 128], ['ContainerCannotRun', 127], ['Error', 126]] as const) {
      const [i] = one([pod('p', { containers: [{ name: 'c', image: 'acme/app:1', ready: false, restarts: 5, state: waiting('CrashLoopBackOff'), lastState: terminated(reason, code, -1) }] })]);
      expect(i?.remediation).toMatch(/no logs to read/);
      expect(i?.remediation).toContain('acme/app:1');
      expect(i?.remediation).not.toContain('--previous');
    }
    const [ran] = one([pod('p', { containers: [{ name: 'c', ready: false, restarts: 5, state: waiting('CrashLoopBackOff'), lastState: terminated('Error', 1, -1) }] })]);
    expect(ran?.remediation).toContain('logs p -c c --previous');
  });

  it('OOMKilled names the real memory limit; MCPServer advice only for an MCPServer pod', () => {
    const objs = healthyServer('weather');
    const p = objs.find((o) => o.kind === 'Pod') as Raw;
    const status = (p.status as { containerStatuses: Raw[] }).containerStatuses[0] as Raw;
    status.lastState = terminated('OOMKilled', 137, -2);
    status.restartCount = 3;
    (((p.spec as { containers: Raw[] }).containers[0] as Raw).resources as Raw) = { limits: { memory: '384Mi' } };
    const server = one([...objs, ...healthyPlatform()], { now: T0 }).find((i) => i.reason === 'OOMKilled');
    expect(server?.message).toContain('384Mi');
    expect(server?.remediation).toContain('384Mi');
    expect(server?.remediation).toContain('patch mcpserver weather');
    expect(server?.remediation).toContain('"memory":"768Mi"');
    const plain = one([pod('batch-1', { ns: 'analytics', containers: [{ name: 'c', lastState: terminated('OOMKilled', 137, -2) }] })], { now: T0 }).find((i) => i.reason === 'OOMKilled');
    expect(plain?.remediation).not.toMatch(/mcpserver/i);
    expect(plain?.remediation).toContain('256Mi');
  });

  it('a Certificate whose Issuing condition carries the cause: the fix follows it', () => {
    const issuing = (message: string): Raw => ({ type: 'Issuing', status: 'False', reason: 'Failed', message, lastTransitionTime: '2026-11-24T09:50:00Z' });
    const rate = one([certificate('c', { ready: 'False', reason: 'Failed', extra: [issuing('The certificate request has failed to complete and will be retried: 429 urn:ietf:params:acme:error:rateLimited: too many certificates already issued for exact set of domains')] })]);
    expect(rate[0]?.remediation).toMatch(/rate-limits/);
    expect(rate[0]?.remediation).toContain('too many certificates already issued');
    const order = one([certificate('c', { ready: 'False', reason: 'Failed', extra: [issuing('Failed to wait for order resource "c-1-123" to become ready: order is in "invalid" state')] })]);
    expect(order[0]?.remediation).toMatch(/ACME order failed/);
  });

  it('a ReplicaSet FailedCreate is explained by its message', () => {
    const rows: [string, RegExp][] = [
      ['pods "web-1" is forbidden: exceeded quota: compute, requested: limits.memory=1Gi, used: limits.memory=4Gi, limited: limits.memory=4Gi', /ResourceQuota/],
      ['pods "web-1" is forbidden: error looking up service account mcp-servers/mcp-workload: serviceaccount "mcp-workload" not found', /ServiceAccount that does not exist/],
      ['pods "web-1" is forbidden: violates PodSecurity "restricted:latest": allowPrivilegeEscalation != false', /Pod Security admission/],
      ['admission webhook "validate.kyverno.svc" denied the request: image tag latest is not allowed', /admission webhook denies/],
    ];
    for (const [message, want] of rows) {
      const i = one([deployment('web', { replicas: 1, ready: 0, conditions: [{ type: 'ReplicaFailure', status: 'True', reason: 'FailedCreate', message, lastTransitionTime: '2026-11-24T09:00:00Z' }] })]).find((x) => x.reason === 'DeploymentReplicaFailure');
      expect(i?.remediation, message).toMatch(want);
    }
  });

  it('an image pull failure from any registry gets the fix of its class', () => {
    const [auth] = one([pod('p', { containers: [{ name: 'c', image: 'ghcr.io/acme/app:1', ready: false, state: waiting('ErrImagePull', 'failed to authorize: failed to fetch anonymous token: unexpected status: 401 Unauthorized') }] })]);
    expect(auth?.reason).toBe('ImagePullBackOff');
    expect(auth?.attributes['registry.failure']).toBe('auth');
    expect(auth?.remediation).toMatch(/ghcr\.io rejected the pull/);
    const [nf] = one([pod('p', { containers: [{ name: 'c', image: 'nginx:1.13-invalid', ready: false, state: waiting('ErrImagePull', 'manifest for nginx:1.13-invalid not found: manifest unknown') }] })]);
    expect(nf?.remediation).toMatch(/does not exist in docker\.io/);
  });

  it('a Deployment mid-rollout within its deadline is progressing (info), not failing', () => {
    const rolling = deployment('web', { replicas: 3, ready: 2, available: 2, updated: 1, conditions: [
      { type: 'Available', status: 'True', reason: 'MinimumReplicasAvailable', lastTransitionTime: '2026-11-24T09:00:00Z' },
      { type: 'Progressing', status: 'True', reason: 'ReplicaSetUpdated', message: 'ReplicaSet "web-2" is progressing.', lastTransitionTime: '2026-11-24T09:58:00Z' },
    ] });
    const [i] = one([rolling]);
    expect(i?.severity).toBe('info');
    expect(i?.message).toContain('1 of 3 replicas updated');
    const stalled = deployment('web', { replicas: 3, ready: 2, available: 2, updated: 1, conditions: [
      { type: 'Available', status: 'True', reason: 'MinimumReplicasAvailable', lastTransitionTime: '2026-11-24T09:00:00Z' },
      { type: 'Progressing', status: 'False', reason: 'ProgressDeadlineExceeded', message: 'ReplicaSet "web-2" has timed out progressing.', lastTransitionTime: '2026-11-24T09:58:00Z' },
    ] });
    expect(summary(run([stalled]).incidents)).toEqual(['DeploymentProgressDeadlineExceeded Deployment mcp-servers/web critical', 'DeploymentUnavailable Deployment mcp-servers/web warning']);
  });
});

table('certificate-request: pending', [
  {
    name: 'a request pending on a ClusterIssuer that does not exist, with the issuer named',
    objects: [certificate('api', { ready: 'False', reason: 'Issuing' }), certificateRequest('api-1', { reason: 'Pending', message: 'Referenced "ClusterIssuer" not found: clusterissuer.cert-manager.io "letsencrypt-prod" not found', certificate: 'api' })],
    expect: ['CertificateNotReady Certificate mcp-servers/api warning', 'CertificateRequestPending CertificateRequest mcp-servers/api-1 warning'],
  },
  {
    name: 'healthy look-alike: a pending request whose Certificate is Ready again',
    objects: [certificate('api', { ready: 'True' }), certificateRequest('api-1', { reason: 'Pending', certificate: 'api' })],
    expect: [],
  },
]);

table('issuer-readiness', [
  {
    name: "a ClusterIssuer whose CA Secret is missing, with cert-manager's reason",
    objects: [issuer('ClusterIssuer', 'mcp-runtime-ca', { ready: 'False' })],
    expect: ['IssuerNotReady ClusterIssuer /mcp-runtime-ca warning'],
  },
  {
    name: 'a namespaced ACME Issuer that cannot register its account',
    objects: [issuer('Issuer', 'letsencrypt', { ns: 'mcp-servers', acme: true, ready: 'False', reason: 'ErrRegisterACMEAccount', message: 'Failed to register ACME account: Get "https://acme-v02.api.letsencrypt.org/directory": dial tcp: lookup acme-v02.api.letsencrypt.org: no such host' })],
    expect: ['IssuerNotReady Issuer mcp-servers/letsencrypt warning'],
  },
  {
    name: 'healthy look-alikes: Ready issuers of both kinds, and one with no condition yet',
    objects: [issuer('ClusterIssuer', 'mcp-runtime-ca'), issuer('Issuer', 'letsencrypt', { ns: 'mcp-servers', acme: true }), { ...issuer('Issuer', 'new', { ns: 'mcp-servers' }), status: {} }],
    expect: [],
  },
]);

describe('issuers', () => {
  it("an issuer not ready is the root cause of the Certificates and requests it signs, and only those", () => {
    const objs = [
      issuer('ClusterIssuer', 'mcp-runtime-ca', { ready: 'False' }),
      certificate('api-gateway-mtls', { ready: 'False', reason: 'Issuing', issuer: 'ClusterIssuer/mcp-runtime-ca' }),
      certificateRequest('api-gateway-mtls-1', { reason: 'Pending', message: 'Waiting on certificate issuance from order', certificate: 'api-gateway-mtls', issuer: 'ClusterIssuer/mcp-runtime-ca' }),
      // A namespaced Issuer of the same name is another issuer: what it signs is not explained.
      certificate('web', { ready: 'False', reason: 'Issuing', issuer: 'Issuer/mcp-runtime-ca' }),
    ];
    const r = run(objs);
    const root = r.incidents.find((i) => i.reason === 'IssuerNotReady');
    expect(root?.message).toBe('ClusterIssuer (ca) is not ready: ErrGetKeyPair: Error getting keypair for CA issuer: secrets "mcp-runtime-ca-key-pair" not found: Certificates it signs are not issued or renewed');
    expect(root?.remediation).toContain('kubectl describe clusterissuer mcp-runtime-ca');
    const explained = r.incidents.filter((i) => i.rootCauseId === root?.id).map((i) => `${i.reason} ${i.object.name}`).sort();
    expect(explained).toEqual(['CertificateNotReady api-gateway-mtls', 'CertificateRequestPending api-gateway-mtls-1']);
    expect(r.incidents.find((i) => i.object.name === 'web')?.rootCauseId).toBeUndefined();
  });

  it('an Issuer explains only what is signed in its own namespace', () => {
    const objs = [
      issuer('Issuer', 'ca', { ns: 'team-a', ready: 'False' }),
      certificate('a', { ns: 'team-a', ready: 'False', reason: 'Issuing', issuer: 'Issuer/ca' }),
      certificate('b', { ns: 'team-b', ready: 'False', reason: 'Issuing', issuer: 'Issuer/ca' }),
    ];
    const r = run(objs);
    const root = r.incidents.find((i) => i.reason === 'IssuerNotReady');
    expect(r.incidents.filter((i) => i.rootCauseId === root?.id).map((i) => `${i.object.namespace}/${i.object.name}`)).toEqual(['team-a/a']);
  });

  it('within its grace a not-ready issuer is not yet reported', () => {
    const objs = [issuer('ClusterIssuer', 'ca', { ready: 'False', since: 0 })];
    expect(summary(run(objs, { applyGrace: true }).incidents)).toEqual([]);
    expect(summary(run(objs, { applyGrace: true, now: T0 + 2 * MIN }).incidents)).toEqual(['IssuerNotReady ClusterIssuer /ca warning']);
  });
});

// Custom resources from the config, judged by kstatus: Flux HelmReleases as the helm-controller
// leaves them, and a cluster-scoped kind.
const FLUX = { group: 'helm.toolkit.fluxcd.io', version: 'v2', kind: 'HelmRelease', plural: 'helmreleases', namespaced: true };
const CLUSTER_KIND = { group: 'example.mcpruntime.org', version: 'v1', kind: 'ClusterGateway', plural: 'clustergateways', namespaced: false };
const customConfig: Row['config'] = (c) => {
  c.checks.customResources = [FLUX, CLUSTER_KIND];
};

function helmRelease(name: string, o: { conditions: Raw[]; generation?: number; observed?: number }): Raw {
  return {
    apiVersion: 'helm.toolkit.fluxcd.io/v2',
    kind: 'HelmRelease',
    metadata: { name, namespace: 'flux-system', uid: `hr-${name}`, generation: o.generation ?? 1, creationTimestamp: at(-600) },
    spec: { interval: '10m', chart: { spec: { chart: name, sourceRef: { kind: 'HelmRepository', name: 'bitnami' } } } },
    status: { observedGeneration: o.observed ?? o.generation ?? 1, conditions: o.conditions },
  };
}
const cond = (type: string, status: string, reason: string, message: string, since = -30): Raw => ({ type, status, reason, message, lastTransitionTime: at(since) });

table('resource-readiness', [
  {
    name: 'a HelmRelease whose install failed and retries are exhausted (Stalled)',
    config: customConfig,
    objects: [helmRelease('redis', { conditions: [cond('Ready', 'False', 'InstallFailed', 'Helm install failed for release flux-system/redis with chart redis@18.1.0: context deadline exceeded'), cond('Stalled', 'True', 'RetriesExceeded', 'Failed to install after 1 attempt(s)')] })],
    expect: ['ResourceNotReady HelmRelease flux-system/redis warning'],
  },
  {
    name: 'Ready False beyond the grace',
    config: customConfig,
    objects: [helmRelease('ingest', { conditions: [cond('Ready', 'False', 'ArtifactFailed', 'HelmChart flux-system/flux-system-ingest is not ready: chart pull error')] })],
    expect: ['ResourceNotReady HelmRelease flux-system/ingest warning'],
  },
  {
    name: 'its controller behind the latest generation',
    config: customConfig,
    objects: [helmRelease('api', { generation: 4, observed: 3, conditions: [cond('Ready', 'True', 'UpgradeSucceeded', 'Helm upgrade succeeded')] })],
    expect: ['ResourceNotReady HelmRelease flux-system/api warning'],
  },
  {
    name: 'a cluster-scoped kind',
    config: customConfig,
    objects: [{ apiVersion: 'example.mcpruntime.org/v1', kind: 'ClusterGateway', metadata: { name: 'edge', uid: 'cg-1', generation: 2 }, status: { observedGeneration: 2, conditions: [cond('Ready', 'False', 'ListenerConflict', 'port 443 is taken')] } }],
    expect: ['ResourceNotReady ClusterGateway /edge warning'],
  },
  {
    name: 'healthy look-alikes: Ready, reconciling with Ready Unknown, no status yet, Stalled False',
    config: customConfig,
    objects: [
      helmRelease('ok', { conditions: [cond('Ready', 'True', 'InstallSucceeded', 'Helm install succeeded for release flux-system/ok.v1 with chart ok@1.0.0')] }),
      helmRelease('busy', { generation: 2, observed: 2, conditions: [cond('Reconciling', 'True', 'Progressing', 'Running upgrade action'), cond('Ready', 'Unknown', 'Progressing', 'Reconciliation in progress')] }),
      { apiVersion: 'helm.toolkit.fluxcd.io/v2', kind: 'HelmRelease', metadata: { name: 'new', namespace: 'flux-system', generation: 1 } },
      helmRelease('recovered', { conditions: [cond('Ready', 'True', 'UpgradeSucceeded', 'Helm upgrade succeeded'), cond('Stalled', 'False', 'RetriesExceeded', 'recovered')] }),
    ],
    expect: [],
  },
  {
    name: 'not configured: the same objects are not read',
    objects: [helmRelease('redis', { conditions: [cond('Stalled', 'True', 'RetriesExceeded', 'Failed to install after 1 attempt(s)')] })],
    expect: [],
  },
]);

describe('custom resources', () => {
  it('the message and remediation name the kind and the controller’s reason; the grace counts', () => {
    const stalled = helmRelease('redis', { conditions: [cond('Stalled', 'True', 'RetriesExceeded', 'Failed to install after 1 attempt(s)', 0)] });
    const [i] = run([stalled], { config: customConfig }).incidents;
    expect(i?.message).toBe('HelmRelease is stalled: RetriesExceeded: Failed to install after 1 attempt(s)');
    expect(i?.remediation).toBe("kubectl -n flux-system describe helmreleases.helm.toolkit.fluxcd.io redis; its controller's log says why; kubectl get helmreleases.helm.toolkit.fluxcd.io -A");
    expect(i?.object).toMatchObject({ apiVersion: 'helm.toolkit.fluxcd.io/v2', kind: 'HelmRelease', namespace: 'flux-system', name: 'redis' });
    expect(i?.attributes).toMatchObject({ kstatus: 'stalled', resource: 'helmreleases.helm.toolkit.fluxcd.io' });
    expect(summary(run([stalled], { config: customConfig, applyGrace: true }).incidents)).toEqual([]);
    expect(summary(run([stalled], { config: customConfig, applyGrace: true, now: T0 + 3 * MIN }).incidents)).toEqual(['ResourceNotReady HelmRelease flux-system/redis warning']);
  });

  it('a version of the kind other than the configured one is noted as not understood, and the rest is judged', () => {
    const old = { ...helmRelease('old', { conditions: [cond('Stalled', 'True', 'RetriesExceeded', 'x')] }), apiVersion: 'helm.toolkit.fluxcd.io/v2beta1' };
    const r = run([old, helmRelease('redis', { conditions: [cond('Stalled', 'True', 'RetriesExceeded', 'x')] })], { config: customConfig });
    expect(summary(r.incidents)).toEqual(['ResourceNotReady HelmRelease flux-system/redis warning']);
  });
});
