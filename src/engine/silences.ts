// Silences as data: the config's silences and maintenance windows (matchers over an incident's
// namespace, MCPServer, team, kind, name, reason and severity), and the silence annotations on the
// incident's own object, its namespace or its MCPServer. Which one covers an incident at an instant;
// pure but for one memory: when a duration annotation was first seen (it counts from then).

import type { ClusterView } from '../kube/store.ts';
import { kindNamed } from '../kube/kinds.ts';
import type { Meta, SilenceAnnotation } from '../kube/types.ts';
import { keyOf } from '../kube/types.ts';
import type { Incident, SilenceRef } from './incidents.ts';
import { occurrenceAt, type Recurrence } from './recurrence.ts';
import { rfc3339 } from './incidents.ts';

/** Kinds read for their silence annotations only (no check reads them): watched and in the RBAC. */
export const SILENCE_KINDS = ['Namespace'] as const;

export const MATCHER_KEYS = ['namespace', 'mcpserver', 'team', 'kind', 'name', 'reason', 'severity'] as const;
export type MatcherKey = (typeof MATCHER_KEYS)[number];
/** Each key present must match one of its patterns (`*` matches any run of characters). */
export type Matchers = Partial<Record<MatcherKey, readonly string[]>>;

export interface ConfigSilence {
  match: Matchers;
  startsAt?: number;
  endsAt?: number;
  author?: string;
  comment?: string;
}

export interface MaintenanceWindow {
  name: string;
  match: Matchers;
  recurrence: Recurrence;
  timeZone: string;
  comment?: string;
}

export interface SilenceRules {
  silences: readonly ConfigSilence[];
  windows: readonly MaintenanceWindow[];
}

export function sameSilence(a: SilenceRef | undefined, b: SilenceRef | undefined): boolean {
  return a === b || (a !== undefined && b !== undefined && a.source === b.source && a.by === b.by && a.reason === b.reason && a.until === b.until && a.author === b.author);
}

const globs = new Map<string, RegExp>();

function glob(p: string): RegExp {
  let re = globs.get(p);
  if (!re) {
    re = new RegExp(`^${p.split('*').map((s) => s.replace(/[.+?^${}()|[\]\\]/g, '\\$&')).join('.*')}$`);
    if (globs.size > 1000) globs.clear();
    globs.set(p, re);
  }
  return re;
}

/** Whether the incident is one the matchers select. */
export function matches(m: Matchers, inc: Incident): boolean {
  const value: Record<MatcherKey, string | undefined> = {
    namespace: inc.object.namespace ?? inc.server?.namespace,
    mcpserver: inc.server?.name,
    team: inc.server?.teamID,
    kind: inc.object.kind,
    name: inc.object.name,
    reason: inc.reason,
    severity: inc.severity,
  };
  for (const k of MATCHER_KEYS) {
    const pats = m[k];
    if (!pats) continue;
    const v = value[k];
    if (v === undefined || !pats.some((p) => glob(p).test(v))) return false;
  }
  return true;
}

/** An RFC 3339 time with a zone (what a silence's end may be, in an annotation or the config). */
export const RFC3339 = /^\d{4}-\d\d-\d\dT\d\d:\d\d(:\d\d(\.\d+)?)?(Z|[+-]\d\d:\d\d)$/i;

const DURATION = /^(\d+(?:\.\d+)?)(s|m|h|d)$/;

/** An annotation's end: an RFC 3339 time, or a duration counted from `firstSeen`; undefined when it
 *  is neither (the caller warns and ignores it). */
export function annotationEnd(a: SilenceAnnotation, firstSeen: number): number | undefined {
  const d = DURATION.exec(a.until);
  // Whole seconds, as every time the agent shows.
  if (d) return Math.ceil((firstSeen + Number(d[1]) * { s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 }[d[2] as 's' | 'm' | 'h' | 'd']) / 1000) * 1000;
  if (!RFC3339.test(a.until)) return undefined;
  const t = Date.parse(a.until);
  return Number.isFinite(t) ? t : undefined;
}

/** Which silence covers an incident: config silences, then maintenance windows, then annotations
 *  on the object, its MCPServer and its namespace. Remembers when each duration annotation was first
 *  seen, and warns once about each annotation it cannot read. */
export class SilenceJudge {
  private readonly rules: SilenceRules;
  private readonly view: ClusterView;
  private readonly warn: (msg: string, fields: Record<string, unknown>) => void;
  /** Object key and annotation value → when first seen. */
  private readonly firstSeen = new Map<string, number>();
  private readonly warned = new Set<string>();

  constructor(rules: SilenceRules, view: ClusterView, warn: (msg: string, fields: Record<string, unknown>) => void) {
    this.rules = rules;
    this.view = view;
    this.warn = warn;
  }

  /** Whether anything could silence (the ledger skips its review otherwise). */
  get configured(): boolean {
    return this.rules.silences.length > 0 || this.rules.windows.length > 0;
  }

  silenceOf(inc: Incident, now: number): SilenceRef | undefined {
    for (const s of this.rules.silences) {
      if ((s.startsAt !== undefined && now < s.startsAt) || (s.endsAt !== undefined && now >= s.endsAt)) continue;
      if (!matches(s.match, inc)) continue;
      const ref: SilenceRef = { source: 'config' };
      if (s.comment) ref.reason = s.comment;
      if (s.author) ref.author = s.author;
      if (s.endsAt !== undefined) ref.until = rfc3339(s.endsAt);
      return ref;
    }
    for (const w of this.rules.windows) {
      if (!matches(w.match, inc)) continue;
      const o = occurrenceAt(w.recurrence, w.timeZone, now);
      if (!o) continue;
      const ref: SilenceRef = { source: 'window', by: w.name, until: rfc3339(o.end) };
      if (w.comment) ref.reason = w.comment;
      return ref;
    }
    return this.annotated(inc, now);
  }

  private annotated(inc: Incident, now: number): SilenceRef | undefined {
    const holders: { kind: string; ns: string; name: string }[] = [{ kind: inc.object.kind, ns: inc.object.namespace ?? '', name: inc.object.name }];
    if (inc.server) holders.push({ kind: 'MCPServer', ns: inc.server.namespace, name: inc.server.name });
    const ns = inc.object.namespace ?? inc.server?.namespace;
    if (ns) holders.push({ kind: 'Namespace', ns: '', name: ns });
    for (const h of holders) {
      const k = kindNamed(h.kind);
      const meta: Meta | undefined = k ? this.view.get(k, h.ns, h.name)?.meta : undefined;
      const a = meta?.silence;
      if (!a) continue;
      const key = `${keyOf(h.kind, h.ns, h.name)}\u0000${a.until}`;
      let seen = this.firstSeen.get(key);
      if (seen === undefined) {
        if (this.firstSeen.size >= 10_000) this.firstSeen.delete(this.firstSeen.keys().next().value as string);
        this.firstSeen.set(key, (seen = now));
      }
      const end = annotationEnd(a, seen);
      const by = `${h.kind}/${h.ns ? `${h.ns}/` : ''}${h.name}`;
      if (end === undefined) {
        if (!this.warned.has(key) && this.warned.size < 10_000) {
          this.warned.add(key);
          this.warn('silence annotation ignored: health.mcpruntime.org/silence-until is neither an RFC 3339 time nor a duration such as 2h', { object: by, value: a.until });
        }
        continue;
      }
      if (now >= end) continue;
      const ref: SilenceRef = { source: 'annotation', by, until: rfc3339(end) };
      if (a.reason) ref.reason = a.reason;
      return ref;
    }
    return undefined;
  }
}
