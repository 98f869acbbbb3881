// doctor against a live cluster, played by the protocol-level fake API server over real HTTP:
// kubeconfig auth, discovery, paged LISTs, 403 for a forbidden kind, 404 for a CRD that is not
// installed, and an unreachable server (exit 3).
// Why the fake API server here (the real one is in e2e/, where doctor live is compared with /incidents):
// these tests count and inspect every request doctor makes (page sizes, continue tokens, GET only,
// never Secrets) and need discovery answers a real server does not give on demand (a group missing
// beside its CRDs, no discovery.k8s.io), so they run in npm test in seconds without Go.

import { afterEach, describe, expect, it } from 'vitest';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { FakeApiServer } from '../src/sim/apiserver.ts';
import { cli, spawnCli } from './support/cli.ts';
import { healthyPlatform, healthyServer, pod, service, waiting, type Raw } from './support/objects.ts';

let server: FakeApiServer | undefined;
afterEach(async () => {
  await server?.stop();
  server = undefined;
});

async function start(objs: Raw[], opts: ConstructorParameters<typeof FakeApiServer>[0] = {}): Promise<{ kubeconfig: string; server: FakeApiServer }> {
  server = new FakeApiServer({ token: 's3cret-token', ...opts });
  server.apply(...objs);
  const url = await server.start();
  const dir = mkdtempSync(join(tmpdir(), 'sa-kube-'));
  const kubeconfig = join(dir, 'config');
  writeFileSync(kubeconfig, server.kubeconfig(url));
  return { kubeconfig, server };
}

function manyPods(n: number): Raw[] {
  const out: Raw[] = [];
  for (let i = 0; i < n; i++) out.push(pod(`batch-${String(i).padStart(4, '0')}`, { ns: 'jobs', containers: [{ name: 'w' }] }));
  out.push(pod('batch-broken', { ns: 'jobs', containers: [{ name: 'w', ready: false, state: waiting('CrashLoopBackOff') }] }));
  return out;
}

describe('doctor on a live cluster', () => {
  it('lists with limit/continue, reads only, and finds the incident on a later page', async () => {
    const { kubeconfig, server: s } = await start([...healthyPlatform(), ...healthyServer('weather'), ...manyPods(1200)]);
    const r = await cli(['doctor', '--kubeconfig', kubeconfig, '-o', 'json']);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(1);
    const doc = JSON.parse(r.stdout) as { cluster: { source: string }; incidents: { reason: string; object: { name: string } }[]; skipped: unknown[] };
    expect(doc.cluster.source).toBe('live');
    expect(doc.incidents.map((i) => `${i.reason} ${i.object.name}`)).toEqual(['CrashLoopBackOff batch-broken']);
    expect(doc.skipped).toEqual([]);
    const podLists = s.requests.filter((q) => q.path === '/api/v1/pods');
    expect(podLists.length).toBe(3); // 1201 pods + weather's pod in pages of 500
    expect(podLists.every((q) => q.query.limit === '500')).toBe(true);
    expect(podLists.slice(1).every((q) => q.query.continue)).toBe(true);
    expect(s.requests.every((q) => q.method === 'GET')).toBe(true);
    // Exactly the kinds the checks need; never Secrets.
    const listed = new Set(s.requests.map((q) => q.path).filter((p) => !p.startsWith('/version') && p.split('/').length > 3));
    expect([...listed].some((p) => p.includes('secrets'))).toBe(false);
  });

  it('an object of another kind, or no object, in a LIST page is skipped, not judged (the paged list the watcher shares)', async () => {
    const { kubeconfig, server: s } = await start([...healthyPlatform(), ...healthyServer('weather')]);
    const crash = pod('wrong-api', { ns: 'jobs', containers: [{ name: 'w', ready: false, state: waiting('CrashLoopBackOff') }] });
    s.fault({ watch: false, kind: 'Pod', extraItems: [{ ...crash, apiVersion: 'apps/v1' }, { ...crash, kind: 'Deployment' }, 'a string', null] });
    const r = await cli(['doctor', '--kubeconfig', kubeconfig, '-o', 'json']);
    expect(r.stderr).toBe('');
    expect((JSON.parse(r.stdout) as { incidents: unknown[] }).incidents).toEqual([]);
    expect(r.code).toBe(0);
  });

  it('a kind larger than a call may take as arguments (160,000 pods) is read whole', async () => {
    // The class guarded: collecting a list with push(...items), which throws a RangeError past
    // ~120,000 elements, so doctor on a large cluster called the kind failing.
    const { makeKubeClient } = await import('../src/collector/kube-client.ts');
    const { listKind } = await import('../src/collector/live.ts');
    const { ObjectStore } = await import('../src/kube/store.ts');
    const n = 160_000;
    const pods: Raw[] = [];
    for (let i = 0; i < n; i++) pods.push({ apiVersion: 'v1', kind: 'Pod', metadata: { name: `p-${i}`, namespace: `ns-${i % 50}`, uid: `u-${i}` }, spec: {}, status: { phase: 'Running' } });
    const { kubeconfig, server: s } = await start([]);
    for (let i = 0; i < n; i += 10_000) s.apply(...pods.slice(i, i + 10_000));
    const store = new ObjectStore();
    const state = await listKind(await makeKubeClient({ kubeconfig }), store, 'Pod', [], () => true, []);
    expect(state).toEqual({ status: 'synced', coverage: 'cluster' });
    expect(store.size('Pod')).toBe(n);
  }, 120_000);

  it('429 Too Many Requests: doctor waits the Retry-After and lists again', async () => {
    const { kubeconfig, server: s } = await start([...healthyPlatform(), ...manyPods(3)]);
    s.fault({ watch: false, kind: 'Pod', status: 429, headers: { 'Retry-After': '1' }, times: 2 });
    const r = await cli(['doctor', '--kubeconfig', kubeconfig, '-o', 'json']);
    expect(r.stderr).toBe('');
    expect((JSON.parse(r.stdout) as { incidents: { object: { name: string } }[] }).incidents.map((i) => i.object.name)).toEqual(['batch-broken']);
    const pods = s.requests.filter((q) => q.path === '/api/v1/pods');
    expect(pods.map((q) => q.status)).toEqual([429, 429, 200]);
  });

  it('a forbidden kind and a CRD that is not installed are skipped and reported, never green', async () => {
    const { kubeconfig } = await start([...healthyPlatform(), ...healthyServer('weather')], { forbidden: ['pods'], missingGroups: ['cert-manager.io'] });
    const r = await cli(['doctor', '--kubeconfig', kubeconfig, '-o', 'json']);
    expect(r.code).toBe(1);
    const doc = JSON.parse(r.stdout) as { incidents: { reason: string; severity: string; message: string }[]; skipped: { check: string; reason: string; detail: string }[] };
    const src = doc.incidents.filter((i) => i.reason === 'SourceUnavailable');
    expect(src.map((i) => i.severity).sort()).toEqual(['info', 'info', 'info', 'info', 'warning']);
    expect(src.find((i) => i.severity === 'warning')?.message).toContain('cannot read pods: forbidden by RBAC');
    const skipped = new Map(doc.skipped.map((s) => [s.check, s]));
    expect(skipped.get('pod-crash-loop')?.reason).toBe('SourceUnavailable');
    expect(skipped.get('pod-crash-loop')?.detail).toContain('cannot list resource "pods"');
    expect(skipped.get('certificate-readiness')?.detail).toContain('cert-manager.io/v1 is not served');
  });

  it('an old cluster without EndpointSlices is read through v1 Endpoints', async () => {
    const objs = [service('api', { ns: 'web' }), { apiVersion: 'v1', kind: 'Endpoints', metadata: { name: 'api', namespace: 'web' }, subsets: [{ notReadyAddresses: [{ ip: '10.0.0.9' }], ports: [{ port: 80 }] }] }];
    const { kubeconfig, server: s } = await start(objs, { missingGroups: ['discovery.k8s.io'] });
    const r = await cli(['doctor', '--kubeconfig', kubeconfig, '-o', 'json']);
    const doc = JSON.parse(r.stdout) as { incidents: { reason: string }[]; skipped: { check: string }[] };
    expect(doc.incidents.map((i) => i.reason)).toContain('ServiceNoEndpoints');
    expect(doc.skipped.map((x) => x.check)).not.toContain('service-endpoints');
    expect(s.requests.some((q) => q.path === '/api/v1/endpoints')).toBe(true);
  });

  it('honours --namespace by listing only that namespace', async () => {
    const { kubeconfig, server: s } = await start([...healthyServer('weather'), ...manyPods(3)]);
    const r = await cli(['doctor', '--kubeconfig', kubeconfig, '--namespace', 'jobs', '-o', 'json']);
    expect(r.code).toBe(1);
    expect(s.requests.some((q) => q.path === '/api/v1/namespaces/jobs/pods')).toBe(true);
    expect(s.requests.some((q) => q.path === '/api/v1/pods')).toBe(false);
  });

  it('wrong credentials: exit 3', async () => {
    const { kubeconfig } = await start([]);
    writeFileSync(kubeconfig, server?.kubeconfig((await import('node:fs')).readFileSync(kubeconfig, 'utf8').match(/server: (\S+)/)?.[1] ?? '').replace('s3cret-token', 'wrong') ?? '');
    const r = await cli(['doctor', '--kubeconfig', kubeconfig]);
    expect(r.code).toBe(3);
    expect(r.stderr).toContain('rejected the credentials (401 Unauthorized)');
  });

  it('unreachable API server: exit 3 from the real executable', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'sa-kube-'));
    const kubeconfig = join(dir, 'config');
    writeFileSync(kubeconfig, new FakeApiServer().kubeconfig('http://127.0.0.1:9'));
    const r = await spawnCli(['doctor', '--kubeconfig', kubeconfig]);
    expect(r.code).toBe(3);
    expect(r.stderr).toMatch(/cannot reach the API server at http:\/\/127\.0\.0\.1:9: ECONNREFUSED/);
  });

  it('no kubeconfig at all: exit 3 with what to do', async () => {
    const r = await spawnCli(['doctor'], { env: { KUBECONFIG: '/nonexistent/kubeconfig', HOME: '/nonexistent' } });
    expect(r.code).toBe(3);
    expect(r.stderr).toMatch(/kubeconfig|no cluster configured/i);
  });
});

describe('doctor --from-watcher', () => {
  it('prints a running agent\'s /incidents with the same formatter, and exit 3 when it is down', async () => {
    const { createServer } = await import('node:http');
    const report = await cli(['doctor', '--from-file', new URL('./fixtures/cluster-unhealthy.yaml', import.meta.url).pathname, '--now', '2026-11-24T10:00:00Z', '-o', 'json']);
    // An agent that does not page: it ignores ?limit= and answers everything at once.
    const agent = createServer((req, res) => {
      if (new URL(req.url ?? '/', 'http://x').pathname !== '/incidents') {
        res.writeHead(404).end();
        return;
      }
      const doc = JSON.parse(report.stdout) as { cluster: { source: string } };
      doc.cluster.source = 'watcher';
      res.writeHead(200, { 'Content-Type': 'application/json' }).end(JSON.stringify(doc));
    });
    await new Promise<void>((r) => agent.listen(0, '127.0.0.1', r));
    const port = (agent.address() as { port: number }).port;
    try {
      const r = await cli(['doctor', '--from-watcher', `http://127.0.0.1:${port}`, '-o', 'json']);
      expect(r.code).toBe(1);
      const a = JSON.parse(r.stdout) as { incidents: unknown[]; cluster: { source: string } };
      expect(a.cluster.source).toBe('watcher');
      expect(a.incidents).toEqual((JSON.parse(report.stdout) as { incidents: unknown[] }).incidents);
      const text = await cli(['doctor', '--from-watcher', `http://127.0.0.1:${port}/incidents`]);
      expect(text.stdout).toContain('MCPServer mcp-team-acme/weather (team acme)');
    } finally {
      agent.close();
    }
    const down = await cli(['doctor', '--from-watcher', `http://127.0.0.1:${port}`]);
    expect(down.code).toBe(3);
    expect(down.stderr).toContain('cannot reach the agent');
    expect((await cli(['doctor', '--from-watcher', 'not a url'])).code).toBe(2);
  });
});

describe('--from-watcher: one wording for each kind of failure', () => {
  it('a closed port by address or by name, a host that does not resolve, a socket closed mid-answer, a URL without its scheme', async () => {
    const { createServer } = await import('node:http');
    const closed = createServer();
    await new Promise<void>((r) => closed.listen(0, '127.0.0.1', r));
    const port = (closed.address() as { port: number }).port;
    await new Promise((r) => closed.close(r));
    const line = async (url: string): Promise<{ code: number; line: string }> => {
      const r = await cli(['doctor', '--from-watcher', url]);
      return { code: r.code, line: r.stderr.split('\n')[0] ?? '' };
    };
    // localhost resolves to two addresses here: Node reports an AggregateError, not one code.
    for (const host of ['127.0.0.1', 'localhost']) {
      expect(await line(`http://${host}:${port}`)).toEqual({ code: 3, line: `sentinel-agent: cannot reach the agent at http://${host}:${port}/incidents: connection refused (is the agent running, and its port forwarded?)` });
    }
    expect(await line('http://no-such-agent.invalid:8080')).toEqual({ code: 3, line: 'sentinel-agent: cannot reach the agent at http://no-such-agent.invalid:8080/incidents: no such host' });
    const cut = createServer((req, res) => {
      res.writeHead(200, { 'Content-Type': 'application/json', 'Content-Length': '1000' });
      res.write('{"schemaVersion": 1, "incid');
      setTimeout(() => req.socket.destroy(), 20);
    });
    await new Promise<void>((r) => cut.listen(0, '127.0.0.1', r));
    const cutPort = (cut.address() as { port: number }).port;
    try {
      expect(await line(`http://127.0.0.1:${cutPort}`)).toEqual({ code: 3, line: `sentinel-agent: cannot read the agent's answer at http://127.0.0.1:${cutPort}/incidents: the connection was closed before the answer was complete` });
    } finally {
      cut.close();
    }
    expect(await line('localhost:8080')).toEqual({ code: 2, line: 'sentinel-agent: --from-watcher: not a URL: "localhost:8080" (did you mean http://localhost:8080?)' });
  });
});

describe('kubeconfig as kubectl reads it', () => {
  it('a plain http:// server (kubectl proxy) works without insecure-skip-tls-verify', async () => {
    const { fakeCluster } = await import('./support/cluster.ts');
    const b = await import('./support/objects.ts');
    const { api, kubeconfig } = await fakeCluster([b.pod('p', { containers: [{ name: 'c', ready: false, state: b.waiting('CrashLoopBackOff'), lastState: b.terminated('Error', 1, -1) }] })]);
    try {
      const { readFileSync } = await import('node:fs');
      expect(readFileSync(kubeconfig, 'utf8')).not.toContain('insecure-skip-tls-verify');
      const r = await spawnCli(['doctor', '--kubeconfig', kubeconfig, '-o', 'json', '--fail-on', 'none']);
      expect(r.stderr).not.toMatch(/HTTP protocol is not allowed/);
      expect(r.code).toBe(0);
      expect((JSON.parse(r.stdout) as { incidents: { reason: string }[] }).incidents.map((i) => i.reason)).toContain('CrashLoopBackOff');
    } finally {
      await api.stop();
    }
  });

  it('no KUBECONFIG, no ~/.kube/config, not in a pod: says which were looked for, not localhost:8080', async () => {
    const r = await spawnCli(['doctor'], { env: { HOME: '/nonexistent-home' } });
    expect(r.code).toBe(3);
    expect(r.stderr).toMatch(/no kubeconfig found/);
    expect(r.stderr).toContain('/nonexistent-home/.kube/config');
    expect(r.stderr).not.toContain('8080');
  });
});
