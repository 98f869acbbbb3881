// argv → command; errors → exit codes (2 usage/input, 3 cluster unreachable).

import { parseArgs } from 'node:util';
import { processIO, UsageError, type IO } from './io.ts';
import { doctor, exitCodeForError } from './doctor.ts';
import { checksCommand } from './checks.ts';
import { rbacCommand } from './rbac.ts';
import { version } from './version.ts';
import type { WatchFlags } from './watch.ts';
import type { ClusterFlags } from './options.ts';

export const HELP = `sentinel-agent — health listener for MCP Runtime clusters

Usage:
  sentinel-agent doctor [--from-file PATH|-] [--from-watcher URL] [--now RFC3339]
                        [--output text|json] [--fail-on critical|warning|info|none]
                        [--apply-grace]   (drop findings younger than their grace, as watch does)
  sentinel-agent checks [REASON] [--output text|json]
  sentinel-agent watch  [--listen HOST:PORT]   the continuous listener (until SIGTERM/SIGINT)
  sentinel-agent demo  [--speed N]             a simulated MCP Runtime cluster and a scripted story (no cluster needed)
  sentinel-agent rbac  --config FILE [-n NS]   the ClusterRole the config's customResources need (| kubectl apply -f -);
                                               -n: the agent's namespace (default sentinel-agent)

Common flags:
  --namespace NS            read only this namespace (repeatable)
  --exclude-namespace NS    skip this namespace (repeatable)
  --config FILE             YAML configuration (see README)
  --kubeconfig FILE         kubeconfig to use (default: KUBECONFIG, ~/.kube/config, in-cluster)
  --context NAME            kubeconfig context
  --cluster-name NAME       name used in incident ids and reports (default: "default")
  --log-level LEVEL         error|warn|info|debug (default info)
  --listen HOST:PORT        watch: where to serve /healthz /readyz /incidents (default 0.0.0.0:8080)
  --prometheus              watch: also serve the metrics in Prometheus text on GET /metrics
  -h, --help                this help
  --version                 the version

Exit codes (doctor): 0 nothing at or above --fail-on, 1 incidents at or above it,
2 usage or input error, 3 cluster or agent unreachable.
`;

const OPTIONS = {
  'from-file': { type: 'string' },
  'from-watcher': { type: 'string' },
  now: { type: 'string' },
  output: { type: 'string', short: 'o' },
  'fail-on': { type: 'string' },
  namespace: { type: 'string', short: 'n', multiple: true },
  'exclude-namespace': { type: 'string', multiple: true },
  config: { type: 'string' },
  kubeconfig: { type: 'string' },
  context: { type: 'string' },
  'cluster-name': { type: 'string' },
  'log-level': { type: 'string' },
  'apply-grace': { type: 'boolean' },
  'max-input': { type: 'string' },
  'max-depth': { type: 'string' },
  'max-aliases': { type: 'string' },
  listen: { type: 'string' },
  prometheus: { type: 'boolean' },
  speed: { type: 'string' },
  help: { type: 'boolean', short: 'h' },
  version: { type: 'boolean' },
} as const;

const COMMAND_FLAGS: Record<string, readonly string[]> = {
  doctor: ['from-file', 'from-watcher', 'now', 'output', 'fail-on', 'namespace', 'exclude-namespace', 'config', 'kubeconfig', 'context', 'cluster-name', 'log-level', 'apply-grace', 'max-input', 'max-depth', 'max-aliases'],
  checks: ['output', 'config', 'log-level'],
  demo: ['speed', 'listen', 'log-level'],
  rbac: ['config', 'namespace', 'log-level'],
  watch: ['namespace', 'exclude-namespace', 'config', 'kubeconfig', 'context', 'cluster-name', 'log-level', 'listen', 'prometheus'],
};

function rbacFlags(values: { config?: string; namespace?: string[] }, rest: readonly string[]): Parameters<typeof rbacCommand>[0] {
  if (rest.length > 0) throw new UsageError(`rbac: unexpected argument ${JSON.stringify(rest[0])}`);
  const ns = values.namespace ?? [];
  if (ns.length > 1) throw new UsageError("rbac: one --namespace (the agent's)");
  const flags: Parameters<typeof rbacCommand>[0] = {};
  if (values.config !== undefined) flags.config = values.config;
  if (ns[0] !== undefined) flags.serviceAccountNamespace = ns[0];
  return flags;
}

/** The flags doctor and watch share: which cluster, which namespaces, which configuration. */
function clusterFlags(values: Partial<Record<keyof typeof OPTIONS, string | string[] | boolean | undefined>>): ClusterFlags {
  const out: ClusterFlags = {};
  const str = (v: unknown): string | undefined => (typeof v === 'string' ? v : undefined);
  const list = (v: unknown): string[] | undefined => (Array.isArray(v) ? (v as string[]) : undefined);
  const ns = list(values.namespace);
  if (ns) out.namespace = ns;
  const ex = list(values['exclude-namespace']);
  if (ex) out.excludeNamespace = ex;
  for (const [flag, key] of [
    ['config', 'config'],
    ['kubeconfig', 'kubeconfig'],
    ['context', 'context'],
    ['cluster-name', 'clusterName'],
    ['log-level', 'logLevel'],
  ] as const) {
    const v = str(values[flag]);
    if (v !== undefined) out[key] = v;
  }
  return out;
}

export async function main(argv: readonly string[], io: IO = processIO()): Promise<number> {
  try {
    let parsed;
    try {
      parsed = parseArgs({ args: [...argv], options: OPTIONS, allowPositionals: true, strict: true });
    } catch (err) {
      throw new UsageError((err as Error).message);
    }
    const { values, positionals } = parsed;
    const [command, ...rest] = positionals;
    if (values.version) {
      io.stdout(`${version()}\n`);
      return 0;
    }
    if (values.help || command === undefined || command === 'help') {
      io.stdout(HELP);
      return command === undefined && !values.help ? 2 : 0;
    }
    const allowed = COMMAND_FLAGS[command];
    if (allowed) {
      for (const k of Object.keys(values)) {
        if (!allowed.includes(k)) throw new UsageError(`${command}: unknown flag --${k}`);
      }
    }
    switch (command) {
      case 'doctor': {
        if (rest.length > 0) throw new UsageError(`doctor: unexpected argument ${JSON.stringify(rest[0])}`);
        const flags: Parameters<typeof doctor>[0] = clusterFlags(values);
        if (values['from-file'] !== undefined) flags.fromFile = values['from-file'];
        if (values['from-watcher'] !== undefined) flags.fromWatcher = values['from-watcher'];
        if (values.now !== undefined) flags.now = values.now;
        if (values.output !== undefined) flags.output = values.output;
        if (values['fail-on'] !== undefined) flags.failOn = values['fail-on'];
        if (values['apply-grace']) flags.applyGrace = true;
        if (values['max-input'] !== undefined) flags.maxInput = values['max-input'];
        if (values['max-depth'] !== undefined) flags.maxDepth = values['max-depth'];
        if (values['max-aliases'] !== undefined) flags.maxAliases = values['max-aliases'];
        return await doctor(flags, io);
      }
      case 'checks': {
        if (rest.length > 1) throw new UsageError('checks: at most one REASON');
        const args: { reason?: string; output?: string } = {};
        if (rest[0] !== undefined) args.reason = rest[0];
        if (values.output !== undefined) args.output = values.output;
        return checksCommand(args, io);
      }
      case 'watch': {
        if (rest.length > 0) throw new UsageError(`watch: unexpected argument ${JSON.stringify(rest[0])}`);
        const flags: WatchFlags = clusterFlags(values);
        if (values.listen !== undefined) flags.listen = values.listen;
        if (values.prometheus) flags.prometheus = true;
        // Loaded on demand: doctor and checks never load the OpenTelemetry SDK.
        const { watch } = await import('./watch.ts');
        return await watch(flags, io);
      }
      case 'demo': {
        if (rest.length > 0) throw new UsageError(`demo: unexpected argument ${JSON.stringify(rest[0])}`);
        const flags: { speed?: string; listen?: string; logLevel?: string } = {};
        if (values.speed !== undefined) flags.speed = values.speed;
        if (values.listen !== undefined) flags.listen = values.listen;
        if (values['log-level'] !== undefined) flags.logLevel = values['log-level'];
        const { demo } = await import('./demo.ts');
        return await demo(flags, io);
      }
      case 'rbac':
        return rbacCommand(rbacFlags(values, rest), io);
      default:
        throw new UsageError(`unknown command ${JSON.stringify(command)} (commands: doctor, checks, watch, demo, rbac)`);
    }
  } catch (err) {
    const code = exitCodeForError(err);
    if (code !== undefined) {
      io.stderr(`sentinel-agent: ${(err as Error).message}\n`);
      if (err instanceof UsageError) io.stderr('Run sentinel-agent --help for usage.\n');
      return code;
    }
    io.stderr(`sentinel-agent: internal error: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
    return 70;
  }
}
