// The optional Kubernetes Events sink: an Event on the involved object for each transition
// (Warning when an incident opens or changes, Normal when it resolves), as `kubectl describe` shows
// them. Aggregated like the kubelet's: the same incident and transition patch one Event's count and
// lastTimestamp instead of creating another; rate-limited (token bucket) with drops counted. Needs
// its own RBAC (create/patch events); off unless enabled.

import { createHash } from 'node:crypto';
import type { IncidentSink } from './sink.ts';
import type { Logger } from '../util/log.ts';
import type { KubeClient } from '../collector/kube-client.ts';
import type { Transition } from '../engine/tracker.ts';
import { DeliveryQueue } from './queue.ts';
import { clean } from '../util/redact.ts';

export interface EventsSinkOptions {
  client: KubeClient;
  log: Logger;
  instance: string;
  ratePerSecond?: number;
  burst?: number;
  maxQueue?: number;
}

interface PendingEvent {
  namespace: string;
  name: string;
  body: Record<string, unknown>;
  count: number;
}

const MAX_NAME = 253;

export function eventName(t: Transition): string {
  const suffix = `.sentinel-${createHash('sha256').update(`${t.incident.id}:${t.type === 'resolved' ? 'r' : 'o'}`).digest('hex').slice(0, 10)}`;
  return `${t.incident.object.name.slice(0, MAX_NAME - suffix.length)}${suffix}`;
}

export class KubernetesEventsSink implements IncidentSink {
  readonly name = 'kubernetes-events';
  readonly queue: DeliveryQueue<PendingEvent>;
  /** How many times each Event was announced, to aggregate into count. */
  private readonly counts = new Map<string, number>();
  private readonly opts: EventsSinkOptions;

  constructor(opts: EventsSinkOptions) {
    this.opts = opts;
    this.queue = new DeliveryQueue<PendingEvent>({
      maxQueue: opts.maxQueue ?? 500,
      ratePerSecond: opts.ratePerSecond ?? 5,
      burst: opts.burst ?? 20,
      backoffInitialMs: 1000,
      backoffMaxMs: 30_000,
      deliver: (e) => this.write(e),
      onDrop: (why, detail) => opts.log('warn', 'Kubernetes Event dropped', { why, detail }),
    });
  }

  transitions(ts: readonly Transition[]): void {
    for (const t of ts) {
      const o = t.incident.object;
      // The agent's own incidents have no object to hang an Event on; a silenced one notifies no one.
      if (o.kind === 'Agent' || t.notify === false) continue;
      // A cluster-scoped object's Events go to 'default', as the kubelet's for its Node do (kubectl
      // describe node finds them there).
      const ns = o.namespace ?? 'default';
      const name = eventName(t);
      const key = `${ns}/${name}`;
      const count = (this.counts.get(key) ?? 0) + 1;
      this.counts.set(key, count);
      if (this.counts.size > 50_000) this.counts.delete(this.counts.keys().next().value as string);
      const now = new Date(t.at).toISOString().replace(/\.\d{3}Z$/, 'Z');
      const resolved = t.type === 'resolved';
      const body: Record<string, unknown> = {
        apiVersion: 'v1',
        kind: 'Event',
        metadata: { name, namespace: ns, labels: { 'app.kubernetes.io/managed-by': 'sentinel-agent' }, annotations: { 'sentinel-agent/incident-id': t.incident.id } },
        involvedObject: { apiVersion: o.apiVersion, kind: o.kind, ...(o.namespace ? { namespace: o.namespace } : {}), name: o.name, ...(o.uid ? { uid: o.uid } : {}) },
        reason: resolved ? `${t.incident.reason}Resolved` : t.incident.reason,
        message: clean(resolved ? `resolved${t.durationS !== undefined ? ` after ${t.durationS}s` : ''}: ${t.incident.message}` : `${t.incident.message} — ${t.incident.remediation}`, 1024),
        type: resolved ? 'Normal' : 'Warning',
        source: { component: 'sentinel-agent' },
        reportingComponent: 'sentinel-agent',
        reportingInstance: this.opts.instance,
        firstTimestamp: now,
        lastTimestamp: now,
        count,
      };
      this.queue.push({ namespace: ns, name, body, count });
    }
  }

  async flush(): Promise<void> {
    await this.queue.drain(3000);
    this.queue.close();
  }

  private async write(e: PendingEvent): Promise<{ result: 'ok' | 'retry' | 'drop'; detail?: string }> {
    const base = `/api/v1/namespaces/${encodeURIComponent(e.namespace)}/events`;
    let r = await this.opts.client.send('POST', base, e.body);
    if (r.status === 409) {
      // The Event exists (this incident announced before): count and last time move on.
      r = await this.opts.client.send('PATCH', `${base}/${encodeURIComponent(e.name)}`, { count: e.count, lastTimestamp: e.body.lastTimestamp, message: e.body.message }, 'application/merge-patch+json');
    }
    if (r.status >= 200 && r.status < 300) return { result: 'ok' };
    if (r.status === 429 || r.status >= 500) return { result: 'retry', detail: `HTTP ${r.status}` };
    return { result: 'drop', detail: `HTTP ${r.status}${r.status === 403 ? ' (the events RBAC of the events overlay is not installed)' : ''}` };
  }
}
