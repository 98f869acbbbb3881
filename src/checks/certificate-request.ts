import type { Check, Finding } from './types.ts';
import { condition, ref } from './helpers.ts';
import { quote } from '../util/redact.ts';
import { CERT_MANAGER_TROUBLESHOOT, type ReasonDecl } from './reasons.ts';

/** The reasons this check gives, with what the catalog says of each (product.md §2). */
const reasons: readonly ReasonDecl[] = [
  {
    reason: 'CertificateRequestFailed',
    kind: 'CertificateRequest',
    severity: 'warning',
    title: 'Certificate request failed or denied',
    description: 'A cert-manager CertificateRequest Ready=False with reason Failed or Denied, while the Certificate it serves is not ready.',
    remediation: 'kubectl -n {namespace} describe certificaterequest {name}; check the issuer {issuer}: kubectl describe {issuerKindLower} {issuerName}',
    facts: ['issuer', 'issuerKindLower', 'issuerName'],
    runbookUrl: CERT_MANAGER_TROUBLESHOOT,
    graceSeconds: 0,
    layer: 1,
  },
  {
    reason: 'CertificateRequestPending',
    kind: 'CertificateRequest',
    severity: 'warning',
    title: 'Certificate request stuck pending',
    description: 'A cert-manager CertificateRequest Ready=False with reason Pending for longer than its grace, while the Certificate it serves is not ready: typically its issuer does not exist or is not ready.',
    remediation: 'kubectl -n {namespace} describe certificaterequest {name}; check the issuer {issuer} exists and is Ready: kubectl describe {issuerKindLower} {issuerName}',
    facts: ['issuer', 'issuerKindLower', 'issuerName'],
    runbookUrl: CERT_MANAGER_TROUBLESHOOT,
    graceSeconds: 600,
    layer: 1,
  },
];

export const certificateRequest: Check = {
  id: 'certificate-request',
  roots: 'CertificateRequest',
  reads: ['Certificate'],
  description: 'cert-manager CertificateRequests that failed, were denied, or stay pending (an issuer that does not exist or is not ready), while their Certificate is not ready.',
  needs: ['CertificateRequest'],
  reasons,
  *run(view) {
    for (const cr of view.roots('CertificateRequest')) {
      const ready = condition(cr, 'Ready');
      const denied = condition(cr, 'Denied');
      const invalid = condition(cr, 'InvalidRequest');
      const failed =
        (ready?.status === 'False' && (ready.reason === 'Failed' || ready.reason === 'Denied')) ||
        denied?.status === 'True' ||
        invalid?.status === 'True';
      const pending = !failed && ready?.status === 'False' && ready.reason === 'Pending';
      if (!failed && !pending) continue;
      // cert-manager keeps old requests: a failed attempt whose Certificate is Ready now is history.
      const owner = cr.meta.owners.find((o) => o.kind === 'Certificate');
      const cert = owner ? view.get('Certificate', cr.meta.namespace, owner.name) : undefined;
      if (cert && condition(cert, 'Ready')?.status === 'True') continue;
      const cause = denied?.status === 'True' ? denied : invalid?.status === 'True' ? invalid : ready;
      const label = cause === denied ? 'Denied' : cause === invalid ? 'InvalidRequest' : (ready?.reason ?? 'Failed');
      const [issuerKind, issuerName] = (cr.issuer ?? 'Issuer/<issuer>').split('/');
      const vars = { issuer: cr.issuer ?? '<issuer>', issuerKindLower: (issuerKind ?? 'Issuer').toLowerCase(), issuerName: issuerName ?? '<issuer>' };
      if (pending) {
        const f: Finding = {
          reason: 'CertificateRequestPending',
          object: ref(cr),
          message: `certificate request pending${cert ? ` for Certificate ${cert.meta.name}` : ''}${cr.issuer ? ` (issuer ${cr.issuer})` : ''}${ready?.message ? `: ${quote(ready.message, 600)}` : ''}`,
          attributes: { request_state: 'Pending', ...(cr.issuer ? { issuer: cr.issuer } : {}), ...(cert ? { certificate: cert.meta.name } : {}) },
          vars,
        };
        const since = ready?.lastTransitionTime ?? cr.meta.creationTimestamp;
        if (since !== undefined) f.since = since;
        yield f;
        continue;
      }
      const f: Finding = {
        reason: 'CertificateRequestFailed',
        object: ref(cr),
        message: `certificate request ${label.toLowerCase()}${cert ? ` for Certificate ${cert.meta.name}` : ''}${cause?.message ? `: ${quote(cause.message, 600)}` : ''}`,
        attributes: { request_state: label },
        vars,
        urgent: true,
      };
      if (cert) f.attributes = { ...f.attributes, certificate: cert.meta.name };
      const since = cr.failureTime ?? cause?.lastTransitionTime ?? cr.meta.creationTimestamp;
      if (since !== undefined) f.since = since;
      yield f;
    }
  },
};
