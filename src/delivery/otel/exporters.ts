// The exporters, wrapped to count what they achieve (exports, failures, drops) and to tell the agent
// when the Collector fails and when it answers again; and the OTLP exporters for each protocol.

import { ExportResultCode, type ExportResult } from '@opentelemetry/core';
import type { LogRecordExporter, ReadableLogRecord } from '@opentelemetry/sdk-logs';
import { AggregationTemporality, type PushMetricExporter, type ResourceMetrics } from '@opentelemetry/sdk-metrics';
import type { SignalSettings } from './settings.ts';

export interface ExportStats {
  exported: number;
  failedExports: number;
  dropped: number;
  reannounced: number;
  failing: boolean;
}

/** Counts what an exporter achieved, and tells when it recovers after failing. */
export class CountingLogExporter implements LogRecordExporter {
  readonly stats: ExportStats = { exported: 0, failedExports: 0, dropped: 0, reannounced: 0, failing: false };
  inFlight = 0;
  private readonly inner: LogRecordExporter;
  private readonly onRecovered: () => void;
  private readonly onFailed: (records: readonly ReadableLogRecord[], retryable: boolean) => void;
  private readonly warn: (msg: string, fields: Record<string, unknown>) => void;

  constructor(inner: LogRecordExporter, onRecovered: () => void, onFailed: (records: readonly ReadableLogRecord[], retryable: boolean) => void, warn: (msg: string, fields: Record<string, unknown>) => void) {
    this.inner = inner;
    this.onRecovered = onRecovered;
    this.onFailed = onFailed;
    this.warn = warn;
  }

  export(records: ReadableLogRecord[], cb: (r: ExportResult) => void): void {
    this.inner.export(records, (r) => {
      this.inFlight = Math.max(0, this.inFlight - records.length);
      if (r.code === ExportResultCode.SUCCESS) {
        this.stats.exported += records.length;
        if (this.stats.failing) {
          this.stats.failing = false;
          this.onRecovered();
        }
      } else {
        this.stats.failedExports++;
        this.stats.dropped += records.length;
        this.stats.failing = true;
        // A 4xx (a 400 above all) is a bug on one side: logged, not retried (the SDK retries 429/5xx).
        this.warn('log export failed; records dropped and open incidents will be announced again on recovery', {
          records: records.length,
          error: r.error?.message?.slice(0, 300),
        });
        // A 4xx other than 429 is the Collector refusing these records: sending them again cannot help.
        const code = (r.error as { code?: unknown } | undefined)?.code;
        this.onFailed(records, !(typeof code === 'number' && code >= 400 && code < 500 && code !== 429));
      }
      cb(r);
    });
  }

  shutdown(): Promise<void> {
    return this.inner.shutdown();
  }

  forceFlush(): Promise<void> {
    return this.inner.forceFlush?.() ?? Promise.resolve();
  }
}

export class CountingMetricExporter implements PushMetricExporter {
  readonly stats: ExportStats = { exported: 0, failedExports: 0, dropped: 0, reannounced: 0, failing: false };
  private readonly inner: PushMetricExporter;
  private readonly warn: (msg: string, fields: Record<string, unknown>) => void;

  constructor(inner: PushMetricExporter, warn: (msg: string, fields: Record<string, unknown>) => void) {
    this.inner = inner;
    this.warn = warn;
    if (inner.selectAggregationTemporality) this.selectAggregationTemporality = inner.selectAggregationTemporality.bind(inner);
  }

  selectAggregationTemporality?: PushMetricExporter['selectAggregationTemporality'];

  export(metrics: ResourceMetrics, cb: (r: ExportResult) => void): void {
    this.inner.export(metrics, (r) => {
      if (r.code === ExportResultCode.SUCCESS) {
        this.stats.exported++;
        this.stats.failing = false;
      } else {
        this.stats.failedExports++;
        this.stats.dropped++;
        this.stats.failing = true;
        this.warn('metric export failed; the next export carries the current values', { error: r.error?.message?.slice(0, 300) });
      }
      cb(r);
    });
  }

  forceFlush(): Promise<void> {
    return this.inner.forceFlush();
  }

  shutdown(): Promise<void> {
    return this.inner.shutdown();
  }
}

export async function otlpLogExporter(s: SignalSettings): Promise<LogRecordExporter> {
  const config = { url: s.url, headers: s.headers, timeoutMillis: s.timeoutMs, compression: s.compression === 'gzip' ? ('gzip' as never) : ('none' as never) };
  if (s.protocol === 'http/json') return new (await import('@opentelemetry/exporter-logs-otlp-http')).OTLPLogExporter(config);
  return new (await import('@opentelemetry/exporter-logs-otlp-proto')).OTLPLogExporter(config);
}

export async function otlpMetricExporter(s: SignalSettings, temporality: 'cumulative' | 'delta'): Promise<PushMetricExporter> {
  const config = {
    url: s.url,
    headers: s.headers,
    timeoutMillis: s.timeoutMs,
    compression: s.compression === 'gzip' ? ('gzip' as never) : ('none' as never),
    temporalityPreference: temporality === 'delta' ? AggregationTemporality.DELTA : AggregationTemporality.CUMULATIVE,
  };
  if (s.protocol === 'http/json') return new (await import('@opentelemetry/exporter-metrics-otlp-http')).OTLPMetricExporter(config as never);
  return new (await import('@opentelemetry/exporter-metrics-otlp-proto')).OTLPMetricExporter(config as never);
}
