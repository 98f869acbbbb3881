// deploy/ as the tests read it: every kustomization there (base and each overlay, found on disk so
// a new overlay is tested without being listed), rendered offline with kubectl kustomize.

import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseAllDocuments } from 'yaml';

export const ROOT = fileURLToPath(new URL('../../', import.meta.url));

export type Obj = { apiVersion: string; kind: string; metadata: { name: string; namespace?: string; [k: string]: unknown }; [k: string]: unknown };

/** 'base' and 'overlays/<name>' for every overlay directory with a kustomization.yaml. */
export const DEPLOY_DIRS: readonly string[] = [
  'base',
  ...readdirSync(join(ROOT, 'deploy', 'overlays'))
    .filter((d) => existsSync(join(ROOT, 'deploy', 'overlays', d, 'kustomization.yaml')))
    .sort()
    .map((d) => `overlays/${d}`),
];

/** Every Component under deploy/components. */
export const COMPONENTS: readonly string[] = readdirSync(join(ROOT, 'deploy', 'components'))
  .filter((d) => existsSync(join(ROOT, 'deploy', 'components', d, 'kustomization.yaml')))
  .sort();

/** Renders the base with these components, as a user's own kustomization does (kustomize takes
 *  relative paths only: the temporary kustomization names deploy/ relative to itself). */
export function renderWith(components: readonly string[]): Obj[] {
  const dir = mkdtempSync(join(tmpdir(), 'sentinel-kustomize-'));
  try {
    const to = (p: string): string => relative(dir, join(ROOT, 'deploy', p));
    const k = ['apiVersion: kustomize.config.k8s.io/v1beta1', 'kind: Kustomization', 'namespace: sentinel-agent', 'resources:', `  - ${to('base')}`];
    if (components.length > 0) k.push('components:', ...components.map((c) => `  - ${to(`components/${c}`)}`));
    writeFileSync(join(dir, 'kustomization.yaml'), `${k.join('\n')}\n`);
    return parse(execFileSync('kubectl', ['kustomize', dir], { encoding: 'utf8' }));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

function parse(out: string): Obj[] {
  return parseAllDocuments(out)
    .map((d) => d.toJS() as Obj | null)
    .filter((o): o is Obj => o !== null);
}

/** Renders a kustomization under deploy/ with kubectl kustomize (offline). */
export function render(dir: string): Obj[] {
  const out = execFileSync('kubectl', ['kustomize', join(ROOT, 'deploy', dir)], { encoding: 'utf8' });
  return parseAllDocuments(out)
    .map((d) => d.toJS() as Obj | null)
    .filter((o): o is Obj => o !== null);
}
