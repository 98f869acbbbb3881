// What the checks can be told: the platform's names and namespaces, ingress readiness mode,
// windows and per-reason overrides. Built and validated by src/config; defaults are MCP Runtime's.

import type { Severity } from './severity.ts';
import type { CustomResourceSpec } from '../kube/kinds.ts';

export type IngressReadinessMode = 'strict' | 'permissive';

export interface CheckConfig {
  operator: {
    namespace: string;
    deployment: string;
    /** Whether an MCPServer without spec.gateway.enabled has its gateway on: off in the operator
     *  versions of reference §1, on in the newer ones (§8). */
    gatewayEnabledByDefault: boolean;
    /** Whether the config set it (then the MCPServer CRD's schema default is not taken). */
    gatewayDefaultSet?: boolean;
  };
  registry: {
    namespace: string;
    deployment: string;
    service: string;
    /** Image hosts that are the platform registry (host or host:port); the Service ClusterIP and
     *  the registry Ingress hosts found in the cluster are added at run time. */
    hosts: readonly string[];
  };
  /** The platform's other components, each a list of `namespace/deployment` (reference §3): those
   *  that exist are judged; a component none of whose Deployments exists is not installed. */
  platform: {
    sentinel: readonly string[];
    /** Alternatives: the first that exists is the controller (repo-managed, or k3s' bundled). */
    ingressController: readonly string[];
    /** The IngressClass the controller serves (its Ingresses are explained by its outage). */
    ingressClass: string;
    certManager: readonly string[];
  };
  /** Custom resources judged by the kstatus conventions (config `customResources`). */
  customResources: readonly CustomResourceSpec[];
  /** The operator's MCP_INGRESS_READINESS_MODE. */
  ingressReadinessMode: IngressReadinessMode;
  /** How recent an OOM kill must be to count (seconds). */
  oomWindowSeconds: number;
  /** Warn when a certificate expires within this window and renewal has not happened (seconds). */
  certificateExpiryWarningSeconds: number;
  /** Objects whose names start with these are the MCP Runtime doctor's own smoke tests. */
  ignoreNamePrefixes: readonly string[];
  /** Per reason: severity, grace, whether it is reported, and (watch) how long a warning stays open
   *  before it becomes critical. */
  reasons: Readonly<Record<string, { severity?: Severity; graceSeconds?: number; enabled?: boolean; escalateAfterSeconds?: number }>>;
  /** Check ids to run; empty means all. */
  enabledChecks: readonly string[];
  disabledChecks: readonly string[];
  runbookBaseUrl?: string;
}

/** Whether a Deployment is one of the platform's (operator, registry, Sentinel, ingress controller,
 *  cert-manager): those have reasons of their own, not DeploymentUnavailable. */
export function isPlatformDeployment(c: CheckConfig, namespace: string, name: string): boolean {
  if (namespace === c.operator.namespace && name === c.operator.deployment) return true;
  if (namespace === c.registry.namespace && name === c.registry.deployment) return true;
  const ref = `${namespace}/${name}`;
  return c.platform.sentinel.includes(ref) || c.platform.ingressController.includes(ref) || c.platform.certManager.includes(ref);
}

export const GATEWAY_CONTAINER = 'mcp-gateway';
export const POLICY_KEY = 'policy.json';

export function defaultCheckConfig(): CheckConfig {
  return {
    operator: { namespace: 'mcp-runtime', deployment: 'mcp-runtime-operator-controller-manager', gatewayEnabledByDefault: false },
    registry: {
      namespace: 'registry',
      deployment: 'registry',
      service: 'registry',
      hosts: ['registry.registry.svc.cluster.local:5000', 'registry.registry.svc.cluster.local', 'registry.local'],
    },
    platform: {
      sentinel: ['mcp-sentinel-ingest', 'mcp-sentinel-processor', 'mcp-platform-api', 'mcp-runtime-api', 'mcp-analytics-api', 'mcp-sentinel-ui', 'mcp-sentinel-gateway', 'otel-collector'].map((d) => `mcp-sentinel/${d}`),
      ingressController: ['traefik/traefik', 'kube-system/traefik'],
      ingressClass: 'traefik',
      certManager: ['cert-manager/cert-manager', 'cert-manager/cert-manager-webhook', 'cert-manager/cert-manager-cainjector'],
    },
    customResources: [],
    ingressReadinessMode: 'strict',
    oomWindowSeconds: 3600,
    certificateExpiryWarningSeconds: 7 * 24 * 3600,
    ignoreNamePrefixes: [
      'doctor-smoke-',
      'doctor-pull-',
      'doctor-admission-',
      'doctor-sentinel-probe-',
      'doctor-runtime-servers-',
      'mcp-runtime-doctor-',
    ],
    reasons: {},
    enabledChecks: [],
    disabledChecks: [],
  };
}
