// The OpenTelemetry settings, read from the standard OTEL_* environment variables as the
// specification defines them (https://opentelemetry.io/docs/specs/otel/configuration/sdk-environment-variables/
// and the OTLP exporter spec). Pure: the environment comes in, validated settings come out, and what
// could not be used is returned as warnings (never thrown: bad telemetry config must not stop the agent).

export type OtlpProtocol = 'http/protobuf' | 'http/json';

export interface SignalSettings {
  exporter: 'otlp' | 'console' | 'none';
  url: string;
  protocol: OtlpProtocol;
  headers: Record<string, string>;
  timeoutMs: number;
  compression: 'gzip' | 'none';
}

export interface OtelSettings {
  disabled: boolean;
  serviceName: string;
  resourceAttributes: Record<string, string>;
  logs: SignalSettings & { scheduleDelayMs: number; exportTimeoutMs: number; maxQueueSize: number; maxExportBatchSize: number };
  metrics: SignalSettings & { intervalMs: number; exportTimeoutMs: number; temporality: 'cumulative' | 'delta' };
  attributeValueLengthLimit?: number;
  diagLevel: 'none' | 'error' | 'warn' | 'info' | 'debug' | 'verbose' | 'all';
  warnings: string[];
}

type Env = Readonly<Record<string, string | undefined>>;

/** Incident records are few and every one matters fast: a short batching delay, not the spec's 1 s. */
export const DEFAULT_LOGS_SCHEDULE_DELAY_MS = 100;

/** `k1=v1,k2=v2` with percent-encoded values (W3C baggage octets), as the spec defines both lists. */
export function parseKeyValues(raw: string | undefined, name: string, warnings: string[]): Record<string, string> {
  const out: Record<string, string> = {};
  if (!raw) return out;
  for (const part of raw.split(',')) {
    if (part.trim() === '') continue;
    const eq = part.indexOf('=');
    if (eq <= 0) {
      warnings.push(`${name}: ignored "${part.trim().slice(0, 40)}" (expected key=value)`);
      continue;
    }
    const k = part.slice(0, eq).trim();
    let v = part.slice(eq + 1).trim();
    try {
      v = decodeURIComponent(v);
    } catch {
      warnings.push(`${name}: value of ${k} is not valid percent-encoding; used as is`);
    }
    out[k] = v;
  }
  return out;
}

function num(env: Env, name: string, def: number, warnings: string[], min = 0): number {
  const raw = env[name];
  if (raw === undefined || raw.trim() === '') return def;
  const n = Number(raw);
  if (!Number.isFinite(n) || n < min) {
    warnings.push(`${name}: expected a number >= ${min}, got ${JSON.stringify(raw)}; using ${def}`);
    return def;
  }
  return n;
}

function bool(env: Env, name: string): boolean {
  return (env[name] ?? '').trim().toLowerCase() === 'true';
}

function signal(env: Env, sig: 'LOGS' | 'METRICS', path: string, warnings: string[]): SignalSettings {
  const exporterVar = `OTEL_${sig}_EXPORTER`;
  const rawExporter = (env[exporterVar] ?? 'otlp').split(',')[0]?.trim().toLowerCase() ?? 'otlp';
  let exporter: SignalSettings['exporter'] = 'otlp';
  if (rawExporter === 'none' || rawExporter === 'console' || rawExporter === 'otlp') exporter = rawExporter;
  else warnings.push(`${exporterVar}: unsupported exporter ${JSON.stringify(rawExporter)}; using otlp`);
  // A signal-specific endpoint is used as is; the generic one gets the signal path appended.
  const specific = env[`OTEL_EXPORTER_OTLP_${sig}_ENDPOINT`]?.trim();
  const generic = env.OTEL_EXPORTER_OTLP_ENDPOINT?.trim();
  let url = specific || (generic ? `${generic.replace(/\/+$/, '')}/${path}` : `http://localhost:4318/${path}`);
  try {
    url = new URL(url).href;
  } catch {
    warnings.push(`OTEL_EXPORTER_OTLP_${specific ? `${sig}_` : ''}ENDPOINT: not a URL (${JSON.stringify(url)}); ${sig.toLowerCase()} export disabled`);
    exporter = 'none';
  }
  const rawProtocol = (env[`OTEL_EXPORTER_OTLP_${sig}_PROTOCOL`] ?? env.OTEL_EXPORTER_OTLP_PROTOCOL ?? 'http/protobuf').trim();
  let protocol: OtlpProtocol = 'http/protobuf';
  if (rawProtocol === 'http/json' || rawProtocol === 'http/protobuf') protocol = rawProtocol;
  else warnings.push(`OTEL_EXPORTER_OTLP_PROTOCOL: ${JSON.stringify(rawProtocol)} is not supported by this agent (http/protobuf, http/json); using http/protobuf`);
  const headers = {
    ...parseKeyValues(env.OTEL_EXPORTER_OTLP_HEADERS, 'OTEL_EXPORTER_OTLP_HEADERS', warnings),
    ...parseKeyValues(env[`OTEL_EXPORTER_OTLP_${sig}_HEADERS`], `OTEL_EXPORTER_OTLP_${sig}_HEADERS`, warnings),
  };
  const timeoutMs = num(env, `OTEL_EXPORTER_OTLP_${sig}_TIMEOUT`, num(env, 'OTEL_EXPORTER_OTLP_TIMEOUT', 10_000, warnings, 1), warnings, 1);
  const rawCompression = (env[`OTEL_EXPORTER_OTLP_${sig}_COMPRESSION`] ?? env.OTEL_EXPORTER_OTLP_COMPRESSION ?? 'none').trim();
  let compression: 'gzip' | 'none' = 'none';
  if (rawCompression === 'gzip' || rawCompression === 'none') compression = rawCompression;
  else warnings.push(`OTEL_EXPORTER_OTLP_COMPRESSION: expected gzip or none, got ${JSON.stringify(rawCompression)}`);
  return { exporter, url, protocol, headers, timeoutMs, compression };
}

export function otelSettings(env: Env, defaults: { serviceName?: string } = {}): OtelSettings {
  const warnings: string[] = [];
  const resourceAttributes = parseKeyValues(env.OTEL_RESOURCE_ATTRIBUTES, 'OTEL_RESOURCE_ATTRIBUTES', warnings);
  const serviceName = env.OTEL_SERVICE_NAME?.trim() || resourceAttributes['service.name'] || defaults.serviceName || 'sentinel-agent';
  const logs = signal(env, 'LOGS', 'v1/logs', warnings);
  const metrics = signal(env, 'METRICS', 'v1/metrics', warnings);
  const maxQueueSize = num(env, 'OTEL_BLRP_MAX_QUEUE_SIZE', 2048, warnings, 1);
  let maxExportBatchSize = num(env, 'OTEL_BLRP_MAX_EXPORT_BATCH_SIZE', 512, warnings, 1);
  if (maxExportBatchSize > maxQueueSize) {
    warnings.push('OTEL_BLRP_MAX_EXPORT_BATCH_SIZE: larger than OTEL_BLRP_MAX_QUEUE_SIZE; using the queue size');
    maxExportBatchSize = maxQueueSize;
  }
  const temporalityRaw = (env.OTEL_EXPORTER_OTLP_METRICS_TEMPORALITY_PREFERENCE ?? 'cumulative').trim().toLowerCase();
  const lengthLimit = env.OTEL_LOGRECORD_ATTRIBUTE_VALUE_LENGTH_LIMIT ?? env.OTEL_ATTRIBUTE_VALUE_LENGTH_LIMIT;
  const diagRaw = (env.OTEL_LOG_LEVEL ?? 'warn').trim().toLowerCase();
  const out: OtelSettings = {
    disabled: bool(env, 'OTEL_SDK_DISABLED'),
    serviceName,
    resourceAttributes,
    logs: {
      ...logs,
      scheduleDelayMs: num(env, 'OTEL_BLRP_SCHEDULE_DELAY', DEFAULT_LOGS_SCHEDULE_DELAY_MS, warnings),
      exportTimeoutMs: num(env, 'OTEL_BLRP_EXPORT_TIMEOUT', 30_000, warnings, 1),
      maxQueueSize,
      maxExportBatchSize,
    },
    metrics: {
      ...metrics,
      // The JS metrics SDK does not read these two itself.
      intervalMs: num(env, 'OTEL_METRIC_EXPORT_INTERVAL', 60_000, warnings, 1),
      exportTimeoutMs: num(env, 'OTEL_METRIC_EXPORT_TIMEOUT', 30_000, warnings, 1),
      temporality: temporalityRaw === 'delta' ? 'delta' : 'cumulative',
    },
    diagLevel: (['none', 'error', 'warn', 'info', 'debug', 'verbose', 'all'] as const).find((l) => l === diagRaw) ?? 'warn',
    warnings,
  };
  if (out.metrics.exportTimeoutMs > out.metrics.intervalMs) out.metrics.exportTimeoutMs = out.metrics.intervalMs;
  // A shared variable read for both signals warns once.
  out.warnings = [...new Set(warnings)];
  if (lengthLimit !== undefined) {
    const n = Number(lengthLimit);
    if (Number.isInteger(n) && n > 0) out.attributeValueLengthLimit = n;
    else out.warnings.push(`OTEL_ATTRIBUTE_VALUE_LENGTH_LIMIT: expected a positive integer, got ${JSON.stringify(lengthLimit)}`);
  }
  return out;
}
