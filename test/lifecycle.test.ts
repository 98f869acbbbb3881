// Living with incidents, through the watcher's own path (the pipeline's passes, the ledger between
// them and the sinks, time injected): silences from the config, from maintenance windows across
// daylight-saving changes and from annotations; flapping; escalation by age; the history's bounds.

import { describe, expect, it } from 'vitest';
import { Pipeline } from '../src/engine/pipeline.ts';
import { KIND_NAMES } from '../src/kube/kinds.ts';
import { normalize } from '../src/kube/read/normalize.ts';
import { Sharing } from '../src/kube/read/sharing.ts';
import { CHECKS } from '../src/checks/registry.ts';
import { defaultCheckConfig, type CheckConfig } from '../src/checks/config.ts';
import { IncidentLedger, DEFAULT_LEDGER_OPTIONS, type LedgerOptions } from '../src/engine/ledger.ts';
import { SilenceJudge, type SilenceRules } from '../src/engine/silences.ts';
import { occurrenceAt, parseCron, parseWeekly } from '../src/engine/recurrence.ts';
import type { Transition } from '../src/engine/tracker.ts';
import { logAttributes } from '../src/delivery/otel/names.ts';
import { defaultAgentConfig, applyConfigDocument, ConfigError } from '../src/config/config.ts';
import { T0, pod, running, terminated, waiting, type Raw } from './support/objects.ts';
import { cli } from './support/cli.ts';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const MIN = 60_000;
const crashing = (name = 'web-1', ns = 'apps'): Raw => pod(name, { ns, ready: false, containers: [{ name: 'web', ready: false, restarts: 5, state: waiting('CrashLoopBackOff'), lastState: terminated('Error', 1, -1) }] });
const healthy = (name = 'web-1', ns = 'apps'): Raw => pod(name, { ns, containers: [{ name: 'web', state: running(-60) }] });
const notReady = (name = 'slow-1'): Raw => pod(name, { ns: 'apps', ready: false, readySince: -30, containers: [{ name: 'slow', ready: false, state: running(-40) }] });

/** The agent's pass, without I/O: the pipeline's transitions through the ledger. */
function world(o: { rules?: Partial<SilenceRules>; ledger?: Partial<LedgerOptions>; config?: Partial<CheckConfig>; holdMs?: number } = {}) {
  const share = new Sharing();
  const late: { ledger?: IncidentLedger } = {};
  const p = new Pipeline({ checks: CHECKS, clusterName: 'c', config: { ...defaultCheckConfig(), ...o.config }, inScope: () => true, holdMs: o.holdMs ?? MIN, holdOf: (id) => late.ledger?.holdOf(id) });
  for (const k of KIND_NAMES) p.store.setSource(k, { status: 'synced', coverage: 'cluster' });
  const judge = new SilenceJudge({ silences: [], windows: [], ...o.rules }, p.store, () => undefined);
  const l = (late.ledger = new IncidentLedger({ ...DEFAULT_LEDGER_OPTIONS, ...o.ledger }, judge));
  return {
    ledger: l,
    set(...raws: Raw[]) {
      for (const r of raws) p.upsert(normalize(r, share).obj as never);
    },
    pass(now: number): Transition[] {
      return l.record(p.pass(now).transitions, now);
    },
    review: (now: number) => l.review(now),
    open: () => p.tracker.open().map((i) => l.shown(i)),
  };
}

const summary = (ts: readonly Transition[]): string[] => ts.map((t) => `${t.type} ${t.incident.reason}${t.notify === false ? ' quiet' : ''}${t.announce ? ' announce' : ''}${t.incident.silence ? ` silenced(${t.incident.silence.source})` : ''}${t.incident.flapping ? ' flapping' : ''}`);

describe('silences from the config', () => {
  it('a matching silence keeps the incident tracked but quiet; its end announces what is still open; the resolution then notifies', () => {
    const w = world({ rules: { silences: [{ match: { namespace: ['app*'], reason: ['CrashLoopBackOff'] }, endsAt: T0 + 10 * MIN, author: 'ana', comment: 'known, fix on Monday' }] } });
    w.set(crashing());
    const opened = w.pass(T0);
    expect(summary(opened)).toEqual(['opened CrashLoopBackOff quiet silenced(config)']);
    expect(opened[0]?.incident.silence).toEqual({ source: 'config', reason: 'known, fix on Monday', author: 'ana', until: '2026-11-24T10:10:00Z' });
    // The OTLP record says so, for Sentinel to grey it.
    expect(logAttributes(opened[0] as Transition)).toMatchObject({ 'incident.silenced': true, 'incident.silence.source': 'config', 'incident.silence.reason': 'known, fix on Monday' });
    expect(w.review(T0 + 5 * MIN)).toEqual([]);
    // The silence ends: the still-open incident is announced, once, as new to the notifying sinks.
    expect(summary(w.review(T0 + 10 * MIN))).toEqual(['opened CrashLoopBackOff announce']);
    expect(w.review(T0 + 11 * MIN)).toEqual([]);
    w.set(healthy());
    w.pass(T0 + 12 * MIN);
    expect(summary(w.pass(T0 + 14 * MIN))).toEqual(['resolved CrashLoopBackOff']);
  });

  it('a silence that starts later quiets an open incident from then (an update, not notified); what never notified resolves quietly', () => {
    const w = world({ rules: { silences: [{ match: { kind: ['Pod'] }, startsAt: T0 + 5 * MIN }] } });
    w.set(crashing(), crashing('db-1', 'data'));
    expect(summary(w.pass(T0))).toEqual(['opened CrashLoopBackOff', 'opened CrashLoopBackOff']);
    expect(summary(w.review(T0 + 5 * MIN))).toEqual(['updated CrashLoopBackOff quiet silenced(config)', 'updated CrashLoopBackOff quiet silenced(config)']);
    w.set(healthy());
    w.pass(T0 + 6 * MIN);
    // It notified when it opened, so its resolution notifies too (Sentinel must not keep it open).
    expect(summary(w.pass(T0 + 8 * MIN))).toEqual(['resolved CrashLoopBackOff silenced(config)']);
  });

  it('matchers: every key given must match, `*` anywhere in a pattern', () => {
    const w = world({ rules: { silences: [{ match: { name: ['web-*'], severity: ['critical'] } }, { match: { namespace: ['data'], reason: ['OOMKilled'] } }] } });
    w.set(crashing('web-1'), crashing('api-1'), crashing('db-1', 'data'));
    expect(w.pass(T0).map((t) => `${t.incident.object.name}:${t.incident.silence ? 'silenced' : 'open'}`).sort()).toEqual(['api-1:open', 'db-1:open', 'web-1:silenced']);
  });
});

describe('silences from annotations', () => {
  it('on the object, its namespace: an RFC 3339 end, or a duration from when the agent first saw it; an unreadable one is warned about and ignored', () => {
    const warnings: string[] = [];
    const share = new Sharing();
    const p = new Pipeline({ checks: CHECKS, clusterName: 'c', config: defaultCheckConfig(), inScope: () => true, holdMs: MIN });
    for (const k of KIND_NAMES) p.store.setSource(k, { status: 'synced', coverage: 'cluster' });
    const judge = new SilenceJudge({ silences: [], windows: [] }, p.store, (m, f) => warnings.push(`${m} ${JSON.stringify(f)}`));
    const ledger = new IncidentLedger(DEFAULT_LEDGER_OPTIONS, judge);
    const ns = (name: string, ann: Record<string, string>): Raw => ({ apiVersion: 'v1', kind: 'Namespace', metadata: { name, annotations: ann } });
    const withAnn = (r: Raw, ann: Record<string, string>): Raw => ({ ...r, metadata: { ...(r.metadata as object), annotations: ann } });
    for (const r of [
      ns('team-a', { 'health.mcpruntime.org/silence-until': '30m', 'health.mcpruntime.org/silence-reason': 'migration' }),
      ns('team-b', { 'health.mcpruntime.org/silence-until': 'next tuesday' }),
      crashing('a-1', 'team-a'),
      crashing('b-1', 'team-b'),
      withAnn(crashing('c-1', 'team-c'), { 'health.mcpruntime.org/silence-until': '2026-11-24T11:00:00Z' }),
    ])
      p.upsert(normalize(r, share).obj as never);
    const ts = ledger.record(p.pass(T0).transitions, T0);
    const by = Object.fromEntries(ts.map((t) => [t.incident.object.name, t.incident.silence]));
    expect(by['a-1']).toEqual({ source: 'annotation', by: 'Namespace/team-a', reason: 'migration', until: '2026-11-24T10:30:00Z' });
    expect(by['b-1']).toBeUndefined();
    expect(by['c-1']).toEqual({ source: 'annotation', by: 'Pod/team-c/c-1', until: '2026-11-24T11:00:00Z' });
    expect(warnings).toEqual(['silence annotation ignored: health.mcpruntime.org/silence-until is neither an RFC 3339 time nor a duration such as 2h {"object":"Namespace/team-b","value":"next tuesday"}']);
    // 30 minutes after the agent first saw it, team-a's silence ends; c-1's at 11:00.
    expect(summary(ledger.review(T0 + 30 * MIN)).length).toBe(1);
    expect(summary(ledger.review(T0 + 60 * MIN))).toEqual(['opened CrashLoopBackOff announce']);
  });
});

describe('maintenance windows in a time zone, across daylight-saving changes (injected clock)', () => {
  const at = (iso: string): number => Date.parse(iso);
  const span = (r: ReturnType<typeof occurrenceAt>): string[] | undefined => r && [new Date(r.start).toISOString(), new Date(r.end).toISOString()];

  it('Europe/Berlin, spring forward (2026-03-29 02:00 → 03:00): a 02:30 start is read before the jump; a 22:00–06:00 night lasts 7 hours', () => {
    const cron = parseCron('30 2 * * *', 60 * MIN);
    expect(span(occurrenceAt(cron, 'Europe/Berlin', at('2026-03-29T02:00:00Z')))).toEqual(['2026-03-29T01:30:00.000Z', '2026-03-29T02:30:00.000Z']);
    expect(span(occurrenceAt(cron, 'Europe/Berlin', at('2026-03-30T00:45:00Z')))).toEqual(['2026-03-30T00:30:00.000Z', '2026-03-30T01:30:00.000Z']);
    const night = parseWeekly(['Sat'], '22:00', '06:00');
    expect(span(occurrenceAt(night, 'Europe/Berlin', at('2026-03-29T03:59:00Z')))).toEqual(['2026-03-28T21:00:00.000Z', '2026-03-29T04:00:00.000Z']);
    expect(occurrenceAt(night, 'Europe/Berlin', at('2026-03-29T04:00:00Z'))).toBeUndefined();
  });

  it('Europe/Berlin, fall back (2026-10-25 03:00 → 02:00): a 02:30 start runs once, at its first occurrence; the night lasts 9 hours', () => {
    const cron = parseCron('30 2 * * Sun', 60 * MIN);
    expect(span(occurrenceAt(cron, 'Europe/Berlin', at('2026-10-25T00:40:00Z')))).toEqual(['2026-10-25T00:30:00.000Z', '2026-10-25T01:30:00.000Z']);
    expect(occurrenceAt(cron, 'Europe/Berlin', at('2026-10-25T01:40:00Z'))).toBeUndefined();
    const night = parseWeekly(['Sat'], '22:00', '06:00');
    expect(span(occurrenceAt(night, 'Europe/Berlin', at('2026-10-25T04:30:00Z')))).toEqual(['2026-10-24T20:00:00.000Z', '2026-10-25T05:00:00.000Z']);
  });

  it('America/New_York (2026-03-08 and 2026-11-01): the window follows the wall clock, its duration the clock on the wall', () => {
    const cron = parseCron('0 1 * * 0', 2 * 60 * MIN);
    expect(span(occurrenceAt(cron, 'America/New_York', at('2026-03-08T07:30:00Z')))).toEqual(['2026-03-08T06:00:00.000Z', '2026-03-08T08:00:00.000Z']);
    expect(span(occurrenceAt(cron, 'America/New_York', at('2026-11-01T06:30:00Z')))).toEqual(['2026-11-01T05:00:00.000Z', '2026-11-01T07:00:00.000Z']);
  });

  it('any instant of a year: covered exactly when its local weekday and time are in the range (property, every 37 minutes through 2026)', () => {
    const r = parseWeekly(['Fri', 'Sat'], '23:15', '01:45');
    const local = new Intl.DateTimeFormat('en-US', { timeZone: 'Europe/Berlin', weekday: 'short', hour: 'numeric', minute: 'numeric', hourCycle: 'h23' });
    for (let t = at('2026-01-01T00:00:00Z'); t < at('2027-01-01T00:00:00Z'); t += 37 * MIN) {
      const p = Object.fromEntries(local.formatToParts(new Date(t)).map((x) => [x.type, x.value]));
      const m = Number(p.hour) * 60 + Number(p.minute);
      const want = ((p.weekday === 'Fri' || p.weekday === 'Sat') && m >= 23 * 60 + 15) || ((p.weekday === 'Sat' || p.weekday === 'Sun') && m < 60 + 45);
      expect(occurrenceAt(r, 'Europe/Berlin', t) !== undefined, new Date(t).toISOString()).toBe(want);
    }
  });

  it('a window silences what matches while it is open, and at its end what is still open is announced', () => {
    const w = world({ rules: { windows: [{ name: 'patching', match: { namespace: ['apps'] }, recurrence: parseWeekly(['Tue'], '10:00', '11:00'), timeZone: 'Europe/Berlin', comment: 'node patching' }] } });
    w.set(crashing());
    // T0 is Tuesday 2026-11-24 10:00 UTC = 11:00 Berlin: the window has just ended; an hour before it was open.
    const ts = w.pass(T0 - 30 * MIN);
    expect(ts[0]?.incident.silence).toEqual({ source: 'window', by: 'patching', reason: 'node patching', until: '2026-11-24T10:00:00Z' });
    expect(summary(w.review(T0))).toEqual(['opened CrashLoopBackOff announce']);
  });
});

describe('flapping, escalation and history', () => {
  it('an incident that reopens 3 times within the window is flapping, and its hold stretches so it stays one incident', () => {
    const w = world({ holdMs: MIN, ledger: { flapping: { reopens: 3, windowMs: 60 * MIN, holdMs: 15 * MIN } } });
    let t = T0;
    for (let i = 0; i < 4; i++) {
      w.set(crashing());
      const o = w.pass(t);
      expect(summary(o)).toEqual([`opened CrashLoopBackOff${i === 3 ? ' flapping' : ''}`]);
      w.set(healthy());
      w.pass((t += MIN));
      // Resolved after the one-minute hold, until it flaps.
      const r = w.pass((t += MIN + 1));
      if (i < 3) expect(summary(r)).toEqual(['resolved CrashLoopBackOff']);
      else expect(r).toEqual([]);
      t += MIN;
    }
    expect(w.open().map((i) => `${i.reason} ${i.flapping}`)).toEqual(['CrashLoopBackOff true']);
    // Still held 10 minutes on; resolved at 15.
    expect(w.pass(t + 10 * MIN)).toEqual([]);
    expect(summary(w.pass(t + 14 * MIN))).toEqual(['resolved CrashLoopBackOff flapping']);
  });

  it('escalateAfter: a warning open that long becomes critical, an update that says so; critical reasons stay as they are', () => {
    const w = world({ config: { reasons: { PodNotReady: { escalateAfterSeconds: 3600 } } } });
    w.set(notReady());
    expect(w.pass(T0).map((t) => `${t.type} ${t.incident.severity}`)).toEqual(['opened warning']);
    // Since 30 minutes before T0: an hour of age is T0 + 30 minutes, reached with no event at all.
    expect(w.pass(T0 + 29 * MIN)).toEqual([]);
    const up = w.pass(T0 + 30 * MIN);
    expect(up.map((t) => `${t.type} ${t.incident.severity} ${t.changed?.join()}`)).toEqual(['updated critical severity']);
    expect(up[0]?.incident.attributes.escalated_from).toBe('warning');
    expect(w.pass(T0 + 40 * MIN)).toEqual([]);
  });

  it('history: resolved incidents kept newest first with their timeline, at most maxResolved and no older than the retention', () => {
    const w = world({ holdMs: 0, ledger: { historyMax: 3, historyRetentionMs: 60 * MIN } });
    for (let i = 0; i < 5; i++) {
      w.set(crashing(`p-${i}`));
      w.pass(T0 + i * MIN);
      w.set(healthy(`p-${i}`));
      w.pass(T0 + i * MIN + 30_000);
    }
    const h = w.ledger.resolved(T0 + 5 * MIN);
    expect(h.map((i) => i.object.name)).toEqual(['p-4', 'p-3', 'p-2']);
    expect(h[0]).toMatchObject({ resolvedAt: '2026-11-24T10:04:30Z', durationSeconds: 30 });
    expect(h[0]?.timeline?.map((e) => `${e.type} ${e.at}`)).toEqual(['opened 2026-11-24T10:04:00Z', 'resolved 2026-11-24T10:04:30Z']);
    expect(w.ledger.resolved(T0 + 63 * MIN).map((i) => i.object.name)).toEqual(['p-4', 'p-3']);
    expect(w.ledger.resolved(T0 + 70 * MIN)).toEqual([]);
  });
});

describe('the config of living with incidents', () => {
  const apply = (doc: unknown): unknown => applyConfigDocument(doc, defaultAgentConfig(), 'f.yaml');
  it.each([
    [{ silences: [{ match: {} }] }, 'f.yaml: silences[0].match: a silence must match something'],
    [{ silences: [{ match: { team: 'x' }, endsAt: 'tomorrow' }] }, 'f.yaml: silences[0].endsAt: expected an RFC 3339 time'],
    [{ silences: [{ match: { colour: 'red' } }] }, 'f.yaml: silences[0].match: unknown key "colour"'],
    [{ maintenanceWindows: [{ name: 'w', schedule: '0 2 * *', duration: '1h' }] }, 'f.yaml: maintenanceWindows[0].schedule: expected 5 fields'],
    [{ maintenanceWindows: [{ name: 'w', schedule: '0 25 * * *', duration: '1h' }] }, 'hour: "25" is not in 0–23'],
    [{ maintenanceWindows: [{ name: 'w', days: ['Funday'], start: '22:00', end: '06:00' }] }, 'f.yaml: maintenanceWindows[0]: days: "Funday" is not a weekday'],
    [{ maintenanceWindows: [{ name: 'w', days: ['Sat'], start: '22:00', end: '06:00', timeZone: 'Mars/Olympus' }] }, 'f.yaml: maintenanceWindows[0].timeZone: not an IANA time zone'],
    [{ flapping: { reopens: 0 } }, 'f.yaml: flapping.reopens: expected a whole number from 1'],
    [{ history: { maxResolved: -1 } }, 'f.yaml: history.maxResolved'],
    [{ reasons: { PodNotReady: { escalateAfter: 'soon' } } }, 'f.yaml: reasons.PodNotReady.escalateAfter'],
  ])('%j is refused, naming the key', (doc, want) => {
    expect(() => apply(doc)).toThrow(ConfigError);
    expect(() => apply(doc)).toThrow(want);
  });
});

describe('the catalog and doctor with the config of living with incidents', () => {
  const file = (text: string): string => {
    const f = join(mkdtempSync(join(tmpdir(), 'sa-lc-')), 'config.yaml');
    writeFileSync(f, text);
    return f;
  };
  it('checks shows an escalation the config sets, in the table, the explanation and the JSON', async () => {
    const cfg = file('reasons:\n  PodNotReady:\n    escalateAfter: 2h\n');
    const table = (await cli(['checks', '--config', cfg])).stdout;
    expect(table.split('\n')[0]).toMatch(/GRACE +ESCALATES +CHECK/);
    expect(table).toMatch(/^PodNotReady .* critical after 2h /m);
    expect((await cli(['checks', 'PodNotReady', '--config', cfg])).stdout).toContain('escalates:    a warning open 2h becomes critical (config reasons.PodNotReady.escalateAfter)');
    const json = JSON.parse((await cli(['checks', 'PodNotReady', '--config', cfg, '-o', 'json'])).stdout) as { escalateAfterSeconds?: number };
    expect(json.escalateAfterSeconds).toBe(7200);
    expect((await cli(['checks'])).stdout.split('\n')[0]).not.toContain('ESCALATES');
  });

  it('doctor: a silenced incident is listed apart, counted apart and does not fail the gate; a bad silence is exit 2 naming it', async () => {
    const dump = JSON.stringify({ kind: 'List', apiVersion: 'v1', items: [crashing('web-1', 'apps'), crashing('db-1', 'data')] });
    const cfg = file('silences:\n  - match: {namespace: apps}\n    author: ana\n    comment: known\n');
    const r = await cli(['doctor', '--from-file', '-', '--config', cfg, '--now', '2026-11-24T10:00:00Z'], { stdin: dump });
    expect(r.code).toBe(1);
    expect(r.stdout).toMatch(/^Silenced \(1\): tracked, not notified, not counted$/m);
    expect(r.stdout).toContain('config silence by ana · known');
    const j = JSON.parse((await cli(['doctor', '--from-file', '-', '--config', cfg, '-o', 'json', '--now', '2026-11-24T10:00:00Z'], { stdin: dump })).stdout) as { summary: Record<string, number>; incidents: { object: { name: string }; silence?: { source: string } }[] };
    expect(j.summary).toEqual({ critical: 1, warning: 0, info: 0, silenced: 1 });
    expect(j.incidents.find((i) => i.object.name === 'web-1')?.silence?.source).toBe('config');
    const all = file('silences:\n  - match: {namespace: "*"}\n');
    expect((await cli(['doctor', '--from-file', '-', '--config', all, '--now', '2026-11-24T10:00:00Z'], { stdin: dump })).code).toBe(0);
    const bad = await cli(['doctor', '--from-file', '-', '--config', file('silences:\n  - match: {namespace: apps}\n    endsAt: later\n')], { stdin: dump });
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain('silences[0].endsAt: expected an RFC 3339 time');
  });
});
