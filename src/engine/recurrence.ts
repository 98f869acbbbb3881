// Recurring maintenance windows in a time zone: cron-style starts with a duration, or weekday and
// wall-clock ranges. Pure: the instant comes in. Wall-clock times are read in the window's IANA time
// zone through Intl (Node's ICU), so daylight saving is the zone's own:
// - a start in the hour a spring-forward skips is taken with the offset before the jump (02:30 on a
//   night Europe/Berlin jumps from 02:00 to 03:00 starts at 03:30, as 02:30 CET);
// - a start in the hour a fall-back repeats is taken at its first occurrence (cron runs once);
// - a duration is elapsed time (2h is two hours whatever the clocks do); a range's end is wall-clock
//   (22:00–06:00 lasts 9 hours on the night the clocks go back).

export interface CronSchedule {
  kind: 'cron';
  minutes: ReadonlySet<number>;
  hours: ReadonlySet<number>;
  days: ReadonlySet<number>;
  months: ReadonlySet<number>;
  weekdays: ReadonlySet<number>;
  /** Whether day-of-month and day-of-week were both restricted (cron then matches either). */
  domAndDow: { dom: boolean; dow: boolean };
  durationMs: number;
}

export interface WeeklyRange {
  kind: 'weekly';
  weekdays: ReadonlySet<number>;
  /** Minutes after local midnight. */
  start: number;
  end: number;
}

export type Recurrence = CronSchedule | WeeklyRange;

export const MAX_WINDOW_MS = 7 * 86_400_000;
const DAY_NAMES = ['sun', 'mon', 'tue', 'wed', 'thu', 'fri', 'sat'];
const MONTH_NAMES = ['jan', 'feb', 'mar', 'apr', 'may', 'jun', 'jul', 'aug', 'sep', 'oct', 'nov', 'dec'];

export class RecurrenceError extends Error {}

/** Parses a 5-field cron expression (minute hour day-of-month month day-of-week): `*`, lists,
 *  ranges, steps, and month and weekday names (7 is Sunday too). */
export function parseCron(expr: string, durationMs: number): CronSchedule {
  const fields = expr.trim().split(/\s+/);
  if (fields.length !== 5) throw new RecurrenceError(`expected 5 fields (minute hour day-of-month month day-of-week), got ${fields.length} in ${JSON.stringify(expr)}`);
  const [mi, h, dom, mon, dow] = fields as [string, string, string, string, string];
  const weekdays = new Set([...cronField(dow, 0, 7, DAY_NAMES, 'day-of-week')].map((d) => d % 7));
  return {
    kind: 'cron',
    minutes: cronField(mi, 0, 59, undefined, 'minute'),
    hours: cronField(h, 0, 23, undefined, 'hour'),
    days: cronField(dom, 1, 31, undefined, 'day-of-month'),
    months: cronField(mon, 1, 12, MONTH_NAMES, 'month'),
    weekdays,
    domAndDow: { dom: dom !== '*', dow: dow !== '*' },
    durationMs,
  };
}

function cronField(f: string, lo: number, hi: number, names: readonly string[] | undefined, what: string): Set<number> {
  const out = new Set<number>();
  const value = (v: string): number => {
    const i = names?.indexOf(v.toLowerCase()) ?? -1;
    const n = i >= 0 ? i + (what === 'month' ? 1 : 0) : /^\d+$/.test(v) ? Number(v) : NaN;
    if (!(n >= lo && n <= hi)) throw new RecurrenceError(`${what}: ${JSON.stringify(v)} is not in ${lo}–${hi}${names ? ` or a name (${names.slice(0, 3).join(', ')}, …)` : ''}`);
    return n;
  };
  for (const part of f.split(',')) {
    const m = /^(\*|[^-/]+(?:-[^-/]+)?)(?:\/(\d+))?$/.exec(part);
    if (!m) throw new RecurrenceError(`${what}: cannot read ${JSON.stringify(part)}`);
    const step = m[2] !== undefined ? Number(m[2]) : 1;
    if (step < 1) throw new RecurrenceError(`${what}: a step must be at least 1 in ${JSON.stringify(part)}`);
    const range = m[1] as string;
    const [a, b] = range === '*' ? [lo, hi] : range.includes('-') ? (range.split('-').map(value) as [number, number]) : [value(range), m[2] !== undefined ? hi : value(range)];
    if (a > b) throw new RecurrenceError(`${what}: ${JSON.stringify(part)} runs backwards`);
    for (let v = a; v <= b; v += step) out.add(v);
  }
  return out;
}

/** Parses weekdays (names or 0–6) and `HH:MM` start and end (an end at or before the start is the
 *  next day). */
export function parseWeekly(days: readonly string[], start: string, end: string): WeeklyRange {
  const weekdays = new Set<number>();
  for (const d of days) {
    const i = DAY_NAMES.indexOf(d.slice(0, 3).toLowerCase());
    const n = i >= 0 && DAY_NAMES[i] === d.toLowerCase().slice(0, 3) && /^[a-z]+$/i.test(d) ? i : /^[0-7]$/.test(d) ? Number(d) % 7 : -1;
    if (n < 0) throw new RecurrenceError(`days: ${JSON.stringify(d)} is not a weekday (Mon … Sun, or 0–6 from Sunday)`);
    weekdays.add(n);
  }
  return { kind: 'weekly', weekdays, start: clock(start, 'start'), end: clock(end, 'end') };
}

function clock(v: string, what: string): number {
  const m = /^([01]?\d|2[0-3]):([0-5]\d)$/.exec(v.trim());
  if (!m) throw new RecurrenceError(`${what}: expected a time of day HH:MM, got ${JSON.stringify(v)}`);
  return Number(m[1]) * 60 + Number(m[2]);
}

/** Whether the zone is one Intl knows. */
export function validTimeZone(tz: string): boolean {
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: tz });
    return true;
  } catch {
    return false;
  }
}

/** The occurrence of the window that covers `t`, if any: [start, end) in epoch ms. */
export function occurrenceAt(r: Recurrence, tz: string, t: number): { start: number; end: number } | undefined {
  const span = r.kind === 'cron' ? r.durationMs : 2 * 86_400_000;
  // Local dates from the earliest a covering occurrence could start on, to today.
  let best: { start: number; end: number } | undefined;
  const first = localDate(t - span - 86_400_000, tz);
  const last = localDate(t, tz);
  for (let day = first; day <= last; day += 86_400_000) {
    const d = new Date(day);
    const [y, mo, dd, wd] = [d.getUTCFullYear(), d.getUTCMonth() + 1, d.getUTCDate(), d.getUTCDay()];
    for (const o of occurrencesOn(r, tz, y, mo, dd, wd)) if (o.start <= t && t < o.end && (!best || o.start > best.start)) best = o;
  }
  return best;
}

function occurrencesOn(r: Recurrence, tz: string, y: number, mo: number, d: number, wd: number): { start: number; end: number }[] {
  if (r.kind === 'weekly') {
    if (!r.weekdays.has(wd)) return [];
    const start = instantOf(tz, y, mo, d, r.start);
    const end = instantOf(tz, y, mo, d + (r.end <= r.start ? 1 : 0), r.end);
    return [{ start, end }];
  }
  if (!r.months.has(mo)) return [];
  const { dom, dow } = r.domAndDow;
  const dayOk = dom && dow ? r.days.has(d) || r.weekdays.has(wd) : r.days.has(d) && r.weekdays.has(wd);
  if (!dayOk) return [];
  const out: { start: number; end: number }[] = [];
  for (const h of r.hours) {
    for (const m of r.minutes) {
      const start = instantOf(tz, y, mo, d, h * 60 + m);
      out.push({ start, end: start + r.durationMs });
    }
  }
  return out;
}

const formatters = new Map<string, Intl.DateTimeFormat>();

function formatter(tz: string): Intl.DateTimeFormat {
  let f = formatters.get(tz);
  if (!f) {
    f = new Intl.DateTimeFormat('en-US', { timeZone: tz, hourCycle: 'h23', year: 'numeric', month: 'numeric', day: 'numeric', hour: 'numeric', minute: 'numeric', second: 'numeric' });
    formatters.set(tz, f);
  }
  return f;
}

/** The zone's wall clock at an instant, as if it were UTC (ms). */
function wallClock(tz: string, t: number): number {
  const p: Record<string, number> = {};
  for (const part of formatter(tz).formatToParts(new Date(t))) if (part.type !== 'literal') p[part.type] = Number(part.value);
  return Date.UTC(p.year as number, (p.month as number) - 1, p.day as number, p.hour as number, p.minute as number, p.second as number);
}

/** The local date (midnight, as UTC ms) at an instant. */
function localDate(t: number, tz: string): number {
  const w = wallClock(tz, t);
  return w - (((w % 86_400_000) + 86_400_000) % 86_400_000);
}

/** The instant of a wall-clock time in the zone (see the file's header for gaps and overlaps). */
export function instantOf(tz: string, y: number, mo: number, d: number, minutes: number): number {
  const wall = Date.UTC(y, mo - 1, d, 0, minutes);
  const offBefore = wallClock(tz, wall - 43_200_000) - (wall - 43_200_000);
  const offAfter = wallClock(tz, wall + 43_200_000) - (wall + 43_200_000);
  const candidates = [wall - offBefore, wall - offAfter].filter((c) => wallClock(tz, c) === wall);
  if (candidates.length > 0) return Math.min(...candidates);
  // In a gap: read with the offset before the jump.
  return wall - offBefore;
}
