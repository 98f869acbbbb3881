// /incidents as a snapshot: the open incidents serialized once per change (only when asked), into
// one buffer that every response shares, so a crowd of readers costs the agent neither a
// serialization nor a copy each. Each incident's text is kept while the incident is unchanged, so a
// rebuild costs what changed, and a reader sees a change within milliseconds. Built in slices that yield to the event loop, so
// /healthz and /readyz answer throughout. Filters (severity, namespace, reason, kind) and pages
// (limit, continue) select from the snapshot; a continue token names its snapshot, and the agent
// keeps the few latest so a reader paging through a busy cluster sees one consistent picture.

import { sameServer, type Incident } from '../engine/incidents.ts';
import type { Skipped } from '../engine/evaluate.ts';
import { SEVERITIES, type Severity } from '../checks/severity.ts';
import { orderedIncident, summarize, type StaleSource } from '../format/report.ts';

export interface SnapshotSource {
  /** Moves whenever what the agent would report may have changed. */
  version(): number | string;
  openIncidents(): Incident[];
  skipped(): Skipped[];
  staleSources(): StaleSource[];
}

interface Snapshot {
  id: number;
  version: number | string;
  builtAt: number;
  generatedAt: string;
  incidents: Incident[];
  /** Each incident's JSON, indented for its place in the report (shared with later snapshots). */
  texts: Buffer[];
  /** All incidents' JSON, each indented for its place in the report, joined with ",\n". */
  body: Buffer;
  /** Offsets of each incident's text in body. */
  starts: Uint32Array;
  ends: Uint32Array;
  skipped: string;
  staleSources: StaleSource[];
}

export interface Query {
  severity?: ReadonlySet<string>;
  namespace?: ReadonlySet<string>;
  reason?: ReadonlySet<string>;
  kind?: ReadonlySet<string>;
  limit?: number;
  continue?: string;
  /** Open incidents (the default), resolved ones still in the history, or both. */
  state?: IncidentState;
}

export const STATES = ['open', 'resolved', 'all'] as const;
export type IncidentState = (typeof STATES)[number];

export class QueryError extends Error {
  readonly status: number;
  constructor(status: number, msg: string) {
    super(msg);
    this.status = status;
  }
}

const FILTERS = ['severity', 'namespace', 'reason', 'kind'] as const;

/** Parses the query string of /incidents; an unknown parameter or a bad value is a 400. */
export function parseQuery(params: URLSearchParams): Query {
  const q: Query = {};
  for (const key of params.keys()) {
    if (!(FILTERS as readonly string[]).includes(key) && key !== 'limit' && key !== 'continue' && key !== 'state') {
      throw new QueryError(400, `unknown parameter ${JSON.stringify(key.slice(0, 40))} (known: ${[...FILTERS, 'state', 'limit', 'continue'].join(', ')})`);
    }
  }
  const state = params.get('state');
  if (state !== null) {
    if (!(STATES as readonly string[]).includes(state)) throw new QueryError(400, `state: expected open, resolved or all, got ${JSON.stringify(state.slice(0, 40))}`);
    q.state = state as IncidentState;
  }
  for (const f of FILTERS) {
    const vals = params.getAll(f).flatMap((v) => v.split(',')).map((v) => v.trim()).filter((v) => v !== '');
    if (vals.length === 0) continue;
    if (f === 'severity') for (const v of vals) if (!(SEVERITIES as readonly string[]).includes(v)) throw new QueryError(400, `severity: expected critical, warning or info, got ${JSON.stringify(v.slice(0, 40))}`);
    q[f] = new Set(vals);
  }
  const limit = params.get('limit');
  if (limit !== null) {
    if (!/^\d{1,9}$/.test(limit) || Number(limit) < 1) throw new QueryError(400, `limit: expected a positive integer, got ${JSON.stringify(limit.slice(0, 40))}`);
    q.limit = Number(limit);
  }
  const cont = params.get('continue');
  if (cont !== null && cont !== '') q.continue = cont;
  return q;
}

function indent(json: string, by: string): string {
  return by + json.replace(/\n/g, `\n${by}`);
}

function encodeToken(snapshot: number, offset: number, filter: string): string {
  return Buffer.from(JSON.stringify([snapshot, offset, filter])).toString('base64url');
}

function decodeToken(t: string): { snapshot: number; offset: number; filter: string } {
  try {
    const v = JSON.parse(Buffer.from(t, 'base64url').toString('utf8')) as unknown;
    if (Array.isArray(v) && Number.isInteger(v[0]) && Number.isInteger(v[1]) && typeof v[2] === 'string') return { snapshot: v[0] as number, offset: v[1] as number, filter: v[2] };
  } catch {
    // fall through
  }
  throw new QueryError(400, 'continue: not a token this agent gave out');
}

export class IncidentSnapshots {
  private readonly kept: Snapshot[] = [];
  private building: Promise<Snapshot> | undefined;
  private nextId = 1;
  private readonly source: SnapshotSource;
  private readonly opts: { clusterName: string; now: () => number; minIntervalMs: number; keep: number; sliceSize: number };

  constructor(source: SnapshotSource, opts: { clusterName: string; now?: () => number; minIntervalMs?: number; keep?: number; sliceSize?: number }) {
    this.source = source;
    this.opts = { clusterName: opts.clusterName, now: opts.now ?? Date.now, minIntervalMs: opts.minIntervalMs ?? 1000, keep: opts.keep ?? 3, sliceSize: opts.sliceSize ?? 500 };
  }

  /** The current snapshot: the latest, unless the agent changed since and it is old enough to redo. */
  async current(): Promise<Snapshot> {
    const last = this.kept[this.kept.length - 1];
    const now = this.opts.now();
    // Rebuilt when the agent changed, but never more often than five times what the last build cost
    // in CPU (waits between slices do not count: on a busy agent they are other work's time, and
    // counting them held readers a second behind). A rebuild serializes only the incidents that
    // changed, so it is cheap and readers see a change within a few milliseconds.
    const interval = Math.min(this.opts.minIntervalMs, Math.max(MIN_INTERVAL_MS, 5 * this.lastBuildMs));
    if (last && (last.version === this.source.version() || now - last.builtAt < interval)) return last;
    this.building ??= this.build().finally(() => {
      this.building = undefined;
    });
    return await this.building;
  }

  private lastBuildMs = 0;
  /** Each incident's text, as long as the incident is the same object with the same root cause and
   *  server (the two fields the engine sets in place, the server as a new object whenever relations
   *  move: compared by value, or one label change anywhere would re-serialize every incident); a new
   *  or replaced incident is serialized anew. */
  private readonly texts = new WeakMap<Incident, { rootCauseId: string | undefined; severity: string; server: Incident['server']; text: Buffer }>();

  private textOf(inc: Incident): { text: Buffer; fresh: boolean } {
    const hit = this.texts.get(inc);
    // (Severity too: an escalation raises it in place.)
    if (hit && hit.rootCauseId === inc.rootCauseId && hit.severity === inc.severity && sameServer(hit.server, inc.server)) return { text: hit.text, fresh: false };
    const text = Buffer.from(indent(JSON.stringify(orderedIncident(inc), null, 2), '    '));
    this.texts.set(inc, { rootCauseId: inc.rootCauseId, severity: inc.severity, server: inc.server, text });
    return { text, fresh: true };
  }

  private async build(): Promise<Snapshot> {
    const version = this.source.version();
    const builtAt = this.opts.now();
    let cpu = 0;
    let t0 = performance.now();
    const incidents = this.source.openIncidents();
    const texts: Buffer[] = [];
    const starts = new Uint32Array(incidents.length);
    const ends = new Uint32Array(incidents.length);
    let at = 0;
    let serialized = 0;
    for (let i = 0; i < incidents.length; i++) {
      const { text, fresh } = this.textOf(incidents[i] as Incident);
      texts.push(text);
      starts[i] = at + (i > 0 ? SEP.length : 0);
      at = (starts[i] as number) + text.length;
      ends[i] = at;
      // Yield between slices of serialization: a first 20,000-incident snapshot must not hold
      // /healthz up.
      if (fresh && ++serialized % this.opts.sliceSize === 0) {
        cpu += performance.now() - t0;
        await new Promise<void>((r) => setImmediate(r));
        t0 = performance.now();
      }
    }
    const last = this.kept[this.kept.length - 1];
    // Nothing serialized and the same texts in the same order: the last body is this one.
    const same = last !== undefined && serialized === 0 && last.texts.length === texts.length && texts.every((t, i) => last.texts[i] === t);
    const body = same ? last.body : joinTexts(texts, at);
    const snap: Snapshot = {
      id: this.nextId++,
      version,
      builtAt,
      generatedAt: new Date(builtAt).toISOString().replace('.000Z', 'Z'),
      incidents,
      texts,
      body,
      starts,
      ends,
      skipped: JSON.stringify(this.source.skipped().map((s) => ({ check: s.check, reason: s.reason, detail: s.detail })), null, 2).replace(/\n/g, '\n  '),
      staleSources: this.source.staleSources(),
    };
    this.kept.push(snap);
    while (this.kept.length > this.opts.keep) this.kept.shift();
    this.lastBuildMs = cpu + (performance.now() - t0);
    return snap;
  }

  /** The response body for a query, as buffers to write in order (shared, never copied). */
  async respond(q: Query): Promise<Buffer[]> {
    const filterKey = `${q.state ?? 'open'}|${FILTERS.map((f) => [...(q[f] ?? [])].sort().join(',')).join('|')}`;
    let snap: Snapshot | undefined;
    let offset = 0;
    if (q.continue) {
      const t = decodeToken(q.continue);
      if (t.filter !== filterKey) throw new QueryError(400, 'continue: the token was given for other filters');
      snap = this.kept.find((s) => s.id === t.snapshot);
      if (!snap) throw new QueryError(410, 'continue: the snapshot of this token has expired; start again without continue');
      offset = t.offset;
    } else snap = await this.current();
    const filtered = FILTERS.some((f) => q[f]);
    let selected: number[] | undefined;
    if (filtered) {
      selected = [];
      for (let i = 0; i < snap.incidents.length; i++) {
        const inc = snap.incidents[i] as Incident;
        if (q.severity && !q.severity.has(inc.severity)) continue;
        if (q.namespace && !q.namespace.has(inc.object.namespace ?? '')) continue;
        if (q.reason && !q.reason.has(inc.reason)) continue;
        if (q.kind && !q.kind.has(inc.object.kind)) continue;
        selected.push(i);
      }
    }
    const total = selected ? selected.length : snap.incidents.length;
    const end = q.limit !== undefined ? Math.min(total, offset + q.limit) : total;
    const idx = (k: number): number => (selected ? (selected[k] as number) : k);
    const page: Incident[] = [];
    for (let k = offset; k < end; k++) page.push(snap.incidents[idx(k)] as Incident);
    const summary = summarize(page);
    const head = Buffer.from(
      `{\n  "schemaVersion": 1,\n  "generatedAt": ${JSON.stringify(snap.generatedAt)},\n  "cluster": {\n    "name": ${JSON.stringify(this.opts.clusterName)},\n    "source": "live"\n  },\n  "incidents": [${end > offset ? '\n' : ''}`,
    );
    const out: Buffer[] = [head];
    if (end > offset) {
      if (!selected && offset === 0 && end === total) out.push(snap.body);
      else {
        // Contiguous runs of the snapshot body are written as views; separators between them.
        let k = offset;
        let first = true;
        while (k < end) {
          let j = k;
          while (j + 1 < end && idx(j + 1) === idx(j) + 1) j++;
          if (!first) out.push(SEP);
          out.push(snap.body.subarray(snap.starts[idx(k)], snap.ends[idx(j)]));
          first = false;
          k = j + 1;
        }
      }
      out.push(NL);
    }
    const extra: string[] = [];
    if (snap.staleSources.length > 0) extra.push(`"staleSources": ${JSON.stringify(snap.staleSources, null, 2).replace(/\n/g, '\n  ')}`);
    if (end < total) extra.push(`"continue": ${JSON.stringify(encodeToken(snap.id, end, filterKey))}`);
    out.push(
      Buffer.from(
        `${end > offset ? '  ' : ''}],\n  "skipped": ${snap.skipped},\n  "summary": {\n${SEVERITIES.map((s: Severity) => `    "${s}": ${summary[s]}`).join(',\n')}${summary.silenced ? `,\n    "silenced": ${summary.silenced}` : ''}\n  }${extra.map((e) => `,\n  ${e}`).join('')}\n}\n`,
      ),
    );
    return out;
  }
}

const SEP = Buffer.from(',\n');
const NL = Buffer.from('\n');
const MIN_INTERVAL_MS = 20;

function joinTexts(texts: readonly Buffer[], length: number): Buffer {
  const parts: Buffer[] = [];
  for (let i = 0; i < texts.length; i++) {
    if (i > 0) parts.push(SEP);
    parts.push(texts[i] as Buffer);
  }
  return Buffer.concat(parts, length);
}
