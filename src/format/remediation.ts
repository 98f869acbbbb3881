// A remediation as steps: prose apart, and each command on its own so it can be pasted as it is.
// A remediation is one string (the contract's field): sentences and clauses end at "; " or ". ",
// and a clause holds prose, then at most one command that runs to its end. Quotes are respected:
// a jsonpath's '{.status.message}' or a grep's "error" never splits anything.

export interface Step {
  /** Prose before the command ("Read why it exits:"), or the whole clause when it has no command. */
  prose?: string;
  command?: string;
}

/** The programs a remediation may ask to run. */
const PROGRAMS = /^(kubectl|cmctl|sentinel-agent|helm|curl|openssl|crane|systemctl|journalctl|crictl)$/;

/** A quote opens a quoted part where a shell word would start (after a space, `=` or `(`), not
 *  between two letters, where it is prose's apostrophe (the operator's log). */
function opensQuote(text: string, i: number): boolean {
  const c = text[i];
  return (c === "'" || c === '"') && (i === 0 || /[\s=(:,|]/.test(text[i - 1] as string));
}

/** Splits at "; " and ". " outside quotes. */
function clauses(text: string): string[] {
  const out: string[] = [];
  let quote: string | undefined;
  let start = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text[i] as string;
    if (quote) {
      if (c === quote) quote = undefined;
      else if (c === '\\' && quote === '"') i++;
      continue;
    }
    if (opensQuote(text, i)) quote = c;
    else if (c === '\\') i++;
    else if ((c === ';' || c === '.') && text[i + 1] === ' ' && !(c === '.' && /\be\.g$|\bi\.e$/.test(text.slice(start, i)))) {
      out.push(text.slice(start, c === '.' ? i + 1 : i));
      start = i + 2;
    }
  }
  out.push(text.slice(start));
  return out.map((s) => s.trim()).filter((s) => s !== '');
}

/** Where the command of a clause starts: a program's name as a word, outside quotes. */
function commandStart(clause: string): number | undefined {
  let quote: string | undefined;
  for (let i = 0; i < clause.length; i++) {
    const c = clause[i] as string;
    if (quote) {
      if (c === quote) quote = undefined;
      continue;
    }
    if (opensQuote(clause, i)) quote = c;
    else if ((i === 0 || clause[i - 1] === ' ') && PROGRAMS.test(/^[\w-]+/.exec(clause.slice(i))?.[0] ?? '') && (clause[i + (/^[\w-]+/.exec(clause.slice(i))?.[0].length ?? 0)] ?? ' ') === ' ') return i;
  }
  return undefined;
}

export function remediationSteps(text: string): Step[] {
  return clauses(text).map((clause) => {
    const at = commandStart(clause);
    if (at === undefined) return { prose: clause };
    const prose = clause.slice(0, at).trim();
    // A sentence's full stop is not the command's.
    return { ...(prose ? { prose } : {}), command: clause.slice(at).trim().replace(/\.$/, '') };
  });
}

/** Words that are prose, never a command's argument: one of them in a command means prose was
 *  written after the command, and pasting it would run the words. */
const PROSE_WORDS = new Set(['the', 'then', 'and', 'if', 'or', 'exists', 'check', 'verify', 'is', 'its', 'it', 'with', 'when', 'to']);

/** What keeps a remediation from pasting as it is: a command inside prose (not on its own), prose
 *  after a command. Empty when every command can be pasted as it stands. */
export function stepProblems(text: string): string[] {
  const out: string[] = [];
  for (const st of remediationSteps(text)) {
    if (st.prose !== undefined && /(^|[\s(])(kubectl|cmctl|helm|systemctl|journalctl|crictl) /.test(st.prose)) out.push(`a command inside prose: ${JSON.stringify(st.prose)}`);
    if (st.command === undefined) continue;
    const words: string[] = [];
    let quote: string | undefined;
    let word = '';
    for (let i = 0; i < st.command.length; i++) {
      const c = st.command[i] as string;
      if (quote) {
        if (c === quote) quote = undefined;
        word += c;
      } else if (opensQuote(st.command, i)) {
        quote = c;
        word += c;
      } else if (c === ' ') {
        words.push(word);
        word = '';
      } else word += c;
    }
    words.push(word);
    const prose = words.filter((w) => PROSE_WORDS.has(w.toLowerCase().replace(/[,:.]$/, '')));
    if (prose.length > 0) out.push(`prose in a command (${prose.join(', ')}): ${JSON.stringify(st.command)}`);
    if (quote) out.push(`an unclosed quote: ${JSON.stringify(st.command)}`);
  }
  return out;
}

export interface StepLayout {
  /** What the first line starts with ("→ fix:"), and how many columns it takes on screen. */
  head: string;
  headColumns: number;
  /** The head on a line of its own, prose under it (the catalog), instead of prose after it. */
  headAlone?: boolean;
  /** Indents of prose lines and of command lines. */
  prose: string;
  command: string;
  /** Prose is wrapped to it; commands never are. */
  width?: number;
}

/** A remediation as lines: prose (wrapped, the first after the head) and each command whole on a
 *  line of its own, so that it pastes as it is. The one layout of the report, the demo and the catalog. */
export function remediationLines(text: string, o: StepLayout): string[] {
  const width = o.width ?? Infinity;
  const out: string[] = o.headAlone ? [o.head] : [];
  for (const st of remediationSteps(text)) {
    if (st.prose !== undefined) {
      const first = out.length === 0;
      const [line = '', ...rest] = wrap(st.prose, Math.max(20, width - o.prose.length), Math.max(20, width - (first ? o.headColumns + 1 : o.prose.length)));
      out.push(first ? `${o.head} ${line}` : `${o.prose}${line}`, ...rest.map((l) => `${o.prose}${l}`));
    } else if (out.length === 0) out.push(o.head);
    if (st.command !== undefined) out.push(`${o.command}${st.command}`);
  }
  return out.length > 0 ? out : [o.head];
}

/** Words at most `width` wide a line, never broken inside a word; the first line may be shorter. */
export function wrap(text: string, width: number, firstWidth = width): string[] {
  const lines: string[] = [];
  let line = '';
  for (const word of text.split(/\s+/).filter((w) => w !== '')) {
    const max = lines.length === 0 ? firstWidth : width;
    if (line !== '' && line.length + 1 + word.length > max) {
      lines.push(line);
      line = word;
    } else line = line === '' ? word : `${line} ${word}`;
  }
  if (line !== '' || lines.length === 0) lines.push(line);
  return lines;
}
