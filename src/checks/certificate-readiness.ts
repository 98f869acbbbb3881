import type { Check, Finding } from './types.ts';
import type { Certificate } from '../kube/types.ts';
import { condition, ref } from './helpers.ts';
import { quote, shellWord } from '../util/redact.ts';
import { humanDuration } from '../util/duration.ts';
import { CERT_MANAGER_TROUBLESHOOT, type ReasonDecl } from './reasons.ts';

const HOUR = 3600_000;

function issuanceFailed(c: Certificate): boolean {
  const issuing = condition(c, 'Issuing');
  return (
    c.lastFailureTime !== undefined ||
    (c.failedIssuanceAttempts ?? 0) > 0 ||
    (issuing?.status === 'False' && issuing.reason === 'Failed') ||
    condition(c, 'Ready')?.reason === 'Failed'
  );
}

/** The fix that the Issuing condition's message points at, when it carries the cause. */
function issuingFix(c: Certificate): string | undefined {
  const issuing = condition(c, 'Issuing');
  const msg = issuing?.status === 'False' || issuing?.reason === 'Failed' ? issuing.message : undefined;
  if (!msg) return undefined;
  const said = ` The last issuance error from cert-manager: ${shellWord(quote(msg, 600))}.`;
  const base = 'kubectl -n {namespace} describe certificate {name}; kubectl -n {namespace} get certificaterequest,order,challenge';
  if (/rateLimited|too many certificates|rate limit/i.test(msg)) {
    return `The ACME server rate-limits this name: wait for the window to pass (failed attempts back off on their own) and avoid re-creating the Certificate; test against a staging issuer.${said} ${base}`;
  }
  if (/order|challenge|acme/i.test(msg)) {
    return `The ACME order failed: see which challenge failed and why (DNS record, HTTP-01 route through the ingress): ${base}; kubectl -n {namespace} describe challenge.${said}`;
  }
  if (/not found|does not exist/i.test(msg)) return `Something the issuance needs does not exist (issuer, secret): check the issuer: kubectl get clusterissuer,issuer -A.${said} ${base}`;
  return `${base}.${said}`;
}

function remainingText(ms: number): string {
  return ms <= 0 ? `expired ${humanDuration(-ms)} ago` : `expires in ${humanDuration(ms)}`;
}

/** The reasons this check gives, with what the catalog says of each (product.md §2). */
const reasons: readonly ReasonDecl[] = [
  {
    reason: 'CertificateNotReady',
    kind: 'Certificate',
    severity: 'warning',
    alsoSeverities: ['critical'],
    title: 'Certificate not ready',
    description: 'cert-manager Certificate Ready=False for longer than its grace (at once when issuance failed); critical when the certificate has expired.',
    remediation: 'kubectl -n {namespace} describe certificate {name}; kubectl -n {namespace} get certificaterequest,order,challenge; check the issuer: kubectl get clusterissuer,issuer -A',
    runbookUrl: CERT_MANAGER_TROUBLESHOOT,
    graceSeconds: 600,
    layer: 2,
  },
  {
    reason: 'CertificateExpiringSoon',
    kind: 'Certificate',
    severity: 'warning',
    alsoSeverities: ['critical'],
    title: 'Certificate close to expiry and not renewed',
    description: 'A Ready certificate whose renewal time has passed, or whose expiry is within the warning window, without renewal; critical within 24 hours of expiry.',
    remediation: 'kubectl -n {namespace} describe certificate {name}; kubectl -n {namespace} get certificaterequest; force a renewal with: cmctl renew -n {namespace} {name}',
    runbookUrl: CERT_MANAGER_TROUBLESHOOT,
    graceSeconds: 3600,
    layer: 2,
  },
];

export const certificateReadiness: Check = {
  id: 'certificate-readiness',
  roots: 'Certificate',
  reads: [],
  description: 'cert-manager Certificates that are not Ready, expired, or close to expiry without renewal.',
  needs: ['Certificate'],
  reasons,
  *run(view, ctx) {
    const windowMs = ctx.config.certificateExpiryWarningSeconds * 1000;
    for (const c of view.roots('Certificate')) {
      if (c.meta.deletionTimestamp !== undefined) continue;
      const ready = condition(c, 'Ready');
      const remaining = c.notAfter !== undefined ? c.notAfter - ctx.now : undefined;
      const expired = remaining !== undefined && remaining <= 0;
      const attributes: Finding['attributes'] = {};
      if (c.secretName) attributes.secret = c.secretName;
      if (c.issuer) attributes.issuer = c.issuer;
      if (c.notAfter !== undefined) attributes.not_after = new Date(c.notAfter).toISOString();
      if (ready?.status !== 'True' || expired) {
        const why = ready?.status === 'True' ? 'is marked Ready but' : `is not ready${ready?.reason ? ` (${ready.reason})` : ready ? '' : ' (no Ready condition yet)'}`;
        const detail = ready?.status !== 'True' && ready?.message ? `: ${quote(ready.message, 600)}` : '';
        const f: Finding = {
          reason: 'CertificateNotReady',
          object: ref(c),
          severity: expired ? 'critical' : 'warning',
          message: `certificate ${why}${expired && remaining !== undefined ? ` ${remainingText(remaining)}` : ''}${detail}`,
          attributes,
        };
        const fix = issuingFix(c);
        if (fix) f.remediation = fix;
        if (issuanceFailed(c) || expired) f.urgent = true;
        const since = (ready?.status === 'False' ? ready.lastTransitionTime : undefined) ?? (expired ? c.notAfter : c.meta.creationTimestamp);
        if (since !== undefined) f.since = since;
        yield f;
        continue;
      }
      if (remaining === undefined) continue;
      const lifetime = c.notBefore !== undefined && c.notAfter !== undefined ? c.notAfter - c.notBefore : undefined;
      // Renewal is due at renewalTime; without it, within the window (but never more than a third of
      // the lifetime, so short-lived mTLS certificates are not always "expiring").
      const window = lifetime !== undefined ? Math.min(windowMs, lifetime / 3) : windowMs;
      const dueSince = c.renewalTime !== undefined ? c.renewalTime : remaining < window && c.notAfter !== undefined ? c.notAfter - window : undefined;
      if (dueSince === undefined || dueSince > ctx.now) continue;
      const critical = remaining < Math.min(24 * HOUR, (lifetime ?? Infinity) / 4);
      const f: Finding = {
        reason: 'CertificateExpiringSoon',
        object: ref(c),
        severity: critical ? 'critical' : 'warning',
        message: `certificate ${remainingText(remaining)} and has not been renewed${c.renewalTime !== undefined ? ` (renewal was due ${humanDuration(ctx.now - c.renewalTime)} ago)` : ''}`,
        attributes,
        since: dueSince,
      };
      yield f;
    }
  },
};
