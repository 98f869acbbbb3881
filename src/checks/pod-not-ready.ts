import type { Check, Finding } from './types.ts';
import type { ContainerStatus, Pod } from '../kube/types.ts';
import { condition, latestEvent, ref } from './helpers.ts';
import { quote } from '../util/redact.ts';
import { K8S_DEBUG_PODS, type ReasonDecl } from './reasons.ts';

/** The reasons this check gives, with what the catalog says of each (product.md §2). */
const reasons: readonly ReasonDecl[] = [
  {
    reason: 'PodNotReady',
    kind: 'Pod',
    severity: 'warning',
    title: 'Pod runs but is not ready',
    description:
      'A Running pod whose containers all run, one of them not ready, for longer than its grace: its readiness probe fails, so it takes no traffic. Containers that are waiting, or restarted within the last ten minutes, are left to the checks that say why (crash loop, image pull, OOM, config).',
    remediation: "See which probe fails and why: kubectl -n {namespace} describe pod {name} | grep -A10 -E 'Readiness|Events'; kubectl -n {namespace} logs {name} -c {container}",
    facts: ['container'],
    runbookUrl: K8S_DEBUG_PODS,
    graceSeconds: 300,
    layer: 2,
  },
];

/** A container that restarted this recently is a crash or an OOM kill still settling: the checks
 *  for those own it (a crash loop alternates running, not ready, and waiting). */
const RECENT_RESTART_MS = 10 * 60_000;

/** The first app container that runs but is not ready, when every app container runs. */
function runningNotReady(p: Pod, now: number): ContainerStatus | undefined {
  let notReady: ContainerStatus | undefined;
  let app = 0;
  for (const c of p.containers) {
    if (c.init) continue;
    app++;
    if (c.current.state !== 'running') return undefined;
    const last = c.last;
    if (last?.state === 'terminated' && (last.finishedAt === undefined || now - last.finishedAt < RECENT_RESTART_MS)) return undefined;
    if (!c.ready) notReady ??= c;
  }
  return app > 0 ? notReady : undefined;
}

export const podNotReady: Check = {
  id: 'pod-not-ready',
  roots: 'Pod',
  reads: ['Event'],
  description: 'Running pods whose containers run but are not ready (a failing readiness probe).',
  needs: ['Pod'],
  evidence: ['Event'],
  reasons,
  *run(view, ctx) {
    for (const p of view.roots('Pod')) {
      if (p.meta.deletionTimestamp !== undefined || p.phase !== 'Running') continue;
      const ready = condition(p, 'Ready');
      if (!ready || ready.status === 'True') continue;
      const c = runningNotReady(p, ctx.now);
      if (!c) continue;
      // The kubelet's Unhealthy Event says which probe fails and how (not how often: a count in the
      // message would update the incident at every probe).
      const probe = latestEvent(view, p, 'Unhealthy', ctx.now, (m) => m.startsWith('Readiness probe failed'), c.name);
      const f: Finding = {
        reason: 'PodNotReady',
        object: ref(p),
        message: probe
          ? `container ${quote(c.name)} runs but is not ready: ${quote(probe.message, 400)}, so the pod takes no traffic`
          : `container ${quote(c.name)} runs but is not ready${ready.reason ? ` (${quote(ready.reason, 120)})` : ''}: its readiness probe fails, so the pod takes no traffic`,
        attributes: { container: c.name, restart_count: c.restartCount, ...(probe ? { probe: 'readiness' } : {}) },
        vars: { container: c.name },
      };
      const since = ready.lastTransitionTime ?? p.startTime ?? p.meta.creationTimestamp;
      if (since !== undefined) f.since = since;
      yield f;
    }
  },
};
