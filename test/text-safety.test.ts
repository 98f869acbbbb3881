import { describe, expect, it } from 'vitest';
import { clean, MAX_MESSAGE, redact, sanitize } from '../src/util/redact.ts';
import { classifyPullFailure } from '../src/checks/pull-classifier.ts';
import { imageHost } from '../src/checks/helpers.ts';
import { pod, waiting } from './support/objects.ts';
import { run } from './support/run.ts';

describe('redaction', () => {
  const rows: [string, string, string[]][] = [
    [
      'signed S3 URL in a pull error',
      'failed to copy: httpReadSeeker: failed open: failed to do request: Get "https://prod-registry.s3.amazonaws.com/docker/blobs/sha256/ab?X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Credential=AKIAIOSFODNN7EXAMPLE%2F20261124%2Fus-east-1%2Fs3%2Faws4_request&X-Amz-Date=20261124T101500Z&X-Amz-Expires=1200&X-Amz-SignedHeaders=host&X-Amz-Signature=0b1c2d3e4f5a6b7c8d9e": dial tcp: i/o timeout',
      ['AKIAIOSFODNN7EXAMPLE', '0b1c2d3e4f5a6b7c8d9e'],
    ],
    ['userinfo in a URL', 'Get "https://robot$ci:s3cr3tP4ss@registry.example.com/v2/": 401 Unauthorized', ['s3cr3tP4ss', 'robot$ci']],
    ['bearer token', 'upstream said: Authorization: Bearer eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJhZG1pbiJ9.c2lnbmF0dXJlLXNpZw', ['eyJhbGciOiJSUzI1NiJ9', 'c2lnbmF0dXJlLXNpZw']],
    ['basic auth header', 'sent Authorization: Basic cm9ib3Q6aHVudGVyMg== to the registry', ['cm9ib3Q6aHVudGVyMg==']],
    ['azure sas sig and token params', 'GET https://acct.blob.core.windows.net/c/b?sv=2022-11-02&sig=abcDEF123%2B%3D&token=tok-123', ['abcDEF123', 'tok-123']],
    ['key=value secrets', 'connect failed: password=hunter2 api_key: "sk-live-1234"', ['hunter2', 'sk-live-1234']],
  ];
  for (const [name, input, secrets] of rows) {
    it(name, () => {
      const out = redact(input);
      for (const s of secrets) expect(out).not.toContain(s);
      expect(out).toContain('[REDACTED]');
    });
  }

  it('does not take prose for a secret', () => {
    const s = 'failed to authorize: failed to fetch oauth token: unexpected status: 401 Unauthorized';
    expect(redact(s)).toBe(s);
    expect(redact('the token: is missing; secret: hunter2')).toBe('the token: is missing; secret: [REDACTED]');
  });

  it('keeps what a person needs to debug', () => {
    const out = redact('Get "https://user:pw@registry.local:5000/v2/": http: server gave HTTP response to HTTPS client');
    expect(out).toContain('registry.local:5000/v2/');
    expect(out).toContain('server gave HTTP response to HTTPS client');
  });
});

describe('sanitize and cap', () => {
  it('removes terminal escapes, control and bidi characters; newlines become spaces', () => {
    const s = sanitize('\u001b[31mred\u001b[0m\r\nline2\u0007\u202eevil\u001b]0;title\u0007');
    expect(s).toBe('red line2evil');
  });

  it('caps a 1 MiB hostile message to a bounded single line', () => {
    const huge = `${'\u001b[2J\n'.repeat(100_000)}${'A'.repeat(1 << 20)}`;
    const out = clean(huge);
    expect(out.length).toBeLessThanOrEqual(MAX_MESSAGE);
    expect(/[\r\n]/.test(out) || out.includes('\u001b')).toBe(false);
  });

  it('messages leaving the engine are cleaned', () => {
    const msg = `Back-off pulling image "x": Get "https://u:topsecret@r.example/v2/"\u001b[31m\nforged line`;
    const { incidents } = run([pod('p', { containers: [{ name: 'c', image: 'r.example/x', ready: false, state: waiting('ErrImagePull', msg) }] })]);
    const i = incidents[0];
    expect(i?.message).not.toContain('topsecret');
    expect(i?.message.includes('\u001b') || i?.message.includes('\n')).toBe(false);
  });
});

describe('image pull classification', () => {
  const rows: [string, string][] = [
    ['Get "https://10.96.64.95:5000/v2/": http: server gave HTTP response to HTTPS client', 'http_https_mismatch'],
    ['x509: cannot validate certificate for 10.43.174.51 because it doesn\'t contain any IP SANs', 'tls'],
    ['failed to authorize: failed to fetch anonymous token: unexpected status: 401 Unauthorized', 'auth'],
    ['pull access denied for acme/x, repository does not exist or may require \'docker login\'', 'auth'],
    ['no basic auth credentials', 'auth'],
    ['dial tcp: lookup registry.local on 10.96.0.10:53: no such host', 'dns'],
    ['manifest for nginx:1.13-invalid not found: manifest unknown: manifest unknown', 'not_found'],
    ['dial tcp 10.43.174.51:5000: connect: connection refused', 'connection_refused'],
    ['toomanyrequests: You have reached your pull rate limit.', 'rate_limited'],
    ['unexpected status code 429 Too Many Requests', 'rate_limited'],
    ['context deadline exceeded (Client.Timeout exceeded while awaiting headers)', 'timeout'],
    ['dial tcp 1.2.3.4:443: i/o timeout', 'timeout'],
    ['Back-off pulling image "x"', 'unknown'],
  ];
  for (const [msg, want] of rows) it(`${want}: ${msg.slice(0, 50)}`, () => expect(classifyPullFailure(msg)).toBe(want));

  it('image hosts follow the reference grammar', () => {
    expect(imageHost('nginx:1.25')).toBe('docker.io');
    expect(imageHost('library/nginx')).toBe('docker.io');
    expect(imageHost('registry.local/demo:latest')).toBe('registry.local');
    expect(imageHost('10.43.1.2:5000/x/y@sha256:abc')).toBe('10.43.1.2:5000');
    expect(imageHost('localhost/x')).toBe('localhost');
  });
});
