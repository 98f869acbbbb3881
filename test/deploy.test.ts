// deploy/: every overlay renders with kubectl kustomize (offline), every object passes schema
// validation (kubernetes-models), the hardening and the RBAC scope hold, and the generated files are
// current. The Dockerfile is checked statically (no Docker engine here).

import { describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { generated } from '../scripts/generate.ts';
import { COMPONENTS, DEPLOY_DIRS, render, renderWith, type Obj } from './support/deploy.ts';

async function validate(o: Obj): Promise<void> {
  if (o.apiVersion === 'monitoring.coreos.com/v1') return; // a CRD: its shape is tested below
  const [group, version] = o.apiVersion.includes('/') ? o.apiVersion.split('/') : ['', o.apiVersion];
  const mod = (await import(/* @vite-ignore */ `kubernetes-models/${group ? `${group}/` : ''}${version}/${o.kind}`)) as { [k: string]: new (x: unknown) => { validate(): void } };
  const Model = mod[o.kind] ?? mod.default;
  if (!Model) throw new Error(`no schema for ${o.apiVersion} ${o.kind}`);
  new Model(o).validate();
}

describe('deploy/ renders and validates', () => {
  for (const dir of DEPLOY_DIRS) {
    it(`${dir}: kubectl kustomize renders schema-valid objects`, async () => {
      const objs = render(dir);
      expect(objs.length).toBeGreaterThanOrEqual(12);
      for (const o of objs) await validate(o);
      const namespaced = objs.filter((o) => !['Namespace', 'ClusterRole', 'ClusterRoleBinding'].includes(o.kind));
      for (const o of namespaced) expect(o.metadata.namespace, `${o.kind} ${o.metadata.name}`).toBe('sentinel-agent');
    });
  }
});

describe('components combine', () => {
  type D = Obj & { spec: { replicas: number; template: { spec: { containers: { args?: string[]; env?: { name: string; value?: string }[] }[]; volumes?: { name: string; emptyDir?: object }[] } } } };
  const dep = (objs: Obj[], name: string): D => objs.find((o) => o.kind === 'Deployment' && o.metadata.name === name) as D;
  const env = (objs: Obj[], name: string): string[] => (dep(objs, name).spec.template.spec.containers[0]?.env ?? []).map((e) => e.name);
  /** What each component does, seen in what renders. */
  const effect: Record<string, (objs: Obj[]) => boolean> = {
    events: (o) => env(o, 'sentinel-agent').includes('SENTINEL_AGENT_KUBERNETES_EVENTS') && o.some((x) => x.kind === 'ClusterRole' && x.metadata.name === 'sentinel-agent-events'),
    ha: (o) => dep(o, 'sentinel-agent').spec.replicas === 2 && env(o, 'sentinel-agent').includes('SENTINEL_AGENT_LEADER_ELECTION') && o.some((x) => x.kind === 'PodDisruptionBudget') && o.some((x) => x.kind === 'Role' && x.metadata.name === 'sentinel-agent-leader-election'),
    'prometheus-operator': (o) => o.filter((x) => x.kind === 'ServiceMonitor').length === 2 && o.some((x) => x.kind === 'PrometheusRule') && (dep(o, 'sentinel-agent').spec.template.spec.containers[0]?.args ?? []).includes('--prometheus'),
    'collector-auth': (o) => env(o, 'otel-collector').includes('SENTINEL_AGENT_OTLP_TOKEN') && env(o, 'sentinel-agent').includes('OTEL_EXPORTER_OTLP_HEADERS') && JSON.stringify(o.find((x) => x.kind === 'ConfigMap' && x.metadata.name.startsWith('otel-collector-config'))).includes('bearertokenauth'),
    'apiserver-egress': (o) => JSON.stringify((o.find((x) => x.kind === 'NetworkPolicy' && x.metadata.name === 'sentinel-agent') as unknown as { spec: { egress: unknown[] } }).spec.egress[1]).includes('ipBlock'),
    'ephemeral-queue': (o) => !o.some((x) => x.kind === 'PersistentVolumeClaim') && dep(o, 'otel-collector').spec.template.spec.volumes?.find((v) => v.name === 'queue')?.emptyDir !== undefined,
  };

  it('every component has its effect listed here', () => {
    expect([...COMPONENTS]).toEqual(Object.keys(effect).sort());
  });

  // Each alone, every pair, all but one, and all: each component does what it does, and only it.
  const sets: string[][] = [[], ...COMPONENTS.map((c) => [c]), ...COMPONENTS.flatMap((a, i) => COMPONENTS.slice(i + 1).map((b) => [a, b])), ...COMPONENTS.map((c) => COMPONENTS.filter((x) => x !== c)), [...COMPONENTS]];
  it(`${sets.length} combinations render schema-valid, each with exactly the effects of its components`, async () => {
    for (const set of sets) {
      const objs = renderWith(set);
      for (const o of objs) await validate(o);
      for (const [c, has] of Object.entries(effect)) expect(has(objs), `${c} in [${set.join(', ')}]`).toBe(set.includes(c));
      const namespaced = objs.filter((o) => !['Namespace', 'ClusterRole', 'ClusterRoleBinding'].includes(o.kind));
      for (const o of namespaced) expect(o.metadata.namespace, `${o.kind} ${o.metadata.name}`).toBe('sentinel-agent');
    }
  }, 120_000);

  it('overlays/<name> is the base with that one component', () => {
    for (const c of COMPONENTS) expect(render(`overlays/${c}`), c).toEqual(renderWith([c]));
  });
});

describe('hardening (Pod Security Standards "restricted")', () => {
  for (const dir of DEPLOY_DIRS) {
    it(`${dir}: every pod is non-root, read-only, no escalation, no capabilities, RuntimeDefault seccomp, with resources and probes`, () => {
      for (const d of render(dir).filter((o) => o.kind === 'Deployment')) {
        const spec = (d.spec as { template: { spec: Record<string, unknown> } }).template.spec as {
          securityContext: { runAsNonRoot: boolean; seccompProfile: { type: string } };
          containers: { securityContext: Record<string, unknown>; resources: { requests: object; limits: { memory: string } }; livenessProbe: unknown; readinessProbe: unknown }[];
          terminationGracePeriodSeconds: number;
        };
        expect(spec.securityContext.runAsNonRoot, d.metadata.name).toBe(true);
        expect(spec.securityContext.seccompProfile.type).toBe('RuntimeDefault');
        expect(spec.terminationGracePeriodSeconds).toBeGreaterThanOrEqual(15);
        for (const c of spec.containers) {
          expect(c.securityContext).toMatchObject({ allowPrivilegeEscalation: false, readOnlyRootFilesystem: true, runAsNonRoot: true, capabilities: { drop: ['ALL'] } });
          expect(c.resources.requests).toBeTruthy();
          expect(c.resources.limits.memory).toMatch(/Mi|Gi/);
          expect(c.livenessProbe).toBeTruthy();
          expect(c.readinessProbe).toBeTruthy();
        }
      }
      const agent = render(dir).find((o) => o.kind === 'Deployment' && o.metadata.name === 'sentinel-agent') as Obj;
      const c = ((agent.spec as { template: { spec: { containers: { livenessProbe: { httpGet: { path: string } }; readinessProbe: { httpGet: { path: string } }; args: string[] }[] } } }).template.spec.containers)[0];
      expect(c?.livenessProbe.httpGet.path).toBe('/healthz');
      expect(c?.readinessProbe.httpGet.path).toBe('/readyz');
      expect(c?.args[0]).toBe('watch');
    });
  }
});

describe('RBAC scope', () => {
  it('base: read-only (get/list/watch) on exactly the kinds the checks need (and namespaces, for their silence annotations), nothing on Secrets', () => {
    const roles = render('base').filter((o) => o.kind === 'ClusterRole' || o.kind === 'Role');
    expect(roles.map((r) => r.metadata.name)).toEqual(['sentinel-agent']);
    const all = (roles[0] as unknown as { rules: { apiGroups: string[]; resources: string[]; resourceNames?: string[]; verbs: string[] }[] }).rules;
    // One named object beside the kinds: the MCPServer CRD, get only (its gateway default).
    const named = all.filter((r) => r.resourceNames);
    expect(named).toEqual([{ apiGroups: ['apiextensions.k8s.io'], resources: ['customresourcedefinitions'], resourceNames: ['mcpservers.mcpruntime.org'], verbs: ['get'] }]);
    const rules = all.filter((r) => !r.resourceNames);
    for (const r of rules) {
      expect(r.verbs).toEqual(['get', 'list', 'watch']);
      expect(r.resources).not.toContain('secrets');
      expect(r.resources).not.toContain('*');
    }
    expect(rules.flatMap((r) => r.resources).sort()).toEqual(['certificaterequests', 'certificates', 'clusterissuers', 'configmaps', 'daemonsets', 'deployments', 'endpoints', 'endpointslices', 'events', 'ingresses', 'issuers', 'mcpservers', 'namespaces', 'nodes', 'persistentvolumeclaims', 'pods', 'replicasets', 'services', 'statefulsets', 'storageclasses']);
  });

  it('events overlay adds only create/patch on events; ha only get/update on its Lease and create', () => {
    const ev = render('overlays/events').find((o) => o.metadata.name === 'sentinel-agent-events' && o.kind === 'ClusterRole') as unknown as { rules: unknown[] };
    expect(ev.rules).toEqual([{ apiGroups: [''], resources: ['events'], verbs: ['create', 'patch'] }]);
    const ha = render('overlays/ha');
    const role = ha.find((o) => o.kind === 'Role') as unknown as { rules: unknown[] };
    expect(role.rules).toEqual([
      { apiGroups: ['coordination.k8s.io'], resources: ['leases'], resourceNames: ['sentinel-agent'], verbs: ['get', 'update'] },
      { apiGroups: ['coordination.k8s.io'], resources: ['leases'], verbs: ['create'] },
    ]);
    const dep = ha.find((o) => o.kind === 'Deployment' && o.metadata.name === 'sentinel-agent') as unknown as { spec: { replicas: number; template: { spec: { containers: { env: { name: string; value?: string }[] }[] } } } };
    expect(dep.spec.replicas).toBe(2);
    expect(dep.spec.template.spec.containers[0]?.env).toContainEqual({ name: 'SENTINEL_AGENT_LEADER_ELECTION', value: 'true' });
    expect(ha.find((o) => o.kind === 'PodDisruptionBudget')).toBeTruthy();
  });

  it('the agent NetworkPolicy allows egress only to DNS, the API server ports and the Collector', () => {
    const np = render('base').find((o) => o.kind === 'NetworkPolicy' && o.metadata.name === 'sentinel-agent') as unknown as { spec: { policyTypes: string[]; egress: { ports: { port: number }[] }[] } };
    expect(np.spec.policyTypes).toEqual(['Ingress', 'Egress']);
    expect(np.spec.egress.map((e) => e.ports.map((p) => p.port).sort((a, b) => a - b))).toEqual([[53, 53], [443, 6443], [4317, 4318]]);
  });
});

describe("the Collector's sending queue and image", () => {
  type Dep = Obj & { spec: { strategy?: { type: string }; template: { spec: { volumes: { name: string; persistentVolumeClaim?: { claimName: string }; emptyDir?: unknown }[]; containers: { image: string }[] } } } };
  const collector = (dir: string): Dep => render(dir).find((o) => o.kind === 'Deployment' && o.metadata.name === 'otel-collector') as Dep;

  it('base: the file_storage queue is on a PersistentVolumeClaim, and the Deployment recreates (ReadWriteOnce)', () => {
    const objs = render('base');
    const d = collector('base');
    const queue = d.spec.template.spec.volumes.find((v) => v.name === 'queue');
    expect(queue?.persistentVolumeClaim?.claimName).toBe('otel-collector-queue');
    const pvc = objs.find((o) => o.kind === 'PersistentVolumeClaim' && o.metadata.name === 'otel-collector-queue') as Obj & { spec: { accessModes: string[] } };
    expect(pvc.spec.accessModes).toEqual(['ReadWriteOnce']);
    expect(d.spec.strategy?.type).toBe('Recreate');
  });

  it('overlays/ephemeral-queue: an emptyDir and no claim, for clusters with no StorageClass', () => {
    const objs = render('overlays/ephemeral-queue');
    expect(objs.some((o) => o.kind === 'PersistentVolumeClaim')).toBe(false);
    expect(collector('overlays/ephemeral-queue').spec.template.spec.volumes.find((v) => v.name === 'queue')?.emptyDir).toBeDefined();
  });

  it('the image is the Collector release the tests build and run (testbed/versions.env)', () => {
    const version = /^OTELCOL_VERSION=v(\S+)$/m.exec(readFileSync(new URL('../testbed/versions.env', import.meta.url), 'utf8'))?.[1];
    expect(version).toBeDefined();
    for (const dir of DEPLOY_DIRS) expect(collector(dir).spec.template.spec.containers[0]?.image, dir).toBe(`otel/opentelemetry-collector-contrib:${version}`);
  });
});

describe('generated files are current', () => {
  for (const [path, content] of Object.entries(generated())) {
    it(`${path} (npm run generate)`, () => {
      expect(readFileSync(new URL(`../${path}`, import.meta.url), 'utf8')).toBe(content);
    });
  }
});

describe('container image', () => {
  const df = readFileSync(new URL('../Dockerfile', import.meta.url), 'utf8');
  it('multi-stage on Node 24, production dependencies only, non-root, watch by default', () => {
    expect(df.match(/^FROM /gm)?.length).toBeGreaterThanOrEqual(2);
    expect(df).toMatch(/^FROM node:24[^\s]* AS build/m);
    expect(df).toMatch(/^FROM gcr\.io\/distroless\/nodejs24[^\s]*:nonroot/m);
    expect(df).toMatch(/npm prune --omit=dev/);
    expect(df).toMatch(/^USER 65532:65532$/m);
    expect(df).toMatch(/^CMD \["watch"\]$/m);
    const ignore = readFileSync(new URL('../.dockerignore', import.meta.url), 'utf8');
    for (const x of ['node_modules', 'test', '.git']) expect(ignore.split('\n')).toContain(x);
  });
});

// The rendered NetworkPolicies, evaluated as the NetworkPolicy API defines them (podSelector,
// namespaceSelector, ports; a pod selected by any policy of a direction admits only what one of its
// rules allows). No policy engine runs here (no CNI on this machine): this is the test that evaluates
// the policies, over the objects kustomize renders.
describe('NetworkPolicies admit only who needs to reach the agent and the Collector', () => {
  type Sel = { matchLabels?: Record<string, string> };
  type Peer = { podSelector?: Sel; namespaceSelector?: Sel };
  type Rule = { from?: Peer[]; ports?: { port: number; protocol?: string }[] };
  type Policy = Obj & { spec: { podSelector: Sel; policyTypes: string[]; ingress?: Rule[] } };
  const matches = (sel: Sel | undefined, labels: Record<string, string>): boolean => Object.entries(sel?.matchLabels ?? {}).every(([k, v]) => labels[k] === v);
  const policies = render('base').filter((o) => o.kind === 'NetworkPolicy') as Policy[];
  const NS = 'sentinel-agent';
  const nsLabels = (ns: string): Record<string, string> => ({ 'kubernetes.io/metadata.name': ns });
  /** Whether a pod (namespace, labels) may open a TCP connection to a pod of the agent's namespace. */
  function admitted(to: Record<string, string>, port: number, from: { ns: string; labels: Record<string, string> }): boolean {
    const selecting = policies.filter((p) => p.metadata.namespace === NS && p.spec.policyTypes.includes('Ingress') && matches(p.spec.podSelector, to));
    if (selecting.length === 0) return true;
    return selecting.some((p) =>
      (p.spec.ingress ?? []).some((r) => {
        const portOk = !r.ports || r.ports.some((x) => x.port === port && (x.protocol ?? 'TCP') === 'TCP');
        const peerOk =
          !r.from ||
          r.from.some((peer) => {
            if (peer.namespaceSelector && !matches(peer.namespaceSelector, nsLabels(from.ns))) return false;
            // A podSelector alone selects pods of the policy's own namespace.
            if (!peer.namespaceSelector && from.ns !== NS) return false;
            return !peer.podSelector || matches(peer.podSelector, from.labels);
          });
        return portOk && peerOk;
      }),
    );
  }
  const agent = { 'app.kubernetes.io/name': 'sentinel-agent', 'app.kubernetes.io/component': 'agent' };
  const collector = { 'app.kubernetes.io/name': 'otel-collector', 'app.kubernetes.io/component': 'collector' };
  const rows: [string, Record<string, string>, number, { ns: string; labels: Record<string, string> }, boolean][] = [
    ['Prometheus in monitoring reads the agent', agent, 8080, { ns: 'monitoring', labels: { app: 'prometheus' } }, true],
    ['the Collector reaches the agent', agent, 8080, { ns: NS, labels: collector }, true],
    ['a pod of an MCP server namespace cannot read /incidents', agent, 8080, { ns: 'mcp-servers', labels: { app: 'weather' } }, false],
    ['another pod in the agent namespace cannot read /incidents', agent, 8080, { ns: NS, labels: { app: 'debug' } }, false],
    ['the agent sends OTLP/HTTP to the Collector', collector, 4318, { ns: NS, labels: agent }, true],
    ['the agent sends OTLP/gRPC to the Collector', collector, 4317, { ns: NS, labels: agent }, true],
    ['any other pod cannot forge incident records', collector, 4318, { ns: 'mcp-servers', labels: { 'app.kubernetes.io/name': 'sentinel-agent' } }, false],
    ['a pod beside the Collector cannot send OTLP', collector, 4317, { ns: NS, labels: { app: 'debug' } }, false],
    ['Prometheus scrapes the Collector exporter', collector, 8889, { ns: 'monitoring', labels: { app: 'prometheus' } }, true],
    ['other namespaces cannot scrape it', collector, 8889, { ns: 'mcp-servers', labels: {} }, false],
  ];
  for (const [name, to, port, from, want] of rows) it(`${want ? 'admitted' : 'refused'}: ${name}`, () => expect(admitted(to, port, from)).toBe(want));

  // Egress, evaluated the same way, to a pod or to an address outside the cluster (ipBlock).
  type EgressRule = { to?: (Peer & { ipBlock?: { cidr: string; except?: string[] } })[]; ports?: { port: number; protocol?: string }[] };
  const ipv4 = (a: string): number => a.split('.').reduce((n, o) => n * 256 + Number(o), 0);
  const inCidr = (ip: string, cidr: string): boolean => {
    const [net, bits] = cidr.split('/') as [string, string];
    const size = 2 ** (32 - Number(bits));
    return Math.floor(ipv4(ip) / size) === Math.floor(ipv4(net) / size);
  };
  /** Whether the agent may open a TCP connection to a pod (namespace, labels) or an address. */
  function agentMayReach(dir: string, port: number, to: { ns: string; labels: Record<string, string> } | { ip: string }, protocol = 'TCP'): boolean {
    const np = render(dir).find((o) => o.kind === 'NetworkPolicy' && o.metadata.name === 'sentinel-agent') as unknown as { spec: { egress: EgressRule[] } };
    return np.spec.egress.some((r) => {
      const portOk = !r.ports || r.ports.some((x) => x.port === port && (x.protocol ?? 'TCP') === protocol);
      const peerOk =
        !r.to ||
        r.to.some((peer) => {
          if ('ip' in to) return peer.ipBlock !== undefined && inCidr(to.ip, peer.ipBlock.cidr) && !(peer.ipBlock.except ?? []).some((e) => inCidr(to.ip, e));
          if (peer.ipBlock) return false;
          if (peer.namespaceSelector && !matches(peer.namespaceSelector, nsLabels(to.ns))) return false;
          if (!peer.namespaceSelector && to.ns !== NS) return false;
          return !peer.podSelector || matches(peer.podSelector, to.labels);
        });
      return portOk && peerOk;
    });
  }
  const apiserver = { ip: '192.0.2.10' }; // the example address in overlays/apiserver-egress
  const elsewhere = { ip: '203.0.113.7' };
  const dns = { ns: 'kube-system', labels: { 'k8s-app': 'kube-dns' } };
  const egressRows: [string, string, number, { ns: string; labels: Record<string, string> } | { ip: string }, boolean, string?][] = [
    ['base', 'the API server on 6443', 6443, apiserver, true],
    ['base', 'any address on 443 (the API server cannot be selected by label)', 443, elsewhere, true],
    ['base', 'any address on another port', 8443, elsewhere, false],
    ['overlays/apiserver-egress', 'the API server on 6443', 6443, apiserver, true],
    ['overlays/apiserver-egress', 'the API server on 443', 443, apiserver, true],
    ['overlays/apiserver-egress', 'another address on 443', 443, elsewhere, false],
    ['overlays/apiserver-egress', 'another address on 6443', 6443, elsewhere, false],
    ['overlays/apiserver-egress', 'the Collector (OTLP/HTTP)', 4318, { ns: NS, labels: collector }, true],
    ['overlays/apiserver-egress', 'DNS over UDP', 53, dns, true, 'UDP'],
    ['overlays/apiserver-egress', 'a pod of an MCP server namespace', 8080, { ns: 'mcp-servers', labels: { app: 'weather' } }, false],
  ];
  for (const [dir, name, port, to, want, protocol] of egressRows) it(`${dir}: the agent ${want ? 'reaches' : 'cannot reach'} ${name}`, () => expect(agentMayReach(dir, port, to, protocol)).toBe(want));

  it('the Collector has an egress policy and its own ServiceAccount with no token', () => {
    const objs = render('base');
    const np = policies.find((p) => p.metadata.name === 'otel-collector');
    expect(np?.spec.policyTypes).toEqual(['Ingress', 'Egress']);
    const sa = objs.find((o) => o.kind === 'ServiceAccount' && o.metadata.name === 'otel-collector') as Obj & { automountServiceAccountToken?: boolean };
    expect(sa?.automountServiceAccountToken).toBe(false);
    const dep = objs.find((o) => o.kind === 'Deployment' && o.metadata.name === 'otel-collector') as unknown as { spec: { template: { spec: { serviceAccountName?: string; automountServiceAccountToken?: boolean } } } };
    expect(dep.spec.template.spec.serviceAccountName).toBe('otel-collector');
    expect(dep.spec.template.spec.automountServiceAccountToken).toBe(false);
  });
});
