// Every command and flag of the CLI, in one table: the parser, the help of each command, the
// "did you mean" of a mistyped flag and the shell completion scripts are all read from it, so a flag
// added here is parsed, documented and completed at once.

export interface FlagSpec {
  name: string;
  short?: string;
  type: 'string' | 'boolean';
  /** May be given more than once (and, for --filter, as a comma-separated list). */
  multiple?: boolean;
  /** The value's placeholder in the help. */
  arg?: string;
  /** The values it takes, for the help and completion (a command may narrow them: CommandSpec.values). */
  values?: readonly string[];
  /** Its value is a file name (completion offers files). */
  file?: boolean;
  help: string;
}

export interface CommandSpec {
  name: string;
  summary: string;
  /** Positional arguments, as the usage line shows them. */
  args?: string;
  /** Values it takes as its positional argument, for completion (checks' reasons and help's
   *  commands are added by completion.ts, which knows the catalog and the table). */
  argValues?: readonly string[];
  flags: readonly string[];
  /** Narrower values of a flag for this command (output formats). */
  values?: Readonly<Record<string, readonly string[]>>;
  /** More lines under the flags. */
  more?: string;
}

export const FLAGS: readonly FlagSpec[] = [
  { name: 'from-file', type: 'string', arg: 'PATH|-', file: true, help: 'a saved dump: JSON or YAML, a List, an array or a stream of documents (- reads stdin)' },
  { name: 'from-watcher', type: 'string', arg: 'URL', help: "a running agent's /incidents (e.g. http://localhost:8080)" },
  { name: 'state', type: 'string', arg: 'STATE', values: ['open', 'resolved', 'all'], help: 'with --from-watcher: open incidents (default), resolved ones in its history, or all' },
  { name: 'now', type: 'string', arg: 'RFC3339', help: 'evaluate as of this time (default: the clock)' },
  { name: 'output', short: 'o', type: 'string', arg: 'FORMAT', values: ['text', 'json', 'yaml', 'wide'], help: 'how to print' },
  { name: 'fail-on', type: 'string', arg: 'SEVERITY', values: ['critical', 'warning', 'info', 'none'], help: 'exit 1 when an incident is at or above it (default warning)' },
  { name: 'filter', type: 'string', multiple: true, arg: 'NAME[,NAME]', help: 'only these reasons or checks (repeatable; list them with: sentinel-agent checks)' },
  { name: 'no-headers', type: 'boolean', help: 'a table without its header line' },
  { name: 'namespace', short: 'n', type: 'string', multiple: true, arg: 'NS', help: 'read only this namespace (repeatable)' },
  { name: 'all-namespaces', short: 'A', type: 'boolean', help: 'every namespace (the default; not with -n)' },
  { name: 'exclude-namespace', type: 'string', multiple: true, arg: 'NS', help: 'skip this namespace (repeatable)' },
  { name: 'config', type: 'string', arg: 'FILE', file: true, help: 'YAML configuration (see README)' },
  { name: 'kubeconfig', type: 'string', arg: 'FILE', file: true, help: 'kubeconfig to use (default: KUBECONFIG, ~/.kube/config, in-cluster)' },
  { name: 'context', type: 'string', arg: 'NAME', help: 'kubeconfig context' },
  { name: 'cluster-name', type: 'string', arg: 'NAME', help: 'name used in incident ids and reports (default "default")' },
  { name: 'log-level', type: 'string', arg: 'LEVEL', values: ['error', 'warn', 'info', 'debug'], help: 'what to log on stderr (default info)' },
  { name: 'apply-grace', type: 'boolean', help: 'drop findings younger than their grace, as watch does' },
  { name: 'max-input', type: 'string', arg: 'SIZE', help: 'read at most this much input (default 512Mi)' },
  { name: 'max-depth', type: 'string', arg: 'N', help: 'nest JSON/YAML at most this deep (default 64)' },
  { name: 'max-aliases', type: 'string', arg: 'N', help: 'YAML aliases at most (default 100)' },
  { name: 'listen', type: 'string', arg: 'HOST:PORT', help: 'where to serve /healthz /readyz /incidents' },
  { name: 'prometheus', type: 'boolean', help: 'also serve the metrics in Prometheus text on GET /metrics' },
  { name: 'write-kubeconfig', type: 'string', arg: 'PATH', file: true, help: "where to write the simulated cluster's kubeconfig (default: a new file under the temporary directory)" },
  { name: 'speed', type: 'string', arg: 'N', help: 'play the story N times faster (0.5 to 20, default 1)' },
  { name: 'help', short: 'h', type: 'boolean', help: "this command's help" },
];

const CLUSTER = ['namespace', 'all-namespaces', 'exclude-namespace', 'config', 'kubeconfig', 'context', 'cluster-name', 'log-level'];

export const COMMANDS: readonly CommandSpec[] = [
  {
    name: 'doctor',
    summary: 'evaluate the checks once, print the incidents and exit with a code',
    flags: ['from-file', 'from-watcher', 'state', 'output', 'no-headers', 'fail-on', 'filter', 'now', ...CLUSTER, 'apply-grace', 'max-input', 'max-depth', 'max-aliases', 'help'],
    more: [
      'Reads the cluster of the current kubeconfig context unless --from-file or --from-watcher says otherwise.',
      '-o wide prints one incident a line with its age, MCPServer and root cause.',
      '',
      'Exit codes: 0 nothing at or above --fail-on, 1 incidents at or above it, 2 usage or input error,',
      '3 cluster or agent unreachable.',
    ].join('\n'),
  },
  {
    name: 'watch',
    summary: 'the continuous listener: incidents as OpenTelemetry metrics and logs (until SIGTERM/SIGINT)',
    flags: [...CLUSTER, 'listen', 'prometheus', 'help'],
    more: '--listen defaults to 0.0.0.0:8080. OTLP goes where OTEL_EXPORTER_OTLP_ENDPOINT says (see README).',
  },
  {
    name: 'checks',
    summary: 'the catalog of reasons, or one reason explained',
    args: '[REASON]',
    flags: ['output', 'no-headers', 'config', 'log-level', 'help'],
    values: { output: ['text', 'json', 'yaml'] },
  },
  {
    name: 'demo',
    summary: 'a simulated MCP Runtime cluster and a scripted story (no cluster needed)',
    flags: ['speed', 'listen', 'prometheus', 'log-level', 'help'],
    more: '--listen defaults to 127.0.0.1:8080 (another free port when that one is taken).',
  },
  {
    name: 'sim',
    summary: 'the simulated MCP Runtime cluster alone, with a kubeconfig: point watch, doctor and kubectl at it (until Ctrl-C)',
    flags: ['listen', 'write-kubeconfig', 'help'],
    more: "--listen is the simulated API server's address (default 127.0.0.1 on a free port).",
  },
  {
    name: 'rbac',
    summary: "the read-only ClusterRole and binding the config's customResources need (| kubectl apply -f -)",
    flags: ['config', 'namespace', 'log-level', 'help'],
    more: "-n is the agent's namespace (default sentinel-agent).",
  },
  {
    name: 'version',
    summary: 'the version, the Node.js runtime and the commit it was built from',
    flags: ['output', 'help'],
    values: { output: ['text', 'json', 'yaml'] },
  },
  {
    name: 'completion',
    summary: 'a shell completion script (source <(sentinel-agent completion bash))',
    args: 'bash|zsh|fish',
    argValues: ['bash', 'zsh', 'fish'],
    flags: ['help'],
  },
  { name: 'help', summary: 'the help of a command', args: '[COMMAND]', flags: ['help'] },
];

export function commandSpec(name: string): CommandSpec | undefined {
  return COMMANDS.find((c) => c.name === name);
}

export function flagSpec(name: string): FlagSpec {
  const f = FLAGS.find((x) => x.name === name);
  if (!f) throw new Error(`no flag --${name}`);
  return f;
}

/** The values a flag takes for a command. */
export function flagValues(cmd: CommandSpec, flag: FlagSpec): readonly string[] | undefined {
  return cmd.values?.[flag.name] ?? flag.values;
}

function flagUsage(cmd: CommandSpec, f: FlagSpec): string {
  const names = `${f.short ? `-${f.short}, ` : '    '}--${f.name}${f.arg ? ` ${f.arg}` : ''}`;
  const values = f.type === 'string' ? flagValues(cmd, f) : undefined;
  return [names, `${f.help}${values ? `: ${values.join('|')}` : ''}`].join('\u0000');
}

function columns(rows: string[]): string[] {
  const pairs = rows.map((r) => r.split('\u0000') as [string, string]);
  const w = Math.max(...pairs.map((p) => p[0].length));
  return pairs.map(([a, b]) => `  ${a.padEnd(w)}  ${b}`);
}

export function commandHelp(cmd: CommandSpec): string {
  const lines = [
    `sentinel-agent ${cmd.name}: ${cmd.summary}`,
    '',
    'Usage:',
    `  sentinel-agent ${cmd.name}${cmd.args ? ` ${cmd.args}` : ''}${cmd.flags.length > 1 ? ' [flags]' : ''}`,
    '',
    'Flags:',
    ...columns(cmd.flags.map((n) => flagUsage(cmd, flagSpec(n)))),
  ];
  if (cmd.more) lines.push('', cmd.more);
  return `${lines.join('\n')}\n`;
}

export function globalHelp(): string {
  const lines = [
    'sentinel-agent: health listener for MCP Runtime clusters',
    '',
    'Usage:',
    '  sentinel-agent COMMAND [flags]',
    '',
    'Commands:',
    ...columns(COMMANDS.map((c) => `${c.name}${c.args ? ` ${c.args}` : ''}\u0000${c.summary}`)),
    '',
    'Run `sentinel-agent help COMMAND` or `sentinel-agent COMMAND --help` for its flags.',
    '`sentinel-agent --version` prints the version.',
  ];
  return `${lines.join('\n')}\n`;
}

/** Edit distance (insert, delete, substitute, swap two neighbours), for "did you mean". */
export function distance(a: string, b: string): number {
  const d: number[][] = Array.from({ length: a.length + 1 }, (_, i) => Array.from({ length: b.length + 1 }, (_, j) => (i === 0 ? j : j === 0 ? i : 0)));
  for (let i = 1; i <= a.length; i++) {
    for (let j = 1; j <= b.length; j++) {
      const row = d[i] as number[];
      const up = d[i - 1] as number[];
      row[j] = Math.min((up[j] as number) + 1, (row[j - 1] as number) + 1, (up[j - 1] as number) + (a[i - 1] === b[j - 1] ? 0 : 1));
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) row[j] = Math.min(row[j] as number, ((d[i - 2] as number[])[j - 2] as number) + 1);
    }
  }
  return (d[a.length] as number[])[b.length] as number;
}

/** The candidates nearest to what was typed: within a third of its length, or that it begins. */
export function nearest(typed: string, candidates: readonly string[]): string[] {
  const t = typed.toLowerCase();
  const scored = candidates.map((c) => ({ c, d: distance(t, c.toLowerCase()) }));
  const best = Math.min(...scored.map((s) => s.d));
  const close = scored.filter((s) => s.d === best && s.d <= Math.max(1, Math.floor(t.length / 3))).map((s) => s.c);
  if (close.length > 0) return close;
  // The start of a longer name, typed with a slip.
  const budget = Math.max(1, Math.floor(t.length / 4));
  return t.length >= 3 ? candidates.filter((c) => distance(t, c.toLowerCase().slice(0, t.length)) <= budget) : [];
}

export function didYouMean(typed: string, candidates: readonly string[], show: (c: string) => string = (c) => c): string {
  const near = nearest(typed, candidates);
  return near.length > 0 ? ` (did you mean ${near.map(show).join(' or ')}?)` : '';
}
