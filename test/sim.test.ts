// sentinel-agent sim as a person uses it: the real kubectl reads and writes the simulated cluster
// (get, label, delete, patch, scale), and doctor sees what was broken by hand, and then mended.

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { execFile, execFileSync, spawn } from 'node:child_process';
import { promisify } from 'node:util';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startSim, type RunningSim } from '../src/cli/sim.ts';
import { STATE_LABEL } from '../src/sim/playground.ts';
import { jsonPatch, mergePatch, strategicPatch } from '../src/sim/object-writes.ts';
import { BIN, ROOT, cli } from './support/cli.ts';
import { waitFor } from './support/wait.ts';

let s: RunningSim;
beforeAll(async () => {
  s = await startSim({ writeKubeconfig: join(mkdtempSync(join(tmpdir(), 'sentinel-sim-test-')), 'kubeconfig') });
});
afterAll(async () => {
  await s?.stop();
});

// Not execFileSync: the simulated API server runs in this process and must answer kubectl.
const run = promisify(execFile);
const kubectl = async (...args: string[]): Promise<string> => (await run('kubectl', ['--kubeconfig', s.kubeconfig, ...args], { encoding: 'utf8', timeout: 20_000 })).stdout;
const reasons = async (): Promise<string[]> => {
  const r = await cli(['doctor', '--kubeconfig', s.kubeconfig, '-o', 'json', '--fail-on', 'none']);
  return (JSON.parse(r.stdout) as { incidents: { reason: string; object: { name: string } }[] }).incidents.map((i) => `${i.reason} ${i.object.name}`).sort();
};

describe('sentinel-agent sim with the real kubectl', () => {
  it('starts healthy: kubectl lists its MCPServers, doctor finds nothing', async () => {
    expect((await kubectl('get', 'mcpservers', '-A', '-o', 'name')).trim().split('\n').sort()).toEqual(['mcpserver.mcpruntime.org/billing', 'mcpserver.mcpruntime.org/docs', 'mcpserver.mcpruntime.org/search', 'mcpserver.mcpruntime.org/weather']);
    expect(await reasons()).toEqual([]);
  });

  it('a pod labelled crashloop crash-loops, its Deployment, Service and MCPServer follow; labelled running, all resolve', async () => {
    const pod = 'search-7d9f8b6c5d-x2x9q';
    expect(await kubectl('-n', 'mcp-servers', 'label', 'pod', pod, `${STATE_LABEL}=crashloop`, '--overwrite')).toContain('labeled');
    expect(await reasons()).toEqual(['CrashLoopBackOff search-7d9f8b6c5d-x2x9q', 'DeploymentUnavailable search', 'MCPServerPartiallyReady search', 'ServiceNoEndpoints search']);
    const doctor = await cli(['doctor', '--kubeconfig', s.kubeconfig, '-o', 'json']);
    const incidents = (JSON.parse(doctor.stdout) as { incidents: { id: string; reason: string; rootCauseId?: string }[] }).incidents;
    const root = incidents.find((i) => i.reason === 'CrashLoopBackOff');
    expect(incidents.filter((i) => i !== root).every((i) => i.rootCauseId === root?.id)).toBe(true);
    await kubectl('-n', 'mcp-servers', 'label', 'pod', pod, `${STATE_LABEL}=running`, '--overwrite');
    expect(await reasons()).toEqual([]);
  });

  it('pull-auth and oom: the registry rejects the pull, a container was OOMKilled', async () => {
    await kubectl('-n', 'mcp-team-acme', 'label', 'pod', 'weather-7d9f8b6c5d-x2x9q', `${STATE_LABEL}=pull-auth`, '--overwrite');
    await kubectl('-n', 'mcp-servers', 'label', 'pod', 'docs-7d9f8b6c5d-x2x9q', `${STATE_LABEL}=oom`, '--overwrite');
    const r = await reasons();
    expect(r).toContain('RegistryPullFailed weather-7d9f8b6c5d-x2x9q');
    expect(r).toContain('OOMKilled docs-7d9f8b6c5d-x2x9q');
    await kubectl('-n', 'mcp-team-acme', 'label', 'pod', 'weather-7d9f8b6c5d-x2x9q', `${STATE_LABEL}=running`, '--overwrite');
    await kubectl('-n', 'mcp-servers', 'label', 'pod', 'docs-7d9f8b6c5d-x2x9q', `${STATE_LABEL}-`);
  });

  it('delete, patch (strategic, merge, json) and scale as kubectl sends them', async () => {
    await kubectl('-n', 'mcp-servers', 'delete', 'configmap', 'billing-gateway-policy');
    expect(await reasons()).toContain('PolicyNotMaterialized billing');
    await expect(kubectl('-n', 'mcp-servers', 'get', 'configmap', 'billing-gateway-policy')).rejects.toThrow(/NotFound|not found/);
    await kubectl('-n', 'mcp-servers', 'patch', 'deployment', 'docs', '-p', '{"metadata":{"labels":{"tier":"gold"}}}');
    await kubectl('-n', 'mcp-servers', 'patch', 'deployment', 'docs', '--type', 'merge', '-p', '{"metadata":{"annotations":{"owner":"acme"}}}');
    await kubectl('-n', 'mcp-servers', 'patch', 'deployment', 'docs', '--type', 'json', '-p', '[{"op":"replace","path":"/spec/replicas","value":3}]');
    const d = JSON.parse(await kubectl('-n', 'mcp-servers', 'get', 'deployment', 'docs', '-o', 'json')) as { metadata: { labels: Record<string, string>; annotations: Record<string, string> }; spec: { replicas: number } };
    expect(d.metadata.labels.tier).toBe('gold');
    expect(d.metadata.labels.app).toBe('docs');
    expect(d.metadata.annotations.owner).toBe('acme');
    expect(d.spec.replicas).toBe(3);
    expect(await kubectl('-n', 'mcp-servers', 'scale', 'deployment', 'docs', '--replicas=2')).toContain('scaled');
    expect(await kubectl('-n', 'mcp-servers', 'get', 'deployment', 'docs', '-o', 'jsonpath={.spec.replicas}')).toBe('2');
  });
});

describe('the patches, as the API server applies them', () => {
  it('merge patch (RFC 7386), strategic merge by key, JSON patch (RFC 6902)', () => {
    expect(mergePatch({ a: 1, b: { c: 2, d: 3 }, l: [1, 2] }, { b: { c: null, e: 4 }, l: [3] })).toEqual({ a: 1, b: { d: 3, e: 4 }, l: [3] });
    const pod = { spec: { containers: [{ name: 'a', image: 'x:1' }, { name: 'b', image: 'y:1' }] } };
    expect(strategicPatch(pod, { spec: { containers: [{ name: 'b', image: 'y:2' }, { name: 'c', image: 'z:1' }] } })).toEqual({ spec: { containers: [{ name: 'a', image: 'x:1' }, { name: 'b', image: 'y:2' }, { name: 'c', image: 'z:1' }] } });
    expect(strategicPatch(pod, { spec: { containers: [{ name: 'a', $patch: 'delete' }] } })).toEqual({ spec: { containers: [{ name: 'b', image: 'y:1' }] } });
    expect(jsonPatch({ a: [1, 2] }, [{ op: 'add', path: '/a/-', value: 3 }, { op: 'replace', path: '/a/0', value: 0 }, { op: 'add', path: '/b', value: 'x' }, { op: 'remove', path: '/a/1' }])).toEqual({ a: [0, 3], b: 'x' });
    expect(() => jsonPatch({ a: 1 }, [{ op: 'test', path: '/a', value: 2 }])).toThrow(/test failed/);
  });
});

describe('the sim command', () => {
  it('prints its kubeconfig and how to break things, serves kubectl, and stops on Ctrl-C with 0', async () => {
    const child = spawn(process.execPath, [BIN, 'sim'], { cwd: ROOT, env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '/tmp' } });
    let out = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    const exited = new Promise<number | null>((r) => child.on('exit', (c) => r(c)));
    const kubeconfig = await waitFor('the kubeconfig line', () => /^kubeconfig: (\S+)$/m.exec(out)?.[1], 20_000);
    expect(out).toContain(`label pod search-7d9f8b6c5d-x2x9q ${STATE_LABEL}=crashloop --overwrite`);
    expect(execFileSync('kubectl', ['--kubeconfig', kubeconfig, 'get', 'pods', '-A', '--no-headers'], { encoding: 'utf8' }).trim().split('\n').length).toBeGreaterThanOrEqual(4);
    child.kill('SIGINT');
    expect(await exited).toBe(0);
  }, 30_000);
});
