// A protocol-level OTLP/HTTP receiver: POST /v1/logs and /v1/metrics in JSON or protobuf
// (optionally gzip), decoded into the OTLP/JSON shape so tests read both the same way. Its answer
// can be set per signal (503 with Retry-After, 400, …). Unit tests use it where the agent's exporter
// itself is under test (answers the real Collector gives only under conditions a test cannot set
// up quickly); e2e/telemetry.e2e.ts uses it as the stand-in for Sentinel's OTLP ingest behind the
// real Collector, which is what Sentinel is to the Collector: an OTLP/HTTP server.

import http from 'node:http';
import { gunzipSync } from 'node:zlib';
import type { AddressInfo } from 'node:net';

// ---- a minimal protobuf wire-format reader --------------------------------------------------
type Field = { no: number; wire: number; v: bigint | Buffer };

function fields(buf: Buffer): Field[] {
  const out: Field[] = [];
  let i = 0;
  const varint = (): bigint => {
    let r = 0n;
    let shift = 0n;
    for (;;) {
      const b = buf[i++] ?? 0;
      r |= BigInt(b & 0x7f) << shift;
      if ((b & 0x80) === 0) return r;
      shift += 7n;
    }
  };
  while (i < buf.length) {
    const key = Number(varint());
    const no = key >>> 3;
    const wire = key & 7;
    if (wire === 0) out.push({ no, wire, v: varint() });
    else if (wire === 1) {
      out.push({ no, wire, v: buf.subarray(i, i + 8) });
      i += 8;
    } else if (wire === 2) {
      const len = Number(varint());
      out.push({ no, wire, v: buf.subarray(i, i + len) });
      i += len;
    } else if (wire === 5) {
      out.push({ no, wire, v: buf.subarray(i, i + 4) });
      i += 4;
    } else throw new Error(`unsupported wire type ${wire}`);
  }
  return out;
}

const all = (fs: Field[], no: number): Field[] => fs.filter((f) => f.no === no);
const one = (fs: Field[], no: number): Field | undefined => fs.find((f) => f.no === no);
const str = (f: Field | undefined): string | undefined => (f ? (f.v as Buffer).toString('utf8') : undefined);
const msg = (f: Field | undefined): Field[] => (f ? fields(f.v as Buffer) : []);
const u64 = (f: Field | undefined): string | undefined => (f ? (f.wire === 1 ? (f.v as Buffer).readBigUInt64LE() : (f.v as bigint)).toString() : undefined);
const dbl = (f: Field | undefined): number | undefined => (f ? (f.v as Buffer).readDoubleLE() : undefined);

type Json = Record<string, unknown>;

function anyValue(fs: Field[]): Json {
  const s = one(fs, 1);
  if (s) return { stringValue: str(s) };
  const b = one(fs, 2);
  if (b) return { boolValue: (b.v as bigint) !== 0n };
  const n = one(fs, 3);
  if (n) return { intValue: BigInt.asIntN(64, n.v as bigint).toString() };
  const d = one(fs, 4);
  if (d) return { doubleValue: dbl(d) };
  const arr = one(fs, 5);
  if (arr) return { arrayValue: { values: all(msg(arr), 1).map((x) => anyValue(msg(x))) } };
  const kv = one(fs, 6);
  if (kv) return { kvlistValue: { values: all(msg(kv), 1).map((x) => keyValue(msg(x))) } };
  return {};
}

function keyValue(fs: Field[]): Json {
  return { key: str(one(fs, 1)), value: anyValue(msg(one(fs, 2))) };
}

function resource(fs: Field[]): Json {
  return { attributes: all(fs, 1).map((x) => keyValue(msg(x))) };
}

function decodeLogs(buf: Buffer): Json {
  return {
    resourceLogs: all(fields(buf), 1).map((rl) => {
      const r = msg(rl);
      return {
        resource: resource(msg(one(r, 1))),
        scopeLogs: all(r, 2).map((sl) => {
          const s = msg(sl);
          return {
            scope: { name: str(one(msg(one(s, 1)), 1)) },
            logRecords: all(s, 2).map((lr) => {
              const l = msg(lr);
              return {
                timeUnixNano: u64(one(l, 1)),
                observedTimeUnixNano: u64(one(l, 11)),
                severityNumber: Number(one(l, 2)?.v ?? 0),
                severityText: str(one(l, 3)),
                body: anyValue(msg(one(l, 5))),
                attributes: all(l, 6).map((x) => keyValue(msg(x))),
                eventName: str(one(l, 12)),
              };
            }),
          };
        }),
      };
    }),
  };
}

function numberPoint(fs: Field[]): Json {
  const p: Json = { attributes: all(fs, 7).map((x) => keyValue(msg(x))), timeUnixNano: u64(one(fs, 3)) };
  const d = one(fs, 4);
  if (d) p.asDouble = dbl(d);
  const n = one(fs, 6);
  if (n) p.asInt = (n.v as Buffer).readBigInt64LE().toString();
  return p;
}

function decodeMetrics(buf: Buffer): Json {
  return {
    resourceMetrics: all(fields(buf), 1).map((rm) => {
      const r = msg(rm);
      return {
        resource: resource(msg(one(r, 1))),
        scopeMetrics: all(r, 2).map((sm) => {
          const s = msg(sm);
          return {
            scope: { name: str(one(msg(one(s, 1)), 1)) },
            metrics: all(s, 2).map((mm) => {
              const m = msg(mm);
              const out: Json = { name: str(one(m, 1)), description: str(one(m, 2)), unit: str(one(m, 3)) };
              const g = one(m, 5);
              if (g) out.gauge = { dataPoints: all(msg(g), 1).map((x) => numberPoint(msg(x))) };
              const sum = one(m, 7);
              if (sum) {
                const sf = msg(sum);
                out.sum = { dataPoints: all(sf, 1).map((x) => numberPoint(msg(x))), aggregationTemporality: Number(one(sf, 2)?.v ?? 0), isMonotonic: (one(sf, 3)?.v ?? 0n) !== 0n };
              }
              const h = one(m, 9);
              if (h) out.histogram = { dataPoints: all(msg(h), 1).map((x) => ({ attributes: all(msg(x), 9).map((y) => keyValue(msg(y))), count: u64(one(msg(x), 4)) })) };
              return out;
            }),
          };
        }),
      };
    }),
  };
}

// ---- the receiver ----------------------------------------------------------------------------

export interface Received {
  signal: 'logs' | 'metrics';
  contentType: string;
  body: Json;
  at: number;
  headers: http.IncomingHttpHeaders;
}

export interface LogRecordView {
  eventName?: string;
  severityNumber: number;
  severityText?: string;
  body?: string;
  attributes: Record<string, string | number | boolean>;
  resource: Record<string, string | number | boolean>;
  scope?: string;
  receivedAt: number;
  headers: http.IncomingHttpHeaders;
}

function flatAttrs(list: unknown): Record<string, string | number | boolean> {
  const out: Record<string, string | number | boolean> = {};
  for (const kv of (list as { key: string; value: Record<string, unknown> }[] | undefined) ?? []) {
    const v = kv.value;
    if ('stringValue' in v) out[kv.key] = String(v.stringValue);
    else if ('intValue' in v) out[kv.key] = Number(v.intValue);
    else if ('doubleValue' in v) out[kv.key] = Number(v.doubleValue);
    else if ('boolValue' in v) out[kv.key] = Boolean(v.boolValue);
  }
  return out;
}

export class OtlpReceiver {
  readonly received: Received[] = [];
  /** What was sent while the answer was not 200 (refused, so not received: a sender retries it). */
  readonly refused: Received[] = [];
  /** The answer per signal; default 200. */
  respond: Record<'logs' | 'metrics', { status: number; headers?: Record<string, string>; body?: string; /** answer this late (a slow Collector) */ delayMs?: number }> = {
    logs: { status: 200 },
    metrics: { status: 200 },
  };
  private server?: http.Server;

  async start(): Promise<string> {
    this.server = http.createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        const signal = req.url === '/v1/logs' ? 'logs' : req.url === '/v1/metrics' ? 'metrics' : undefined;
        if (!signal || req.method !== 'POST') {
          res.writeHead(404).end();
          return;
        }
        const answer = this.respond[signal];
        let raw = Buffer.concat(chunks);
        if (req.headers['content-encoding'] === 'gzip') raw = gunzipSync(raw);
        const ct = String(req.headers['content-type'] ?? '');
        const body = ct.includes('json') ? (JSON.parse(raw.toString('utf8')) as Json) : signal === 'logs' ? decodeLogs(raw) : decodeMetrics(raw);
        (answer.status === 200 ? this.received : this.refused).push({ signal, contentType: ct, body, at: Date.now(), headers: req.headers });
        // As the Collector answers: in the request's encoding. A protobuf Export*ServiceResponse with
        // no partial_success is zero bytes; a google.rpc.Status for an error carries code 14 (field 1).
        const proto = !String(req.headers['content-type'] ?? '').includes('json');
        const reply = (): void => {
          if (res.destroyed) return;
          res.writeHead(answer.status, { 'Content-Type': proto ? 'application/x-protobuf' : 'application/json', ...answer.headers });
          res.end(answer.body ?? (proto ? (answer.status === 200 ? Buffer.alloc(0) : Buffer.from([0x08, 14])) : answer.status === 200 ? '{}' : '{"code":14,"message":"unavailable"}'));
        };
        if (answer.delayMs) setTimeout(reply, answer.delayMs);
        else reply();
      });
    });
    await new Promise<void>((r) => this.server?.listen(0, '127.0.0.1', r));
    return `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
  }

  async stop(): Promise<void> {
    this.server?.closeAllConnections();
    await new Promise<void>((r) => (this.server ? this.server.close(() => r()) : r()));
  }

  logRecords(from: 'received' | 'refused' = 'received'): LogRecordView[] {
    const out: LogRecordView[] = [];
    for (const r of from === 'received' ? this.received : this.refused) {
      if (r.signal !== 'logs') continue;
      for (const rl of (r.body.resourceLogs as Json[] | undefined) ?? []) {
        const resourceAttrs = flatAttrs((rl.resource as Json | undefined)?.attributes);
        for (const sl of (rl.scopeLogs as Json[] | undefined) ?? []) {
          for (const lr of (sl.logRecords as Json[] | undefined) ?? []) {
            const view: LogRecordView = {
              severityNumber: Number(lr.severityNumber ?? 0),
              attributes: flatAttrs(lr.attributes),
              resource: resourceAttrs,
              receivedAt: r.at,
              headers: r.headers,
            };
            if (typeof lr.eventName === 'string') view.eventName = lr.eventName;
            if (typeof lr.severityText === 'string') view.severityText = lr.severityText;
            const body = (lr.body as Json | undefined)?.stringValue;
            if (typeof body === 'string') view.body = body;
            const scope = (sl.scope as Json | undefined)?.name;
            if (typeof scope === 'string') view.scope = scope;
            out.push(view);
          }
        }
      }
    }
    return out;
  }

  /** The latest value of a metric per attribute set (as `k=v,k=v` sorted). */
  latest(metric: string): Map<string, number> {
    const out = new Map<string, number>();
    for (const r of this.received) {
      if (r.signal !== 'metrics') continue;
      for (const rm of (r.body.resourceMetrics as Json[] | undefined) ?? []) {
        for (const sm of (rm.scopeMetrics as Json[] | undefined) ?? []) {
          for (const m of (sm.metrics as Json[] | undefined) ?? []) {
            if (m.name !== metric) continue;
            const pts = (((m.gauge ?? m.sum) as Json | undefined)?.dataPoints as Json[] | undefined) ?? [];
            for (const p of pts) {
              const a = flatAttrs(p.attributes);
              const key = Object.keys(a)
                .sort()
                .map((k) => `${k}=${a[k]}`)
                .join(',');
              out.set(key, Number(p.asInt ?? p.asDouble ?? 0));
            }
          }
        }
      }
    }
    return out;
  }
}
