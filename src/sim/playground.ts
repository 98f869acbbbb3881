// The simulated MCP Runtime cluster of `sentinel-agent sim` and the demo, and what stands in for
// the kubelet, the ReplicaSet, Deployment and EndpointSlice controllers and the operator there: a
// pod labelled sim.mcpruntime.org/state (running, crashloop, pull-auth, oom, not-ready) gets the
// status a kubelet would give it, and its ReplicaSet, Deployment, EndpointSlice and MCPServer follow,
// so that `kubectl label pod … sim.mcpruntime.org/state=crashloop --overwrite` breaks a server.

import type { FakeApiServer } from './apiserver.ts';
import { certificate, healthyPlatform, healthyServer, pod, running, terminated, waiting, type Raw } from './objects.ts';
import { node } from './workloads.ts';

export const STATE_LABEL = 'sim.mcpruntime.org/state';
export const STATES = ['running', 'crashloop', 'pull-auth', 'oom', 'not-ready'] as const;
export type SimState = (typeof STATES)[number];

export const DEMO_TEAM = 'mcp-team-acme';

/** MCP Runtime's platform, four healthy MCPServers (one of a team, two with gateways) and a
 *  certificate. */
export function demoCluster(): Raw[] {
  return [
    node('kind-worker'),
    ...healthyPlatform(),
    ...healthyServer('weather', { ns: DEMO_TEAM, team: 'acme' }),
    ...healthyServer('search', { gateway: true }),
    ...healthyServer('billing', { gateway: true }),
    ...healthyServer('docs'),
    certificate('registry-cert', { ns: 'registry', ready: 'True', notBefore: -60 * 24, notAfter: 89 * 24 * 60, renewal: 59 * 24 * 60 }),
    // Namespaces, so `kubectl annotate namespace` can silence one (health.mcpruntime.org/silence-until).
    ...[...new Set(['default', 'kube-system', 'mcp-runtime', 'registry', 'mcp-servers', DEMO_TEAM])].map((name) => ({ apiVersion: 'v1', kind: 'Namespace', metadata: { name, uid: `ns-${name}` } })),
  ];
}

type Meta = { name: string; namespace: string; labels?: Record<string, string>; ownerReferences?: { kind: string; name: string }[]; annotations?: Record<string, string> };
const metaOf = (o: Raw): Meta => o.metadata as unknown as Meta;
/** The status a kubelet gives a pod in that state (the spec and metadata kept); `now` is in the
 *  minutes of the objects' base time (objects.ts: setBaseTime). */
export function podInState(p: Raw, state: SimState, now: number): Raw {
  const minutesAgo = (): number => now;
  const m = metaOf(p);
  const containers = ((p.spec as { containers?: { name: string; image?: string }[] } | undefined)?.containers ?? []).map((c, i) => {
    const first = i === 0;
    const image = c.image ?? 'example/app:1';
    if (!first || state === 'running') return { name: c.name, image, state: running(minutesAgo()) };
    if (state === 'crashloop') return { name: c.name, image, ready: false, restarts: 5, state: waiting('CrashLoopBackOff', `back-off 1m20s restarting failed container=${c.name}`), lastState: terminated('Error', 1, minutesAgo(), 'exited on start') };
    if (state === 'pull-auth') return { name: c.name, image, ready: false, state: waiting('ImagePullBackOff', `Back-off pulling image "${image}": failed to authorize: failed to fetch oauth token: unexpected status: 401 Unauthorized`) };
    if (state === 'oom') return { name: c.name, image, restarts: 1, state: running(minutesAgo()), lastState: terminated('OOMKilled', 137, minutesAgo()) };
    return { name: c.name, image, ready: false, state: running(minutesAgo()) };
  });
  const owner = m.ownerReferences?.[0];
  const created = Date.parse(String((p.metadata as { creationTimestamp?: string }).creationTimestamp ?? '')) ;
  const fresh = pod(m.name, { ns: m.namespace, labels: m.labels ?? {}, ...(owner ? { owner: { kind: owner.kind, name: owner.name } } : {}), containers, readySince: now, created: Number.isNaN(created) ? now - 1 : now - (Date.now() - created) / 60_000 });
  return { ...p, status: fresh.status };
}

const ready = (p: Raw): boolean => ((p.status as { conditions?: { type: string; status: string }[] } | undefined)?.conditions ?? []).some((c) => c.type === 'Ready' && c.status === 'True');

/** Follows pod changes: the kubelet for labelled pods, then the controllers and the operator. */
export function simulateControllers(api: FakeApiServer, base: number): void {
  api.onWrite((kind, obj) => {
    if (kind !== 'Pod') return;
    const m = metaOf(obj);
    const state = m.labels?.[STATE_LABEL] as SimState | undefined;
    if (state && (STATES as readonly string[]).includes(state) && m.annotations?.[`${STATE_LABEL}-applied`] !== state) {
      const next = podInState(obj, state, (Date.now() - base) / 60_000);
      metaOf(next).annotations = { ...(m.annotations ?? {}), [`${STATE_LABEL}-applied`]: state };
      api.apply(next);
      return;
    }
    rollUp(api, obj);
  });
}

/** The ReplicaSet, Deployment, EndpointSlice and MCPServer of a pod, from its siblings' readiness. */
function rollUp(api: FakeApiServer, p: Raw): void {
  const m = metaOf(p);
  const rsName = m.ownerReferences?.find((o) => o.kind === 'ReplicaSet')?.name;
  const app = m.labels?.app;
  if (!rsName || !app) return;
  const pods = api.all('Pod').filter((x) => metaOf(x).namespace === m.namespace && metaOf(x).ownerReferences?.some((o) => o.name === rsName));
  const n = pods.filter(ready).length;
  const update = (kind: 'ReplicaSet' | 'Deployment' | 'EndpointSlice' | 'MCPServer', name: string, change: (o: Raw) => boolean): void => {
    const o = api.get(kind, m.namespace, name);
    if (o && change(o)) api.apply(o);
  };
  update('ReplicaSet', rsName, (rs) => setStatus(rs, { readyReplicas: n, availableReplicas: n }));
  const rs = api.get('ReplicaSet', m.namespace, rsName);
  const deploy = rs ? metaOf(rs).ownerReferences?.find((o) => o.kind === 'Deployment')?.name : undefined;
  if (deploy) {
    update('Deployment', deploy, (d) => {
      const want = (d.spec as { replicas?: number }).replicas ?? 1;
      const available = n >= want;
      const conds = ((d.status as { conditions?: Raw[] }).conditions ?? []).map((c) => (c.type === 'Available' ? { ...c, status: available ? 'True' : 'False', reason: available ? 'MinimumReplicasAvailable' : 'MinimumReplicasUnavailable', message: available ? 'Deployment has minimum availability.' : 'Deployment does not have minimum availability.', lastTransitionTime: new Date().toISOString() } : c));
      return setStatus(d, { readyReplicas: n, availableReplicas: n, unavailableReplicas: Math.max(0, want - n), conditions: conds });
    });
  }
  update('EndpointSlice', `${app}-x7k2p`, (s) => {
    const eps = (s.endpoints as { conditions: { ready: boolean; serving: boolean } }[] | undefined) ?? [];
    const before = JSON.stringify(eps);
    eps.forEach((e, i) => (e.conditions = { ...e.conditions, ready: i < n, serving: i < n }));
    return JSON.stringify(eps) !== before;
  });
  update('MCPServer', app, (s) => {
    const st = (s.status ?? {}) as { deploymentReady?: boolean; phase?: string; conditions?: Raw[] };
    const ok = pods.length > 0 && n === pods.length;
    if (st.deploymentReady === ok) return false;
    st.deploymentReady = ok;
    st.phase = ok ? 'Ready' : 'PartiallyReady';
    st.conditions = (st.conditions ?? []).map((c) => (c.type === 'DeploymentReady' ? { ...c, status: ok ? 'True' : 'False', reason: st.phase, lastTransitionTime: new Date().toISOString() } : c));
    return true;
  });
}

function setStatus(o: Raw, fields: Record<string, unknown>): boolean {
  const st = (o.status ?? {}) as Record<string, unknown>;
  const changed = Object.entries(fields).some(([k, v]) => JSON.stringify(st[k]) !== JSON.stringify(v));
  o.status = { ...st, ...fields };
  return changed;
}
