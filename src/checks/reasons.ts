// The reasons an incident can carry (product.md §2): their names, the contract, in the order
// reports list them, and what a check declares of each reason it gives (in the check's own file).

import type { Severity } from './severity.ts';

export const REASON_IDS = [
  'MCPServerError',
  'MCPServerPending',
  'MCPServerPartiallyReady',
  'CanaryNotReady',
  'CrashLoopBackOff',
  'ImagePullBackOff',
  'OOMKilled',
  'CreateContainerConfigError',
  'CreateContainerError',
  'RunContainerError',
  'PodFailed',
  'PodEvicted',
  'PodUnschedulable',
  'PodNotReady',
  'PodVolumeNotMounted',
  'PodSandboxFailed',
  'DeploymentUnavailable',
  'DeploymentProgressDeadlineExceeded',
  'DeploymentRolloutFailing',
  'DeploymentReplicaFailure',
  'StatefulSetUnavailable',
  'DaemonSetUnavailable',
  'NodeNotReady',
  'NodePressure',
  'PersistentVolumeClaimPending',
  'PersistentVolumeClaimLost',
  'ServiceNoEndpoints',
  'IngressNotAdmitted',
  'CertificateNotReady',
  'CertificateExpiringSoon',
  'CertificateRequestFailed',
  'CertificateRequestPending',
  'IssuerNotReady',
  'ResourceNotReady',
  'RegistryPullFailed',
  'RegistryUnavailable',
  'GatewayNotReady',
  'PolicyNotMaterialized',
  'OperatorUnavailable',
  'SentinelUnavailable',
  'IngressControllerUnavailable',
  'CertManagerUnavailable',
  'SourceUnavailable',
  'CheckFailed',
] as const;

export type ReasonId = (typeof REASON_IDS)[number];

/** A value of a finding's attributes (product.md §3: `attributes`). */
export type AttrValue = string | number | boolean;

/**
 * An explanation that ownership does not express: an incident of this reason explains incidents of
 * another reason anywhere (an outage of something every server uses), when their attributes say so.
 * The root-cause pass (engine/incidents.ts) applies these and nothing else beyond ownership.
 */
export interface ExplainsAcross {
  reason: ReasonId;
  when(cause: Readonly<Record<string, AttrValue | undefined>>, effect: Readonly<Record<string, AttrValue | undefined>>): boolean;
}

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
  /** What to do: a template whose {placeholders} are filled with the finding's facts, each value put
   *  in as one shell word (catalog.ts renderTemplate). */
  remediation: string;
  /** The facts its remediation templates (this one, and any a finding gives instead) name beyond
   *  those every incident has (STANDARD_FACTS in catalog.ts). Each finding of the reason gives them,
   *  in its vars or attributes. A template naming any other fact fails the catalog test; a finding
   *  that leaves a named fact empty fails the test that produced it (test/support/run.ts). */
  facts?: readonly string[];
  runbookUrl?: string;
  /** How long the finding must hold before it is an incident (seconds). */
  graceSeconds: number;
  /** Causal layer: a finding can explain findings of a higher layer on the objects above it. */
  layer: number;
  /** What it explains beyond the objects above it (each of a higher layer than this one). */
  explainsAcross?: readonly ExplainsAcross[];
}

/** What a check declares of a reason it gives; the catalog adds which check that is. */
export type ReasonDecl = Omit<ReasonSpec, 'check'>;

/** Where the reasons' runbooks point, and the operator's log (remediations of several checks). */
export const CERT_MANAGER_TROUBLESHOOT = 'https://cert-manager.io/docs/troubleshooting/';
export const K8S_DEBUG_PODS = 'https://kubernetes.io/docs/tasks/debug/debug-application/debug-pods/';
export const K8S_DEBUG_SVC = 'https://kubernetes.io/docs/tasks/debug/debug-application/debug-service/';
export const K8S_DEPLOY_STATUS = 'https://kubernetes.io/docs/concepts/workloads/controllers/deployment/#deployment-status';
export const OPERATOR_LOGS = 'kubectl -n {operatorNamespace} logs deploy/{operatorDeployment} --since=15m | grep -i {name}';
