// A direct Sentinel ingest sink, for Sentinel installs that do not ingest OTLP yet (reference §3.7):
// POST /events with the x-api-key header and the envelope {timestamp, source, event_type, payload},
// whose payload carries server, namespace, team_id and cluster so Sentinel's materialized columns
// fill. One envelope per request (the ingest takes one, body ≤ 1 MiB); retried with backoff on
// 429/5xx and network errors; 400/401/403 are dropped and logged (retrying cannot fix them).

import type { IncidentSink } from './sink.ts';
import { throttledWarn, type Logger } from '../util/log.ts';
import type { Transition } from '../engine/tracker.ts';
import { DeliveryQueue } from './queue.ts';
import { Reannouncement } from './reannounce.ts';

export interface SentinelSinkOptions {
  url: string;
  apiKey?: string;
  source: string;
  clusterName: string;
  log: Logger;
  /** Asked for 'opened' transitions of every open incident after records were lost. */
  reannounce(): Transition[];
  maxQueue?: number;
  timeoutMs?: number;
  backoffInitialMs?: number;
  backoffMaxMs?: number;
  now?: () => number;
}

export interface Envelope {
  timestamp: string;
  source: string;
  event_type: string;
  payload: Record<string, unknown>;
}

function incidentId(e: Envelope): string | undefined {
  const id = (e.payload.incident as { id?: unknown } | undefined)?.id;
  return typeof id === 'string' ? id : undefined;
}

export function envelope(t: Transition, source: string, cluster: string): Envelope {
  const i = t.incident;
  const incident: Record<string, unknown> = {
    id: i.id,
    state: t.type === 'resolved' ? 'resolved' : 'open',
    check: i.check,
    reason: i.reason,
    severity: i.severity,
    message: i.message,
    remediation: i.remediation,
    object: { api_version: i.object.apiVersion, kind: i.object.kind, namespace: i.object.namespace, name: i.object.name, uid: i.object.uid },
    attributes: i.attributes,
  };
  if (i.since) incident.since = i.since;
  if (i.rootCauseId) incident.root_cause_id = i.rootCauseId;
  if (i.runbookUrl) incident.runbook_url = i.runbookUrl;
  if (t.durationS !== undefined) incident.duration_s = t.durationS;
  if (i.flapping) incident.flapping = true;
  const payload: Record<string, unknown> = { cluster, namespace: i.object.namespace ?? '', incident };
  if (i.server) payload.server = i.server.name;
  if (i.server?.teamID) payload.team_id = i.server.teamID;
  return { timestamp: new Date(t.at).toISOString(), source, event_type: `mcp_runtime.health.incident.${t.type}`, payload };
}

export class SentinelSink implements IncidentSink {
  readonly name = 'sentinel';
  readonly queue: DeliveryQueue<Envelope>;
  private readonly opts: SentinelSinkOptions;
  private readonly reannouncement: Reannouncement<Envelope>;

  constructor(opts: SentinelSinkOptions) {
    this.opts = opts;
    // A silenced incident is not notified here, re-announced or not.
    this.reannouncement = new Reannouncement(() => opts.reannounce().filter((t) => t.notify !== false));
    const warn = throttledWarn(opts.log, 60_000, opts.now);
    this.queue = new DeliveryQueue<Envelope>({
      maxQueue: opts.maxQueue ?? 1000,
      ratePerSecond: Infinity,
      burst: 1,
      backoffInitialMs: opts.backoffInitialMs ?? 1000,
      backoffMaxMs: opts.backoffMaxMs ?? 30_000,
      deliver: (e) => this.post(e),
      ...(opts.now ? { now: opts.now } : {}),
      onDrop: (why, detail, e) => {
        warn('Sentinel ingest dropped a record', { why, detail });
        // A resolution pushed out of a full queue is sent again on recovery; one the ingest refused
        // (400/401/403) would be refused again.
        const id = incidentId(e);
        if (why === 'full' && id !== undefined && (e.payload.incident as { state?: unknown }).state === 'resolved') this.reannouncement.lose(id, e);
      },
      onRecovered: () => {
        const { resolutions, open } = this.reannouncement.recover();
        opts.log('info', 'Sentinel ingest recovered: lost resolutions sent again, open incidents announced again', { resolutions: resolutions.length, incidents: open.length });
        // The re-announcement is the state now: it supersedes whatever waits for the same incidents,
        // so it replaces the queue instead of being pushed behind it (where, larger than the queue,
        // it pushed itself out and re-announced again for good). Waiting records of incidents it
        // does not name (resolved, with their resolution still waiting) keep their place before it.
        const named = new Set([...resolutions.map(incidentId), ...open.map((t) => t.incident.id)]);
        const kept = this.queue.pending().filter((e) => {
          const id = incidentId(e);
          return id === undefined || !named.has(id);
        });
        this.queue.replace([...kept, ...resolutions, ...open.map((t) => envelope(t, opts.source, opts.clusterName))]);
      },
    });
  }

  transitions(ts: readonly Transition[]): void {
    // Silenced: tracked and counted, but not notified (its OTLP records carry the silence instead).
    for (const t of ts) if (t.notify !== false) this.queue.push(envelope(t, this.opts.source, this.opts.clusterName));
  }

  async flush(): Promise<void> {
    await this.queue.drain(3000);
    this.queue.close();
  }

  private async post(e: Envelope): Promise<{ result: 'ok' | 'retry' | 'drop'; retryAfterMs?: number; detail?: string }> {
    const headers: Record<string, string> = { 'Content-Type': 'application/json' };
    if (this.opts.apiKey) headers['x-api-key'] = this.opts.apiKey;
    const res = await fetch(this.opts.url, { method: 'POST', headers, body: JSON.stringify(e), signal: AbortSignal.timeout(this.opts.timeoutMs ?? 10_000) });
    await res.arrayBuffer().catch(() => undefined);
    if (res.status >= 200 && res.status < 300) return { result: 'ok' };
    if (res.status === 429 || res.status >= 500) {
      const ra = Number(res.headers.get('retry-after'));
      return { result: 'retry', ...(Number.isFinite(ra) && ra > 0 ? { retryAfterMs: ra * 1000 } : {}), detail: `HTTP ${res.status}` };
    }
    return { result: 'drop', detail: `HTTP ${res.status}${res.status === 401 ? ' (check the API key: it must be in INGEST_API_KEYS)' : ''}` };
  }
}
