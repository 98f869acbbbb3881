// sentinel-agent demo: the embedded default. An in-process simulated MCP Runtime cluster served over
// real HTTP with the Kubernetes list/watch protocol, the real watch pipeline pointed at it, and a
// scripted story: failures opening, each with its remediation and root cause, then the fixes, each
// resolving. Needs no cluster. Exports OTLP like the real agent when OTEL_EXPORTER_OTLP_ENDPOINT is set.

import { mkdtempSync, writeFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { FakeApiServer } from '../sim/apiserver.ts';
import {
  certificate,
  configMap,
  deployment,
  endpointSlice,
  mcpServer,
  pod,
  replicaSet,
  running,
  setBaseTime,
  terminated,
  waiting,
  type Raw,
} from '../sim/objects.ts';
import { DEMO_TEAM, demoCluster } from '../sim/playground.ts';
import { defaultAgentConfig } from '../config/config.ts';
import { DEFAULT_WATCH_SETTINGS } from '../agent/agent.ts';
import type { IncidentSink } from '../delivery/sink.ts';
import type { Transition } from '../engine/tracker.ts';
import type { Incident } from '../engine/incidents.ts';
import type { LogLevel, Logger } from '../util/log.ts';
import { remediationLines } from '../format/remediation.ts';
import { startWatch } from './watch.ts';
import { useColor } from './doctor.ts';
import { UsageError, enabled, parseLogLevel, type IO } from './io.ts';

export interface DemoFlags {
  speed?: string;
  listen?: string;
  logLevel?: string;
  prometheus?: boolean;
}

/** The story is a minute long; faster than this, incidents resolve before the agent's passes see
 *  them open (measured: test/watch.test.ts plays it at the top speed). */
export const MIN_SPEED = 0.5;
export const MAX_SPEED = 20;

const ESC = '\u001b[';

interface Step {
  at: number; // seconds from the start
  say: string;
  apply(api: FakeApiServer, now: () => number): void;
}


/** Minutes since the demo's base time, for object timestamps that say "now". */
function nowMin(start: number): number {
  return (Date.now() - start) / 60_000;
}

// eslint-disable-next-line max-lines-per-function -- the demo's script: one scene after another, read top to bottom as the story it tells
function story(start: number): Step[] {
  const wl = { app: 'weather', 'app.kubernetes.io/managed-by': 'mcp-runtime', 'mcpruntime.org/rollout-track': 'stable' };
  const sl = { app: 'search', 'app.kubernetes.io/managed-by': 'mcp-runtime', 'mcpruntime.org/rollout-track': 'stable', 'pod-template-hash': '7d9f8b6c5d' };
  const weatherPod = (broken: boolean): Raw =>
    pod('weather-64b7c9f8d4-k8s2n', {
      ns: DEMO_TEAM,
      labels: { ...wl, 'pod-template-hash': '64b7c9f8d4' },
      owner: { kind: 'ReplicaSet', name: 'weather-64b7c9f8d4' },
      ready: !broken,
      readySince: nowMin(start),
      created: nowMin(start),
      containers: [
        broken
          ? {
              name: 'weather',
              image: 'registry.registry.svc.cluster.local:5000/weather:v2',
              ready: false,
              state: waiting('ImagePullBackOff', 'Back-off pulling image "registry.registry.svc.cluster.local:5000/weather:v2": failed to authorize: failed to fetch oauth token: unexpected status: 401 Unauthorized'),
            }
          : { name: 'weather', image: 'registry.registry.svc.cluster.local:5000/weather:v2', state: running(nowMin(start)) },
      ],
    });
  const searchPod = (broken: boolean): Raw =>
    pod('search-7d9f8b6c5d-x2x9q', {
      labels: sl,
      owner: { kind: 'ReplicaSet', name: 'search-7d9f8b6c5d' },
      ready: !broken,
      readySince: nowMin(start),
      containers: [
        { name: 'search', image: 'registry.registry.svc.cluster.local:5000/search:v1.0.0' },
        broken
          ? { name: 'mcp-gateway', image: 'registry.registry.svc.cluster.local:5000/mcp-sentinel-mcp-gateway:v0.9.0', ready: false, restarts: 4, state: waiting('CrashLoopBackOff', 'back-off 40s restarting failed container=mcp-gateway'), lastState: terminated('Error', 1, nowMin(start), 'initial policy load failed: upstream returned 500') }
          : { name: 'mcp-gateway', image: 'registry.registry.svc.cluster.local:5000/mcp-sentinel-mcp-gateway:v0.9.1', restarts: 4, state: running(nowMin(start)) },
      ],
    });
  const serverStatus = (name: string, ns: string, ready: boolean, gateway: boolean, team?: string): Raw =>
    mcpServer(name, {
      ns,
      gateway,
      ...(team ? { team } : {}),
      phase: ready ? 'Ready' : 'PartiallyReady',
      since: nowMin(start),
      flags: { deploymentReady: ready, serviceReady: true, ingressReady: true, ...(gateway ? { gatewayReady: ready, policyReady: true } : {}) },
    });
  const cert = (renewed: boolean): Raw =>
    renewed
      ? certificate('registry-cert', { ns: 'registry', ready: 'True', notBefore: nowMin(start), notAfter: nowMin(start) + 90 * 24 * 60, renewal: nowMin(start) + 60 * 24 * 60 })
      : certificate('registry-cert', { ns: 'registry', ready: 'True', notBefore: nowMin(start) - 89 * 24 * 60, notAfter: nowMin(start) + 20 * 60, renewal: nowMin(start) - 15 * 24 * 60 });
  return [
    {
      at: 3,
      say: 'weather (team acme) rolls out v2, but its pull credentials for the platform registry were rotated',
      apply(api) {
        api.apply(replicaSet('weather-64b7c9f8d4', 'weather', { ns: DEMO_TEAM, labels: wl, ready: 0 }));
        api.delete('Pod', DEMO_TEAM, 'weather-7d9f8b6c5d-x2x9q');
        api.delete('ReplicaSet', DEMO_TEAM, 'weather-7d9f8b6c5d');
        api.apply(weatherPod(true));
        api.apply(deployment('weather', { ns: DEMO_TEAM, labels: wl, selector: { app: 'weather', 'mcpruntime.org/rollout-track': 'stable' }, owner: { kind: 'MCPServer', name: 'weather' }, ready: 0 }));
        api.apply(endpointSlice('weather', { ns: DEMO_TEAM, ready: 0, notReady: 1 }));
        api.apply(serverStatus('weather', DEMO_TEAM, false, false, 'acme'));
      },
    },
    {
      at: 9,
      say: "search's mcp-gateway sidecar starts crash-looping",
      apply(api) {
        api.apply(searchPod(true));
        api.apply(deployment('search', { labels: sl, selector: { app: 'search', 'mcpruntime.org/rollout-track': 'stable' }, owner: { kind: 'MCPServer', name: 'search' }, containers: ['search', 'mcp-gateway'], ready: 0 }));
        api.apply(endpointSlice('search', { ready: 0, notReady: 1 }));
        api.apply(serverStatus('search', 'mcp-servers', false, true));
      },
    },
    {
      at: 15,
      say: "someone deletes billing's gateway policy ConfigMap",
      apply(api) {
        api.delete('ConfigMap', 'mcp-servers', 'billing-gateway-policy');
      },
    },
    {
      at: 21,
      say: "the registry certificate's renewal is two weeks overdue and it expires in 20 hours",
      apply(api) {
        api.apply(cert(false));
      },
    },
    {
      at: 42,
      say: 'fix: the pull secret is re-provisioned; weather v2 starts',
      apply(api) {
        api.apply(weatherPod(false));
        api.apply(replicaSet('weather-64b7c9f8d4', 'weather', { ns: DEMO_TEAM, labels: wl, ready: 1 }));
        api.apply(deployment('weather', { ns: DEMO_TEAM, labels: wl, selector: { app: 'weather', 'mcpruntime.org/rollout-track': 'stable' }, owner: { kind: 'MCPServer', name: 'weather' } }));
        api.apply(endpointSlice('weather', { ns: DEMO_TEAM, ready: 1 }));
        api.apply(serverStatus('weather', DEMO_TEAM, true, false, 'acme'));
      },
    },
    {
      at: 36,
      say: 'fix: a gateway upgrade stops the crash loop',
      apply(api) {
        api.apply(searchPod(false));
        api.apply(deployment('search', { labels: sl, selector: { app: 'search', 'mcpruntime.org/rollout-track': 'stable' }, owner: { kind: 'MCPServer', name: 'search' }, containers: ['search', 'mcp-gateway'] }));
        api.apply(endpointSlice('search', { ready: 1 }));
        api.apply(serverStatus('search', 'mcp-servers', true, true));
      },
    },
    {
      at: 30,
      say: 'fix: the operator re-creates the policy ConfigMap',
      apply(api) {
        api.apply(configMap('billing-gateway-policy', { owner: { kind: 'MCPServer', name: 'billing' }, data: { 'policy.json': '{"schema_version":"v1"}' } }));
      },
    },
    {
      at: 48,
      say: 'fix: cert-manager renews the certificate',
      apply(api) {
        api.apply(cert(true));
      },
    },
  ];
}

/** The story's clock: seconds of the story (at --speed 4, one real second is four). */
function storyClock(start: number, speed: number): string {
  return `+${Math.round(((Date.now() - start) * speed) / 1000)}s`.padStart(5, ' ');
}

function label(i: Incident): string {
  return `${i.object.kind} ${i.object.namespace ? `${i.object.namespace}/` : ''}${i.object.name}`;
}

interface ConsoleSink extends IncidentSink {
  /** Prints what is held back (at the end of the story). */
  printHeld(): void;
}

/** Prints transitions as they happen, for a person watching the terminal. An opened incident is held
 *  for `settleMs` (a root-cause pass) so that it is printed once, with its cause, rather than printed
 *  and then at once "updated" with it. */
function consoleSink(io: IO, paint: (code: string, s: string) => string, clock: () => string, lookup: (id: string) => Incident | undefined, settleMs: number, speed: number): ConsoleSink {
  const sev = { critical: '1;31', warning: '33', info: '36' } as const;
  const held = new Map<string, { incident: Incident; timer: NodeJS.Timeout }>();
  // When each open incident opened, for its duration in the story's seconds.
  const openedAt = new Map<string, number>();
  const print = (type: Transition['type'], i: Incident): void => {
    if (type === 'resolved') {
      const at = openedAt.get(i.id);
      openedAt.delete(i.id);
      io.stdout(`${paint('2', clock())}  ${paint('1;32', '✔ RESOLVED')} ${i.reason}  ${label(i)}${at !== undefined ? ` after ${Math.round(((Date.now() - at) * speed) / 1000)}s` : ''}\n`);
      return;
    }
    const head = type === 'opened' ? '✖ OPENED  ' : '↻ UPDATED ';
    io.stdout(`${paint('2', clock())}  ${paint(sev[i.severity], `${head}${i.severity.padEnd(8)}`)} ${paint('1', i.reason)}  ${label(i)}\n`);
    io.stdout(`        ${i.message}\n`);
    const cause = i.rootCauseId ? lookup(i.rootCauseId) : undefined;
    if (cause) {
      io.stdout(`        ${paint('35', `caused by ${cause.reason} on ${label(cause)}`)}\n`);
      return;
    }
    for (const l of remediationLines(i.remediation, { head: `        ${paint('32', '→ fix:')}`, headColumns: 14, prose: ' '.repeat(8), command: ' '.repeat(12) })) io.stdout(`${l}\n`);
  };
  const release = (id: string): void => {
    const h = held.get(id);
    if (!h) return;
    clearTimeout(h.timer);
    held.delete(id);
    print('opened', h.incident);
  };
  return {
    name: 'demo-console',
    transitions(ts: readonly Transition[]) {
      for (const t of ts) {
        const i = t.incident;
        const h = held.get(i.id);
        if (t.type === 'opened') {
          openedAt.set(i.id, Date.now());
          held.set(i.id, { incident: i, timer: setTimeout(() => release(i.id), settleMs) });
        }
        else if (t.type === 'updated' && h) h.incident = i;
        else {
          if (h) release(i.id);
          print(t.type, i);
        }
      }
    },
    printHeld() {
      for (const id of [...held.keys()]) release(id);
    },
  };
}

/** The agent's warnings as one plain line each, for the story's reader; the same line again within a
 *  minute of story time is not printed. */
function storyLogger(io: IO, paint: (code: string, s: string) => string, clock: () => string, level: LogLevel, quietMs: number): Logger {
  const last = new Map<string, number>();
  return (at, msg, fields) => {
    if (!enabled(level, at)) return;
    const error = typeof fields?.error === 'string' ? fields.error : typeof fields?.detail === 'string' ? fields.detail : undefined;
    const text = `${msg}${error ? `: ${error.split('\n')[0] ?? ''}` : ''}`;
    const key = `${at} ${text}`;
    const t = Date.now();
    if (t - (last.get(key) ?? -Infinity) < quietMs) return;
    last.set(key, t);
    io.stderr(`${paint('2', clock())}  ${paint(at === 'error' ? '31' : '33', at === 'error' ? '✖' : '⚠')} ${text}\n`);
  };
}

// eslint-disable-next-line max-lines-per-function -- set-up, run and tear-down of the demo cluster in the order they happen; each part is one call
export async function demo(flags: DemoFlags, io: IO): Promise<number> {
  const speed = flags.speed === undefined ? 1 : Number(flags.speed);
  if (!/^\d+(\.\d+)?$/.test(flags.speed ?? '1') || !(speed >= MIN_SPEED && speed <= MAX_SPEED)) {
    throw new UsageError(`--speed: expected a number from ${MIN_SPEED} to ${MAX_SPEED} (how many times faster than the story's minute), got ${JSON.stringify(flags.speed)}`);
  }
  const start = Date.now();
  setBaseTime(start);
  const color = useColor(io);
  const paint = (code: string, s: string): string => (color ? `${ESC}${code}m${s}${ESC}0m` : s);
  const ms = (s: number): number => (s * 1000) / speed;
  // The story's clock starts once the agent has synced; the objects' times are from the start.
  let storyStart = start;
  const clock = (): string => storyClock(storyStart, speed);

  // The simulated cluster: MCP Runtime's platform and four healthy MCPServers.
  const api = new FakeApiServer();
  api.apply(...demoCluster());
  const apiUrl = await api.start();
  const dir = mkdtempSync(join(tmpdir(), 'sentinel-demo-'));
  writeFileSync(join(dir, 'kubeconfig'), api.kubeconfig(apiUrl));
  const { makeKubeClient } = await import('../collector/kube-client.ts');
  const client = await makeKubeClient({ kubeconfig: join(dir, 'kubeconfig') });

  const cfg = defaultAgentConfig();
  cfg.clusterName = 'demo';
  cfg.listen = flags.listen ?? '127.0.0.1:8080';
  // A story told in seconds: grace periods and the hold shrink accordingly.
  cfg.checks.reasons = Object.fromEntries(
    ['ImagePullBackOff', 'RegistryPullFailed', 'DeploymentUnavailable', 'ServiceNoEndpoints', 'MCPServerPartiallyReady', 'GatewayNotReady', 'PolicyNotMaterialized', 'CertificateExpiringSoon'].map((r) => [r, { graceSeconds: 1 / speed }]),
  );
  const settings = {
    ...DEFAULT_WATCH_SETTINGS,
    holdMs: ms(2),
    fullEvaluationMs: Math.max(200, ms(2)),
    reflector: { ...DEFAULT_WATCH_SETTINGS.reflector, backoffInitialMs: 200, backoffMaxMs: 2000 },
  };
  const log = storyLogger(io, paint, clock, parseLogLevel(flags.logLevel ?? 'warn'), ms(60));
  const exportOtlp = Boolean(io.env.OTEL_EXPORTER_OTLP_ENDPOINT || io.env.OTEL_EXPORTER_OTLP_LOGS_ENDPOINT);
  let lookup: (id: string) => Incident | undefined = () => undefined;
  // Held a root-cause pass (the full evaluation's interval and a little more) before printing.
  const sink = consoleSink(io, paint, clock, (id) => lookup(id), settings.fullEvaluationMs + ms(1), speed);
  const watchOpts = { settings, sinks: [sink], prometheus: flags.prometheus === true, ...(exportOtlp ? { telemetryEnv: io.env } : {}) };
  let running;
  try {
    running = await startWatch(cfg, client, log, watchOpts);
  } catch (err) {
    if (flags.listen === undefined && /EADDRINUSE/.test((err as Error).message)) {
      cfg.listen = '127.0.0.1:0';
      running = await startWatch(cfg, client, log, watchOpts);
    } else throw err;
  }
  const w = running;
  lookup = (id) => w.agent.openIncidents().find((i) => i.id === id);

  let interrupted = false;
  const onSignal = (): void => {
    interrupted = true;
  };
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);
  const sleep = async (until: number): Promise<void> => {
    while (!interrupted && Date.now() < until) await new Promise((r) => setTimeout(r, Math.min(50, Math.max(1, until - Date.now()))));
  };
  try {
    io.stdout(`${paint('1', 'sentinel-agent demo')} — a simulated MCP Runtime cluster (operator, registry, 4 MCPServers) served over the Kubernetes API protocol at ${apiUrl}\n`);
    io.stdout(`Open ${w.url}/ in a browser: the live incidents page.\n`);
    io.stdout(`The real watch pipeline is listening; its endpoints: ${w.url}/incidents ${w.url}/readyz${flags.prometheus ? ` ${w.url}/metrics` : ''}${exportOtlp ? ' — exporting OTLP' : ''}\n`);
    while (!w.agent.ready() && !interrupted) await new Promise((r) => setTimeout(r, 20));
    storyStart = Date.now();
    io.stdout(`${paint('2', clock())}  synced: ${w.agent.store.size()} objects, ${w.agent.openIncidents().length} incidents — the platform is healthy\n\n`);
    for (const step of story(start).sort((a, b) => a.at - b.at)) {
      await sleep(storyStart + ms(step.at));
      if (interrupted) break;
      io.stdout(`${paint('2', clock())}  ${paint('1;34', `▶ ${step.say}`)}\n`);
      step.apply(api, Date.now);
    }
    // Let the last fix resolve.
    const end = Date.now() + ms(30);
    while (!interrupted && w.agent.openIncidents().length > 0 && Date.now() < end) await new Promise((r) => setTimeout(r, 50));
    sink.printHeld();
    const left = w.agent.openIncidents();
    const s = w.agent.stats.transitions;
    io.stdout(`\n${paint('1', 'Story complete')}: ${s.opened} incidents opened, ${s.resolved} resolved, ${left.length} still open.`);
    io.stdout(` Run it against a real cluster: sentinel-agent watch (see README).\n`);
    return left.length === 0 || interrupted ? 0 : 1;
  } finally {
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
    await w.stop();
    await api.stop();
    rmSync(dir, { recursive: true, force: true });
  }
}
