// The checks, in evaluation order. One line per check.
import type { Check } from './types.ts';
import { mcpserverPhase } from './mcpserver-phase.ts';
import { canaryReadiness } from './canary-readiness.ts';
import { podCrashLoop } from './pod-crash-loop.ts';
import { podImagePull } from './pod-image-pull.ts';
import { podOomKilled } from './pod-oom-killed.ts';
import { podContainerConfig } from './pod-container-config.ts';
import { podFailed } from './pod-failed.ts';
import { podUnschedulable } from './pod-unschedulable.ts';
import { podNotReady } from './pod-not-ready.ts';
import { podStuckCreating } from './pod-stuck-creating.ts';
import { deploymentAvailability } from './deployment-availability.ts';
import { deploymentProgress } from './deployment-progress.ts';
import { deploymentRollout } from './deployment-rollout.ts';
import { statefulSetAvailability } from './statefulset-availability.ts';
import { daemonSetAvailability } from './daemonset-availability.ts';
import { nodeHealth } from './node-health.ts';
import { pvcBinding } from './pvc-binding.ts';
import { deploymentReplicaFailure } from './deployment-replica-failure.ts';
import { serviceEndpoints } from './service-endpoints.ts';
import { ingressAdmission } from './ingress-admission.ts';
import { certificateReadiness } from './certificate-readiness.ts';
import { certificateRequest } from './certificate-request.ts';
import { issuerReadiness } from './issuer-readiness.ts';
import { resourceReadiness } from './resource-readiness.ts';
import { registryAvailability } from './registry-availability.ts';
import { gatewayReadiness } from './gateway-readiness.ts';
import { gatewayPolicy } from './gateway-policy.ts';
import { operatorAvailability } from './operator-availability.ts';
import { platformAvailability } from './platform-availability.ts';

export const CHECKS: readonly Check[] = [
  mcpserverPhase,
  canaryReadiness,
  podCrashLoop,
  podImagePull,
  podOomKilled,
  podContainerConfig,
  podFailed,
  podUnschedulable,
  podNotReady,
  podStuckCreating,
  deploymentAvailability,
  deploymentProgress,
  deploymentRollout,
  statefulSetAvailability,
  daemonSetAvailability,
  nodeHealth,
  pvcBinding,
  deploymentReplicaFailure,
  serviceEndpoints,
  ingressAdmission,
  certificateReadiness,
  certificateRequest,
  issuerReadiness,
  resourceReadiness,
  registryAvailability,
  gatewayReadiness,
  gatewayPolicy,
  operatorAvailability,
  platformAvailability,
];
