// From findings to incidents: catalog data, stable ids, the owning MCPServer, and root causes.
// Pure: the same findings over the same view give the same incidents, byte for byte.

import { createHash } from 'node:crypto';
import { kindNamed } from '../kube/kinds.ts';
import type { ClusterView } from '../kube/store.ts';
import type { AnyObj, MCPServer, ObjectRef } from '../kube/types.ts';
import { keyOf, objKey, refOf } from '../kube/types.ts';
import { CATALOG, reasonSpec, renderTemplate, standardFacts } from '../checks/catalog.ts';
import type { AttrValue, ExplainsAcross, ReasonId } from '../checks/reasons.ts';
import type { CheckConfig } from '../checks/config.ts';
import { deploymentOfPod, serverOf, usersOf } from '../kube/relations.ts';
import type { Finding } from '../checks/types.ts';
import { severityRank, type Severity } from '../checks/severity.ts';
import { clean, MAX_ATTRIBUTE } from '../util/redact.ts';
import type { RelationsCache } from './relations-cache.ts';

export interface ServerRef {
  namespace: string;
  name: string;
  teamID?: string;
}

/** The incident as every front end shows it (product.md §3). */
export interface Incident {
  id: string;
  check: string;
  reason: ReasonId;
  severity: Severity;
  object: ObjectRef;
  message: string;
  remediation: string;
  runbookUrl?: string;
  since?: string;
  server?: ServerRef;
  rootCauseId?: string;
  attributes: Record<string, AttrValue>;
  // What living with it adds (engine/ledger.ts), on the copies the front ends show:
  /** The silence or maintenance window that covers it: tracked and counted, not notified. */
  silence?: SilenceRef;
  /** It reopened often lately: its hold before resolving is stretched. */
  flapping?: boolean;
  /** History only: when it resolved, after how long, and what happened to it. */
  resolvedAt?: string;
  durationSeconds?: number;
  timeline?: TimelineEntry[];
}

/** What silences an incident, as every front end shows it. */
export interface SilenceRef {
  /** `annotation` (on the object, its namespace or its MCPServer), `config` or `window`. */
  source: 'annotation' | 'config' | 'window';
  /** The object that carries the annotation (`Namespace/team-a`), or the window's name. */
  by?: string;
  reason?: string;
  author?: string;
  /** When it ends, when known (RFC 3339). */
  until?: string;
}

/** One step of an incident's life. */
export interface TimelineEntry {
  at: string;
  type: 'opened' | 'updated' | 'resolved' | 'silenced' | 'unsilenced';
  severity: Severity;
  /** What an update changed. */
  changed?: string[];
  rootCauseId?: string;
}

/** An incident with what the engine needs to decide ripeness and causality. */
export interface Candidate {
  incident: Incident;
  sinceMs?: number;
  graceMs: number;
  urgent: boolean;
  layer: number;
  /** Object keys this finding's object belongs to, itself included (Pod → RS → Deployment → MCPServer, Services selecting it). */
  scope: readonly string[];
  /** The key of the incident's own object. */
  key: string;
}

/** The watcher's candidates of findings already seen, and the relations generation now. */
export interface CandidateCache {
  cache: RelationsCache<Finding, Candidate>;
  generation: number;
}

export interface IncidentOptions {
  clusterName: string;
  config: CheckConfig;
}

export function incidentId(cluster: string, check: string, kind: string, namespace: string | undefined, name: string, sub?: string): string {
  const h = createHash('sha256');
  h.update(['v1', cluster, check, kind, namespace ?? '', name, sub ?? ''].join('\u0000'));
  return h.digest('hex').slice(0, 20);
}

export function rfc3339(ms: number): string {
  return new Date(ms).toISOString().replace('.000Z', 'Z');
}

function storeObject(view: ClusterView, ref: ObjectRef): AnyObj | undefined {
  const kind = kindNamed(ref.kind);
  if (!kind) return undefined;
  // A reference without a namespace is to a cluster-scoped object, held under ''.
  return view.get(kind, ref.namespace ?? '', ref.name);
}

/** The objects a finding's object rolls up to, for root-cause grouping; for what others use (a
 *  node, a claim, an issuer: kube/relations.ts usersOf), its users and what they roll up to. A
 *  node under pressure explains only the evictions on it. */
function scopeOf(view: ClusterView, ref: ObjectRef, o: AnyObj | undefined, reason: ReasonId): string[] {
  const users = o ? usersOf(view, o) : [];
  if (o && users.length > 0) {
    const out = [objKey(o)];
    for (const u of users) {
      if (reason === 'NodePressure') {
        if (u.kind === 'Pod' && u.phase === 'Failed') out.push(objKey(u));
      } else out.push(...scopeOf(view, refOf(u), u, reason));
    }
    return [...new Set(out)];
  }
  if (!o) return [keyOf(ref.kind, ref.namespace, ref.name)];
  const out = [objKey(o)];
  const ns = o.meta.namespace;
  const add = (x: AnyObj | undefined): void => {
    if (x) out.push(objKey(x));
  };
  const named = (kind: string, name: string): AnyObj | undefined => {
    const k = kindNamed(kind);
    return k ? view.get(k, ns, name) : undefined;
  };
  for (const owner of o.meta.owners) {
    const parent = named(owner.kind, owner.name);
    add(parent);
    if (parent) for (const gp of parent.meta.owners) add(named(gp.kind, gp.name));
  }
  if (o.kind === 'Pod') {
    add(deploymentOfPod(view, o));
    for (const s of view.servicesSelecting(ns, o.meta.labels)) add(s);
  }
  add(serverOf(view, o));
  return [...new Set(out)];
}

/**
 * Candidates for the findings. With a cache (the watcher's), a finding already seen — the same
 * Finding object, kept by the evaluator while what it says has not changed — reuses its candidate:
 * ids, messages and remediation are not recomputed (or re-redacted) on every event. What depends on
 * other objects (the owning server, the scope) is recomputed when the relations generation moved.
 */
export function toCandidates(findings: readonly Finding[], view: ClusterView, opts: IncidentOptions, cached?: CandidateCache): Candidate[] {
  const byId = new Map<string, Candidate>();
  for (const f of findings) {
    const hit = cached?.cache.any(f);
    if (hit) {
      if (cached && !cached.cache.current(f, cached.generation)) {
        const o = storeObject(view, f.object);
        hit.scope = scopeOf(view, f.object, o, f.reason);
        setServer(hit.incident, o ? serverOf(view, o) : undefined);
        cached.cache.set(f, cached.generation, hit);
      }
      const prev = byId.get(hit.incident.id);
      if (!prev || severityRank(hit.incident.severity) < severityRank(prev.incident.severity)) byId.set(hit.incident.id, hit);
      continue;
    }
    const spec = reasonSpec(f.reason);
    const override = opts.config.reasons[f.reason];
    const o = storeObject(view, f.object);
    const server = o ? serverOf(view, o) : undefined;
    const severity = override?.severity ?? f.severity ?? spec.severity;
    const attributes: Record<string, AttrValue> = {};
    for (const [k, v] of Object.entries(f.attributes ?? {})) attributes[k] = typeof v === 'string' ? clean(v, MAX_ATTRIBUTE) : v;
    const vars: Record<string, string | number | boolean | undefined> = { ...attributes, ...standardFacts(f.object, spec.check, opts.config), ...f.vars };
    const check = spec.check;
    const incident: Incident = {
      id: incidentId(opts.clusterName, check, f.object.kind, f.object.namespace, f.object.name, f.sub),
      check,
      reason: f.reason,
      severity,
      object: boundedRef(f.object),
      message: clean(f.message),
      remediation: clean(renderTemplate(f.remediation ?? spec.remediation, vars), 2048),
      attributes,
    };
    const runbook = opts.config.runbookBaseUrl ? `${opts.config.runbookBaseUrl.replace(/\/$/, '')}#${f.reason.toLowerCase()}` : spec.runbookUrl;
    if (runbook) incident.runbookUrl = runbook;
    if (f.since !== undefined) incident.since = rfc3339(f.since);
    setServer(incident, server);
    const c: Candidate = {
      incident,
      graceMs: (override?.graceSeconds ?? spec.graceSeconds) * 1000,
      urgent: f.urgent === true,
      layer: spec.layer,
      scope: scopeOf(view, f.object, o, f.reason),
      key: keyOf(f.object.kind, f.object.namespace, f.object.name),
    };
    if (f.since !== undefined) c.sinceMs = f.since;
    cached?.cache.set(f, cached.generation, c);
    // Two findings with one identity (a check that yields twice for one object): keep the worse.
    const prev = byId.get(incident.id);
    if (!prev || severityRank(severity) < severityRank(prev.incident.severity)) byId.set(incident.id, c);
  }
  return [...byId.values()];
}

/** Kubernetes bounds names (253) and namespaces (63); a dump does not, so every value taken from an
 *  object is bounded and cleaned before it leaves, names too. */
export const MAX_NAME = 253;

function boundedRef(r: ObjectRef): ObjectRef {
  const out: ObjectRef = { apiVersion: clean(r.apiVersion, MAX_NAME), kind: r.kind, name: clean(r.name, MAX_NAME) };
  if (r.namespace !== undefined) out.namespace = clean(r.namespace, MAX_NAME);
  if (r.uid !== undefined) out.uid = clean(r.uid, MAX_NAME);
  return out;
}

/** Whether two server references name the same server (namespace, name and team). */
export function sameServer(a: ServerRef | undefined, b: ServerRef | undefined): boolean {
  return a === b || (a !== undefined && b !== undefined && a.namespace === b.namespace && a.name === b.name && a.teamID === b.teamID);
}

function setServer(incident: Incident, server: MCPServer | undefined): void {
  if (!server) {
    if (incident.server) incident.server = undefined;
    return;
  }
  const ref: ServerRef = { namespace: clean(server.meta.namespace, MAX_NAME), name: clean(server.meta.name, MAX_NAME) };
  if (server.spec.teamID) ref.teamID = clean(server.spec.teamID, MAX_NAME);
  // The same server as before keeps its object: what was derived from the incident stays valid.
  if (sameServer(incident.server, ref)) return;
  incident.server = ref;
}

/** Whether a finding has held for its grace period, judged from the object's own timestamps.
 *  Without a timestamp the state is reported at once (doctor) — watch counts from first sight. */
export function isRipe(c: Candidate, now: number, firstSeen?: number): boolean {
  if (c.urgent || c.graceMs === 0) return true;
  const since = c.sinceMs ?? firstSeen;
  if (since === undefined) return true;
  return now - since >= c.graceMs;
}

// The explanations that ownership does not express, as the reasons declare them (checks/reasons.ts).
const ACROSS = new Map<ReasonId, readonly ExplainsAcross[]>();
const EXPLAINED_ACROSS = new Set<ReasonId>();
for (const spec of CATALOG.values()) {
  if (!spec.explainsAcross?.length) continue;
  ACROSS.set(spec.reason, spec.explainsAcross);
  for (const e of spec.explainsAcross) EXPLAINED_ACROSS.add(e.reason);
}

/** Reasons that explain incidents anywhere (not along ownership): a registry or operator outage. */
export function isCrossRoot(reason: ReasonId): boolean {
  return ACROSS.has(reason);
}

/** Reasons a cross root can explain: every pair explainsAcross accepts is (isCrossRoot, this). */
export function isExplainedAcross(reason: ReasonId): boolean {
  return EXPLAINED_ACROSS.has(reason);
}

/** Cross-object explanations that ownership does not express. */
function explainsAcross(a: Incident, b: Incident): boolean {
  const rules = ACROSS.get(a.reason);
  return rules !== undefined && rules.some((r) => r.reason === b.reason && r.when(a.attributes, b.attributes));
}

function better(a: Candidate, b: Candidate): boolean {
  if (a.layer !== b.layer) return a.layer < b.layer;
  const sa = severityRank(a.incident.severity);
  const sb = severityRank(b.incident.severity);
  if (sa !== sb) return sa < sb;
  return a.incident.id < b.incident.id;
}

/**
 * Sets rootCauseId: a finding explains another of a higher layer on an object it rolls up to (a
 * pod's pull failure explains its Deployment's unavailability and its MCPServer's PartiallyReady).
 * The root is followed to the end, so every incident points at the first cause.
 */
export function assignRootCauses(cands: readonly Candidate[]): void {
  const byObject = new Map<string, Candidate[]>();
  for (const c of cands) {
    // Assigned, not deleted: `delete` turns hot objects into slow dictionaries.
    c.incident.rootCauseId = undefined;
    c.incident.attributes.explains = undefined as unknown as number;
    const list = byObject.get(c.key);
    if (list) list.push(c);
    else byObject.set(c.key, [c]);
  }
  const cause = new Map<Candidate, Candidate>();
  const offer = (a: Candidate, b: Candidate): void => {
    if (a === b) return;
    const cur = cause.get(b);
    if (!cur || better(a, cur)) cause.set(b, a);
  };
  for (const a of cands) {
    for (const k of a.scope) for (const b of byObject.get(k) ?? []) if (a.layer < b.layer) offer(a, b);
  }
  const crossRoots = cands.filter((c) => isCrossRoot(c.incident.reason));
  if (crossRoots.length > 0) for (const b of cands) for (const a of crossRoots) if (a.layer < b.layer && explainsAcross(a.incident, b.incident)) offer(a, b);
  const explained = new Map<Candidate, number>();
  for (const b of cands) {
    let root = cause.get(b);
    // Causes are of strictly lower layers, so chains are short and acyclic; the bound is a guard.
    for (let hops = 0; root && hops < 16; hops++) {
      const next = cause.get(root);
      if (!next || next === b) break;
      root = next;
    }
    if (root && root !== b) {
      b.incident.rootCauseId = root.incident.id;
      explained.set(root, (explained.get(root) ?? 0) + 1);
    }
  }
  // A root says how much it explains: one registry outage behind thousands of pull failures reads
  // as one incident with its scale, not as thousands of unrelated ones.
  for (const [root, n] of explained) root.incident.attributes.explains = n;
}

export function compareIncidents(a: Incident, b: Incident): number {
  return (
    severityRank(a.severity) - severityRank(b.severity) ||
    cmp(a.object.namespace ?? '', b.object.namespace ?? '') ||
    cmp(a.object.kind, b.object.kind) ||
    cmp(a.object.name, b.object.name) ||
    cmp(a.reason, b.reason) ||
    cmp(a.id, b.id)
  );
}

function cmp(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/**
 * doctor's path: findings → incidents with root causes, sorted. doctor reports what is wrong now
 * (no tracker); with applyGrace it drops findings younger than their grace, as watch would.
 */
export function incidentsNow(findings: readonly Finding[], view: ClusterView, opts: IncidentOptions & { now: number; applyGrace?: boolean }): Incident[] {
  const ripe = toCandidates(findings, view, opts).filter((c) => !opts.applyGrace || isRipe(c, opts.now));
  assignRootCauses(ripe);
  return ripe.map((c) => c.incident).sort(compareIncidents);
}
