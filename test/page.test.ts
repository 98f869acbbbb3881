// The live incidents page in a real browser: Debian's Chromium driven by playwright-core, against
// the real watch pipeline reading the simulated cluster, broken and mended with the real kubectl.
// What a person sees: an incident appears without a reload, its root cause groups its effects, a
// silenced namespace is shown greyed, a fix moves it to resolved, and an agent that goes away is
// said to be unreachable while the last picture stays. Nothing is fetched but the agent's own
// origin (works offline), and the page's Content-Security-Policy lets only its own script run.
// Screenshots are kept in test-artifacts/.

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { mkdirSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium, type Browser, type Page } from 'playwright-core';
import { startSim, type RunningSim } from '../src/cli/sim.ts';
import { startWatch, type RunningWatch } from '../src/cli/watch.ts';
import { defaultAgentConfig } from '../src/config/config.ts';
import { makeKubeClient } from '../src/collector/kube-client.ts';
import { DEFAULT_WATCH_SETTINGS, type WatchSettings } from '../src/agent/agent.ts';
import { CATALOG } from '../src/checks/catalog.ts';
import { STATE_LABEL } from '../src/sim/playground.ts';
import { ROOT, cli } from './support/cli.ts';
import { waitFor } from './support/wait.ts';

const ARTIFACTS = join(ROOT, 'test-artifacts');
const FAST: WatchSettings = { ...DEFAULT_WATCH_SETTINGS, holdMs: 500, fullEvaluationMs: 1000, evaluationDelayMs: 10 };

let sim: RunningSim;
let w: RunningWatch;
let browser: Browser;
let page: Page;
const requests: string[] = [];
const problems: string[] = [];

// Not execFileSync: the simulated API server runs in this process and must answer kubectl.
const run = promisify(execFile);
const kubectl = async (...args: string[]): Promise<string> => (await run('kubectl', ['--kubeconfig', sim.kubeconfig, ...args], { encoding: 'utf8', timeout: 20_000 })).stdout;

beforeAll(async () => {
  mkdirSync(ARTIFACTS, { recursive: true });
  sim = await startSim({ writeKubeconfig: join(mkdtempSync(join(tmpdir(), 'sentinel-page-')), 'kubeconfig') });
  const cfg = defaultAgentConfig();
  cfg.listen = '127.0.0.1:0';
  // Every reason opens at once (the page, not the graces, is under test).
  cfg.checks = { ...cfg.checks, reasons: Object.fromEntries([...CATALOG.keys()].map((r) => [r, { graceSeconds: 0 }])) };
  w = await startWatch(cfg, await makeKubeClient({ kubeconfig: sim.kubeconfig }), () => {}, { settings: FAST });
  await waitFor('the agent ready', async () => (await fetch(`${w.url}/readyz`)).status === 200, 30_000);
  browser = await chromium.launch({ executablePath: '/usr/bin/chromium', args: ['--no-sandbox'] });
  page = await browser.newPage({ viewport: { width: 1200, height: 900 } });
  page.on('request', (r) => requests.push(r.url()));
  page.on('console', (m) => {
    if (m.type() === 'error' && !/Failed to load resource|ERR_CONNECTION_REFUSED/.test(m.text())) problems.push(m.text());
  });
  page.on('pageerror', (e) => problems.push(e.message));
}, 60_000);

afterAll(async () => {
  await browser?.close();
  await w?.stop();
  await sim?.stop();
});

const groupText = async (title: RegExp): Promise<string> => (await page.locator('.group', { has: page.locator('h3', { hasText: title }) }).innerText()).replace(/\s+/g, ' ');

describe('the live incidents page in Chromium', () => {
  it('a healthy cluster: no open incidents, served whole by the agent', async () => {
    await page.goto(`${w.url}/`);
    await page.locator('#open', { hasText: 'No open incidents.' }).waitFor({ timeout: 15_000 });
    await page.locator('#status', { hasText: 'live' }).waitFor();
    expect(await page.locator('#summary').innerText()).toBe('no open incidents');
  });

  it('an incident raised in the cluster appears without a reload, its root cause grouping its effects; a silenced namespace is greyed', async () => {
    await kubectl('annotate', 'namespace', 'mcp-team-acme', 'health.mcpruntime.org/silence-until=2h', 'health.mcpruntime.org/silence-reason=registry migration');
    await kubectl('-n', 'mcp-team-acme', 'label', 'pod', 'weather-7d9f8b6c5d-x2x9q', `${STATE_LABEL}=pull-auth`, '--overwrite');
    await kubectl('-n', 'mcp-servers', 'label', 'pod', 'search-7d9f8b6c5d-x2x9q', `${STATE_LABEL}=crashloop`, '--overwrite');
    const search = page.locator('.group', { has: page.locator('h3', { hasText: 'MCPServer mcp-servers/search' }) });
    await search.locator('.explains', { hasText: 'explains 3 more' }).waitFor({ timeout: 30_000 });
    const text = await groupText(/mcp-servers\/search/);
    // One root, the crash loop, with its remediation; the Deployment, Service and MCPServer under it.
    expect(text).toMatch(/CRITICAL CrashLoopBackOff Pod mcp-servers\/search-7d9f8b6c5d-x2x9q/);
    expect(text).toMatch(/explains 3 more:.*DeploymentUnavailable.*/);
    for (const effect of ['DeploymentUnavailable', 'ServiceNoEndpoints', 'MCPServerPartiallyReady']) expect(await search.locator('.explains .inc', { hasText: effect }).count(), effect).toBe(1);
    expect(await search.locator(':scope > .inc').count()).toBe(1);
    // Its remediation as steps, each command with a copy button, whole.
    const cmd = search.locator(':scope > .inc .cmd code').first();
    expect(await cmd.innerText()).toBe('kubectl -n mcp-servers logs search-7d9f8b6c5d-x2x9q -c search --previous');
    // The silenced namespace: shown, greyed, with who silenced it and why, not in the counts.
    const weather = page.locator('.group', { has: page.locator('h3', { hasText: 'mcp-team-acme/weather' }) });
    await weather.locator('.inc.silenced').first().waitFor({ timeout: 30_000 });
    expect(await weather.locator('.inc.silenced .badge.silence').first().innerText()).toMatch(/^silenced by Namespace\/mcp-team-acme: registry migration until /);
    expect(await page.locator('#summary').innerText()).toMatch(/^\d+ critical · \d+ warning · \d+ open \(\d+ silenced\)$/);
    await page.screenshot({ path: join(ARTIFACTS, 'page-open.png'), fullPage: true });
  });

  it('a fix moves it to resolved, live', async () => {
    await kubectl('-n', 'mcp-servers', 'label', 'pod', 'search-7d9f8b6c5d-x2x9q', `${STATE_LABEL}=running`, '--overwrite');
    await page.locator('#resolved .inc', { hasText: 'CrashLoopBackOff' }).waitFor({ timeout: 30_000 });
    await waitFor('the search group gone', async () => (await page.locator('.group', { has: page.locator('h3', { hasText: 'mcp-servers/search' }) }).count()) === 0, 30_000);
    expect(await page.locator('#resolved-title').textContent()).toMatch(/^Resolved \([4-9]\d*\)$/);
    await page.screenshot({ path: join(ARTIFACTS, 'page-resolved.png'), fullPage: true });
  });

  it('the history behind it: /incidents?state=resolved with timelines, and doctor --from-watcher --state all', async () => {
    const res = (await (await fetch(`${w.url}/incidents?state=resolved`)).json()) as { incidents: { reason: string; resolvedAt: string; durationSeconds: number; timeline: { type: string }[] }[]; summary: Record<string, number> };
    const crash = res.incidents.find((i) => i.reason === 'CrashLoopBackOff');
    expect(crash?.timeline.map((e) => e.type)).toEqual(['opened', 'resolved']);
    expect(crash?.durationSeconds).toBeGreaterThanOrEqual(0);
    // Resolved incidents are history, not counted.
    expect(res.summary).toEqual({ critical: 0, warning: 0, info: 0 });
    expect((await fetch(`${w.url}/incidents?state=closed`)).status).toBe(400);
    const all = await cli(['doctor', '--from-watcher', w.url, '--state', 'all']);
    expect(all.stdout).toMatch(/^Silenced \(\d+\): tracked, not notified, not counted$/m);
    expect(all.stdout).toMatch(/^Resolved \(\d+\), newest first$/m);
    expect(all.stdout).toMatch(/✔ CrashLoopBackOff {2}Pod mcp-servers\/search-7d9f8b6c5d-x2x9q/);
    // Only what is silenced is left open here: nothing fails the gate.
    expect(all.code).toBe(0);
    expect((await cli(['doctor', '--from-file', '-', '--state', 'all'], { stdin: '{}' })).stderr).toContain('--state needs --from-watcher');
  });

  it('only the agent was asked for anything, and nothing broke the page (its CSP admits its own script)', () => {
    const origin = new URL(w.url).origin;
    expect(requests.filter((u) => !u.startsWith(origin))).toEqual([]);
    expect(requests.some((u) => u.endsWith('/ui/state'))).toBe(true);
    expect(problems).toEqual([]);
  });

  it('the agent gone: said so, and the last picture stays', async () => {
    await w.stop();
    await page.locator('#status.down', { hasText: 'agent unreachable' }).waitFor({ timeout: 15_000 });
    expect(await page.locator('#status').innerText()).toContain('showing what it last said');
    expect(await page.locator('#resolved .inc', { hasText: 'CrashLoopBackOff' }).count()).toBe(1);
  });
});
