// doctor end to end over whole-cluster dumps: golden text and JSON, exit codes, input formats,
// malformed input. Goldens are rewritten with UPDATE_GOLDEN=1.

import { describe, expect, it } from 'vitest';
import { readFileSync, writeFileSync } from 'node:fs';
import { stringify } from 'yaml';
import { cli, spawnCli } from './support/cli.ts';
import { list, pod, waiting } from './support/objects.ts';
import fc from 'fast-check';

const F = (n: string): string => new URL(`./fixtures/${n}`, import.meta.url).pathname;
const NOW = '2026-11-24T10:00:00Z';

function golden(name: string, actual: string): void {
  const url = new URL(`./golden/${name}`, import.meta.url);
  if (process.env.UPDATE_GOLDEN) writeFileSync(url, actual);
  expect(actual).toBe(readFileSync(url, 'utf8'));
}

describe('doctor --from-file on whole-cluster dumps', () => {
  it('healthy cluster: no incidents, exit 0', async () => {
    const r = await cli(['doctor', '--from-file', F('cluster-healthy.yaml'), '--now', NOW]);
    expect(r.code).toBe(0);
    golden('healthy.txt', r.stdout);
  });

  it('unhealthy cluster: golden text, exit 1', async () => {
    const r = await cli(['doctor', '--from-file', F('cluster-unhealthy.yaml'), '--now', NOW]);
    expect(r.code).toBe(1);
    golden('unhealthy.txt', r.stdout);
    expect(r.stderr).toContain('Deployment analytics/odd): read around status.readyReplicas: expected a number, got string "one"');
  });

  it('unhealthy cluster: golden JSON in the contract schema', async () => {
    const r = await cli(['doctor', '--from-file', F('cluster-unhealthy.yaml'), '--now', NOW, '--output', 'json']);
    expect(r.code).toBe(1);
    golden('unhealthy.json', r.stdout);
    const doc = JSON.parse(r.stdout) as Record<string, unknown>;
    expect(Object.keys(doc)).toEqual(['schemaVersion', 'generatedAt', 'cluster', 'incidents', 'skipped', 'summary']);
    expect(doc.cluster).toEqual({ name: 'default', source: 'file' });
    const incidents = doc.incidents as Record<string, unknown>[];
    for (const i of incidents) {
      expect(Object.keys(i).filter((k) => !['runbookUrl', 'since', 'server', 'rootCauseId'].includes(k))).toEqual(['id', 'check', 'reason', 'severity', 'object', 'message', 'remediation', 'attributes']);
    }
    const reasons = new Set(incidents.map((i) => i.reason));
    for (const r2 of ['RegistryPullFailed', 'CrashLoopBackOff', 'PolicyNotMaterialized', 'GatewayNotReady', 'MCPServerError', 'MCPServerPending', 'MCPServerPartiallyReady', 'IngressNotAdmitted', 'OperatorUnavailable', 'CertificateNotReady', 'CertificateRequestFailed', 'OOMKilled', 'PodUnschedulable', 'CreateContainerConfigError', 'DeploymentUnavailable', 'ServiceNoEndpoints']) {
      expect(reasons, r2).toContain(r2);
    }
    expect(JSON.stringify(doc)).not.toMatch(/doctor-smoke|doctor-pull/);
  });

  it('the same dump in JSON and in YAML, on every run, gives byte-identical JSON (but generatedAt)', async () => {
    const a = await cli(['doctor', '--from-file', F('cluster-unhealthy.yaml'), '--now', NOW, '-o', 'json'], { now: 1 });
    const b = await cli(['doctor', '--from-file', F('cluster-unhealthy.json'), '--now', NOW, '-o', 'json'], { now: 2 });
    const strip = (s: string): string => s.replace(/"generatedAt": "[^"]+"/, '');
    expect(strip(b.stdout)).toBe(strip(a.stdout));
    expect(a.stdout).not.toBe(b.stdout);
  });

  it('--fail-on sets the threshold', async () => {
    expect((await cli(['doctor', '--from-file', F('cluster-unhealthy.yaml'), '--now', NOW, '--fail-on', 'none'])).code).toBe(0);
    const warnOnly = stringify(list([pod('p', { containers: [{ name: 'c' }], scheduled: { status: 'False', reason: 'Unschedulable' } })]));
    expect((await cli(['doctor', '--from-file', '-', '--fail-on', 'critical'], { stdin: warnOnly })).code).toBe(0);
    expect((await cli(['doctor', '--from-file', '-', '--fail-on', 'warning'], { stdin: warnOnly })).code).toBe(1);
  });

  it('--namespace and --exclude-namespace narrow what is read (nodes, cluster-scoped, are read in every scope)', async () => {
    const only = await cli(['doctor', '--from-file', F('cluster-unhealthy.yaml'), '--now', NOW, '-o', 'json', '--namespace', 'analytics']);
    const incidents = (JSON.parse(only.stdout) as { incidents: { object: { kind: string; namespace?: string } }[] }).incidents;
    expect([...new Set(incidents.map((i) => i.object.namespace ?? i.object.kind))].sort()).toEqual(['Node', 'analytics']);
    const excl = await cli(['doctor', '--from-file', F('cluster-unhealthy.yaml'), '--now', NOW, '-o', 'json', '--exclude-namespace', 'analytics', '--exclude-namespace', 'mcp-servers']);
    const ns2 = new Set((JSON.parse(excl.stdout) as { incidents: { object: { namespace: string } }[] }).incidents.map((i) => i.object.namespace));
    expect(ns2.has('analytics') || ns2.has('mcp-servers')).toBe(false);
    expect(ns2.has('mcp-team-acme')).toBe(true);
  });

  it('reads a JSON array, a single object and a multi-document stream from stdin', async () => {
    const p = pod('p', { containers: [{ name: 'c', ready: false, state: waiting('CrashLoopBackOff') }] });
    for (const input of [JSON.stringify([p]), JSON.stringify(p), `${stringify(p)}---\n${stringify(pod('q', { containers: [{ name: 'c' }] }))}`]) {
      const r = await cli(['doctor', '--from-file', '-', '-o', 'json'], { stdin: input });
      expect(r.code).toBe(1);
      expect((JSON.parse(r.stdout) as { incidents: { reason: string }[] }).incidents.map((i) => i.reason)).toEqual(['CrashLoopBackOff']);
    }
  });

  it('colour only on a TTY, and never with NO_COLOR', async () => {
    const args = ['doctor', '--from-file', F('cluster-unhealthy.yaml'), '--now', NOW];
    expect((await cli(args)).stdout).not.toContain('\u001b[');
    expect((await cli(args, { tty: true })).stdout).toContain('\u001b[');
    expect((await cli(args, { tty: true, env: { NO_COLOR: '1' } })).stdout).not.toContain('\u001b[');
  });
});

describe('doctor input and usage errors (exit 2)', () => {
  const rows: [string, string[], string | undefined, RegExp][] = [
    ['invalid JSON names file, line and column', ['--from-file', '-'], '{\n  "kind": "List",\n  "items": [ {"kind": "Pod",, } ]\n}', /<stdin>: invalid JSON at line 3, column \d+/],
    ['invalid JSON in a later item of a List names its line', ['--from-file', '-'], '{"kind": "List", "items": [\n  {"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "a", "namespace": "x"}},\n  {"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "p",, "namespace": "x"}}\n]}', /<stdin>: invalid JSON at line 3, column \d+/],
    ['text after the List is invalid JSON', ['--from-file', '-'], '{"kind": "List", "items": []}\n}', /<stdin>: invalid JSON at line 2, column 1/],
    ['invalid YAML names file and line', ['--from-file', '-'], 'kind: Pod\nmetadata:\n  name: [unclosed\n', /<stdin>: invalid YAML at line \d+, column \d+/],
    ['empty input', ['--from-file', '-'], '   \n', /<stdin>: the input is empty/],
    ['missing file', ['--from-file', '/nonexistent/dump.json'], undefined, /\/nonexistent\/dump.json: cannot read the file \(no such file\)/],
    ['bad --now', ['--from-file', '-', '--now', 'yesterday'], '[]', /--now: expected an RFC 3339 time/],
    ['bad --output', ['--from-file', '-', '--output', 'xml'], '[]', /--output: expected text, json, yaml or wide, got "xml"/],
    ['bad --fail-on', ['--from-file', '-', '--fail-on', 'fatal'], '[]', /--fail-on: expected critical, warning, info or none/],
    ['unknown flag', ['--frm-file', 'x'], undefined, /^sentinel-agent: doctor: unknown flag --frm-file \(did you mean --from-file\?\)\n/],
    ['--kubeconfig naming no file', ['--kubeconfig', '/nonexistent/kubeconfig'], undefined, /^sentinel-agent: --kubeconfig: no such file: \/nonexistent\/kubeconfig\n/],
    ['bad config value', ['--from-file', '-', '--config', '/dev/stdin'], undefined, /cannot read|config/],
  ];
  for (const [name, args, stdin, err] of rows) {
    it(name, async () => {
      const r = await cli(['doctor', ...args], stdin !== undefined ? { stdin } : {});
      expect(r.code).toBe(2);
      expect(r.stderr).toMatch(err);
      expect(r.stdout).toBe('');
    });
  }

  it('a config file with an unknown key or a wrong value is named precisely', async () => {
    const path = '/tmp/sentinel-agent-test-config.yaml';
    writeFileSync(path, 'operator:\n  namespace: ops\nreasons:\n  CrashLoopBackOff:\n    grace: soon\n');
    const r = await cli(['doctor', '--from-file', '-', '--config', path], { stdin: '[]' });
    expect(r.code).toBe(2);
    expect(r.stderr).toContain(`${path}: reasons.CrashLoopBackOff.grace: expected a duration such as 90s, 5m, 1h or 7d, got "soon"`);
    writeFileSync(path, 'registy: {}\n');
    expect((await cli(['doctor', '--from-file', '-', '--config', path], { stdin: '[]' })).stderr).toContain(`${path}: unknown key "registy"`);
  });

  it('an object with missing or wrongly typed fields is evaluated around and noted, never a crash', async () => {
    const input = JSON.stringify({
      kind: 'List',
      items: [
        { kind: 'Pod', metadata: { name: 'weird', namespace: 'x' }, status: { containerStatuses: [{ name: 'c', state: { waiting: { reason: 'CrashLoopBackOff' } }, restartCount: 'many' }], conditions: { no: 1 } } },
        { kind: 'Pod', metadata: {} },
        { kind: 'Pod', metadata: { name: 'fine', namespace: 'x' }, status: { phase: 'Running' } },
        null,
        { kind: 'ServiceAccount', metadata: { name: 'n1' } },
      ],
    });
    const r = await cli(['doctor', '--from-file', '-', '-o', 'json'], { stdin: input });
    expect(r.code).toBe(1);
    expect((JSON.parse(r.stdout) as { incidents: { reason: string; object: { name: string } }[] }).incidents.map((i) => `${i.reason} ${i.object.name}`)).toEqual(['CrashLoopBackOff weird']);
    expect(r.stderr).toContain('root.items[0] (Pod x/weird): read around');
    expect(r.stderr).toContain('restartCount: expected a number');
    expect(r.stderr).toContain('root.items[1] (Pod ?): skipped: Pod without metadata.name');
    expect(r.stderr).toContain('ignored kinds no check reads: ServiceAccount (1)');
  });
});

describe('notes follow the namespaces asked for', () => {
  it('for any -n set, each object read around is noted once if in it, never if outside it', async () => {
    const all = ['alpha', 'beta', 'gamma'];
    await fc.assert(
      fc.asyncProperty(fc.subarray(all, { minLength: 1 }), fc.subarray(all), async (asked, broken) => {
        const items = broken.flatMap((ns) => [
          { apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'odd', namespace: ns }, spec: { replicas: 1 }, status: { readyReplicas: 'one' } },
          { apiVersion: 'v1', kind: 'Event', type: 'Normal', reason: 'Pulled', metadata: { name: `e.${ns}`, namespace: ns }, involvedObject: { kind: 'Pod', name: 'p', namespace: ns } },
        ]);
        items.push(pod('fine', { ns: 'alpha', containers: [{ name: 'c', state: { running: { startedAt: '2026-11-24T09:00:00Z' } } }] }) as never);
        const r = await cli(['doctor', '--from-file', '-', ...asked.flatMap((n) => ['-n', n])], { stdin: JSON.stringify(list(items)) });
        for (const ns of all) {
          const noted = r.stderr.split(`(Deployment ${ns}/odd): read around`).length - 1;
          expect(noted, `${ns} asked ${asked.join(',')}`).toBe(asked.includes(ns) && broken.includes(ns) ? 1 : 0);
        }
        const events = broken.filter((ns) => asked.includes(ns)).length;
        if (events > 0) expect(r.stderr).toContain(`${events} Event object(s) without type=Warning not read`);
        else expect(r.stderr).not.toContain('without type=Warning');
      }),
      { numRuns: 40 },
    );
  });
});

describe('the real executable', () => {
  it('runs doctor on a dump from stdin with the exit code', async () => {
    const r = await spawnCli(['doctor', '--from-file', '-', '--output', 'json'], { stdin: readFileSync(F('cluster-unhealthy.json'), 'utf8') });
    expect(r.code).toBe(1);
    expect((JSON.parse(r.stdout) as { summary: { critical: number } }).summary.critical).toBeGreaterThan(0);
  });

  it('prints help, the catalog and one reason', async () => {
    expect((await spawnCli(['--help'])).stdout).toMatch(/^ {2}doctor +evaluate the checks once/m);
    const table = await spawnCli(['checks']);
    expect(table.code).toBe(0);
    expect(table.stdout).toMatch(/^CrashLoopBackOff\s+Pod\s+critical/m);
    const one = await spawnCli(['checks', 'registrypullfailed']);
    expect(one.stdout).toContain('RegistryPullFailed — Pull from the MCP Runtime registry failed');
    const json = JSON.parse((await spawnCli(['checks', '-o', 'json'])).stdout) as { reasons: { reason: string; remediation: string }[] };
    expect(json.reasons.length).toBeGreaterThanOrEqual(23);
    expect(json.reasons.every((r) => r.remediation.length > 0)).toBe(true);
    const bad = await spawnCli(['checks', 'CrashLoop']);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain('did you mean CrashLoopBackOff?');
  });
});

describe('input that is not a dump of the cluster', () => {
  const cases: [string, string, RegExp][] = [
    ['an empty JSON object', '{}', /holds root: an empty object/],
    ['a JSON file that is not a dump', '{"name":"my-app","version":"1.0.0","dependencies":{}}', /an object with keys "name", "version"/],
    ['an empty array', '[]', /an empty list/],
    ['a list of numbers', '[1, 2]', /number 1/],
    ['only kinds no check reads', JSON.stringify({ kind: 'List', apiVersion: 'v1', items: [{ apiVersion: 'v1', kind: 'ServiceAccount', metadata: { name: 'n1' } }] }), /only kinds no check reads: ServiceAccount \(1\)/],
    ['YAML that is not a dump', 'just: a\nconfig: file\n', /no Kubernetes object/],
  ];
  for (const [name, stdin, want] of cases) {
    it(`${name}: exit 2 naming the input and what it holds`, async () => {
      const r = await cli(['doctor', '--from-file', '-'], { stdin });
      expect(r.code).toBe(2);
      expect(r.stderr).toMatch(/^sentinel-agent: <stdin>: no Kubernetes object that the checks read was found/m);
      expect(r.stderr).toMatch(want);
      expect(r.stdout).not.toContain('No incidents');
    });
  }

  it('an empty typed List is a valid dump of a cluster with none of that kind', async () => {
    const r = await cli(['doctor', '--from-file', '-', '--fail-on', 'none'], { stdin: JSON.stringify({ apiVersion: 'v1', kind: 'PodList', items: [] }) });
    expect(r.code).toBe(0);
  });

  it('a dump in which every check was skipped says so and does not exit 0', async () => {
    const stdin = JSON.stringify({ kind: 'List', apiVersion: 'v1', items: [{ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'x', namespace: 'n' }, data: { a: 'b' } }] });
    const r = await cli(['doctor', '--from-file', '-', '--fail-on', 'none'], { stdin });
    expect(r.code).toBe(2);
    expect(r.stdout).toContain('Nothing was checked');
    expect(r.stdout).not.toContain('✔');
    expect(r.stderr).toMatch(/every check was skipped/);
  });
});
