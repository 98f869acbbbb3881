// Least privilege for ConfigMaps: the checks need only the operator's `<name>-gateway-policy`
// ConfigMaps, so every LIST and WATCH of ConfigMaps carries the operator's label selector, and a dump
// is read the same way (an application's ConfigMap is never read, whatever it holds). The real API
// server's audit log shows the same in e2e/install.e2e.ts.

import { afterEach, describe, expect, it } from 'vitest';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { stringify } from 'yaml';
import { FakeApiServer } from '../src/sim/apiserver.ts';
import { KINDS, kindQuery, matchesKindSelector } from '../src/kube/kinds.ts';
import { cli } from './support/cli.ts';
import { configMap, healthyPlatform, healthyServer, list } from './support/objects.ts';

let server: FakeApiServer | undefined;
afterEach(async () => {
  await server?.stop();
  server = undefined;
});

const SELECTOR = 'app.kubernetes.io/managed-by=mcp-runtime';

describe('ConfigMaps are read through the operator label selector', () => {
  it('the selector is the one on the operator objects, and matches exactly those labels', () => {
    expect(KINDS.ConfigMap.labelSelector).toBe(SELECTOR);
    expect(kindQuery('ConfigMap', { limit: '500' }).get('labelSelector')).toBe(SELECTOR);
    expect(kindQuery('Pod', { limit: '500' }).has('labelSelector')).toBe(false);
    expect(matchesKindSelector('ConfigMap', { metadata: { labels: { 'app.kubernetes.io/managed-by': 'mcp-runtime', app: 'x' } } })).toBe(true);
    for (const labels of [undefined, null, {}, { 'app.kubernetes.io/managed-by': 'helm' }, { 'app.kubernetes.io/managed-by': ['mcp-runtime'] }, 'mcp-runtime'])
      expect(matchesKindSelector('ConfigMap', { metadata: { labels } }), JSON.stringify(labels)).toBe(false);
    expect(matchesKindSelector('Pod', undefined)).toBe(true);
  });

  it('doctor live: every ConfigMap LIST carries the selector', async () => {
    server = new FakeApiServer({ token: 't' });
    server.apply(...healthyPlatform(), ...healthyServer('weather', { gateway: true }));
    const url = await server.start();
    const kc = join(mkdtempSync(join(tmpdir(), 'sa-cm-')), 'config');
    writeFileSync(kc, server.kubeconfig(url));
    const r = await cli(['doctor', '--kubeconfig', kc, '-o', 'json']);
    expect(r.code, r.stderr).toBe(0);
    const cms = server.requests.filter((q) => q.path.endsWith('/configmaps'));
    expect(cms.length).toBeGreaterThan(0);
    for (const q of cms) expect(q.query.labelSelector).toBe(SELECTOR);
  });

  it('a dump: an application ConfigMap is not read, and one named like a policy but not the operator one does not count', async () => {
    const objs = [...healthyPlatform(), ...healthyServer('weather', { gateway: true })].filter((o) => (o as { kind: string }).kind !== 'ConfigMap');
    objs.push(configMap('weather-gateway-policy', { labels: { app: 'weather' }, data: { 'policy.json': '{}' } }));
    objs.push(configMap('app-settings', { data: { DATABASE_URL: 'postgres://u:hunter2@db/x' } }));
    const file = join(mkdtempSync(join(tmpdir(), 'sa-cm-')), 'dump.yaml');
    writeFileSync(file, stringify(list(objs)));
    const r = await cli(['doctor', '--from-file', file, '-o', 'json', '--fail-on', 'none']);
    const doc = JSON.parse(r.stdout) as { incidents: { reason: string; object: { name: string } }[]; notes?: string[] };
    expect(doc.incidents.map((i) => `${i.reason} ${i.object.name}`)).toContain('PolicyNotMaterialized weather');
    expect(`${r.stderr}${JSON.stringify(doc)}`).toContain(`2 ConfigMap object(s) without ${SELECTOR} not read`);
    expect(r.stdout).not.toContain('hunter2');
  });
});
