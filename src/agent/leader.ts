// Leader election on a coordination.k8s.io/v1 Lease with client-go's semantics: lease duration
// 15 s, renew deadline 10 s, retry period 2 s (configurable); optimistic concurrency on the Lease's
// resourceVersion (409 → read again next time); expiry judged by when this process last saw the
// record change (not the holder's clock); a leader that cannot renew within the deadline steps down.
// On a clean stop the lease is released so a standby takes over at once.

import type { KubeClient } from '../collector/kube-client.ts';
import type { Logger } from '../util/log.ts';

export interface LeaderOptions {
  client: KubeClient;
  namespace: string;
  name: string;
  identity: string;
  leaseDurationMs: number;
  renewDeadlineMs: number;
  retryPeriodMs: number;
  log: Logger;
  onStartedLeading(): void;
  onStoppedLeading(): void;
  now?: () => number;
}

interface LeaseSpec {
  holderIdentity?: string;
  leaseDurationSeconds?: number;
  acquireTime?: string;
  renewTime?: string;
  leaseTransitions?: number;
}

interface Lease {
  metadata: { name: string; namespace: string; resourceVersion?: string };
  spec: LeaseSpec;
}

/** MicroTime as the API server writes it. */
function microTime(ms: number): string {
  return new Date(ms).toISOString().replace(/\.(\d{3})Z$/, '.$1000Z');
}

export class LeaderElector {
  leading = false;
  readonly stats = { acquisitions: 0, renewals: 0, failures: 0, conflicts: 0 };
  private readonly opts: LeaderOptions;
  private timer?: NodeJS.Timeout;
  private stopped = false;
  private lastRenew = 0;
  private observedRecord = '';
  private observedAt = 0;
  private inFlight?: Promise<void>;

  constructor(opts: LeaderOptions) {
    this.opts = opts;
  }

  private now(): number {
    return (this.opts.now ?? Date.now)();
  }

  private get path(): string {
    return `/apis/coordination.k8s.io/v1/namespaces/${encodeURIComponent(this.opts.namespace)}/leases`;
  }

  start(): void {
    this.tick();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.timer);
    await this.inFlight;
    if (this.leading) {
      this.setLeading(false);
      await this.release().catch(() => undefined);
    }
  }

  private tick(): void {
    if (this.stopped) return;
    this.inFlight = this.round().finally(() => {
      this.inFlight = undefined;
      if (!this.stopped) this.timer = setTimeout(() => this.tick(), this.opts.retryPeriodMs);
    });
  }

  private async round(): Promise<void> {
    let ok = false;
    try {
      ok = await this.tryAcquireOrRenew();
    } catch (err) {
      this.stats.failures++;
      this.opts.log('warn', 'leader election: lease request failed', { error: err instanceof Error ? err.message : String(err) });
    }
    const now = this.now();
    if (ok) {
      this.lastRenew = now;
      if (!this.leading) this.setLeading(true);
    } else if (this.leading && now - this.lastRenew > this.opts.renewDeadlineMs) {
      // Could not renew in time: another replica may take over, so stop emitting now.
      this.setLeading(false);
    }
  }

  private setLeading(v: boolean): void {
    this.leading = v;
    this.opts.log('info', v ? 'became the leader: emitting' : 'stepped down: not emitting', { identity: this.opts.identity, lease: `${this.opts.namespace}/${this.opts.name}` });
    if (v) {
      this.stats.acquisitions++;
      this.opts.onStartedLeading();
    } else this.opts.onStoppedLeading();
  }

  private spec(prev: LeaseSpec | undefined, now: number): LeaseSpec {
    const mine = prev?.holderIdentity === this.opts.identity;
    return {
      holderIdentity: this.opts.identity,
      leaseDurationSeconds: Math.ceil(this.opts.leaseDurationMs / 1000),
      acquireTime: mine && prev?.acquireTime ? prev.acquireTime : microTime(now),
      renewTime: microTime(now),
      leaseTransitions: (prev?.leaseTransitions ?? 0) + (prev && !mine && prev.holderIdentity ? 1 : 0),
    };
  }

  private async tryAcquireOrRenew(): Promise<boolean> {
    const { client, name, namespace } = this.opts;
    const now = this.now();
    const r = await client.get(`${this.path}/${encodeURIComponent(name)}`, { timeoutMs: this.opts.retryPeriodMs * 2 });
    if (r.status === 404) {
      const created = await client.send('POST', this.path, { apiVersion: 'coordination.k8s.io/v1', kind: 'Lease', metadata: { name, namespace }, spec: this.spec(undefined, now) });
      if (created.status === 201 || created.status === 200) return true;
      if (created.status === 409) this.stats.conflicts++;
      return false;
    }
    if (r.status !== 200) throw new Error(`GET lease answered ${r.status}`);
    const lease = JSON.parse(r.body) as Lease;
    const record = `${lease.spec.holderIdentity ?? ''}|${lease.spec.renewTime ?? ''}`;
    if (record !== this.observedRecord) {
      this.observedRecord = record;
      this.observedAt = now;
    }
    const holder = lease.spec.holderIdentity;
    const durationMs = (lease.spec.leaseDurationSeconds ?? Math.ceil(this.opts.leaseDurationMs / 1000)) * 1000;
    if (holder && holder !== this.opts.identity && now < this.observedAt + durationMs) return false;
    const body = { apiVersion: 'coordination.k8s.io/v1', kind: 'Lease', metadata: { name, namespace, resourceVersion: lease.metadata.resourceVersion }, spec: this.spec(lease.spec, now) };
    const u = await client.send('PUT', `${this.path}/${encodeURIComponent(name)}`, body);
    if (u.status === 200) {
      if (holder === this.opts.identity) this.stats.renewals++;
      return true;
    }
    if (u.status === 409) this.stats.conflicts++;
    return false;
  }

  private async release(): Promise<void> {
    const r = await this.opts.client.get(`${this.path}/${encodeURIComponent(this.opts.name)}`);
    if (r.status !== 200) return;
    const lease = JSON.parse(r.body) as Lease;
    if (lease.spec.holderIdentity !== this.opts.identity) return;
    await this.opts.client.send('PUT', `${this.path}/${encodeURIComponent(this.opts.name)}`, {
      apiVersion: 'coordination.k8s.io/v1',
      kind: 'Lease',
      metadata: { name: this.opts.name, namespace: this.opts.namespace, resourceVersion: lease.metadata.resourceVersion },
      spec: { ...lease.spec, holderIdentity: '', leaseDurationSeconds: 1, renewTime: microTime(this.now()) },
    });
  }
}
