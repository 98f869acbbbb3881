// Custom resources named in the config (`customResources`: MCP Runtime's other CRDs, Flux
// HelmReleases, anything following the conventions) judged by kstatus' rules
// (sigs.k8s.io/cli-utils/pkg/kstatus): Stalled True is a failure; Ready False, or a controller that
// has not observed the latest generation, is not ready once it lasts beyond the grace. Reconciling
// True with nothing False is work under way.

import type { Check, Finding } from './types.ts';
import type { CustomResource } from '../kube/types.ts';
import { CUSTOM_SLOTS, KINDS, isConfigured } from '../kube/kinds.ts';
import { condition, ref } from './helpers.ts';
import { quote, shellWord } from '../util/redact.ts';
import type { ReasonDecl } from './reasons.ts';

const reasons: readonly ReasonDecl[] = [
  {
    reason: 'ResourceNotReady',
    kind: 'CustomResource',
    severity: 'warning',
    title: 'Custom resource not ready',
    description:
      "A custom resource of a kind named in the config's customResources, judged by the kstatus conventions: its Stalled condition True (the controller gave up), its Ready condition False, or its controller not having observed the latest generation (status.observedGeneration behind metadata.generation), for longer than its grace. Reconciling True with nothing False is progress, not reported.",
    remediation: "{hint}; its controller's log says why; kubectl get {resource} -A",
    facts: ['hint', 'resource'],
    runbookUrl: 'https://github.com/kubernetes-sigs/cli-utils/blob/master/pkg/kstatus/README.md',
    graceSeconds: 120,
    layer: 1,
  },
];

function why(c: { reason?: string; message?: string }): string {
  const s = [c.reason, c.message].filter((x): x is string => !!x).join(': ');
  return s ? `: ${quote(s, 500)}` : '';
}

function judge(o: CustomResource): Finding | undefined {
  if (o.meta.deletionTimestamp !== undefined) return undefined;
  const stalled = condition(o, 'Stalled');
  const ready = condition(o, 'Ready');
  const behind = o.generation !== undefined && o.observedGeneration !== undefined && o.observedGeneration < o.generation;
  let message: string;
  let state: string;
  let since: number | undefined;
  if (stalled?.status === 'True') {
    [message, state, since] = [`${o.resourceKind} is stalled${why(stalled)}`, 'stalled', stalled.lastTransitionTime];
  } else if (ready?.status === 'False') {
    [message, state, since] = [`${o.resourceKind} is not ready${why(ready)}`, 'not_ready', ready.lastTransitionTime];
  } else if (behind) {
    // No time says since when: the grace counts from when the agent first saw it.
    [message, state, since] = [`${o.resourceKind}'s controller has not observed generation ${o.generation} (status.observedGeneration ${o.observedGeneration}): the latest spec is not acted on`, 'generation_behind', undefined];
  } else return undefined;
  const info = KINDS[o.kind];
  const resource = `${info.plural}.${info.group}`;
  const f: Finding = {
    reason: 'ResourceNotReady',
    object: ref(o),
    message,
    attributes: { kstatus: state, resource },
    vars: { hint: `kubectl${o.meta.namespace ? ` -n ${shellWord(o.meta.namespace)}` : ''} describe ${shellWord(resource)} ${shellWord(o.meta.name)}` },
  };
  if (since !== undefined) f.since = since;
  return f;
}

export const resourceReadiness: Check = {
  id: 'resource-readiness',
  description: 'Custom resources named in the config, by the kstatus conventions (Stalled, Ready, observedGeneration).',
  needs: [],
  covers: CUSTOM_SLOTS,
  reasons,
  *run(view) {
    for (const k of CUSTOM_SLOTS) {
      if (!isConfigured(k)) continue;
      for (const o of view.list(k)) {
        const f = judge(o);
        if (f) yield f;
      }
    }
  },
};
