// What a reflector is told and tells: the handler it feeds, its options and their defaults, and
// its counters (the agent's self metrics read them).

import type { KindName } from '../kube/kinds.ts';
import type { AnyObj, SourceState } from '../kube/types.ts';
import type { Sharing } from '../kube/read/sharing.ts';
import type { Gate } from '../util/gate.ts';
import { PAGE_SIZE } from './list.ts';

export interface ReflectorHandler {
  /** A (re)list finished: these are all the objects of the kind (in the namespace, when set). */
  replace(kind: KindName, namespace: string | undefined, objs: AnyObj[]): void;
  upsert(obj: AnyObj): void;
  remove(obj: AnyObj): void;
  state(kind: KindName, namespace: string | undefined, state: SourceState): void;
}

export interface ReflectorLog {
  (level: 'debug' | 'info' | 'warn' | 'error', msg: string, fields?: Record<string, unknown>): void;
}

export interface ReflectorOptions {
  pageSize: number;
  /** Server-side watch timeout, chosen at random in [min, max] seconds for each watch. */
  watchTimeoutSeconds: [number, number];
  backoffInitialMs: number;
  backoffMaxMs: number;
  /** A watch that has run this long resets the backoff. */
  backoffResetMs: number;
  /** No byte (not even a bookmark) for this long: the connection is presumed hung. */
  inactivityMs: number;
  /** The longest wait before retrying a kind that is forbidden or not installed (the wait starts
   * near 1 s and doubles to this, so a fixed binding or a newly installed CRD is seen soon). */
  unavailableRetryMs: number;
  /** Relist this often even when the watch is healthy (0: never). */
  relistIntervalMs: number;
  inScope(namespace: string): boolean;
  /** The tables of the store the objects go into (kube/read/sharing.ts). */
  sharing: Sharing;
  random(): number;
  /** The clock (ms since the epoch) for staleness, relist intervals and watch durations. */
  now(): number;
  /** Limits how many LISTs run at once across reflectors (memory: each holds a page in flight). */
  listGate?: Gate;
  /** A synced kind that cannot be read for this long is stale (SourceUnavailable, /readyz 503). */
  staleAfterMs: number;
  /** The longest a LIST page may take, however steadily its bytes trickle in. */
  listDeadlineMs: number;
  /** 'stream': a streaming list (falls back to paged LIST where the server refuses it, or does not
   *  end its initial events within streamDeadlineMs); 'paged': always a paged LIST. */
  initialList: 'stream' | 'paged';
  /** The longest a streaming list's initial events may take before the kind falls back to paging. */
  streamDeadlineMs: number;
}

export const DEFAULT_REFLECTOR_OPTIONS: Omit<ReflectorOptions, 'inScope' | 'sharing'> = {
  pageSize: PAGE_SIZE,
  watchTimeoutSeconds: [300, 600],
  backoffInitialMs: 800,
  backoffMaxMs: 30_000,
  backoffResetMs: 60_000,
  inactivityMs: 150_000,
  unavailableRetryMs: 60_000,
  relistIntervalMs: 0,
  random: Math.random,
  now: Date.now,
  staleAfterMs: 60_000,
  listDeadlineMs: 60_000,
  initialList: 'stream',
  streamDeadlineMs: 120_000,
};

export interface ReflectorStats {
  /** LIST requests (pages). */
  lists: number;
  /** Streaming lists started (a WATCH with sendInitialEvents). */
  streamingLists: number;
  /** Objects of another kind than the stream's (a broken or hostile proxy), refused. */
  rejected: number;
  watches: number;
  /** Watch reconnects after an error (not the normal end of a watch's timeout). */
  restarts: number;
  relists: number;
  events: number;
  malformed: number;
  throttled: number;
}
