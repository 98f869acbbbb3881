// One-shot read of a live cluster for doctor: discovery of the optional API groups, then paged LISTs
// (limit/continue) of exactly the kinds the selected checks need, each page projected into the store
// as it arrives. A kind that is forbidden or not installed is recorded as such (its checks are
// skipped and reported); an unreachable API server is a ClusterUnreachableError (exit 3).

import { KINDS, describeKind, kindQuery, type KindName } from '../kube/kinds.ts';
import { normalize } from '../kube/normalize.ts';
import { stripUnreadFields } from '../kube/strip.ts';
import type { ObjectStore } from '../kube/store.ts';
import type { SourceState } from '../kube/types.ts';
import { ClusterUnreachableError, type KubeClient, type KubeResponse } from './kube-client.ts';

export const PAGE_SIZE = 500;

export function listPath(kind: KindName, namespace?: string): string {
  const k = KINDS[kind];
  const root = k.group === '' ? `/api/${k.version}` : `/apis/${k.group}/${k.version}`;
  return namespace ? `${root}/namespaces/${encodeURIComponent(namespace)}/${k.plural}` : `${root}/${k.plural}`;
}

/** The message of a Kubernetes Status body, else the HTTP status. */
export function statusMessage(r: KubeResponse): string {
  try {
    const s = JSON.parse(r.body) as { message?: unknown };
    if (typeof s.message === 'string') return s.message.slice(0, 300);
  } catch {
    /* not a Status object */
  }
  return `HTTP ${r.status}`;
}

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

/** Whether the group/version serves the kind's resource (a CRD that is not installed does not). */
async function served(client: KubeClient, kind: KindName): Promise<SourceState | undefined> {
  const k = KINDS[kind];
  if (!k.optional) return undefined;
  const r = await client.get(`/apis/${k.group}/${k.version}`);
  if (r.status === 404) return { status: 'absent', detail: `${k.group}/${k.version} is not served` };
  if (r.status === 403) return undefined; // discovery forbidden: let the list say what it can
  if (r.status !== 200) return { status: 'failing', detail: `discovery answered ${statusMessage(r)}` };
  try {
    const doc = JSON.parse(r.body) as { resources?: { name?: string }[] };
    if (!doc.resources?.some((x) => x.name === k.plural)) return { status: 'absent', detail: `${k.plural} not in ${k.group}/${k.version}` };
  } catch {
    return { status: 'failing', detail: 'discovery document is not JSON' };
  }
  return undefined;
}

/** Lists one kind page by page into the store; returns the kind's source state. */
export async function listKind(client: KubeClient, store: ObjectStore, kind: KindName, namespaces: readonly string[], inScope: (ns: string) => boolean, notes: string[]): Promise<SourceState> {
  const pre = await served(client, kind);
  if (pre) return pre;
  const targets = namespaces.length > 0 ? namespaces : [undefined];
  const items = [];
  for (const ns of targets) {
    let cont: string | undefined;
    let restarted = false;
    do {
      const q = kindQuery(kind, { limit: String(PAGE_SIZE) });
      if (cont) q.set('continue', cont);
      const r = await client.get(`${listPath(kind, ns)}?${q.toString()}`);
      if (r.status === 410 && cont && !restarted) {
        // The continue token expired (the list took longer than the etcd compaction window): start over once.
        restarted = true;
        cont = undefined;
        items.length = 0;
        continue;
      }
      if (r.status === 403) return { status: 'forbidden', detail: statusMessage(r) };
      if (r.status === 404) return { status: 'absent', detail: statusMessage(r) };
      if (r.status !== 200) return { status: 'failing', detail: statusMessage(r) };
      let page: { apiVersion?: string; kind?: string; items?: unknown[]; metadata?: { continue?: string } };
      try {
        page = JSON.parse(stripUnreadFields(r.body)) as typeof page;
      } catch {
        return { status: 'failing', detail: `${describeKind(kind)} list is not JSON` };
      }
      const fb = { kind, apiVersion: typeof page.apiVersion === 'string' ? page.apiVersion : undefined };
      for (const raw of Array.isArray(page.items) ? page.items : []) {
        const n = normalize(raw, fb.apiVersion ? { kind, apiVersion: fb.apiVersion } : { kind });
        if (!n.obj) continue;
        if (n.notes.length > 0 && notes.length < 50) notes.push(`${kind} ${n.obj.meta.namespace}/${n.obj.meta.name}: read around ${n.notes.join('; ')}`);
        if (inScope(n.obj.meta.namespace)) items.push(n.obj);
      }
      cont = page.metadata?.continue || undefined;
    } while (cont);
  }
  for (const o of items) store.upsert(o);
  return { status: 'synced', coverage: namespaces.length > 0 ? 'partial' : 'cluster' };
}

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
