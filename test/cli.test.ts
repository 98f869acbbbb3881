// The CLI as people who live in kubectl use it: each command's own help, kubectl's flag spellings,
// one clean line for every mistake, version and completion scripts run in the real shells.

import { describe, expect, it } from 'vitest';
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { parse } from 'yaml';
import { cli, ROOT, spawnCli } from './support/cli.ts';
import { which } from './support/prometheus.ts';
import { COMMANDS, FLAGS, nearest } from '../src/cli/spec.ts';

const DUMP = new URL('./fixtures/cluster-unhealthy.yaml', import.meta.url).pathname;
const NOW = '2026-11-24T10:00:00Z';
const doctor = (...a: string[]): Promise<Awaited<ReturnType<typeof cli>>> => cli(['doctor', '--from-file', DUMP, '--now', NOW, ...a]);

describe('help', () => {
  it("each command prints its own usage with every one of its flags, by --help, -h and help COMMAND", async () => {
    const texts = new Set<string>();
    for (const c of COMMANDS) {
      const a = await cli([c.name, '--help']);
      expect(a.code, c.name).toBe(0);
      expect(a.stdout).toMatch(new RegExp(`^sentinel-agent ${c.name}: `));
      expect((await cli([c.name, '-h'])).stdout).toBe(a.stdout);
      expect((await cli(['help', c.name])).stdout).toBe(a.stdout);
      texts.add(a.stdout);
    }
    expect(texts.size).toBe(COMMANDS.length);
    // What a newcomer looks for: -o and -n on doctor, --listen on demo.
    expect((await cli(['doctor', '--help'])).stdout).toMatch(/^ {2}-o, --output FORMAT +how to print: text\|json\|yaml\|wide$/m);
    expect((await cli(['doctor', '--help'])).stdout).toMatch(/^ {2}-n, --namespace NS /m);
    expect((await cli(['demo', '--help'])).stdout).toMatch(/^ {6}--listen HOST:PORT /m);
    expect((await cli(['watch', '--help'])).stdout).toMatch(/--prometheus/);
    expect((await cli(['help', 'doctr'])).stderr).toContain('help: no command "doctr" (did you mean doctor?)');
  });

  it('the global help lists every command; no command at all is a usage error that still shows it', async () => {
    const h = await cli(['--help']);
    expect(h.code).toBe(0);
    for (const c of COMMANDS) expect(h.stdout).toMatch(new RegExp(`^ {2}${c.name}\\b`, 'm'));
    const none = await cli([]);
    expect(none.code).toBe(2);
    expect(none.stdout).toBe(h.stdout);
  });
});

describe("kubectl's flag habits", () => {
  it('-o json, -o=json, -ojson, --output json and --output=json are one thing', async () => {
    const base = (await doctor('-o', 'json')).stdout.replace(/"generatedAt": "[^"]+"/, '');
    for (const form of [['-o=json'], ['-ojson'], ['--output', 'json'], ['--output=json']]) {
      const r = await doctor(...form);
      expect(r.code, form.join(' ')).toBe(1);
      expect(r.stdout.replace(/"generatedAt": "[^"]+"/, ''), form.join(' ')).toBe(base);
    }
  });

  it('-o yaml is the JSON report in YAML', async () => {
    const y = await doctor('-o', 'yaml');
    const j = await doctor('-o', 'json');
    expect(y.code).toBe(1);
    expect(parse(y.stdout)).toEqual(JSON.parse(j.stdout));
  });

  it('-o wide: one incident a line with age, MCPServer and root cause; --no-headers drops the header', async () => {
    const json = JSON.parse((await doctor('-o', 'json')).stdout) as { incidents: { id: string; reason: string; object: { kind: string; name: string }; rootCauseId?: string; server?: { name: string } }[] };
    const wide = await doctor('-o', 'wide');
    expect(wide.code).toBe(1);
    const lines = wide.stdout.trimEnd().split('\n');
    expect(lines[0]).toMatch(/^SEVERITY +REASON +NAMESPACE +OBJECT +AGE +MCPSERVER +ROOT CAUSE +MESSAGE$/);
    expect(lines.length).toBe(json.incidents.length + 1);
    const byId = new Map(json.incidents.map((i) => [i.id, i]));
    for (const i of json.incidents) {
      const line = lines.find((l) => l.split(/ {2,}/)[1] === i.reason && l.includes(` ${i.object.kind}/${i.object.name} `));
      expect(line, `${i.reason} ${i.object.name}`).toBeDefined();
      const cells = (line as string).split(/ {2,}/);
      expect(cells[5]).toBe(i.server?.name ?? '-');
      const cause = i.rootCauseId ? byId.get(i.rootCauseId) : undefined;
      expect(cells[6]).toBe(cause ? `${cause.reason} ${cause.object.kind}/${cause.object.name}` : '-');
    }
    const bare = await doctor('-o', 'wide', '--no-headers');
    expect(bare.stdout).toBe(`${lines.slice(1).join('\n')}\n`);
    const cat = (await cli(['checks', '--no-headers'])).stdout.trimEnd().split('\n');
    expect(cat[0]).toMatch(/^MCPServerError +MCPServer +critical/);
    expect(cat.every((l) => !l.startsWith('REASON') && l.trim() !== '')).toBe(true);
  });

  it('-n is repeatable, -A is every namespace and cannot be mixed with -n', async () => {
    const ns = (r: { stdout: string }): Set<string | undefined> => new Set((JSON.parse(r.stdout) as { incidents: { object: { namespace?: string } }[] }).incidents.map((i) => i.object.namespace));
    const two = ns(await doctor('-o', 'json', '-n', 'analytics', '-n', 'mcp-servers'));
    expect([...two].filter((n) => n !== undefined).sort()).toEqual(['analytics', 'mcp-servers']);
    expect(ns(await doctor('-o', 'json', '-A'))).toEqual(ns(await doctor('-o', 'json')));
    const both = await doctor('-A', '-n', 'x');
    expect(both.code).toBe(2);
    expect(both.stderr).toContain('-A (every namespace) and -n x cannot be used together');
  });

  it('--filter keeps the named reasons and checks (any case, repeatable or comma-separated); the exit code follows', async () => {
    const reasons = (r: { stdout: string }): string[] => [...new Set((JSON.parse(r.stdout) as { incidents: { reason: string }[] }).incidents.map((i) => i.reason))].sort();
    expect(reasons(await doctor('-o', 'json', '--filter', 'crashloopbackoff,OOMKilled'))).toEqual(['CrashLoopBackOff', 'OOMKilled']);
    expect(reasons(await doctor('-o', 'json', '--filter', 'pod-oom-killed', '--filter', 'NodeNotReady'))).toEqual(['NodeNotReady', 'OOMKilled']);
    const warn = await doctor('--filter', 'OOMKilled', '--fail-on', 'critical');
    expect(warn.code).toBe(0);
    const bad = await doctor('--filter', 'CrashLop');
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain('--filter: no reason or check is called "CrashLop" (did you mean CrashLoopBackOff?)');
  });

  it('every mistake is one clean line naming the flag, with what was near it', async () => {
    const rows: [string[], RegExp][] = [
      [['doctor', '--outptu', 'json'], /^sentinel-agent: doctor: unknown flag --outptu \(did you mean --output\?\)$/],
      [['doctor', '--speed', '4'], /^sentinel-agent: doctor: unknown flag --speed \(--speed is a flag of demo\)$/],
      [['doctor', '-x'], /^sentinel-agent: doctor: unknown flag -x$/],
      [['doctor', '-o'], /^sentinel-agent: doctor: --output needs a value \(text, json, yaml, wide\)$/],
      [['doctor', '--from-file'], /^sentinel-agent: doctor: --from-file needs a value \(PATH\|-\)$/],
      [['watch', '--prometheus=yes'], /^sentinel-agent: watch: --prometheus takes no value$/],
      [['doctor', '-o', 'jsn'], /^sentinel-agent: --output: expected text, json, yaml or wide, got "jsn" \(did you mean json\?\)$/],
      [['docter'], /^sentinel-agent: unknown command "docter" \(did you mean doctor\?\); the commands: doctor, /],
      [['--kubeconfig', 'x'], /^sentinel-agent: --kubeconfig needs a command first/],
      [['watch', '--kubeconfig', '/nonexistent/k'], /^sentinel-agent: --kubeconfig: no such file: \/nonexistent\/k$/],
    ];
    for (const [argv, line] of rows) {
      const r = await cli(argv);
      expect(r.code, argv.join(' ')).toBe(2);
      const [first, second, ...more] = r.stderr.trimEnd().split('\n');
      expect(first, argv.join(' ')).toMatch(line);
      expect(second).toMatch(/^Run sentinel-agent (\w+ )?--help for usage\.$/);
      expect(more).toEqual([]);
      // Node's own parser message left an unbalanced quote: every quote here is paired.
      expect(((first as string).match(/"/g) ?? []).length % 2, first).toBe(0);
    }
  });

  it('did you mean: any flag of a command mistyped by one letter is found again', () => {
    fc.assert(
      fc.property(fc.constantFrom(...FLAGS.filter((f) => f.name.length >= 4).map((f) => f.name)), fc.nat(), fc.constantFrom('drop', 'swap', 'change'), (name, at, edit) => {
        const i = at % (name.length - 1);
        const typed = edit === 'drop' ? name.slice(0, i) + name.slice(i + 1) : edit === 'swap' ? name.slice(0, i) + (name[i + 1] as string) + (name[i] as string) + name.slice(i + 2) : `${name.slice(0, i)}${name[i] === 'q' ? 'z' : 'q'}${name.slice(i + 1)}`;
        if (typed === name) return;
        expect(nearest(typed, FLAGS.map((f) => f.name))).toContain(name);
      }),
      { numRuns: 300 },
    );
  });
});

describe('version', () => {
  it('version, --version and -o json agree: the package version, the runtime, the checkout commit', async () => {
    const pkg = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { version: string };
    const head = execFileSync('git', ['rev-parse', 'HEAD'], { cwd: ROOT, encoding: 'utf8' }).trim();
    const j = JSON.parse((await spawnCli(['version', '-o', 'json'])).stdout) as { version: string; node: string; commit?: string };
    expect(j).toEqual({ version: pkg.version, node: process.version, commit: head });
    const text = await spawnCli(['version']);
    expect(text.stdout).toBe(`sentinel-agent ${pkg.version} (node ${process.version}, commit ${head.slice(0, 12)})\n`);
    expect((await spawnCli(['--version'])).stdout).toBe(text.stdout);
    // The image has no .git: the build sets SENTINEL_AGENT_COMMIT; anything else is not a commit.
    expect((JSON.parse((await cli(['version', '-o', 'json'], { env: { SENTINEL_AGENT_COMMIT: 'ABCDEF1' } })).stdout) as { commit: string }).commit).toBe('abcdef1');
    expect((parse((await cli(['version', '-o', 'yaml'])).stdout) as { version: string }).version).toBe(pkg.version);
  });
});

describe('completion scripts, in the real shells', () => {
  const dir = mkdtempSync(join(tmpdir(), 'sentinel-completion-'));
  const script = async (shell: string): Promise<string> => {
    const r = await cli(['completion', shell]);
    expect(r.code).toBe(0);
    const p = join(dir, `c.${shell}`);
    writeFileSync(p, r.stdout);
    return p;
  };

  it('bash: parses, and completes commands, flags, their values and reasons', async () => {
    const p = await script('bash');
    const complete = (...words: string[]): string[] => {
      const out = execFileSync('bash', ['-c', `source "$0"; COMP_WORDS=(${words.map((w) => `'${w}'`).join(' ')}); COMP_CWORD=${words.length - 1}; _sentinel_agent; printf '%s\\n' "\${COMPREPLY[@]}"`, p], { encoding: 'utf8' });
      return out.split('\n').filter((l) => l !== '');
    };
    expect(complete('sentinel-agent', 'do')).toEqual(['doctor']);
    expect(complete('sentinel-agent', 'doctor', '-o', '')).toEqual(['text', 'json', 'yaml', 'wide']);
    expect(complete('sentinel-agent', 'checks', '-o', '')).toEqual(['text', 'json', 'yaml']);
    expect(complete('sentinel-agent', 'doctor', '--fil')).toEqual(['--filter']);
    expect(complete('sentinel-agent', 'doctor', '--filter', 'OOM')).toEqual(['OOMKilled']);
    expect(complete('sentinel-agent', 'checks', 'CrashL')).toEqual(['CrashLoopBackOff']);
    expect(complete('sentinel-agent', 'demo', '--')).toContain('--listen');
    expect(complete('sentinel-agent', 'completion', '')).toEqual(['bash', 'zsh', 'fish']);
  });

  it('zsh: parses, and registers its function with compinit', async () => {
    const p = await script('zsh');
    const zsh = which('zsh', 'zsh');
    expect(spawnSync(zsh, ['-n', p]).status).toBe(0);
    const out = execFileSync(zsh, ['-f', '-c', `autoload -U compinit; compinit -u -d "${dir}/zcompdump"; source "$0"; print -r -- \${_comps[sentinel-agent]}`, p], { encoding: 'utf8' });
    expect(out.trim()).toBe('_sentinel_agent');
  });

  it('fish: parses, and completes commands, flag values and reasons', async () => {
    const p = await script('fish');
    const fish = which('fish', 'fish');
    expect(spawnSync(fish, ['-n', p]).status).toBe(0);
    const complete = (line: string): string[] => execFileSync(fish, ['-c', `source "${p}"; complete -C "${line}"`], { encoding: 'utf8' }).split('\n').filter((l) => l !== '').map((l) => l.split('\t')[0] as string);
    expect(complete('sentinel-agent doc')).toEqual(['doctor']);
    expect(complete('sentinel-agent doctor -o ').sort()).toEqual(['json', 'text', 'wide', 'yaml']);
    expect(complete('sentinel-agent doctor --filter OOM')).toContain('OOMKilled');
  });

  it('an unknown shell is a usage error naming the three', async () => {
    const r = await cli(['completion', 'powershell']);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('completion: expected one shell, bash, zsh or fish, got "powershell"');
  });
});
