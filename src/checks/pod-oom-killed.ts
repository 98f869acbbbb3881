import type { Check, Finding } from './types.ts';
import { plural, ref } from './helpers.ts';
import { containerLabel } from './pod-crash-loop.ts';

export const podOomKilled: Check = {
  id: 'pod-oom-killed',
  roots: 'Pod',
  reads: [],
  description: 'Containers whose current or last termination was an OOM kill, within the configured window.',
  needs: ['Pod'],
  reasons: ['OOMKilled'],
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
      const when = best.at !== undefined ? ` ${ago(ctx.now - best.at)} ago` : '';
      const message = `${label} was OOMKilled${when} (exit code 137, ${plural(best.restarts, 'restart')})${best.current ? '; it is not running' : ''}`;
      const f: Finding = {
        reason: 'OOMKilled',
        object: ref(p),
        message,
        attributes: { container: best.name, restart_count: best.restarts, exit_code: 137 },
        vars: { container: best.name },
      };
      if (best.at !== undefined) f.since = best.at;
      yield f;
    }
  },
};

export function ago(ms: number): string {
  const s = Math.max(0, Math.round(ms / 1000));
  if (s < 90) return `${s}s`;
  if (s < 5400) return `${Math.round(s / 60)}m`;
  if (s < 172800) return `${Math.round(s / 3600)}h`;
  return `${Math.round(s / 86400)}d`;
}
