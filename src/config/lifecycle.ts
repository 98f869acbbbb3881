// The config of living with incidents: `silences`, `maintenanceWindows`, `history`, `flapping` and
// `teams`. Every value validated; an error names the file and the key (ConfigError, exit 2).

import { isRecord } from '../util/json.ts';
import { DEFAULT_LEDGER_OPTIONS, type LedgerOptions } from '../engine/ledger.ts';
import { MATCHER_KEYS, RFC3339, type ConfigSilence, type MaintenanceWindow, type Matchers } from '../engine/silences.ts';
import { MAX_WINDOW_MS, parseCron, parseWeekly, RecurrenceError, validTimeZone, type Recurrence } from '../engine/recurrence.ts';
import { clean, MAX_ATTRIBUTE } from '../util/redact.ts';

export interface LifecycleConfig {
  silences: ConfigSilence[];
  windows: MaintenanceWindow[];
  ledger: LedgerOptions;
  /** Put the team on the incident gauges, at most this many distinct teams (the rest `other`). */
  teamsOnGauges?: { max: number };
}

export function defaultLifecycleConfig(): LifecycleConfig {
  return { silences: [], windows: [], ledger: { ...DEFAULT_LEDGER_OPTIONS, flapping: { ...DEFAULT_LEDGER_OPTIONS.flapping } } };
}

type Fail = (msg: string) => Error;
type Duration = (v: unknown, where: string) => number;

export const LIFECYCLE_KEYS = ['silences', 'maintenanceWindows', 'history', 'flapping', 'teams'] as const;

/** Applies the lifecycle keys of a config document (those present) onto `base`. */
export function lifecycleConfig(doc: Record<string, unknown>, base: LifecycleConfig, where: (k: string) => string, fail: Fail, duration: Duration): LifecycleConfig {
  const out: LifecycleConfig = { ...base, ledger: { ...base.ledger, flapping: { ...base.ledger.flapping } } };
  if (doc.silences !== undefined) {
    if (!Array.isArray(doc.silences)) throw fail(`${where('silences')}: expected a list of silences`);
    out.silences = doc.silences.map((s, i) => silence(s, where(`silences[${i}]`), fail));
  }
  if (doc.maintenanceWindows !== undefined) {
    if (!Array.isArray(doc.maintenanceWindows)) throw fail(`${where('maintenanceWindows')}: expected a list of windows`);
    out.windows = doc.maintenanceWindows.map((w, i) => maintenanceWindow(w, where(`maintenanceWindows[${i}]`), fail, duration));
    const names = new Set<string>();
    for (const w of out.windows) {
      if (names.has(w.name)) throw fail(`${where('maintenanceWindows')}: two windows are named ${JSON.stringify(w.name)}`);
      names.add(w.name);
    }
  }
  if (doc.history !== undefined) {
    const h = mapping(doc.history, where('history'), ['retention', 'maxResolved'], fail);
    if (h.retention !== undefined) out.ledger.historyRetentionMs = 1000 * duration(h.retention, where('history.retention'));
    if (h.maxResolved !== undefined) out.ledger.historyMax = count(h.maxResolved, where('history.maxResolved'), 0, 1_000_000, fail);
  }
  if (doc.flapping !== undefined) {
    const f = mapping(doc.flapping, where('flapping'), ['reopens', 'window', 'hold'], fail);
    if (f.reopens !== undefined) out.ledger.flapping.reopens = count(f.reopens, where('flapping.reopens'), 1, 1000, fail);
    if (f.window !== undefined) out.ledger.flapping.windowMs = 1000 * positive(duration(f.window, where('flapping.window')), where('flapping.window'), fail);
    if (f.hold !== undefined) out.ledger.flapping.holdMs = 1000 * duration(f.hold, where('flapping.hold'));
  }
  if (doc.teams !== undefined) {
    const t = mapping(doc.teams, where('teams'), ['onGauges', 'maxTeams'], fail);
    if (t.onGauges !== undefined && typeof t.onGauges !== 'boolean') throw fail(`${where('teams.onGauges')}: expected true or false, got ${JSON.stringify(t.onGauges)}`);
    const max = t.maxTeams !== undefined ? count(t.maxTeams, where('teams.maxTeams'), 1, 1000, fail) : (out.teamsOnGauges?.max ?? 20);
    if (t.onGauges === true || (t.onGauges === undefined && out.teamsOnGauges)) out.teamsOnGauges = { max };
    else delete out.teamsOnGauges;
  }
  return out;
}

function mapping(v: unknown, where: string, keys: readonly string[], fail: Fail): Record<string, unknown> {
  if (!isRecord(v)) throw fail(`${where}: expected a mapping`);
  for (const k of Object.keys(v)) if (!keys.includes(k)) throw fail(`${where}: unknown key "${k}" (known: ${keys.join(', ')})`);
  return v;
}

function count(v: unknown, where: string, lo: number, hi: number, fail: Fail): number {
  if (typeof v !== 'number' || !Number.isInteger(v) || v < lo || v > hi) throw fail(`${where}: expected a whole number from ${lo} to ${hi}, got ${JSON.stringify(v)}`);
  return v;
}

function positive(n: number, where: string, fail: Fail): number {
  if (n <= 0) throw fail(`${where}: must be greater than zero`);
  return n;
}

function text(v: unknown, where: string, fail: Fail): string {
  if (typeof v !== 'string' || v.trim() === '') throw fail(`${where}: expected a non-empty string, got ${JSON.stringify(v)}`);
  return clean(v.trim(), MAX_ATTRIBUTE);
}

function time(v: unknown, where: string, fail: Fail): number {
  // YAML reads an unquoted timestamp as a Date.
  if (v instanceof Date && Number.isFinite(v.getTime())) return v.getTime();
  if (typeof v === 'string' && RFC3339.test(v.trim()) && Number.isFinite(Date.parse(v))) return Date.parse(v);
  throw fail(`${where}: expected an RFC 3339 time such as 2026-12-24T18:00:00Z, got ${JSON.stringify(v)}`);
}

function matchers(v: unknown, where: string, fail: Fail): Matchers {
  const m = mapping(v, where, MATCHER_KEYS, fail);
  const out: Matchers = {};
  for (const k of MATCHER_KEYS) {
    const x = m[k];
    if (x === undefined) continue;
    const list = typeof x === 'string' ? [x] : Array.isArray(x) ? x : undefined;
    if (!list || list.length === 0 || list.some((p) => typeof p !== 'string' || p === '')) throw fail(`${where}.${k}: expected a pattern or a list of patterns (\`*\` matches anything), got ${JSON.stringify(x)}`);
    out[k] = list as string[];
  }
  if (Object.keys(out).length === 0) throw fail(`${where}: a silence must match something (one of: ${MATCHER_KEYS.join(', ')}); to silence everything say namespace: "*"`);
  return out;
}

function silence(v: unknown, where: string, fail: Fail): ConfigSilence {
  const s = mapping(v, where, ['match', 'startsAt', 'endsAt', 'author', 'comment'], fail);
  if (s.match === undefined) throw fail(`${where}: missing match (what it silences)`);
  const out: ConfigSilence = { match: matchers(s.match, `${where}.match`, fail) };
  if (s.startsAt !== undefined) out.startsAt = time(s.startsAt, `${where}.startsAt`, fail);
  if (s.endsAt !== undefined) out.endsAt = time(s.endsAt, `${where}.endsAt`, fail);
  if (out.startsAt !== undefined && out.endsAt !== undefined && out.endsAt <= out.startsAt) throw fail(`${where}: endsAt must be after startsAt`);
  if (s.author !== undefined) out.author = text(s.author, `${where}.author`, fail);
  if (s.comment !== undefined) out.comment = text(s.comment, `${where}.comment`, fail);
  return out;
}

function maintenanceWindow(v: unknown, where: string, fail: Fail, duration: Duration): MaintenanceWindow {
  const w = mapping(v, where, ['name', 'match', 'schedule', 'duration', 'days', 'start', 'end', 'timeZone', 'comment'], fail);
  const name = text(w.name, `${where}.name`, fail);
  const tz = w.timeZone === undefined ? 'UTC' : typeof w.timeZone === 'string' ? w.timeZone : '';
  if (!validTimeZone(tz)) throw fail(`${where}.timeZone: not an IANA time zone: ${JSON.stringify(w.timeZone)} (such as Europe/Berlin or America/New_York)`);
  let recurrence: Recurrence;
  try {
    if (w.schedule !== undefined) {
      if (w.days !== undefined || w.start !== undefined || w.end !== undefined) throw fail(`${where}: give either schedule and duration, or days, start and end`);
      if (typeof w.schedule !== 'string') throw fail(`${where}.schedule: expected a cron expression such as "0 2 * * Sat"`);
      if (w.duration === undefined) throw fail(`${where}: schedule needs a duration (such as 2h)`);
      const ms = 1000 * positive(duration(w.duration, `${where}.duration`), `${where}.duration`, fail);
      if (ms > MAX_WINDOW_MS) throw fail(`${where}.duration: at most 7d`);
      recurrence = parseCron(w.schedule, ms);
    } else {
      if (w.days === undefined || w.start === undefined || w.end === undefined) throw fail(`${where}: expected schedule and duration, or days, start and end`);
      const days = typeof w.days === 'string' ? w.days.split(',').map((d) => d.trim()) : Array.isArray(w.days) ? w.days.map(String) : [];
      if (days.length === 0) throw fail(`${where}.days: expected weekdays such as [Sat, Sun]`);
      recurrence = parseWeekly(days, String(w.start), String(w.end));
    }
  } catch (err) {
    if (err instanceof RecurrenceError) throw fail(`${where}${w.schedule !== undefined ? '.schedule' : ''}: ${err.message}`);
    throw err;
  }
  const out: MaintenanceWindow = { name, match: matchers(w.match ?? {}, `${where}.match`, fail), recurrence, timeZone: tz };
  if (w.comment !== undefined) out.comment = text(w.comment, `${where}.comment`, fail);
  return out;
}
