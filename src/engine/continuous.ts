// The watcher's evaluation: findings kept per check and per object, refreshed by incremental passes
// over the objects an event touched (checks iterate view.roots) and by periodic full passes, which
// also advance time-based findings and heal any edge the incremental path missed.

import type { KindName } from '../kube/kinds.ts';
import type { ClusterView } from '../kube/store.ts';
import type { AnyObj, Obj } from '../kube/types.ts';
import { keyOf } from '../kube/types.ts';
import type { Check, Finding } from '../checks/types.ts';
import { checkSkip, evaluate, runCheck, selectChecks, type EvaluateOptions, type Skipped } from './evaluate.ts';

/** A view whose roots are only the given objects; every lookup sees the whole store. */
class ScopedView implements ClusterView {
  private readonly base: ClusterView;
  private readonly rootObjs: ReadonlyMap<KindName, readonly AnyObj[]>;

  constructor(base: ClusterView, rootObjs: ReadonlyMap<KindName, readonly AnyObj[]>) {
    this.base = base;
    this.rootObjs = rootObjs;
  }

  roots<K extends KindName>(kind: K): readonly Obj<K>[] {
    return (this.rootObjs.get(kind) ?? []) as readonly Obj<K>[];
  }
  list<K extends KindName>(kind: K, namespace?: string): readonly Obj<K>[] {
    return this.base.list(kind, namespace);
  }
  get<K extends KindName>(kind: K, namespace: string, name: string): Obj<K> | undefined {
    return this.base.get(kind, namespace, name);
  }
  ownedBy<K extends KindName>(kind: K, owner: AnyObj): readonly Obj<K>[] {
    return this.base.ownedBy(kind, owner);
  }
  slicesFor(namespace: string, service: string): ReturnType<ClusterView['slicesFor']> {
    return this.base.slicesFor(namespace, service);
  }
  source(kind: KindName): ReturnType<ClusterView['source']> {
    return this.base.source(kind);
  }
}

function findingKey(f: Finding): string {
  return keyOf(f.object.kind, f.object.namespace, f.object.name);
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
    return { kind: 'full', checksRun: this.checks.length, roots: -1, ms: performance.now() - t0 };
  }

  /** Re-judges the objects behind `dirty` (object keys) and re-runs the singleton checks. */
  incremental(view: ClusterView, dirty: ReadonlySet<string>, opts: EvaluateOptions): PassStats {
    const t0 = performance.now();
    const byKind = new Map<KindName, string[]>();
    for (const k of dirty) {
      const kind = k.slice(0, k.indexOf('/')) as KindName;
      const l = byKind.get(kind);
      if (l) l.push(k);
      else byKind.set(kind, [k]);
    }
    let checksRun = 0;
    let roots = 0;
    for (const check of selectChecks(this.checks, opts.config).run) {
      if (checkSkip(view, check)) continue;
      if (!check.roots) {
        const r = runCheck(check, view, opts);
        this.whole.set(check.id, r.findings);
        checksRun++;
        continue;
      }
      const keys = byKind.get(check.roots);
      if (!keys) continue;
      const objs: AnyObj[] = [];
      for (const k of keys) {
        const [, ns = '', ...rest] = k.split('/');
        const o = view.get(check.roots, ns, rest.join('/'));
        if (o) objs.push(o);
      }
      const r = runCheck(check, new ScopedView(view, new Map([[check.roots, objs]])), opts);
      checksRun++;
      roots += keys.length;
      if (r.failed) {
        this.whole.set(check.id, r.findings);
        continue;
      }
      const m = this.perObject.get(check.id);
      for (const k of keys) m?.delete(k);
      for (const f of r.findings) this.put(check.id, findingKey(f), f);
    }
    return { kind: 'incremental', checksRun, roots, ms: performance.now() - t0 };
  }

  findings(): Finding[] {
    const out: Finding[] = [];
    for (const m of this.perObject.values()) for (const l of m.values()) out.push(...l);
    for (const l of this.whole.values()) out.push(...l);
    return out;
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
    for (const c of byId.values()) if (c.reasons.includes(f.reason)) return c;
    return undefined;
  }
}

