// sentinel-agent completion bash|zsh|fish: completion scripts generated from the command table
// (spec.ts), with the reasons and checks of the catalog as the values of --filter and `checks`.

import { CATALOG } from '../checks/catalog.ts';
import { CHECKS } from '../checks/registry.ts';
import { COMMANDS, flagSpec, flagValues, type CommandSpec, type FlagSpec } from './spec.ts';
import { UsageError, type IO } from './io.ts';

export const SHELLS = ['bash', 'zsh', 'fish'] as const;
type Shell = (typeof SHELLS)[number];

const REASONS = [...CATALOG.keys()];
const FILTERS = [...REASONS, ...CHECKS.map((c) => c.id)];

/** The words a flag's value is completed from; 'file' for a file name; undefined for free text. */
function valueWords(cmd: CommandSpec, f: FlagSpec): readonly string[] | 'file' | undefined {
  if (f.file) return 'file';
  if (f.name === 'filter') return FILTERS;
  return flagValues(cmd, f);
}

function argWords(cmd: CommandSpec): readonly string[] {
  if (cmd.name === 'checks') return REASONS;
  if (cmd.name === 'help') return COMMANDS.map((c) => c.name);
  return cmd.argValues ?? [];
}

const flagsOf = (cmd: CommandSpec): FlagSpec[] => cmd.flags.map(flagSpec);
const names = (f: FlagSpec): string[] => [...(f.short ? [`-${f.short}`] : []), `--${f.name}`];

function bash(): string {
  const valueCases: string[] = [];
  const flagCases: string[] = [];
  for (const cmd of COMMANDS) {
    for (const f of flagsOf(cmd).filter((x) => x.type === 'string')) {
      const w = valueWords(cmd, f);
      const reply = w === 'file' ? 'compgen -f -- "$cur"' : w ? `compgen -W "${w.join(' ')}" -- "$cur"` : '';
      valueCases.push(`    ${names(f).map((n) => `${cmd.name}:${n}`).join('|')}) ${reply ? `COMPREPLY=( $(${reply}) )` : 'COMPREPLY=()'}; return ;;`);
    }
    flagCases.push(`    ${cmd.name}) flags="${flagsOf(cmd).flatMap(names).join(' ')}"; args="${argWords(cmd).join(' ')}" ;;`);
  }
  return `# bash completion for sentinel-agent: source <(sentinel-agent completion bash)
_sentinel_agent() {
  local cur prev cmd flags args
  cur="\${COMP_WORDS[COMP_CWORD]}"
  prev="\${COMP_WORDS[COMP_CWORD-1]}"
  if [[ $COMP_CWORD -eq 1 ]]; then
    COMPREPLY=( $(compgen -W "${COMMANDS.map((c) => c.name).join(' ')} --help --version" -- "$cur") )
    return
  fi
  cmd="\${COMP_WORDS[1]}"
  case "$cmd:$prev" in
${valueCases.join('\n')}
  esac
  case "$cmd" in
${flagCases.join('\n')}
    *) return ;;
  esac
  if [[ "$cur" == -* ]]; then
    COMPREPLY=( $(compgen -W "$flags" -- "$cur") )
  else
    COMPREPLY=( $(compgen -W "$args" -- "$cur") )
  fi
}
complete -o default -F _sentinel_agent sentinel-agent
`;
}

/** An explanation inside a zsh spec's brackets (or after a _describe name), itself in single quotes. */
function zq(s: string): string {
  return s.replace(/[[\]]/g, '').replace(/'/g, "'\\''");
}

/** A message or value between a spec's colons: its own colons escaped. */
const zmsg = (s: string): string => zq(s).replace(/:/g, '\\:');

function zshSpec(cmd: CommandSpec, f: FlagSpec): string {
  const w = valueWords(cmd, f);
  const value = f.type === 'boolean' ? '' : `:${zmsg(f.arg ?? 'value')}:${w === 'file' ? '_files' : w ? `(${w.join(' ')})` : ' '}`;
  const desc = `[${zq(f.help)}]${value}`;
  const many = f.multiple ? '*' : '';
  if (!f.short) return `'${many}--${f.name}${f.type === 'string' ? '=' : ''}${desc}'`;
  const excl = f.multiple ? '' : `(-${f.short} --${f.name})`;
  const forms = f.type === 'string' ? `{-${f.short}+,--${f.name}=}` : `{-${f.short},--${f.name}}`;
  return `'${excl}${many}'${forms}'${desc}'`;
}

function zsh(): string {
  const cases = COMMANDS.map((cmd) => {
    const args = argWords(cmd);
    const specs = flagsOf(cmd).map((f) => zshSpec(cmd, f));
    if (cmd.args) specs.push(`'1:${zmsg(cmd.args)}:${args.length > 0 ? `(${args.join(' ')})` : ' '}'`);
    return `    ${cmd.name})\n      _arguments -s \\\n        ${specs.join(' \\\n        ')}\n      ;;`;
  });
  return `#compdef sentinel-agent
# zsh completion for sentinel-agent: source <(sentinel-agent completion zsh) after compinit
_sentinel_agent() {
  local -a commands
  commands=(
${COMMANDS.map((c) => `    '${c.name}:${zq(c.summary)}'`).join('\n')}
  )
  if (( CURRENT == 2 )); then
    _describe -t commands 'sentinel-agent command' commands
    return
  fi
  local cmd=$words[2]
  shift words
  (( CURRENT-- ))
  case $cmd in
${cases.join('\n')}
  esac
}
compdef _sentinel_agent sentinel-agent
`;
}

const fq = (s: string): string => `'${s.replace(/\\/g, '\\\\').replace(/'/g, "\\'")}'`;

function fish(): string {
  const lines = ['# fish completion for sentinel-agent: sentinel-agent completion fish | source', 'complete -c sentinel-agent -f'];
  for (const cmd of COMMANDS) lines.push(`complete -c sentinel-agent -n __fish_use_subcommand -a ${cmd.name} -d ${fq(cmd.summary)}`);
  for (const cmd of COMMANDS) {
    const when = `-n ${fq(`__fish_seen_subcommand_from ${cmd.name}`)}`;
    for (const f of flagsOf(cmd)) {
      const w = valueWords(cmd, f);
      const value = f.type === 'boolean' ? '' : w === 'file' ? ' -r -F' : w ? ` -x -a ${fq(w.join(' '))}` : ' -x';
      lines.push(`complete -c sentinel-agent ${when}${f.short ? ` -s ${f.short}` : ''} -l ${f.name}${value} -d ${fq(f.help)}`);
    }
    const args = argWords(cmd);
    if (args.length > 0) lines.push(`complete -c sentinel-agent ${when} -a ${fq(args.join(' '))}`);
  }
  return `${lines.join('\n')}\n`;
}

export function completionScript(shell: Shell): string {
  return { bash, zsh, fish }[shell]();
}

export function completionCommand(args: readonly string[], io: IO): number {
  const [shell, ...more] = args;
  if (shell === undefined || more.length > 0 || !(SHELLS as readonly string[]).includes(shell)) {
    throw new UsageError(`completion: expected one shell, bash, zsh or fish${shell === undefined ? '' : `, got ${JSON.stringify(args.join(' '))}`}`);
  }
  io.stdout(completionScript(shell as Shell));
  return 0;
}
