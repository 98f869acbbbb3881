// Removes fields no check reads from JSON text before it is parsed: `metadata.managedFields` (often
// most of a real object: ~17 KB pods are ~5 KB without it), the `kubectl.kubernetes.io/last-applied-
// configuration` annotation (a copy of the whole spec) and the pod-spec internals no check judges
// (env, volumes, probes, …). Parsing them only to drop them is the largest cost of a LIST, in time and
// in garbage.
//
// Fields are removed by their path from the object's root, never by name alone: a label, selector,
// annotation or ConfigMap key called `env` or `args` is data and stays (a Service selecting
// `env=staging` must not select every pod). Object roots are the document itself, each element of a
// top-level array, each of a List's `items` and a watch event's `object`. The output is valid JSON
// whenever the input is; malformed input is left for JSON.parse to report.

/** A node of the path tree: 'strip' removes the member; a node descends into it. */
type PathNode = { readonly members?: Readonly<Record<string, PathNode | 'strip'>>; readonly each?: PathNode };

const CONTAINER_INTERNALS = ['env', 'envFrom', 'volumeMounts', 'volumeDevices', 'readinessProbe', 'livenessProbe', 'startupProbe', 'securityContext', 'command', 'args', 'lifecycle', 'ports'] as const;
const POD_SPEC_INTERNALS = ['tolerations', 'affinity', 'securityContext', 'topologySpreadConstraints', 'imagePullSecrets', 'dnsConfig', 'hostAliases', 'readinessGates', 'overhead'] as const;

function strip(keys: readonly string[], more: Record<string, PathNode | 'strip'> = {}): PathNode {
  return { members: { ...Object.fromEntries(keys.map((k) => [k, 'strip' as const])), ...more } };
}

/** A pod's volumes keep only what names a claim: the sources that never do are removed (the
 *  service-account token's projected volume is in every pod). */
const VOLUME = strip(['projected', 'configMap', 'secret', 'emptyDir', 'downwardAPI', 'hostPath', 'csi', 'ephemeral', 'nfs', 'image']);

/** A pod's containers keep `resources.limits` (the OOM check names the memory limit); a template's
 *  keep no resources. */
function podSpec(keepResources: boolean): PathNode {
  const container = keepResources
    ? strip(CONTAINER_INTERNALS, { resources: strip(['requests', 'claims']) })
    : strip([...CONTAINER_INTERNALS, 'resources']);
  return strip(POD_SPEC_INTERNALS, { volumes: keepResources ? { each: VOLUME } : 'strip', containers: { each: container }, initContainers: { each: container }, ephemeralContainers: { each: container } });
}

const METADATA: PathNode = { members: { managedFields: 'strip', annotations: strip(['kubectl.kubernetes.io/last-applied-configuration']) } };
const TEMPLATE: PathNode = { members: { metadata: METADATA, spec: podSpec(false) } };

/** One Kubernetes object. `spec` is a pod's spec or a workload's (its `template`): the two never
 *  clash; `status` is a node's, whose members stripped no other kind has. */
const OBJECT: PathNode = {
  members: {
    metadata: METADATA,
    // A node's status: the images it holds (often most of the object), its volumes and versions.
    status: strip(['images', 'volumesInUse', 'volumesAttached', 'nodeInfo', 'daemonEndpoints']),
    spec: { members: { ...podSpec(true).members, template: TEMPLATE } },
  },
};

/** The document: an object, a List (`items`), a watch event (`object`) or an array of objects. */
const DOCUMENT: PathNode = { members: { ...OBJECT.members, items: { each: OBJECT }, object: OBJECT }, each: OBJECT };

/** Every path the stripper removes, relative to an object's root (for tests and documentation). */
export function strippedPaths(): string[] {
  const out: string[] = [];
  const walk = (n: PathNode, prefix: string): void => {
    for (const [k, v] of Object.entries(n.members ?? {})) {
      const p = prefix ? `${prefix}.${k}` : k;
      if (v === 'strip') out.push(p);
      else walk(v, p);
    }
    if (n.each) walk(n.each, `${prefix}[*]`);
  };
  walk(OBJECT, '');
  return out;
}

/** Index of the first character at or after i that is not JSON whitespace. */
export function skipSpace(s: string, i: number): number {
  while (i < s.length) {
    const c = s.charCodeAt(i);
    if (c !== 32 && c !== 10 && c !== 13 && c !== 9) break;
    i++;
  }
  return i;
}

/** Index just past the string whose opening quote is at i, or -1. */
export function skipString(s: string, i: number): number {
  let j = i + 1;
  for (;;) {
    const q = s.indexOf('"', j);
    if (q < 0) return -1;
    let b = q - 1;
    while (s.charCodeAt(b) === 92) b--;
    // An even number of backslashes before the quote: it is not escaped.
    if ((q - 1 - b) % 2 === 0) return q + 1;
    j = q + 1;
  }
}

/** Index just past the JSON value starting at i (after optional whitespace), or -1. */
export function skipValue(s: string, i: number): number {
  i = skipSpace(s, i);
  const c = s.charCodeAt(i);
  if (c === 34) return skipString(s, i);
  if (c === 91 || c === 123) {
    let depth = 0;
    for (let j = i; j < s.length; j++) {
      const d = s.charCodeAt(j);
      if (d === 34) {
        j = skipString(s, j) - 1;
        if (j < 0) return -1;
      } else if (d === 91 || d === 123) depth++;
      else if (d === 93 || d === 125) {
        depth--;
        if (depth === 0) return j + 1;
      }
    }
    return -1;
  }
  // A scalar: up to the next delimiter.
  let j = i;
  while (j < s.length) {
    const d = s.charCodeAt(j);
    if (d === 44 || d === 125 || d === 93 || d === 32 || d === 10 || d === 13 || d === 9) break;
    j++;
  }
  return j;
}

class Cutter {
  private readonly out: string[] = [];
  private from = 0;
  private readonly s: string;
  constructor(s: string) {
    this.s = s;
  }

  cut(a: number, b: number): void {
    this.out.push(this.s.slice(this.from, a));
    this.from = b;
  }

  get changed(): boolean {
    return this.out.length > 0;
  }

  result(): string {
    if (this.out.length === 0) return this.s;
    this.out.push(this.s.slice(this.from));
    return this.out.join('');
  }
}

/** Malformed input: stop cutting and leave the text to JSON.parse. */
class Malformed extends Error {}

/** Walks the value at i along the path tree; returns the index just past it. */
function walk(s: string, i: number, node: PathNode, cut: Cutter): number {
  i = skipSpace(s, i);
  const c = s.charCodeAt(i);
  if (c === 123 && node.members) return walkObject(s, i, node.members, cut);
  if (c === 91 && node.each) return walkArray(s, i, node.each, cut);
  const end = skipValue(s, i);
  if (end < 0) throw new Malformed();
  return end;
}

function walkArray(s: string, i: number, each: PathNode, cut: Cutter): number {
  i = skipSpace(s, i + 1);
  if (s.charCodeAt(i) === 93) return i + 1;
  for (;;) {
    i = skipSpace(s, walk(s, i, each, cut));
    const c = s.charCodeAt(i);
    if (c === 93) return i + 1;
    if (c !== 44) throw new Malformed();
    i++;
  }
}

function walkObject(s: string, i: number, members: Readonly<Record<string, PathNode | 'strip'>>, cut: Cutter): number {
  i = skipSpace(s, i + 1);
  if (s.charCodeAt(i) === 125) return i + 1;
  let kept = false;
  let prevEnd = -1;
  for (;;) {
    if (s.charCodeAt(i) !== 34) throw new Malformed();
    const keyStart = i;
    const keyEnd = skipString(s, i);
    if (keyEnd < 0) throw new Malformed();
    const raw = s.slice(keyStart + 1, keyEnd - 1);
    const key = raw.includes('\\') ? (JSON.parse(s.slice(keyStart, keyEnd)) as string) : raw;
    const colon = skipSpace(s, keyEnd);
    if (s.charCodeAt(colon) !== 58) throw new Malformed();
    const child = Object.hasOwn(members, key) ? members[key] : undefined;
    let valueEnd: number;
    if (child === 'strip') {
      valueEnd = skipValue(s, colon + 1);
      if (valueEnd < 0) throw new Malformed();
    } else valueEnd = child ? walk(s, colon + 1, child, cut) : skipValue(s, colon + 1);
    if (valueEnd < 0) throw new Malformed();
    let next = skipSpace(s, valueEnd);
    const delim = s.charCodeAt(next);
    if (delim !== 44 && delim !== 125) throw new Malformed();
    if (delim === 44) next = skipSpace(s, next + 1);
    if (child === 'strip') {
      // With a member kept before it, drop ", key: value"; before any kept member, drop
      // "key: value," up to the next member (or the closing brace).
      if (kept) cut.cut(prevEnd, valueEnd);
      else cut.cut(keyStart, delim === 44 ? next : valueEnd);
    } else kept = true;
    prevEnd = valueEnd;
    if (delim === 125) return next + 1;
    i = next;
  }
}

export function stripUnreadFields(s: string): string {
  const cut = new Cutter(s);
  try {
    const end = walk(s, 0, DOCUMENT, cut);
    if (end < 0) return s;
  } catch (e) {
    if (e instanceof Malformed || e instanceof SyntaxError) return s;
    throw e;
  }
  return cut.changed ? cut.result() : s;
}
