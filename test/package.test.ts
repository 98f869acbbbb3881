// The package as someone installs it: `npm pack` makes a tarball that installs and runs on Node 24
// (the pinned one here; dependencies from npm's cache, which `npm ci` filled), without this checkout.

import { describe, expect, it } from 'vitest';
import { execFileSync } from 'node:child_process';
import { cpSync, mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { ROOT } from './support/cli.ts';

describe('npm pack', () => {
  it('gives a tarball that installs in an empty directory and runs: version, checks, doctor on a dump', () => {
    const dir = mkdtempSync(join(tmpdir(), 'sentinel-pack-'));
    // npm with the Node this test runs on (24) first on PATH, as a user with Node 24 has it.
    const env = { ...process.env, PATH: `${dirname(process.execPath)}:${process.env.PATH ?? ''}`, npm_config_loglevel: 'error', npm_config_fund: 'false', npm_config_audit: 'false' };
    try {
      // As a user packs it ("prepare" builds the bundle the tarball carries), from a copy: the build
      // replaces dist/, which the other tests' processes run.
      const copy = join(dir, 'src-copy');
      mkdirSync(copy);
      for (const f of ['package.json', 'package-lock.json', 'README.md', 'bin', 'src']) cpSync(join(ROOT, f), join(copy, f), { recursive: true });
      symlinkSync(join(ROOT, 'node_modules'), join(copy, 'node_modules'));
      const out = execFileSync('npm', ['pack', '--pack-destination', dir], { cwd: copy, env, encoding: 'utf8' }).trim().split('\n').pop() as string;
      const tarball = join(dir, out);
      const pkg = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { version: string };
      expect(out).toBe(`sentinel-agent-${pkg.version}.tgz`);
      const app = join(dir, 'app');
      execFileSync('npm', ['install', '--prefix', app, '--prefer-offline', '--omit=dev', tarball], { env, encoding: 'utf8', timeout: 240_000 });
      const run = (...args: string[]): string => execFileSync(join(app, 'node_modules', '.bin', 'sentinel-agent'), args, { cwd: dir, env, encoding: 'utf8' });
      expect(run('version')).toMatch(new RegExp(`^sentinel-agent ${pkg.version.replace(/\./g, '\\.')} \\(node v24\\.`));
      expect(run('checks', '--no-headers').split('\n').length).toBeGreaterThan(40);
      const dump = join(ROOT, 'test', 'fixtures', 'cluster-healthy.yaml');
      const report = JSON.parse(run('doctor', '--from-file', dump, '-o', 'json', '--now', '2026-11-24T10:00:00Z')) as { incidents: unknown[] };
      expect(report.incidents).toEqual([]);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }, 300_000);
});
