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
  healthyPlatform,
  healthyServer,
  mcpServer,
  pod,
  replicaSet,
  running,
  setBaseTime,
  terminated,
  waiting,
  type Raw,
} from '../sim/objects.ts';
import { node } from '../sim/workloads.ts';
import { defaultAgentConfig } from '../config/config.ts';
import { DEFAULT_WATCH_SETTINGS } from '../agent/agent.ts';
import type { IncidentSink } from '../delivery/sink.ts';
import type { Transition } from '../engine/tracker.ts';
import type { Incident } from '../engine/incidents.ts';
import { jsonLogger } from '../util/log.ts';
import { startWatch } from './watch.ts';
import { useColor } from './doctor.ts';
import { UsageError, type IO } from './io.ts';

export interface DemoFlags {
  speed?: string;
  listen?: string;
  logLevel?: string;
}

const ESC = '\u001b[';

interface Step {
  at: number; // seconds from the start
  say: string;
  apply(api: FakeApiServer, now: () => number): void;
}

const TEAM = 'mcp-team-acme';

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
      ns: TEAM,
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
        api.apply(replicaSet('weather-64b7c9f8d4', 'weather', { ns: TEAM, labels: wl, ready: 0 }));
        api.delete('Pod', TEAM, 'weather-7d9f8b6c5d-x2x9q');
        api.delete('ReplicaSet', TEAM, 'weather-7d9f8b6c5d');
        api.apply(weatherPod(true));
        api.apply(deployment('weather', { ns: TEAM, labels: wl, selector: { app: 'weather', 'mcpruntime.org/rollout-track': 'stable' }, owner: { kind: 'MCPServer', name: 'weather' }, ready: 0 }));
        api.apply(endpointSlice('weather', { ns: TEAM, ready: 0, notReady: 1 }));
        api.apply(serverStatus('weather', TEAM, false, false, 'acme'));
      },
    },
    {
      at: 10,
      say: "search's mcp-gateway sidecar starts crash-looping",
      apply(api) {
        api.apply(searchPod(true));
        api.apply(deployment('search', { labels: sl, selector: { app: 'search', 'mcpruntime.org/rollout-track': 'stable' }, owner: { kind: 'MCPServer', name: 'search' }, containers: ['search', 'mcp-gateway'], ready: 0 }));
        api.apply(endpointSlice('search', { ready: 0, notReady: 1 }));
        api.apply(serverStatus('search', 'mcp-servers', false, true));
      },
    },
    {
      at: 17,
      say: "someone deletes billing's gateway policy ConfigMap",
      apply(api) {
        api.delete('ConfigMap', 'mcp-servers', 'billing-gateway-policy');
      },
    },
    {
      at: 24,
      say: "the registry certificate's renewal is two weeks overdue and it expires in 20 hours",
      apply(api) {
        api.apply(cert(false));
      },
    },
    {
      at: 48,
      say: 'fix: the pull secret is re-provisioned; weather v2 starts',
      apply(api) {
        api.apply(weatherPod(false));
        api.apply(replicaSet('weather-64b7c9f8d4', 'weather', { ns: TEAM, labels: wl, ready: 1 }));
        api.apply(deployment('weather', { ns: TEAM, labels: wl, selector: { app: 'weather', 'mcpruntime.org/rollout-track': 'stable' }, owner: { kind: 'MCPServer', name: 'weather' } }));
        api.apply(endpointSlice('weather', { ns: TEAM, ready: 1 }));
        api.apply(serverStatus('weather', TEAM, true, false, 'acme'));
      },
    },
    {
      at: 42,
      say: 'fix: a gateway upgrade stops the crash loop',
      apply(api) {
        api.apply(searchPod(false));
        api.apply(deployment('search', { labels: sl, selector: { app: 'search', 'mcpruntime.org/rollout-track': 'stable' }, owner: { kind: 'MCPServer', name: 'search' }, containers: ['search', 'mcp-gateway'] }));
        api.apply(endpointSlice('search', { ready: 1 }));
        api.apply(serverStatus('search', 'mcp-servers', true, true));
      },
    },
    {
      at: 36,
      say: 'fix: the operator re-creates the policy ConfigMap',
      apply(api) {
        api.apply(configMap('billing-gateway-policy', { owner: { kind: 'MCPServer', name: 'billing' }, data: { 'policy.json': '{"schema_version":"v1"}' } }));
      },
    },
    {
      at: 54,
      say: 'fix: cert-manager renews the certificate',
      apply(api) {
        api.apply(cert(true));
      },
    },
  ];
}

function elapsed(start: number): string {
  return `+${Math.round((Date.now() - start) / 1000)}s`.padStart(5, ' ');
}

function label(i: Incident): string {
  return `${i.object.kind} ${i.object.namespace ? `${i.object.namespace}/` : ''}${i.object.name}`;
}

/** Prints transitions as they happen, for a person watching the terminal. */
function consoleSink(io: IO, color: boolean, start: number, lookup: (id: string) => Incident | undefined): IncidentSink {
  const paint = (code: string, s: string): string => (color ? `${ESC}${code}m${s}${ESC}0m` : s);
  const sev = { critical: '1;31', warning: '33', info: '36' } as const;
  return {
    name: 'demo-console',
    transitions(ts: readonly Transition[]) {
      for (const t of ts) {
        const i = t.incident;
        const clock = elapsed(start);
        if (t.type === 'resolved') {
          io.stdout(`${paint('2', clock)}  ${paint('1;32', '✔ RESOLVED')} ${i.reason}  ${label(i)}${t.durationS !== undefined ? ` after ${t.durationS}s` : ''}\n`);
          continue;
        }
        const head = t.type === 'opened' ? '✖ OPENED  ' : '↻ UPDATED ';
        io.stdout(`${paint('2', clock)}  ${paint(sev[i.severity], `${head}${i.severity.padEnd(8)}`)} ${paint('1', i.reason)}  ${label(i)}\n`);
        io.stdout(`        ${i.message}\n`);
        const cause = i.rootCauseId ? lookup(i.rootCauseId) : undefined;
        if (cause) io.stdout(`        ${paint('35', `caused by ${cause.reason} on ${label(cause)}`)}\n`);
        else io.stdout(`        ${paint('32', '→ fix:')} ${i.remediation}\n`);
      }
    },
  };
}

// eslint-disable-next-line max-lines-per-function -- set-up, run and tear-down of the demo cluster in the order they happen; each part is one call
export async function demo(flags: DemoFlags, io: IO): Promise<number> {
  const speed = flags.speed === undefined ? 1 : Number(flags.speed);
  if (!Number.isFinite(speed) || speed <= 0 || speed > 100) throw new UsageError(`--speed: expected a number between 0 and 100, got ${JSON.stringify(flags.speed)}`);
  const start = Date.now();
  setBaseTime(start);
  const color = useColor(io);
  const paint = (code: string, s: string): string => (color ? `${ESC}${code}m${s}${ESC}0m` : s);
  const ms = (s: number): number => (s * 1000) / speed;

  // The simulated cluster: MCP Runtime's platform and four healthy MCPServers.
  const api = new FakeApiServer();
  api.apply(
    node('kind-worker'),
    ...healthyPlatform(),
    ...healthyServer('weather', { ns: TEAM, team: 'acme' }),
    ...healthyServer('search', { gateway: true }),
    ...healthyServer('billing', { gateway: true }),
    ...healthyServer('docs'),
    certificate('registry-cert', { ns: 'registry', ready: 'True', notBefore: -60 * 24, notAfter: 89 * 24 * 60, renewal: 59 * 24 * 60 }),
  );
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
  const level = flags.logLevel ?? 'warn';
  const log = jsonLogger(level === 'debug' || level === 'info' || level === 'error' ? level : 'warn', (l) => io.stderr(l));
  const exportOtlp = Boolean(io.env.OTEL_EXPORTER_OTLP_ENDPOINT || io.env.OTEL_EXPORTER_OTLP_LOGS_ENDPOINT);
  let lookup: (id: string) => Incident | undefined = () => undefined;
  const sink = consoleSink(io, color, start, (id) => lookup(id));
  let running;
  try {
    running = await startWatch(cfg, client, log, { settings, sinks: [sink], ...(exportOtlp ? { telemetryEnv: io.env } : {}) });
  } catch (err) {
    if (flags.listen === undefined && /EADDRINUSE/.test((err as Error).message)) {
      cfg.listen = '127.0.0.1:0';
      running = await startWatch(cfg, client, log, { settings, sinks: [sink], ...(exportOtlp ? { telemetryEnv: io.env } : {}) });
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
    io.stdout(`The real watch pipeline is listening; its endpoints: ${w.url}/incidents ${w.url}/readyz${exportOtlp ? ' — exporting OTLP' : ''}\n`);
    while (!w.agent.ready() && !interrupted) await new Promise((r) => setTimeout(r, 20));
    io.stdout(`${paint('2', elapsed(start))}  synced: ${w.agent.store.size()} objects, ${w.agent.openIncidents().length} incidents — the platform is healthy\n\n`);
    for (const step of story(start)) {
      await sleep(start + ms(step.at));
      if (interrupted) break;
      io.stdout(`${paint('1;34', `▶ ${step.say}`)}\n`);
      step.apply(api, Date.now);
    }
    // Let the last fix resolve.
    const end = Date.now() + ms(30);
    while (!interrupted && w.agent.openIncidents().length > 0 && Date.now() < end) await new Promise((r) => setTimeout(r, 50));
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
