// The sinks beyond OTLP, each optional and isolated: Kubernetes Events (aggregated, rate-limited,
// written to the fake API server) and the direct Sentinel ingest (x-api-key, envelope, retries).
// Why the fake API server here (the Events sink on the real API is in e2e/detection.e2e.ts): it
// records each create and patch, so aggregation and the rate limit are counted exactly, and it can
// refuse Event writes (403, 500) on cue, which a real server does not do for cluster-admin.

import { afterEach, describe, expect, it } from 'vitest';
import http from 'node:http';
import fc from 'fast-check';
import type { FakeApiServer } from '../src/sim/apiserver.ts';
import { makeKubeClient } from '../src/collector/kube-client.ts';
import { startWatch } from '../src/cli/watch.ts';
import { DEFAULT_WATCH_SETTINGS } from '../src/agent/agent.ts';
import { defaultAgentConfig } from '../src/config/config.ts';
import { KubernetesEventsSink } from '../src/delivery/k8s-events.ts';
import type { Transition } from '../src/engine/tracker.ts';
import type { Incident } from '../src/engine/incidents.ts';
import { healthyPlatform, mcpServer, pod, running, terminated, waiting, type Raw } from './support/objects.ts';
import { waitFor } from './support/wait.ts';
import { fakeCluster } from './support/cluster.ts';

const cleanup: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const c of cleanup.splice(0).reverse()) await c();
});


const crashing = (): Raw => pod('web-1', { ns: 'mcp-servers', labels: { app: 'web' }, ready: false, containers: [{ name: 'web', ready: false, restarts: 5, state: waiting('CrashLoopBackOff'), lastState: terminated('Error', 1, -1) }] });
const healed = (): Raw => pod('web-1', { ns: 'mcp-servers', labels: { app: 'web' }, containers: [{ name: 'web', state: running(-1) }] });

async function cluster(objs: Raw[]): Promise<{ api: FakeApiServer; kubeconfig: string }> {
  const c = await fakeCluster(objs, { token: 't0k' });
  cleanup.push(() => c.api.stop());
  return c;
}

describe('Kubernetes Events sink', () => {
  it('a Warning Event on the involved object when an incident opens, Normal when it resolves', async () => {
    const { api, kubeconfig } = await cluster([...healthyPlatform(), healed()]);
    const cfg = defaultAgentConfig();
    cfg.listen = '127.0.0.1:0';
    cfg.sinks.kubernetesEvents.enabled = true;
    const w = await startWatch(cfg, await makeKubeClient({ kubeconfig }), () => {}, { settings: { ...DEFAULT_WATCH_SETTINGS, holdMs: 200, evaluationDelayMs: 10 } });
    cleanup.push(() => w.stop());
    await waitFor('ready', () => w.agent.ready());
    api.apply(crashing());
    const warning = await waitFor('warning event', () => [...api.events.values()].find((e) => e.type === 'Warning'));
    expect(warning).toMatchObject({
      reason: 'CrashLoopBackOff',
      involvedObject: { kind: 'Pod', namespace: 'mcp-servers', name: 'web-1', apiVersion: 'v1' },
      source: { component: 'sentinel-agent' },
      reportingComponent: 'sentinel-agent',
      count: 1,
    });
    expect(String(warning.message)).toContain('CrashLoopBackOff');
    api.apply(healed());
    const normal = await waitFor('normal event', () => [...api.events.values()].find((e) => e.type === 'Normal'));
    expect(normal.reason).toBe('CrashLoopBackOffResolved');
    expect(api.requests.filter((r) => r.method === 'POST').every((r) => r.path === '/api/v1/namespaces/mcp-servers/events')).toBe(true);
  });

  it('the same incident re-announced patches one Event (count) instead of creating another; rate-limited', async () => {
    const { api, kubeconfig } = await cluster([]);
    const client = await makeKubeClient({ kubeconfig });
    const sink = new KubernetesEventsSink({ client, log: () => {}, instance: 'test', ratePerSecond: 20, burst: 2 });
    cleanup.push(() => sink.flush());
    const inc: Incident = { id: 'abc', check: 'c', reason: 'CrashLoopBackOff', severity: 'critical', object: { apiVersion: 'v1', kind: 'Pod', namespace: 'ns', name: 'p' }, message: 'm', remediation: 'r', attributes: {} };
    const t0 = Date.now();
    for (let i = 0; i < 5; i++) sink.transitions([{ type: 'opened', incident: inc, at: Date.now() } satisfies Transition]);
    sink.transitions([{ type: 'opened', incident: { ...inc, object: { apiVersion: 'v1', kind: 'Agent', name: 'sentinel-agent' } }, at: 0 }]);
    await waitFor('delivered', () => sink.queue.stats.delivered === 5);
    expect(api.events.size).toBe(1);
    expect([...api.events.values()][0]?.count).toBe(5);
    expect(api.requests.filter((r) => r.method === 'PATCH').length).toBe(4);
    // Burst 2 then 20/s: the last 3 waited for tokens.
    expect(Date.now() - t0).toBeGreaterThanOrEqual(100);
  });

  it('forbidden (no RBAC for events): dropped and counted, the agent unaffected', async () => {
    const { api, kubeconfig } = await cluster([]);
    api.setForbidden('events', true);
    const sink = new KubernetesEventsSink({ client: await makeKubeClient({ kubeconfig }), log: () => {}, instance: 't' });
    cleanup.push(() => sink.flush());
    const inc: Incident = { id: 'x', check: 'c', reason: 'OOMKilled', severity: 'warning', object: { apiVersion: 'v1', kind: 'Pod', namespace: 'ns', name: 'p' }, message: 'm', remediation: 'r', attributes: {} };
    sink.transitions([{ type: 'opened', incident: inc, at: 0 }]);
    await waitFor('dropped', () => sink.queue.stats.dropped === 1);
    expect(api.events.size).toBe(0);
  });
});

describe('Sentinel ingest sink', () => {
  it('POSTs envelopes with x-api-key; retries 503 with backoff; the payload fills Sentinel columns', async () => {
    const got: { headers: http.IncomingHttpHeaders; body: Record<string, unknown> }[] = [];
    let fail = 2;
    const ingest = http.createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        if (req.headers['x-api-key'] !== 'ingest-key') {
          res.writeHead(401).end('{"error":"unauthorized"}');
          return;
        }
        if (fail > 0) {
          fail--;
          res.writeHead(503).end('{"error":"enqueue_failed"}');
          return;
        }
        got.push({ headers: req.headers, body: JSON.parse(Buffer.concat(chunks).toString('utf8')) as Record<string, unknown> });
        res.writeHead(202).end('{"ok":true}');
      });
    });
    await new Promise<void>((r) => ingest.listen(0, '127.0.0.1', r));
    cleanup.push(() => {
      ingest.closeAllConnections();
      ingest.close();
    });
    const { api, kubeconfig } = await cluster([...healthyPlatform(), mcpServer('web', { ns: 'mcp-servers', team: 'acme', phase: 'Ready', flags: { deploymentReady: true, serviceReady: true, ingressReady: true } }), healed()]);
    const cfg = defaultAgentConfig();
    cfg.listen = '127.0.0.1:0';
    cfg.clusterName = 'prod';
    cfg.sinks.sentinel = { url: `http://127.0.0.1:${(ingest.address() as { port: number }).port}/events`, source: 'sentinel-agent', apiKey: 'ingest-key' };
    const w = await startWatch(cfg, await makeKubeClient({ kubeconfig }), () => {}, { settings: { ...DEFAULT_WATCH_SETTINGS, holdMs: 200, evaluationDelayMs: 10 } });
    cleanup.push(() => w.stop());
    await waitFor('ready', () => w.agent.ready());
    api.apply(crashing());
    const first = await waitFor('delivered after retries', () => got[0], 15_000);
    expect(first.headers['content-type']).toBe('application/json');
    expect(first.body).toMatchObject({
      source: 'sentinel-agent',
      event_type: 'mcp_runtime.health.incident.opened',
      payload: { cluster: 'prod', namespace: 'mcp-servers', server: 'web', team_id: 'acme', incident: { reason: 'CrashLoopBackOff', severity: 'critical', state: 'open', object: { kind: 'Pod', name: 'web-1' } } },
    });
    expect(Date.parse(String(first.body.timestamp))).toBeGreaterThan(0);
  });

  it('401 is dropped and logged, not retried', async () => {
    let posts = 0;
    const ingest = http.createServer((_req, res) => {
      posts++;
      res.writeHead(401).end('{"error":"unauthorized"}');
    });
    await new Promise<void>((r) => ingest.listen(0, '127.0.0.1', r));
    cleanup.push(() => {
      ingest.closeAllConnections();
      ingest.close();
    });
    const { SentinelSink } = await import('../src/delivery/sentinel.ts');
    const logs: string[] = [];
    const sink = new SentinelSink({ url: `http://127.0.0.1:${(ingest.address() as { port: number }).port}/events`, source: 's', clusterName: 'c', log: (_l, m, f) => logs.push(`${m} ${JSON.stringify(f)}`), reannounce: () => [] });
    const inc: Incident = { id: 'x', check: 'c', reason: 'OOMKilled', severity: 'warning', object: { apiVersion: 'v1', kind: 'Pod', namespace: 'ns', name: 'p' }, message: 'm', remediation: 'r', attributes: {} };
    sink.transitions([{ type: 'opened', incident: inc, at: 0 }]);
    await waitFor('dropped', () => sink.queue.stats.dropped === 1);
    await new Promise((r) => setTimeout(r, 200));
    expect(posts).toBe(1);
    expect(logs.join('\n')).toContain('INGEST_API_KEYS');
    await sink.flush();
  });

  it('for any run of opens and resolutions while the ingest is down and the queue overflows, Sentinel ends with each incident as it is', async () => {
    // The stand-in for Sentinel's ingest: refuses (503) while down, keeps the last state per incident.
    let down = true;
    const last = new Map<string, string>();
    const ingest = http.createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        if (down) {
          res.writeHead(503).end();
          return;
        }
        const e = JSON.parse(Buffer.concat(chunks).toString('utf8')) as { payload: { incident: { id: string; state: string } } };
        last.set(e.payload.incident.id, e.payload.incident.state);
        res.writeHead(202).end();
      });
    });
    await new Promise<void>((r) => ingest.listen(0, '127.0.0.1', r));
    cleanup.push(() => {
      ingest.closeAllConnections();
      ingest.close();
    });
    const { SentinelSink } = await import('../src/delivery/sentinel.ts');
    const url = `http://127.0.0.1:${(ingest.address() as { port: number }).port}/events`;
    const incident = (id: string): Incident => ({ id, check: 'c', reason: 'OOMKilled', severity: 'warning', object: { apiVersion: 'v1', kind: 'Pod', namespace: 'ns', name: id }, message: 'm', remediation: 'r', attributes: {} });
    await fc.assert(
      fc.asyncProperty(fc.array(fc.tuple(fc.constantFrom('a', 'b', 'c', 'd', 'e'), fc.boolean()), { minLength: 1, maxLength: 30 }), fc.integer({ min: 1, max: 4 }), async (steps, maxQueue) => {
        down = true;
        last.clear();
        // The tracker's truth: which incidents are open; the sink asks it on recovery.
        const open = new Set<string>();
        const sink = new SentinelSink({ url, source: 's', clusterName: 'c', log: () => {}, maxQueue, backoffInitialMs: 2, backoffMaxMs: 5, reannounce: () => [...open].map((id) => ({ type: 'opened' as const, incident: incident(id), at: 0 })) });
        const seen = new Set<string>();
        for (const [id, opening] of steps) {
          if (opening === open.has(id)) continue;
          seen.add(id);
          if (opening) open.add(id);
          else open.delete(id);
          sink.transitions([{ type: opening ? 'opened' : 'resolved', incident: incident(id), at: 0 }]);
        }
        down = false;
        const want = [...seen].sort().map((id) => `${id}:${open.has(id) ? 'open' : 'resolved'}`);
        const got = (): string[] => [...seen].sort().map((id) => `${id}:${last.get(id) ?? 'never'}`);
        await waitFor('the ingest to hold every incident as it is', () => sink.queue.stats.queued === 0 && JSON.stringify(got()) === JSON.stringify(want), 5000).catch(() => undefined);
        await sink.flush();
        expect(got()).toEqual(want);
      }),
      { numRuns: 25 },
    );
  });
});

describe('silenced incidents (notify: false) and the notifying sinks', () => {
  it('neither the Kubernetes Events sink nor the Sentinel sink sends a quiet transition; both send one that notifies', async () => {
    const { api, kubeconfig } = await cluster([]);
    const events = new KubernetesEventsSink({ client: await makeKubeClient({ kubeconfig }), log: () => {}, instance: 't' });
    cleanup.push(() => events.flush());
    const got: string[] = [];
    const ingest = http.createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        got.push((JSON.parse(Buffer.concat(chunks).toString()) as { event_type: string }).event_type);
        res.writeHead(202).end('{}');
      });
    });
    await new Promise<void>((r) => ingest.listen(0, '127.0.0.1', r));
    cleanup.push(() => {
      ingest.closeAllConnections();
      ingest.close();
    });
    const { SentinelSink } = await import('../src/delivery/sentinel.ts');
    const sentinel = new SentinelSink({ url: `http://127.0.0.1:${(ingest.address() as { port: number }).port}/events`, source: 's', clusterName: 'c', log: () => {}, reannounce: () => [] });
    const inc: Incident = { id: 'x', check: 'c', reason: 'OOMKilled', severity: 'warning', object: { apiVersion: 'v1', kind: 'Pod', namespace: 'ns', name: 'p' }, message: 'm', remediation: 'r', attributes: {}, silence: { source: 'config', reason: 'known' } };
    for (const s of [events, sentinel]) s.transitions([{ type: 'opened', incident: inc, at: 0, notify: false }, { type: 'updated', incident: inc, at: 1, changed: ['silence'], notify: false }]);
    await new Promise((r) => setTimeout(r, 300));
    expect(api.events.size).toBe(0);
    expect(got).toEqual([]);
    // The silence ends: the announcement notifies.
    const plain: Incident = { ...inc };
    delete plain.silence;
    for (const s of [events, sentinel]) s.transitions([{ type: 'opened', incident: plain, at: 2, announce: true }]);
    await waitFor('the Event and the post', () => api.events.size === 1 && got.length === 1);
    expect(got).toEqual(['mcp_runtime.health.incident.opened']);
    await sentinel.flush();
  });
});
