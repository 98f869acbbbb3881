// What a command may touch of the outside world, injected so tests run the real code path.

import { readBounded } from '../collector/file.ts';

export interface IO {
  stdout(s: string): void;
  stderr(s: string): void;
  /** Standard input, whole; more than maxBytes throws InputTooLarge. */
  stdin(maxBytes: number): string;
  stdoutIsTTY: boolean;
  /** The terminal's width, when standard output is one. */
  columns?: number;
  env: Readonly<Record<string, string | undefined>>;
  now(): number;
  /** Ends the process (a long-running command, once it has shut down cleanly). */
  exit?(code: number): void;
}

export function processIO(): IO {
  return {
    stdout: (s) => process.stdout.write(s),
    stderr: (s) => process.stderr.write(s),
    stdin: (max) => readBounded(0, max),
    stdoutIsTTY: process.stdout.isTTY === true,
    ...(process.stdout.isTTY && process.stdout.columns ? { columns: process.stdout.columns } : {}),
    env: process.env,
    now: () => Date.now(),
    exit: (code) => process.exit(code),
  };
}

export class UsageError extends Error {
  override name = 'UsageError';
}

import type { LogLevel } from '../util/log.ts';

const LEVELS: readonly LogLevel[] = ['error', 'warn', 'info', 'debug'];

export function parseLogLevel(v: string | undefined): LogLevel {
  if (v === undefined) return 'info';
  if ((LEVELS as readonly string[]).includes(v)) return v as LogLevel;
  throw new UsageError(`--log-level: expected one of ${LEVELS.join(', ')}, got ${JSON.stringify(v)}`);
}

export function enabled(level: LogLevel, at: LogLevel): boolean {
  return LEVELS.indexOf(at) <= LEVELS.indexOf(level);
}
