import type { Check, Finding } from './types.ts';
import type { Issuer } from '../kube/types.ts';
import { condition, ref } from './helpers.ts';
import { quote, shellWord } from '../util/redact.ts';
import { CERT_MANAGER_TROUBLESHOOT, type ReasonDecl } from './reasons.ts';

/** The reasons this check gives, with what the catalog says of each (product.md §2). */
const reasons: readonly ReasonDecl[] = [
  {
    reason: 'IssuerNotReady',
    kind: 'Issuer',
    alsoKinds: ['ClusterIssuer'],
    severity: 'warning',
    title: 'cert-manager issuer not ready',
    description:
      "An Issuer or ClusterIssuer with Ready False (an ACME account that cannot register, a CA Secret missing, Vault unreachable) for longer than its grace: nothing it signs is issued or renewed. The root cause of the Certificates and CertificateRequests that use it (the gateway's mTLS certificates use the operator's MCP_MTLS_CLUSTER_ISSUER).",
    remediation: '{hint}; kubectl get certificates,certificaterequests -A | grep -v True',
    facts: ['hint'],
    runbookUrl: CERT_MANAGER_TROUBLESHOOT,
    graceSeconds: 60,
    layer: 0,
  },
];

function notReady(i: Issuer): Finding | undefined {
  const ready = condition(i, 'Ready');
  if (ready?.status !== 'False' || i.meta.deletionTimestamp !== undefined) return undefined;
  const why = [ready.reason, ready.message].filter((s): s is string => !!s).join(': ');
  // The describe command for either scope, as shell words (the hint goes in as it is).
  const hint = i.kind === 'Issuer' ? `kubectl -n ${shellWord(i.meta.namespace)} describe issuer ${shellWord(i.meta.name)}` : `kubectl describe clusterissuer ${shellWord(i.meta.name)}`;
  const f: Finding = {
    reason: 'IssuerNotReady',
    object: ref(i),
    message: `${i.kind}${i.type ? ` (${i.type})` : ''} is not ready${why ? `: ${quote(why, 500)}` : ''}: Certificates it signs are not issued or renewed`,
    attributes: { issuer: `${i.kind}/${i.meta.name}`, ...(i.type ? { issuer_type: i.type } : {}) },
    vars: { hint },
  };
  if (ready.lastTransitionTime !== undefined) f.since = ready.lastTransitionTime;
  return f;
}

export const issuerReadiness: Check = {
  id: 'issuer-readiness',
  description: "cert-manager Issuers and ClusterIssuers whose Ready condition is False.",
  // Either kind is enough to run (a dump may hold only one); the one that cannot be read is
  // reported all the same.
  needs: [['Issuer', 'ClusterIssuer']],
  evidence: ['Issuer', 'ClusterIssuer'],
  reasons,
  *run(view) {
    for (const i of [...view.list('Issuer'), ...view.list('ClusterIssuer')]) {
      const f = notReady(i);
      if (f) yield f;
    }
  },
};
