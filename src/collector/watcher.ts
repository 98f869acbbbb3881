// doctor --from-watcher: reads a running agent's /incidents (the doctor JSON schema) so the same
// formatter prints it.

import { ClusterUnreachableError } from './kube-client.ts';
import { InputError } from './file.ts';

export function incidentsUrl(base: string): URL {
  let u: URL;
  try {
    u = new URL(base);
  } catch {
    throw new InputError(`--from-watcher: not a URL: ${JSON.stringify(base)} (expected e.g. http://sentinel-agent.mcp-runtime:8080)`);
  }
  if (u.protocol !== 'http:' && u.protocol !== 'https:') throw new InputError(`--from-watcher: unsupported scheme ${u.protocol} (http or https)`);
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

/** The agent's whole report: its pages followed to the end (a page is a consistent snapshot). */
export async function fetchWatcher(base: string, timeoutMs = 15_000): Promise<WatcherReport> {
  const first = await fetchPage(base, undefined, timeoutMs);
  let token = first.continue;
  for (let n = 1; token && n < MAX_PAGES; n++) {
    const next = await fetchPage(base, token, timeoutMs);
    first.incidents.push(...next.incidents);
    token = next.continue;
  }
  delete first.continue;
  return first;
}

async function fetchPage(base: string, token: string | undefined, timeoutMs: number): Promise<WatcherReport> {
  const url = incidentsUrl(base);
  url.searchParams.set('limit', String(PAGE));
  if (token) url.searchParams.set('continue', token);
  let res: Response;
  try {
    res = await fetch(url, { signal: AbortSignal.timeout(timeoutMs), headers: { Accept: 'application/json' } });
  } catch (err) {
    const cause = (err as { cause?: { code?: string } }).cause?.code;
    throw new ClusterUnreachableError(`cannot reach the agent at ${url.href}: ${cause ?? (err as Error).message}`);
  }
  if (res.status !== 200) throw new ClusterUnreachableError(`the agent at ${url.href} answered HTTP ${res.status}`);
  let doc: unknown;
  try {
    doc = await res.json();
  } catch {
    throw new ClusterUnreachableError(`the agent at ${url.href} did not answer JSON`);
  }
  const d = doc as Partial<WatcherReport>;
  if (typeof d !== 'object' || d === null || d.schemaVersion !== 1 || !Array.isArray(d.incidents)) {
    throw new ClusterUnreachableError(`the answer from ${url.href} is not a doctor report (schemaVersion 1 with incidents)`);
  }
  return d as WatcherReport;
}
