// The real Prometheus (Debian's `prometheus` package; .ci/run installs it), started for one test:
// a scrape config, optional rule files, a fast scrape and evaluation interval, and its HTTP API read
// back (instant queries, alerts, targets).

import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { stringify } from 'yaml';
import { waitFor } from './wait.ts';
import { freePort } from '../../testbed/testbed.ts';

/** A program the tests need from Debian's packages: its path, or an error naming the package. */
export function which(bin: string, pkg = 'prometheus'): string {
  try {
    return execFileSync('sh', ['-c', `command -v ${bin}`], { encoding: 'utf8' }).trim();
  } catch {
    throw new Error(`${bin} is not installed: apt-get install ${pkg} (.ci/run does)`);
  }
}

export interface Sample {
  metric: Record<string, string>;
  value: number;
}

export interface Alert {
  labels: Record<string, string>;
  annotations: Record<string, string>;
  state: 'pending' | 'firing';
  activeAt: string;
}

export interface PrometheusOptions {
  /** job name -> targets (host:port) and optional metrics path */
  jobs: Record<string, { targets: string[]; metricsPath?: string }>;
  ruleFiles?: string[];
  /** seconds; default 1 */
  interval?: number;
}

export class Prometheus {
  readonly url: string;
  readonly dir: string;
  private readonly child: ChildProcess;
  private log = '';

  private constructor(url: string, dir: string, child: ChildProcess) {
    this.url = url;
    this.dir = dir;
    this.child = child;
    child.stderr?.on('data', (d: Buffer) => {
      this.log = (this.log + d.toString()).slice(-20_000);
    });
  }

  static async start(o: PrometheusOptions): Promise<Prometheus> {
    const dir = mkdtempSync(join(tmpdir(), 'sa-prom-'));
    const port = await freePort();
    const every = `${o.interval ?? 1}s`;
    writeFileSync(
      join(dir, 'prometheus.yml'),
      stringify({
        global: { scrape_interval: every, evaluation_interval: every },
        ...(o.ruleFiles?.length ? { rule_files: o.ruleFiles } : {}),
        scrape_configs: Object.entries(o.jobs).map(([job, j]) => ({ job_name: job, ...(j.metricsPath ? { metrics_path: j.metricsPath } : {}), static_configs: [{ targets: j.targets }] })),
      }),
    );
    const child = spawn(which('prometheus'), [`--config.file=${join(dir, 'prometheus.yml')}`, `--storage.tsdb.path=${join(dir, 'data')}`, `--web.listen-address=127.0.0.1:${port}`], { stdio: ['ignore', 'ignore', 'pipe'] });
    const p = new Prometheus(`http://127.0.0.1:${port}`, dir, child);
    await waitFor(
      'Prometheus to be ready',
      async () => {
        if (child.exitCode !== null) throw new Error(`prometheus exited ${child.exitCode}: ${p.log.slice(-2000)}`);
        return (await fetch(`${p.url}/-/ready`)).ok;
      },
      30_000,
      { everyMs: 200, retryErrors: true },
    );
    return p;
  }

  private async api<T>(path: string): Promise<T> {
    const r = (await (await fetch(`${this.url}/api/v1/${path}`, { signal: AbortSignal.timeout(10_000) })).json()) as { status: string; data: T; error?: string };
    if (r.status !== 'success') throw new Error(`Prometheus ${path}: ${r.error ?? r.status}`);
    return r.data;
  }

  /** An instant query's samples. */
  async query(q: string): Promise<Sample[]> {
    const d = await this.api<{ result: { metric: Record<string, string>; value: [number, string] }[] }>(`query?query=${encodeURIComponent(q)}`);
    return d.result.map((r) => ({ metric: r.metric, value: Number(r.value[1]) }));
  }

  async alerts(): Promise<Alert[]> {
    return (await this.api<{ alerts: Alert[] }>('alerts')).alerts;
  }

  /** Each scrape target's health and last error. */
  async targets(): Promise<{ job: string; health: string; lastError: string }[]> {
    const d = await this.api<{ activeTargets: { labels: Record<string, string>; health: string; lastError: string }[] }>('targets');
    return d.activeTargets.map((t) => ({ job: t.labels.job ?? '', health: t.health, lastError: t.lastError }));
  }

  /** Rules Prometheus loaded, with any evaluation error. */
  async rules(): Promise<{ name: string; health: string; lastError?: string }[]> {
    const d = await this.api<{ groups: { rules: { name: string; health: string; lastError?: string }[] }[] }>('rules');
    return d.groups.flatMap((g) => g.rules);
  }

  stop(): void {
    this.child.kill('SIGKILL');
  }
}
