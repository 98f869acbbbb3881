// Structured JSON-lines logging for the long-running agent. One line per event; string fields are
// sanitized (no terminal escapes, no forged lines) and capped.

import { clean } from './redact.ts';

export type LogLevel = 'error' | 'warn' | 'info' | 'debug';

const ORDER: Record<LogLevel, number> = { error: 0, warn: 1, info: 2, debug: 3 };

export type Logger = (level: LogLevel, msg: string, fields?: Record<string, unknown>) => void;

export function jsonLogger(level: LogLevel, write: (line: string) => void, now: () => number = Date.now): Logger {
  return (at, msg, fields) => {
    if (ORDER[at] > ORDER[level]) return;
    const rec: Record<string, unknown> = { time: new Date(now()).toISOString(), level: at, msg: clean(msg, 512) };
    if (fields) {
      for (const [k, v] of Object.entries(fields)) {
        if (v === undefined) continue;
        rec[k] = typeof v === 'string' ? clean(v, 1024) : v;
      }
    }
    write(`${JSON.stringify(rec)}\n`);
  };
}

export const silentLogger: Logger = () => {};

/** A warning at most once per `everyMs`; the ones held back are counted into the next. */
export function throttledWarn(log: Logger, everyMs: number, now: () => number = Date.now): (msg: string, fields: Record<string, unknown>) => void {
  let last = -Infinity;
  let suppressed = 0;
  return (msg, fields) => {
    const t = now();
    if (t - last < everyMs) {
      suppressed++;
      return;
    }
    log('warn', msg, { ...fields, ...(suppressed ? { suppressedSinceLast: suppressed } : {}) });
    suppressed = 0;
    last = t;
  };
}
