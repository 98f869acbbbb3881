// The watcher's path from events to transitions, without I/O or timers: an event that changes a
// projection updates the store and marks what it touches, with the kinds that changed; a pass
// re-judges those objects with the checks that read those kinds (or everything, after a relist or on
// the periodic full pass) and, only when the findings changed or a hold or grace ends, feeds the
// tracker: the change alone while relations between objects stay as they were, else every finding.
// The agent drives it; the B2 benchmark measures exactly this.
//
// Everything the incremental path keeps besides the store, all named here:
// - the evaluator's findings per check and object (state, not a cache: what the checks last said);
// - `familyMarks` and `candidates`, derived from objects and their relations, valid while the
//   relations generation stays (RelationsCache);
// - the tracker's incidents, fed the change alone or every finding (`delta` below);
// - within one pass only, the ownership lookups the checks share (ContinuousEvaluator's memo).

import { kindBit, type KindName } from '../kube/kinds.ts';
import { ObjectStore } from '../kube/store.ts';
import type { AnyObj } from '../kube/types.ts';
import { objKey } from '../kube/types.ts';
import { sameProjection } from '../kube/projection.ts';
import type { Check, Finding } from '../checks/types.ts';
import type { CheckConfig } from '../checks/config.ts';
import { ContinuousEvaluator, sameRecord, type FindingChanges, type PassStats } from './continuous.ts';
import { affectedKeys, markDirty, type DirtyMarks, type Mark } from './dependents.ts';
import { toCandidates, type Candidate, type Incident, type IncidentOptions } from './incidents.ts';
import { IncidentTracker, type Transition } from './tracker.ts';
import { RelationsCache } from './relations-cache.ts';

export interface PipelineOptions {
  checks: readonly Check[];
  clusterName: string;
  config: CheckConfig;
  inScope: (namespace: string) => boolean;
  holdMs: number;
  /** Whether an incident's object is still in the cluster (a deleted object resolves at once). */
  exists?: (i: Incident) => boolean;
  /** A longer hold for an incident (a flapping one). */
  holdOf?: (id: string) => number | undefined;
}

export interface PassResult {
  stats: PassStats;
  transitions: Transition[];
  /** Whether the tracker was consulted (false: nothing changed and no deadline was reached). */
  tracked: boolean;
  /** How: not at all, with the change alone, or with every current finding. */
  path: 'skipped' | 'delta' | 'full';
}

export class Pipeline {
  readonly store: ObjectStore;
  readonly tracker: IncidentTracker;
  readonly evaluator: ContinuousEvaluator;
  private readonly dirty: DirtyMarks = new Map();
  /** Candidates of findings already seen (see toCandidates). */
  private readonly candidates = new RelationsCache<Finding, Candidate>();
  private readonly opts: PipelineOptions;
  private needFull = true;
  private trackedVersion = -1;
  /** Moves when the relations between objects may have changed (an object created or deleted, its
   *  owners, labels or a Service's selector changed): root causes, scopes and owning servers are then
   *  recomputed, even if no finding changed. Status updates, most of a watch stream, leave it. */
  private relations = 0;
  private trackedRelations = -1;
  /** The tracker's next hold or grace end (it changes only when the tracker is fed). */
  private deadline: number | undefined;
  /** What a pod event marks besides the pod, per family: its shared owner list (see mark). */
  private readonly familyMarks = new RelationsCache<object, { labels: object; namespace: string; marks: (Mark & { key: string })[] }>();
  /** Whether the last whole feed had one finding per incident identity (see delta). */
  private unique = false;

  constructor(opts: PipelineOptions, store = new ObjectStore()) {
    this.opts = opts;
    this.store = store;
    const escalate = (reason: string): number | undefined => {
      const s = opts.config.reasons[reason]?.escalateAfterSeconds;
      return s === undefined ? undefined : s * 1000;
    };
    const escalating = Object.values(opts.config.reasons).some((r) => r.escalateAfterSeconds !== undefined);
    this.tracker = new IncidentTracker({ holdMs: opts.holdMs, ...(opts.holdOf ? { holdOf: opts.holdOf } : {}), ...(escalating ? { escalateAfterMs: escalate } : {}) });
    this.evaluator = new ContinuousEvaluator(opts.checks);
  }

  /** Takes an added or changed object; false when it changes nothing kept (the stored projection
   *  stays, and nothing needs judging). */
  upsert(obj: AnyObj): boolean {
    const prev = this.store.get(obj.kind, obj.meta.namespace, obj.meta.name);
    if (prev && sameProjection(prev, obj)) return false;
    if (prev) this.mark(prev);
    if (obj.kind === 'Event') {
      // Evidence about another object (marked with it): it relates nothing to anything.
      this.store.upsert(obj);
      if (!prev) this.mark(obj);
      return true;
    }
    const changed = !prev || structural(prev, obj);
    if (changed) this.relations++;
    this.store.upsert(obj);
    // A status update relates to the same objects as the version it replaces: already marked.
    if (changed) this.mark(obj);
    return true;
  }

  /** Marks what a change to the object affects. A pod's relations (its ReplicaSet, Deployment,
   *  Services and MCPServer) follow from its namespace, owner list and labels, which the pods of a
   *  family share (normalize shares them): they are worked out once per family while relations stay
   *  as they are (the relations generation), not on every pod event. */
  private mark(o: AnyObj): void {
    if (o.kind !== 'Pod' || o.meta.owners.length === 0) {
      affectedKeys(this.store, o, this.dirty);
      return;
    }
    let fam = this.familyMarks.current(o.meta.owners, this.relations);
    if (!fam || fam.labels !== o.meta.labels || fam.namespace !== o.meta.namespace) {
      const marks: DirtyMarks = new Map();
      affectedKeys(this.store, o, marks);
      marks.delete(objKey(o));
      fam = this.familyMarks.set(o.meta.owners, this.relations, { labels: o.meta.labels, namespace: o.meta.namespace, marks: [...marks].map(([key, m]) => ({ ...m, key })) });
    }
    const bit = kindBit('Pod');
    markDirty(this.dirty, 'Pod', o.meta.namespace, o.meta.name, bit);
    for (const m of fam.marks) markDirty(this.dirty, m.kind, m.namespace, m.name, bit, m.key);
  }

  remove(obj: AnyObj): void {
    const prev = this.store.get(obj.kind, obj.meta.namespace, obj.meta.name) ?? obj;
    affectedKeys(this.store, prev, this.dirty);
    this.store.delete(obj.kind, obj.meta.namespace, obj.meta.name);
    markDirty(this.dirty, prev.kind, prev.meta.namespace, prev.meta.name, kindBit(prev.kind));
    // Also: a held incident whose object is now gone resolves at once, even if no finding changed.
    if (prev.kind !== 'Event') this.relations++;
  }

  /** A relist: the kind's objects (in one namespace, or everywhere) are replaced wholesale. */
  replace(kind: KindName, namespace: string | undefined, objs: AnyObj[]): void {
    if (namespace === undefined) this.store.replaceKind(kind, objs);
    else {
      for (const o of this.store.list(kind, namespace)) this.store.delete(kind, namespace, o.meta.name);
      for (const o of objs) this.store.upsert(o);
    }
    this.needFull = true;
    this.relations++;
  }

  /** The next pass judges everything (periodic, or a source changed state). */
  requestFull(): void {
    this.needFull = true;
  }

  /** When a pass would change something without any event (see IncidentTracker.nextDeadline). */
  nextDeadline(): number | undefined {
    return this.deadline;
  }

  pass(now: number): PassResult {
    const eopts = { checks: this.opts.checks, now, config: this.opts.config, inScope: this.opts.inScope };
    // A full pass judges everything anew: Events past their TTL go first.
    if (this.needFull) this.store.expireEvents(now);
    const stats = this.needFull ? this.evaluator.full(this.store, eopts) : this.evaluator.incremental(this.store, this.dirty, eopts);
    this.needFull = false;
    this.dirty.clear();
    const changes = this.evaluator.takeChanges();
    const deadline = this.deadline;
    const due = deadline !== undefined && now >= deadline;
    if (this.evaluator.version === this.trackedVersion && this.relations === this.trackedRelations && !due) {
      return { stats, transitions: [], tracked: false, path: 'skipped' };
    }
    this.trackedVersion = this.evaluator.version;
    const exists = this.opts.exists ?? (() => true);
    // Only findings changed (or a hold or grace ends), and relations did not: feed the tracker the
    // change alone.
    let transitions = changes && this.unique && this.relations === this.trackedRelations ? this.delta(changes, now, exists) : undefined;
    const path = transitions ? 'delta' : 'full';
    if (!transitions) {
      const findings = this.evaluator.findings();
      const candidates = toCandidates(findings, this.store, this.incidentOptions(), { cache: this.candidates, generation: this.relations });
      // Two findings with one identity (the worse wins): then only a whole feed decides.
      this.unique = candidates.length === findings.length;
      transitions = this.tracker.update(candidates, now, exists);
    }
    this.trackedRelations = this.relations;
    this.deadline = this.tracker.nextDeadline();
    return { stats, transitions, tracked: true, path };
  }

  private incidentOptions(): IncidentOptions {
    return { clusterName: this.opts.clusterName, config: this.opts.config };
  }

  private delta(changes: FindingChanges, now: number, exists: (i: Incident) => boolean): Transition[] | undefined {
    const removed: Candidate[] = [];
    for (const f of changes.removed) {
      const c = this.candidates.any(f);
      if (!c) return undefined;
      removed.push(c);
    }
    const added = toCandidates(changes.added, this.store, this.incidentOptions(), { cache: this.candidates, generation: this.relations });
    if (added.length !== changes.added.length) return undefined;
    return this.tracker.updateDelta(added, removed, now, exists);
  }
}

/** Whether an update changes how the object relates to others (not just its status): everything
 *  affectedKeys reads of the object itself. */
function structural(prev: AnyObj, next: AnyObj): boolean {
  if (!sameRecord(prev.meta.labels, next.meta.labels)) return true;
  if (prev.meta.owners !== next.meta.owners) {
    const a = prev.meta.owners;
    const b = next.meta.owners;
    if (a.length !== b.length) return true;
    for (let i = 0; i < a.length; i++) {
      const x = a[i];
      const y = b[i];
      if (!x || !y || x.kind !== y.kind || x.name !== y.name || x.uid !== y.uid) return true;
    }
  }
  if (prev.kind === 'Service' && next.kind === 'Service') return !sameRecord(prev.selector, next.selector);
  if (prev.kind === 'Deployment' && next.kind === 'Deployment') return !sameRecord(prev.selector, next.selector);
  if (prev.kind === 'EndpointSlice' && next.kind === 'EndpointSlice') return prev.serviceName !== next.serviceName;
  if (prev.kind === 'Ingress' && next.kind === 'Ingress') return prev.className !== next.className;
  // Where a pod runs relates it to its node (a node incident explains it).
  if (prev.kind === 'Pod' && next.kind === 'Pod') return prev.node !== next.node;
  // Who signs a certificate relates it to its issuer (an issuer not ready explains it).
  if ((prev.kind === 'Certificate' && next.kind === 'Certificate') || (prev.kind === 'CertificateRequest' && next.kind === 'CertificateRequest')) return prev.issuer !== next.issuer;
  return false;
}

