// The only reader of configuration files and the environment. Flags > environment > file > defaults.
// Every value is validated; an error names the file (or flag/variable) and the key.

import { readFileSync } from 'node:fs';
import { parse as parseYaml } from 'yaml';
import { defaultCheckConfig, type CheckConfig, type IngressReadinessMode } from '../checks/config.ts';
import { isRecord } from '../util/json.ts';
import { isReasonId } from '../checks/catalog.ts';
import { CHECKS } from '../checks/registry.ts';
import { SEVERITIES, type Severity } from '../checks/severity.ts';
import { configureCustomResources } from '../kube/kinds.ts';
import { customResources } from './custom-resources.ts';
import { defaultLifecycleConfig, LIFECYCLE_KEYS, lifecycleConfig, type LifecycleConfig } from './lifecycle.ts';

export class ConfigError extends Error {
  override name = 'ConfigError';
}

export interface WatchConfig {
  holdSeconds: number;
  fullEvaluationSeconds: number;
  relistIntervalSeconds: number;
  watchTimeoutSeconds: [number, number];
  inactivitySeconds: number;
  /** A synced kind that cannot be read this long is reported stale. */
  staleAfterSeconds: number;
  /** How each kind is first listed: a streaming list (falling back to paging where the server
   * refuses it) or always a paged LIST. */
  initialList: 'stream' | 'paged';
}

export interface SinksConfig {
  kubernetesEvents: { enabled: boolean; ratePerSecond: number; burst: number };
  sentinel?: { url: string; source: string; apiKey?: string };
}

export interface LeaderElectionConfig {
  enabled: boolean;
  leaseName: string;
  leaseNamespace: string;
  leaseDurationSeconds: number;
  renewDeadlineSeconds: number;
  retryPeriodSeconds: number;
}

export interface AgentConfig {
  leaderElection: LeaderElectionConfig;
  sinks: SinksConfig;
  clusterName: string;
  namespaces: string[];
  excludeNamespaces: string[];
  checks: CheckConfig;
  watch: WatchConfig;
  listen: string;
  /** Silences, maintenance windows, history, flapping and teams on the gauges. */
  lifecycle: LifecycleConfig;
}

export interface ConfigInputs {
  configFile?: string;
  clusterName?: string;
  namespaces?: string[];
  excludeNamespaces?: string[];
  listen?: string;
  env: Readonly<Record<string, string | undefined>>;
}

const DURATION = /^(\d+(?:\.\d+)?)(ms|s|m|h|d)?$/;

/** Parses "90s", "5m", "1h", "7d" or a number of seconds. */
export function parseDuration(v: unknown, where: string): number {
  if (typeof v === 'number' && Number.isFinite(v) && v >= 0) return v;
  if (typeof v === 'string') {
    const m = DURATION.exec(v.trim());
    if (m?.[1]) {
      const n = Number(m[1]);
      const unit = m[2] ?? 's';
      const mult = unit === 'ms' ? 0.001 : unit === 's' ? 1 : unit === 'm' ? 60 : unit === 'h' ? 3600 : 86400;
      return n * mult;
    }
  }
  throw new ConfigError(`${where}: expected a duration such as 90s, 5m, 1h or 7d, got ${JSON.stringify(v)}`);
}

type Rec = Record<string, unknown>;


function str(v: unknown, where: string): string {
  if (typeof v === 'string' && v !== '') return v;
  throw new ConfigError(`${where}: expected a non-empty string, got ${JSON.stringify(v)}`);
}

function strList(v: unknown, where: string): string[] {
  if (Array.isArray(v)) return v.map((e, i) => str(e, `${where}[${i}]`));
  if (typeof v === 'string') return v.split(',').map((s) => s.trim()).filter(Boolean);
  throw new ConfigError(`${where}: expected a list of strings, got ${JSON.stringify(v)}`);
}

/** A list of `namespace/deployment`, each checked. */
function deploymentRefs(v: unknown, where: string): string[] {
  const list = strList(v, where);
  list.forEach((ref, i) => {
    if (!/^[a-z0-9]([-a-z0-9]*[a-z0-9])?\/[a-z0-9]([-.a-z0-9]*[a-z0-9])?$/.test(ref)) throw new ConfigError(`${where}[${i}]: expected namespace/deployment, got ${JSON.stringify(ref)}`);
  });
  return list;
}

function only(r: Rec, keys: readonly string[], where: string): void {
  for (const k of Object.keys(r)) {
    if (!keys.includes(k)) throw new ConfigError(`${where}: unknown key "${k}" (known: ${keys.join(', ')})`);
  }
}

function mode(v: unknown, where: string): IngressReadinessMode {
  if (v === 'strict' || v === 'permissive') return v;
  throw new ConfigError(`${where}: expected strict or permissive, got ${JSON.stringify(v)}`);
}

function severity(v: unknown, where: string): Severity {
  if (typeof v === 'string' && (SEVERITIES as readonly string[]).includes(v)) return v as Severity;
  throw new ConfigError(`${where}: expected one of ${SEVERITIES.join(', ')}, got ${JSON.stringify(v)}`);
}

const TOP_KEYS = [
  'clusterName',
  'namespaces',
  'excludeNamespaces',
  'operator',
  'registry',
  'platform',
  'customResources',
  'ingressReadinessMode',
  'oomWindow',
  'certificateExpiryWarning',
  'ignoreNamePrefixes',
  'checks',
  'reasons',
  'runbookBaseUrl',
  'watch',
  'http',
  'sinks',
  'leaderElection',
  // Read by the telemetry; accepted here so one file serves every command.
  'telemetry',
  ...LIFECYCLE_KEYS,
];

/** Applies a parsed config document onto the defaults. */
// eslint-disable-next-line max-lines-per-function -- one block per config key, in the order README documents them
export function applyConfigDocument(doc: unknown, base: AgentConfig, file: string): AgentConfig {
  if (doc === null || doc === undefined) return base;
  if (!isRecord(doc)) throw new ConfigError(`${file}: expected a mapping at the top level`);
  only(doc, TOP_KEYS, file);
  const cfg: AgentConfig = { ...base, checks: { ...base.checks } };
  const c = cfg.checks;
  const w = (k: string): string => `${file}: ${k}`;
  if (doc.clusterName !== undefined) cfg.clusterName = str(doc.clusterName, w('clusterName'));
  if (doc.namespaces !== undefined) cfg.namespaces = strList(doc.namespaces, w('namespaces'));
  if (doc.excludeNamespaces !== undefined) cfg.excludeNamespaces = strList(doc.excludeNamespaces, w('excludeNamespaces'));
  if (doc.operator !== undefined) {
    if (!isRecord(doc.operator)) throw new ConfigError(`${w('operator')}: expected a mapping`);
    only(doc.operator, ['namespace', 'deployment', 'gatewayEnabledByDefault'], w('operator'));
    const byDefault = doc.operator.gatewayEnabledByDefault;
    if (byDefault !== undefined && typeof byDefault !== 'boolean') throw new ConfigError(`${w('operator.gatewayEnabledByDefault')}: expected true or false, got ${JSON.stringify(byDefault)}`);
    c.operator = {
      namespace: doc.operator.namespace !== undefined ? str(doc.operator.namespace, w('operator.namespace')) : c.operator.namespace,
      deployment: doc.operator.deployment !== undefined ? str(doc.operator.deployment, w('operator.deployment')) : c.operator.deployment,
      gatewayEnabledByDefault: byDefault ?? c.operator.gatewayEnabledByDefault,
      ...(byDefault !== undefined || c.operator.gatewayDefaultSet ? { gatewayDefaultSet: true } : {}),
    };
  }
  if (doc.registry !== undefined) {
    const r = doc.registry;
    if (!isRecord(r)) throw new ConfigError(`${w('registry')}: expected a mapping`);
    only(r, ['namespace', 'deployment', 'service', 'hosts'], w('registry'));
    c.registry = {
      namespace: r.namespace !== undefined ? str(r.namespace, w('registry.namespace')) : c.registry.namespace,
      deployment: r.deployment !== undefined ? str(r.deployment, w('registry.deployment')) : c.registry.deployment,
      service: r.service !== undefined ? str(r.service, w('registry.service')) : c.registry.service,
      hosts: r.hosts !== undefined ? strList(r.hosts, w('registry.hosts')) : c.registry.hosts,
    };
  }
  if (doc.customResources !== undefined) c.customResources = customResources(doc.customResources, w('customResources'), (m) => new ConfigError(m));
  if (doc.platform !== undefined) {
    const p = doc.platform;
    if (!isRecord(p)) throw new ConfigError(`${w('platform')}: expected a mapping`);
    only(p, ['sentinel', 'ingressController', 'ingressClass', 'certManager'], w('platform'));
    const refs = (k: 'sentinel' | 'ingressController' | 'certManager'): readonly string[] => (p[k] !== undefined ? deploymentRefs(p[k], w(`platform.${k}`)) : c.platform[k]);
    c.platform = { sentinel: refs('sentinel'), ingressController: refs('ingressController'), ingressClass: p.ingressClass !== undefined ? str(p.ingressClass, w('platform.ingressClass')) : c.platform.ingressClass, certManager: refs('certManager') };
  }
  if (doc.ingressReadinessMode !== undefined) c.ingressReadinessMode = mode(doc.ingressReadinessMode, w('ingressReadinessMode'));
  if (doc.oomWindow !== undefined) c.oomWindowSeconds = parseDuration(doc.oomWindow, w('oomWindow'));
  if (doc.certificateExpiryWarning !== undefined) c.certificateExpiryWarningSeconds = parseDuration(doc.certificateExpiryWarning, w('certificateExpiryWarning'));
  if (doc.ignoreNamePrefixes !== undefined) c.ignoreNamePrefixes = strList(doc.ignoreNamePrefixes, w('ignoreNamePrefixes'));
  if (doc.runbookBaseUrl !== undefined) c.runbookBaseUrl = str(doc.runbookBaseUrl, w('runbookBaseUrl'));
  if (doc.checks !== undefined) {
    if (!isRecord(doc.checks)) throw new ConfigError(`${w('checks')}: expected a mapping with enabled/disabled`);
    only(doc.checks, ['enabled', 'disabled'], w('checks'));
    const known = CHECKS.map((k) => k.id);
    for (const field of ['enabled', 'disabled'] as const) {
      if (doc.checks[field] === undefined) continue;
      const ids = strList(doc.checks[field], w(`checks.${field}`));
      for (const id of ids) if (!known.includes(id)) throw new ConfigError(`${w(`checks.${field}`)}: unknown check "${id}" (known: ${known.join(', ')})`);
      if (field === 'enabled') c.enabledChecks = ids;
      else c.disabledChecks = ids;
    }
  }
  if (doc.watch !== undefined) {
    const wd = doc.watch;
    if (!isRecord(wd)) throw new ConfigError(`${w('watch')}: expected a mapping`);
    only(wd, ['holdPeriod', 'fullEvaluationInterval', 'relistInterval', 'watchTimeout', 'inactivityTimeout', 'staleAfter', 'initialList'], w('watch'));
    const wc: WatchConfig = { ...cfg.watch };
    if (wd.holdPeriod !== undefined) wc.holdSeconds = parseDuration(wd.holdPeriod, w('watch.holdPeriod'));
    if (wd.fullEvaluationInterval !== undefined) wc.fullEvaluationSeconds = positive(parseDuration(wd.fullEvaluationInterval, w('watch.fullEvaluationInterval')), w('watch.fullEvaluationInterval'));
    if (wd.relistInterval !== undefined) wc.relistIntervalSeconds = parseDuration(wd.relistInterval, w('watch.relistInterval'));
    if (wd.watchTimeout !== undefined) {
      const t = positive(parseDuration(wd.watchTimeout, w('watch.watchTimeout')), w('watch.watchTimeout'));
      // Each watch gets a timeout between 1x and 2x of this, so reconnects spread out.
      wc.watchTimeoutSeconds = [t, 2 * t];
    }
    if (wd.inactivityTimeout !== undefined) wc.inactivitySeconds = positive(parseDuration(wd.inactivityTimeout, w('watch.inactivityTimeout')), w('watch.inactivityTimeout'));
    if (wd.staleAfter !== undefined) wc.staleAfterSeconds = positive(parseDuration(wd.staleAfter, w('watch.staleAfter')), w('watch.staleAfter'));
    if (wd.initialList !== undefined) {
      if (wd.initialList !== 'stream' && wd.initialList !== 'paged') throw new ConfigError(`${w('watch.initialList')}: expected stream or paged, got ${JSON.stringify(wd.initialList).slice(0, 60)}`);
      wc.initialList = wd.initialList;
    }
    cfg.watch = wc;
  }
  if (doc.sinks !== undefined) {
    const sd = doc.sinks;
    if (!isRecord(sd)) throw new ConfigError(`${w('sinks')}: expected a mapping`);
    only(sd, ['kubernetesEvents', 'sentinel'], w('sinks'));
    const sinks: SinksConfig = { ...cfg.sinks, kubernetesEvents: { ...cfg.sinks.kubernetesEvents } };
    if (sd.kubernetesEvents !== undefined) {
      const k = sd.kubernetesEvents;
      if (!isRecord(k)) throw new ConfigError(`${w('sinks.kubernetesEvents')}: expected a mapping`);
      only(k, ['enabled', 'ratePerSecond', 'burst'], w('sinks.kubernetesEvents'));
      if (k.enabled !== undefined) {
        if (typeof k.enabled !== 'boolean') throw new ConfigError(`${w('sinks.kubernetesEvents.enabled')}: expected true or false`);
        sinks.kubernetesEvents.enabled = k.enabled;
      }
      for (const f of ['ratePerSecond', 'burst'] as const) {
        if (k[f] === undefined) continue;
        if (typeof k[f] !== 'number' || k[f] <= 0) throw new ConfigError(`${w(`sinks.kubernetesEvents.${f}`)}: expected a positive number`);
        sinks.kubernetesEvents[f] = k[f];
      }
    }
    if (sd.sentinel !== undefined) {
      const se = sd.sentinel;
      if (!isRecord(se)) throw new ConfigError(`${w('sinks.sentinel')}: expected a mapping`);
      only(se, ['url', 'source'], w('sinks.sentinel'));
      const url = str(se.url, w('sinks.sentinel.url'));
      try {
        new URL(url);
      } catch {
        throw new ConfigError(`${w('sinks.sentinel.url')}: not a URL: ${JSON.stringify(url)}`);
      }
      sinks.sentinel = { url, source: se.source !== undefined ? str(se.source, w('sinks.sentinel.source')) : 'sentinel-agent' };
    }
    cfg.sinks = sinks;
  }
  if (doc.leaderElection !== undefined) {
    const le = doc.leaderElection;
    if (!isRecord(le)) throw new ConfigError(`${w('leaderElection')}: expected a mapping`);
    only(le, ['enabled', 'leaseName', 'leaseNamespace', 'leaseDuration', 'renewDeadline', 'retryPeriod'], w('leaderElection'));
    const c2: LeaderElectionConfig = { ...cfg.leaderElection };
    if (le.enabled !== undefined) {
      if (typeof le.enabled !== 'boolean') throw new ConfigError(`${w('leaderElection.enabled')}: expected true or false`);
      c2.enabled = le.enabled;
    }
    if (le.leaseName !== undefined) c2.leaseName = str(le.leaseName, w('leaderElection.leaseName'));
    if (le.leaseNamespace !== undefined) c2.leaseNamespace = str(le.leaseNamespace, w('leaderElection.leaseNamespace'));
    if (le.leaseDuration !== undefined) c2.leaseDurationSeconds = positive(parseDuration(le.leaseDuration, w('leaderElection.leaseDuration')), w('leaderElection.leaseDuration'));
    if (le.renewDeadline !== undefined) c2.renewDeadlineSeconds = positive(parseDuration(le.renewDeadline, w('leaderElection.renewDeadline')), w('leaderElection.renewDeadline'));
    if (le.retryPeriod !== undefined) c2.retryPeriodSeconds = positive(parseDuration(le.retryPeriod, w('leaderElection.retryPeriod')), w('leaderElection.retryPeriod'));
    // client-go's invariants: duration > deadline > retry period.
    if (!(c2.leaseDurationSeconds > c2.renewDeadlineSeconds && c2.renewDeadlineSeconds > c2.retryPeriodSeconds)) {
      throw new ConfigError(`${w('leaderElection')}: leaseDuration must exceed renewDeadline, which must exceed retryPeriod`);
    }
    cfg.leaderElection = c2;
  }
  if (doc.http !== undefined) {
    if (!isRecord(doc.http)) throw new ConfigError(`${w('http')}: expected a mapping`);
    only(doc.http, ['listen'], w('http'));
    if (doc.http.listen !== undefined) cfg.listen = str(doc.http.listen, w('http.listen'));
  }
  cfg.lifecycle = lifecycleConfig(doc, cfg.lifecycle, w, (m) => new ConfigError(m), parseDuration);
  if (doc.reasons !== undefined) {
    if (!isRecord(doc.reasons)) throw new ConfigError(`${w('reasons')}: expected a mapping of reason → {severity, grace, enabled}`);
    const reasons: Record<string, CheckConfig['reasons'][string]> = { ...c.reasons };
    for (const [name, v] of Object.entries(doc.reasons)) {
      if (!isReasonId(name)) throw new ConfigError(`${w('reasons')}: unknown reason "${name}" (see: sentinel-agent checks)`);
      if (!isRecord(v)) throw new ConfigError(`${w(`reasons.${name}`)}: expected a mapping`);
      only(v, ['severity', 'grace', 'enabled', 'escalateAfter'], w(`reasons.${name}`));
      const e: { -readonly [K in keyof CheckConfig['reasons'][string]]: CheckConfig['reasons'][string][K] } = {};
      if (v.severity !== undefined) e.severity = severity(v.severity, w(`reasons.${name}.severity`));
      if (v.grace !== undefined) e.graceSeconds = parseDuration(v.grace, w(`reasons.${name}.grace`));
      if (v.escalateAfter !== undefined) e.escalateAfterSeconds = positive(parseDuration(v.escalateAfter, w(`reasons.${name}.escalateAfter`)), w(`reasons.${name}.escalateAfter`));
      if (v.enabled !== undefined) {
        if (typeof v.enabled !== 'boolean') throw new ConfigError(`${w(`reasons.${name}.enabled`)}: expected true or false`);
        e.enabled = v.enabled;
      }
      reasons[name] = e;
    }
    c.reasons = reasons;
  }
  return cfg;
}

function positive(n: number, where: string): number {
  if (n <= 0) throw new ConfigError(`${where}: must be greater than zero`);
  return n;
}

export function defaultAgentConfig(): AgentConfig {
  return {
    clusterName: 'default',
    namespaces: [],
    excludeNamespaces: [],
    checks: defaultCheckConfig(),
    watch: { holdSeconds: 60, fullEvaluationSeconds: 60, relistIntervalSeconds: 0, watchTimeoutSeconds: [300, 600], inactivitySeconds: 150, staleAfterSeconds: 60, initialList: 'stream' },
    listen: '0.0.0.0:8080',
    sinks: { kubernetesEvents: { enabled: false, ratePerSecond: 5, burst: 20 } },
    leaderElection: { enabled: false, leaseName: 'sentinel-agent', leaseNamespace: 'sentinel-agent', leaseDurationSeconds: 15, renewDeadlineSeconds: 10, retryPeriodSeconds: 2 },
    lifecycle: defaultLifecycleConfig(),
  };
}

export function loadConfig(inputs: ConfigInputs): AgentConfig {
  let cfg = defaultAgentConfig();
  const env = inputs.env;
  // The Lease lives in the agent's own namespace unless the file says otherwise.
  if (env.POD_NAMESPACE) cfg.leaderElection = { ...cfg.leaderElection, leaseNamespace: env.POD_NAMESPACE };
  const file = inputs.configFile ?? env.SENTINEL_AGENT_CONFIG;
  if (file) {
    let text: string;
    try {
      text = readFileSync(file, 'utf8');
    } catch (err) {
      throw new ConfigError(`cannot read config file ${file}: ${(err as NodeJS.ErrnoException).code ?? String(err)}`);
    }
    let doc: unknown;
    try {
      doc = parseYaml(text);
    } catch (err) {
      throw new ConfigError(`${file}: not valid YAML: ${(err as Error).message.split('\n')[0]}`);
    }
    cfg = applyConfigDocument(doc, cfg, file);
  }
  // The operator's own variable names are honoured, so one environment configures both.
  const envMode = env.SENTINEL_AGENT_INGRESS_READINESS_MODE ?? env.MCP_INGRESS_READINESS_MODE;
  if (envMode) cfg.checks.ingressReadinessMode = mode(envMode, 'MCP_INGRESS_READINESS_MODE');
  if (env.SENTINEL_AGENT_NAMESPACES) cfg.namespaces = strList(env.SENTINEL_AGENT_NAMESPACES, 'SENTINEL_AGENT_NAMESPACES');
  const envCluster = env.SENTINEL_AGENT_CLUSTER_NAME ?? env.MCP_CLUSTER_NAME;
  if (envCluster) cfg.clusterName = envCluster;
  if (env.SENTINEL_AGENT_LISTEN) cfg.listen = env.SENTINEL_AGENT_LISTEN;
  if (env.SENTINEL_AGENT_LEADER_ELECTION) cfg.leaderElection = { ...cfg.leaderElection, enabled: env.SENTINEL_AGENT_LEADER_ELECTION === 'true' };
  if (env.SENTINEL_AGENT_KUBERNETES_EVENTS) cfg.sinks.kubernetesEvents = { ...cfg.sinks.kubernetesEvents, enabled: env.SENTINEL_AGENT_KUBERNETES_EVENTS === 'true' };
  if (env.SENTINEL_AGENT_SENTINEL_URL) cfg.sinks.sentinel = { source: cfg.sinks.sentinel?.source ?? 'sentinel-agent', url: env.SENTINEL_AGENT_SENTINEL_URL };
  // The ingest key is a secret: from the environment (a Secret), never from the config file.
  if (cfg.sinks.sentinel && env.SENTINEL_AGENT_SENTINEL_API_KEY) cfg.sinks.sentinel = { ...cfg.sinks.sentinel, apiKey: env.SENTINEL_AGENT_SENTINEL_API_KEY };
  if (inputs.listen) cfg.listen = inputs.listen;
  if (inputs.clusterName) cfg.clusterName = inputs.clusterName;
  if (inputs.namespaces && inputs.namespaces.length > 0) cfg.namespaces = inputs.namespaces;
  if (inputs.excludeNamespaces && inputs.excludeNamespaces.length > 0) cfg.excludeNamespaces = inputs.excludeNamespaces;
  // The configured custom resources become kinds before anything lists or loads (kube/kinds.ts).
  configureCustomResources(cfg.checks.customResources);
  return cfg;
}

export function scopeFilter(cfg: AgentConfig): (ns: string) => boolean {
  const inc = new Set(cfg.namespaces);
  const exc = new Set(cfg.excludeNamespaces);
  // A cluster-scoped object (a Node, held under '') is in every scope: what runs in the namespaces
  // read runs on it.
  return (ns) => ns === '' || ((inc.size === 0 || inc.has(ns)) && !exc.has(ns));
}

