// deploy/ as the tests read it: every kustomization there (base and each overlay, found on disk so
// a new overlay is tested without being listed), rendered offline with kubectl kustomize.

import { execFileSync } from 'node:child_process';
import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
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

/** Renders a kustomization under deploy/ with kubectl kustomize (offline). */
export function render(dir: string): Obj[] {
  const out = execFileSync('kubectl', ['kustomize', join(ROOT, 'deploy', dir)], { encoding: 'utf8' });
  return parseAllDocuments(out)
    .map((d) => d.toJS() as Obj | null)
    .filter((o): o is Obj => o !== null);
}
