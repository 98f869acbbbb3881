// The class: a secret planted in any field the agent reads from an object must never reach any
// output channel (doctor JSON and text, the agent's log, OTLP log attributes, Kubernetes Events,
// the Sentinel sink), whatever its shape, its case, where it sits in the field, or how long the
// field is (the length cap must never cut a secret in half before redaction saw it whole).

import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import * as b from './support/objects.ts';
import { run } from './support/run.ts';
import { buildReport, reportJson } from '../src/format/report.ts';
import { reportText } from '../src/format/text.ts';
import { logAttributes } from '../src/delivery/otel/names.ts';
import { envelope } from '../src/delivery/sentinel.ts';
import { KubernetesEventsSink } from '../src/delivery/k8s-events.ts';
import { logSink } from '../src/delivery/sink.ts';
import { jsonLogger } from '../src/util/log.ts';
import type { KubeClient } from '../src/collector/kube-client.ts';
import type { Transition } from '../src/engine/tracker.ts';
import type { Incident } from '../src/engine/incidents.ts';
import { clean, redact, MAX_MESSAGE } from '../src/util/redact.ts';

const alnum = fc.string({ unit: fc.constantFrom(...'ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz23456789'), minLength: 20, maxLength: 40 });
const b64 = alnum.map((s) => Buffer.from(`robot:${s}`).toString('base64'));
const cased = (k: string): fc.Arbitrary<string> => fc.constantFrom(k, k.toUpperCase(), k.toLowerCase(), k.charAt(0).toUpperCase() + k.slice(1));

/** A secret family: the text to plant, and the secret parts that must not come out. */
type Planted = { text: string; secrets: string[] };

const families: fc.Arbitrary<Planted>[] = [
  ...['aws_secret_access_key', 'password', 'passwd', 'PGPASSWORD', 'DB_PASS', 'SECRET_KEY', 'session_token', 'client_secret', 'api_key', 'apikey', 'access_key', 'private_key', 'MYSQL_ROOT_PASSWORD'].map((k) =>
    fc.tuple(cased(k), fc.constantFrom('=', ': ', ':', ' = ', '="', '": "'), alnum).map(([key, sep, v]) => ({ text: `${key}${sep}${v}${sep.includes('"') ? '"' : ''}`, secrets: [v] })),
  ),
  fc.tuple(cased('password'), fc.constantFrom('--', '-'), fc.constantFrom(' ', '='), alnum).map(([k, dash, sep, v]) => ({ text: `run ${dash}${k}${sep}${v} now`, secrets: [v] })),
  fc.tuple(fc.constantFrom('--token', '--db-password', '--api-key', '--client-secret'), fc.constantFrom(' ', '='), alnum).map(([k, sep, v]) => ({ text: `args ${k}${sep}${v}`, secrets: [v] })),
  fc.tuple(cased('x-api-key'), alnum).map(([k, v]) => ({ text: `${k}: ${v}`, secrets: [v] })),
  fc.tuple(fc.constantFrom('token', 'Bearer', 'Basic', 'bearer'), alnum).map(([scheme, v]) => ({ text: `Authorization: ${scheme} ${v}`, secrets: [v] })),
  fc.tuple(fc.constantFrom('ghp_', 'gho_', 'ghs_', 'github_pat_'), alnum).map(([p, v]) => ({ text: `${p}${v}${v}`.slice(0, 60), secrets: [v.slice(0, 20)] })),
  fc.tuple(fc.constantFrom('xoxb-', 'xoxp-', 'xapp-'), alnum).map(([p, v]) => ({ text: `${p}1234567890-${v}`, secrets: [v] })),
  fc.tuple(fc.constantFrom('glpat-', 'npm_', 'hf_', 'sk_live_'), alnum).map(([p, v]) => ({ text: `${p}${v}`, secrets: [v] })),
  fc.tuple(fc.constantFrom('RSA ', 'EC ', '', 'OPENSSH '), alnum, alnum).map(([t, v, w]) => ({ text: `-----BEGIN ${t}PRIVATE KEY-----\nMII${v}\n${w}\n-----END ${t}PRIVATE KEY-----`, secrets: [v, w] })),
  b64.map((v) => ({ text: `{"auths":{"registry.example.com":{"auth":"${v}"}}}`, secrets: [v] })),
  alnum.map((v) => ({ text: `DefaultEndpointsProtocol=https;AccountName=acct;AccountKey=${v}+/==;EndpointSuffix=core.windows.net`, secrets: [v] })),
  fc.tuple(alnum, fc.constantFrom('https', 'http', 'postgres', 'redis', 'mongodb+srv')).map(([v, scheme]) => ({ text: `Get "${scheme}://robot:${v}@registry.example.com:5000/v2/"`, secrets: [v] })),
  alnum.map((v) => ({ text: `eyJhbGciOiJIUzI1NiJ9.${v}.${v.slice(0, 10)}`, secrets: [v] })),
  fc.string({ unit: fc.constantFrom(...'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567'), minLength: 16, maxLength: 16 }).map((v) => ({ text: `key id AKIA${v}`, secrets: [`AKIA${v}`] })),
  alnum.map((v) => ({ text: `https://bucket.s3.amazonaws.com/x?X-Amz-Signature=${v}&X-Amz-Date=1`, secrets: [v] })),
];

const words = fc.array(fc.constantFrom('failed', 'to', 'pull', 'image', 'rpc', 'error:', 'code', '=', 'Unknown', 'desc', '401', 'Unauthorized', 'x'), { maxLength: 800 }).map((w) => w.join(' '));

/** Fields the agent reads that can carry text to an output, each a way to build a failing object. */
const FIELDS: Record<string, (t: string) => b.Raw[]> = {
  pullMessage: (t) => [b.pod('p', { containers: [{ name: 'c', image: 'registry.example.com/x:1', ready: false, state: b.waiting('ErrImagePull', t) }] })],
  crashMessage: (t) => [b.pod('p', { containers: [{ name: 'c', ready: false, restarts: 4, state: b.waiting('CrashLoopBackOff', 'back-off'), lastState: b.terminated('Error', 1, -1, t) }] })],
  configMessage: (t) => [b.pod('p', { containers: [{ name: 'c', ready: false, state: b.waiting('CreateContainerConfigError', t) }] })],
  runMessage: (t) => [b.pod('p', { containers: [{ name: 'c', ready: false, state: b.waiting('RunContainerError', t) }] })],
  unschedulable: (t) => [b.pod('p', { containers: [{ name: 'c' }], scheduled: { status: 'False', reason: 'Unschedulable', message: t, since: -30 } })],
  progressDeadline: (t) => [b.deployment('d', { conditions: [{ type: 'Progressing', status: 'False', reason: 'ProgressDeadlineExceeded', message: t, lastTransitionTime: b.at(-20) }] })],
  replicaFailure: (t) => [b.deployment('d', { replicas: 1, ready: 0, conditions: [{ type: 'ReplicaFailure', status: 'True', reason: 'FailedCreate', message: t, lastTransitionTime: b.at(-20) }] })],
  serverError: (t) => [b.mcpServer('m', { phase: 'Error', message: t })],
  certificate: (t) => [b.certificate('c', { ready: 'False', reason: 'Failed', message: t })],
  certificateRequest: (t) => [b.certificateRequest('cr', { reason: 'Failed', message: t })],
  teamId: (t) => [b.mcpServer('m', { phase: 'Error', team: t })],
  image: (t) => [b.pod('p', { containers: [{ name: 'c', image: `registry.example.com/x:${t}`, ready: false, state: b.waiting('ImagePullBackOff', 'Back-off pulling image') }] })],
};

async function everyChannel(incidents: Incident[]): Promise<string> {
  const report = buildReport({ generatedAt: '2026-11-24T10:00:00Z', clusterName: 'c', source: 'file', incidents, skipped: [] });
  const out: string[] = [reportJson(report), reportText(report, { color: false, now: b.T0 })];
  const ts: Transition[] = incidents.map((incident) => ({ type: 'opened', incident, at: b.T0 }));
  for (const t of ts) {
    out.push(JSON.stringify(logAttributes(t)), JSON.stringify(envelope(t, 'sentinel-agent', 'c')));
  }
  logSink(jsonLogger('debug', (l) => out.push(l)))?.transitions(ts);
  const sent: unknown[] = [];
  const client = { send: (_m: string, _p: string, body: unknown) => (sent.push(body), Promise.resolve({ status: 201, body: '' })) } as unknown as KubeClient;
  const events = new KubernetesEventsSink({ client, log: () => {}, instance: 'test', ratePerSecond: 1e6, burst: 1e6 });
  events.transitions(ts);
  await events.flush();
  out.push(JSON.stringify(sent));
  return out.join('\n');
}

describe('no planted secret reaches any output channel', () => {
  it('any secret family, any case, anywhere in any field, at any field length', async () => {
    await fc.assert(
      fc.asyncProperty(fc.oneof(...families), fc.constantFrom(...Object.keys(FIELDS)), words, words, async (planted, field, before, after) => {
        const text = `${before} ${planted.text} ${after}`;
        const { incidents } = run(FIELDS[field]?.(text) ?? []);
        expect(incidents.length).toBeGreaterThan(0);
        const all = await everyChannel(incidents);
        for (const s of planted.secrets) expect(all, `${field}: ${planted.text}`).not.toContain(s);
      }),
      { numRuns: 600 },
    );
  });

  it('a field of 300 KB is bounded everywhere, with the secret at the cut or in the tail', async () => {
    for (const at of [0.5, 0.999, 0.25]) {
      const v = 'Zq8Xv3Lm9Tp2Wr7Yk4Hs';
      const pad = 'word '.repeat(60_000);
      const cutAt = Math.floor(pad.length * at);
      const text = `${pad.slice(0, cutAt)} https://robot:${v}@registry.example.com/v2/ password=${v} ${pad.slice(cutAt)} 401 Unauthorized`;
      for (const objs of [FIELDS.pullMessage?.(text), FIELDS.teamId?.(text)]) {
        const { incidents } = run(objs ?? []);
        const all = await everyChannel(incidents);
        expect(all).not.toContain(v);
        for (const i of incidents) {
          expect(i.message.length).toBeLessThanOrEqual(MAX_MESSAGE);
          expect(JSON.stringify(i).length).toBeLessThan(8 * 1024);
        }
      }
    }
  });

  it('redaction does not take common kubelet and controller prose for secrets', () => {
    for (const s of [
      'failed to authorize: failed to fetch oauth token: unexpected status: 401 Unauthorized',
      'couldn\'t find key token in Secret mcp-servers/creds',
      'secret "registry-creds" not found',
      'Back-off pulling image "registry.local/demo:1.0"',
      '0/3 nodes are available: 3 Insufficient memory. preemption: 0/3 nodes are available',
      'exec: "wge": executable file not found in $PATH: unknown',
    ]) {
      expect(redact(s)).toBe(s);
    }
  });
});

describe('length bound keeps the cause', () => {
  it('for any message length the tail survives and the bound holds', () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 5000 }), fc.constantFrom(': 401 Unauthorized', ': exec: "wge": executable file not found in $PATH'), (head, cause) => {
        const out = clean(`${head}${cause}`);
        expect(out.length).toBeLessThanOrEqual(MAX_MESSAGE);
        expect(out.endsWith(cause.trim().replace(/^:\s*/, '')) || out.endsWith(cause.trim())).toBe(true);
      }),
      { numRuns: 1000 },
    );
  });

  it('a crash loop and a pull failure with long messages keep their last words', () => {
    const long = `failed to pull and unpack image "registry.example.com/team/server:v1.2.3": ${'failed to resolve reference: '.repeat(20)}pulling from host registry.example.com failed with status code [manifests v1.2.3]: 401 Unauthorized`;
    const { incidents } = run(FIELDS.pullMessage?.(long) ?? []);
    expect(incidents[0]?.message).toMatch(/401 Unauthorized"?$/);
    const crash = `failed to create containerd task: ${'OCI runtime create failed: '.repeat(20)}exec: "wge": executable file not found in $PATH: unknown`;
    const r = run(FIELDS.crashMessage?.(crash) ?? []);
    expect(r.incidents[0]?.message).toContain('executable file not found in $PATH');
  });
});
