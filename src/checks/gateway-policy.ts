import type { Check, Finding } from './types.ts';
import { POLICY_KEY } from './config.ts';
import { condition, ref } from './helpers.ts';
import { quote } from '../util/redact.ts';
import type { ReasonDecl } from './reasons.ts';
import { gatewayOn, policyConfigMapName } from '../kube/relations.ts';

const RENDER_FAILURE = /Failed to reconcile policy ConfigMap|rendered gateway policy .* is invalid/;

/** The reasons this check gives, with what the catalog says of each (product.md §2). */
const reasons: readonly ReasonDecl[] = [
  {
    reason: 'PolicyNotMaterialized',
    kind: 'MCPServer',
    severity: 'critical',
    title: 'Gateway policy not materialized',
    description: 'The gateway is enabled and ConfigMap <name>-gateway-policy is missing or has no policy.json key, or the operator reports a policy render failure.',
    remediation: 'kubectl -n {namespace} get configmap {name}-gateway-policy -o jsonpath=\'{.data}\' | head -c 300; kubectl -n {namespace} get mcpserver {name} -o jsonpath=\'{.status.message}\'; check the MCPAccessGrants/MCPAgentSessions that reference it.',
    graceSeconds: 60,
    layer: 2,
  },
];

export const gatewayPolicy: Check = {
  id: 'gateway-policy',
  roots: 'MCPServer',
  reads: ['ConfigMap'],
  description: 'MCPServers with the gateway enabled whose policy ConfigMap <name>-gateway-policy is missing, lacks policy.json, or failed to render.',
  needs: ['MCPServer', 'ConfigMap'],
  reasons,
  *run(view, ctx) {
    for (const s of view.roots('MCPServer')) {
      if (!gatewayOn(s, ctx.config.operator.gatewayEnabledByDefault) || s.meta.deletionTimestamp !== undefined) continue;
      const cmName = policyConfigMapName(s.meta.name);
      const policyCond = condition(s.status, 'PolicyReady');
      const since = (policyCond?.status === 'False' ? policyCond.lastTransitionTime : undefined) ?? s.meta.creationTimestamp;
      let message: string | undefined;
      let urgent = false;
      const msg = s.status.message ?? '';
      if (s.status.phase === 'Error' && RENDER_FAILURE.test(msg)) {
        message = `the operator failed to render the gateway policy: ${quote(msg, 400)}`;
        urgent = true;
      } else {
        const cm = view.get('ConfigMap', s.meta.namespace, cmName);
        if (!cm) message = `policy ConfigMap ${cmName} is missing`;
        else if (!cm.keys.includes(POLICY_KEY)) message = `policy ConfigMap ${cmName} has no ${POLICY_KEY} key${cm.keys.length ? ` (keys: ${cm.keys.slice(0, 5).join(', ')})` : ''}`;
      }
      if (!message) continue;
      const f: Finding = { reason: 'PolicyNotMaterialized', object: ref(s), message, attributes: { configmap: cmName } };
      if (urgent) f.urgent = true;
      if (since !== undefined) f.since = since;
      yield f;
    }
  },
};
