import { readFileSync } from 'node:fs';

/** The package version, from the nearest package.json above this module (source or bundle). */
export function version(): string {
  for (let dir = new URL('./', import.meta.url); ; dir = new URL('../', dir)) {
    try {
      const pkg = JSON.parse(readFileSync(new URL('package.json', dir), 'utf8')) as { name?: string; version?: string };
      if (pkg.name === 'sentinel-agent' && pkg.version) return pkg.version;
    } catch {
      /* keep looking */
    }
    if (dir.pathname === '/') return 'unknown';
  }
}

