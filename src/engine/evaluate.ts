// Runs the checks over a view. Pure and synchronous: time, config and scope come in as arguments.
// Each check is isolated: one that throws becomes a CheckFailed finding and the rest still run; a
// check whose kinds cannot be read is skipped and reported, never silently green.

import { KINDS, describeKind, isConfigured, type KindName } from '../kube/kinds.ts';
import type { ClusterView } from '../kube/store.ts';
import type { ObjectRef } from '../kube/types.ts';
import type { CheckConfig } from '../checks/config.ts';
import type { Check, CheckContext, Finding, Need } from '../checks/types.ts';
import { clean } from '../util/redact.ts';

export interface Skipped {
  check: string;
  /** SourceUnavailable (a kind cannot be read), NotInInput (a dump without that kind),
   *  OutOfScope (namespace not read), Disabled (by configuration) or CheckFailed. */
  reason: 'SourceUnavailable' | 'NotInInput' | 'OutOfScope' | 'Disabled' | 'CheckFailed';
  detail: string;
  /** Only part of the check was not evaluated (one of the kinds it covers); the rest ran. */
  partial?: true;
}

export interface EvaluateOptions {
  checks: readonly Check[];
  now: number;
  config: CheckConfig;
  inScope(namespace: string): boolean;
}

export interface Evaluation {
  findings: Finding[];
  skipped: Skipped[];
}

export const AGENT_REF: ObjectRef = { apiVersion: 'sentinel-agent/v1', kind: 'Agent', name: 'sentinel-agent' };

type Selection = { readonly run: readonly Check[]; readonly disabled: readonly Check[] };
const selected = new WeakMap<readonly Check[], WeakMap<CheckConfig, Selection>>();

/** The checks that run under a config, and those it disables (computed once per config). */
export function selectChecks(all: readonly Check[], config: CheckConfig): Selection {
  let m = selected.get(all);
  if (!m) selected.set(all, (m = new WeakMap()));
  let hit = m.get(config);
  if (!hit) m.set(config, (hit = partitionChecks(all, config)));
  return hit;
}

function partitionChecks(all: readonly Check[], config: CheckConfig): Selection {
  const run: Check[] = [];
  const disabled: Check[] = [];
  for (const c of all) {
    // A check only of custom resources, none configured, has nothing to judge: it is not a check
    // that ran (or was skipped) at all.
    if (c.needs.length === 0 && c.covers && !c.covers.some(isConfigured)) continue;
    const on = (config.enabledChecks.length === 0 || config.enabledChecks.includes(c.id)) && !config.disabledChecks.includes(c.id);
    (on ? run : disabled).push(c);
  }
  return { run, disabled };
}

function needKinds(n: Need): readonly KindName[] {
  return typeof n === 'string' ? [n as KindName] : (n as readonly KindName[]);
}

/** Every kind the given checks read (the first of each any-of group is the one to watch). */
export function neededKinds(checks: readonly Check[], all = false): KindName[] {
  const out = new Set<KindName>();
  for (const c of checks) {
    for (const n of c.needs) for (const k of all ? needKinds(n) : needKinds(n).slice(0, 1)) out.add(k);
    for (const k of c.evidence ?? []) out.add(k);
    for (const k of c.covers ?? []) if (isConfigured(k)) out.add(k);
  }
  // Checks refine their findings with these when present (ownership chains, pods of a Service).
  for (const k of ['Pod', 'ReplicaSet', 'Deployment'] as const) if (out.size > 0) out.add(k);
  return [...out];
}

function readable(s: string): boolean {
  return s === 'synced' || s === 'stale';
}

function unmetNeeds(view: ClusterView, c: Check): { kind: KindName; status: string; detail?: string }[] {
  const unmet: { kind: KindName; status: string; detail?: string }[] = [];
  for (const n of c.needs) {
    const kinds = needKinds(n);
    // A stale kind is judged on its last state seen (and reported stale on its own).
    if (kinds.some((k) => readable(view.source(k).status))) continue;
    const k = kinds[0];
    if (!k) continue;
    const s = view.source(k);
    const e: { kind: KindName; status: string; detail?: string } = { kind: k, status: s.status };
    if (s.detail) e.detail = s.detail;
    unmet.push(e);
  }
  return unmet;
}

/** Runs one check in isolation: its findings (filtered by config, scope and ignore rules), or a
 *  CheckFailed finding when it throws, plus anything it declared it could not evaluate. */
export function runCheck(check: Check, view: ClusterView, opts: EvaluateOptions): { findings: Finding[]; skipped: Skipped[]; failed: boolean } {
  const { config } = opts;
  const skips: string[] = [];
  const ctx: CheckContext = { now: opts.now, config, inScope: opts.inScope, skip: (d) => skips.push(d) };
  const produced: Finding[] = [];
  try {
    for (const f of check.run(view, ctx)) produced.push(f);
  } catch (err) {
    const detail = clean(err instanceof Error ? `${err.name}: ${err.message}` : String(err), 300);
    return {
      failed: true,
      skipped: [{ check: check.id, reason: 'CheckFailed', detail }],
      findings: [
        {
          reason: 'CheckFailed',
          object: AGENT_REF,
          sub: check.id,
          message: `check ${check.id} failed: ${detail}`,
          attributes: { check: check.id },
          vars: { check: check.id },
        },
      ],
    };
  }
  const findings: Finding[] = [];
  for (const f of produced) {
    if (config.reasons[f.reason]?.enabled === false) continue;
    if (f.object.namespace !== undefined && !opts.inScope(f.object.namespace)) continue;
    if (ignored(f.object.name, config.ignoreNamePrefixes)) continue;
    findings.push(f);
  }
  return { findings, failed: false, skipped: skips.map((d) => ({ check: check.id, reason: 'OutOfScope' as const, detail: d })) };
}

/** Why a check cannot run now (its kinds are not readable), as a Skipped entry, or undefined. */
export function checkSkip(view: ClusterView, check: Check): { skipped: Skipped; unmet: { kind: KindName; status: string; detail?: string }[] } | undefined {
  const unmet = unmetNeeds(view, check);
  if (unmet.length === 0) return undefined;
  const notLoaded = unmet.every((u) => u.status === 'not-loaded');
  return {
    unmet,
    skipped: {
      check: check.id,
      reason: notLoaded ? 'NotInInput' : 'SourceUnavailable',
      detail: unmet.map((u) => `${describeKind(u.kind)}: ${u.status === 'not-loaded' ? 'not in the input' : u.status}${u.detail ? ` (${u.detail})` : ''}`).join('; '),
    },
  };
}

/** A kind that cannot be read, and the checks that needed it (or, `evidence`, that run without it). */
interface Unreadable {
  status: string;
  detail?: string;
  checks: string[];
  evidence?: boolean;
}

/** SourceUnavailable findings: one per unreadable kind that some check needs or uses as evidence. */
export function sourceFindings(unreadable: ReadonlyMap<KindName, Unreadable>): Finding[] {
  const out: Finding[] = [];
  for (const [kind, u] of unreadable) {
    const info = KINDS[kind];
    const absent = u.status === 'absent';
    const resource = describeKind(kind);
    const stale = u.status === 'stale';
    const why = absent ? 'the API does not serve it (CRD not installed)' : u.status === 'forbidden' ? 'forbidden by RBAC' : stale ? 'the agent cannot see it now' : 'the API request failed';
    const f: Finding = {
      reason: 'SourceUnavailable',
      object: AGENT_REF,
      sub: resource,
      // An optional CRD that is simply not installed is information; the MCPServer CRD missing on an
      // MCP Runtime cluster, RBAC or API failures are warnings.
      // Evidence missing makes findings less precise, not absent.
      severity: u.evidence || (absent && info.optional && kind !== 'MCPServer') ? 'info' : 'warning',
      message: u.evidence
        ? `cannot read ${resource}: ${why}${u.detail ? ` (${u.detail})` : ''}; findings are not explained with them: ${u.checks.join(', ')}`
        : stale
          ? `cannot read ${resource}: ${why} (${u.detail ?? 'stale'}); its last known state is judged, so incidents may be out of date: ${u.checks.join(', ')}`
          : `cannot read ${resource}: ${why}${u.detail ? ` (${u.detail})` : ''}; skipped: ${u.checks.join(', ')}`,
      attributes: { resource, source_state: u.status, skipped_checks: u.checks.join(',') },
      vars: { resource },
    };
    const fix = sourceFix(u.status, u.detail, info.optional === true);
    if (fix) f.remediation = fix;
    out.push(f);
  }
  return out;
}

/** What to do depends on why the kind cannot be read; RBAC is the catalog's own remediation. */
function sourceFix(status: string, detail: string | undefined, crd: boolean): string | undefined {
  if (status === 'forbidden') return undefined;
  if (status === 'absent') return crd ? 'The CRD is not installed (install it, or ignore this if the feature is not used): kubectl get crd {resource}' : 'This API server does not serve {resource}: kubectl api-resources | grep {resource}; kubectl version';
  if (detail && /\b429\b|throttl|too many requests/i.test(detail))
    return 'The API server is rejecting the agent with 429 (API Priority and Fairness or max-requests-inflight): kubectl get flowschemas,prioritylevelconfigurations; kubectl get --raw /metrics | grep apiserver_flowcontrol_rejected_requests_total';
  return 'The agent cannot reach the API server or its requests fail: kubectl get --raw /readyz; kubectl auth can-i list {resource} --all-namespaces --as=system:serviceaccount:{agentNamespace}:sentinel-agent; then read the agent log for the failing request.';
}

export function evaluate(view: ClusterView, opts: EvaluateOptions): Evaluation {
  const findings: Finding[] = [];
  const skipped: Skipped[] = [];
  const { run, disabled } = selectChecks(opts.checks, opts.config);
  for (const c of disabled) skipped.push({ check: c.id, reason: 'Disabled', detail: 'disabled by configuration' });
  const unreadable = new Map<KindName, Unreadable>();
  for (const check of run) {
    const skip = checkSkip(view, check);
    if (skip) {
      skipped.push(skip.skipped);
      // Alternatives it reads all of when it can (evidence too: an issuer check reads Issuers and
      // ClusterIssuers), unreadable as well, are named as what it was skipped for.
      const needed = new Set(check.needs.flatMap(needKinds));
      const also = (check.evidence ?? []).filter((k) => needed.has(k) && !skip.unmet.some((u) => u.kind === k)).map((k) => ({ kind: k, ...view.source(k) }));
      for (const u of [...skip.unmet, ...also]) {
        if (u.status === 'not-loaded' || u.status === 'synced') continue;
        const e = unreadable.get(u.kind) ?? { status: u.status, checks: [] };
        if (u.detail) e.detail = u.detail;
        e.checks.push(check.id);
        unreadable.set(u.kind, e);
      }
      continue;
    }
    const r = runCheck(check, view, opts);
    // One by one: a check's findings can outnumber the arguments a call may take (150,000 pods).
    for (const f of r.findings) findings.push(f);
    for (const x of r.skipped) skipped.push(x);
    for (const n of check.needs) {
      for (const k of needKinds(n)) {
        const s = view.source(k);
        if (s.status !== 'stale') continue;
        const e = unreadable.get(k) ?? { status: 'stale', checks: [] };
        if (s.detail) e.detail = s.detail;
        e.checks.push(check.id);
        unreadable.set(k, e);
      }
    }
    for (const k of check.covers ?? []) {
      const s = view.source(k);
      if (!isConfigured(k) || s.status === 'synced') continue;
      // A dump without a configured kind: that part of the check is not evaluated, as a need's.
      if (s.status === 'not-loaded') {
        skipped.push({ check: check.id, reason: 'NotInInput', detail: `${describeKind(k)}: not in the input`, partial: true });
        continue;
      }
      const e = unreadable.get(k) ?? { status: s.status, checks: [] };
      if (s.detail) e.detail = s.detail;
      e.checks.push(check.id);
      unreadable.set(k, e);
    }
    for (const k of check.evidence ?? []) {
      const s = view.source(k);
      if (s.status === 'synced' || s.status === 'not-loaded' || (unreadable.has(k) && !unreadable.get(k)?.evidence)) continue;
      const e = unreadable.get(k) ?? { status: s.status, checks: [], evidence: true };
      if (s.detail) e.detail = s.detail;
      e.checks.push(check.id);
      unreadable.set(k, e);
    }
  }
  findings.push(...sourceFindings(unreadable));
  return { findings, skipped };
}

export function ignored(name: string, prefixes: readonly string[]): boolean {
  for (const p of prefixes) if (name.startsWith(p)) return true;
  return false;
}
