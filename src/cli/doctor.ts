// sentinel-agent doctor: read cluster state once (live, a dump, or a running agent), evaluate the
// same checks as watch, print incidents, exit with a code (product.md §5).

import { displayKind } from '../kube/kinds.ts';
import { scopeFilter, type AgentConfig } from '../config/config.ts';
import { configFromFlags, requireKubeconfig, type ClusterFlags } from './options.ts';
import { ObjectStore } from '../kube/store.ts';
import { CHECKS } from '../checks/registry.ts';
import type { Severity } from '../checks/severity.ts';
import { evaluate, neededKinds, selectChecks } from '../engine/evaluate.ts';
import { SILENCE_KINDS, SilenceJudge } from '../engine/silences.ts';
import { incidentsNow, rfc3339, type Incident } from '../engine/incidents.ts';
import { buildReport, exitCodeFor, reportJson, summarize, type Report, type ReportSource } from '../format/report.ts';
import { reportText } from '../format/text.ts';
import { incidentsWide } from '../format/table.ts';
import { CATALOG } from '../checks/catalog.ts';
import { didYouMean } from './spec.ts';
import { stringify } from 'yaml';
import { DEFAULT_INPUT_LIMITS, InputError, loadDocuments, parseDocuments, readInput, type InputLimits } from '../collector/file.ts';
import { fetchWatcher } from '../collector/watcher.ts';
import { ClusterUnreachableError } from '../collector/kube-client.ts';
import { applyGatewayDefault, readGatewayDefault } from '../collector/crd-defaults.ts';
import { UsageError, enabled, parseLogLevel, type IO } from './io.ts';

export interface DoctorFlags extends ClusterFlags {
  fromFile?: string;
  fromWatcher?: string;
  /** With --from-watcher: open (default), resolved or all. */
  state?: string;
  now?: string;
  output?: string;
  failOn?: string;
  applyGrace?: boolean;
  maxInput?: string;
  maxDepth?: string;
  maxAliases?: string;
  /** Reasons or check ids: only their incidents are reported. */
  filter?: string[];
  noHeaders?: boolean;
}

/** --max-input 512Mi, --max-depth 64, --max-aliases 100: what doctor reads at most. */
export function parseLimits(f: DoctorFlags): InputLimits {
  const l = { ...DEFAULT_INPUT_LIMITS };
  if (f.maxInput !== undefined) {
    const m = /^(\d+)(Ki|Mi|Gi)?$/.exec(f.maxInput.trim());
    if (!m) throw new UsageError(`--max-input: expected a size such as 512Mi or 2Gi, got ${JSON.stringify(f.maxInput)}`);
    l.maxBytes = Number(m[1]) * ({ Ki: 1024, Mi: 1024 ** 2, Gi: 1024 ** 3 }[m[2] ?? ''] ?? 1);
  }
  const count = (v: string | undefined, flag: string): number | undefined => {
    if (v === undefined) return undefined;
    if (!/^\d{1,6}$/.test(v) || Number(v) < 1) throw new UsageError(`${flag}: expected a positive integer, got ${JSON.stringify(v)}`);
    return Number(v);
  };
  l.maxDepth = count(f.maxDepth, '--max-depth') ?? l.maxDepth;
  l.maxAliases = count(f.maxAliases, '--max-aliases') ?? l.maxAliases;
  return l;
}

export function parseNow(v: string | undefined, io: IO): number {
  if (v === undefined) return io.now();
  // RFC 3339: a date, a time and an offset (Z or ±hh:mm).
  if (!/^\d{4}-\d{2}-\d{2}[Tt ]\d{2}:\d{2}:\d{2}(\.\d+)?([Zz]|[+-]\d{2}:\d{2})$/.test(v)) {
    throw new UsageError(`--now: expected an RFC 3339 time such as 2026-11-24T12:00:00Z, got ${JSON.stringify(v)}`);
  }
  const t = Date.parse(v);
  if (Number.isNaN(t)) throw new UsageError(`--now: not a valid time: ${v}`);
  return t;
}

type Output = 'text' | 'json' | 'yaml' | 'wide';

/** --filter: reason names and check ids (any case), each named back as the catalog spells it. */
export function parseFilter(names: readonly string[] | undefined): ReadonlySet<string> | undefined {
  if (names === undefined || names.length === 0) return undefined;
  const known = [...CATALOG.keys(), ...CHECKS.map((c) => c.id)] as string[];
  const out = new Set<string>();
  for (const n of names) {
    const k = known.find((x) => x.toLowerCase() === n.toLowerCase());
    if (!k) throw new UsageError(`--filter: no reason or check is called ${JSON.stringify(n)}${didYouMean(n, known)}; list them with: sentinel-agent checks`);
    out.add(k);
  }
  return out;
}

function render(report: Report, output: Output, o: { color: boolean; now: number; asOf?: number; width?: number; noHeaders: boolean; stats?: { objects: number; checks: number } }): string {
  if (output === 'json') return reportJson(report);
  if (output === 'yaml') return stringify(JSON.parse(reportJson(report)), { lineWidth: 0 });
  if (output === 'wide') return incidentsWide(report, o);
  return reportText(report, o);
}

export function useColor(io: IO): boolean {
  if (io.env.NO_COLOR !== undefined && io.env.NO_COLOR !== '') return false;
  if (io.env.FORCE_COLOR !== undefined && io.env.FORCE_COLOR !== '0') return true;
  return io.stdoutIsTTY && io.env.TERM !== 'dumb';
}

/** Evaluates a filled store: the one engine path shared by every doctor source. */
export function diagnose(store: ObjectStore, cfg: AgentConfig, now: number, applyGrace = false): { incidents: Incident[]; skipped: Report['skipped']; checks: number } {
  const inScope = scopeFilter(cfg);
  const ev = evaluate(store, { checks: CHECKS, now, config: cfg.checks, inScope });
  const found = incidentsNow(ev.findings, store, { clusterName: cfg.clusterName, config: cfg.checks, now, applyGrace });
  // Silences are honoured here too: the config's, the windows open at --now, the annotations read.
  const lc = cfg.lifecycle;
  const judge = new SilenceJudge({ silences: lc.silences, windows: lc.windows }, store, () => undefined);
  const incidents = found.map((i) => {
    const silence = judge.silenceOf(i, now);
    return silence ? { ...i, silence } : i;
  });
  return { incidents, skipped: ev.skipped, checks: selectChecks(CHECKS, cfg.checks).run.length };
}

export async function doctor(flags: DoctorFlags, io: IO): Promise<number> {
  // --output and --fail-on are checked against the values spec.ts gives them, with what was near, by
  // the command line (args.ts) before doctor runs.
  const output = (flags.output ?? 'text') as Output;
  const failOn = (flags.failOn ?? 'warning') as Severity | 'none';
  const logLevel = parseLogLevel(flags.logLevel);
  const now = parseNow(flags.now, io);
  const only = parseFilter(flags.filter);
  if (flags.fromFile !== undefined && flags.fromWatcher !== undefined) throw new UsageError('--from-file and --from-watcher cannot be used together');
  if (flags.fromFile === undefined && flags.fromWatcher === undefined) requireKubeconfig(flags.kubeconfig);
  // A one-shot read has no history: resolved incidents are the running agent's.
  if (flags.state !== undefined && flags.fromWatcher === undefined) throw new UsageError('--state needs --from-watcher (only a running agent keeps resolved incidents)');
  const cfg = configFromFlags(flags, io);
  const note = (s: string): void => {
    if (enabled(logLevel, 'info')) io.stderr(`note: ${s}\n`);
  };

  let report: Report;
  let stats: { objects: number; checks: number } | undefined;
  let nothingRan = false;
  if (flags.fromWatcher !== undefined) {
    const w = await fetchWatcher(flags.fromWatcher, undefined, undefined, flags.state as 'open' | 'resolved' | 'all' | undefined);
    report = buildReport({
      generatedAt: w.generatedAt,
      clusterName: w.cluster.name || cfg.clusterName,
      source: 'watcher',
      incidents: w.incidents,
      skipped: w.skipped,
    });
    if (w.staleSources.length > 0) {
      report.staleSources = w.staleSources;
      io.stderr(`warning: the agent cannot read ${report.staleSources?.map((s) => s.kind).join(', ')}: its incidents for them may be out of date\n`);
    }
  } else {
    const store = new ObjectStore();
    let source: ReportSource;
    if (flags.fromFile !== undefined) {
      source = 'file';
      const limits = parseLimits(flags);
      const { text, name } = readInput(flags.fromFile, (max) => io.stdin(max), limits);
      const docs = parseDocuments(text, name, limits);
      const loaded = loadDocuments(docs, name, store, scopeFilter(cfg), limits);
      // A step that dumped the wrong thing must not pass a CI gate as "no incidents".
      if (loaded.recognized === 0) throw new InputError(`${name}: no Kubernetes object that the checks read was found; the input holds ${loaded.found}`);
      for (const n of loaded.notes) note(n);
      applyGatewayDefault(cfg.checks, loaded.gatewayDefault);
    } else {
      source = 'live';
      const { makeKubeClient } = await import('../collector/kube-client.ts');
      const { loadLive } = await import('../collector/live.ts');
      const opts: { kubeconfig?: string; context?: string } = {};
      if (flags.kubeconfig) opts.kubeconfig = flags.kubeconfig;
      if (flags.context) opts.context = flags.context;
      const client = await makeKubeClient(opts);
      // Namespaces too, for their silence annotations (forbidden is fine: noted, nothing else).
      const kinds = [...neededKinds(selectChecks(CHECKS, cfg.checks).run), ...SILENCE_KINDS];
      const gateway = await readGatewayDefault(client);
      applyGatewayDefault(cfg.checks, gateway.value);
      if (enabled(logLevel, 'debug')) io.stderr(`debug: ${gateway.note}\n`);
      const loaded = await loadLive(client, store, kinds, { namespaces: cfg.namespaces, inScope: scopeFilter(cfg) });
      for (const n of loaded.notes) if (enabled(logLevel, 'debug')) io.stderr(`debug: ${n}\n`);
    }
    const d = diagnose(store, cfg, now, flags.applyGrace === true);
    const skippedChecks = new Set(d.skipped.filter((s) => s.reason !== 'Disabled' && s.reason !== 'OutOfScope' && !s.partial).map((s) => s.check));
    nothingRan = d.checks > 0 && skippedChecks.size >= d.checks;
    stats = { objects: store.size(), checks: d.checks - skippedChecks.size };
    report = buildReport({ generatedAt: rfc3339(io.now()), clusterName: cfg.clusterName, source, incidents: d.incidents, skipped: d.skipped });
  }
  if (only) {
    report.incidents = report.incidents.filter((i) => only.has(i.reason) || only.has(i.check));
    report.summary = summarize(report.incidents);
  }
  io.stdout(render(report, output, { color: useColor(io), now, ...(io.stdoutIsTTY && io.columns ? { width: io.columns } : {}), ...(flags.now !== undefined ? { asOf: now } : {}), noHeaders: flags.noHeaders === true, ...(stats ? { stats } : {}) }));
  if (nothingRan) {
    io.stderr(`sentinel-agent: every check was skipped: the input holds none of the kinds they read (${neededKinds(selectChecks(CHECKS, cfg.checks).run).map(displayKind).join(', ')}); nothing was checked\n`);
    return 2;
  }
  return exitCodeFor(report.incidents, failOn);
}

export function exitCodeForError(err: unknown): number | undefined {
  if (err instanceof UsageError || err instanceof InputError) return 2;
  if (err instanceof ClusterUnreachableError) return 3;
  return undefined;
}
