// /incidents under readers: one snapshot serialized per change, filters and pages over it, and a
// bound on concurrent responses. The class guarded: a reader (or fifty) able to exhaust the agent.

import { afterEach, describe, expect, it } from 'vitest';
import fc from 'fast-check';
import net from 'node:net';
import { IncidentSnapshots, parseQuery, QueryError } from '../src/server/snapshot.ts';
import { AgentHttpServer } from '../src/server/http.ts';
import { buildReport, reportJson } from '../src/format/report.ts';
import type { Agent } from '../src/agent/agent.ts';
import type { Incident } from '../src/engine/incidents.ts';
import { SEVERITIES } from '../src/checks/severity.ts';

function incidents(n: number): Incident[] {
  const out: Incident[] = [];
  for (let i = 0; i < n; i++) {
    out.push({
      id: `id-${String(i).padStart(6, '0')}`,
      check: 'pod-crash-loop',
      reason: i % 3 === 0 ? 'CrashLoopBackOff' : 'ImagePullBackOff',
      severity: SEVERITIES[i % 3] ?? 'critical',
      object: { apiVersion: 'v1', kind: 'Pod', namespace: `ns-${i % 4}`, name: `pod-${i}` },
      message: `container "c" is failing ${'x'.repeat(i % 50)}`,
      remediation: `kubectl -n ns-${i % 4} describe pod pod-${i}`,
      attributes: { container: 'c', restart_count: i },
    });
  }
  return out;
}

function source(list: Incident[], v = { n: 1 }) {
  return { version: () => v.n, openIncidents: () => list, skipped: () => [], staleSources: () => [] };
}

async function text(parts: Promise<Buffer[]>): Promise<string> {
  return Buffer.concat(await parts).toString('utf8');
}

describe('incident snapshots', () => {
  it('the whole snapshot is byte for byte the doctor JSON of the same incidents', async () => {
    for (const n of [0, 1, 7, 1200]) {
      const list = incidents(n);
      const s = new IncidentSnapshots(source(list), { clusterName: 'prod', now: () => Date.parse('2026-11-24T10:00:00Z'), sliceSize: 100 });
      const want = reportJson(buildReport({ generatedAt: '2026-11-24T10:00:00Z', clusterName: 'prod', source: 'live', incidents: list, skipped: [] }));
      expect(await text(s.respond({}))).toBe(want);
    }
  });

  it('pages followed to the end give every incident once, for any page size and filter', async () => {
    const list = incidents(503);
    const s = new IncidentSnapshots(source(list), { clusterName: 'c' });
    for (const [limit, params] of [[1, ''], [50, ''], [97, 'severity=critical,warning'], [10, 'namespace=ns-1&reason=CrashLoopBackOff'], [1000, 'kind=Pod']] as const) {
      const base = parseQuery(new URLSearchParams(params));
      const want = list.filter((i) => (!base.severity || base.severity.has(i.severity)) && (!base.namespace || base.namespace.has(i.object.namespace ?? '')) && (!base.reason || base.reason.has(i.reason)));
      const got: string[] = [];
      let token: string | undefined;
      for (let pages = 0; pages < 1000; pages++) {
        const doc = JSON.parse(await text(s.respond({ ...base, limit, ...(token ? { continue: token } : {}) }))) as { incidents: Incident[]; continue?: string; summary: Record<string, number> };
        expect(doc.incidents.length).toBeLessThanOrEqual(limit);
        expect((doc.summary.critical ?? 0) + (doc.summary.warning ?? 0) + (doc.summary.info ?? 0)).toBe(doc.incidents.length);
        got.push(...doc.incidents.map((i) => i.id));
        token = doc.continue;
        if (!token) break;
      }
      expect(got).toEqual(want.map((i) => i.id));
    }
  });

  it('is serialized once per change, not per request; a token names its snapshot, expires as a 410', async () => {
    const list = incidents(10);
    const v = { n: 1 };
    let now = 0;
    let reads = 0;
    const src = { ...source(list, v), openIncidents: () => (reads++, list) };
    const s = new IncidentSnapshots(src, { clusterName: 'c', now: () => now, keep: 2 });
    for (let i = 0; i < 20; i++) await s.respond({});
    expect(reads).toBe(1);
    const first = JSON.parse(await text(s.respond({ limit: 3 }))) as { continue: string };
    v.n++;
    await s.respond({});
    expect(reads).toBe(1); // changed, but within the minimum interval
    now += 5000;
    await s.respond({});
    expect(reads).toBe(2);
    // The older snapshot is still kept (2): its token still pages.
    expect((JSON.parse(await text(s.respond({ limit: 3, continue: first.continue }))) as { incidents: unknown[] }).incidents).toHaveLength(3);
    v.n++;
    now += 5000;
    await s.respond({});
    await expect(s.respond({ limit: 3, continue: first.continue })).rejects.toMatchObject({ status: 410 });
    await expect(s.respond({ continue: 'garbage' })).rejects.toBeInstanceOf(QueryError);
  });

  it('for any run of changes (added, removed, replaced, reordered, root cause or server set in place), every snapshot is the doctor JSON of the incidents now', async () => {
    // The class guarded: a snapshot that reuses an incident's text after the incident changed.
    const op = fc.oneof(
      fc.record({ t: fc.constant('add' as const), n: fc.integer({ min: 1, max: 5 }) }),
      fc.record({ t: fc.constant('remove' as const), at: fc.nat() }),
      fc.record({ t: fc.constant('replace' as const), at: fc.nat(), message: fc.string({ maxLength: 30 }) }),
      fc.record({ t: fc.constant('root' as const), at: fc.nat(), of: fc.option(fc.nat(), { nil: undefined }) }),
      fc.record({ t: fc.constant('server' as const), at: fc.nat(), name: fc.option(fc.string({ minLength: 1, maxLength: 10 }), { nil: undefined }) }),
      fc.record({ t: fc.constant('same-server' as const), at: fc.nat() }),
      fc.record({ t: fc.constant('reverse' as const) }),
      fc.record({ t: fc.constant('same' as const) }),
    );
    await fc.assert(
      fc.asyncProperty(fc.array(op, { maxLength: 25 }), fc.integer({ min: 1, max: 4 }), async (ops, sliceSize) => {
        let made = 0;
        let list = incidents(3);
        const v = { n: 1 };
        let now = 0;
        const s = new IncidentSnapshots({ ...source([], v), openIncidents: () => list }, { clusterName: 'c', now: () => now, minIntervalMs: 0, sliceSize });
        const check = async (): Promise<void> => {
          const want = reportJson(buildReport({ generatedAt: new Date(now).toISOString().replace('.000Z', 'Z'), clusterName: 'c', source: 'live', incidents: list, skipped: [] }));
          expect(await text(s.respond({}))).toBe(want);
        };
        await check();
        for (const o of ops) {
          const i = list.length > 0 && 'at' in o ? o.at % list.length : -1;
          if (o.t === 'add') {
            list = [...list, ...incidents(o.n + made + 3).slice(made + 3).map((x) => ({ ...x, id: `new-${made}-${x.id}` }))];
            made += o.n;
          } else if (o.t === 'remove' && i >= 0) list = list.filter((_, k) => k !== i);
          else if (o.t === 'replace' && i >= 0) list = list.map((x, k) => (k === i ? { ...x, message: o.message } : x));
          else if (o.t === 'root' && i >= 0) (list[i] as Incident).rootCauseId = o.of === undefined ? undefined : (list[o.of % list.length] as Incident).id;
          else if (o.t === 'server' && i >= 0) (list[i] as Incident).server = o.name === undefined ? undefined : { namespace: 'ns', name: o.name };
          else if (o.t === 'same-server' && i >= 0) {
            const inc = list[i] as Incident;
            if (inc.server) inc.server = { ...inc.server };
          } else if (o.t === 'reverse') list = [...list].reverse();
          v.n++;
          now += 1000;
          await check();
        }
      }),
      { numRuns: 200 },
    );
  });

  it('a rebuild after the engine sets equal root causes and servers anew (any relation change does) serializes nothing again', async () => {
    // The class guarded: one label change in the cluster re-serialized every open incident, and the
    // rebuild interval (five times the build's cost) then held /incidents behind for up to a second.
    const list = incidents(2000).map((i, k) => ({ ...i, server: { namespace: 'ns', name: `s-${k % 7}` }, ...(k % 3 ? { rootCauseId: 'id-000000' } : {}) }));
    const v = { n: 1 };
    let now = 0;
    const s = new IncidentSnapshots({ ...source(list, v), openIncidents: () => list }, { clusterName: 'c', now: () => now, minIntervalMs: 0 });
    const first = (await s.respond({}))[1];
    for (const i of list) {
      if (i.server) i.server = { ...i.server };
      if (i.rootCauseId) i.rootCauseId = `${i.rootCauseId}`;
    }
    v.n++;
    now += 1000;
    expect((await s.respond({}))[1]).toBe(first);
  });

  it('bad queries are named: unknown parameter, bad severity, bad limit', () => {
    expect(() => parseQuery(new URLSearchParams('sevrity=critical'))).toThrow(/unknown parameter "sevrity"/);
    expect(() => parseQuery(new URLSearchParams('severity=urgent'))).toThrow(/expected critical, warning or info/);
    expect(() => parseQuery(new URLSearchParams('limit=0'))).toThrow(/positive integer/);
    expect(() => parseQuery(new URLSearchParams('limit=-3'))).toThrow(/positive integer/);
  });
});

describe('/incidents concurrency bound', () => {
  const servers: AgentHttpServer[] = [];
  const sockets: net.Socket[] = [];
  afterEach(async () => {
    for (const s of sockets.splice(0)) s.destroy();
    for (const s of servers.splice(0)) await s.stop();
  });

  it('readers that do not read hold only their slots; past the queue the answer is 503 Retry-After; /healthz answers throughout', async () => {
    // A stand-in agent: the HTTP layer is under test, and 20,000 open incidents are built in one
    // line instead of a cluster that fails 20,000 ways.
    const list = incidents(20_000);
    const agent = { version: () => 1, openIncidents: () => list, skipped: () => [], blind: () => [], alive: () => true, ready: () => true, sources: () => ({}), settledOnce: () => true } as unknown as Agent;
    const server = new AgentHttpServer(agent, { host: '127.0.0.1', port: 0, clusterName: 'c', maxInFlight: 2, maxQueued: 3 });
    servers.push(server);
    const url = new URL(await server.start());
    // Five readers that never read: two in flight, three queued.
    for (let i = 0; i < 5; i++) {
      const s = net.connect(Number(url.port), url.hostname);
      s.pause();
      s.write(`GET /incidents HTTP/1.1\r\nHost: x\r\n\r\n`);
      sockets.push(s);
    }
    await new Promise((r) => setTimeout(r, 300));
    const refused = await fetch(`${url.origin}/incidents`);
    expect(refused.status).toBe(503);
    expect(refused.headers.get('retry-after')).toBe('1');
    expect((await fetch(`${url.origin}/healthz`)).status).toBe(200);
    // Once the readers go, the slots are free again.
    for (const s of sockets.splice(0)) s.destroy();
    await new Promise((r) => setTimeout(r, 200));
    const ok = await fetch(`${url.origin}/incidents?limit=5&severity=critical`);
    expect(ok.status).toBe(200);
    const doc = (await ok.json()) as { incidents: Incident[]; continue?: string };
    expect(doc.incidents).toHaveLength(5);
    expect(doc.incidents.every((i) => i.severity === 'critical')).toBe(true);
    expect(doc.continue).toBeTruthy();
    expect((await fetch(`${url.origin}/incidents?nope=1`)).status).toBe(400);
  });
});
