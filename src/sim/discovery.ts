// The fake API server's discovery: /version, /api, /apis and each group version's resources, for
// the kinds of the registry whose group is installed.

import { KIND_NAMES, KINDS, displayKind, isConfigured, type KindInfo } from '../kube/kinds.ts';
import { status } from './protocol.ts';

export function servedKinds(missingGroups: ReadonlySet<string>): KindInfo[] {
  return KIND_NAMES.filter(isConfigured).map((k) => KINDS[k]).filter((k) => !missingGroups.has(k.group));
}

/** The answer to a discovery path, or undefined when the path is not discovery. */
export function discovery(path: string, missingGroups: ReadonlySet<string>): { code: number; body: string } | undefined {
  const ok = (doc: unknown): { code: number; body: string } => ({ code: 200, body: JSON.stringify(doc) });
  if (path === '/version') return ok({ major: '1', minor: '34', gitVersion: 'v1.34.0-fake' });
  if (path === '/api') return ok({ kind: 'APIVersions', versions: ['v1'] });
  const served = servedKinds(missingGroups);
  if (path === '/apis') {
    const gs = new Map<string, string>();
    for (const k of served) if (k.group) gs.set(k.group, k.version);
    return ok({
      kind: 'APIGroupList',
      apiVersion: 'v1',
      groups: [...gs].map(([name, v]) => ({ name, versions: [{ groupVersion: `${name}/${v}`, version: v }], preferredVersion: { groupVersion: `${name}/${v}`, version: v } })),
    });
  }
  const disc = /^\/apis\/([^/]+)\/([^/]+)$/.exec(path) ?? (path === '/api/v1' ? [path, '', 'v1'] : null);
  if (!disc) return undefined;
  const [, group = '', version = ''] = disc;
  const kinds = served.filter((k) => k.group === group && k.version === version);
  if (kinds.length === 0) return { code: 404, body: status(404, 'NotFound', 'the server could not find the requested resource') };
  return ok({
    kind: 'APIResourceList',
    groupVersion: group ? `${group}/${version}` : version,
    resources: kinds.map((k) => ({ name: k.plural, namespaced: k.namespaced, kind: displayKind(k.kind), verbs: ['get', 'list', 'watch'] })),
  });
}
