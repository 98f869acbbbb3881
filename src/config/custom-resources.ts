// The `customResources` config key: the custom resources to judge by the kstatus conventions
// (checks/resource-readiness.ts), each a kind of its own (kube/kinds.ts CUSTOM_SLOTS).

import { CUSTOM_SLOTS, KIND_NAMES, type CustomResourceSpec } from '../kube/kinds.ts';
import { isRecord } from '../util/json.ts';

const DNS_SUBDOMAIN = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;
const DNS_LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;
const KIND = /^[A-Z][A-Za-z0-9]*$/;
const KEYS = ['group', 'version', 'kind', 'plural', 'namespaced'];

/** Parses the list; `fail` builds the error to throw (the config's, naming file and key). */
export function customResources(v: unknown, where: string, fail: (message: string) => Error): CustomResourceSpec[] {
  if (!Array.isArray(v)) throw fail(`${where}: expected a list of {group, version, kind, plural, namespaced}, got ${JSON.stringify(v)}`);
  if (v.length > CUSTOM_SLOTS.length) throw fail(`${where}: at most ${CUSTOM_SLOTS.length} custom resources, got ${v.length}`);
  const seen = new Map<string, number>();
  return v.map((e, i) => {
    const at = `${where}[${i}]`;
    if (!isRecord(e)) throw fail(`${at}: expected a mapping with group, version, kind and plural`);
    for (const k of Object.keys(e)) if (!KEYS.includes(k)) throw fail(`${at}: unknown key "${k}" (known: ${KEYS.join(', ')})`);
    const field = (k: string, re: RegExp, what: string): string => {
      const s = e[k];
      if (typeof s !== 'string' || !re.test(s)) throw fail(`${at}.${k}: expected ${what}, got ${JSON.stringify(s)}`);
      return s;
    };
    const group = field('group', DNS_SUBDOMAIN, 'an API group (helm.toolkit.fluxcd.io); the core group has no custom resources');
    const version = field('version', DNS_LABEL, 'an API version (v2)');
    const kind = field('kind', KIND, 'a kind as the API names it (HelmRelease)');
    const plural = field('plural', DNS_LABEL, 'the resource name kubectl api-resources shows (helmreleases)');
    if (e.namespaced !== undefined && typeof e.namespaced !== 'boolean') throw fail(`${at}.namespaced: expected true or false, got ${JSON.stringify(e.namespaced)}`);
    // Objects and references name a kind without its group: two configured kinds of one name (or
    // one a built-in kind's) could not be told apart.
    if ((KIND_NAMES as readonly string[]).includes(kind)) throw fail(`${at}.kind: ${kind} is read already (a built-in kind)`);
    const dup = seen.get(kind);
    if (dup !== undefined) throw fail(`${at}.kind: ${kind} is configured already at [${dup}]`);
    seen.set(kind, i);
    return { group, version, kind, plural, namespaced: e.namespaced !== false };
  });
}
