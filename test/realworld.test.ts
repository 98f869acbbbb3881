// Outside check: real object dumps from public clusters (../shared/fixtures/realworld, third-party
// data kept outside this repository). Each is evaluated as of just after its newest timestamp; an
// unhealthy one must give its expected reason, a healthy one nothing. Runs where the folder exists.

import { describe, expect, it } from 'vitest';
import { existsSync, readFileSync } from 'node:fs';
import { cli } from './support/cli.ts';
import { missingFacts } from './support/run.ts';

// Directories end in '/': new URL('x', dir) resolves beside a directory named without one. A
// refactoring tool once dropped that slash here and the whole check was skipped without a word;
// the test below fails wherever ../shared is present and its dumps are not found.
const SHARED = new URL('../../shared/', import.meta.url);
const DIR = new URL('fixtures/realworld/', SHARED);
const present = existsSync(new URL('manifest.json', DIR));

describe('the outside check runs where the dumps are', () => {
  it.runIf(existsSync(SHARED))('../shared is there, so its real-world manifest must be found', () => {
    expect(present, `no manifest.json in ${DIR.pathname}`).toBe(true);
  });
});

// The manifest names kubelet/condition states; map them to catalog reasons.
const EXPECTED: Record<string, string> = {
  CrashLoopBackOff: 'CrashLoopBackOff',
  ImagePullBackOff: 'ImagePullBackOff',
  ErrImagePull: 'ImagePullBackOff',
  OOMKilled: 'OOMKilled',
  Unschedulable: 'PodUnschedulable',
  ProgressDeadlineExceeded: 'DeploymentProgressDeadlineExceeded',
  DeploymentUnavailable: 'DeploymentUnavailable',
  IngressNotAdmitted: 'IngressNotAdmitted',
};

function nowArgs(text: string): string[] {
  const times = [...text.matchAll(/"(\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z)"/g)].map((m) => Date.parse(m[1] ?? ''));
  if (times.length === 0) return [];
  return ['--now', new Date(Math.max(...times) + 60_000).toISOString().replace('.000Z', 'Z')];
}

describe.runIf(present)('real-world dumps', () => {
  const manifest = present ? (JSON.parse(readFileSync(new URL('manifest.json', DIR), 'utf8')) as { file: string; expected: string[] }[]) : [];
  for (const e of manifest) {
    it(`${e.file}: ${e.expected.join(', ')}`, async () => {
      const path = new URL(e.file, DIR).pathname;
      const r = await cli(['doctor', '--from-file', path, ...nowArgs(readFileSync(path, 'utf8')), '-o', 'json']);
      expect(r.stderr).not.toContain('sentinel-agent:');
      const incidents = (JSON.parse(r.stdout) as { incidents: { reason: string; remediation: string }[] }).incidents;
      const reasons = incidents.map((i) => i.reason);
      // Real objects lack fields test objects have: no remediation may name a fact it was not given.
      expect(incidents.flatMap((i) => missingFacts(i.remediation).map((k) => `${i.reason}: <${k}>`))).toEqual([]);
      if (e.expected[0] === 'none') expect(reasons).toEqual([]);
      else for (const x of e.expected) expect(reasons).toContain(EXPECTED[x] ?? x);
    });
  }
});
