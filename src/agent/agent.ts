// The watcher's owner of everything long-lived: reflectors fill the store; events mark what they
// touch; a short debounce later an incremental pass re-judges those objects, and a periodic full
// pass advances time-based findings; the tracker turns findings into transitions for the sinks.
// Every part is isolated: a kind that cannot be read is reported, a sink that throws is counted.

import { listTargets, type KindName } from '../kube/kinds.ts';
import type { ObjectStore } from '../kube/store.ts';
import type { AnyObj, SourceState } from '../kube/types.ts';
import { CHECKS } from '../checks/registry.ts';
import type { Check } from '../checks/types.ts';
import { neededKinds, selectChecks, type Skipped } from '../engine/evaluate.ts';
import type { Incident } from '../engine/incidents.ts';
import type { IncidentTracker, Transition } from '../engine/tracker.ts';
import { Pipeline } from '../engine/pipeline.ts';
import { IncidentLedger } from '../engine/ledger.ts';
import { SILENCE_KINDS, SilenceJudge } from '../engine/silences.ts';
import { scopeFilter, type AgentConfig } from '../config/config.ts';
import type { KubeClient } from '../collector/kube-client.ts';
import { Reflector } from '../collector/reflector.ts';
import { DEFAULT_REFLECTOR_OPTIONS, type ReflectorOptions } from '../collector/reflector-options.ts';
import { Gate } from '../util/gate.ts';
import type { Logger } from '../util/log.ts';
import type { IncidentSink } from '../delivery/sink.ts';
import type { StaleSource } from '../format/report.ts';

export interface WatchSettings {
  /** Absent this long before an incident resolves. */
  holdMs: number;
  /** Full evaluation this often (time-based findings, healing). */
  fullEvaluationMs: number;
  /** Debounce between an event and its incremental pass. */
  evaluationDelayMs: number;
  reflector: Omit<ReflectorOptions, 'inScope' | 'sharing'>;
}

export const DEFAULT_WATCH_SETTINGS: WatchSettings = {
  holdMs: 60_000,
  fullEvaluationMs: 60_000,
  evaluationDelayMs: 25,
  reflector: DEFAULT_REFLECTOR_OPTIONS,
};

const REVIEW_MS = 5000;

export interface AgentStats {
  passes: { full: number; incremental: number };
  lastPassMs: number;
  /** Recent pass durations (ms), for percentiles. */
  passDurations: number[];
  transitions: { opened: number; updated: number; resolved: number };
  sinkFailures: Record<string, number>;
  events: number;
}

export class Agent {
  readonly store: ObjectStore;
  readonly tracker: IncidentTracker;
  /** Silences, flapping, timelines and the history of resolved incidents. */
  readonly ledger: IncidentLedger;
  readonly stats: AgentStats = { passes: { full: 0, incremental: 0 }, lastPassMs: 0, passDurations: [], transitions: { opened: 0, updated: 0, resolved: 0 }, sinkFailures: {}, events: 0 };
  private readonly pipeline: Pipeline;
  private readonly reflectors: Reflector[] = [];
  private readonly checks: readonly Check[];
  private readonly kinds: KindName[];
  private readonly sinks: IncidentSink[];
  private readonly inScope: (ns: string) => boolean;
  private settled = false;
  private stopped = false;
  private timer?: NodeJS.Timeout;
  private timerAt = 0;
  private fullTimer?: NodeJS.Timeout;
  private reviewTimer?: NodeJS.Timeout;
  private lastPassAt = 0;
  private readonly sourceParts = new Map<KindName, Map<string, SourceState>>();
  private readonly client: KubeClient;
  private readonly config: AgentConfig;
  private readonly settings: WatchSettings;
  private readonly log: Logger;
  private readonly now: () => number;

  private readonly passObserver?: (kind: 'full' | 'incremental', ms: number) => void;

  constructor(opts: {
    client: KubeClient;
    config: AgentConfig;
    settings?: WatchSettings;
    log: Logger;
    sinks?: IncidentSink[];
    now?: () => number;
    checks?: readonly Check[];
    passObserver?: (kind: 'full' | 'incremental', ms: number) => void;
  }) {
    if (opts.passObserver) this.passObserver = opts.passObserver;
    this.client = opts.client;
    this.config = opts.config;
    this.settings = opts.settings ?? DEFAULT_WATCH_SETTINGS;
    this.log = opts.log;
    this.now = opts.now ?? Date.now;
    this.sinks = opts.sinks ?? [];
    this.checks = opts.checks ?? CHECKS;
    this.inScope = scopeFilter(this.config);
    let ledger: IncidentLedger | undefined;
    this.pipeline = new Pipeline({
      checks: this.checks,
      clusterName: this.config.clusterName,
      config: this.config.checks,
      inScope: this.inScope,
      holdMs: this.settings.holdMs,
      exists: (i) => this.exists(i),
      holdOf: (id) => ledger?.holdOf(id),
    });
    this.store = this.pipeline.store;
    this.tracker = this.pipeline.tracker;
    const lc = this.config.lifecycle;
    const judge = new SilenceJudge({ silences: lc.silences, windows: lc.windows }, this.store, (msg, fields) => this.log('warn', msg, fields));
    this.ledger = ledger = new IncidentLedger(lc.ledger, judge);
    // Namespaces for their silence annotations (no check reads them).
    const kinds = neededKinds(selectChecks(this.checks, this.config.checks).run);
    this.kinds = kinds.length > 0 ? [...kinds, ...SILENCE_KINDS] : kinds;
  }

  /** Kinds this agent watches (drives RBAC). */
  watchedKinds(): readonly KindName[] {
    return this.kinds;
  }

  addSink(s: IncidentSink): void {
    this.sinks.push(s);
  }

  start(): void {
    // Two LISTs at a time: one parses while the other waits on the server, and the transient memory
    // of pages in flight stays bounded however many kinds are watched.
    const ropts: ReflectorOptions = { ...this.settings.reflector, sharing: this.store.sharing, inScope: this.inScope, listGate: new Gate(2) };
    for (const kind of this.kinds) {
      for (const ns of listTargets(kind, this.config.namespaces)) {
        const r = new Reflector(kind, ns, this.client, this.handler, ropts, (level, msg, fields) => this.log(level, msg, fields));
        this.reflectors.push(r);
        r.start();
      }
    }
    this.fullTimer = setInterval(() => {
      this.pipeline.requestFull();
      this.schedule(0);
    }, this.settings.fullEvaluationMs);
    this.fullTimer.unref();
    // Silences and maintenance windows begin and end on their own: looked at every few seconds.
    this.reviewTimer = setInterval(() => this.review(), REVIEW_MS);
    this.reviewTimer.unref();
    this.log('info', 'watching', { kinds: this.kinds, namespaces: this.config.namespaces.length ? this.config.namespaces : 'all', cluster: this.config.clusterName });
  }

  /** Stops the timers and the watches and flushes every sink. No final pass: a pass due within the
   *  debounce is dropped, as its changes are seen again by the next agent's first pass. */
  async stop(): Promise<void> {
    if (this.stopped) return;
    this.stopped = true;
    clearTimeout(this.timer);
    clearInterval(this.fullTimer);
    clearInterval(this.reviewTimer);
    await Promise.all(this.reflectors.map((r) => r.stop()));
    await Promise.all(
      this.sinks.map(async (s) => {
        try {
          await s.flush?.();
        } catch (err) {
          this.sinkFailed(s, err);
        }
      }),
    );
    this.log('info', 'stopped');
  }

  /** Every needed kind is synced, or definitely unavailable (forbidden, not installed), and the first
   *  pass ran. A kind the API keeps failing for (never reached, or stale) is not ready: an agent that
   *  cannot see must not look green. */
  ready(): boolean {
    return this.settled && this.stats.passes.full > 0 && this.blind().length === 0;
  }

  /** Moves with every evaluation pass and source change: what /incidents shows may have changed. */
  version(): number {
    return this.stats.passes.full + this.stats.passes.incremental + this.sourceChanges + this.reviews;
  }

  private sourceChanges = 0;

  /** Whether every source reported once (synced, unavailable or failing). */
  settledOnce(): boolean {
    return this.settled;
  }

  /** Kinds that cannot be read now although they should be: never synced and failing, or stale. */
  blind(): StaleSource[] {
    const out: StaleSource[] = [];
    for (const [kind, s] of Object.entries(this.sources())) {
      if (s.status !== 'stale' && s.status !== 'failing') continue;
      const e: StaleSource = { kind, status: s.status };
      if (s.since !== undefined) e.since = new Date(s.since).toISOString();
      if (s.detail) e.detail = s.detail;
      out.push(e);
    }
    return out;
  }

  /** Whether the evaluation loop is turning (for /healthz). */
  alive(now = this.now()): boolean {
    if (this.stopped) return false;
    if (!this.settled) return true;
    return now - this.lastPassAt < Math.max(3 * this.settings.fullEvaluationMs, 10_000);
  }

  sources(): Record<string, SourceState> {
    const out: Record<string, SourceState> = {};
    for (const k of this.kinds) out[k] = this.store.source(k);
    return out;
  }

  reflectorStats(): { kind: KindName; namespace: string | undefined; state: SourceState; stats: Reflector['stats'] }[] {
    return this.reflectors.map((r) => ({ kind: r.kind, namespace: r.namespace, state: r.state, stats: r.stats }));
  }

  /** The open incidents as the front ends show them (silenced, flapping). */
  openIncidents(): Incident[] {
    return this.tracker.open().map((i) => this.ledger.shown(i));
  }

  /** Resolved incidents still in the history, newest first. */
  resolvedIncidents(): Incident[] {
    return this.ledger.resolved(this.now());
  }

  /** Silences that began or ended: recorded and announced (see IncidentLedger.review). */
  review(): Transition[] {
    if (!this.settled || this.stopped) return [];
    const ts = this.ledger.review(this.now());
    if (ts.length > 0) {
      this.reviews++;
      this.emit(ts);
    }
    return ts;
  }

  private reviews = 0;

  objectCounts(): Record<string, number> {
    return Object.fromEntries(this.kinds.map((k) => [k, this.store.size(k)]));
  }

  /** 'opened' transitions for every open incident, for a sink that lost records (not re-emitted to all sinks). */
  announceAll(): Transition[] {
    return this.ledger.announcements(this.tracker.announceAll(this.now()));
  }

  skipped(): Skipped[] {
    return this.pipeline.evaluator.skipped();
  }

  private readonly handler = {
    replace: (kind: KindName, namespace: string | undefined, objs: AnyObj[]): void => {
      this.pipeline.replace(kind, namespace, objs);
      this.schedule();
    },
    upsert: (obj: AnyObj): void => {
      this.stats.events++;
      if (this.pipeline.upsert(obj)) this.schedule();
    },
    remove: (obj: AnyObj): void => {
      this.stats.events++;
      this.pipeline.remove(obj);
      this.schedule();
    },
    state: (kind: KindName, namespace: string | undefined, state: SourceState): void => {
      let parts = this.sourceParts.get(kind);
      if (!parts) this.sourceParts.set(kind, (parts = new Map()));
      parts.set(namespace ?? '*', state);
      // A kind read per namespace is only as good as its worst namespace.
      const all = [...parts.values()];
      const worst = all.find((s) => s.status !== 'synced') ?? all[0] ?? state;
      this.store.setSource(kind, worst);
      this.sourceChanges++;
      this.pipeline.requestFull();
      this.schedule();
    },
  };

  /** Runs a pass after `delay` ms, unless one is already due sooner. */
  private schedule(delay = this.settings.evaluationDelayMs): void {
    if (this.stopped) return;
    const at = this.now() + delay;
    if (this.timer && this.timerAt <= at) return;
    clearTimeout(this.timer);
    this.timerAt = at;
    this.timer = setTimeout(() => {
      this.timer = undefined;
      this.pass();
    }, delay);
  }

  private isSettled(): boolean {
    return this.reflectors.every((r) => r.state.status !== 'not-loaded');
  }

  private pass(): Transition[] {
    if (!this.settled) {
      // Judging a half-listed cluster would open false incidents (a Service before its slices).
      if (!this.isSettled()) return [];
      this.settled = true;
      this.log('info', 'all sources settled', { sources: Object.fromEntries(Object.entries(this.sources()).map(([k, s]) => [k, s.status])) });
    }
    const now = this.now();
    const passed = this.pipeline.pass(now);
    const stats = passed.stats;
    const transitions = passed.transitions.length > 0 ? this.ledger.record(passed.transitions, now) : passed.transitions;
    this.lastPassAt = now;
    this.stats.passes[stats.kind]++;
    this.stats.lastPassMs = stats.ms;
    this.passObserver?.(stats.kind, stats.ms);
    this.stats.passDurations.push(stats.ms);
    if (this.stats.passDurations.length > 512) this.stats.passDurations.splice(0, 256);
    for (const t of transitions) this.stats.transitions[t.type]++;
    if (transitions.length > 0) this.emit(transitions);
    // Holds and graces end on their own: wake up then, not at the next full pass.
    const deadline = this.pipeline.nextDeadline();
    if (deadline !== undefined) this.schedule(Math.max(0, deadline - this.now()) + 5);
    return transitions;
  }

  private exists(i: Incident): boolean {
    const o = i.object;
    if (o.kind === 'Agent' || o.namespace === undefined) return true;
    if (!(this.kinds as string[]).includes(o.kind)) return true;
    return this.store.get(o.kind as KindName, o.namespace, o.name) !== undefined || o.uid === undefined;
  }

  /** Whether this replica emits (always, unless leader election made it a standby). */
  emitting = true;

  /** Leadership changed: a new leader announces every open incident (ids make it idempotent). */
  setEmitting(on: boolean): void {
    const was = this.emitting;
    this.emitting = on;
    if (on && !was) {
      const all = this.announceAll();
      if (all.length > 0) this.emit(all);
    }
  }

  private emit(ts: readonly Transition[]): void {
    if (!this.emitting) return;
    for (const s of this.sinks) {
      try {
        s.transitions(ts);
      } catch (err) {
        this.sinkFailed(s, err);
      }
    }
  }

  private sinkFailed(s: IncidentSink, err: unknown): void {
    this.stats.sinkFailures[s.name] = (this.stats.sinkFailures[s.name] ?? 0) + 1;
    this.log('error', 'sink failed', { sink: s.name, error: err instanceof Error ? err.message : String(err) });
  }
}
