// Everything that leaves the process passes through here: terminal escapes and control characters
// removed, credentials redacted (URL userinfo, signed-URL parameters, bearer/basic tokens, key=value
// secrets, JWTs, cloud access key ids), and the length capped. Pull errors have carried signed URLs
// with access keys in the wild.

export const MAX_MESSAGE = 1024;
export const MAX_ATTRIBUTE = 256;
const R = '[REDACTED]';

// ESC [ … final byte (CSI), ESC ] … BEL or ESC \ (OSC), and other two-byte escapes.
// eslint-disable-next-line no-control-regex
const ANSI = /\x1b\[[0-?]*[ -/]*[@-~]|\x1b\][^\x07\x1b]*(?:\x07|\x1b\\)?|\x1b[@-Z\\-_]?/g;
// eslint-disable-next-line no-control-regex
const CONTROL = /[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\u200b-\u200f\u202a-\u202e\u2028\u2029\u2066-\u2069\ufeff]/g;

const SECRET_PARAMS =
  'x-amz-credential|x-amz-signature|x-amz-security-token|x-goog-credential|x-goog-signature|sig|signature|token|access_token|id_token|refresh_token|password|passwd|secret|client_secret|api_key|apikey|awsaccesskeyid|key-pair-id|policy|skoid|sktid|sks|skv|code';

const RULES: readonly [RegExp, string | ((...m: string[]) => string)][] = [
  // scheme://user:pass@host
  [/\b([a-z][a-z0-9+.-]*:\/\/)[^\s/@'"]+@/gi, `$1${R}@`],
  // ?X-Amz-Signature=… &token=…
  [new RegExp(`([?&;](?:${SECRET_PARAMS}))=([^&\\s"'<>]+)`, 'gi'), `$1=${R}`],
  [/\b(bearer)\s+[a-z0-9\-._~+/]+=*/gi, `$1 ${R}`],
  [/\b(basic)\s+[a-z0-9+/]{8,}={0,2}/gi, `$1 ${R}`],
  [/\beyJ[a-zA-Z0-9_-]{8,}\.[a-zA-Z0-9_-]{8,}\.[a-zA-Z0-9_-]{4,}/g, R],
  [/\b(?:AKIA|ASIA)[A-Z0-9]{16}\b/g, R],
  // password=…, "token": "…", api-key:abc, secret: hunter2 — but not prose such as "token: unexpected status".
  [
    /\b(password|passwd|pwd|token|secret|api[_-]?key|access[_-]?key|client[_-]?secret)("?\s*=\s*"?|"?\s*:\s*"|"?:(?=[^\s])|"?:\s+(?=[^\s"',;&]*\d))(?!\[REDACTED\])[^\s"',;&]+/gi,
    (_m, k = '', sep = '') => `${k}${sep}${R}`,
  ],
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

export function cap(s: string, max: number): string {
  if (s.length <= max) return s;
  // Do not cut a surrogate pair in half.
  let end = max - 1;
  const code = s.charCodeAt(end - 1);
  if (code >= 0xd800 && code <= 0xdbff) end--;
  return `${s.slice(0, end)}…`;
}

/** The one function for text that leaves the process. Bounded work even on huge input. */
export function clean(s: string, max = MAX_MESSAGE): string {
  // Cut very long input before the regexes run (they are linear, but 1 MiB messages exist).
  const bounded = s.length > max * 8 ? s.slice(0, max * 8) : s;
  return cap(redact(sanitize(bounded)).replace(/ {2,}/g, ' ').trim(), max);
}
