import type { Check, Finding } from './types.ts';
import { condition, ref } from './helpers.ts';
import { quote } from '../util/redact.ts';
import type { ReasonDecl } from './reasons.ts';
import type { Node } from '../kube/types.ts';

const K8S_NODE_STATUS = 'https://kubernetes.io/docs/reference/node/node-status/#condition';

/** The reasons this check gives, with what the catalog says of each (product.md §2). */
const reasons: readonly ReasonDecl[] = [
  {
    reason: 'NodeNotReady',
    kind: 'Node',
    severity: 'critical',
    title: 'Node not ready',
    description:
      "The node's Ready condition is False (the kubelet reports it cannot run pods: runtime, network or disk) or Unknown (the kubelet stopped posting status: the node is down or cut off) for longer than its grace. It is the root cause of what fails on it: its pods, and the Deployments, Services and MCPServers they serve. A cordoned node that is Ready is not reported.",
    remediation:
      'kubectl describe node {name}; kubectl get pods -A -o wide --field-selector spec.nodeName={name}; on the node: systemctl status kubelet containerd; journalctl -u kubelet --since -15m',
    runbookUrl: K8S_NODE_STATUS,
    graceSeconds: 120,
    layer: 0,
  },
  {
    reason: 'NodePressure',
    kind: 'Node',
    severity: 'warning',
    title: 'Node under resource pressure',
    description:
      'MemoryPressure, DiskPressure or PIDPressure is True (the kubelet is evicting pods and admits no new BestEffort ones), or NetworkUnavailable is True (the node has no pod network). One incident per condition. It explains the evictions on the node.',
    remediation:
      'kubectl describe node {name} | grep -A12 Conditions; kubectl top node {name}; kubectl get pods -A -o wide --field-selector spec.nodeName={name},status.phase=Failed',
    runbookUrl: 'https://kubernetes.io/docs/concepts/scheduling-eviction/node-pressure-eviction/',
    graceSeconds: 120,
    layer: 0,
  },
];

type Pressure = 'MemoryPressure' | 'DiskPressure' | 'PIDPressure' | 'NetworkUnavailable';

/** What a pressure condition means for the pods on the node. */
const EFFECT: Readonly<Record<Pressure, string>> = {
  MemoryPressure: 'the kubelet evicts pods to reclaim memory and admits no new BestEffort pods',
  DiskPressure: 'the kubelet removes images and evicts pods to reclaim disk',
  PIDPressure: 'the kubelet evicts pods to reclaim process ids',
  NetworkUnavailable: 'pods on it have no network',
};

function notReady(n: Node): Finding | undefined {
  const ready = condition(n, 'Ready');
  // No Ready condition yet: a node still registering, judged when the kubelet first reports.
  if (!ready || ready.status === 'True') return undefined;
  const why = [ready.reason, ready.message].filter((s): s is string => !!s).join(': ');
  const meaning = ready.status === 'Unknown' ? 'its kubelet stopped posting status, so it is down or cut off' : 'its kubelet reports it cannot run pods';
  const f: Finding = {
    reason: 'NodeNotReady',
    object: ref(n),
    message: `node Ready is ${ready.status}${why ? ` (${quote(why, 300)})` : ''}: ${meaning}${n.unschedulable ? '; the node is cordoned' : ''}`,
    attributes: { status: ready.status, ...(ready.reason ? { condition_reason: ready.reason } : {}) },
  };
  if (ready.lastTransitionTime !== undefined) f.since = ready.lastTransitionTime;
  return f;
}

export const nodeHealth: Check = {
  id: 'node-health',
  roots: 'Node',
  reads: [],
  description: 'Nodes that are not Ready, or under memory, disk or PID pressure, or without a network.',
  needs: ['Node'],
  reasons,
  *run(view) {
    for (const n of view.roots('Node')) {
      if (n.meta.deletionTimestamp !== undefined) continue;
      const down = notReady(n);
      if (down) {
        // A node not Ready has its other conditions Unknown: its outage says it all.
        yield down;
        continue;
      }
      const pressures = [condition(n, 'MemoryPressure'), condition(n, 'DiskPressure'), condition(n, 'PIDPressure'), condition(n, 'NetworkUnavailable')];
      for (const c of pressures) {
        if (c?.status !== 'True') continue;
        const type = c.type as Pressure;
        const f: Finding = {
          reason: 'NodePressure',
          object: ref(n),
          sub: type,
          message: `${type} is True${c.message ? ` (${quote(c.message, 300)})` : ''}: ${EFFECT[type]}`,
          attributes: { condition: type },
        };
        if (c.lastTransitionTime !== undefined) f.since = c.lastTransitionTime;
        yield f;
      }
    }
  },
};
