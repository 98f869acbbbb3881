// The Collector configuration, the Grafana dashboard and the alert rules refer to things that exist.
// This reads the files as data; the real Collector validates and runs the same file in
// e2e/telemetry.e2e.ts (otelcol validate, and the agent's records through it to Prometheus).

import { describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { parse } from 'yaml';
import { METRIC } from '../src/delivery/otel/names.ts';

const read = (p: string): string => readFileSync(new URL(`../${p}`, import.meta.url), 'utf8');

/** The Prometheus name of an OTel metric, as the exporters write it. */
function promName(otel: string): string[] {
  const base = otel.replace(/\./g, '_');
  return [base, `${base}_total`, `${base}_seconds`, ...["bucket", "sum", "count"].map((s) => `${base}_seconds_${s}`)];
}

describe('otel-collector-config.yaml', () => {
  const cfg = parse(read('otel-collector-config.yaml')) as {
    extensions: Record<string, unknown>;
    receivers: Record<string, unknown>;
    processors: Record<string, unknown>;
    exporters: Record<string, Record<string, unknown>>;
    service: { extensions: string[]; pipelines: Record<string, { receivers: string[]; processors: string[]; exporters: string[] }> };
  };

  it('every pipeline references defined components, memory_limiter first', () => {
    for (const e of cfg.service.extensions) expect(cfg.extensions, e).toHaveProperty(e);
    for (const [name, p] of Object.entries(cfg.service.pipelines)) {
      for (const r of p.receivers) expect(cfg.receivers, `${name}: ${r}`).toHaveProperty(r);
      for (const x of p.processors) expect(cfg.processors, `${name}: ${x}`).toHaveProperty([x]);
      for (const x of p.exporters) expect(cfg.exporters, `${name}: ${x}`).toHaveProperty([x]);
      expect(p.processors[0], name).toBe('memory_limiter');
    }
    expect(Object.keys(cfg.service.pipelines).sort()).toEqual(['logs', 'metrics']);
  });

  it('receives OTLP on 4317 and 4318; logs go to Sentinel with endpoint and key from the environment', () => {
    const otlp = cfg.receivers.otlp as { protocols: { grpc: { endpoint: string }; http: { endpoint: string } } };
    expect(otlp.protocols.grpc.endpoint).toMatch(/:4317\}$/);
    expect(otlp.protocols.http.endpoint).toMatch(/:4318\}$/);
    const sentinel = cfg.exporters['otlp_http/sentinel'] as { endpoint: string; headers: Record<string, string>; retry_on_failure: { enabled: boolean }; sending_queue: { enabled: boolean; storage: string } };
    expect(sentinel.endpoint).toBe('${env:SENTINEL_OTLP_ENDPOINT}');
    expect(sentinel.headers['x-api-key']).toBe('${env:SENTINEL_API_KEY}');
    expect(sentinel.retry_on_failure.enabled).toBe(true);
    expect(sentinel.sending_queue).toMatchObject({ enabled: true, storage: 'file_storage' });
    expect(cfg.service.pipelines.logs?.exporters).toContain('otlp_http/sentinel');
    expect(cfg.service.pipelines.metrics?.exporters).toContain('prometheus');
    // Remote write is optional and commented out, with its URL from the environment.
    expect(read('otel-collector-config.yaml')).toMatch(/# +endpoint: \$\{env:PROMETHEUS_REMOTE_WRITE_URL\}/);
    // No secret is written in the file itself.
    expect(read('otel-collector-config.yaml')).not.toMatch(/api[-_]?key:\s*[A-Za-z0-9]{8,}/i);
    expect(read('otel-collector-config.yaml')).toMatch(/contrib distribution/);
  });
});

describe('Grafana dashboard and alert rules', () => {
  const known = new Set(Object.values(METRIC).flatMap(promName));
  known.add('up');

  it('the dashboard is provisionable JSON whose queries use metrics the agent exports', () => {
    const d = JSON.parse(read('deploy/grafana/sentinel-agent-dashboard.json')) as { uid: string; panels: { title: string; targets: { expr: string }[] }[] };
    expect(d.uid).toBe('sentinel-agent');
    expect(d.panels.length).toBeGreaterThanOrEqual(10);
    for (const p of d.panels) {
      for (const t of p.targets) {
        const names = [...t.expr.matchAll(/\b(mcp_runtime_[a-z_]+|sentinel_agent_[a-z_]+)/g)].map((m) => m[1]);
        expect(names.length, p.title).toBeGreaterThan(0);
        for (const n of names) expect(known, `${p.title}: ${n}`).toContain(n);
      }
    }
  });

  it('one Prometheus, several clusters: every query selects the cluster and every grouping keeps it apart', () => {
    const d = JSON.parse(read('deploy/grafana/sentinel-agent-dashboard.json')) as { templating: { list: { name: string }[] }; panels: { title: string; targets: { expr: string; legendFormat?: string }[] }[] };
    expect(d.templating.list.map((v) => v.name)).toContain('cluster');
    const rules = parse(read('deploy/prometheus/sentinel-agent-rules.yaml')) as { groups: { rules: { alert: string; expr: string }[] }[] };
    const exprs = [...d.panels.flatMap((p) => p.targets.map((t) => ({ where: p.title, expr: t.expr, legend: t.legendFormat }))), ...rules.groups.flatMap((g) => g.rules.map((r) => ({ where: r.alert, expr: r.expr, legend: undefined })))];
    for (const e of exprs) {
      for (const m of e.expr.matchAll(/\b(?:sum|min|max|avg|count) by \(([^)]*)\)/g)) expect(m[1], `${e.where}: ${e.expr}`).toMatch(/\bk8s_cluster_name\b/);
      if (e.legend) expect(e.legend, e.where).toContain('{{k8s_cluster_name}}');
    }
    for (const p of d.panels) for (const t of p.targets) for (const m of t.expr.matchAll(/\b(mcp_runtime_[a-z_]+|sentinel_agent_[a-z_]+)\{([^}]*)\}/g)) expect(m[2], p.title).toContain('k8s_cluster_name=~"$cluster"');
  });

  it('every alert has severity, description and runbook_url, and queries exported metrics', () => {
    const rules = parse(read('deploy/prometheus/sentinel-agent-rules.yaml')) as { groups: { rules: { alert: string; expr: string; labels: Record<string, string>; annotations: Record<string, string> }[] }[] };
    const all = rules.groups.flatMap((g) => g.rules);
    expect(all.length).toBeGreaterThanOrEqual(5);
    for (const r of all) {
      expect(['critical', 'warning', 'info'], r.alert).toContain(r.labels.severity);
      expect(r.annotations.description?.length, r.alert).toBeGreaterThan(20);
      expect(r.annotations.runbook_url, r.alert).toMatch(/^https:\/\//);
      for (const m of r.expr.matchAll(/\b(mcp_runtime_[a-z_]+|sentinel_agent_[a-z_]+)/g)) expect(known, `${r.alert}: ${m[1]}`).toContain(m[1]);
    }
  });
});
