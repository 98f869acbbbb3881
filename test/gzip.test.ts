// Compressed answers: the agent asks for gzip as client-go does, decodes LISTs and watch streams,
// and bounds what it decodes (a small body that inflates past the answer bound or a line past the
// line bound is refused; a corrupt stream is an error naming it).
// Why a server of the test's own for the bounds: a real API server never sends a gzip bomb or a
// corrupt stream. The real API server's compression is measured in bench:real (bytes on the wire).

import { afterEach, describe, expect, it } from 'vitest';
import http from 'node:http';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { AddressInfo } from 'node:net';
import { gzipSync } from 'node:zlib';
import { LineTooLongError, makeKubeClient, type KubeClient } from '../src/collector/kube-client.ts';
import { FakeApiServer } from '../src/sim/apiserver.ts';
import { startWatch, type RunningWatch } from '../src/cli/watch.ts';
import { DEFAULT_WATCH_SETTINGS } from '../src/agent/agent.ts';
import { defaultAgentConfig } from '../src/config/config.ts';
import { healthyPlatform, pod, running } from './support/objects.ts';
import { waitFor } from './support/wait.ts';

const cleanup: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const c of cleanup.splice(0).reverse()) await c();
});

async function clientFor(url: string): Promise<KubeClient> {
  const dir = mkdtempSync(join(tmpdir(), 'sa-gzip-'));
  writeFileSync(join(dir, 'config'), new FakeApiServer().kubeconfig(url));
  return makeKubeClient({ kubeconfig: join(dir, 'config') });
}

async function serve(handler: http.RequestListener): Promise<string> {
  const srv = http.createServer(handler);
  await new Promise<void>((r) => srv.listen(0, '127.0.0.1', r));
  cleanup.push(() => {
    srv.closeAllConnections();
    srv.close();
  });
  return `http://127.0.0.1:${(srv.address() as AddressInfo).port}`;
}

describe('gzip from the API server', () => {
  it('asks for gzip; a LIST past 128 KiB arrives compressed and every object is read', async () => {
    const api = new FakeApiServer({ watchList: false });
    const pods = Array.from({ length: 600 }, (_, i) => pod(`web-${i}`, { ns: 'apps', containers: [{ name: 'web', state: running(-1) }] }));
    api.apply(...healthyPlatform(), ...pods);
    const url = await api.start();
    cleanup.push(() => api.stop());
    const cfg = defaultAgentConfig();
    cfg.listen = '127.0.0.1:0';
    const w: RunningWatch = await startWatch(cfg, await clientFor(url), () => {}, { settings: { ...DEFAULT_WATCH_SETTINGS, reflector: { ...DEFAULT_WATCH_SETTINGS.reflector, initialList: 'paged' } } });
    cleanup.push(() => w.stop());
    await waitFor('ready', async () => (await fetch(`${w.url}/readyz`)).status === 200, 10_000);
    expect(w.agent.store.size('Pod')).toBe(600 + healthyPlatform().filter((o) => o.kind === 'Pod').length);
    expect(api.requests.every((r) => r.gzip)).toBe(true);
    expect(api.requests.some((r) => r.path === '/api/v1/pods' && r.encoding === 'gzip')).toBe(true);
  });

  it('a small gzip body that inflates past the answer bound is refused, not buffered', async () => {
    const bomb = gzipSync(Buffer.alloc(64 * 1024 * 1024, 0x20)); // 64 MiB of spaces in ~64 KiB
    expect(bomb.length).toBeLessThan(256 * 1024);
    const url = await serve((_req, res) => {
      res.writeHead(200, { 'Content-Type': 'application/json', 'Content-Encoding': 'gzip' });
      res.end(bomb);
    });
    const c = await clientFor(url);
    await expect(c.get('/api/v1/pods', { maxBytes: 8 * 1024 * 1024 })).rejects.toThrow(/exceeded 8 MiB/);
  });

  it('a corrupt gzip stream is an error that says so', async () => {
    const url = await serve((_req, res) => {
      res.writeHead(200, { 'Content-Type': 'application/json', 'Content-Encoding': 'gzip' });
      res.end(Buffer.from('this is not gzip at all'));
    });
    const c = await clientFor(url);
    await expect(c.get('/api/v1/pods')).rejects.toThrow(/gzip stream is corrupt/);
  });

  it('a gzipped watch stream is split into lines, and a line past the bound drops the connection', async () => {
    const events = [1, 2, 3].map((i) => JSON.stringify({ type: 'ADDED', object: { kind: 'Pod', apiVersion: 'v1', metadata: { name: `p${i}`, namespace: 'a', resourceVersion: String(i) } } })).join('\n');
    const long = `{"type":"ADDED","object":{"x":"${'y'.repeat(2 * 1024 * 1024)}"}}`;
    let body = `${events}\n`;
    const url = await serve((_req, res) => {
      res.writeHead(200, { 'Content-Type': 'application/json', 'Content-Encoding': 'gzip' });
      res.end(gzipSync(body));
    });
    const c = await clientFor(url);
    const got: string[] = [];
    const r = await c.stream('/api/v1/pods?watch=true', { onLine: (l) => got.push(l) });
    expect(r.status).toBe(200);
    expect(got.map((l) => (JSON.parse(l) as { object: { metadata: { name: string } } }).object.metadata.name)).toEqual(['p1', 'p2', 'p3']);
    body = `${events}\n${long}\n`;
    await expect(c.stream('/api/v1/pods?watch=true', { onLine: () => {}, maxLineBytes: 1024 * 1024 })).rejects.toBeInstanceOf(LineTooLongError);
  });
});
