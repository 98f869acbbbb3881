// The reason catalog (product.md §2): every reason an incident can carry, with its default
// severity, grace, remediation and runbook, gathered from the checks that declare them (each in its
// own file) and the two reasons the engine gives itself. Remediations are templates filled with the
// object's real names: {namespace}, {name}, {kind} and any attribute or var of the finding.

import { shellWord } from '../util/redact.ts';
import type { ObjectRef } from '../kube/types.ts';
import type { CheckConfig } from './config.ts';
import { CHECKS } from './registry.ts';
import { REASON_IDS, type ReasonId, type ReasonSpec } from './reasons.ts';

/** Engine-level reasons, emitted by the evaluation itself rather than by a check in the registry. */
export const ENGINE_CHECKS = ['source-availability', 'check-execution'] as const;

const ENGINE_SPECS: readonly ReasonSpec[] = [
  {
    reason: 'SourceUnavailable',
    kind: 'Agent',
    severity: 'warning',
    alsoSeverities: ['info'],
    title: 'A kind the checks need cannot be read',
    description: 'Listing or watching a kind failed (forbidden by RBAC, CRD not installed, API failing): the checks that need it are skipped, not green. Info when an optional CRD (cert-manager) is simply not installed.',
    // For RBAC, the usual cause; the others (a CRD not installed, a kind not served, 429s, an API
    // server out of reach) get their own remediation from engine/evaluate.ts.
    remediation: 'The agent lacks RBAC for {resource}: kubectl auth can-i list {resource} --all-namespaces --as=system:serviceaccount:{agentNamespace}:sentinel-agent; see its binding: kubectl get clusterrolebinding sentinel-agent -o yaml; re-apply its ClusterRole and ClusterRoleBinding from deploy/ where they differ.',
    facts: ['resource'],
    graceSeconds: 0,
    layer: 0,
    check: 'source-availability',
  },
  {
    reason: 'CheckFailed',
    kind: 'Agent',
    severity: 'warning',
    title: 'A check failed to run',
    description: 'A check threw an error; its findings are unknown for this evaluation while every other check still ran.',
    remediation: 'Report it with the agent log line for check {check}; run: sentinel-agent doctor --output json --log-level debug',
    graceSeconds: 0,
    layer: 0,
    check: 'check-execution',
  },
];

const specs: readonly ReasonSpec[] = [...CHECKS.flatMap((c) => c.reasons.map((r): ReasonSpec => ({ ...r, check: c.id }))), ...ENGINE_SPECS].sort((x, y) => REASON_IDS.indexOf(x.reason) - REASON_IDS.indexOf(y.reason));

export const CATALOG: ReadonlyMap<ReasonId, ReasonSpec> = new Map(specs.map((s) => [s.reason, s]));

export function reasonSpec(reason: ReasonId): ReasonSpec {
  const s = CATALOG.get(reason);
  if (!s) throw new Error(`reason ${reason} is not in the catalog`);
  return s;
}

export function isReasonId(s: string): s is ReasonId {
  return (REASON_IDS as readonly string[]).includes(s);
}

/** The facts every incident's remediation may name: its object, the platform's names, the check. */
export const STANDARD_FACTS = ['kind', 'namespace', 'name', 'operatorNamespace', 'operatorDeployment', 'registryNamespace', 'registryDeployment', 'agentNamespace', 'check'] as const;

/** The values of the standard facts for a finding on that object by that check. */
export function standardFacts(object: ObjectRef, check: string, config: CheckConfig): Record<(typeof STANDARD_FACTS)[number], string | undefined> {
  return {
    kind: object.kind,
    namespace: object.namespace,
    name: object.name,
    operatorNamespace: config.operator.namespace,
    operatorDeployment: config.operator.deployment,
    registryNamespace: config.registry.namespace,
    registryDeployment: config.registry.deployment,
    agentNamespace: 'sentinel-agent',
    check,
  };
}

/** The facts a template names, each once, in order. */
export function placeholders(template: string): string[] {
  return [...new Set([...template.matchAll(PLACEHOLDER)].map((m) => m[1] ?? ''))];
}

const PLACEHOLDER = /\{([a-zA-Z][a-zA-Z0-9_.]*)\}/g;

/** Vars that are prose written by the checks (their values from objects already shell words). */
const PROSE_VARS: ReadonlySet<string> = new Set(['hint']);

/** Fills a remediation template; unknown placeholders become <placeholder>. Every value is put in
 *  as exactly itself for a shell: outside quotes as one word (quoted when it is not made of safe
 *  characters), inside a single-quoted part of the template with its own quotes escaped.
 *  Remediations are pasted into terminals. */
export function renderTemplate(template: string, vars: Readonly<Record<string, string | number | boolean | undefined>>): string {
  let out = '';
  let inSingle = false;
  let last = 0;
  for (const m of template.matchAll(PLACEHOLDER)) {
    const literal = template.slice(last, m.index);
    // A quote opens or closes a single-quoted part; between two letters it is prose (operator's).
    for (let i = 0; i < literal.length; i++) {
      if (literal[i] !== "'") continue;
      const around = (literal[i - 1] ?? (i === 0 ? out.slice(-1) : '')) + (literal[i + 1] ?? '');
      if (!/^[A-Za-z]{2}$/.test(around)) inSingle = !inSingle;
    }
    out += literal;
    last = m.index + m[0].length;
    const key = m[1] ?? '';
    const v = vars[key];
    if (v === undefined || v === '') out += `<${key}>`;
    else if (PROSE_VARS.has(key)) out += String(v);
    else out += inSingle ? String(v).replace(/'/g, "'\\''") : shellWord(String(v));
  }
  out += template.slice(last);
  return out
    .replace(/^\s*<hint>\s*/, '')
    .replace(/\s*<hint>\s*$/, '')
    .trim();
}
