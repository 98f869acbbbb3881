// With the real Prometheus (Debian's `prometheus` package; .ci/run installs it): it scrapes the
// agent's /metrics and a query shows the incident gauge rise and fall; promtool checks and unit-tests
// the alerting rules.
// Why the fake API server here: the cluster only has to raise and clear an incident on cue for the
// real Prometheus to scrape; the agent against the real API server is in e2e/.

import { afterEach, describe, expect, it } from 'vitest';
import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { makeKubeClient } from '../src/collector/kube-client.ts';
import { startWatch, type RunningWatch } from '../src/cli/watch.ts';
import { DEFAULT_WATCH_SETTINGS } from '../src/agent/agent.ts';
import { defaultAgentConfig } from '../src/config/config.ts';
import { healthyPlatform, pod, running, terminated, waiting } from './support/objects.ts';
import { fakeCluster } from './support/cluster.ts';
import { Prometheus, which } from './support/prometheus.ts';
import { waitFor } from './support/wait.ts';

const RULES = fileURLToPath(new URL('../deploy/prometheus/', import.meta.url));

const cleanup: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const c of cleanup.splice(0).reverse()) await c();
});

describe('alerting rules', () => {
  it('promtool check rules', () => {
    const out = execFileSync(which('promtool'), ['check', 'rules', join(RULES, 'sentinel-agent-rules.yaml')], { encoding: 'utf8' });
    expect(out).toMatch(/SUCCESS: \d+ rules found/);
  });

  it('promtool test rules: alerts fire after their `for`, not before', () => {
    const out = execFileSync(which('promtool'), ['test', 'rules', 'sentinel-agent-rules.test.yaml'], { cwd: RULES, encoding: 'utf8' });
    expect(out).toContain('SUCCESS');
  });
});

describe('Prometheus scraping the agent', () => {
  it('the incident gauge rises and falls in a PromQL query', async () => {
    const healthy = pod('web-1', { ns: 'apps', containers: [{ name: 'web', state: running(-1) }] });
    const { api, kubeconfig } = await fakeCluster([...healthyPlatform(), healthy]);
    cleanup.push(() => api.stop());
    const cfg = defaultAgentConfig();
    cfg.listen = '127.0.0.1:0';
    cfg.clusterName = 'eu-1';
    const w: RunningWatch = await startWatch(cfg, await makeKubeClient({ kubeconfig }), () => {}, {
      settings: { ...DEFAULT_WATCH_SETTINGS, holdMs: 200, evaluationDelayMs: 10 },
      prometheus: true,
    });
    cleanup.push(() => w.stop());
    const text = await (await fetch(`${w.url}/metrics`)).text();
    expect(text).toContain('# TYPE mcp_runtime_health_incidents gauge');
    expect(text).toMatch(/mcp_runtime_health_incidents\{[^}]*kind="Pod"[^}]*\} 0/);
    // The cluster on every series, as the Collector's exporter gives it: one Prometheus, several clusters.
    const samples = text.split('\n').filter((l) => /^(mcp_runtime|sentinel_agent)_\w+\{/.test(l));
    expect(samples.length).toBeGreaterThan(10);
    for (const l of samples) expect(l).toContain('k8s_cluster_name="eu-1"');
    expect(text).toContain('sentinel_agent_watch_restarts_total');

    const prom = await Prometheus.start({ jobs: { 'sentinel-agent': { targets: [new URL(w.url).host] } } });
    cleanup.push(() => prom.stop());
    const series = 'mcp_runtime_health_incidents{k8s_cluster_name="eu-1",kind="Pod",reason="CrashLoopBackOff",severity="critical"}';
    const value = async (): Promise<number | undefined> => (await prom.query(series))[0]?.value;
    await waitFor('first scrape with 0', async () => (await value()) === 0, 30_000, { everyMs: 250, retryErrors: true });
    api.apply(pod('web-1', { ns: 'apps', ready: false, containers: [{ name: 'web', ready: false, state: waiting('CrashLoopBackOff'), lastState: terminated('Error', 1, -1) }] }));
    await waitFor('gauge at 1', async () => (await value()) === 1, 30_000, { everyMs: 250, retryErrors: true });
    api.apply(healthy);
    await waitFor('gauge back to 0', async () => (await value()) === 0, 30_000, { everyMs: 250, retryErrors: true });
    expect((await prom.query('sum(mcp_runtime_health_incident_transitions_total{transition="resolved"})'))[0]?.value).toBe(1);
    // Time to resolve: one resolution in the histogram, by kind, severity and reason (no object name).
    // Scraped from the agent the unit is not in the name; through the Collector's exporter it is
    // (mcp_runtime_health_incident_duration_seconds_*, as the dashboard queries it).
    const mttr = await waitFor('the resolution in the duration histogram', async () => (await prom.query('mcp_runtime_health_incident_duration_count{k8s_cluster_name="eu-1",kind="Pod",reason="CrashLoopBackOff",severity="critical"}'))[0], 30_000, { everyMs: 250, retryErrors: true });
    expect(mttr.value).toBe(1);
    expect(Object.keys(mttr.metric).sort()).toEqual(['__name__', 'instance', 'job', 'k8s_cluster_name', 'kind', 'otel_scope_name', 'otel_scope_version', 'reason', 'severity']);
    expect((await prom.query('histogram_quantile(0.5, sum by (le) (mcp_runtime_health_incident_duration_bucket))'))[0]?.value).toBeLessThanOrEqual(30);
  }, 60_000);
});
