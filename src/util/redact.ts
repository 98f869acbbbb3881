// Everything that leaves the process passes through here: terminal escapes and control characters
// removed, credentials redacted, and the length bounded. The order is fixed: sanitize, redact the
// whole text, and only then shorten it, by eliding the middle (kubelet and controller messages put
// the cause at the end: `…: 401 Unauthorized`). A cut never runs before redaction has seen the whole
// text, so no half of a secret can slip past a pattern that needed the other half.
//
// The secret families are those secret scanners (gitleaks, detect-secrets) know: key/value pairs
// whose key names a secret (any case; `=`, `:` or a command-line flag), URL userinfo and signed-URL
// parameters, Authorization headers (Bearer, Basic, token), known token prefixes (GitHub, GitLab,
// Slack, Stripe, npm, Hugging Face, Google API keys, AWS access key ids), JWTs, PEM private keys,
// docker config `auth` values and connection strings (`AccountKey=…`, `Password=…`).

export const MAX_MESSAGE = 1024;
export const MAX_ATTRIBUTE = 256;
/** The longest string the projection keeps from an object (longer ones are redacted, then elided). */
export const MAX_KEPT = 4096;
/** Input longer than this is cut (at whitespace, dropping the cut tokens whole) before redaction. */
const MAX_SCANNED = 1 << 20;
const R = '[REDACTED]';
const ELLIPSIS = ' … ';

// ESC [ … final byte (CSI), ESC ] … BEL or ESC \ (OSC), and other two-byte escapes.
// eslint-disable-next-line no-control-regex
const ANSI = /\x1b\[[0-?]*[ -/]*[@-~]|\x1b\][^\x07\x1b]*(?:\x07|\x1b\\)?|\x1b[@-Z\\-_]?/g;
// eslint-disable-next-line no-control-regex
const CONTROL = /[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\u200b-\u200f\u202a-\u202e\u2028\u2029\u2066-\u2069\ufeff]/g;

const SECRET_PARAMS =
  'x-amz-credential|x-amz-signature|x-amz-security-token|x-goog-credential|x-goog-signature|sig|signature|token|access_token|id_token|refresh_token|password|passwd|secret|client_secret|api_key|apikey|key|awsaccesskeyid|key-pair-id|policy|skoid|sktid|sks|skv|code';

/** A key that names a secret, as a whole or as a part (`DB_PASS`, `PGPASSWORD`, `aws_secret_access_key`,
 *  `x-api-key`, `AccountKey`, `session_token`). Word characters around the stem belong to the key. */
const SECRET_KEY = String.raw`(?:[A-Za-z0-9_.-]*(?:pass(?:wd|word|phrase)?|pwd|secret|token|api[_-]?key|access[_-]?key|account[_-]?key|shared[_-]?access[_-]?key|private[_-]?key|client[_-]?secret|credentials?)[A-Za-z0-9_-]*|(?:[A-Za-z0-9_.-]*[_.-])?auth(?![A-Za-z])[A-Za-z0-9_-]*)`;
/** A value: a quoted string, else a run up to whitespace or a delimiter. */
const VALUE = String.raw`(?:"(?:[^"\\]|\\.)*"|'[^']*'|[^\s"',;&<>)\]}]+)`;

type Rule = readonly [RegExp, string | ((...m: string[]) => string)];

const RULES: readonly Rule[] = [
  // PEM private key blocks (newlines are spaces by now); an unterminated block runs to the end.
  [/-----BEGIN ([A-Z0-9 ]*)PRIVATE KEY-----[\s\S]*?(?:-----END \1PRIVATE KEY-----|$)/g, `${R} PRIVATE KEY`],
  // scheme://user:pass@host (and scheme://token@host)
  [/\b([a-z][a-z0-9+.-]*:\/\/)[^\s/@'"]+@/gi, `$1${R}@`],
  // ?X-Amz-Signature=… &token=… &key=…
  [new RegExp(`([?&;](?:${SECRET_PARAMS}))=([^&\\s"'<>]+)`, 'gi'), `$1=${R}`],
  // Authorization: Bearer|Basic|token|… value, and bare Bearer/Basic credentials.
  [/\b(authorization"?\s*[:=]\s*"?)(?:(bearer|basic|token|digest|negotiate|apikey|aws4-hmac-sha256)\s+)?(?!\[REDACTED\])[^\s"',;]+/gi, (_m, k = '', scheme = '') => `${k}${scheme ? `${scheme} ` : ''}${R}`],
  [/\b(bearer)\s+(?!\[REDACTED\])[a-z0-9\-._~+/]+=*/gi, `$1 ${R}`],
  [/\b(basic)\s+(?!\[REDACTED\])[a-z0-9+/]{8,}={0,2}/gi, `$1 ${R}`],
  // Tokens known by their prefix.
  [/\b(?:gh[pousr]_[A-Za-z0-9]{20,}|github_pat_[A-Za-z0-9_]{20,}|glpat-[A-Za-z0-9_-]{16,}|xox[abprse]-[A-Za-z0-9-]{8,}|xapp-[A-Za-z0-9-]{8,}|sk_(?:live|test)_[A-Za-z0-9]{8,}|rk_(?:live|test)_[A-Za-z0-9]{8,}|npm_[A-Za-z0-9]{20,}|hf_[A-Za-z0-9]{20,}|AIza[0-9A-Za-z_-]{30,}|sk-[A-Za-z0-9_-]{20,}|dop_v1_[a-f0-9]{20,}|SG\.[A-Za-z0-9_-]{16,}\.[A-Za-z0-9_-]{16,})/g, R],
  [/\beyJ[a-zA-Z0-9_-]{8,}\.[a-zA-Z0-9_-]{8,}\.[a-zA-Z0-9_-]{4,}/g, R],
  [/\b(?:AKIA|ASIA|AGPA|AIDA|AROA|ANPA|ANVA|APKA)[A-Z0-9]{16}\b/g, R],
  // Command-line flags: --password hunter2, --token=abc, --db-pass 'x y'.
  [new RegExp(String.raw`(^|[\s"'(])(--?${SECRET_KEY})(=|\s+)(?!\[REDACTED\])(?!-)${VALUE}`, 'gi'), (_m, pre = '', k = '', sep = '') => `${pre}${k}${sep}${R}`],
  // KEY=value (env assignments, connection strings): always a secret.
  [new RegExp(String.raw`\b(${SECRET_KEY})(\s*=\s*)(?!\[REDACTED\])${VALUE}`, 'gi'), (_m, k = '', sep = '') => `${k}${sep}${R}`],
  // "key": "value" (JSON, docker config auth) and key: 'value': quoted values always.
  [new RegExp(String.raw`\b(${SECRET_KEY})("?\s*:\s*)("(?:[^"\\]|\\.)*"|'[^']*')`, 'gi'), (_m, k = '', sep = '', v = '') => `${k}${sep}${v[0]}${R}${v[0]}`],
  // key: value (YAML, headers, prose). Unambiguous names take any value; `token`/`auth`/`credentials`
  // alone are words of prose too ("token: unexpected status"), so there the value must look like a
  // secret (a digit in it, or 16 characters and more).
  [new RegExp(String.raw`\b([A-Za-z0-9_.-]*(?:pass(?:wd|word|phrase)?|pwd|secret|api[_-]?key|access[_-]?key|account[_-]?key|private[_-]?key|client[_-]?secret)[A-Za-z0-9_-]*|[A-Za-z0-9_-]+[_-](?:token|auth|credentials?)|x-[a-z-]*(?:token|key|auth))(\s*:\s*)(?!\[REDACTED\])[^\s"',;&]+`, 'gi'), (_m, k = '', sep = '') => `${k}${sep}${R}`],
  [/\b(token|auth|credentials?)(\s*:\s*)(?!\[REDACTED\])(?=[^\s"',;&]*\d|[^\s"',;&]{16,})[^\s"',;&]+/gi, (_m, k = '', sep = '') => `${k}${sep}${R}`],
];

/** Removes terminal escapes and control characters; newlines and tabs become spaces. */
export function sanitize(s: string): string {
  return s.replace(ANSI, '').replace(/[\r\n\t\v\f]+/g, ' ').replace(CONTROL, '');
}

export function redact(s: string): string {
  let out = s;
  for (const [re, rep] of RULES) out = out.replace(re, rep as string);
  return out;
}

/** Index where a cut at i leaves no half of a surrogate pair. */
function safeIndex(s: string, i: number): number {
  const c = s.charCodeAt(i - 1);
  return c >= 0xd800 && c <= 0xdbff ? i - 1 : i;
}

/**
 * At most max characters, keeping both ends: the head (what failed) and the tail (why). Only for
 * text that has been redacted whole (see clean).
 */
function elide(s: string, max: number): string {
  if (s.length <= max) return s;
  if (max <= ELLIPSIS.length + 2) return s.slice(0, safeIndex(s, max));
  const room = max - ELLIPSIS.length;
  const head = safeIndex(s, Math.ceil(room / 2));
  const tailStart = s.length - (room - head);
  const tail = s.charCodeAt(tailStart) >= 0xdc00 && s.charCodeAt(tailStart) <= 0xdfff ? tailStart + 1 : tailStart;
  return `${s.slice(0, head).trimEnd()}${ELLIPSIS}${s.slice(tail).trimStart()}`;
}

function isSpace(c: number): boolean {
  return c === 32 || (c >= 9 && c <= 13);
}

/** Bounds input beyond what redaction scans: keeps both ends, and drops the tokens the cut went
 *  through whole (a half token could be half a secret). */
function bound(s: string): string {
  if (s.length <= MAX_SCANNED) return s;
  let head = MAX_SCANNED / 2;
  while (head > 0 && !isSpace(s.charCodeAt(head))) head--;
  let tail = s.length - MAX_SCANNED / 2;
  while (tail < s.length && !isSpace(s.charCodeAt(tail))) tail++;
  return `${s.slice(0, head)}${ELLIPSIS}${s.slice(tail)}`;
}

/** The one function for text that leaves the process: sanitized, redacted whole, then at most max
 *  characters with the middle elided. Bounded work even on huge input. */
export function clean(s: string, max = MAX_MESSAGE): string {
  return elide(redact(sanitize(bound(s))).replace(/ {2,}/g, ' ').trim(), max);
}

/** Characters that a POSIX shell takes literally in a word. */
const SHELL_SAFE = /^[A-Za-z0-9_./:@=,+%-]+$/;

/**
 * A value as one shell word meaning exactly that value: as it is when it is made of safe
 * characters only (every valid Kubernetes name, label and image), else single-quoted. A remediation
 * pasted from a dump whose names carry `$(…)` or `;` then runs nothing but what it says.
 */
export function shellWord(v: string): string {
  if (SHELL_SAFE.test(v)) return v;
  return `'${v.replace(/'/g, `'\\''`)}'`;
}

/** A one-line excerpt of a message from an object, without its closing period (it is embedded in
 *  ours): cleaned, and elided in the middle past max. */
export function quote(s: string, max = 400): string {
  return clean(s, max + 1).replace(/\.$/, '');
}
