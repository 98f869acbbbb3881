// The incident lifecycle with injected time: grace, hold, flapping, severity and root-cause change,
// deletion, re-announcement.

import { describe, expect, it } from 'vitest';
import { IncidentTracker, type Transition } from '../src/engine/tracker.ts';
import type { Candidate, Incident } from '../src/engine/incidents.ts';
import type { Severity } from '../src/checks/severity.ts';
import type { ReasonId } from '../src/checks/reasons.ts';

const S = 1000;

function cand(id: string, o: { reason?: ReasonId; severity?: Severity; since?: number; graceMs?: number; layer?: number; scope?: string[]; kind?: string; message?: string } = {}): Candidate {
  const kind = o.kind ?? 'Pod';
  const incident: Incident = {
    id,
    check: 'c',
    reason: o.reason ?? 'CrashLoopBackOff',
    severity: o.severity ?? 'critical',
    object: { apiVersion: 'v1', kind, namespace: 'ns', name: id },
    message: o.message ?? `message of ${id}`,
    remediation: 'r',
    attributes: {},
  };
  const c: Candidate = { incident, graceMs: o.graceMs ?? 0, urgent: false, layer: o.layer ?? 2, scope: o.scope ?? [`${kind}/ns/${id}`], key: `${kind}/ns/${id}` };
  if (o.since !== undefined) c.sinceMs = o.since;
  return c;
}

const types = (ts: Transition[]): string[] => ts.map((t) => `${t.type} ${t.incident.id}${t.changed ? ` (${t.changed.join(',')})` : ''}`);
const always = (): boolean => true;

describe('IncidentTracker', () => {
  it('opens after the grace, counted from the object timestamp', () => {
    const t = new IncidentTracker({ holdMs: 60 * S });
    const c = cand('a', { graceMs: 120 * S, since: 0 });
    expect(types(t.update([c], 60 * S, always))).toEqual([]);
    expect(t.open()).toEqual([]);
    expect(types(t.update([c], 119 * S, always))).toEqual([]);
    expect(types(t.update([c], 120 * S, always))).toEqual(['opened a']);
    expect(t.open().map((i) => i.since)).toEqual(['1970-01-01T00:00:00Z']);
  });

  it('without a timestamp, the grace counts from first sight; a finding gone within its grace never opens', () => {
    const t = new IncidentTracker({ holdMs: 60 * S });
    const c = cand('a', { graceMs: 30 * S });
    expect(types(t.update([c], 1000 * S, always))).toEqual([]);
    expect(types(t.update([], 1010 * S, always))).toEqual([]);
    expect(types(t.update([c], 1020 * S, always))).toEqual([]);
    expect(types(t.update([c], 1050 * S, always))).toEqual(['opened a']);
  });

  it('resolves only after the hold period, and flapping within it yields one incident', () => {
    const t = new IncidentTracker({ holdMs: 60 * S });
    const c = cand('a');
    expect(types(t.update([c], 0, always))).toEqual(['opened a']);
    const log: string[] = [];
    for (let i = 1; i <= 10; i++) log.push(...types(t.update(i % 2 ? [] : [c], i * 10 * S, always)));
    expect(log).toEqual([]);
    expect(types(t.update([], 110 * S, always))).toEqual([]);
    expect(types(t.update([], 170 * S, always))).toEqual(['resolved a']);
    expect(t.open()).toEqual([]);
  });

  it('a deleted object resolves at once, with the duration', () => {
    const t = new IncidentTracker({ holdMs: 600 * S });
    t.update([cand('a')], 0, always);
    const r = t.update([], 42 * S, () => false);
    expect(types(r)).toEqual(['resolved a']);
    expect(r[0]?.durationS).toBe(42);
  });

  it('updates on a severity change, silently on a message change', () => {
    const t = new IncidentTracker({ holdMs: 60 * S });
    t.update([cand('d', { reason: 'DeploymentUnavailable', severity: 'warning' })], 0, always);
    expect(types(t.update([cand('d', { reason: 'DeploymentUnavailable', severity: 'warning', message: 'other words' })], 10 * S, always))).toEqual([]);
    expect(t.open()[0]?.message).toBe('other words');
    expect(types(t.update([cand('d', { reason: 'DeploymentUnavailable', severity: 'critical' })], 20 * S, always))).toEqual(['updated d (severity)']);
    expect(types(t.update([cand('d', { reason: 'DeploymentUnavailable', severity: 'critical' })], 30 * S, always))).toEqual([]);
  });

  it('updates when a root cause appears and when it goes away', () => {
    const t = new IncidentTracker({ holdMs: 60 * S });
    const dep = (): Candidate => cand('dep', { kind: 'Deployment', reason: 'DeploymentUnavailable', severity: 'warning', layer: 3 });
    const pod = cand('pod', { scope: ['Pod/ns/pod', 'Deployment/ns/dep'] });
    expect(types(t.update([dep()], 0, always))).toEqual(['opened dep']);
    expect(types(t.update([dep(), pod], 10 * S, always))).toEqual(['opened pod', 'updated dep (rootCause)']);
    expect(t.open().find((i) => i.id === 'dep')?.rootCauseId).toBe('pod');
    // The pod's finding goes away: while it is held, it still explains; once resolved, dep updates.
    expect(types(t.update([dep()], 20 * S, always))).toEqual([]);
    expect(types(t.update([dep()], 80 * S, always))).toEqual(['resolved pod', 'updated dep (rootCause)']);
  });

  it('announces every open incident again on demand (start, recovery)', () => {
    const t = new IncidentTracker({ holdMs: 60 * S });
    t.update([cand('a'), cand('b', { severity: 'warning' })], 0, always);
    expect(types(t.announceAll(5 * S))).toEqual(['opened a', 'opened b']);
  });
  it('fed the change alone (updateDelta), it emits what a whole feed emits: holds, graces, root causes across objects', () => {
    const whole = new IncidentTracker({ holdMs: 60 * S });
    const delta = new IncidentTracker({ holdMs: 60 * S });
    // Each tracker gets candidates of its own: root causes are written into them.
    const pull = (id: string): Candidate => {
      const c = cand(id, { reason: 'RegistryPullFailed', layer: 1, graceMs: 30 * S, scope: [`Pod/ns/${id}`, 'Deployment/ns/d'] });
      c.incident.attributes['registry.failure'] = 'connection_refused';
      return c;
    };
    const objects = (): Record<'registry' | 'dep' | 'p1' | 'p2', Candidate> => ({
      registry: cand('registry', { reason: 'RegistryUnavailable', layer: 0, kind: 'Service' }),
      dep: cand('d', { reason: 'DeploymentUnavailable', kind: 'Deployment', layer: 3 }),
      p1: pull('p1'),
      p2: pull('p2'),
    });
    const w = objects();
    const d = objects();
    type Name = keyof typeof w;
    // Steps: what is current, what appeared and what went since the step before.
    const steps: { at: number; current: Name[]; added: Name[]; removed: Name[] }[] = [
      { at: 10 * S, current: ['dep', 'p1', 'p2'], added: ['p2'], removed: [] },
      { at: 30 * S, current: ['dep', 'p1', 'p2'], added: [], removed: [] }, // p1's grace ends: it opens and explains d
      { at: 40 * S, current: ['dep', 'p1', 'p2', 'registry'], added: ['registry'], removed: [] }, // the registry explains both pulls, and so d
      { at: 45 * S, current: ['dep', 'p2', 'registry'], added: [], removed: ['p1'] }, // p1 held
      { at: 105 * S, current: ['dep', 'p2', 'registry'], added: [], removed: [] }, // p1's hold ends
      { at: 110 * S, current: ['dep', 'p2'], added: [], removed: ['registry'] },
      { at: 170 * S, current: ['dep', 'p2'], added: [], removed: [] },
    ];
    const view = (ts: Transition[]): string[] => ts.map((t) => `${t.type} ${t.incident.id} root=${t.incident.rootCauseId ?? '-'} explains=${t.incident.attributes.explains ?? 0}`);
    expect(view(delta.update([d.dep, d.p1], 0, always))).toEqual(view(whole.update([w.dep, w.p1], 0, always)));
    const log: string[] = [];
    for (const s of steps) {
      const a = delta.updateDelta(s.added.map((n) => d[n]), s.removed.map((n) => d[n]), s.at, always);
      if (!a) throw new Error(`no delta at ${s.at}`);
      const got = view(a);
      expect(got, `at ${s.at / S} s`).toEqual(view(whole.update(s.current.map((n) => w[n]), s.at, always)));
      log.push(...got.map((g) => `${s.at / S}s ${g}`));
      expect(delta.open().map((i) => `${i.id} ${i.rootCauseId ?? '-'}`)).toEqual(whole.open().map((i) => `${i.id} ${i.rootCauseId ?? '-'}`));
      expect(delta.nextDeadline()).toEqual(whole.nextDeadline());
    }
    expect(log).toContain('40s opened registry root=- explains=3');
    expect(log).toContain('105s resolved p1 root=registry explains=0');
    // Two findings with one identity: only a whole feed decides which one wins.
    expect(delta.updateDelta([cand('d', { reason: 'DeploymentUnavailable', kind: 'Deployment', layer: 3, severity: 'warning' })], [], 180 * S, always)).toBeUndefined();
    expect(log).toContain('30s opened p1 root=- explains=1');
    expect(delta.open().map((i) => i.id)).toEqual(whole.open().map((i) => i.id));
  });
});
