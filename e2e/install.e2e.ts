// Install and least privilege, on the real kube-apiserver: every kustomization under deploy/
// renders and is accepted (server-side apply, dry run: the real server validates every field); the
// agent, run as its ServiceAccount with a TokenRequest token bound to the generated ClusterRole,
// syncs every kind with no 403, and SelfSubjectAccessReviews show what it can and cannot do.

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BIN, DEPLOY_DIRS, KubeError, ROOT, agentKubeconfig, cliJson, ensureNamespace, fastConfig, render, startAgent, type Agent, type Kube, type Obj, type Testbed, upTestbed, waitFor } from './support.ts';
import { readManifests } from '../testbed/testbed.ts';
import { KIND_NAMES, KINDS, isConfigured } from '../src/kube/kinds.ts';
import { parseAllDocuments } from 'yaml';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { spawnSync } from 'node:child_process';

let tb: Testbed;
beforeAll(async () => {
  tb = await upTestbed({ nodes: 1 });
});
afterAll(async () => {
  await tb?.down();
});

/** The Prometheus Operator's CRDs are not part of the test bed: stand-ins that accept any spec, so
 * the real server still checks apiVersion, kind, metadata and the namespace of those objects. */
async function prometheusOperatorCrds(kube: Kube): Promise<void> {
  for (const [kind, plural] of [['PrometheusRule', 'prometheusrules'], ['ServiceMonitor', 'servicemonitors'], ['PodMonitor', 'podmonitors']] as const) {
    await kube.apply({
      apiVersion: 'apiextensions.k8s.io/v1',
      kind: 'CustomResourceDefinition',
      metadata: { name: `${plural}.monitoring.coreos.com` },
      spec: { group: 'monitoring.coreos.com', scope: 'Namespaced', names: { kind, plural, listKind: `${kind}List`, singular: kind.toLowerCase() }, versions: [{ name: 'v1', served: true, storage: true, schema: { openAPIV3Schema: { type: 'object', properties: { spec: { type: 'object', 'x-kubernetes-preserve-unknown-fields': true } } } } }] },
    });
  }
  await waitFor('monitoring.coreos.com to be served', () => kube.find('/apis/monitoring.coreos.com/v1'), 30_000);
}

async function ssar(kube: Kube, attrs: Record<string, string>): Promise<boolean> {
  const r = await kube.call<{ status: { allowed: boolean } }>('POST', '/apis/authorization.k8s.io/v1/selfsubjectaccessreviews', { apiVersion: 'authorization.k8s.io/v1', kind: 'SelfSubjectAccessReview', spec: { resourceAttributes: attrs } });
  return r.status.allowed;
}

describe('deploy/ on the real API server', () => {
  it('every kustomization renders and is accepted by server-side apply with dry run', async () => {
    await prometheusOperatorCrds(tb.kube);
    // Namespaces first (for real: a dry-run Namespace is not there for the objects inside it).
    for (const dir of DEPLOY_DIRS) for (const ns of render(dir).filter((o) => o.kind === 'Namespace')) await tb.kube.apply(ns);
    for (const dir of DEPLOY_DIRS) {
      const objs = render(dir);
      expect(objs.length).toBeGreaterThan(10);
      for (const o of objs) {
        try {
          await tb.kube.apply(o, { dryRun: true, manager: 'e2e-install' });
        } catch (e) {
          throw new Error(`${dir}: ${o.kind} ${o.metadata.namespace ?? ''}/${o.metadata.name} rejected: ${(e as Error).message}`, { cause: e });
        }
      }
    }
  });

  it('a field the server does not know is rejected (the dry run really validates)', async () => {
    const d = render('base').find((o) => o.kind === 'Deployment' && o.metadata.name === 'sentinel-agent') as Obj;
    const bad = structuredClone(d) as Obj & { spec: { template: { spec: Record<string, unknown> } } };
    bad.spec.template.spec.notAField = true;
    const err = await tb.kube.apply(bad, { dryRun: true }).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(err).toBeInstanceOf(KubeError);
    expect((err as KubeError).message).toMatch(/notAField/);
  });

  it('the test bed CRDs are the ones `kubectl get` shows with their printer columns', async () => {
    const crds = readManifests(new URL('../testbed/crds/mcpserver.yaml', import.meta.url).pathname);
    expect(crds[0]?.metadata.name).toBe('mcpservers.mcpruntime.org');
    const served = await tb.kube.get<{ resources: { name: string }[] }>('/apis/mcpruntime.org/v1alpha1');
    expect(served.resources.map((r) => r.name).sort()).toEqual(['mcpservers', 'mcpservers/status']);
  });
});

describe('least privilege: the agent as its ServiceAccount', () => {
  let agent: Agent | undefined;
  afterAll(async () => {
    await agent?.stop();
  });

  it('syncs every kind with no 403, and can read no Secret nor write anything', async () => {
    const { kubeconfig, token } = await agentKubeconfig(tb);
    const asAgent = tb.kube.withToken(token);
    agent = await startAgent(kubeconfig, fastConfig());
    const ready = await agent.readyz();
    expect(ready.status).toBe(200);
    // Every kind the checks read was listed with the agent's own token: no SourceUnavailable.
    const doc = await agent.incidents();
    expect(doc.incidents.filter((i) => i.reason === 'SourceUnavailable')).toEqual([]);
    expect(agent.logs().filter((l) => JSON.stringify(l).includes('403'))).toEqual([]);

    for (const k of KIND_NAMES.filter(isConfigured).map((n) => KINDS[n])) {
      for (const verb of ['list', 'watch']) expect(await ssar(asAgent, { verb, group: k.group, resource: k.plural }), `${verb} ${k.plural}`).toBe(true);
      for (const verb of ['create', 'update', 'patch', 'delete']) expect(await ssar(asAgent, { verb, group: k.group, resource: k.plural }), `${verb} ${k.plural}`).toBe(false);
    }
    for (const verb of ['get', 'list', 'watch']) expect(await ssar(asAgent, { verb, group: '', resource: 'secrets' }), `${verb} secrets`).toBe(false);
    expect(await ssar(asAgent, { verb: 'create', group: '', resource: 'events', namespace: 'mcp-servers' })).toBe(false);
    expect(await ssar(asAgent, { verb: 'update', group: 'coordination.k8s.io', resource: 'leases', namespace: 'sentinel-agent' })).toBe(false);
    // And the real server refuses it, not only the review.
    const secrets = await asAgent.raw('GET', '/api/v1/secrets');
    expect(secrets.status).toBe(403);
    // What the agent really asked for, from the API server's audit log: reads only, never a Secret,
    // and ConfigMaps only with the operator's label selector (not every application's config).
    const mine = tb.audit().filter((e) => e.user.username === 'system:serviceaccount:sentinel-agent:sentinel-agent' && !e.requestURI.startsWith('/api/v1/secrets') && !e.requestURI.startsWith('/apis/authorization.k8s.io'));
    expect(mine.length).toBeGreaterThan(10);
    expect(mine.filter((e) => !['get', 'list', 'watch'].includes(e.verb)).map((e) => `${e.verb} ${e.requestURI}`)).toEqual([]);
    expect(mine.filter((e) => e.objectRef?.resource === 'secrets')).toEqual([]);
    const cms = mine.filter((e) => e.objectRef?.resource === 'configmaps');
    // A streaming list that goes on as the watch (or a LIST and a WATCH where streaming is refused).
    expect(cms.length).toBeGreaterThanOrEqual(1);
    for (const e of cms) expect(decodeURIComponent(e.requestURI)).toContain('labelSelector=app.kubernetes.io/managed-by=mcp-runtime');
    expect(mine.filter((e) => (e.responseStatus?.code ?? 200) === 403)).toEqual([]);
  });

  it("customResources: forbidden until the `rbac` command's ClusterRole is applied, then judged by kstatus", async () => {
    // A CRD of nobody's making, its controller played by the test: a Widget its controller gave up on.
    await tb.kube.apply({
      apiVersion: 'apiextensions.k8s.io/v1',
      kind: 'CustomResourceDefinition',
      metadata: { name: 'widgets.example.org' },
      spec: { group: 'example.org', scope: 'Namespaced', names: { kind: 'Widget', plural: 'widgets', listKind: 'WidgetList', singular: 'widget' }, versions: [{ name: 'v1', served: true, storage: true, subresources: { status: {} }, schema: { openAPIV3Schema: { type: 'object', properties: { spec: { type: 'object', 'x-kubernetes-preserve-unknown-fields': true }, status: { type: 'object', 'x-kubernetes-preserve-unknown-fields': true } } } } }] },
    } as Obj);
    await waitFor('example.org to be served', () => tb.kube.find('/apis/example.org/v1'), 30_000);
    await ensureNamespace(tb.kube, 'widgets');
    const w = { apiVersion: 'example.org/v1', kind: 'Widget', metadata: { name: 'w1', namespace: 'widgets' }, spec: { size: 3 } } as Obj;
    await tb.kube.apply(w);
    await tb.kube.applyStatus({ ...w, status: { observedGeneration: 1, conditions: [{ type: 'Stalled', status: 'True', reason: 'QuotaExceeded', message: 'cannot allocate 3 widgets', lastTransitionTime: new Date().toISOString().replace(/\.\d+Z$/, 'Z') }] } } as Obj, 'widget-controller');
    const dir = mkdtempSync(join(tmpdir(), 'sa-e2e-cr-'));
    const config = join(dir, 'config.yaml');
    writeFileSync(config, 'customResources:\n  - { group: example.org, version: v1, kind: Widget, plural: widgets }\n');
    const { kubeconfig } = await agentKubeconfig(tb);
    const doctor = (): { reason: string; severity: string; message: string; object: { kind: string; name: string } }[] =>
      (JSON.parse(cliJson(['doctor', '--kubeconfig', kubeconfig, '--config', config, '-o', 'json']).stdout) as { incidents: { reason: string; severity: string; message: string; object: { kind: string; name: string } }[] }).incidents;
    // The shipped ClusterRole does not cover it: said so, as a warning, not a green report.
    const before = doctor().find((i) => i.reason === 'SourceUnavailable');
    expect(before?.severity).toBe('warning');
    expect(before?.message).toContain('cannot read widgets.example.org: forbidden by RBAC');
    const rbac = cliJson(['rbac', '--config', config]);
    expect(rbac.code).toBe(0);
    for (const d of parseAllDocuments(rbac.stdout)) await tb.kube.apply(d.toJS() as Obj);
    const judged = await waitFor('the Widget judged', () => doctor().find((i) => i.reason === 'ResourceNotReady'), 30_000);
    expect(judged.object).toMatchObject({ kind: 'Widget', name: 'w1' });
    expect(judged.message).toBe('Widget is stalled: QuotaExceeded: cannot allocate 3 widgets');
  });

  it("reads the MCPServer CRD's default for spec.gateway.enabled with its own token (get on that CRD only)", async () => {
    const { kubeconfig, token } = await agentKubeconfig(tb);
    const doctor = (): string => spawnSync(process.execPath, [BIN, 'doctor', '--kubeconfig', kubeconfig, '--log-level', 'debug', '-o', 'json'], { cwd: ROOT, encoding: 'utf8', env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '/tmp' }, timeout: 120_000 }).stderr;
    // The test bed's CRD is an older operator's: no default.
    expect(doctor()).toContain('debug: the MCPServer CRD declares no default for spec.gateway.enabled');
    const [orig] = readManifests(new URL('../testbed/crds/mcpserver.yaml', import.meta.url).pathname);
    type Schema = { properties: Record<string, Schema>; default?: unknown };
    const crd = structuredClone(orig) as Obj & { spec: { versions: { schema: { openAPIV3Schema: Schema } }[] } };
    for (const v of crd.spec.versions) {
      const enabled = v.schema.openAPIV3Schema.properties.spec?.properties.gateway?.properties.enabled;
      if (enabled) enabled.default = true;
    }
    await tb.kube.apply(crd);
    try {
      await waitFor('the new default read', () => doctor().includes("debug: the MCPServer CRD's default for spec.gateway.enabled is true"), 30_000);
    } finally {
      await tb.kube.apply(orig as Obj);
    }
    const asAgent = tb.kube.withToken(token);
    expect(await ssar(asAgent, { verb: 'get', group: 'apiextensions.k8s.io', resource: 'customresourcedefinitions', name: 'mcpservers.mcpruntime.org' })).toBe(true);
    expect(await ssar(asAgent, { verb: 'get', group: 'apiextensions.k8s.io', resource: 'customresourcedefinitions', name: 'certificates.cert-manager.io' })).toBe(false);
    expect(await ssar(asAgent, { verb: 'list', group: 'apiextensions.k8s.io', resource: 'customresourcedefinitions' })).toBe(false);
  });

  it('the events and ha overlays grant exactly their writes, nothing cluster-wide', async () => {
    const { token } = await agentKubeconfig(tb, 'overlays/events');
    const asAgent = tb.kube.withToken(token);
    expect(await ssar(asAgent, { verb: 'create', group: '', resource: 'events', namespace: 'mcp-servers' })).toBe(true);
    expect(await ssar(asAgent, { verb: 'patch', group: '', resource: 'events', namespace: 'mcp-servers' })).toBe(true);
    expect(await ssar(asAgent, { verb: 'delete', group: '', resource: 'events', namespace: 'mcp-servers' })).toBe(false);
    expect(await ssar(asAgent, { verb: 'get', group: '', resource: 'secrets', namespace: 'mcp-servers' })).toBe(false);
    const ha = await agentKubeconfig(tb, 'overlays/ha');
    const asHa = tb.kube.withToken(ha.token);
    // Only its own Lease, by name; another Lease in its namespace or elsewhere is out of reach.
    expect(await ssar(asHa, { verb: 'update', group: 'coordination.k8s.io', resource: 'leases', namespace: 'sentinel-agent', name: 'sentinel-agent' })).toBe(true);
    expect(await ssar(asHa, { verb: 'update', group: 'coordination.k8s.io', resource: 'leases', namespace: 'sentinel-agent', name: 'other' })).toBe(false);
    expect(await ssar(asHa, { verb: 'update', group: 'coordination.k8s.io', resource: 'leases', namespace: 'kube-system', name: 'sentinel-agent' })).toBe(false);
  });
});
