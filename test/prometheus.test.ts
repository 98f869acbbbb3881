// With the real Prometheus (Debian's `prometheus` package; .ci/run installs it): it scrapes the
// agent's /metrics and a query shows the incident gauge rise and fall; promtool checks and unit-tests
// the alerting rules.
// Why the fake API server here: the cluster only has to raise and clear an incident on cue for the
// real Prometheus to scrape; the agent against the real API server is in e2e/.

import { afterEach, describe, expect, it } from 'vitest';
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createServer } from 'node:net';
import { fileURLToPath } from 'node:url';
import { makeKubeClient } from '../src/collector/kube-client.ts';
import { startWatch, type RunningWatch } from '../src/cli/watch.ts';
import { DEFAULT_WATCH_SETTINGS } from '../src/agent/agent.ts';
import { defaultAgentConfig } from '../src/config/config.ts';
import { healthyPlatform, pod, running, terminated, waiting } from './support/objects.ts';
import { fakeCluster } from './support/cluster.ts';

const RULES = fileURLToPath(new URL('../deploy/prometheus/', import.meta.url));

function which(bin: string): string {
  try {
    return execFileSync('sh', ['-c', `command -v ${bin}`], { encoding: 'utf8' }).trim();
  } catch {
    throw new Error(`${bin} is not installed: apt-get install prometheus (.ci/run does)`);
  }
}

async function freePort(): Promise<number> {
  return await new Promise((resolve) => {
    const s = createServer();
    s.listen(0, '127.0.0.1', () => {
      const port = (s.address() as { port: number }).port;
      s.close(() => resolve(port));
    });
  });
}

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
    const prometheus = which('prometheus');
    const healthy = pod('web-1', { ns: 'apps', containers: [{ name: 'web', state: running(-1) }] });
    const { api, kubeconfig } = await fakeCluster([...healthyPlatform(), healthy]);
    cleanup.push(() => api.stop());
    const dir = mkdtempSync(join(tmpdir(), 'sa-prom-'));
    const cfg = defaultAgentConfig();
    cfg.listen = '127.0.0.1:0';
    const w: RunningWatch = await startWatch(cfg, await makeKubeClient({ kubeconfig }), () => {}, {
      settings: { ...DEFAULT_WATCH_SETTINGS, holdMs: 200, evaluationDelayMs: 10 },
      prometheus: true,
    });
    cleanup.push(() => w.stop());
    const text = await (await fetch(`${w.url}/metrics`)).text();
    expect(text).toContain('# TYPE mcp_runtime_health_incidents gauge');
    expect(text).toMatch(/mcp_runtime_health_incidents\{[^}]*kind="Pod"[^}]*\} 0/);
    expect(text).toContain('sentinel_agent_watch_restarts_total');

    const port = await freePort();
    const target = new URL(w.url).host;
    writeFileSync(
      join(dir, 'prometheus.yml'),
      `global:\n  scrape_interval: 1s\n  evaluation_interval: 1s\nscrape_configs:\n  - job_name: sentinel-agent\n    static_configs:\n      - targets: ['${target}']\n`,
    );
    const prom: ChildProcess = spawn(prometheus, [`--config.file=${join(dir, 'prometheus.yml')}`, `--storage.tsdb.path=${join(dir, 'data')}`, `--web.listen-address=127.0.0.1:${port}`], { stdio: 'ignore' });
    cleanup.push(() => {
      prom.kill('SIGKILL');
    });
    const query = async (q: string): Promise<number | undefined> => {
      try {
        const r = (await (await fetch(`http://127.0.0.1:${port}/api/v1/query?query=${encodeURIComponent(q)}`)).json()) as { data?: { result?: { value: [number, string] }[] } };
        const v = r.data?.result?.[0]?.value[1];
        return v === undefined ? undefined : Number(v);
      } catch {
        return undefined;
      }
    };
    const series = 'mcp_runtime_health_incidents{kind="Pod",reason="CrashLoopBackOff",severity="critical"}';
    const until = async (what: string, ok: (v: number | undefined) => boolean): Promise<void> => {
      const end = Date.now() + 30_000;
      while (!ok(await query(series))) {
        if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
        await new Promise((r) => setTimeout(r, 250));
      }
    };
    await until('first scrape with 0', (v) => v === 0);
    api.apply(pod('web-1', { ns: 'apps', ready: false, containers: [{ name: 'web', ready: false, state: waiting('CrashLoopBackOff'), lastState: terminated('Error', 1, -1) }] }));
    await until('gauge at 1', (v) => v === 1);
    api.apply(healthy);
    await until('gauge back to 0', (v) => v === 0);
    expect(await query('sum(mcp_runtime_health_incident_transitions_total{transition="resolved"})')).toBe(1);
  }, 60_000);
});
