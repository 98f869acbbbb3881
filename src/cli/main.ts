// argv → command; errors → exit codes (2 usage/input, 3 cluster unreachable).

import { processIO, UsageError, type IO } from './io.ts';
import { doctor, exitCodeForError, type DoctorFlags } from './doctor.ts';
import { checksCommand } from './checks.ts';
import { rbacCommand } from './rbac.ts';
import { versionInfo, versionText } from './version.ts';
import { parseCommandLine, type Values } from './args.ts';
import { COMMANDS, commandHelp, commandSpec, didYouMean, globalHelp } from './spec.ts';
import { completionCommand } from './completion.ts';
import { stringify } from 'yaml';
import type { WatchFlags } from './watch.ts';
import type { DemoFlags } from './demo.ts';
import type { SimFlags } from './sim.ts';
import { configFromFlags, requireKubeconfig, type ClusterFlags } from './options.ts';

/** The command named on a line that failed to parse, for the pointer to its help. */
function commandOf(argv: readonly string[]): string | undefined {
  return COMMANDS.find((c) => argv.includes(c.name))?.name;
}

function rbacFlags(values: Values, rest: readonly string[]): Parameters<typeof rbacCommand>[0] {
  noArguments('rbac', rest);
  const ns = Array.isArray(values.namespace) ? values.namespace : [];
  if (ns.length > 1) throw new UsageError("rbac: one --namespace (the agent's)");
  const flags = strings<Parameters<typeof rbacCommand>[0]>(values, {}, [['config', 'config']]);
  if (ns[0] !== undefined) flags.serviceAccountNamespace = ns[0];
  return flags;
}

const str = (v: Values[string]): string | undefined => (typeof v === 'string' ? v : undefined);

/** Copies the string flags given (flag name → option key) into a command's options. */
function strings<T extends object>(values: Values, into: T, pairs: readonly (readonly [string, keyof T & string])[]): T {
  for (const [flag, key] of pairs) {
    const v = str(values[flag]);
    if (v !== undefined) (into as Record<string, unknown>)[key] = v;
  }
  return into;
}

/** The flags doctor and watch share: which cluster, which namespaces, which configuration. */
function clusterFlags(values: Values): ClusterFlags {
  const out: ClusterFlags = {};
  if (Array.isArray(values.namespace)) out.namespace = values.namespace;
  if (Array.isArray(values['exclude-namespace'])) out.excludeNamespace = values['exclude-namespace'];
  return strings(values, out, [
    ['config', 'config'],
    ['kubeconfig', 'kubeconfig'],
    ['context', 'context'],
    ['cluster-name', 'clusterName'],
    ['log-level', 'logLevel'],
  ]);
}

function noArguments(command: string, rest: readonly string[]): void {
  if (rest.length > 0) throw new UsageError(`${command}: unexpected argument ${JSON.stringify(rest[0])}`);
}

function doctorFlags(values: Values): DoctorFlags {
  const flags = strings<DoctorFlags>(values, clusterFlags(values), [
    ['from-file', 'fromFile'],
    ['from-watcher', 'fromWatcher'],
    ['state', 'state'],
    ['now', 'now'],
    ['output', 'output'],
    ['fail-on', 'failOn'],
    ['max-input', 'maxInput'],
    ['max-depth', 'maxDepth'],
    ['max-aliases', 'maxAliases'],
  ]);
  if (values['apply-grace']) flags.applyGrace = true;
  if (values['no-headers']) flags.noHeaders = true;
  if (Array.isArray(values.filter)) flags.filter = values.filter;
  return flags;
}

function versionCommand(values: Values, io: IO): number {
  const v = versionInfo(io.env);
  const output = str(values.output) ?? 'text';
  io.stdout(output === 'json' ? `${JSON.stringify(v, null, 2)}\n` : output === 'yaml' ? stringify(v) : versionText(v));
  return 0;
}

function helpCommand(rest: readonly string[], io: IO): number {
  if (rest.length > 1) throw new UsageError('help: at most one COMMAND');
  if (rest[0] === undefined) {
    io.stdout(globalHelp());
    return 0;
  }
  const cmd = commandSpec(rest[0]);
  if (!cmd) throw new UsageError(`help: no command ${JSON.stringify(rest[0])}${didYouMean(rest[0], COMMANDS.map((c) => c.name))}`);
  io.stdout(commandHelp(cmd));
  return 0;
}

export async function main(argv: readonly string[], io: IO = processIO()): Promise<number> {
  try {
    const line = parseCommandLine(argv);
    const { values, args: rest } = line;
    if (line.version && (line.command === undefined || line.command.name === 'version')) return versionCommand(values, io);
    if (line.command === undefined) {
      io.stdout(globalHelp());
      return values.help ? 0 : 2;
    }
    const command = line.command.name;
    if (values.help) {
      io.stdout(commandHelp(line.command));
      return 0;
    }
    switch (command) {
      case 'doctor':
        noArguments(command, rest);
        return await doctor(doctorFlags(values), io);
      case 'checks': {
        if (rest.length > 1) throw new UsageError('checks: at most one REASON');
        const a: Parameters<typeof checksCommand>[0] = {};
        if (rest[0] !== undefined) a.reason = rest[0];
        const output = str(values.output);
        if (output !== undefined) a.output = output;
        if (values['no-headers']) a.noHeaders = true;
        // With a config: its escalations (reasons.<R>.escalateAfter) are shown beside the catalog's.
        const config = str(values.config);
        if (config !== undefined) a.reasons = configFromFlags({ config }, io).checks.reasons;
        return checksCommand(a, io);
      }
      case 'watch': {
        noArguments(command, rest);
        const flags = strings<WatchFlags>(values, clusterFlags(values), [['listen', 'listen']]);
        requireKubeconfig(flags.kubeconfig);
        if (values.prometheus) flags.prometheus = true;
        // Loaded on demand: doctor and checks never load the OpenTelemetry SDK.
        const { watch } = await import('./watch.ts');
        return await watch(flags, io);
      }
      case 'demo': {
        noArguments(command, rest);
        const flags = strings<DemoFlags>(values, {}, [
          ['speed', 'speed'],
          ['listen', 'listen'],
          ['log-level', 'logLevel'],
        ]);
        if (values.prometheus) flags.prometheus = true;
        const { demo } = await import('./demo.ts');
        return await demo(flags, io);
      }
      case 'sim': {
        noArguments(command, rest);
        const flags = strings<SimFlags>(values, {}, [
          ['listen', 'listen'],
          ['write-kubeconfig', 'writeKubeconfig'],
        ]);
        const { sim } = await import('./sim.ts');
        return await sim(flags, io);
      }
      case 'rbac':
        return rbacCommand(rbacFlags(values, rest), io);
      case 'version':
        noArguments(command, rest);
        return versionCommand(values, io);
      case 'completion':
        return completionCommand(rest, io);
      default:
        return helpCommand(rest, io);
    }
  } catch (err) {
    const code = exitCodeForError(err);
    if (code !== undefined) {
      io.stderr(`sentinel-agent: ${(err as Error).message}\n`);
      if (err instanceof UsageError) io.stderr(`Run sentinel-agent ${commandOf(argv) ?? ''}${commandOf(argv) ? ' ' : ''}--help for usage.\n`);
      return code;
    }
    io.stderr(`sentinel-agent: internal error: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
    return 70;
  }
}
