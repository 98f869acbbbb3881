import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The directory of the nearest package.json above this module that is sentinel-agent's (source or bundle). */
function packageDir(): string | undefined {
  for (let dir = new URL('./', import.meta.url); ; dir = new URL('../', dir)) {
    try {
      const pkg = JSON.parse(readFileSync(new URL('package.json', dir), 'utf8')) as { name?: string };
      if (pkg.name === 'sentinel-agent') return fileURLToPath(dir);
    } catch {
      /* keep looking */
    }
    if (dir.pathname === '/') return undefined;
  }
}

/** The package version. */
export function version(): string {
  const dir = packageDir();
  if (!dir) return 'unknown';
  return (JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')) as { version?: string }).version ?? 'unknown';
}

/** The commit: SENTINEL_AGENT_COMMIT (the image sets it at build), else the checkout's HEAD read from
 *  .git without running git (a loose or a packed ref); undefined when neither is there (a tarball). */
export function commit(env: Readonly<Record<string, string | undefined>>): string | undefined {
  const given = env.SENTINEL_AGENT_COMMIT?.trim();
  if (given && /^[0-9a-f]{7,40}$/i.test(given)) return given.toLowerCase();
  const dir = packageDir();
  const git = dir ? join(dir, '.git') : undefined;
  if (!git || !existsSync(join(git, 'HEAD'))) return undefined;
  try {
    const head = readFileSync(join(git, 'HEAD'), 'utf8').trim();
    const ref = /^ref: (.+)$/.exec(head)?.[1];
    if (!ref) return /^[0-9a-f]{40}$/.test(head) ? head : undefined;
    if (existsSync(join(git, ref))) return readFileSync(join(git, ref), 'utf8').trim();
    const packed = existsSync(join(git, 'packed-refs')) ? readFileSync(join(git, 'packed-refs'), 'utf8') : '';
    return packed.split('\n').find((l) => l.endsWith(` ${ref}`))?.split(' ')[0];
  } catch {
    return undefined;
  }
}

export interface VersionInfo {
  version: string;
  node: string;
  commit?: string;
}

export function versionInfo(env: Readonly<Record<string, string | undefined>>): VersionInfo {
  const c = commit(env);
  return { version: version(), node: process.version, ...(c ? { commit: c } : {}) };
}

export function versionText(v: VersionInfo): string {
  return `sentinel-agent ${v.version} (node ${v.node}${v.commit ? `, commit ${v.commit.slice(0, 12)}` : ''})\n`;
}
