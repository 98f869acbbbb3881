// doctor --from-watcher: reads a running agent's /incidents (the doctor JSON schema) so the same
// formatter prints it.

import { ClusterUnreachableError } from './kube-client.ts';
import { InputError } from './file.ts';
import { clean, MAX_ATTRIBUTE, MAX_MESSAGE } from '../util/redact.ts';
import type { Incident } from '../engine/incidents.ts';
import type { Skipped } from '../engine/evaluate.ts';
import type { StaleSource } from '../format/report.ts';
import { isRecord } from '../util/json.ts';

export function incidentsUrl(base: string): URL {
  let u: URL;
  try {
    u = new URL(base);
  } catch {
    throw new InputError(`--from-watcher: not a URL: ${JSON.stringify(base)} (expected e.g. http://sentinel-agent.mcp-runtime:8080)`);
  }
  if (u.protocol !== 'http:' && u.protocol !== 'https:') {
    // `localhost:8080` parses as the scheme "localhost:": what was meant is plain.
    if (/^[\w.-]+:\d+(\/.*)?$/.test(base)) throw new InputError(`--from-watcher: not a URL: ${JSON.stringify(base)} (did you mean http://${base}?)`);
    throw new InputError(`--from-watcher: unsupported scheme ${u.protocol} (http or https)`);
  }
  if (!/\/incidents\/?$/.test(u.pathname)) u.pathname = `${u.pathname.replace(/\/$/, '')}/incidents`;
  return u;
}

export interface WatcherReport {
  schemaVersion: number;
  generatedAt: string;
  cluster: { name: string; source: string };
  incidents: unknown[];
  skipped: unknown[];
  summary: Record<string, number>;
  staleSources?: unknown[];
  continue?: string;
}

/** Page size asked of the agent; an agent that does not page answers everything at once. */
const PAGE = 2000;
const MAX_PAGES = 10_000;

/** What doctor takes from a running agent: validated, every string cleaned and bounded. */
export interface ValidReport {
  generatedAt: string;
  cluster: { name: string };
  incidents: Incident[];
  skipped: Skipped[];
  staleSources: StaleSource[];
}

/** The largest answer taken from an agent (20,000 incidents are ~20 MiB). */
export const MAX_WATCHER_BYTES = 256 * 1024 * 1024;

/** The agent's whole report: its pages followed to the end (a page is a consistent snapshot),
 *  validated against the report schema: the agent is a peer, not trusted to be well formed. */
export async function fetchWatcher(base: string, timeoutMs = 15_000, maxBytes = MAX_WATCHER_BYTES, state?: 'open' | 'resolved' | 'all'): Promise<ValidReport> {
  const url = incidentsUrl(base).href;
  let budget = maxBytes;
  const page = async (token: string | undefined): Promise<WatcherReport> => {
    const p = await fetchPage(base, token, timeoutMs, budget, state);
    budget -= p.bytes;
    return p.doc;
  };
  const first = await page(undefined);
  const out = validateReport(first, url);
  let token = typeof first.continue === 'string' ? first.continue : undefined;
  for (let n = 1; token && n < MAX_PAGES; n++) {
    const next = await page(token);
    out.incidents.push(...validateReport(next, url).incidents);
    token = typeof next.continue === 'string' ? next.continue : undefined;
  }
  return out;
}

const SEVERITY_SET = new Set(['critical', 'warning', 'info']);
const ATTR_KEY = /^[A-Za-z0-9_.:/-]{1,128}$/;

/** Checks a report from an agent against the schema; every string is cleaned (no terminal escapes,
 *  secrets redacted, bounded). The first field that is wrong is named, with its path. */
// eslint-disable-next-line max-lines-per-function -- one check per field of the report, in the schema's order
export function validateReport(d: WatcherReport, url: string): ValidReport {
  const bad = (path: string, what: string): never => {
    throw new ClusterUnreachableError(`the answer from ${url} is not a valid report: ${path}: ${what}`);
  };
  const rec = (v: unknown, path: string): Record<string, unknown> => (isRecord(v) ? v : bad(path, `expected an object, got ${v === null ? 'null' : Array.isArray(v) ? 'a list' : typeof v}`));
  const str = (v: unknown, path: string, max: number, optional = false): string | undefined => {
    if (v === undefined && optional) return undefined;
    if (typeof v !== 'string') return bad(path, `expected a string, got ${v === null ? 'null' : typeof v}`);
    return clean(v, max);
  };
  const word = (v: unknown, path: string): string => {
    const s = str(v, path, 128) ?? '';
    if (!/^[A-Za-z][A-Za-z0-9-]*$/.test(s)) bad(path, `expected a name such as CrashLoopBackOff, got ${JSON.stringify(s.slice(0, 40))}`);
    return s;
  };
  const incidents: Incident[] = d.incidents.map((raw, n) => {
    const p = `incidents[${n}]`;
    const i = rec(raw, p);
    const sev = str(i.severity, `${p}.severity`, 16) ?? '';
    if (!SEVERITY_SET.has(sev)) bad(`${p}.severity`, `expected critical, warning or info, got ${JSON.stringify(sev.slice(0, 40))}`);
    const o = rec(i.object, `${p}.object`);
    const object: Incident['object'] = { apiVersion: str(o.apiVersion, `${p}.object.apiVersion`, 253) ?? '', kind: word(o.kind, `${p}.object.kind`), name: str(o.name, `${p}.object.name`, 253) ?? '' };
    const ns = str(o.namespace, `${p}.object.namespace`, 253, true);
    if (ns !== undefined) object.namespace = ns;
    const uid = str(o.uid, `${p}.object.uid`, 253, true);
    if (uid !== undefined) object.uid = uid;
    const inc: Incident = {
      id: str(i.id, `${p}.id`, 64) ?? '',
      check: word(i.check, `${p}.check`),
      reason: word(i.reason, `${p}.reason`) as Incident['reason'],
      severity: sev as Incident['severity'],
      object,
      message: str(i.message, `${p}.message`, MAX_MESSAGE) ?? '',
      remediation: str(i.remediation, `${p}.remediation`, 2048) ?? '',
      attributes: {},
    };
    const since = str(i.since, `${p}.since`, 40, true);
    if (since !== undefined) {
      if (Number.isNaN(Date.parse(since)) || !/^\d{4}-\d{2}-\d{2}T/.test(since)) bad(`${p}.since`, `expected an RFC 3339 time, got ${JSON.stringify(since.slice(0, 40))}`);
      inc.since = since;
    }
    const rb = str(i.runbookUrl, `${p}.runbookUrl`, 512, true);
    if (rb !== undefined) {
      if (!/^https?:\/\/[^\s]+$/.test(rb)) bad(`${p}.runbookUrl`, 'expected an http(s) URL');
      inc.runbookUrl = rb;
    }
    const root = str(i.rootCauseId, `${p}.rootCauseId`, 64, true);
    if (root !== undefined) inc.rootCauseId = root;
    if (i.server !== undefined) {
      const s = rec(i.server, `${p}.server`);
      inc.server = { namespace: str(s.namespace, `${p}.server.namespace`, 253) ?? '', name: str(s.name, `${p}.server.name`, 253) ?? '' };
      const team = str(s.teamID, `${p}.server.teamID`, 253, true);
      if (team !== undefined) inc.server.teamID = team;
    }
    if (i.attributes !== undefined) {
      for (const [k, v] of Object.entries(rec(i.attributes, `${p}.attributes`))) {
        if (!ATTR_KEY.test(k)) bad(`${p}.attributes`, `a key that is not an attribute name: ${JSON.stringify(k.slice(0, 40))}`);
        if (typeof v === 'string') inc.attributes[k] = clean(v, MAX_ATTRIBUTE);
        else if (typeof v === 'number' || typeof v === 'boolean') inc.attributes[k] = v;
        else if (v !== null && v !== undefined) bad(`${p}.attributes.${k}`, 'expected a string, number or boolean');
      }
    }
    lifecycleFields(i, inc, p, { str, rec, bad });
    return inc;
  });
  const skipped: Skipped[] = (Array.isArray(d.skipped) ? d.skipped : []).map((raw, n) => {
    const s = rec(raw, `skipped[${n}]`);
    return { check: word(s.check, `skipped[${n}].check`), reason: word(s.reason, `skipped[${n}].reason`) as Skipped['reason'], detail: str(s.detail, `skipped[${n}].detail`, MAX_MESSAGE) ?? '' };
  });
  const staleSources: StaleSource[] = (Array.isArray(d.staleSources) ? d.staleSources : []).map((raw, n) => {
    const s = rec(raw, `staleSources[${n}]`);
    const out: StaleSource = { kind: word(s.kind, `staleSources[${n}].kind`), status: word(s.status, `staleSources[${n}].status`) };
    const since = str(s.since, `staleSources[${n}].since`, 40, true);
    if (since !== undefined) out.since = since;
    const detail = str(s.detail, `staleSources[${n}].detail`, 300, true);
    if (detail !== undefined) out.detail = detail;
    return out;
  });
  const cluster = rec(d.cluster ?? {}, 'cluster');
  const gen = str(d.generatedAt, 'generatedAt', 40) ?? '';
  if (Number.isNaN(Date.parse(gen))) bad('generatedAt', `expected an RFC 3339 time, got ${JSON.stringify(gen.slice(0, 40))}`);
  return { generatedAt: gen, cluster: { name: str(cluster.name, 'cluster.name', 253, true) ?? '' }, incidents, skipped, staleSources };
}

/** The URL as the user gave it, without the paging query this client adds. */
function shown(url: URL): string {
  return `${url.origin}${url.pathname}`;
}

/** One wording per kind of failure, whichever way the runtime reports it (a cause's code, an
 *  AggregateError of one per address tried, an abort). */
export function whyUnreachable(err: unknown, timeoutMs: number): string {
  const codes: string[] = [];
  let deepest = err instanceof Error ? err.message : String(err);
  const walk = (e: unknown, depth: number): void => {
    if (!e || typeof e !== 'object' || depth > 4) return;
    const x = e as { code?: unknown; cause?: unknown; errors?: unknown; name?: unknown; message?: unknown };
    if (typeof x.code === 'string') codes.push(x.code);
    if (typeof x.message === 'string' && x.message !== '') deepest = x.message;
    if (x.name === 'TimeoutError' || x.name === 'AbortError') codes.push('TIMEOUT');
    if (Array.isArray(x.errors)) for (const y of x.errors) walk(y, depth + 1);
    walk(x.cause, depth + 1);
  };
  walk(err, 0);
  const has = (...c: string[]): boolean => codes.some((k) => c.includes(k));
  if (has('TIMEOUT', 'UND_ERR_CONNECT_TIMEOUT', 'UND_ERR_HEADERS_TIMEOUT', 'UND_ERR_BODY_TIMEOUT', 'ETIMEDOUT')) return `no answer within ${Math.round(timeoutMs / 1000)} s`;
  if (has('ECONNREFUSED')) return 'connection refused (is the agent running, and its port forwarded?)';
  if (has('ENOTFOUND', 'EAI_AGAIN')) return 'no such host';
  if (has('ECONNRESET', 'UND_ERR_SOCKET', 'EPIPE')) return 'the connection was closed before the answer was complete';
  const tls = codes.find((k) => /CERT|SSL|TLS|SELF_SIGNED/.test(k));
  if (tls) return `TLS: ${tls}`;
  if (deepest === 'bad port') return 'fetch refuses this port (a "bad port" for browsers and fetch alike)';
  return codes[0] ?? deepest;
}

async function fetchPage(base: string, token: string | undefined, timeoutMs: number, maxBytes: number, state: string | undefined): Promise<{ doc: WatcherReport; bytes: number }> {
  const url = incidentsUrl(base);
  url.searchParams.set('limit', String(PAGE));
  if (state && state !== 'open') url.searchParams.set('state', state);
  if (token) url.searchParams.set('continue', token);
  let res: Response;
  try {
    res = await fetch(url, { signal: AbortSignal.timeout(timeoutMs), headers: { Accept: 'application/json' } });
  } catch (err) {
    throw new ClusterUnreachableError(`cannot reach the agent at ${shown(url)}: ${whyUnreachable(err, timeoutMs)}`);
  }
  if (res.status !== 200) throw new ClusterUnreachableError(`the agent at ${shown(url)} answered HTTP ${res.status}`);
  // Read with a bound: an endless body must not grow without limit within the timeout.
  const chunks: Uint8Array[] = [];
  let bytes = 0;
  try {
    for await (const c of res.body ?? []) {
      bytes += (c as Uint8Array).length;
      if (bytes > maxBytes) {
        await res.body?.cancel().catch(() => undefined);
        throw new InputError(`--from-watcher: the agent's answer exceeds ${Math.round(MAX_WATCHER_BYTES / 1048576)} MiB; refused`);
      }
      chunks.push(c as Uint8Array);
    }
  } catch (err) {
    if (err instanceof InputError) throw err;
    throw new ClusterUnreachableError(`cannot read the agent's answer at ${shown(url)}: ${whyUnreachable(err, timeoutMs)}`);
  }
  let doc: unknown;
  try {
    doc = JSON.parse(Buffer.concat(chunks).toString('utf8'));
  } catch {
    throw new ClusterUnreachableError(`the agent at ${shown(url)} did not answer JSON`);
  }
  const d = doc as Partial<WatcherReport>;
  if (typeof d !== 'object' || d === null || d.schemaVersion !== 1 || !Array.isArray(d.incidents)) {
    throw new ClusterUnreachableError(`the answer from ${shown(url)} is not a doctor report (schemaVersion 1 with incidents)`);
  }
  return { doc: d as WatcherReport, bytes };
}

const TIMELINE_TYPES = new Set(['opened', 'updated', 'resolved', 'silenced', 'unsilenced']);
const SILENCE_SOURCES = new Set(['annotation', 'config', 'window']);

interface Readers {
  str: (v: unknown, path: string, max: number, optional?: boolean) => string | undefined;
  rec: (v: unknown, path: string) => Record<string, unknown>;
  bad: (path: string, what: string) => never;
}

/** What living with an incident adds to it (silence, flapping, history), validated like the rest. */
function lifecycleFields(i: Record<string, unknown>, inc: Incident, p: string, { str, rec, bad }: Readers): void {
  const time = (v: unknown, path: string): string | undefined => {
    const t = str(v, path, 40, true);
    if (t !== undefined && (Number.isNaN(Date.parse(t)) || !/^\d{4}-\d{2}-\d{2}T/.test(t))) bad(path, `expected an RFC 3339 time, got ${JSON.stringify(t.slice(0, 40))}`);
    return t;
  };
  if (i.silence !== undefined) {
    const s = rec(i.silence, `${p}.silence`);
    const source = str(s.source, `${p}.silence.source`, 16) ?? '';
    if (!SILENCE_SOURCES.has(source)) bad(`${p}.silence.source`, `expected annotation, config or window, got ${JSON.stringify(source.slice(0, 40))}`);
    const ref: NonNullable<Incident['silence']> = { source: source as 'config' };
    for (const k of ['by', 'reason', 'author'] as const) {
      const v = str(s[k], `${p}.silence.${k}`, MAX_ATTRIBUTE, true);
      if (v !== undefined) ref[k] = v;
    }
    const until = time(s.until, `${p}.silence.until`);
    if (until !== undefined) ref.until = until;
    inc.silence = ref;
  }
  if (i.flapping !== undefined && i.flapping !== false) {
    if (i.flapping !== true) bad(`${p}.flapping`, 'expected true or false');
    inc.flapping = true;
  }
  const resolvedAt = time(i.resolvedAt, `${p}.resolvedAt`);
  if (resolvedAt !== undefined) inc.resolvedAt = resolvedAt;
  if (i.durationSeconds !== undefined) {
    if (typeof i.durationSeconds !== 'number' || !(i.durationSeconds >= 0)) bad(`${p}.durationSeconds`, 'expected a number of seconds');
    inc.durationSeconds = i.durationSeconds as number;
  }
  if (i.timeline !== undefined) {
    if (!Array.isArray(i.timeline)) bad(`${p}.timeline`, 'expected a list');
    inc.timeline = (i.timeline as unknown[]).slice(0, 64).map((raw, n) => {
      const q = `${p}.timeline[${n}]`;
      const e = rec(raw, q);
      const type = str(e.type, `${q}.type`, 16) ?? '';
      if (!TIMELINE_TYPES.has(type)) bad(`${q}.type`, `expected opened, updated, resolved, silenced or unsilenced, got ${JSON.stringify(type.slice(0, 40))}`);
      const sev = str(e.severity, `${q}.severity`, 16) ?? '';
      if (!SEVERITY_SET.has(sev)) bad(`${q}.severity`, `expected critical, warning or info`);
      const out: NonNullable<Incident['timeline']>[number] = { at: time(e.at, `${q}.at`) ?? bad(`${q}.at`, 'missing'), type: type as 'opened', severity: sev as 'critical' };
      if (Array.isArray(e.changed)) out.changed = e.changed.slice(0, 4).map((c, k) => str(c, `${q}.changed[${k}]`, 32) ?? '');
      const root = str(e.rootCauseId, `${q}.rootCauseId`, 64, true);
      if (root !== undefined) out.rootCauseId = root;
      return out;
    });
  }
}
