import type { Check, Finding } from './types.ts';
import { GATEWAY_CONTAINER } from './config.ts';
import { condition, podSince, ref } from './helpers.ts';
import { deploymentsOfServer, gatewayOn, podsOfServer } from '../kube/relations.ts';
import type { ReasonDecl } from './reasons.ts';

/** The reasons this check gives, with what the catalog says of each (product.md §2). */
const reasons: readonly ReasonDecl[] = [
  {
    reason: 'GatewayNotReady',
    kind: 'MCPServer',
    severity: 'warning',
    title: 'MCP gateway sidecar not ready',
    description: 'The gateway is enabled and the mcp-gateway container is missing or not ready in the server\'s pods, or status.gatewayReady stays false while the Deployment is ready.',
    remediation: 'kubectl -n {namespace} logs -l app={name} -c mcp-gateway --tail=50; a 503 policy_not_loaded means the policy never loaded: kubectl -n {namespace} get configmap {name}-gateway-policy',
    graceSeconds: 120,
    layer: 3,
  },
];

export const gatewayReadiness: Check = {
  id: 'gateway-readiness',
  roots: 'MCPServer',
  reads: ['Deployment', 'ReplicaSet', 'Pod'],
  description: 'MCPServers with the gateway enabled whose mcp-gateway sidecar is missing or not ready.',
  needs: ['MCPServer', 'Pod'],
  reasons,
  *run(view, ctx) {
    for (const s of view.roots('MCPServer')) {
      if (!gatewayOn(s, ctx.config.operator.gatewayEnabledByDefault) || s.meta.deletionTimestamp !== undefined) continue;
      const base: Omit<Finding, 'message'> = { reason: 'GatewayNotReady', object: ref(s) };
      const templateless = deploymentsOfServer(view, s).find(
        (d) => d.templateContainers.length > 0 && !d.templateContainers.includes(GATEWAY_CONTAINER),
      );
      if (templateless) {
        const f: Finding = { ...base, message: `Deployment ${templateless.meta.name} has no ${GATEWAY_CONTAINER} container although the gateway is enabled` };
        if (s.meta.creationTimestamp !== undefined) f.since = s.meta.creationTimestamp;
        yield f;
        continue;
      }
      const pods = podsOfServer(view, s).filter((p) => p.meta.deletionTimestamp === undefined && p.containers.length > 0);
      let bad = 0;
      let since: number | undefined;
      let state = '';
      for (const p of pods) {
        const g = p.containers.find((c) => c.name === GATEWAY_CONTAINER && !c.init);
        if (g?.ready) continue;
        bad++;
        state ||= g ? (g.current.reason ?? g.current.state) : 'missing';
        const t = podSince(p);
        if (t !== undefined && (since === undefined || t < since)) since = t;
      }
      if (bad > 0) {
        const f: Finding = {
          ...base,
          message: `${GATEWAY_CONTAINER} is not ready in ${bad} of ${pods.length} pods (${state})`,
          attributes: { container: GATEWAY_CONTAINER, not_ready_pods: bad, pods: pods.length },
        };
        if (since !== undefined) f.since = since;
        yield f;
        continue;
      }
      // gatewayReady is derived from deploymentReady: false while the Deployment is ready means stale status.
      if (pods.length > 0 && s.status.flags.gatewayReady === false && s.status.flags.deploymentReady === true) {
        const c = condition(s.status, 'GatewayReady');
        const f: Finding = { ...base, message: 'status.gatewayReady is false while the Deployment is ready' };
        const since2 = c?.lastTransitionTime ?? s.meta.creationTimestamp;
        if (since2 !== undefined) f.since = since2;
        yield f;
      }
    }
  },
};
