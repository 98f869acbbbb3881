// Support for the e2e suite: a real control plane (testbed/), the agent run as its ServiceAccount
// with a token from the TokenRequest API, and the test playing MCP Runtime's operator (it creates
// what the operator creates and writes MCPServer status through the status subresource; the real
// Deployment, ReplicaSet, EndpointSlice and garbage-collector controllers and the scheduler do the
// rest, and KWOK gives the pods their states).

import { spawn, execFileSync, type ChildProcess } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { stringify } from 'yaml';
import { Testbed, freePort, sleep, type UpOptions } from '../testbed/testbed.ts';
import { waitFor as pollUntil } from '../test/support/wait.ts';
import { Kube, KubeError, type Obj } from '../testbed/kube.ts';
import { REASON_IDS } from '../src/checks/reasons.ts';

export const ROOT = fileURLToPath(new URL('../', import.meta.url));
export const BIN = join(ROOT, 'bin', 'sentinel-agent.js');
export { Testbed, Kube, KubeError, type Obj };

export { sleep, freePort };

/** Polls (every 250 ms unless told), taking errors for "not yet": the API server may be restarting. */
export function waitFor<T>(what: string, fn: () => Promise<T | undefined | false> | T | undefined | false, timeoutMs = 60_000, everyMs = 250): Promise<T> {
  return pollUntil(what, fn, timeoutMs, { everyMs, retryErrors: true });
}

export async function upTestbed(o: UpOptions = {}): Promise<Testbed> {
  return Testbed.up({ readyTimeoutSec: 240, ...o });
}

export { render, DEPLOY_DIRS } from '../test/support/deploy.ts';
import { render } from '../test/support/deploy.ts';

// ---------------------------------------------------------------------------------------------
// the agent's identity: deploy/base's ServiceAccount and generated ClusterRole, a TokenRequest token

export const AGENT_NS = 'sentinel-agent';
export const AGENT_SA = 'sentinel-agent';

/** Applies deploy/base's RBAC (ServiceAccount, ClusterRole, ClusterRoleBinding, and the overlay's Role if given). */
export async function installAgentRbac(kube: Kube, overlay = 'base'): Promise<Obj[]> {
  const objs = render(overlay).filter((o) => ['Namespace', 'ServiceAccount', 'ClusterRole', 'ClusterRoleBinding', 'Role', 'RoleBinding'].includes(o.kind));
  objs.sort((a, b) => (a.kind === 'Namespace' ? -1 : b.kind === 'Namespace' ? 1 : 0));
  for (const o of objs) await kube.apply(o);
  return objs;
}

export async function serviceAccountToken(kube: Kube, ns = AGENT_NS, sa = AGENT_SA, seconds = 3600): Promise<string> {
  const r = await kube.call<{ status: { token: string } }>('POST', `/api/v1/namespaces/${ns}/serviceaccounts/${sa}/token`, { apiVersion: 'authentication.k8s.io/v1', kind: 'TokenRequest', spec: { expirationSeconds: seconds } });
  return r.status.token;
}

/** A kubeconfig with the test bed's server and CA and a bearer token (as a pod's in-cluster config has). */
export function tokenKubeconfig(tb: Testbed, token: string): string {
  const dir = mkdtempSync(join(tmpdir(), 'sa-e2e-kc-'));
  const file = join(dir, 'kubeconfig');
  writeFileSync(
    file,
    stringify({
      apiVersion: 'v1',
      kind: 'Config',
      clusters: [{ name: 'testbed', cluster: { server: tb.kube.creds.server, 'certificate-authority-data': Buffer.from(tb.kube.creds.ca).toString('base64') } }],
      users: [{ name: 'sentinel-agent', user: { token } }],
      contexts: [{ name: 'testbed', context: { cluster: 'testbed', user: 'sentinel-agent' } }],
      'current-context': 'testbed',
    }),
    { mode: 0o600 },
  );
  return file;
}

export async function agentKubeconfig(tb: Testbed, overlay = 'base'): Promise<{ kubeconfig: string; token: string }> {
  await installAgentRbac(tb.kube, overlay);
  const token = await serviceAccountToken(tb.kube);
  return { kubeconfig: tokenKubeconfig(tb, token), token };
}

// ---------------------------------------------------------------------------------------------
// the agent process

/** Every reason's grace set to 0 and a short hold, so the suite sees opens and resolves at once. */
export function fastConfig(extra: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    clusterName: 'testbed',
    watch: { holdPeriod: '1s', fullEvaluationInterval: '5s', staleAfter: '20s' },
    reasons: Object.fromEntries(REASON_IDS.map((r) => [r, { grace: '0s' }])),
    ...extra,
  };
}

export interface IncidentView {
  id: string;
  reason: string;
  severity: string;
  check: string;
  message: string;
  remediation: string;
  object: { kind: string; namespace?: string; name: string };
  rootCauseId?: string;
  server?: string;
}
export interface IncidentsDoc {
  incidents: IncidentView[];
  staleSources?: { kind: string; state: string }[];
}

export class Agent {
  readonly child: ChildProcess;
  readonly url: string;
  stdout = '';
  stderr = '';
  private exited: Promise<number>;
  constructor(child: ChildProcess, url: string) {
    this.child = child;
    this.url = url;
    child.stdout?.on('data', (d: Buffer) => (this.stdout += d.toString()));
    child.stderr?.on('data', (d: Buffer) => (this.stderr += d.toString()));
    this.exited = new Promise((r) => child.on('exit', (code, sig) => r(code ?? (sig ? 128 : -1))));
  }

  /** One JSON log line per entry the agent wrote to stdout/stderr. */
  logs(): Record<string, unknown>[] {
    return `${this.stdout}\n${this.stderr}`
      .split('\n')
      .filter((l) => l.startsWith('{'))
      .flatMap((l) => {
        try {
          return [JSON.parse(l) as Record<string, unknown>];
        } catch {
          return [];
        }
      });
  }

  async get(path: string): Promise<{ status: number; body: string }> {
    try {
      const r = await fetch(`${this.url}${path}`, { signal: AbortSignal.timeout(10_000) });
      return { status: r.status, body: await r.text() };
    } catch (e) {
      return { status: 0, body: String(e) };
    }
  }

  async incidents(): Promise<IncidentsDoc> {
    const r = await this.get('/incidents');
    if (r.status !== 200) throw new Error(`/incidents: ${r.status} ${r.body.slice(0, 300)}`);
    return JSON.parse(r.body) as IncidentsDoc;
  }

  async readyz(): Promise<{ status: number; doc: Record<string, unknown> }> {
    const r = await this.get('/readyz');
    let doc: Record<string, unknown> = {};
    try {
      doc = JSON.parse(r.body) as Record<string, unknown>;
    } catch {
      /* not JSON */
    }
    return { status: r.status, doc };
  }

  async stop(signal: NodeJS.Signals = 'SIGTERM', timeoutMs = 20_000): Promise<number> {
    if (this.child.exitCode !== null || this.child.signalCode !== null) return this.exited;
    this.child.kill(signal);
    const t = setTimeout(() => this.child.kill('SIGKILL'), timeoutMs);
    const code = await this.exited;
    clearTimeout(t);
    return code;
  }

  get done(): Promise<number> {
    return this.exited;
  }
}

export async function startAgent(kubeconfig: string, config: Record<string, unknown> = fastConfig(), o: { waitReady?: boolean; env?: Record<string, string> } = {}): Promise<Agent> {
  const port = await freePort();
  const dir = mkdtempSync(join(tmpdir(), 'sa-e2e-agent-'));
  const cfg = join(dir, 'config.yaml');
  writeFileSync(cfg, stringify({ ...config, http: { listen: `127.0.0.1:${port}` } }));
  const child = spawn(process.execPath, [BIN, 'watch', '--kubeconfig', kubeconfig, '--config', cfg], {
    cwd: ROOT,
    env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '/tmp', ...o.env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const agent = new Agent(child, `http://127.0.0.1:${port}`);
  if (o.waitReady !== false) {
    let last: { status: number; doc: Record<string, unknown> } = { status: 0, doc: {} };
    try {
      await waitFor(
        'the agent to be ready',
        async () => {
          if (child.exitCode !== null) throw new Error(`agent exited ${child.exitCode}: ${agent.stderr.slice(-2000)}`);
          last = await agent.readyz();
          return last.status === 200;
        },
        90_000,
      );
    } catch (e) {
      await agent.stop('SIGKILL');
      throw new Error(`${(e as Error).message}; last /readyz ${last.status} ${JSON.stringify(last.doc).slice(0, 1500)}; its log ends:\n${`${agent.stdout}${agent.stderr}`.slice(-3000)}`, { cause: e });
    }
  }
  return agent;
}

export function cliJson(argv: string[], env: Record<string, string> = {}): { code: number; stdout: string; stderr: string } {
  try {
    const stdout = execFileSync(process.execPath, [BIN, ...argv], { cwd: ROOT, encoding: 'utf8', env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '/tmp', ...env }, stdio: ['ignore', 'pipe', 'pipe'], timeout: 120_000 });
    return { code: 0, stdout, stderr: '' };
  } catch (e) {
    const err = e as { status: number | null; stdout: string; stderr: string };
    return { code: err.status ?? -1, stdout: err.stdout, stderr: err.stderr };
  }
}

// ---------------------------------------------------------------------------------------------
// playing MCP Runtime's operator

export const BEHAVIOUR = 'testbed.sentinel-agent.dev/behaviour';
export const MESSAGE = 'testbed.sentinel-agent.dev/message';
export const REASON = 'testbed.sentinel-agent.dev/reason';
export const MANAGED = { 'app.kubernetes.io/managed-by': 'mcp-runtime' };

export async function ensureNamespace(kube: Kube, name: string): Promise<void> {
  await kube.apply({ apiVersion: 'v1', kind: 'Namespace', metadata: { name } });
  await waitFor(`ServiceAccount default in ${name}`, () => kube.find(`/api/v1/namespaces/${name}/serviceaccounts/default`), 60_000);
}

function container(name: string, image: string, extra: Record<string, unknown> = {}): Record<string, unknown> {
  return { name, image, ports: [{ containerPort: 8088 }], ...extra };
}

/** The platform as MCP Runtime installs it: the operator's Deployment and the registry with its Service. */
export async function installPlatform(kube: Kube): Promise<void> {
  for (const ns of ['mcp-runtime', 'registry', 'mcp-servers']) await ensureNamespace(kube, ns);
  await kube.apply(deployment('mcp-runtime-operator-controller-manager', 'mcp-runtime', { 'control-plane': 'controller-manager' }, [container('manager', 'ghcr.io/mcp-runtime/operator:v0.9.0')], 1));
  await kube.apply(deployment('registry', 'registry', { app: 'registry' }, [container('registry', 'registry:2')], 1));
  await kube.apply({ apiVersion: 'v1', kind: 'Service', metadata: { name: 'registry', namespace: 'registry' }, spec: { type: 'ClusterIP', selector: { app: 'registry' }, ports: [{ name: 'http', port: 5000, targetPort: 5000 }] } });
}

export type DeploymentObj = Obj & { spec: Record<string, unknown> & { template: Record<string, unknown> & { spec: Record<string, unknown> } } };

export function deployment(name: string, ns: string, selector: Record<string, string>, containers: Record<string, unknown>[], replicas: number, o: { labels?: Record<string, string>; podLabels?: Record<string, string>; podAnnotations?: Record<string, string>; owner?: Obj & { metadata: { uid?: string } } } = {}): DeploymentObj {
  return {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name, namespace: ns, labels: { ...selector, ...o.labels }, ...(o.owner ? { ownerReferences: [ownerRef(o.owner)] } : {}) },
    spec: {
      replicas,
      progressDeadlineSeconds: 600,
      selector: { matchLabels: selector },
      strategy: { type: 'RollingUpdate', rollingUpdate: { maxUnavailable: '25%', maxSurge: '25%' } },
      template: { metadata: { labels: { ...selector, ...o.labels, ...o.podLabels }, annotations: o.podAnnotations ?? {} }, spec: { containers, terminationGracePeriodSeconds: 1 } },
    },
  };
}

function ownerRef(o: Obj & { metadata: { uid?: string } }): Record<string, unknown> {
  return { apiVersion: o.apiVersion, kind: o.kind, name: o.metadata.name, uid: o.metadata.uid, controller: true, blockOwnerDeletion: true };
}

export interface ServerSpec {
  name: string;
  ns?: string;
  image?: string;
  replicas?: number;
  behaviour?: string;
  message?: string;
  memoryLimit?: string;
  gateway?: boolean;
}

/** Creates an MCPServer and what the operator creates for it; answers the created MCPServer. */
export async function createMcpServer(kube: Kube, s: ServerSpec): Promise<Obj> {
  const ns = s.ns ?? 'mcp-servers';
  const image = s.image ?? `registry.registry.svc.cluster.local:5000/${s.name}:v1.0.0`;
  const mcp = await kube.apply<Obj & { metadata: { uid: string } }>({ apiVersion: 'mcpruntime.org/v1alpha1', kind: 'MCPServer', metadata: { name: s.name, namespace: ns }, spec: { image, replicas: s.replicas ?? 1, port: 8088, servicePort: 80, ...(s.gateway ? { gateway: { enabled: true, port: 8091, image: 'ghcr.io/mcp-runtime/gateway:v0.9.0' } } : {}) } });
  await applyServerWorkload(kube, mcp, s);
  await kube.apply({ apiVersion: 'v1', kind: 'Service', metadata: { name: s.name, namespace: ns, labels: { app: s.name, ...MANAGED }, ownerReferences: [ownerRef(mcp)] }, spec: { type: 'ClusterIP', selector: { app: s.name, ...MANAGED }, ports: [{ name: 'http', port: 80, targetPort: s.gateway ? 8091 : 8088 }] } });
  const ing = await kube.apply({ apiVersion: 'networking.k8s.io/v1', kind: 'Ingress', metadata: { name: s.name, namespace: ns, annotations: { 'traefik.ingress.kubernetes.io/router.entrypoints': 'web' }, ownerReferences: [ownerRef(mcp)] }, spec: { ingressClassName: 'traefik', rules: [{ http: { paths: [{ path: `/${s.name}/mcp`, pathType: 'Prefix', backend: { service: { name: s.name, port: { number: 80 } } } }] } }] } });
  await kube.applyStatus({ ...ing, status: { loadBalancer: { ingress: [{ ip: '172.18.0.3' }] } } } as Obj, 'traefik');
  if (s.gateway) await kube.apply({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: `${s.name}-gateway-policy`, namespace: ns, labels: { app: s.name, ...MANAGED }, ownerReferences: [ownerRef(mcp)] }, data: { 'policy.json': '{"schema_version":"v1"}' } });
  return mcp;
}

/** The server's Deployment as the operator renders it (a new image or behaviour is a new rollout). */
export async function applyServerWorkload(kube: Kube, mcp: Obj & { metadata: { uid?: string } }, s: ServerSpec): Promise<void> {
  const ns = s.ns ?? 'mcp-servers';
  const image = s.image ?? `registry.registry.svc.cluster.local:5000/${s.name}:v1.0.0`;
  const containers = [container(s.name, image, s.memoryLimit ? { resources: { limits: { memory: s.memoryLimit } } } : {})];
  if (s.gateway) containers.push(container('mcp-gateway', 'ghcr.io/mcp-runtime/gateway:v0.9.0'));
  await kube.apply(
    deployment(s.name, ns, { app: s.name, 'mcpruntime.org/rollout-track': 'stable' }, containers, s.replicas ?? 1, {
      labels: MANAGED,
      podLabels: s.behaviour ? { [BEHAVIOUR]: s.behaviour } : {},
      podAnnotations: s.message ? { [MESSAGE]: s.message } : {},
      owner: mcp as Obj & { metadata: { uid?: string } },
    }),
  );
}

/** The operator's status write (internal/operator/status.go): phase from the readiness flags. */
export async function writeServerStatus(kube: Kube, name: string, ns: string, flags: { deploymentReady: boolean; serviceReady?: boolean; ingressReady?: boolean; gatewayReady?: boolean; policyReady?: boolean }): Promise<void> {
  const f = { serviceReady: true, ingressReady: true, gatewayReady: false, policyReady: false, canaryReady: false, ...flags };
  const required = [f.deploymentReady, f.serviceReady, f.ingressReady];
  const phase = required.every(Boolean) ? 'Ready' : [f.deploymentReady, f.serviceReady, f.ingressReady].some(Boolean) ? 'PartiallyReady' : 'Pending';
  const now = new Date().toISOString().replace(/\.\d+Z$/, 'Z');
  const conditions = (['DeploymentReady', 'ServiceReady', 'IngressReady', 'GatewayReady', 'PolicyReady', 'CanaryReady'] as const).map((type) => {
    const key = `${type.charAt(0).toLowerCase()}${type.slice(1)}` as keyof typeof f;
    return { type, status: f[key] ? 'True' : 'False', reason: phase, message: 'All resources reconciled', lastTransitionTime: now, observedGeneration: 1 };
  });
  await kube.applyStatus({ apiVersion: 'mcpruntime.org/v1alpha1', kind: 'MCPServer', metadata: { name, namespace: ns }, status: { phase, message: 'All resources reconciled', ...f, conditions } } as Obj, 'mcp-runtime-operator');
}

/** Mirrors the Deployment's readiness into the MCPServer's status, as the operator's reconcile does. */
export async function reconcileServer(kube: Kube, name: string, ns = 'mcp-servers'): Promise<boolean> {
  const d = await kube.get<{ spec: { replicas: number }; status?: { readyReplicas?: number } }>(`/apis/apps/v1/namespaces/${ns}/deployments/${name}`);
  const ready = (d.status?.readyReplicas ?? 0) === d.spec.replicas;
  await writeServerStatus(kube, name, ns, { deploymentReady: ready });
  return ready;
}

export function summary(doc: IncidentsDoc): string[] {
  return doc.incidents.map((i) => `${i.reason} ${i.object.kind} ${i.object.namespace ?? ''}/${i.object.name}`).sort();
}
