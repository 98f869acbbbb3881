#!/usr/bin/env node
// The executable. It runs the bundle that `npm run build` writes (npm ci and npm pack run it: the
// "prepare" script), or, in a checkout whose sources are newer than the bundle (a developer's edit),
// the TypeScript sources directly through Node 24's built-in type stripping.
import { existsSync, readdirSync, statSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const [major] = process.versions.node.split('.').map(Number);
if (major < 24) {
  process.stderr.write(
    `sentinel-agent needs Node.js 24 or newer (this is ${process.version}). ` +
      'Run it through npm (npm exec sentinel-agent / npm run …) so the pinned Node from node_modules is used.\n',
  );
  process.exit(2);
}

function newestSource(dir) {
  let t = 0;
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    const p = `${dir}/${e.name}`;
    t = Math.max(t, e.isDirectory() ? newestSource(p) : statSync(p).mtimeMs);
  }
  return t;
}

const bundle = fileURLToPath(new URL('../dist/sentinel-agent.mjs', import.meta.url));
const src = fileURLToPath(new URL('../src', import.meta.url));
// Sources are run only in a checkout (tsconfig.json beside them): an installed package has the
// bundle, and Node does not strip types under node_modules.
const checkout = existsSync(fileURLToPath(new URL('../tsconfig.json', import.meta.url)));
const useBundle = existsSync(bundle) && (!checkout || (process.env.SENTINEL_AGENT_FROM_SOURCE !== '1' && (!existsSync(src) || statSync(bundle).mtimeMs >= newestSource(src))));
const { main } = await import(useBundle ? '../dist/sentinel-agent.mjs' : '../src/cli/main.ts');
process.exitCode = await main(process.argv.slice(2));
