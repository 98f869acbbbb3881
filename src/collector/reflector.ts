// A reflector per watched kind (and namespace), our own rather than the client's informer
// (architecture.md §7). The initial list is a streaming list where the server serves one (a WATCH
// with sendInitialEvents=true, resourceVersionMatch=NotOlderThan, ended by a bookmark annotated
// k8s.io/initial-events-end: the API server never builds a whole LIST response, and the stream goes
// on as the watch), else a paged LIST projected page by page; WATCH from the list's resourceVersion with
// bookmarks and a server-side timeout rotated every few minutes; resume from the last seen or
// bookmarked resourceVersion; 410 Gone (HTTP or in-stream ERROR) → relist, replacing the kind so
// objects deleted meanwhile disappear; any other failure → reconnect with exponential backoff and
// jitter, reset after a healthy period; 429 → honour Retry-After; a hung connection is caught by an
// inactivity watchdog; malformed lines are counted and skipped. A kind that is forbidden or not
// installed is reported and retried, so a CRD installed later is picked up without a restart.

import { Backoff } from '../util/backoff.ts';
import { kindQuery, type KindName } from '../kube/kinds.ts';
import type { AnyObj, SourceState } from '../kube/types.ts';
import { readWatchLine } from './watch-events.ts';
import type { ReflectorHandler, ReflectorLog, ReflectorOptions, ReflectorStats } from './reflector-options.ts';
import { checkServed, listPath, pagedList, refusal, statusMessage, Throttled, Unavailable } from './list.ts';
import { LineTooLongError, type KubeClient, type KubeResponse, type StreamOptions } from './kube-client.ts';

class Gone extends Error {}
/** The server refused a streaming list (the WatchList feature is off, or the request is invalid). */
class StreamingRefused extends Error {}

function staleDetail(since: number, now: number, why: string): string {
  return `cannot be read since ${new Date(since).toISOString()} (${Math.round((now - since) / 1000)}s): ${why}`.slice(0, 300);
}

export class Reflector {
  readonly kind: KindName;
  readonly namespace: string | undefined;
  readonly stats: ReflectorStats = { lists: 0, streamingLists: 0, rejected: 0, watches: 0, restarts: 0, relists: 0, events: 0, malformed: 0, throttled: 0 };
  private readonly client: KubeClient;
  private readonly handler: ReflectorHandler;
  private readonly opts: ReflectorOptions;
  private readonly log: ReflectorLog;
  private readonly abort = new AbortController();
  private running?: Promise<void>;
  private readonly backoff: Backoff;
  /** Retries of a kind that is forbidden or absent, from near 1 s, reset once it is readable. */
  private readonly unavailableBackoff: Backoff;
  private rv = '';
  private lastListAt = 0;
  private lastListAttemptAt = 0;
  /** A list (paged or streaming) has completed at least once. */
  private listed = false;
  /** The next request must list (at start, after 410 Gone, after a kind could not be read); a
   *  streaming list clears it when its initial events are in, so a drop later resumes the watch. */
  private needList = true;
  /** Streaming lists are tried until the server refuses one; then this kind pages. */
  private streaming: boolean;
  private current: SourceState = { status: 'not-loaded' };
  /** When requests started failing (cleared by the next answer of the API server). */
  private failingSince: number | undefined;
  private staleTimer: NodeJS.Timeout | undefined;

  constructor(kind: KindName, namespace: string | undefined, client: KubeClient, handler: ReflectorHandler, opts: ReflectorOptions, log: ReflectorLog) {
    this.kind = kind;
    this.namespace = namespace;
    this.client = client;
    this.handler = handler;
    this.opts = opts;
    this.log = log;
    this.backoff = new Backoff(opts.backoffInitialMs, opts.backoffMaxMs, opts.random);
    this.streaming = opts.initialList === 'stream';
    this.unavailableBackoff = new Backoff(Math.min(1000, opts.unavailableRetryMs), opts.unavailableRetryMs, opts.random);
  }

  get state(): SourceState {
    return this.current;
  }

  start(): void {
    this.running ??= this.loop().catch((err: unknown) => {
      // The loop handles every failure itself; reaching here is a bug, and still not a crash.
      this.log('error', 'reflector stopped unexpectedly', { kind: this.kind, error: String(err) });
    });
  }

  async stop(): Promise<void> {
    this.abort.abort();
    clearTimeout(this.staleTimer);
    await this.running;
  }

  /** A request failed. The kind stays synced (its last state judged) until the failures have lasted
   *  staleAfterMs; then it is stale, and says since when and why. */
  private failed(detail: string): void {
    const now = this.opts.now();
    if (this.failingSince === undefined) {
      this.failingSince = now;
      clearTimeout(this.staleTimer);
      this.staleTimer = setTimeout(() => this.markStale(), this.opts.staleAfterMs);
      this.staleTimer.unref?.();
    }
    this.lastFailure = detail;
    const since = this.failingSince;
    if (this.current.status === 'synced' || this.current.status === 'stale') {
      const detailNow = this.current.status === 'stale' ? staleDetail(since, now, detail) : `reconnecting after: ${detail}`.slice(0, 300);
      this.setState({ ...this.current, detail: detailNow });
    } else this.setState({ status: 'failing', detail, since });
  }

  private lastFailure = '';

  private markStale(): void {
    if (this.stopped || this.failingSince === undefined) return;
    if (this.current.status !== 'synced') return;
    const now = this.opts.now();
    this.setState({ status: 'stale', coverage: this.current.coverage, since: this.failingSince, detail: staleDetail(this.failingSince, now, this.lastFailure) });
    this.log('warn', 'kind cannot be read: its last known state is kept and reported stale', { kind: this.kind, namespace: this.namespace, sinceMs: now - this.failingSince, error: this.lastFailure });
  }

  /** The API server answered: whatever failed before is over. */
  private reached(): void {
    this.failingSince = undefined;
    clearTimeout(this.staleTimer);
    this.staleTimer = undefined;
  }

  private setState(s: SourceState): void {
    const changed = s.status !== this.current.status || s.detail !== this.current.detail;
    this.current = s;
    if (changed) this.handler.state(this.kind, this.namespace, s);
  }

  private get stopped(): boolean {
    return this.abort.signal.aborted;
  }

  private sleep(ms: number): Promise<void> {
    return new Promise((resolve) => {
      if (this.stopped) return resolve();
      const t = setTimeout(done, ms);
      const signal = this.abort.signal;
      function done(): void {
        clearTimeout(t);
        signal.removeEventListener('abort', done);
        resolve();
      }
      signal.addEventListener('abort', done, { once: true });
    });
  }

  private async loop(): Promise<void> {
    while (!this.stopped) {
      try {
        if (this.needList || (this.opts.relistIntervalMs > 0 && this.opts.now() - this.lastListAt >= this.opts.relistIntervalMs)) {
          if (this.listed) this.stats.relists++;
          this.lastListAttemptAt = this.opts.now();
          await checkServed(this.client, this.kind);
          // Either way, listComplete() clears needList once the kind's objects are in.
          if (this.streaming) {
            // The streaming list goes on as the watch: when it ends, the next watch resumes.
            await this.watch(true);
            continue;
          }
          await (this.opts.listGate ? this.opts.listGate.run(() => this.list()) : this.list());
        }
        await this.watch(false);
      } catch (err) {
        if (this.stopped) break;
        if (err instanceof StreamingRefused) {
          this.streaming = false;
          this.needList = true;
          this.log('info', 'streaming list not served; using paged LIST', { kind: this.kind, namespace: this.namespace, detail: err.message });
          continue;
        }
        if (err instanceof Gone) {
          this.needList = true;
          // A 410 right after a relist means the server is in trouble (or lying): back off like any
          // other failure instead of hammering it with LISTs.
          const storm = this.listed && this.opts.now() - this.lastListAttemptAt < 5000;
          const wait = storm ? this.backoff.next() : 0;
          this.log('info', 'resourceVersion expired, relisting', { kind: this.kind, namespace: this.namespace, ...(storm ? { backoffMs: Math.round(wait) } : {}) });
          if (storm) await this.sleep(wait);
          continue;
        }
        if (err instanceof Throttled) {
          this.stats.throttled++;
          this.failed(`throttled (429) for ${Math.round(err.waitMs)} ms`);
          this.log('warn', 'API server asked to retry later', { kind: this.kind, retryAfterMs: err.waitMs });
          await this.sleep(err.waitMs);
          continue;
        }
        if (err instanceof Unavailable) {
          this.reached();
          this.setState(err.state);
          this.log('warn', 'kind cannot be read; its checks are skipped', { kind: this.kind, namespace: this.namespace, state: err.state.status, detail: err.state.detail });
          this.needList = true;
          await this.sleep(this.unavailableBackoff.next());
          continue;
        }
        if (err instanceof LineTooLongError) {
          this.stats.malformed++;
          this.log('warn', 'watch line too long: dropped with its connection', { kind: this.kind, namespace: this.namespace, error: err.message });
        }
        const wait = this.backoff.next();
        this.stats.restarts++;
        const detail = err instanceof Error ? err.message : String(err);
        // Before the first sync the kind is failing; after it, the data is kept, and past the stale
        // limit it is said to be stale.
        this.failed(detail);
        this.log('warn', 'watch failed, reconnecting', { kind: this.kind, namespace: this.namespace, error: detail, backoffMs: Math.round(wait) });
        await this.sleep(wait);
      }
    }
  }

  /** A list, paged or streaming, is complete: these are all the kind's objects. */
  private listComplete(objs: AnyObj[]): void {
    this.listed = true;
    this.needList = false;
    this.lastListAt = this.opts.now();
    this.handler.replace(this.kind, this.namespace, objs);
    this.reached();
    this.unavailableBackoff.reset();
    this.setState({ status: 'synced', coverage: this.namespace === undefined ? 'cluster' : 'partial' });
  }

  /** Paged LIST of the whole kind; throws Unavailable, Throttled or Error. */
  private async list(): Promise<void> {
    const { objs, resourceVersion } = await pagedList(this.client, this.kind, this.namespace, {
      pageSize: this.opts.pageSize,
      // An overall deadline per page: a LIST that trickles a byte at a time must end too.
      deadlineMs: this.opts.listDeadlineMs,
      sharing: this.opts.sharing,
      inScope: this.opts.inScope,
      onRequest: () => this.stats.lists++,
      onRejected: () => this.stats.rejected++,
    });
    this.rv = resourceVersion;
    this.listComplete(objs);
  }

  /** One WATCH from the current resourceVersion, or (initial) a streaming list that goes on as the
   *  watch; returns when the server ends it normally. */
  // eslint-disable-next-line max-lines-per-function -- one request's stream: its line handler, its watchdogs and its outcome share the request's state
  private async watch(initial: boolean): Promise<void> {
    const [lo, hi] = this.opts.watchTimeoutSeconds;
    const timeout = Math.round(lo + this.opts.random() * (hi - lo));
    const q = kindQuery(this.kind, { watch: 'true', allowWatchBookmarks: 'true', timeoutSeconds: String(timeout) });
    if (initial) {
      // A consistent snapshot as initial ADDED events, then a bookmark that says they ended.
      q.set('sendInitialEvents', 'true');
      q.set('resourceVersionMatch', 'NotOlderThan');
    } else if (this.rv) q.set('resourceVersion', this.rv);
    const started = this.opts.now();
    let gone = false;
    let failure: Error | undefined;
    let lines = 0;
    this.stats.watches++;
    // The initial events of a streaming list, until its initial-events-end bookmark.
    let pending: Map<string, AnyObj> | undefined;
    let release: (() => void) | undefined;
    let tooSlow = false;
    let deadline: NodeJS.Timeout | undefined;
    // An in-stream ERROR ends this request at once: nothing after it on the stream is taken.
    const ended = new AbortController();
    if (initial) {
      this.stats.streamingLists++;
      pending = new Map();
      // Like a LIST, it holds a slot of the list gate until its initial events are in.
      release = this.opts.listGate ? await this.opts.listGate.acquire() : undefined;
      deadline = setTimeout(() => {
        tooSlow = true;
        ended.abort();
      }, this.opts.streamDeadlineMs);
      deadline.unref?.();
    }
    const initialDone = (): void => {
      clearTimeout(deadline);
      release?.();
    };
    const path = `${listPath(this.kind, this.namespace)}?${q.toString()}`;
    const streamOpts: StreamOptions = {
      signal: AbortSignal.any([this.abort.signal, ended.signal]),
      inactivityMs: this.opts.inactivityMs,
      // Connected again: the kind is no longer stale.
      onOpen: () => {
        this.reached();
        if (!pending && (this.current.detail || this.current.status === 'stale')) this.setState({ status: 'synced', coverage: this.namespace === undefined ? 'cluster' : 'partial' });
      },
      onLine: (line) => {
        lines++;
        if (gone || failure) return;
        const l = readWatchLine(line, this.kind, this.opts.sharing);
        if (l.t === 'malformed') {
          // Counted and skipped, never a crash.
          this.stats.malformed++;
          this.log('debug', 'watch line skipped', { kind: this.kind, why: l.why, bytes: line.length });
        } else if (l.t === 'error') {
          if (l.code === 410) gone = true;
          else failure = new Error(`watch ERROR ${l.code || ''}: ${l.message}`.slice(0, 300));
          // Ended outside the stream's own callback (lines after this one are ignored meanwhile).
          setImmediate(() => ended.abort());
        } else if (l.t === 'alien') {
          this.stats.rejected++;
          this.log('warn', 'watch event of another kind rejected', { kind: this.kind, got: l.got });
        } else if (l.t === 'bookmark') {
          if (l.rv) this.rv = l.rv;
          if (pending && l.initialEventsEnd) {
            const objs = [...pending.values()];
            pending = undefined;
            initialDone();
            this.listComplete(objs);
          }
        } else {
          if (l.rv) this.rv = l.rv;
          this.stats.events++;
          if (!this.opts.inScope(l.obj.meta.namespace)) return;
          if (pending) {
            const key = `${l.obj.meta.namespace}/${l.obj.meta.name}`;
            if (l.type === 'DELETED') pending.delete(key);
            else pending.set(key, l.obj);
          } else if (l.type === 'DELETED') this.handler.remove(l.obj);
          else this.handler.upsert(l.obj);
        }
      },
    };
    let r: KubeResponse;
    try {
      r = await this.client.stream(path, streamOpts);
    } catch (err) {
      // Ended by us after an in-stream ERROR: act on the error, not on the abort.
      if (ended.signal.aborted && !this.stopped) {
        if (tooSlow) throw new StreamingRefused(`its initial events did not end within ${this.opts.streamDeadlineMs} ms`);
        if (gone) throw new Gone();
        if (failure) throw failure;
      }
      throw err;
    } finally {
      initialDone();
    }
    // The WatchList feature is off (422 Invalid: "sendInitialEvents is forbidden"), or the server
    // does not understand the request (400).
    if (initial && (r.status === 422 || r.status === 400)) throw new StreamingRefused(`${r.status}: ${statusMessage(r)}`);
    if (r.status === 410) throw new Gone();
    if (r.status !== 200) throw refusal(r, `WATCH ${this.kind}`);
    if (gone) throw new Gone();
    if (failure) throw failure;
    if (pending) throw new Error('streaming list ended before its initial-events-end bookmark');
    // A server that ends every watch at once would otherwise be hammered in a tight loop.
    if (lines === 0 && this.opts.now() - started < 1000) throw new Error('watch ended at once without events');
    if (this.opts.now() - started >= this.opts.backoffResetMs) this.backoff.reset();
    if (this.current.status !== 'synced') this.setState({ status: 'synced', coverage: this.namespace === undefined ? 'cluster' : 'partial' });
  }
}
