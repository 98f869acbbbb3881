import type { Check, Finding } from './types.ts';
import { plural, ref } from './helpers.ts';
import { unavailableSince } from './deployment-availability.ts';
import type { ReasonDecl } from './reasons.ts';

/** The reasons this check gives, with what the catalog says of each (product.md §2). */
const reasons: readonly ReasonDecl[] = [
  {
    reason: 'OperatorUnavailable',
    kind: 'Deployment',
    severity: 'critical',
    title: 'MCP Runtime operator unavailable',
    description: 'The operator Deployment has fewer ready replicas than desired (or is missing while MCPServers exist): MCPServers are not reconciled and, with webhooks on, cannot be changed.',
    remediation: 'kubectl -n {operatorNamespace} get pods -l control-plane=controller-manager; kubectl -n {operatorNamespace} describe deploy {operatorDeployment}; kubectl -n {operatorNamespace} logs deploy/{operatorDeployment} -c manager --previous',
    graceSeconds: 60,
    layer: 0,
    // With one replica still ready the leader keeps reconciling: only a fully down operator
    // explains servers left Pending.
    explainsAcross: [{ reason: 'MCPServerPending', when: (operator) => (operator.ready_replicas ?? 0) === 0 }],
  },
];

export const operatorAvailability: Check = {
  id: 'operator-availability',
  description: 'The MCP Runtime operator Deployment has all its replicas ready.',
  needs: ['Deployment'],
  reasons,
  *run(view, ctx) {
    const { namespace, deployment } = ctx.config.operator;
    if (!ctx.inScope(namespace)) {
      ctx.skip(`namespace ${namespace} is not being read`);
      return;
    }
    const vars = { operatorNamespace: namespace, operatorDeployment: deployment };
    const d = view.get('Deployment', namespace, deployment);
    if (!d) {
      // Missing matters only where MCP Runtime is in use, and only when we saw the whole namespace
      // (a cluster-wide read, or a dump that holds Deployments of that namespace).
      const servers = view.source('MCPServer').status === 'synced' ? view.count('MCPServer') : 0;
      const sawNamespace = view.source('Deployment').coverage === 'cluster' || view.count('Deployment', namespace) > 0;
      if (servers === 0 || !sawNamespace) return;
      yield {
        reason: 'OperatorUnavailable',
        object: { apiVersion: 'apps/v1', kind: 'Deployment', namespace, name: deployment },
        message: `operator Deployment ${namespace}/${deployment} not found while ${plural(servers, 'MCPServer')} exist: nothing reconciles them`,
        vars,
      };
      return;
    }
    if (d.replicas === 0 || d.readyReplicas >= d.replicas) return;
    const f: Finding = {
      reason: 'OperatorUnavailable',
      object: ref(d),
      message:
        d.readyReplicas === 0
          ? `operator has 0 of ${d.replicas} replicas ready: MCPServers are not reconciled and, with webhooks on, cannot be created or changed`
          : `operator has ${d.readyReplicas} of ${d.replicas} replicas ready: reconciliation continues on the leader but without a standby`,
      attributes: { replicas: d.replicas, ready_replicas: d.readyReplicas },
      vars,
    };
    const since = unavailableSince(view, d);
    if (since !== undefined) f.since = since;
    yield f;
  },
};
