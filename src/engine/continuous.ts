// The watcher's evaluation: findings kept per check and per object, refreshed by incremental passes
// over the objects an event touched (checks iterate view.roots) and by periodic full passes, which
// also advance time-based findings and heal any edge the incremental path missed.

import { kindBit, type KindName } from '../kube/kinds.ts';
import type { ClusterView } from '../kube/store.ts';
import type { AnyObj, Obj } from '../kube/types.ts';
import { keyOf } from '../kube/types.ts';
import type { Check, Finding } from '../checks/types.ts';
import { checkSkip, evaluate, runCheck, selectChecks, type EvaluateOptions, type Skipped } from './evaluate.ts';
import type { Mark } from './dependents.ts';

/** Owned objects by owner (identity) and kind, within one pass. */
type OwnedMemo = Map<AnyObj, Map<KindName, readonly AnyObj[]>>;

/** A view whose roots are only the given objects; every lookup sees the whole store. */
class ScopedView implements ClusterView {
  private readonly base: ClusterView;
  private readonly rootKind: KindName;
  private readonly rootObjs: readonly AnyObj[];
  private readonly memo: OwnedMemo;

  constructor(base: ClusterView, rootKind: KindName, rootObjs: readonly AnyObj[], memo: OwnedMemo) {
    this.base = base;
    this.rootKind = rootKind;
    this.rootObjs = rootObjs;
    this.memo = memo;
  }

  roots<K extends KindName>(kind: K): readonly Obj<K>[] {
    return (kind === this.rootKind ? this.rootObjs : []) as readonly Obj<K>[];
  }
  list<K extends KindName>(kind: K, namespace?: string): readonly Obj<K>[] {
    return this.base.list(kind, namespace);
  }
  get<K extends KindName>(kind: K, namespace: string, name: string): Obj<K> | undefined {
    return this.base.get(kind, namespace, name);
  }
  ownedBy<K extends KindName>(kind: K, owner: AnyObj): readonly Obj<K>[] {
    // Within one pass the store does not change, so the answer can be shared by the checks.
    let byKind = this.memo.get(owner);
    if (!byKind) this.memo.set(owner, (byKind = new Map()));
    let hit = byKind.get(kind);
    if (!hit) byKind.set(kind, (hit = this.base.ownedBy(kind, owner)));
    return hit as readonly Obj<K>[];
  }
  slicesFor(namespace: string, service: string): ReturnType<ClusterView['slicesFor']> {
    return this.base.slicesFor(namespace, service);
  }
  source(kind: KindName): ReturnType<ClusterView['source']> {
    return this.base.source(kind);
  }
  count(kind: KindName, namespace?: string): number {
    return this.base.count(kind, namespace);
  }
  eventsAbout(o: AnyObj): ReturnType<ClusterView['eventsAbout']> {
    return this.base.eventsAbout(o);
  }
  podsOn(node: string): ReturnType<ClusterView['podsOn']> {
    return this.base.podsOn(node);
  }
  servicesSelecting(namespace: string, labels: Readonly<Record<string, string>>): ReturnType<ClusterView['servicesSelecting']> {
    return this.base.servicesSelecting(namespace, labels);
  }
}

function findingKey(f: Finding): string {
  return keyOf(f.object.kind, f.object.namespace, f.object.name);
}

/** The findings that appeared and went away since the last look (a replaced finding is both). */
export interface FindingChanges {
  added: Finding[];
  removed: Finding[];
}

export interface PassStats {
  kind: 'full' | 'incremental';
  checksRun: number;
  roots: number;
  ms: number;
}

export class ContinuousEvaluator {
  /** check id → object key → findings on that object. */
  private readonly perObject = new Map<string, Map<string, Finding[]>>();
  /** Findings of singleton checks and of the engine (SourceUnavailable, CheckFailed), per check id. */
  private readonly whole = new Map<string, Finding[]>();
  private skippedNow: Skipped[] = [];
  private versionNow = 0;
  /** Since the last takeChanges; undefined after a full pass (everything may have changed). */
  private changes: FindingChanges | undefined;
  private readonly checks: readonly Check[];

  constructor(checks: readonly Check[]) {
    this.checks = checks;
  }

  full(view: ClusterView, opts: EvaluateOptions): PassStats {
    const t0 = performance.now();
    const ev = evaluate(view, opts);
    this.perObject.clear();
    this.whole.clear();
    const byId = new Map(this.checks.map((c) => [c.id, c]));
    for (const f of ev.findings) {
      const owner = f.reason === 'CheckFailed' || f.reason === 'SourceUnavailable' ? undefined : this.checkOf(f, byId);
      if (owner?.roots) this.put(owner.id, findingKey(f), f);
      else {
        const id = owner?.id ?? `engine:${f.reason}`;
        const l = this.whole.get(id) ?? [];
        l.push(f);
        this.whole.set(id, l);
      }
    }
    this.skippedNow = ev.skipped;
    this.bump();
    this.changes = undefined;
    return { kind: 'full', checksRun: this.checks.length, roots: -1, ms: performance.now() - t0 };
  }

  /** Re-judges the objects behind `dirty` (see dependents.ts) and re-runs the singleton checks. Findings
   *  equal to the ones they replace are kept as they were (same objects), so `version` moves only
   *  when what the checks say has changed. */
  incremental(view: ClusterView, dirty: ReadonlyMap<string, Mark>, opts: EvaluateOptions): PassStats {
    const t0 = performance.now();
    // The dirty objects of each kind, looked up once for all the checks rooted at that kind, with
    // the kinds whose change marked them.
    const byKind = new Map<KindName, { key: string; obj: AnyObj | undefined; causes: number }[]>();
    for (const [key, m] of dirty) {
      const e = { key, obj: view.get(m.kind, m.namespace, m.name) as AnyObj | undefined, causes: m.causes };
      const l = byKind.get(m.kind);
      if (l) l.push(e);
      else byKind.set(m.kind, [e]);
    }
    let checksRun = 0;
    let roots = 0;
    let changed = false;
    // One memo of ownership lookups for the pass (the Deployment checks and the gateway check all
    // ask for the same pods).
    const memo: OwnedMemo = new Map();
    for (const check of selectChecks(this.checks, opts.config).run) {
      if (checkSkip(view, check)) continue;
      if (!check.roots) {
        const r = runCheck(check, view, opts);
        const old = this.whole.get(check.id);
        if (!sameFindings(old, r.findings)) {
          this.replaced(old, r.findings);
          this.whole.set(check.id, r.findings);
          changed = true;
        }
        checksRun++;
        continue;
      }
      const marked = byKind.get(check.roots);
      if (!marked) continue;
      // The roots whose own change, or a change to a kind the check reads, marked them.
      const relevant = check.reads ? check.reads.reduce((m, k) => m | kindBit(k), kindBit(check.roots)) : -1;
      const keys: string[] = [];
      const objs: AnyObj[] = [];
      for (const e of marked) {
        if ((e.causes & relevant) === 0) continue;
        keys.push(e.key);
        if (e.obj) objs.push(e.obj);
      }
      if (keys.length === 0) continue;
      const r = runCheck(check, new ScopedView(view, check.roots, objs, memo), opts);
      checksRun++;
      roots += keys.length;
      if (r.failed) {
        this.replaced(this.whole.get(check.id), r.findings);
        this.whole.set(check.id, r.findings);
        changed = true;
        continue;
      }
      const failedBefore = this.whole.get(check.id);
      if (failedBefore) {
        // It had failed before and works again.
        this.replaced(failedBefore, []);
        this.whole.delete(check.id);
        changed = true;
      }
      let m = this.perObject.get(check.id);
      if (!m) this.perObject.set(check.id, (m = new Map()));
      const fresh = new Map<string, Finding[]>();
      for (const k of keys) fresh.set(k, []);
      for (const f of r.findings) {
        const k = findingKey(f);
        const l = fresh.get(k);
        if (l) l.push(f);
        else fresh.set(k, [f]);
      }
      for (const [k, l] of fresh) {
        const old = m.get(k);
        if (l.length === 0) {
          if (old) {
            this.replaced(old, l);
            m.delete(k);
            changed = true;
          }
        } else if (!sameFindings(old, l)) {
          this.replaced(old, l);
          m.set(k, l);
          changed = true;
        }
      }
    }
    if (changed) this.bump();
    return { kind: 'incremental', checksRun, roots, ms: performance.now() - t0 };
  }

  /** Moves whenever the findings change (every full pass, and incremental passes that changed one). */
  get version(): number {
    return this.versionNow;
  }

  /** Every current finding (the whole feed; asked at most once a pass, so not kept). */
  findings(): readonly Finding[] {
    const out: Finding[] = [];
    for (const m of this.perObject.values()) for (const l of m.values()) for (const f of l) out.push(f);
    for (const l of this.whole.values()) for (const f of l) out.push(f);
    return out;
  }

  /** What changed since the last call (and starts over), or undefined when a full pass replaced
   *  the findings wholesale since. */
  takeChanges(): FindingChanges | undefined {
    const c = this.changes;
    this.changes = { added: [], removed: [] };
    return c;
  }

  private replaced(old: readonly Finding[] | undefined, now: readonly Finding[]): void {
    if (!this.changes) return;
    if (old) for (const f of old) this.changes.removed.push(f);
    for (const f of now) this.changes.added.push(f);
  }

  private bump(): void {
    this.versionNow++;
  }

  skipped(): Skipped[] {
    return this.skippedNow;
  }

  private put(checkId: string, key: string, f: Finding): void {
    let m = this.perObject.get(checkId);
    if (!m) this.perObject.set(checkId, (m = new Map()));
    const l = m.get(key);
    if (l) l.push(f);
    else m.set(key, [f]);
  }

  private checkOf(f: Finding, byId: Map<string, Check>): Check | undefined {
    for (const c of byId.values()) if (c.reasons.some((r) => r.reason === f.reason)) return c;
    return undefined;
  }
}


/** Whether two findings say the same thing (a re-evaluation of an unchanged object). */
export function sameFinding(a: Finding, b: Finding): boolean {
  return (
    a.reason === b.reason &&
    a.message === b.message &&
    a.sub === b.sub &&
    a.severity === b.severity &&
    a.since === b.since &&
    a.urgent === b.urgent &&
    sameRecord(a.object, b.object) &&
    sameRecord(a.attributes, b.attributes) &&
    sameRecord(a.vars, b.vars)
  );
}

function sameFindings(a: readonly Finding[] | undefined, b: readonly Finding[]): boolean {
  if (!a) return b.length === 0;
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (!sameFinding(a[i] as Finding, b[i] as Finding)) return false;
  return true;
}

/** Shallow equality of two records (labels, selectors, attributes): same keys, identical values. */
export function sameRecord(a: object | undefined, b: object | undefined): boolean {
  if (a === b) return true;
  if (!a || !b) return false;
  const ka = Object.keys(a);
  if (ka.length !== Object.keys(b).length) return false;
  for (const k of ka) if ((a as Record<string, unknown>)[k] !== (b as Record<string, unknown>)[k]) return false;
  return true;
}
