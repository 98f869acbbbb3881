// One-shot read of a live cluster for doctor: discovery of the optional API groups, then paged LISTs
// (limit/continue) of exactly the kinds the selected checks need, each page projected into the store
// as it arrives. A kind that is forbidden or not installed is recorded as such (its checks are
// skipped and reported); an unreachable API server is a ClusterUnreachableError (exit 3).

import { listTargets, type KindName } from '../kube/kinds.ts';
import type { ObjectStore } from '../kube/store.ts';
import type { AnyObj, SourceState } from '../kube/types.ts';
import { ClusterUnreachableError, type KubeClient, type KubeResponse } from './kube-client.ts';
import { BadAnswer, checkServed, pagedList, PAGE_SIZE, statusMessage, Throttled, Unavailable } from './list.ts';

/** How often one-shot reads honour a 429's Retry-After before giving the kind up (client-go: 10). */
const THROTTLE_RETRIES = 5;
/** The longest Retry-After a one-shot read waits for. */
const THROTTLE_MAX_WAIT_MS = 10_000;

function networkError(err: unknown, server: string): ClusterUnreachableError {
  const e = err as NodeJS.ErrnoException;
  return new ClusterUnreachableError(`cannot reach the API server at ${server}: ${e.code ?? ''}${e.code ? ' ' : ''}${e.message}`.trim());
}

/** Checks that the API server answers and accepts our credentials. */
export async function probe(client: KubeClient): Promise<void> {
  let r: KubeResponse;
  try {
    r = await client.get('/version', { timeoutMs: 15_000 });
  } catch (err) {
    throw networkError(err, client.server);
  }
  if (r.status === 401) throw new ClusterUnreachableError(`the API server at ${client.server} rejected the credentials (401 Unauthorized)`);
  if (r.status >= 500) throw new ClusterUnreachableError(`the API server at ${client.server} answered ${r.status}: ${statusMessage(r)}`);
}

/** Lists one kind page by page into the store; returns the kind's source state. */
export async function listKind(client: KubeClient, store: ObjectStore, kind: KindName, namespaces: readonly string[], inScope: (ns: string) => boolean, notes: string[], sleep = defaultSleep): Promise<SourceState> {
  const targets = listTargets(kind, namespaces);
  const items: AnyObj[] = [];
  const onNotes = (o: AnyObj, n: readonly string[]): void => {
    if (notes.length < 50) notes.push(`${kind} ${o.meta.namespace}/${o.meta.name}: read around ${n.join('; ')}`);
  };
  try {
    await checkServed(client, kind);
    for (const ns of targets) {
      for (let attempt = 0; ; attempt++) {
        try {
          // One by one: a spread of a whole list (150,000 pods) exceeds the arguments a call may take.
          for (const o of (await pagedList(client, kind, ns, { pageSize: PAGE_SIZE, sharing: store.sharing, inScope, onNotes })).objs) items.push(o);
          break;
        } catch (err) {
          if (!(err instanceof Throttled) || attempt >= THROTTLE_RETRIES) throw err;
          await sleep(Math.min(err.waitMs, THROTTLE_MAX_WAIT_MS));
        }
      }
    }
  } catch (err) {
    if (err instanceof Unavailable) return err.state;
    if (err instanceof Throttled) return { status: 'failing', detail: `the API server kept answering 429 Too Many Requests (${THROTTLE_RETRIES + 1} tries)` };
    if (err instanceof BadAnswer) return { status: 'failing', detail: err.message };
    throw err;
  }
  for (const o of items) store.upsert(o);
  return { status: 'synced', coverage: targets[0] === undefined ? 'cluster' : 'partial' };
}

const defaultSleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/** Where a kind is not served (an old cluster without EndpointSlices), what can stand in for it. */
const ALTERNATIVES: Partial<Record<KindName, KindName>> = { EndpointSlice: 'Endpoints' };

export async function loadLive(
  client: KubeClient,
  store: ObjectStore,
  kinds: readonly KindName[],
  opts: { namespaces: readonly string[]; inScope: (ns: string) => boolean },
): Promise<{ notes: string[] }> {
  await probe(client);
  const notes: string[] = [];
  let failures = 0;
  await Promise.all(
    kinds.map(async (kind) => {
      let state: SourceState;
      try {
        state = await listKind(client, store, kind, opts.namespaces, opts.inScope, notes);
      } catch (err) {
        failures++;
        state = { status: 'failing', detail: (err as Error).message.slice(0, 200) };
      }
      store.setSource(kind, state);
    }),
  );
  for (const kind of kinds) {
    const alt = ALTERNATIVES[kind];
    if (alt && store.source(kind).status === 'absent' && !kinds.includes(alt)) {
      store.setSource(alt, await listKind(client, store, alt, opts.namespaces, opts.inScope, notes).catch((err: unknown) => ({ status: 'failing' as const, detail: String(err) })));
    }
  }
  if (failures === kinds.length && kinds.length > 0) {
    throw new ClusterUnreachableError(`every request to ${client.server} failed: ${store.source(kinds[0] as KindName).detail ?? ''}`);
  }
  return { notes };
}
