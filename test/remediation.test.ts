// Remediations are pasted into terminals: each is prose apart and commands that run as they stand.
// Every incident any table test produces is held to that (test/support/run.ts); here, the catalog's
// generic texts and whole dumps through bash itself, and the text report wrapped to a terminal.

import { describe, expect, it } from 'vitest';
import { spawnSync } from 'node:child_process';
import fc from 'fast-check';
import { CATALOG, renderTemplate } from '../src/checks/catalog.ts';
import { remediationSteps, stepProblems, wrap } from '../src/format/remediation.ts';
import { cli } from './support/cli.ts';

const DUMPS = ['cluster-unhealthy.yaml', 'cluster-healthy.yaml'].map((f) => new URL(`./fixtures/${f}`, import.meta.url).pathname);
const NOW = '2026-11-24T10:00:00Z';

/** Runs each command with every program it may name stubbed to print its name and arguments. */
function runStubbed(commands: string[]): { code: number | null; out: string; err: string } {
  const stubs = ['kubectl', 'cmctl', 'systemctl', 'journalctl', 'sentinel-agent', 'crictl'].map((p) => `${p}() { printf '%s\\n' "${p} $*"; }`).join('; ');
  const script = `${stubs}; grep() { cat; }; head() { cat; }\n${commands.map((c) => c.replace(/(?<!')<([a-zA-Z_]+)>(?!')/g, 'X')).join('\n')}\n`;
  const r = spawnSync('bash', ['-euo', 'pipefail', '-c', script], { encoding: 'utf8', timeout: 10_000 });
  return { code: r.status, out: r.stdout, err: r.stderr };
}

async function incidentsOf(file: string): Promise<{ reason: string; remediation: string }[]> {
  const r = await cli(['doctor', '--from-file', file, '--now', NOW, '-o', 'json', '--fail-on', 'none']);
  return (JSON.parse(r.stdout) as { incidents: { reason: string; remediation: string }[] }).incidents;
}

describe('remediations paste as they are', () => {
  it('every reason of the catalog, and every incident of the example dumps: commands apart from prose, each run by bash as one command', async () => {
    const texts = [...[...CATALOG.values()].map((s) => ({ reason: s.reason, remediation: renderTemplate(s.remediation, {}) })), ...(await Promise.all(DUMPS.map(incidentsOf))).flat()];
    expect(texts.length).toBeGreaterThan(60);
    for (const t of texts) {
      expect(stepProblems(t.remediation), `${t.reason}: ${t.remediation}`).toEqual([]);
      const commands = remediationSteps(t.remediation).flatMap((s) => (s.command ? [s.command] : []));
      const r = runStubbed(commands);
      expect(r.code, `${t.reason}: ${commands.join(' ⏎ ')}\n${r.err}`).toBe(0);
      // One line of output per command, naming the program the command starts with.
      const lines = r.out.trimEnd().split('\n').filter((l) => l !== '');
      expect(lines.map((l) => l.split(' ')[0]), t.reason).toEqual(commands.map((c) => c.split(' ')[0]));
    }
  });

  it('a clause is prose, then at most one command to its end; quotes and apostrophes are told apart', () => {
    expect(remediationSteps("Read what the operator's log says: kubectl -n a logs deploy/op | grep -i 'x; y'; then kubectl get pods. Check the CA's certificate.")).toEqual([
      { prose: "Read what the operator's log says:", command: "kubectl -n a logs deploy/op | grep -i 'x; y'" },
      { prose: 'then', command: 'kubectl get pods' },
      { prose: "Check the CA's certificate." },
    ]);
    expect(stepProblems('See it (kubectl get pods) now.')).toEqual(['a command inside prose: "See it (kubectl get pods) now."']);
    expect(stepProblems('Look: kubectl describe pod x (Events), then verify the secret')).toHaveLength(1);
  });
});

describe('text that fits the terminal', () => {
  it('wrap: for any words and width, no line is wider unless it is one word, and nothing is lost or broken', () => {
    fc.assert(
      fc.property(fc.array(fc.string({ unit: fc.constantFrom('a', 'b', 'é', '-', '/'), minLength: 1, maxLength: 30 }), { maxLength: 40 }), fc.integer({ min: 5, max: 120 }), (words, width) => {
        const lines = wrap(words.join(' '), width);
        for (const l of lines) expect(l.length <= width || !l.includes(' '), l).toBe(true);
        expect(lines.join(' ').split(' ').filter((w) => w !== '')).toEqual(words);
      }),
    );
  });

  it('doctor on a terminal of 80 columns: prose wrapped at words within 80, every command whole on its own line', async () => {
    const json = JSON.parse((await cli(['doctor', '--from-file', DUMPS[0] as string, '--now', NOW, '-o', 'json'])).stdout) as { incidents: { remediation: string }[] };
    const text = (await cli(['doctor', '--from-file', DUMPS[0] as string, '--now', NOW], { tty: true, columns: 80, env: { NO_COLOR: '1' } })).stdout;
    const lines = text.split('\n');
    const commands = new Set(json.incidents.flatMap((i) => remediationSteps(i.remediation).flatMap((s) => (s.command ? [s.command] : []))));
    const commandLines = lines.filter((l) => /^ {8}\S/.test(l) && commands.has(l.trim()));
    // Every command of every root incident's fix is printed whole.
    expect(commandLines.length).toBeGreaterThan(20);
    for (const l of lines) {
      // Headings name objects (identifiers, not prose): they stay whole.
      if (commandLines.includes(l) || l.startsWith('sentinel-agent doctor') || /^ {2}[✖▲●] /.test(l) || /^ {4}(runbook|since):? /.test(l)) continue;
      const words = l.trim().split(' ');
      expect(l.length <= 80 || words.length === 1 || words.some((w) => w.length > 40), `${l.length}: ${l}`).toBe(true);
    }
    // Off a terminal (a file, a pipe) nothing is wrapped: one message is one line.
    const piped = (await cli(['doctor', '--from-file', DUMPS[0] as string, '--now', NOW])).stdout;
    expect(piped.split('\n').some((l) => l.length > 120)).toBe(true);
  });
});
