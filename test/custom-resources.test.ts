// customResources: the config key (each error names the entry and the field), the RBAC the
// `rbac` command prints for it, and doctor judging them from a dump through the real CLI.

import { describe, expect, it } from 'vitest';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseAllDocuments } from 'yaml';
import { ConfigError, applyConfigDocument, defaultAgentConfig } from '../src/config/config.ts';
import { cli } from './support/cli.ts';

const FLUX = { group: 'helm.toolkit.fluxcd.io', version: 'v2', kind: 'HelmRelease', plural: 'helmreleases' };
const parse = (customResources: unknown) => applyConfigDocument({ customResources }, defaultAgentConfig(), 'c.yaml');

describe('config customResources', () => {
  it('takes group, version, kind, plural; namespaced by default', () => {
    expect(parse([FLUX, { group: 'example.org', version: 'v1', kind: 'ClusterThing', plural: 'clusterthings', namespaced: false }]).checks.customResources).toEqual([
      { ...FLUX, namespaced: true },
      { group: 'example.org', version: 'v1', kind: 'ClusterThing', plural: 'clusterthings', namespaced: false },
    ]);
  });

  it.each([
    [FLUX, /customResources: expected a list/],
    [[{ ...FLUX, group: '' }], /customResources\[0\]\.group: expected an API group/],
    [[{ ...FLUX, kind: 'helmrelease' }], /customResources\[0\]\.kind: expected a kind as the API names it/],
    [[{ ...FLUX, plural: 'HelmReleases' }], /customResources\[0\]\.plural: expected the resource name/],
    [[{ ...FLUX, namespaced: 'yes' }], /customResources\[0\]\.namespaced: expected true or false/],
    [[{ ...FLUX, versions: ['v2'] }], /customResources\[0\]: unknown key "versions"/],
    [[FLUX, { ...FLUX, group: 'other.io' }], /customResources\[1\]\.kind: HelmRelease is configured already at \[0\]/],
    [[{ ...FLUX, kind: 'Certificate' }], /customResources\[0\]\.kind: Certificate is read already/],
    [Array.from({ length: 9 }, (_, i) => ({ ...FLUX, kind: `K${i}` })), /at most 8 custom resources, got 9/],
  ])('rejects %j naming where', (v, msg) => {
    expect(() => parse(v)).toThrow(ConfigError);
    expect(() => parse(v)).toThrow(msg);
  });
});

function configFile(doc: string): string {
  const dir = mkdtempSync(join(tmpdir(), 'sa-cr-'));
  const p = join(dir, 'config.yaml');
  writeFileSync(p, doc);
  return p;
}

const CONFIG = `customResources:
  - { group: helm.toolkit.fluxcd.io, version: v2, kind: HelmRelease, plural: helmreleases }
  - { group: argoproj.io, version: v1alpha1, kind: AppProject, plural: appprojects }
  - { group: example.org, version: v1, kind: ClusterThing, plural: clusterthings, namespaced: false }
`;

describe('sentinel-agent rbac', () => {
  it('prints a read-only ClusterRole for the configured kinds and its binding to the agent', async () => {
    const r = await cli(['rbac', '--config', configFile(CONFIG), '-n', 'observability']);
    expect(r.code).toBe(0);
    const [role, binding] = parseAllDocuments(r.stdout).map((d) => d.toJS() as { kind?: string; rules?: unknown; metadata: { name: string }; roleRef?: unknown; subjects?: unknown });
    expect(role?.kind).toBe('ClusterRole');
    expect(role?.rules).toEqual([
      { apiGroups: ['argoproj.io'], resources: ['appprojects'], verbs: ['get', 'list', 'watch'] },
      { apiGroups: ['example.org'], resources: ['clusterthings'], verbs: ['get', 'list', 'watch'] },
      { apiGroups: ['helm.toolkit.fluxcd.io'], resources: ['helmreleases'], verbs: ['get', 'list', 'watch'] },
    ]);
    expect(binding?.roleRef).toMatchObject({ kind: 'ClusterRole', name: role?.metadata.name });
    expect(binding?.subjects).toEqual([{ kind: 'ServiceAccount', name: 'sentinel-agent', namespace: 'observability' }]);
  });

  it('says there is nothing to add when the config names none, and a bad config is a usage error', async () => {
    const none = await cli(['rbac']);
    expect([none.code, none.stdout]).toEqual([0, '']);
    expect(none.stderr).toContain('names no customResources');
    const bad = await cli(['rbac', '--config', configFile('customResources: [{ kind: X }]\n')]);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain('customResources[0].group');
  });
});

describe('doctor with customResources', () => {
  it('judges them from a dump, each under its own kind, and says when a configured kind is not in it', async () => {
    const dump = {
      apiVersion: 'v1',
      kind: 'List',
      items: [
        { apiVersion: 'helm.toolkit.fluxcd.io/v2', kind: 'HelmRelease', metadata: { name: 'redis', namespace: 'flux-system', generation: 1 }, status: { observedGeneration: 1, conditions: [{ type: 'Ready', status: 'False', reason: 'InstallFailed', message: 'Helm install failed', lastTransitionTime: '2026-11-24T11:00:00Z' }, { type: 'Stalled', status: 'True', reason: 'RetriesExceeded', message: 'Failed to install after 1 attempt(s)', lastTransitionTime: '2026-11-24T11:00:00Z' }] } },
        { apiVersion: 'example.org/v1', kind: 'ClusterThing', metadata: { name: 'edge', generation: 3 }, status: { observedGeneration: 2 } },
      ],
    };
    const r = await cli(['doctor', '--from-file', '-', '--config', configFile(CONFIG), '-o', 'json'], { stdin: JSON.stringify(dump) });
    const doc = JSON.parse(r.stdout) as { incidents: { reason: string; object: { kind: string; name: string } }[]; skipped: { check: string; reason: string; detail: string }[] };
    expect(doc.skipped).toContainEqual({ check: 'resource-readiness', reason: 'NotInInput', detail: 'appprojects.argoproj.io: not in the input' });
    expect(doc.incidents.filter((i) => i.reason === 'ResourceNotReady').map((i) => `${i.object.kind}/${i.object.name}`).sort()).toEqual(['ClusterThing/edge', 'HelmRelease/redis']);
    expect(r.code, r.stderr).toBe(1);
  });
});
