// What the checks can be told: the platform's names and namespaces, ingress readiness mode,
// windows and per-reason overrides. Built and validated by src/config; defaults are MCP Runtime's.

import type { Severity } from './severity.ts';

export type IngressReadinessMode = 'strict' | 'permissive';

export interface CheckConfig {
  operator: {
    namespace: string;
    deployment: string;
    /** Whether an MCPServer without spec.gateway.enabled has its gateway on: off in the operator
     *  versions of reference §1, on in the newer ones (§8). */
    gatewayEnabledByDefault: boolean;
  };
  registry: {
    namespace: string;
    deployment: string;
    service: string;
    /** Image hosts that are the platform registry (host or host:port); the Service ClusterIP and
     *  the registry Ingress hosts found in the cluster are added at run time. */
    hosts: readonly string[];
  };
  /** The operator's MCP_INGRESS_READINESS_MODE. */
  ingressReadinessMode: IngressReadinessMode;
  /** How recent an OOM kill must be to count (seconds). */
  oomWindowSeconds: number;
  /** Warn when a certificate expires within this window and renewal has not happened (seconds). */
  certificateExpiryWarningSeconds: number;
  /** Objects whose names start with these are the MCP Runtime doctor's own smoke tests. */
  ignoreNamePrefixes: readonly string[];
  reasons: Readonly<Record<string, { severity?: Severity; graceSeconds?: number; enabled?: boolean }>>;
  /** Check ids to run; empty means all. */
  enabledChecks: readonly string[];
  disabledChecks: readonly string[];
  runbookBaseUrl?: string;
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
