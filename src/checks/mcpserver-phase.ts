import type { Check, CheckContext, Finding } from './types.ts';
import { quote, shellWord } from '../util/redact.ts';
import type { ClusterView } from '../kube/store.ts';
import type { MCPServer, ReadinessFlag } from '../kube/types.ts';
import { READINESS_FLAGS } from '../kube/types.ts';
import { condition, latestEvent, latestTransition, ref } from './helpers.ts';
import { lacksLoadBalancer, silentClasses } from './ingress-admission.ts';
import type { CheckConfig } from './config.ts';
import { OPERATOR_LOGS, type ReasonDecl } from './reasons.ts';
import { canaryName, gatewayCertificateName, gatewayOn, policyConfigMapName } from '../kube/relations.ts';

/** The readiness flags the spec makes required for phase Ready (reference §1.2). */
export function requiredFlags(s: MCPServer, gatewayByDefault: boolean): ReadinessFlag[] {
  const out: ReadinessFlag[] = ['deploymentReady', 'serviceReady', 'ingressReady'];
  if (gatewayOn(s, gatewayByDefault)) out.push('gatewayReady', 'policyReady');
  if (s.spec.rolloutStrategy === 'Canary') out.push('canaryReady');
  return out;
}

/** " (status.url …)" for a server whose status says where it is published (newer operators). */
export function servedAt(s: MCPServer): string {
  return s.status.url ? ` (status.url ${quote(s.status.url, 200)})` : '';
}

export function conditionType(flag: ReadinessFlag): string {
  return flag.charAt(0).toUpperCase() + flag.slice(1);
}

/** Why an Error phase happened and what to do, from the operator's message (reference §1.2). */
export function classifyError(message: string, s: MCPServer, config: CheckConfig): { cls: string; resource?: string; hint: string } {
  // As shell words: the hint goes into a remediation that is pasted.
  const ns = shellWord(s.meta.namespace);
  const n = shellWord(s.meta.name);
  if (/ is invalid: /.test(message)) {
    return { cls: 'invalid_spec', hint: 'The operator rejected the spec: fix the fields the message names (the validating webhook catches these at apply time when MCP_ENABLE_WEBHOOKS=true).' };
  }
  if (/gateway\.image is required/.test(message)) {
    return { cls: 'gateway_image_missing', hint: `Set spec.gateway.image, or MCP_GATEWAY_PROXY_IMAGE on the operator to the proxy image of your MCP Runtime release: kubectl -n ${config.operator.namespace} set env deploy/${config.operator.deployment} MCP_GATEWAY_PROXY_IMAGE='<gateway-image>'.` };
  }
  if (/analytics\.ingestURL is required/.test(message)) {
    return { cls: 'analytics_ingest_url_missing', hint: 'Set spec.analytics.ingestURL, or MCP_SENTINEL_INGEST_URL on the operator.' };
  }
  const m = /Failed to reconcile ([^:]+):/.exec(message);
  if (m?.[1]) {
    const resource = m[1].trim();
    if (/MCP_MTLS_CLUSTER_ISSUER/.test(message)) {
      return { cls: 'mtls_issuer_missing', resource, hint: `Set MCP_MTLS_CLUSTER_ISSUER on the operator to a Ready ClusterIssuer, or drop auth.mode mtls; the ClusterIssuers: kubectl get clusterissuer.` };
    }
    if (/trustDomain/.test(message)) {
      return { cls: 'mtls_trust_domain_missing', resource, hint: 'Set spec.auth.trustDomain for auth.mode mtls.' };
    }
    if (/has no ca\.crt yet/.test(message)) {
      return { cls: 'mtls_certificate_pending', resource, hint: `The gateway certificate is not issued yet: kubectl -n ${ns} describe certificate ${gatewayCertificateName(n)}.` };
    }
    if (/rendered gateway policy .* is invalid/.test(message)) {
      return { cls: 'policy_invalid', resource, hint: `The rendered policy is invalid: check spec.policy and the MCPAccessGrants/MCPAgentSessions referencing ${n}: kubectl -n ${ns} get mcpaccessgrants,mcpagentsessions.` };
    }
    if (/invalid (cpu|memory)/i.test(message)) {
      return { cls: 'invalid_resources', resource, hint: 'Fix the resource quantities in spec.resources / spec.gateway.resources.' };
    }
    return { cls: 'reconcile_failed', resource, hint: `The operator could not reconcile the ${resource}: the cause is in the message; check the RBAC of the operator and the admission webhooks for that kind.` };
  }
  return { cls: 'unknown', hint: '' };
}

function flagHint(flag: ReadinessFlag, s: MCPServer): string {
  // As shell words: the hint goes into a remediation that is pasted.
  const ns = shellWord(s.meta.namespace);
  const n = shellWord(s.meta.name);
  switch (flag) {
    case 'deploymentReady':
      return `Deployment: kubectl -n ${ns} rollout status deploy/${n}.`;
    case 'serviceReady':
      return `Service: kubectl -n ${ns} get svc ${n}.`;
    case 'ingressReady':
      return s.spec.authMode === 'mtls'
        ? `Ingress: mTLS servers are routed by an IngressRoute, which this operator version does not count as ready.`
        : `Ingress (it needs a load-balancer address in strict readiness mode): kubectl -n ${ns} get ingress ${n}.`;
    case 'gatewayReady':
      return `Gateway: kubectl -n ${ns} logs -l ${shellWord(`app=${s.meta.name}`)} -c mcp-gateway --tail=20.`;
    case 'policyReady':
      return `Policy: kubectl -n ${ns} get configmap ${policyConfigMapName(n)}.`;
    case 'canaryReady':
      return `Canary: kubectl -n ${ns} rollout status deploy/${canaryName(n)}.`;
  }
}

/** Whether a false ingressReady is structural rather than a fault (reference §1.4). */
function ingressStructurallyUnready(view: ClusterView, s: MCPServer, permissive: boolean): boolean {
  if (s.spec.authMode === 'mtls') return true;
  const ing = view.get('Ingress', s.meta.namespace, s.meta.name);
  if (!ing || !lacksLoadBalancer(ing, permissive)) return false;
  return silentClasses(view).has(ing.className ?? '');
}

/** The reasons this check gives, with what the catalog says of each (product.md §2). */
const reasons: readonly ReasonDecl[] = [
  {
    reason: 'MCPServerError',
    kind: 'MCPServer',
    severity: 'critical',
    title: 'MCPServer reconcile failed',
    description: 'The operator set status.phase=Error: the spec was rejected or a sub-resource could not be reconciled.',
    remediation: `{hint} Read what the operator says: kubectl -n {namespace} get mcpserver {name} -o jsonpath='{.status.message}'; then ${OPERATOR_LOGS}`,
    facts: ['hint'],
    graceSeconds: 30,
    layer: 4,
  },
  {
    reason: 'MCPServerPending',
    kind: 'MCPServer',
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
    severity: 'warning',
    alsoSeverities: ['info'],
    title: 'MCPServer partially ready',
    description: 'status.phase=PartiallyReady for longer than its grace, and a readiness flag that the spec requires is false (flags of features the spec does not use are ignored; a canary not ready is CanaryNotReady).',
    remediation: 'See which part is not ready: kubectl -n {namespace} get mcpserver {name} -o wide; kubectl -n {namespace} get deploy,svc,ingress,pods -l app={name}. {hint}',
    facts: ['hint'],
    graceSeconds: 300,
    layer: 4,
  },
];

/** The operator's latest Warning Event on the server, when it adds to what the status says. */
function operatorWarning(view: ClusterView, s: MCPServer, now: number): { text: string; reason: string } | undefined {
  const e = latestEvent(view, s, undefined, now, (m) => m !== '' && m !== s.status.message);
  return e ? { text: `; the operator warns: ${quote(e.reason, 80)}: ${quote(e.message, 300)}`, reason: e.reason } : undefined;
}

export const mcpserverPhase: Check = {
  id: 'mcpserver-phase',
  roots: 'MCPServer',
  reads: ['Ingress', 'Event'],
  description: 'MCPServers in phase Error, stuck Pending, or PartiallyReady with a required flag false.',
  needs: ['MCPServer'],
  evidence: ['Event'],
  reasons,
  *run(view, ctx) {
    for (const s of view.roots('MCPServer')) {
      if (s.meta.deletionTimestamp !== undefined) continue;
      for (const f of judge(view, s, ctx)) {
        const warned = operatorWarning(view, s, ctx.now);
        if (warned) {
          f.message += warned.text;
          f.attributes = { ...f.attributes, operator_event: warned.reason };
        }
        yield f;
      }
    }
  },
};

function* judge(view: ClusterView, s: MCPServer, ctx: CheckContext): Generator<Finding> {
  const phase = s.status.phase ?? '';
  const allConds = READINESS_FLAGS.map((f) => condition(s.status, conditionType(f)));
  const created = s.meta.creationTimestamp;
  const attributes: Finding['attributes'] = { phase: phase || 'none' };
  if (s.spec.teamID) attributes.team_id = s.spec.teamID;
  if (phase === 'Error') {
    const msg = s.status.message ?? '';
    const c = classifyError(msg, s, ctx.config);
    const f: Finding = {
      reason: 'MCPServerError',
      object: ref(s),
      message: `MCPServer is in phase Error${msg ? `: ${quote(msg, 400)}` : ''}${servedAt(s)}`,
      attributes: { ...attributes, 'error.class': c.cls, ...(c.resource ? { 'error.resource': c.resource } : {}) },
      vars: { hint: c.hint },
    };
    const since = latestTransition(allConds) ?? created;
    if (since !== undefined) f.since = since;
    yield f;
  } else if (phase === '' || phase === 'Pending') {
    const f: Finding = {
      reason: 'MCPServerPending',
      object: ref(s),
      message: phase === '' ? 'MCPServer has no status: the operator has not reconciled it' : `MCPServer is Pending: none of its parts is ready${servedAt(s)}`,
      attributes,
    };
    const since = (phase === '' ? undefined : latestTransition(allConds)) ?? created;
    if (since !== undefined) f.since = since;
    yield f;
  } else if (phase === 'PartiallyReady') {
    // PartiallyReady on flags the spec does not require is not a fault (reference §1.3); a
    // canary that is not ready is CanaryNotReady's (canary-readiness.ts), one incident for it.
    const notReady = requiredFlags(s, ctx.config.operator.gatewayEnabledByDefault).filter((f) => f !== 'canaryReady' && s.status.flags[f] !== true);
    if (notReady.length === 0) return;
    const structural =
      notReady.length === 1 && notReady[0] === 'ingressReady' && ingressStructurallyUnready(view, s, ctx.config.ingressReadinessMode === 'permissive');
    const f: Finding = {
      reason: 'MCPServerPartiallyReady',
      object: ref(s),
      message: `MCPServer is PartiallyReady: ${notReady.join(', ')} ${notReady.length === 1 ? 'is' : 'are'} false${structural ? ' (the ingress controller publishes no load-balancer status here, so this is expected)' : ''}${servedAt(s)}`,
      attributes: { ...attributes, not_ready: notReady.join(',') },
      vars: { hint: notReady.map((fl) => flagHint(fl, s)).join(' ') },
    };
    if (structural) f.severity = 'info';
    const since = latestTransition(notReady.map((fl) => condition(s.status, conditionType(fl)))) ?? created;
    if (since !== undefined) f.since = since;
    yield f;
  }
}
