#!/usr/bin/env node
// The executable. The sources are TypeScript run directly by Node 24's built-in type stripping
// (erasable syntax only, see tsconfig.json), so there is no build step between a clone and a run.
const [major] = process.versions.node.split('.').map(Number);
if (major < 24) {
  process.stderr.write(
    `sentinel-agent needs Node.js 24 or newer (this is ${process.version}). ` +
      'Run it through npm (npm exec sentinel-agent / npm run …) so the pinned Node from node_modules is used.\n',
  );
  process.exit(2);
}
const { main } = await import('../src/cli/main.ts');
process.exitCode = await main(process.argv.slice(2));
