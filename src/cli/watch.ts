// sentinel-agent watch: the continuous listener. Runs until SIGTERM/SIGINT, then stops the watches,
// flushes the sinks and exits 0.

import { Agent, DEFAULT_WATCH_SETTINGS, type WatchSettings } from '../agent/agent.ts';
import { logSink, telemetrySink, type IncidentSink } from '../delivery/sink.ts';
import { jsonLogger, type Logger } from '../util/log.ts';
import { applyMemoryMode, boundSyncHeap, memoryMode, settleMemory } from '../agent/memory.ts';
import type { AgentConfig } from '../config/config.ts';
import { AgentHttpServer, parseListen } from '../server/http.ts';
import type { KubeClient } from '../collector/kube-client.ts';
import { applyGatewayDefault, readGatewayDefault } from '../collector/crd-defaults.ts';
import { configFromFlags, type ClusterFlags } from './options.ts';
import { randomUUID } from 'node:crypto';
import type { Telemetry } from '../delivery/otel/telemetry.ts';
import { version } from './version.ts';
import { KubernetesEventsSink } from '../delivery/k8s-events.ts';
import { SentinelSink } from '../delivery/sentinel.ts';
import { LeaderElector } from '../agent/leader.ts';
import { UsageError, parseLogLevel, type IO } from './io.ts';

export interface WatchFlags extends ClusterFlags {
  prometheus?: boolean;
}

export function settingsFrom(cfg: AgentConfig): WatchSettings {
  const w = cfg.watch;
  return {
    ...DEFAULT_WATCH_SETTINGS,
    holdMs: w.holdSeconds * 1000,
    fullEvaluationMs: w.fullEvaluationSeconds * 1000,
    reflector: {
      ...DEFAULT_WATCH_SETTINGS.reflector,
      watchTimeoutSeconds: w.watchTimeoutSeconds,
      inactivityMs: w.inactivitySeconds * 1000,
      staleAfterMs: w.staleAfterSeconds * 1000,
      relistIntervalMs: w.relistIntervalSeconds * 1000,
      initialList: w.initialList,
    },
  };
}

export interface RunningWatch {
  agent: Agent;
  elector?: LeaderElector;
  telemetry?: Telemetry;
  server: AgentHttpServer;
  url: string;
  stop(): Promise<void>;
}

/** Starts the agent and its endpoints (also used by the demo and the tests). */
export interface StartOptions {
  settings?: WatchSettings;
  sinks?: IncidentSink[];
  /** The environment for OpenTelemetry (OTEL_*); without it, no telemetry is exported. */
  telemetryEnv?: Readonly<Record<string, string | undefined>>;
  prometheus?: boolean;
  /** The identity in leader election (default: the pod name). */
  identity?: string;
}

// eslint-disable-next-line max-lines-per-function -- the agent's wiring in start order (agent, leader election, sinks, telemetry, server); each step is one call
export async function startWatch(cfg: AgentConfig, client: KubeClient, log: Logger, opts: StartOptions = {}): Promise<RunningWatch> {
  let listen: { host: string; port: number };
  try {
    listen = parseListen(cfg.listen);
  } catch (err) {
    throw new UsageError((err as Error).message);
  }
  let telemetry: Telemetry | undefined;
  // What an omitted spec.gateway.enabled means on this cluster's operator version (read once).
  const gateway = await readGatewayDefault(client);
  applyGatewayDefault(cfg.checks, gateway.value);
  log('info', gateway.note, { gatewayEnabledByDefault: cfg.checks.operator.gatewayEnabledByDefault, fromConfig: cfg.checks.operator.gatewayDefaultSet === true });
  const agent: Agent = new Agent({
    client,
    config: cfg,
    settings: opts.settings ?? settingsFrom(cfg),
    log,
    sinks: [logSink(log), ...(opts.sinks ?? [])],
    passObserver: (kind, ms) => telemetry?.recordPass(kind, ms),
  });
  if (cfg.sinks.kubernetesEvents.enabled) {
    agent.addSink(new KubernetesEventsSink({ client, log, instance: opts.telemetryEnv?.HOSTNAME ?? 'sentinel-agent', ratePerSecond: cfg.sinks.kubernetesEvents.ratePerSecond, burst: cfg.sinks.kubernetesEvents.burst }));
  }
  if (cfg.sinks.sentinel) {
    const sc = cfg.sinks.sentinel;
    agent.addSink(new SentinelSink({ url: sc.url, ...(sc.apiKey ? { apiKey: sc.apiKey } : {}), source: sc.source, clusterName: cfg.clusterName, log, reannounce: () => agent.announceAll() }));
  }
  const routes: NonNullable<ConstructorParameters<typeof AgentHttpServer>[1]['routes']> = {};
  if (opts.prometheus) {
    routes['/metrics'] = (req, res) => {
      const h = telemetry?.metricsHandler();
      if (h) h(req, res);
      else res.writeHead(503, { 'Content-Type': 'text/plain' }).end('metrics are starting\n');
    };
  }
  const server = new AgentHttpServer(agent, { ...listen, clusterName: cfg.clusterName, routes });
  let url: string;
  try {
    url = await server.start();
  } catch (err) {
    throw new UsageError(`cannot listen on ${cfg.listen}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`);
  }
  let elector: LeaderElector | undefined;
  if (cfg.leaderElection.enabled) {
    const le = cfg.leaderElection;
    // A standby keeps its store synced and its incidents tracked, but emits nothing.
    agent.setEmitting(false);
    elector = new LeaderElector({
      client,
      namespace: le.leaseNamespace,
      name: le.leaseName,
      identity: opts.identity ?? opts.telemetryEnv?.HOSTNAME ?? `sentinel-agent-${randomUUID().slice(0, 8)}`,
      leaseDurationMs: le.leaseDurationSeconds * 1000,
      renewDeadlineMs: le.renewDeadlineSeconds * 1000,
      retryPeriodMs: le.retryPeriodSeconds * 1000,
      log,
      onStartedLeading: () => agent.setEmitting(true),
      onStoppedLeading: () => agent.setEmitting(false),
    });
    elector.start();
  }
  // The reflectors start listing while the OpenTelemetry SDK loads: the first evaluation waits for the
  // sync anyway. Incidents opened before the SDK was ready are announced to it once it is.
  agent.start();
  log('info', 'serving', { url, page: `${url}/`, endpoints: ['/healthz', '/readyz', '/incidents', '/ui/state', ...Object.keys(routes)] });
  if (opts.telemetryEnv || opts.prometheus) {
    const [{ Telemetry }, { otelSettings }] = await Promise.all([import('../delivery/otel/telemetry.ts'), import('../delivery/otel/settings.ts')]);
    const settings = otelSettings(opts.telemetryEnv ?? { OTEL_LOGS_EXPORTER: 'none', OTEL_METRICS_EXPORTER: 'none' });
    telemetry = await Telemetry.create(
      { settings, clusterName: cfg.clusterName, serviceVersion: version(), instanceId: opts.telemetryEnv?.HOSTNAME ?? randomUUID(), log, prometheus: opts.prometheus === true },
      {
        openIncidents: () => (agent.emitting ? agent.openIncidents() : []),
        emitting: () => agent.emitting,
        reflectorStats: () => agent.reflectorStats(),
        sources: () => agent.sources(),
        objectCounts: () => agent.objectCounts(),
        announceAll: () => agent.announceAll(),
        ...(cfg.lifecycle.teamsOnGauges ? { teamsOnGauges: cfg.lifecycle.teamsOnGauges } : {}),
      },
    );
    agent.addSink(telemetrySink(telemetry));
    const already = agent.announceAll();
    if (already.length > 0) telemetry.transitions(already);
  }
  return {
    agent,
    server,
    url,
    ...(telemetry ? { telemetry } : {}),
    ...(elector ? { elector } : {}),
    async stop() {
      await agent.stop();
      await elector?.stop();
      await server.stop();
    },
  };
}

export async function watch(flags: WatchFlags, io: IO): Promise<number> {
  const mode = memoryMode(io.env);
  applyMemoryMode(mode);
  const level = parseLogLevel(flags.logLevel);
  const cfg = configFromFlags(flags, io);
  try {
    parseListen(cfg.listen);
  } catch (err) {
    throw new UsageError((err as Error).message);
  }
  const log = jsonLogger(level, (l) => io.stderr(l));
  const { makeKubeClient } = await import('../collector/kube-client.ts');
  const kopts: { kubeconfig?: string; context?: string } = {};
  if (flags.kubeconfig) kopts.kubeconfig = flags.kubeconfig;
  if (flags.context) kopts.context = flags.context;
  const client = await makeKubeClient(kopts);
  log('info', 'starting', { server: client.server, context: client.contextName });
  const running = await startWatch(cfg, client, log, { telemetryEnv: io.env, prometheus: flags.prometheus === true });
  // Bounded while syncing, collected once synced and judged (see agent/memory.ts).
  const unbound = boundSyncHeap(mode);
  const settle = setInterval(() => {
    if (!running.agent.ready()) return;
    clearInterval(settle);
    unbound();
    const before = process.memoryUsage().rss;
    settleMemory(mode);
    const m = process.memoryUsage();
    const mib = (n: number): number => Math.round(n / 1048576);
    log('info', 'initial sync done', { rssMiB: mib(before), after: { rssMiB: mib(m.rss), heapTotalMiB: mib(m.heapTotal), heapUsedMiB: mib(m.heapUsed), externalMiB: mib(m.external) } });
  }, 200);
  settle.unref();
  await new Promise<void>((resolve) => {
    const onSignal = (sig: string): void => {
      log('info', 'shutting down', { signal: sig });
      process.off('SIGTERM', onSignal);
      process.off('SIGINT', onSignal);
      // Never hang past the pod's grace period: exit anyway after 10 s.
      const hard = setTimeout(() => {
        log('error', 'shutdown timed out');
        resolve();
      }, 10_000);
      hard.unref();
      running.stop().then(
        () => {
          clearTimeout(hard);
          resolve();
        },
        (err: unknown) => {
          log('error', 'shutdown failed', { error: String(err) });
          resolve();
        },
      );
    };
    process.on('SIGTERM', onSignal);
    process.on('SIGINT', onSignal);
  });
  // Exporters may hold keep-alive sockets and retry timers: everything is flushed, so end now.
  io.exit?.(0);
  return 0;
}
