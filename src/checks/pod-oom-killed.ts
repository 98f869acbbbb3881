import type { Check, Finding } from './types.ts';
import { plural, ref } from './helpers.ts';
import { serverOf } from '../kube/relations.ts';
import { containerLabel } from './pod-crash-loop.ts';
import { humanDuration } from '../util/duration.ts';
import type { ReasonDecl } from './reasons.ts';

/** The reasons this check gives, with what the catalog says of each (product.md §2). */
const reasons: readonly ReasonDecl[] = [
  {
    reason: 'OOMKilled',
    kind: 'Pod',
    severity: 'warning',
    title: 'Container killed for exceeding its memory limit',
    description: 'A container whose current or last termination reason is OOMKilled, within the configured window.',
    remediation: 'Raise the memory limit or find the leak: kubectl -n {namespace} get pod {name} -o jsonpath=\'{.spec.containers[?(@.name=="{container}")].resources}\'; for an MCPServer set spec.resources.limits.memory (default 256Mi).',
    facts: ['container', 'limit', 'more', 'server'],
    runbookUrl: 'https://kubernetes.io/docs/tasks/configure-pod-container/assign-memory-resource/#exceed-a-container-s-memory-limit',
    graceSeconds: 0,
    layer: 1,
  },
];

export const podOomKilled: Check = {
  id: 'pod-oom-killed',
  roots: 'Pod',
  // The owning MCPServer (through ReplicaSet and Deployment) decides where the limit is set.
  reads: ['ReplicaSet', 'Deployment', 'MCPServer'],
  description: 'Containers whose current or last termination was an OOM kill, within the configured window.',
  needs: ['Pod'],
  reasons,
  *run(view, ctx) {
    const windowMs = ctx.config.oomWindowSeconds * 1000;
    for (const p of view.roots('Pod')) {
      if (p.meta.deletionTimestamp !== undefined) continue;
      let best: { name: string; init: boolean; at?: number; restarts: number; current: boolean } | undefined;
      let label = '';
      for (const c of p.containers) {
        const term = [c.current, c.last].find((s) => s?.state === 'terminated' && s.reason === 'OOMKilled');
        if (!term) continue;
        // An OOM kill without a timestamp cannot be aged: report it. An old one on a container
        // running fine since is history, not an incident.
        if (term.finishedAt !== undefined && ctx.now - term.finishedAt > windowMs) continue;
        if (!best || (term.finishedAt ?? Infinity) > (best.at ?? -Infinity)) {
          best = { name: c.name, init: c.init, restarts: c.restartCount, current: term === c.current };
          if (term.finishedAt !== undefined) best.at = term.finishedAt;
          label = containerLabel(c);
        }
      }
      if (!best) continue;
      const when = best.at !== undefined ? ` ${humanDuration(ctx.now - best.at)} ago` : '';
      const message = `${label} was OOMKilled${when} (exit code 137, ${plural(best.restarts, 'restart')})${best.current ? '; it is not running' : ''}`;
      const limit = p.memoryLimits[best.name];
      const server = serverOf(view, p);
      const f: Finding = {
        reason: 'OOMKilled',
        object: ref(p),
        message: limit ? `${message}; memory limit ${limit}` : message,
        attributes: { container: best.name, restart_count: best.restarts, exit_code: 137, ...(limit ? { memory_limit: limit } : {}) },
        vars: { container: best.name, limit: limit ?? '', more: larger(limit), server: server?.meta.name ?? '' },
        remediation: oomFix(limit !== undefined, server !== undefined),
      };
      if (best.at !== undefined) f.since = best.at;
      yield f;
    }
  },
};

function oomFix(hasLimit: boolean, mcpServer: boolean): string {
  const measure = 'see what it really uses: kubectl -n {namespace} top pod {name} --containers';
  const first = hasLimit
    ? `Container {container} is limited to {limit} of memory and was killed for exceeding it: raise the limit above its real peak or find the leak; ${measure}.`
    : `Container {container} has no memory limit of its own, so it was killed by a LimitRange default or by the node running out of memory: set requests and a limit that fit its real use; ${measure}.`;
  const where = mcpServer
    ? ` It is run by MCPServer {server}, whose operator owns the Deployment, so set the limit in the MCPServer (here ${hasLimit ? 'twice its limit' : 'twice the MCPServer default'}, to be sized to the peak top shows): kubectl -n {namespace} patch mcpserver {server} --type merge -p '{"spec":{"resources":{"limits":{"memory":"{more}"}}}}'`
    : ' Set it on the workload that owns the pod (its Deployment, StatefulSet or Job template), not on the pod.';
  return first + where;
}

/** A memory quantity twice the given one, in its own unit ("384Mi" → "768Mi"); without one, twice
 * the MCPServer default of 256Mi. A value the patch can carry as it is, not a placeholder. */
function larger(limit: string | undefined): string {
  const m = limit === undefined ? null : /^(\d+(?:\.\d+)?)([A-Za-z]*)$/.exec(limit);
  if (!m) return '512Mi';
  const doubled = Number(m[1]) * 2;
  return `${Number.isInteger(doubled) ? doubled : doubled.toFixed(3).replace(/0+$/, '')}${m[2] ?? ''}`;
}
