// The command line → a command and its flag values, with kubectl's habits (-o=json, --output=json,
// -n repeatable, -A) and one clean line for every mistake, naming the flag and what was near it.

import { parseArgs } from 'node:util';
import { COMMANDS, FLAGS, commandSpec, didYouMean, flagSpec, flagValues, type CommandSpec } from './spec.ts';
import { UsageError } from './io.ts';

export type Values = Record<string, string | string[] | boolean | undefined>;

export interface CommandLine {
  /** Undefined: no command given (the global help, or --version). */
  command?: CommandSpec;
  values: Values;
  args: string[];
  /** --version anywhere on the line. */
  version: boolean;
}

type Options = Record<string, { type: 'string' | 'boolean'; short?: string; multiple?: boolean }>;

function optionsOf(names: readonly string[]): Options {
  const out: Options = { version: { type: 'boolean' } };
  for (const n of names) {
    const f = flagSpec(n);
    out[n] = { type: f.type, ...(f.short ? { short: f.short } : {}), ...(f.multiple ? { multiple: true } : {}) };
  }
  return out;
}

/** `-o=json` is kubectl's spelling of `-o json`; Node's parser would read the value as "=json". */
function normalize(argv: readonly string[]): string[] {
  const out: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i] as string;
    if (a === '--') {
      out.push(...argv.slice(i));
      break;
    }
    const m = /^-([a-zA-Z])=(.*)$/s.exec(a);
    if (m) out.push(`-${m[1] as string}`, m[2] as string);
    else out.push(a);
  }
  return out;
}

const display = (f: string): string => `--${f}`;

function unknownFlag(cmd: CommandSpec, raw: string): UsageError {
  const typed = raw.replace(/^-+/, '');
  const long = FLAGS.find((f) => f.name === typed || f.short === typed);
  const owners = long ? COMMANDS.filter((c) => c.flags.includes(long.name)).map((c) => c.name) : [];
  const hint = long && owners.length > 0 ? ` (${raw} is a flag of ${owners.join(', ')})` : didYouMean(typed, cmd.flags, display);
  return new UsageError(`${cmd.name}: unknown flag ${raw}${hint}`);
}

/** Node's messages for a missing or unwanted value, said once and plainly. */
function parserError(cmd: CommandSpec, err: Error & { code?: string }): UsageError {
  const m = /Option '(?:-(\w), )?--([\w-]+)/.exec(err.message);
  const flag = m ? `--${m[2] as string}` : 'a flag';
  if (/does not take an argument/.test(err.message)) return new UsageError(`${cmd.name}: ${flag} takes no value`);
  if (/argument (missing|is ambiguous)/.test(err.message)) {
    const f = m ? FLAGS.find((x) => x.name === m[2]) : undefined;
    const values = f ? flagValues(cmd, f) : undefined;
    return new UsageError(`${cmd.name}: ${flag} needs a value${f?.arg ? ` (${values ? values.join(', ') : f.arg})` : ''}`);
  }
  return new UsageError(`${cmd.name}: ${err.message.split('. ')[0] ?? err.message}`);
}

function checkValues(cmd: CommandSpec, values: Values): void {
  for (const [name, v] of Object.entries(values)) {
    if (name === 'version' || typeof v !== 'string') continue;
    const allowed = flagValues(cmd, flagSpec(name));
    if (allowed && !allowed.includes(v)) {
      const list = allowed.length > 1 ? `${allowed.slice(0, -1).join(', ')} or ${allowed.at(-1) as string}` : (allowed[0] as string);
      throw new UsageError(`--${name}: expected ${list}, got ${JSON.stringify(v)}${didYouMean(v, allowed)}`);
    }
  }
  if (values['all-namespaces'] && Array.isArray(values.namespace) && values.namespace.length > 0) {
    throw new UsageError(`${cmd.name}: -A (every namespace) and -n ${values.namespace.join(' -n ')} cannot be used together`);
  }
}

export function parseCommandLine(argv: readonly string[]): CommandLine {
  const args = normalize(argv);
  // A first pass knowing every flag: where the command is, and which flags were typed.
  const loose = parseArgs({ args, options: optionsOf(FLAGS.map((f) => f.name)), strict: false, allowPositionals: true, tokens: true });
  const [name] = loose.positionals;
  const version = loose.values.version === true;
  if (name === undefined) {
    const bad = loose.tokens.find((t) => t.kind === 'option' && t.name !== 'help' && t.name !== 'version');
    if (bad && bad.kind === 'option') throw new UsageError(`${bad.rawName} needs a command first: sentinel-agent COMMAND ${bad.rawName} …`);
    return { values: { help: loose.values.help === true }, args: [], version };
  }
  const command = commandSpec(name);
  if (!command) {
    throw new UsageError(`unknown command ${JSON.stringify(name)}${didYouMean(name, COMMANDS.map((c) => c.name))}; the commands: ${COMMANDS.map((c) => c.name).join(', ')}`);
  }
  for (const t of loose.tokens) {
    if (t.kind === 'option' && t.name !== 'version' && !command.flags.includes(t.name)) throw unknownFlag(command, t.rawName);
  }
  let strict;
  try {
    strict = parseArgs({ args, options: optionsOf(command.flags), strict: true, allowPositionals: true });
  } catch (err) {
    throw parserError(command, err as Error);
  }
  const values = { ...strict.values } as Values;
  if (Array.isArray(values.filter)) values.filter = values.filter.flatMap((v) => v.split(',')).map((v) => v.trim()).filter((v) => v !== '');
  checkValues(command, values);
  return { command, values, args: strict.positionals.slice(1), version };
}
