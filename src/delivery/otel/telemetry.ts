// The OpenTelemetry set-up and the log path: providers and readers, one log record per transition
// (product.md §4) under flood control, and what happens when the Collector is away (the exporters
// are in exporters.ts, the instruments in metrics.ts). Nothing here can block
// the agent: exports are bounded, failures and drops are counted, and when the Collector answers again
// every incident still open is announced again (ids make that idempotent downstream).

import type http from 'node:http';
import { diag, DiagLogLevel, SeverityNumber, type Attributes, type Meter } from '@opentelemetry/api';
import { resourceFromAttributes, type Resource } from '@opentelemetry/resources';
import { BatchLogRecordProcessor, ConsoleLogRecordExporter, LoggerProvider, type LogRecordExporter, type ReadableLogRecord } from '@opentelemetry/sdk-logs';
import { ConsoleMetricExporter, MeterProvider, PeriodicExportingMetricReader, type IMetricReader } from '@opentelemetry/sdk-metrics';
import type { Transition } from '../../engine/tracker.ts';
import { throttledWarn, type Logger } from '../../util/log.ts';
import type { OtelSettings } from './settings.ts';
import { CountingLogExporter, CountingMetricExporter, otlpLogExporter, otlpMetricExporter, type ExportStats } from './exporters.ts';
import { registerInstruments, type TelemetrySource } from './metrics.ts';
import { Reannouncement } from '../reannounce.ts';

import type { PrometheusExporter } from '@opentelemetry/exporter-prometheus';
import { INSTRUMENTATION_SCOPE, logAttributes, eventName, severityOf } from './names.ts';
import { FloodGate, summaryText } from '../../engine/flood.ts';

/** A resolution's log record as it was first emitted, kept to be sent again. */
interface LostRecord {
  eventName?: string;
  timestamp: number;
  body: unknown;
  attributes: Attributes;
}

export interface TelemetryOptions {
  settings: OtelSettings;
  clusterName: string;
  serviceVersion: string;
  instanceId: string;
  log: Logger;
  /** Also serve the metrics in Prometheus text (GET /metrics). */
  prometheus?: boolean;
  now?: () => number;
  /** Flood control of log records (defaults: 100/s, burst 1000). */
  logRecordsPerSecond?: number;
  logRecordsBurst?: number;
  /** In place of the configured exporters (tests read in-memory exporters and readers). */
  overrides?: { logExporter?: LogRecordExporter; metricReaders?: IMetricReader[] };
}

export function buildResource(opts: TelemetryOptions): Resource {
  const attrs: Attributes = {
    ...opts.settings.resourceAttributes,
    'service.name': opts.settings.serviceName,
    'service.version': opts.serviceVersion,
    'service.instance.id': opts.settings.resourceAttributes['service.instance.id'] ?? opts.instanceId,
    'k8s.cluster.name': opts.clusterName,
  };
  return resourceFromAttributes(attrs);
}

/** The SDK's global error handler logs an error as its JSON, stack and all. Its message is enough;
 *  and an export that failed on the network is already a warning of the exporter that failed
 *  (exporters.ts), so the SDK's copy of it is kept for debug. */
export function diagError(m: string): { level: 'error' | 'debug'; message: string; code?: string } {
  let message = m;
  let code: string | undefined;
  try {
    const e = JSON.parse(m) as { message?: unknown; code?: unknown };
    if (typeof e.message === 'string') message = e.message;
    if (typeof e.code === 'string') code = e.code;
  } catch {
    /* not JSON: the message as it is */
  }
  message = message.split('\n')[0] ?? message;
  const network = (code !== undefined && /^(E[A-Z]+|UND_ERR_\w+)$/.test(code)) || /export failed|ECONNREFUSED|ENOTFOUND|ETIMEDOUT|socket hang up/.test(message);
  return { level: network ? 'debug' : 'error', message, ...(code ? { code } : {}) };
}

export class Telemetry {
  readonly name = 'otel';
  readonly logStats: ExportStats;
  readonly metricStats: ExportStats;
  private readonly opts: TelemetryOptions;
  private readonly source: TelemetrySource;
  private loggerProvider?: LoggerProvider;
  private meterProvider?: MeterProvider;
  private logExporter?: CountingLogExporter;
  private metricExporter?: CountingMetricExporter;
  private prometheus?: PrometheusExporter;
  private logger?: ReturnType<LoggerProvider['getLogger']>;
  private transitionsCounter?: ReturnType<Meter['createCounter']>;
  private passHistogram?: ReturnType<Meter['createHistogram']>;
  private durationHistogram?: ReturnType<Meter['createHistogram']>;
  private maxQueue = 2048;
  private reannounceScheduled = false;
  private readonly gate: FloodGate;
  private floodTimer?: NodeJS.Timeout;
  static readonly FLOOD_SUMMARY_SECONDS = 10;

  private constructor(opts: TelemetryOptions, source: TelemetrySource) {
    this.opts = opts;
    this.source = source;
    this.logStats = { exported: 0, failedExports: 0, dropped: 0, reannounced: 0, failing: false };
    this.metricStats = { exported: 0, failedExports: 0, dropped: 0, reannounced: 0, failing: false };
    this.gate = new FloodGate({ ratePerSecond: opts.logRecordsPerSecond ?? 100, burst: opts.logRecordsBurst ?? 1000, ...(opts.now ? { now: opts.now } : {}) });
  }

  /** Every few seconds: a summary of what flood control suppressed; after a flood, re-announce. */
  private floodTick(): void {
    const s = this.gate.takeSummary();
    if (s && this.logger) {
      this.logger.emit({
        eventName: 'mcp_runtime.health.incident.suppressed',
        severityNumber: SeverityNumber.WARN,
        severityText: 'WARN',
        body: summaryText(s, Telemetry.FLOOD_SUMMARY_SECONDS),
        attributes: { 'incident.suppressed_total': s.total, ...Object.fromEntries(Object.entries(s.byReason).map(([r, n]) => [`incident.suppressed.${r}`, n])) },
      });
      this.suppressedTotal += s.total;
      this.opts.log('warn', 'flood control suppressed incident records', { total: s.total, byReason: s.byReason });
    }
    if (!s && this.gate.owed && this.gate.calm()) {
      this.gate.owed = false;
      this.scheduleReannounce();
    }
  }

  private suppressedTotal = 0;

  static async create(opts: TelemetryOptions, source: TelemetrySource): Promise<Telemetry> {
    const t = new Telemetry(opts, source);
    await t.init();
    return t;
  }

  get enabled(): boolean {
    return !this.opts.settings.disabled;
  }

  private async init(): Promise<void> {
    const { settings: s, log } = this.opts;
    for (const w of s.warnings) log('warn', 'telemetry configuration', { detail: w });
    if (s.disabled) {
      log('info', 'OpenTelemetry disabled (OTEL_SDK_DISABLED=true)');
      return;
    }
    const levels: Record<OtelSettings['diagLevel'], DiagLogLevel> = {
      none: DiagLogLevel.NONE,
      error: DiagLogLevel.ERROR,
      warn: DiagLogLevel.WARN,
      info: DiagLogLevel.INFO,
      debug: DiagLogLevel.DEBUG,
      verbose: DiagLogLevel.VERBOSE,
      all: DiagLogLevel.ALL,
    };
    // The SDK's own diagnostics go to the agent's structured log.
    diag.setLogger(
      {
        error: (m, ...a) => {
          const d = diagError(m);
          log(d.level, `otel: ${d.message}`, { ...(d.code ? { code: d.code } : {}), ...(a.length ? { detail: a.map(String).join(' ').slice(0, 500) } : {}) });
        },
        warn: (m, ...a) => log('warn', `otel: ${m}`, a.length ? { detail: a.map(String).join(' ').slice(0, 500) } : undefined),
        info: (m) => log('info', `otel: ${m}`),
        debug: (m) => log('debug', `otel: ${m}`),
        verbose: (m) => log('debug', `otel: ${m}`),
      },
      { logLevel: levels[s.diagLevel], suppressOverrideMessage: true },
    );
    const now = this.opts.now ?? Date.now;
    const resource = buildResource(this.opts);

    // Logs.
    const o = this.opts.overrides;
    if (s.logs.exporter !== 'none' || o?.logExporter) {
      const inner = o?.logExporter ?? (s.logs.exporter === 'console' ? new ConsoleLogRecordExporter() : await otlpLogExporter(s.logs));
      this.logExporter = new CountingLogExporter(
        inner,
        () => this.recovered(),
        (records, retryable) => this.exportFailed(records, retryable),
        throttledWarn(log, 60_000, now),
      );
      this.maxQueue = s.logs.maxQueueSize;
      this.loggerProvider = new LoggerProvider({
        resource,
        ...(s.attributeValueLengthLimit ? { logRecordLimits: { attributeValueLengthLimit: s.attributeValueLengthLimit } } : {}),
        processors: [
          new BatchLogRecordProcessor({
            exporter: this.logExporter,
            scheduledDelayMillis: s.logs.scheduleDelayMs,
            exportTimeoutMillis: s.logs.exportTimeoutMs,
            maxQueueSize: s.logs.maxQueueSize,
            maxExportBatchSize: s.logs.maxExportBatchSize,
          }),
        ],
      });
      this.logger = this.loggerProvider.getLogger(INSTRUMENTATION_SCOPE, this.opts.serviceVersion);
    }

    // Metrics.
    const readers: IMetricReader[] = [...(o?.metricReaders ?? [])];
    if (s.metrics.exporter !== 'none' && !o?.metricReaders) {
      const inner = s.metrics.exporter === 'console' ? new ConsoleMetricExporter() : await otlpMetricExporter(s.metrics, s.metrics.temporality);
      this.metricExporter = new CountingMetricExporter(inner, throttledWarn(log, 60_000, now));
      readers.push(new PeriodicExportingMetricReader({ exporter: this.metricExporter, exportIntervalMillis: s.metrics.intervalMs, exportTimeoutMillis: s.metrics.exportTimeoutMs }));
    }
    if (this.opts.prometheus) {
      const { PrometheusExporter } = await import('@opentelemetry/exporter-prometheus');
      // The cluster's name on every series, as the Collector's exporter puts it (resource_to_telemetry):
      // one Prometheus can scrape the agents of several clusters.
      this.prometheus = new PrometheusExporter({ preventServerStart: true, withResourceConstantLabels: /^k8s\.cluster\.name$/ });
      readers.push(this.prometheus);
    }
    this.meterProvider = new MeterProvider({ resource, readers });
    this.floodTimer = setInterval(() => this.floodTick(), Telemetry.FLOOD_SUMMARY_SECONDS * 1000);
    this.floodTimer.unref();
    const counts = { logExports: () => this.logExporter?.stats, metricExports: () => this.metricExporter?.stats, logStats: () => this.logStats, suppressed: () => this.suppressedTotal };
    ({ transitions: this.transitionsCounter, passes: this.passHistogram, durations: this.durationHistogram } = registerInstruments(this.meterProvider.getMeter(INSTRUMENTATION_SCOPE, this.opts.serviceVersion), this.source, counts));
    log('info', 'telemetry', {
      logs: s.logs.exporter === 'otlp' ? `${s.logs.protocol} ${s.logs.url}` : s.logs.exporter,
      metrics: s.metrics.exporter === 'otlp' ? `${s.metrics.protocol} ${s.metrics.url} every ${s.metrics.intervalMs} ms` : s.metrics.exporter,
      prometheus: this.opts.prometheus === true,
    });
  }

  /** IncidentSink: one log record per transition, and the transitions counter. */
  transitions(ts: readonly Transition[]): void {
    for (const t of ts) {
      // A re-announcement (start, leadership, a silence's end) is not another opening.
      if (t.type !== 'updated' && !t.announce) {
        this.transitionsCounter?.add(1, { kind: t.incident.object.kind, severity: t.incident.severity, reason: t.incident.reason, transition: t.type });
      }
      if (t.type === 'resolved' && t.durationS !== undefined) this.durationHistogram?.record(t.durationS, { kind: t.incident.object.kind, severity: t.incident.severity, reason: t.incident.reason });
      this.emit(t);
    }
  }

  private emit(t: Transition): void {
    if (!this.logger || !this.logExporter) return;
    if (!this.gate.admit(t)) return;
    // Bounded memory: never queue more than the processor holds; a drop is counted and repaired by
    // re-announcing the open incidents once exports succeed again.
    if (this.logExporter.inFlight >= this.maxQueue) {
      this.logStats.dropped++;
      this.logExporter.stats.failing = true;
      return;
    }
    this.logExporter.inFlight++;
    const sev = t.type === 'resolved' ? { n: SeverityNumber.INFO, text: 'INFO' } : severityOf(t.incident.severity);
    this.logger.emit({
      eventName: eventName(t.type),
      timestamp: t.at,
      observedTimestamp: t.at,
      severityNumber: sev.n,
      severityText: sev.text,
      body: t.incident.message,
      attributes: logAttributes(t),
    });
  }

  private scheduleReannounce(): void {
    if (this.reannounceScheduled) return;
    this.reannounceScheduled = true;
    setImmediate(() => {
      this.reannounceScheduled = false;
      const n = this.resend();
      this.opts.log('info', 'log export recovered: open incidents announced again', { incidents: n });
    });
  }

  // Delivery must not depend on later traffic: after a failed export the agent retries on its own
  // (jittered backoff, 1 s doubling to 30 s) until the Collector answers, re-sending the resolutions
  // that were lost and announcing every incident still open.
  private readonly reannouncement = new Reannouncement<LostRecord>(() => this.source.announceAll());
  private retryTimer?: NodeJS.Timeout;
  private retryAttempt = 0;
  /** A retry's records are on their way: its success needs no second announcement. */
  private retryCovers = false;

  private exportFailed(records: readonly ReadableLogRecord[], retryable: boolean): void {
    if (!retryable) return;
    for (const r of records) {
      const id = r.attributes['incident.id'];
      if (typeof id !== 'string' || r.attributes['incident.state'] !== 'resolved') continue;
      const rec: LostRecord = { timestamp: r.hrTime[0] * 1000 + Math.floor(r.hrTime[1] / 1e6), body: r.body, attributes: { ...r.attributes } };
      if (r.eventName) rec.eventName = r.eventName;
      this.reannouncement.lose(id, rec);
    }
    this.retryCovers = false;
    if (this.retryTimer || this.closed) return;
    const base = Math.min(30_000, 1000 * 2 ** this.retryAttempt);
    this.retryAttempt = Math.min(this.retryAttempt + 1, 30);
    this.retryTimer = setTimeout(() => {
      this.retryTimer = undefined;
      if (!this.logExporter?.stats.failing) return;
      this.retryCovers = true;
      const n = this.resend();
      this.opts.log('debug', 'log export failing: retrying with what is open', { incidents: n });
    }, base / 2 + Math.random() * (base / 2));
    this.retryTimer.unref?.();
  }

  private recovered(): void {
    clearTimeout(this.retryTimer);
    this.retryTimer = undefined;
    this.retryAttempt = 0;
    if (this.retryCovers) {
      this.retryCovers = false;
      return;
    }
    this.scheduleReannounce();
  }

  /** Re-sends the lost resolutions (of incidents not open again) and announces every open incident. */
  private resend(): number {
    const { resolutions, open: again } = this.reannouncement.recover();
    for (const r of resolutions) {
      this.logger?.emit({ ...(r.eventName ? { eventName: r.eventName } : {}), timestamp: r.timestamp, severityNumber: SeverityNumber.INFO, severityText: 'INFO', body: r.body as string, attributes: r.attributes });
    }
    this.logStats.reannounced += again.length;
    for (const t of again) this.emit(t);
    return again.length;
  }

  private closed = false;

  recordPass(kind: 'full' | 'incremental', ms: number): void {
    this.passHistogram?.record(ms / 1000, { pass: kind });
  }

  /** GET /metrics in Prometheus text exposition (when enabled). */
  metricsHandler(): ((req: http.IncomingMessage, res: http.ServerResponse) => void) | undefined {
    const p = this.prometheus;
    return p ? (req, res) => p.getMetricsRequestHandler(req, res) : undefined;
  }

  exportStats(): { logs: ExportStats; metrics: ExportStats } {
    const logs = this.logExporter ? { ...this.logExporter.stats, dropped: this.logExporter.stats.dropped + this.logStats.dropped, reannounced: this.logStats.reannounced } : this.logStats;
    return { logs, metrics: this.metricExporter?.stats ?? this.metricStats };
  }

  /** Exports what is pending now, keeping the providers running. */
  async forceFlush(): Promise<void> {
    await Promise.allSettled([this.loggerProvider?.forceFlush(), this.meterProvider?.forceFlush()]);
  }

  /** Final flush on shutdown: pending log records and one last metric export, bounded in time. */
  /** Runs the flood-control tick now (tests). */
  floodTickNow(): void {
    this.floodTick();
  }

  async flush(timeoutMs = 5000): Promise<void> {
    clearInterval(this.floodTimer);
    this.closed = true;
    clearTimeout(this.retryTimer);
    const all = Promise.allSettled([this.loggerProvider?.shutdown(), this.meterProvider?.shutdown()]);
    await Promise.race([all, new Promise((r) => setTimeout(r, timeoutMs).unref())]);
  }
}
