import type { Check, Finding } from './types.ts';
import type { ReasonId } from './catalog.ts';
import { containerImage, podSince, quote, ref } from './helpers.ts';
import { containerLabel } from './pod-crash-loop.ts';

const WAITING: Readonly<Record<string, ReasonId>> = {
  CreateContainerConfigError: 'CreateContainerConfigError',
  CreateContainerError: 'CreateContainerError',
  RunContainerError: 'RunContainerError',
};

export const podContainerConfig: Check = {
  id: 'pod-container-config',
  roots: 'Pod',
  reads: [],
  description: 'Containers that cannot be created: missing Secret/ConfigMap keys, runtime create or start errors.',
  needs: ['Pod'],
  reasons: ['CreateContainerConfigError', 'CreateContainerError', 'RunContainerError'],
  *run(view) {
    for (const p of view.roots('Pod')) {
      if (p.meta.deletionTimestamp !== undefined) continue;
      const seen = new Set<ReasonId>();
      for (const c of p.containers) {
        const reason = c.current.state === 'waiting' && c.current.reason ? WAITING[c.current.reason] : undefined;
        if (!reason || seen.has(reason)) continue;
        seen.add(reason);
        const detail = c.current.message ? `: ${quote(c.current.message, 600)}` : '';
        const f: Finding = {
          reason,
          object: ref(p),
          message: `${containerLabel(c)} cannot start (${c.current.reason})${detail}`,
          attributes: { container: c.name, waiting_reason: c.current.reason ?? '' },
          vars: { container: c.name, image: containerImage(p, c) },
        };
        const since = podSince(p);
        if (since !== undefined) f.since = since;
        yield f;
      }
    }
  },
};
