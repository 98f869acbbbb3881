// Removes fields no check reads from JSON text before it is parsed: `managedFields` (often most of a
// real object: ~17 KB pods are ~5 KB without it) and the `kubectl.kubernetes.io/last-applied-
// configuration` annotation (a copy of the whole spec). Parsing them only to drop them is the largest
// cost of a LIST, in time and in garbage. A key is only recognized where it is a key: inside a JSON
// string its quotes would be escaped. The output is valid JSON whenever the input is.

// Every key here must be one that normalize.ts never reads, in any kind (a test checks that the
// projections of stripped and unstripped objects are equal).
const KEYS = [
  'managedFields',
  'kubectl.kubernetes.io/last-applied-configuration',
  // Pod and pod-template internals: large, repeated per pod, never judged.
  'env',
  'envFrom',
  'volumeMounts',
  'volumes',
  'tolerations',
  'affinity',
  'readinessProbe',
  'livenessProbe',
  'startupProbe',
  'securityContext',
  'resources',
  'topologySpreadConstraints',
  'command',
  'args',
];

// One pass of a compiled regular expression finds every candidate (a quoted key and its colon);
// searching each key separately scanned the text once per key.
const CANDIDATE = new RegExp(`"(?:${KEYS.map((k) => k.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&')).join('|')})"\\s*:`, 'g');

/** Index of the first character at or after i that is not JSON whitespace. */
export function skipSpace(s: string, i: number): number {
  while (i < s.length) {
    const c = s.charCodeAt(i);
    if (c !== 32 && c !== 10 && c !== 13 && c !== 9) break;
    i++;
  }
  return i;
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
    if (d === 44 || d === 125 || d === 93) break;
    j++;
  }
  return j;
}

/** Index just past the string whose opening quote is at i, or -1. */
export function skipString(s: string, i: number): number {
  for (let j = i + 1; j < s.length; j++) {
    const d = s.charCodeAt(j);
    if (d === 92) j++;
    else if (d === 34) return j + 1;
  }
  return -1;
}

export function stripUnreadFields(s: string): string {
  let out: string[] | undefined;
  let from = 0;
  const re = new RegExp(CANDIDATE);
  for (let m = re.exec(s); m !== null; m = re.exec(s)) {
    const at = m.index;
    // In valid JSON an unescaped quote only delimits a string, so a match is a string followed by a
    // colon: a key. It must also follow { or , (whitespace aside) to be a member we can cut.
    let before = at - 1;
    while (before >= 0 && s.charCodeAt(before) <= 32) before--;
    const prev = before >= 0 ? s.charCodeAt(before) : -1;
    if (prev !== 123 && prev !== 44) continue;
    const end = skipValue(s, at + m[0].length);
    if (end < 0) break; // malformed: leave it to JSON.parse to say where
    out ??= [];
    // Drop the pair with one adjacent comma: the one before it (unless an earlier cut already took
    // it), else the one after it.
    let cut = end;
    let start = at;
    if (prev === 44 && before >= from) start = before;
    else {
      let after = end;
      while (after < s.length && s.charCodeAt(after) <= 32) after++;
      if (s.charCodeAt(after) === 44) cut = after + 1;
    }
    out.push(s.slice(from, start));
    from = cut;
    re.lastIndex = cut;
  }
  if (!out) return s;
  out.push(s.slice(from));
  return out.join('');
}
