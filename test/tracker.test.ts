// The incident lifecycle with injected time: grace, hold, flapping, severity and root-cause change,
// deletion, re-announcement.

import { describe, expect, it } from 'vitest';
import { IncidentTracker, type Transition } from '../src/engine/tracker.ts';
import type { Candidate, Incident } from '../src/engine/incidents.ts';
import type { Severity } from '../src/checks/types.ts';
import type { ReasonId } from '../src/checks/catalog.ts';

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
});
