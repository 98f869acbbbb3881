// doctor's inputs and the objects behind them as a hostile peer writes them: shell syntax in names
// (a pasted remediation must run nothing but what it says), escape sequences and broken documents
// from a running agent, inputs past every limit, and strings of any size in any field.

import { afterEach, describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { shellWord, MAX_KEPT } from '../src/util/redact.ts';
import { normalize } from '../src/kube/read/normalize.ts';
import { Sharing } from '../src/kube/read/sharing.ts';
import { readWatchLine } from '../src/collector/watch-events.ts';
import { cli } from './support/cli.ts';
import * as b from './support/objects.ts';

/** One table for this file's objects, as a store has (kube/read/sharing.ts). */
const share = new Sharing();

const servers: Server[] = [];
afterEach(() => {
  for (const s of servers.splice(0)) {
    s.closeAllConnections();
    s.close();
  }
});

async function standIn(handler: Parameters<typeof createServer>[1]): Promise<string> {
  const s = createServer(handler);
  servers.push(s);
  await new Promise<void>((r) => s.listen(0, '127.0.0.1', r));
  return `http://127.0.0.1:${(s.address() as { port: number }).port}`;
}

describe('remediations are safe to paste', () => {
  it('shellWord(v) is read back by bash as exactly v, for any v', () => {
    // Many values a bash: a process per value is slow on a loaded machine (a spawn from a big
    // worker), and the property is the same.
    const value = fc.string({ unit: fc.oneof(fc.constantFrom("'", '"', '$', '`', '\\', ';', '|', '&', '(', ')', '<', '>', '*', '?', '[', '~', '#', ' ', '\t', '!', '{', '}'), fc.string({ unit: 'binary', minLength: 1, maxLength: 1 })), maxLength: 30 }).filter((v) => !v.includes('\u0000'));
    fc.assert(
      fc.property(fc.array(value, { minLength: 1, maxLength: 15 }), (vs) => {
        const r = spawnSync('bash', ['-c', vs.map((v) => `printf '%s\\0' ${shellWord(v)}`).join('\n')], { encoding: 'utf8' });
        expect(r.stdout.split('\u0000').slice(0, -1)).toEqual(vs);
      }),
      { numRuns: 20 },
    );
  });

  it('a dump whose names carry shell syntax: every remediation, run by bash, runs only kubectl', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'sa-paste-'));
    const mark = join(dir, 'pwned');
    const evil = [`$(touch ${mark})`, `x;touch ${mark};#`, `\`touch ${mark}\``, `a'b;touch ${mark};'`, `"$(touch ${mark})"`];
    try {
      for (const e of evil) {
        const items = [
          b.pod(`p${e}`, { ns: `ns${e}`, labels: { app: `web${e}` }, containers: [{ name: `c${e}`, image: `registry.example.com/x${e}:1`, ready: false, restarts: 3, state: b.waiting('CrashLoopBackOff'), lastState: b.terminated('StartError', 128, -1) }] }),
          b.pod(`q${e}`, { ns: `ns${e}`, containers: [{ name: `c${e}`, image: `ghcr.io/x${e}:1`, ready: false, state: b.waiting('ErrImagePull', 'failed to authorize: 401 Unauthorized') }] }),
          b.pod(`o${e}`, { ns: `ns${e}`, containers: [{ name: `c${e}`, lastState: b.terminated('OOMKilled', 137, -2) }] }),
          b.deployment(`d${e}`, { ns: `ns${e}`, replicas: 2, ready: 0, available: 0, selector: { app: `web${e}` } }),
          b.service(`s${e}`, { ns: `ns${e}`, selector: { app: `none${e}` } }),
          b.endpointSlice(`s${e}`, { ns: `ns${e}`, ready: 0 }),
          b.mcpServer(`m${e}`, { ns: `ns${e}`, phase: 'Error', message: 'reconcile Deployment failed' }),
          b.certificateRequest(`cr${e}`, { ns: `ns${e}`, reason: 'Failed' }),
        ];
        const r = await cli(['doctor', '--from-file', '-', '-o', 'json', '--fail-on', 'none', '--now', '2026-11-24T10:00:00Z'], { stdin: JSON.stringify(b.list(items)) });
        const incidents = (JSON.parse(r.stdout) as { incidents: { reason: string; remediation: string }[] }).incidents;
        expect(incidents.length).toBeGreaterThan(5);
        // Everything a remediation could call is a function that does nothing; anything else that
        // ran (touch) leaves the mark. All of them in one bash, each in a subshell; which one, only
        // if the mark is there.
        // eval in a subshell: a syntax error (prose is not shell) ends that one, not the others.
        const paste = (rems: string[]): void => {
          const script = 'kubectl() { :; }; grep() { :; }; head() { :; }; cmctl() { :; }; systemctl() { :; }; journalctl() { :; }\nfor r in "$@"; do ( eval "$r" ) 2>/dev/null; done';
          spawnSync('bash', ['-c', script, 'paste', ...rems.map((r) => r.replace(/<[a-zA-Z_]+>/g, 'X'))], { encoding: 'utf8', timeout: 10_000 });
        };
        paste(incidents.map((i) => i.remediation));
        if (existsSync(mark)) {
          rmSync(mark);
          for (const i of incidents) {
            paste([i.remediation]);
            expect(existsSync(mark), `${i.reason} with ${e}: ${i.remediation}`).toBe(false);
          }
        }
        expect(existsSync(mark)).toBe(false);
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('doctor --from-watcher does not trust the agent it reads', () => {
  const report = (incidents: unknown[], extra: Record<string, unknown> = {}) => JSON.stringify({ schemaVersion: 1, generatedAt: '2026-11-24T10:00:00Z', cluster: { name: 'c', source: 'live' }, incidents, skipped: [], summary: {}, ...extra });
  const good = { id: 'a1', check: 'pod-crash-loop', reason: 'CrashLoopBackOff', severity: 'critical', object: { apiVersion: 'v1', kind: 'Pod', namespace: 'n', name: 'p' }, message: 'm', remediation: 'r', attributes: {} };

  it('escape sequences in any printed field never reach the terminal', async () => {
    const esc = '\u001b[2J\u001b]0;pwned\u0007';
    const url = await standIn((_q, res) => res.end(report([{ ...good, message: `m${esc}`, remediation: `r${esc}`, since: '2026-11-24T09:00:00Z', runbookUrl: `https://x.example/${esc}`, object: { ...good.object, name: `p${esc}` }, server: { namespace: 'n', name: `s${esc}`, teamID: `t${esc}` }, attributes: { k: `v${esc}` } }], { skipped: [{ check: 'pod-failed', reason: 'SourceUnavailable', detail: `d${esc}` }], staleSources: [{ kind: 'Pod', status: 'stale', detail: `x${esc}` }] })));
    const text = await cli(['doctor', '--from-watcher', url, '--fail-on', 'none']);
    expect(text.code).toBe(0);
    expect(text.stdout).not.toContain('\u001b');
    expect(text.stdout).not.toContain('\u0007');
    const json = await cli(['doctor', '--from-watcher', url, '-o', 'json', '--fail-on', 'none']);
    expect(json.stdout).not.toContain('\\u001b');
  });

  const broken: [string, unknown[], RegExp][] = [
    ['an unknown severity', [{ ...good, severity: 'CRITICAL\u001b[2J' }], /incidents\[0\]\.severity: expected critical, warning or info/],
    ['a missing object', [{ ...good, object: undefined }], /incidents\[0\]\.object: expected an object/],
    ['a null incident', [null], /incidents\[0\]: expected an object, got null/],
    ['a reason that is not a name', [{ ...good, reason: 'X; rm -rf ~' }], /incidents\[0\]\.reason: expected a name/],
    ['a since that is not a time', [{ ...good, since: 'yesterday' }], /incidents\[0\]\.since: expected an RFC 3339 time/],
    ['a runbook that is not a URL', [{ ...good, runbookUrl: 'javascript:alert(1)' }], /incidents\[0\]\.runbookUrl: expected an http\(s\) URL/],
  ];
  for (const [name, incidents, want] of broken) {
    it(`${name}: exit 3 naming the field, never a crash`, async () => {
      const url = await standIn((_q, res) => res.end(report(incidents)));
      const r = await cli(['doctor', '--from-watcher', url]);
      expect(r.code).toBe(3);
      expect(r.stderr).toMatch(want);
      expect(r.stderr).not.toContain('internal error');
    });
  }
});

describe('no input is too big', () => {
  it('--from-file /dev/zero, past --max-input: exit 2', async () => {
    const r = await cli(['doctor', '--from-file', '/dev/zero', '--max-input', '4Mi']);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/\/dev\/zero: larger than the input limit of 4 MiB/);
  });

  it('stdin past --max-input: exit 2', async () => {
    const r = await cli(['doctor', '--from-file', '-', '--max-input', '1Ki'], { stdin: JSON.stringify(b.list([b.pod('p', { containers: [{ name: 'c' }] }), b.pod('q', { containers: [{ name: 'c' }] })])) });
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/larger than the input limit of 1024 bytes/);
  });

  it('deeply nested JSON and YAML, an alias bomb: exit 2 with what was refused', async () => {
    const deepArray = `${'['.repeat(200_000)}${']'.repeat(200_000)}`;
    const deepObject = `${'{"items":['.repeat(100)}{}${']}'.repeat(100)}`;
    const bomb = ['a: &a ["x","x","x","x","x","x","x","x","x"]', 'b: &b [*a,*a,*a,*a,*a,*a,*a,*a,*a]', 'c: &c [*b,*b,*b,*b,*b,*b,*b,*b,*b]', 'd: &d [*c,*c,*c,*c,*c,*c,*c,*c,*c]', 'e: [*d,*d,*d,*d,*d,*d,*d,*d,*d]', ''].join('\n');
    const deepYaml = `${Array.from({ length: 5000 }, (_, i) => `${' '.repeat(i)}- `).join('\n')}x\n`;
    for (const [stdin, want] of [[deepArray, /nested deeper than 64 levels|nested too deeply/], [deepObject, /nested deeper than 64 levels/], [bomb, /Excessive alias count|aliases/], [deepYaml, /nested|invalid YAML|no Kubernetes object/]] as const) {
      const r = await cli(['doctor', '--from-file', '-'], { stdin });
      expect(r.code, String(want)).toBe(2);
      expect(r.stderr).toMatch(want);
    }
  });

  it('an endless --from-watcher body is refused at its bound, not held', async () => {
    const url = await standIn((_q, res) => {
      res.writeHead(200, { 'Content-Type': 'application/json' });
      res.write('{"schemaVersion":1,"incidents":["');
      const chunk = 'x'.repeat(1 << 20);
      const pump = (): void => {
        while (res.write(chunk)) {
          /* keep the pipe full */
        }
        res.once('drain', pump);
      };
      pump();
    });
    const { fetchWatcher } = await import('../src/collector/watcher.ts');
    await expect(fetchWatcher(url, 20_000, 16 * 1024 * 1024)).rejects.toThrow(/exceeds .* MiB; refused/);
  });
});

describe('memory per object does not follow what the API server sends', () => {
  it('every string a projection keeps is bounded, whatever the size of any field', () => {
    const huge = 'z'.repeat(1 << 20);
    const inflate = (v: unknown): unknown => {
      if (typeof v === 'string') return v.length > 0 ? huge : v;
      if (Array.isArray(v)) return v.map(inflate);
      if (v && typeof v === 'object') return Object.fromEntries(Object.entries(v).map(([k, x]) => [k === 'kind' || k === 'apiVersion' ? k : k, k === 'kind' || k === 'apiVersion' ? x : inflate(x)]));
      return v;
    };
    const objs = [
      b.mcpServer('m', { phase: 'Error', message: 'x' }),
      b.pod('p', { containers: [{ name: 'c', ready: false, state: b.waiting('ErrImagePull', 'x'), lastState: b.terminated('Error', 1, -1, 'x') }] }),
      b.deployment('d', { replicas: 2, ready: 0 }),
      b.certificate('c', { ready: 'False', message: 'x' }),
      b.certificateRequest('cr', { reason: 'Failed' }),
      b.ingress('i', { host: 'h' }),
      b.service('s'),
      b.configMap('cm', { data: { 'policy.json': 'x' } }),
    ];
    for (const o of objs) {
      const r = normalize(inflate(o), share);
      const walk = (v: unknown, path: string): void => {
        if (typeof v === 'string') expect(v.length, path).toBeLessThanOrEqual(MAX_KEPT);
        else if (v && typeof v === 'object') for (const [k, x] of Object.entries(v)) walk(x, `${path}.${k}`);
      };
      walk(r.obj, String(o.kind));
      // Bounded by the fields a projection keeps (a few dozen) times MAX_KEPT, not by the input.
      expect(JSON.stringify(r.obj ?? {}).length).toBeLessThan(40 * MAX_KEPT);
    }
  });
});


describe('a watch line, whatever it holds', () => {
  it('is read as exactly one of: an event of the kind, a bookmark, an ERROR, another kind, malformed; never a throw', () => {
    const line = fc.oneof(
      fc.string(),
      fc.json(),
      fc.record({ type: fc.oneof(fc.constantFrom('ADDED', 'MODIFIED', 'DELETED', 'BOOKMARK', 'ERROR'), fc.string()), object: fc.oneof(fc.anything(), fc.record({ kind: fc.constantFrom('Pod', 'Deployment', undefined), apiVersion: fc.constantFrom('v1', 'apps/v1', undefined), metadata: fc.anything(), code: fc.anything() })) }).map((e) => JSON.stringify(e)),
    );
    fc.assert(
      fc.property(line, (l) => {
        const r = readWatchLine(l, 'Pod', share);
        expect(['event', 'bookmark', 'error', 'alien', 'malformed']).toContain(r.t);
        if (r.t === 'event') {
          expect(r.obj.kind).toBe('Pod');
          expect(['ADDED', 'MODIFIED', 'DELETED']).toContain(r.type);
        }
      }),
      { numRuns: 3000 },
    );
  });
});
