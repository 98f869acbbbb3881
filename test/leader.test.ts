// Leader election with two agents against the fake API server: one leads; the leader is stopped,
// the other takes over within the lease duration and re-announces; a leader partitioned from the API
// steps down; never two emitters for longer than the renew deadline.
// Why the fake API server here (the real Lease API is in e2e/ha.e2e.ts: kill -9, SIGTERM handover):
// a network partition of one replica from the API while the other keeps it cannot be made against
// one real server on loopback without root, and "never two emitters" is checked over many renewals
// with time a real server cannot compress.

import { afterEach, describe, expect, it } from 'vitest';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { FakeApiServer } from '../src/sim/apiserver.ts';
import { makeKubeClient, type KubeClient } from '../src/collector/kube-client.ts';
import { startWatch, type RunningWatch } from '../src/cli/watch.ts';
import { DEFAULT_WATCH_SETTINGS } from '../src/agent/agent.ts';
import type { IncidentSink } from '../src/delivery/sink.ts';
import { defaultAgentConfig } from '../src/config/config.ts';
import type { Transition } from '../src/engine/tracker.ts';
import { healthyPlatform, pod, terminated, waiting } from './support/objects.ts';
import { waitFor } from './support/wait.ts';

const cleanup: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const c of cleanup.splice(0).reverse()) await c();
});


/** A client that can be cut off from the API server (a network partition of one replica). */
function partitionable(c: KubeClient): KubeClient & { cut: boolean } {
  const w = {
    cut: false,
    server: c.server,
    contextName: c.contextName,
    get: (p: string, o?: { timeoutMs?: number }) => (w.cut ? Promise.reject(new Error('connect ECONNREFUSED (partitioned)')) : c.get(p, o)),
    stream: (p: string, o: Parameters<KubeClient['stream']>[1]) => (w.cut ? Promise.reject(new Error('connect ECONNREFUSED (partitioned)')) : c.stream(p, o)),
    send: (m: 'POST' | 'PATCH' | 'PUT', p: string, b: unknown, ct?: string) => (w.cut ? Promise.reject(new Error('connect ECONNREFUSED (partitioned)')) : c.send(m, p, b, ct)),
  };
  return w;
}

interface Replica {
  name: string;
  w: RunningWatch;
  client: ReturnType<typeof partitionable>;
  emitted: Transition[];
  /** When this replica was the leader (start, end) by its own account. */
  terms: [number, number | undefined][];
}

describe('leader election', () => {
  it('one leads; stopped, the other takes over within the lease and re-announces; partitioned, a leader steps down', async () => {
    const api = new FakeApiServer();
    api.apply(...healthyPlatform(), pod('web-1', { ns: 'apps', ready: false, containers: [{ name: 'web', ready: false, state: waiting('CrashLoopBackOff'), lastState: terminated('Error', 1, -1) }] }));
    const url = await api.start();
    cleanup.push(() => api.stop());
    const dir = mkdtempSync(join(tmpdir(), 'sa-leader-'));
    writeFileSync(join(dir, 'config'), api.kubeconfig(url));
    const LEASE = 1500;
    const DEADLINE = 1000;
    const replicas: Replica[] = [];
    for (const name of ['agent-a', 'agent-b']) {
      const cfg = defaultAgentConfig();
      cfg.listen = '127.0.0.1:0';
      cfg.leaderElection = { enabled: true, leaseName: 'sentinel-agent', leaseNamespace: 'sentinel-agent', leaseDurationSeconds: LEASE / 1000, renewDeadlineSeconds: DEADLINE / 1000, retryPeriodSeconds: 0.2 };
      const client = partitionable(await makeKubeClient({ kubeconfig: join(dir, 'config') }));
      const emitted: Transition[] = [];
      const sink: IncidentSink = { name: 'record', transitions: (ts) => emitted.push(...ts) };
      const w = await startWatch(cfg, client, () => {}, { settings: { ...DEFAULT_WATCH_SETTINGS, evaluationDelayMs: 10, reflector: { ...DEFAULT_WATCH_SETTINGS.reflector, backoffInitialMs: 50, backoffMaxMs: 300 } }, sinks: [sink], identity: name });
      const r: Replica = { name, w, client, emitted, terms: [] };
      const origin = w.agent.setEmitting.bind(w.agent);
      w.agent.setEmitting = (on: boolean) => {
        if (on) r.terms.push([Date.now(), undefined]);
        else {
          const last = r.terms[r.terms.length - 1];
          if (last && last[1] === undefined) last[1] = Date.now();
        }
        origin(on);
      };
      replicas.push(r);
      cleanup.push(() => w.stop());
    }
    const leader = await waitFor('a leader', () => replicas.find((r) => r.w.elector?.leading));
    const other = replicas.find((r) => r !== leader) as Replica;
    await waitFor('the leader announced the incident', () => leader.emitted.some((t) => t.type === 'opened' && t.incident.reason === 'CrashLoopBackOff'));
    expect(other.emitted).toEqual([]);
    expect(other.w.elector?.leading).toBe(false);
    // The standby has the same picture.
    await waitFor('standby synced', () => other.w.agent.openIncidents().length === 1);

    // The leader stops (a rolling update): the other takes over within the lease duration.
    const stoppedAt = Date.now();
    await leader.w.stop();
    await waitFor('takeover', () => other.w.elector?.leading, LEASE + 1000);
    expect(Date.now() - stoppedAt).toBeLessThan(LEASE + 500);
    await waitFor('re-announced', () => other.emitted.some((t) => t.type === 'opened' && t.incident.reason === 'CrashLoopBackOff'));
    expect(other.emitted.find((t) => t.type === 'opened')?.incident.id).toBe(leader.emitted.find((t) => t.type === 'opened')?.incident.id);

    // A network partition of the (new) leader: it cannot renew, so it steps down.
    const cutAt = Date.now();
    other.client.cut = true;
    await waitFor('step down', () => other.w.elector?.leading === false, DEADLINE + 1500);
    expect(Date.now() - cutAt).toBeLessThan(DEADLINE + 1000);
    expect(other.w.agent.emitting).toBe(false);
  }, 30_000);

  it('with two running, emitting terms never overlap by more than the renew deadline', async () => {
    const api = new FakeApiServer();
    api.apply(...healthyPlatform());
    const url = await api.start();
    cleanup.push(() => api.stop());
    const dir = mkdtempSync(join(tmpdir(), 'sa-leader-'));
    writeFileSync(join(dir, 'config'), api.kubeconfig(url));
    const terms: { name: string; from: number; to?: number }[] = [];
    const clients: ReturnType<typeof partitionable>[] = [];
    const watches: RunningWatch[] = [];
    for (const name of ['a', 'b']) {
      const cfg = defaultAgentConfig();
      cfg.listen = '127.0.0.1:0';
      cfg.leaderElection = { enabled: true, leaseName: 'l', leaseNamespace: 'ns', leaseDurationSeconds: 1, renewDeadlineSeconds: 0.6, retryPeriodSeconds: 0.1 };
      const client = partitionable(await makeKubeClient({ kubeconfig: join(dir, 'config') }));
      const w = await startWatch(cfg, client, () => {}, { identity: name });
      const origin = w.agent.setEmitting.bind(w.agent);
      w.agent.setEmitting = (on: boolean) => {
        if (on) terms.push({ name, from: Date.now() });
        else {
          const t = [...terms].reverse().find((x) => x.name === name && x.to === undefined);
          if (t) t.to = Date.now();
        }
        origin(on);
      };
      clients.push(client);
      watches.push(w);
      cleanup.push(() => w.stop());
    }
    // Partition whoever leads, heal, repeat: leadership moves back and forth.
    for (let i = 0; i < 4; i++) {
      const idx = await waitFor('a leader', () => {
        const j = watches.findIndex((w) => w.elector?.leading);
        return j >= 0 ? j + 1 : undefined;
      });
      const c = clients[idx - 1];
      if (!c) throw new Error('no client');
      c.cut = true;
      await waitFor('the other leads', () => watches[2 - idx]?.elector?.leading, 3000);
      c.cut = false;
    }
    const now = Date.now();
    for (const x of terms) for (const y of terms) {
      if (x === y || x.name === y.name) continue;
      const overlap = Math.min(x.to ?? now, y.to ?? now) - Math.max(x.from, y.from);
      expect(overlap).toBeLessThanOrEqual(600 + 150);
    }
    expect(terms.length).toBeGreaterThanOrEqual(4);
  }, 30_000);
});
