// Detection on real controllers: the test plays MCP Runtime's operator (MCPServers, their
// Deployments, Services, Ingresses, policy ConfigMaps, status through the status subresource); the
// real Deployment, ReplicaSet, EndpointSlice, ResourceQuota and garbage-collector controllers and the
// scheduler do the rest, and KWOK stages give pods their states by label. Every reason that can
// arise this way opens with the right root cause, heals when fixed (a rollout to a good image), and
// the Kubernetes Events sink and doctor agree with /incidents.

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { stringify } from 'yaml';
import {
  BEHAVIOUR,
  MESSAGE,
  REASON,
  agentKubeconfig,
  applyServerWorkload,
  cliJson,
  createMcpServer,
  deployment,
  ensureNamespace,
  fastConfig,
  installPlatform,
  reconcileServer,
  startAgent,
  summary,
  upTestbed,
  waitFor,
  writeServerStatus,
  type Agent,
  type IncidentView,
  type Obj,
  type Testbed,
} from './support.ts';

let tb: Testbed;
let agent: Agent;
let kubeconfig: string;

// What a real containerd kubelet writes for a tag that does not exist in a registry (the e2e tests
// of the pull classifier use the same shape from real clusters).
const NOT_FOUND = 'rpc error: code = NotFound desc = failed to pull and unpack image "ghcr.io/acme/pully:v9.9.9": failed to resolve reference "ghcr.io/acme/pully:v9.9.9": ghcr.io/acme/pully:v9.9.9: not found';
const NS = 'mcp-servers';

beforeAll(async () => {
  tb = await upTestbed({ nodes: 2 });
  await installPlatform(tb.kube);
  ({ kubeconfig } = await agentKubeconfig(tb, 'overlays/events'));

  await createMcpServer(tb.kube, { name: 'weather' });
  await createMcpServer(tb.kube, { name: 'crashy', behaviour: 'crashloop' });
  await createMcpServer(tb.kube, { name: 'pully', image: 'ghcr.io/acme/pully:v9.9.9', behaviour: 'pull-error', message: NOT_FOUND });
  await createMcpServer(tb.kube, { name: 'oomy', behaviour: 'oom', memoryLimit: '64Mi' });
  await createMcpServer(tb.kube, { name: 'gated', gateway: true });
  await tb.kube.delete(`/api/v1/namespaces/${NS}/configmaps/gated-gateway-policy`); // the policy is not materialized
  // A pod that no node fits (the real scheduler answers Unschedulable).
  await ensureNamespace(tb.kube, 'batch');
  const picky = deployment('picky', 'batch', { app: 'picky' }, [{ name: 'w', image: 'busybox:1.36' }], 1);
  picky.spec.template.spec.nodeSelector = { disktype: 'nvme' };
  await tb.kube.apply(picky);
  // A namespace whose quota admits no pod (the real ReplicaSet controller reports ReplicaFailure).
  await ensureNamespace(tb.kube, 'quota');
  await tb.kube.apply({ apiVersion: 'v1', kind: 'ResourceQuota', metadata: { name: 'no-pods', namespace: 'quota' }, spec: { hard: { pods: '0' } } });
  await waitFor('the quota to be counted', async () => ((await tb.kube.get<{ status?: { hard?: unknown } }>('/api/v1/namespaces/quota/resourcequotas/no-pods')).status?.hard ? true : undefined), 60_000);
  await tb.kube.apply(deployment('capped', 'quota', { app: 'capped' }, [{ name: 'w', image: 'busybox:1.36' }], 1));
  // A rollout that cannot finish within its progress deadline (the real controller sets
  // Progressing=False ProgressDeadlineExceeded after 5 s), and a container whose config is missing.
  const slow = deployment('slow', 'batch', { app: 'slow' }, [{ name: 'w', image: 'busybox:1.36' }], 1, { podLabels: { [BEHAVIOUR]: 'crashloop' } });
  slow.spec.progressDeadlineSeconds = 5;
  await tb.kube.apply(slow);
  await tb.kube.apply(deployment('configless', 'batch', { app: 'configless' }, [{ name: 'w', image: 'busybox:1.36' }], 1, { podLabels: { [BEHAVIOUR]: 'pending' }, podAnnotations: { [REASON]: 'CreateContainerConfigError', [MESSAGE]: 'secret "api-keys" not found' } }));
  // An Ingress no controller admits (no load-balancer status written).
  await tb.kube.apply({ apiVersion: 'networking.k8s.io/v1', kind: 'Ingress', metadata: { name: 'orphan', namespace: 'batch' }, spec: { ingressClassName: 'traefik', rules: [{ http: { paths: [{ path: '/', pathType: 'Prefix', backend: { service: { name: 'nothing', port: { number: 80 } } } }] } }] } });
  // A Certificate cert-manager could not issue (the test stands in for cert-manager's status write).
  const cert = await tb.kube.apply({ apiVersion: 'cert-manager.io/v1', kind: 'Certificate', metadata: { name: 'gated-gateway-mtls', namespace: NS }, spec: { secretName: 'gated-gateway-mtls', issuerRef: { name: 'mcp-runtime-ca', kind: 'ClusterIssuer' }, dnsNames: ['gated.mcp-servers.svc'] } });
  await tb.kube.applyStatus({ ...cert, status: { conditions: [{ type: 'Ready', status: 'False', reason: 'Failed', message: 'The certificate request has failed to complete and will be retried: clusterissuer.cert-manager.io "mcp-runtime-ca" not found', lastTransitionTime: new Date().toISOString().replace(/\.\d+Z$/, 'Z') }] } } as Obj, 'cert-manager-certificates-issuing');

  // The operator's status write, from what the real controllers made of its Deployments.
  await waitFor('weather to become ready', () => reconcileServer(tb.kube, 'weather'), 90_000);
  for (const n of ['crashy', 'pully', 'oomy']) await reconcileServer(tb.kube, n);
  await writeServerStatus(tb.kube, 'gated', NS, { deploymentReady: true, gatewayReady: true, policyReady: false });

  agent = await startAgent(kubeconfig, fastConfig({ sinks: { kubernetesEvents: { enabled: true, ratePerSecond: 50, burst: 100 } } }));
});

afterAll(async () => {
  await agent?.stop();
  await tb?.down();
});

function find(incidents: IncidentView[], reason: string, name: string | RegExp): IncidentView | undefined {
  return incidents.find((i) => i.reason === reason && (typeof name === 'string' ? i.object.name === name : name.test(i.object.name)));
}

describe('detection on the real control plane', () => {
  it('opens every reason that arises here, each with the right root cause', async () => {
    const expected: [string, string | RegExp][] = [
      ['CrashLoopBackOff', /^crashy-/],
      ['ImagePullBackOff', /^pully-/],
      ['OOMKilled', /^oomy-/],
      ['MCPServerPartiallyReady', 'crashy'],
      ['MCPServerPartiallyReady', 'pully'],
      ['ServiceNoEndpoints', 'crashy'],
      ['PodUnschedulable', /^picky-/],
      ['DeploymentReplicaFailure', 'capped'],
      ['IngressNotAdmitted', 'orphan'],
      ['CertificateNotReady', 'gated-gateway-mtls'],
      ['PolicyNotMaterialized', 'gated'],
      ['DeploymentProgressDeadlineExceeded', 'slow'],
      ['CreateContainerConfigError', /^configless-/],
    ];
    const doc = await waitFor(
      'every expected incident',
      async () => {
        const d = await agent.incidents();
        return expected.every(([r, n]) => find(d.incidents, r, n)) ? d : undefined;
      },
      120_000,
      1000,
    ).catch(async (e: unknown) => {
      throw new Error(`${(e as Error).message}\nopen: ${summary(await agent.incidents()).join('\n')}`, { cause: e });
    });
    const byId = new Map(doc.incidents.map((i) => [i.id, i]));
    const rootOf = (i: IncidentView | undefined): IncidentView | undefined => (i?.rootCauseId ? byId.get(i.rootCauseId) : undefined);
    const crashPod = find(doc.incidents, 'CrashLoopBackOff', /^crashy-/);
    // The crash-looping pod explains its server's state and its Service's missing endpoints.
    expect(rootOf(find(doc.incidents, 'MCPServerPartiallyReady', 'crashy'))?.id).toBe(crashPod?.id);
    expect(rootOf(find(doc.incidents, 'ServiceNoEndpoints', 'crashy'))?.id).toBe(crashPod?.id);
    expect(crashPod?.rootCauseId).toBeUndefined();
    const pullPod = find(doc.incidents, 'ImagePullBackOff', /^pully-/);
    expect(pullPod?.message).toMatch(/not found|does not exist/i);
    expect(rootOf(find(doc.incidents, 'MCPServerPartiallyReady', 'pully'))?.id).toBe(pullPod?.id);
    // OOMKilled is the root of the same pod's crash loop.
    const oom = find(doc.incidents, 'OOMKilled', /^oomy-/);
    expect(oom?.message).toContain('64Mi');
    expect(rootOf(find(doc.incidents, 'CrashLoopBackOff', /^oomy-/))?.id).toBe(oom?.id);
    // The healthy server and the platform have nothing open.
    expect(doc.incidents.filter((i) => i.object.name.startsWith('weather') || i.object.namespace === 'mcp-runtime' || i.object.namespace === 'registry')).toEqual([]);
    expect(doc.incidents.filter((i) => i.reason === 'SourceUnavailable' || i.reason === 'CheckFailed')).toEqual([]);
    expect(find(doc.incidents, 'CreateContainerConfigError', /^configless-/)?.message).toContain('api-keys');
    expect(rootOf(find(doc.incidents, 'DeploymentProgressDeadlineExceeded', 'slow'))?.reason).toBe('CrashLoopBackOff');
  });

  it('doctor live gives the same incident ids as /incidents', async () => {
    // The same configuration as the agent's (the cluster name is part of every incident id).
    const cfg = join(mkdtempSync(join(tmpdir(), 'sa-e2e-doctor-')), 'config.yaml');
    writeFileSync(cfg, stringify(fastConfig()));
    const r = cliJson(['doctor', '--kubeconfig', kubeconfig, '-o', 'json', '--config', cfg]);
    expect(r.stderr).toBe('');
    const doc = JSON.parse(r.stdout) as { incidents: IncidentView[] };
    // Both see the same objects; compare every incident both report (doctor also reports the ones
    // whose grace the agent's hold has not reached, and the agent keeps resolved ones held).
    const live = new Map((await agent.incidents()).incidents.map((i) => [`${i.reason} ${i.object.kind} ${i.object.namespace}/${i.object.name}`, i.id]));
    const pairs = doc.incidents.filter((i) => live.has(`${i.reason} ${i.object.kind} ${i.object.namespace}/${i.object.name}`));
    expect(pairs.length).toBeGreaterThanOrEqual(5);
    for (const i of pairs) expect(i.id, i.reason).toBe(live.get(`${i.reason} ${i.object.kind} ${i.object.namespace}/${i.object.name}`));
  });

  it('writes Kubernetes Events on the involved objects, readable with kubectl get events', async () => {
    const events = await waitFor(
      'events from sentinel-agent',
      () => {
        const out = execFileSync('kubectl', ['--kubeconfig', tb.kubeconfig, 'get', 'events', '-A', '-o', 'json'], { encoding: 'utf8' });
        const items = (JSON.parse(out) as { items: { reason: string; type: string; count?: number; involvedObject: { kind: string; name: string; namespace?: string }; source?: { component?: string } }[] }).items.filter((e) => e.source?.component === 'sentinel-agent');
        return items.some((e) => e.reason === 'CrashLoopBackOff') && items.some((e) => e.reason === 'MCPServerPartiallyReady') ? items : undefined;
      },
      60_000,
      1000,
    );
    const crash = events.find((e) => e.reason === 'CrashLoopBackOff' && e.involvedObject.name.startsWith('crashy-'));
    expect(crash?.type).toBe('Warning');
    expect(crash?.involvedObject.kind).toBe('Pod');
    expect(crash?.involvedObject.name).toMatch(/^crashy-/);
    const srv = events.find((e) => e.reason === 'MCPServerPartiallyReady' && e.involvedObject.name === 'crashy');
    expect(srv?.involvedObject).toMatchObject({ kind: 'MCPServer', namespace: NS });
    // kubectl describe shows them on the object too.
    const described = execFileSync('kubectl', ['--kubeconfig', tb.kubeconfig, '-n', NS, 'describe', 'mcpserver', 'crashy'], { encoding: 'utf8' });
    expect(described).toContain('MCPServerPartiallyReady');
  });

  it('aggregates a repeated transition into one Event whose count is patched', async () => {
    const path = `/apis/cert-manager.io/v1/namespaces/${NS}/certificates/gated-gateway-mtls`;
    const cert = await tb.kube.get(path);
    const at = (): string => new Date().toISOString().replace(/\.\d+Z$/, 'Z');
    const setReady = (status: 'True' | 'False'): Promise<unknown> =>
      tb.kube.applyStatus({ ...cert, status: { conditions: [{ type: 'Ready', status, reason: status === 'True' ? 'Ready' : 'Failed', message: status === 'True' ? 'Certificate is up to date and has not expired' : 'The certificate request has failed to complete and will be retried', lastTransitionTime: at() }], ...(status === 'True' ? { notAfter: new Date(Date.now() + 90 * 86400_000).toISOString().replace(/\.\d+Z$/, 'Z') } : {}) } } as Obj, 'cert-manager-certificates-issuing');
    const certEvents = (): { reason: string; count?: number; type: string }[] =>
      (JSON.parse(execFileSync('kubectl', ['--kubeconfig', tb.kubeconfig, '-n', NS, 'get', 'events', '--field-selector', 'involvedObject.name=gated-gateway-mtls', '-o', 'json'], { encoding: 'utf8' })) as { items: { reason: string; count?: number; type: string }[] }).items;
    for (let round = 0; round < 2; round++) {
      await setReady('True');
      await waitFor('the certificate incident to resolve', async () => (find((await agent.incidents()).incidents, 'CertificateNotReady', 'gated-gateway-mtls') ? undefined : true), 30_000, 300);
      await setReady('False');
      await waitFor('the certificate incident to reopen', async () => find((await agent.incidents()).incidents, 'CertificateNotReady', 'gated-gateway-mtls'), 30_000, 300);
    }
    const opened = await waitFor('the opened Event counted three times', () => certEvents().find((e) => e.reason === 'CertificateNotReady' && (e.count ?? 0) >= 3), 30_000, 500);
    expect(opened.type).toBe('Warning');
    expect(certEvents().filter((e) => e.reason === 'CertificateNotReady')).toHaveLength(1);
    expect(certEvents().find((e) => e.reason === 'CertificateNotReadyResolved')?.count).toBeGreaterThanOrEqual(2);
  });

  it('heals on a rollout to a good image: new ReplicaSet, old pods deleted, incidents resolved', async () => {
    const mcp = await tb.kube.get<Obj & { metadata: { uid: string } }>(`/apis/mcpruntime.org/v1alpha1/namespaces/${NS}/mcpservers/pully`);
    await tb.kube.apply({ ...mcp, metadata: { name: 'pully', namespace: NS }, spec: { image: 'ghcr.io/acme/pully:v1.0.0' } } as Obj);
    await applyServerWorkload(tb.kube, mcp, { name: 'pully', image: 'ghcr.io/acme/pully:v1.0.0' });
    await waitFor('pully to become ready', () => reconcileServer(tb.kube, 'pully'), 90_000);
    const rs = await tb.kube.list<{ metadata: { name: string }; spec: { replicas: number } }>(`/apis/apps/v1/namespaces/${NS}/replicasets?labelSelector=app%3Dpully`);
    expect(rs.items.length).toBe(2);
    expect(rs.items.filter((r) => r.spec.replicas > 0).length).toBe(1);
    await waitFor(
      "pully's incidents to resolve",
      async () => {
        const d = await agent.incidents();
        return d.incidents.some((i) => i.object.name.startsWith('pully')) ? undefined : true;
      },
      60_000,
      500,
    ).catch(async (e: unknown) => {
      throw new Error(`${(e as Error).message}\nopen: ${summary(await agent.incidents()).join('\n')}`, { cause: e });
    });
    // The old pod is gone from the API server, not only from the agent's view.
    const pods = await tb.kube.list<{ metadata: { name: string }; spec: { containers: { image: string }[] } }>(`/api/v1/namespaces/${NS}/pods?labelSelector=app%3Dpully`);
    expect(pods.items.map((p) => p.spec.containers[0]?.image)).toEqual(['ghcr.io/acme/pully:v1.0.0']);
    // The resolve was announced as a Normal event.
    await waitFor(
      'a resolved event',
      () => {
        const out = execFileSync('kubectl', ['--kubeconfig', tb.kubeconfig, '-n', NS, 'get', 'events', '-o', 'json'], { encoding: 'utf8' });
        return (JSON.parse(out) as { items: { reason: string; type: string }[] }).items.some((e) => e.reason === 'ImagePullBackOffResolved' && e.type === 'Normal') || undefined;
      },
      30_000,
      1000,
    );
  });
});

/** Waits for the incident and for its explanation by a finding of `cause`, which can come a pass
 *  later (the pod's own incident appears when KWOK plays its state); says what is open if neither does. */
async function explained(reason: string, name: string | RegExp, cause: string, timeoutMs = 90_000): Promise<{ incident: IncidentView; root: IncidentView }> {
  return waitFor(`${reason} on ${name}, explained by ${cause}`, async () => {
    const d = await agent.incidents();
    const incident = find(d.incidents, reason, name);
    const root = d.incidents.find((r) => r.id === incident?.rootCauseId && r.reason === cause);
    return incident && root ? { incident, root } : undefined;
  }, timeoutMs, 500).catch(async (e: unknown) => {
    throw new Error(`${(e as Error).message}\nopen: ${summary(await agent.incidents()).join('\n')}`, { cause: e });
  });
}

describe('a bad rollout that old pods hide, on the real control plane', () => {
  it('a template change to a crashing build: DeploymentRolloutFailing while the old pods serve, explained by a new pod', async () => {
    await ensureNamespace(tb.kube, 'rollout');
    const good = deployment('rolly', 'rollout', { app: 'rolly' }, [{ name: 'w', image: 'busybox:1.36' }], 4);
    await tb.kube.apply(good);
    await waitFor('four ready pods of the first revision', async () => ((await tb.kube.get<{ status?: { readyReplicas?: number } }>('/apis/apps/v1/namespaces/rollout/deployments/rolly')).status?.readyReplicas === 4 ? true : undefined), 90_000);
    // The real Deployment controller makes revision 2 and replaces pods a few at a time
    // (maxUnavailable 25%): the new ones crash-loop (KWOK), three old ones keep serving.
    await tb.kube.apply(deployment('rolly', 'rollout', { app: 'rolly' }, [{ name: 'w', image: 'busybox:1.37' }], 4, { podLabels: { [BEHAVIOUR]: 'crashloop' } }));
    const { incident: f, root } = await explained('DeploymentRolloutFailing', 'rolly', 'CrashLoopBackOff');
    expect(f.message).toMatch(/^The rollout to ReplicaSet rolly-\w+ \(revision 2\) is failing: \d of \d new pods? not ready .* while 3 old pods still serve$/);
    expect(root.reason).toBe('CrashLoopBackOff');
    expect(root.object.name).toMatch(/^rolly-/);
    // Rolled back, the incident resolves.
    await tb.kube.apply(good);
    await waitFor('the rollout incident to resolve after the rollback', async () => (find((await agent.incidents()).incidents, 'DeploymentRolloutFailing', 'rolly') ? undefined : true), 90_000, 500);
  });
});

describe('StatefulSets on the real control plane', () => {
  it("a StatefulSet whose pods crash-loop: StatefulSetUnavailable from the real controller's status, explained by its pod", async () => {
    await ensureNamespace(tb.kube, 'sentinel');
    await tb.kube.apply({
      apiVersion: 'apps/v1',
      kind: 'StatefulSet',
      metadata: { name: 'kafka', namespace: 'sentinel' },
      spec: {
        replicas: 2,
        serviceName: 'kafka',
        podManagementPolicy: 'Parallel',
        selector: { matchLabels: { app: 'kafka' } },
        template: { metadata: { labels: { app: 'kafka', [BEHAVIOUR]: 'crashloop' } }, spec: { containers: [{ name: 'kafka', image: 'apache/kafka:3.9.0' }], terminationGracePeriodSeconds: 1 } },
      },
    });
    const { incident: f, root } = await explained('StatefulSetUnavailable', 'kafka', 'CrashLoopBackOff');
    expect(f.message).toBe('0 of 2 replicas ready');
    expect(f.severity).toBe('critical');
    expect(root.reason).toBe('CrashLoopBackOff');
    expect(root.object.name).toMatch(/^kafka-[01]$/);
  });
});

describe('a platform outage on the real control plane', () => {
  it("the registry's rollout to a crashing build (Recreate) opens RegistryUnavailable, and a fix resolves it", async () => {
    const reg = deployment('registry', 'registry', { app: 'registry' }, [{ name: 'registry', image: 'registry:2.9-broken', ports: [{ containerPort: 5000 }] }], 1, { podLabels: { [BEHAVIOUR]: 'crashloop' } });
    reg.spec.strategy = { type: 'Recreate' };
    await tb.kube.apply(reg);
    const doc = await waitFor('RegistryUnavailable', async () => {
      const d = await agent.incidents();
      return find(d.incidents, 'RegistryUnavailable', 'registry') && find(d.incidents, 'CrashLoopBackOff', /^registry-/) ? d : undefined;
    }, 90_000, 1000);
    const regInc = find(doc.incidents, 'RegistryUnavailable', 'registry');
    expect(regInc?.severity).toBe('critical');
    expect(regInc?.message).toContain('0 of 1');
    const fixed = deployment('registry', 'registry', { app: 'registry' }, [{ name: 'registry', image: 'registry:2', ports: [{ containerPort: 5000 }] }], 1);
    fixed.spec.strategy = { type: 'Recreate' };
    await tb.kube.apply(fixed);
    await waitFor('the registry incidents to resolve', async () => {
      const d = await agent.incidents();
      return d.incidents.some((i) => i.object.namespace === 'registry') ? undefined : true;
    }, 90_000, 1000);
  });
});

describe('storage on the real control plane', () => {
  it("a claim naming a StorageClass that does not exist: the real PV controller's ProvisioningFailed, PersistentVolumeClaimPending the root cause of the pod waiting for it", async () => {
    await ensureNamespace(tb.kube, 'storage');
    await tb.kube.apply({ apiVersion: 'v1', kind: 'PersistentVolumeClaim', metadata: { name: 'data-ch-0', namespace: 'storage' }, spec: { accessModes: ['ReadWriteOnce'], storageClassName: 'premium-rwo', resources: { requests: { storage: '1Gi' } } } });
    const ch = deployment('ch', 'storage', { app: 'ch' }, [{ name: 'ch', image: 'clickhouse/clickhouse-server:24.8' }], 1);
    ch.spec.template.spec.volumes = [{ name: 'data', persistentVolumeClaim: { claimName: 'data-ch-0' } }];
    await tb.kube.apply(ch);
    const { incident, root } = await explained('DeploymentUnavailable', 'ch', 'PersistentVolumeClaimPending', 120_000);
    expect(root.object).toMatchObject({ kind: 'PersistentVolumeClaim', namespace: 'storage', name: 'data-ch-0' });
    // The PV controller's own words, from its Warning Event.
    await waitFor("the PV controller's ProvisioningFailed in the message", async () => {
      const r = find((await agent.incidents()).incidents, 'PersistentVolumeClaimPending', 'data-ch-0');
      return r?.message.includes('storageclass.storage.k8s.io "premium-rwo" not found') ? r : undefined;
    }, 60_000, 500);
    // Within its progress deadline the Deployment's own finding is information; its cause is not.
    expect(incident.object).toMatchObject({ kind: 'Deployment', name: 'ch' });
  });
});

describe('Kubernetes Events as evidence on the real control plane', () => {
  it("a pull whose status says only 'Back-off pulling image' is classified from the kubelet's Failed Event; a Normal one and the agent's own are not read", async () => {
    // KWOK stands in for the kubelet's status; the test writes the Events a kubelet would.
    await createMcpServer(tb.kube, { name: 'backoff', image: 'ghcr.io/acme/backoff:v2', behaviour: 'pull-error', message: 'Back-off pulling image "ghcr.io/acme/backoff:v2"' });
    const p = await waitFor('the backoff pod', async () => (await tb.kube.list<Obj & { metadata: { name: string; uid: string } }>(`/api/v1/namespaces/${NS}/pods?labelSelector=app%3Dbackoff`)).items[0], 60_000, 500);
    const at = (s: number): string => new Date(Date.now() + s * 1000).toISOString().replace(/\.\d+Z$/, 'Z');
    const event = (name: string, type: string, message: string, component: string, when: string): Obj => ({
      apiVersion: 'v1',
      kind: 'Event',
      metadata: { name: `${p.metadata.name}.${name}`, namespace: NS },
      involvedObject: { apiVersion: 'v1', kind: 'Pod', namespace: NS, name: p.metadata.name, uid: p.metadata.uid, fieldPath: 'spec.containers{backoff}' },
      reason: 'Failed',
      message,
      type,
      source: { component },
      reportingComponent: component,
      firstTimestamp: when,
      lastTimestamp: when,
      count: 3,
    });
    const pullOf = (answer: string): string => `Failed to pull image "ghcr.io/acme/backoff:v2": failed to resolve reference "ghcr.io/acme/backoff:v2": ${answer}`;
    const classified = async (): Promise<(IncidentView & { attributes?: Record<string, unknown> }) | undefined> => find((await agent.incidents()).incidents, 'ImagePullBackOff', /^backoff-/) as (IncidentView & { attributes?: Record<string, unknown> }) | undefined;
    await tb.kube.call('POST', `/api/v1/namespaces/${NS}/events`, event('kubelet', 'Warning', pullOf('unexpected status from HEAD request to https://ghcr.io/v2/acme/backoff/manifests/v2: 401 Unauthorized'), 'kubelet', at(0)));
    const f = await waitFor('the pull classified from the Event', async () => {
      const i = await classified();
      return i?.attributes?.['registry.failure'] === 'auth' ? i : undefined;
    }, 90_000, 500).catch(async (e: unknown) => {
      throw new Error(`${(e as Error).message}\nopen: ${summary(await agent.incidents()).join('\n')}`, { cause: e });
    });
    expect(f.message).toContain('401 Unauthorized');
    // Later Events of the same kind would displace it, were they kept: a Normal one (the watch asks
    // for Warnings only) and one the agent itself reported. Both reach the API server; after well
    // over a watch round trip the registry's answer still stands.
    await tb.kube.call('POST', `/api/v1/namespaces/${NS}/events`, event('normal', 'Normal', pullOf('x509: certificate signed by unknown authority'), 'kubelet', at(5)));
    await tb.kube.call('POST', `/api/v1/namespaces/${NS}/events`, event('own', 'Warning', pullOf('dial tcp: lookup ghcr.io: no such host'), 'sentinel-agent', at(5)));
    await new Promise((r) => setTimeout(r, 5000));
    expect((await classified())?.attributes?.['registry.failure']).toBe('auth');
  });
});

describe('a node down on the real control plane', () => {
  it("the nodes' kubelet (KWOK) stops: the real node lifecycle controller marks the node Unknown and its pods not ready; NodeNotReady explains the Deployment", async () => {
    const [name = ''] = await tb.addNodes(1, 2);
    await ensureNamespace(tb.kube, 'edge');
    const edge = deployment('edge', 'edge', { app: 'edge' }, [{ name: 'w', image: 'busybox:1.36' }], 2);
    edge.spec.template.spec.nodeSelector = { 'kubernetes.io/hostname': name };
    await tb.kube.apply(edge);
    await waitFor('edge to be ready on its node', async () => ((await tb.kube.get<{ status?: { readyReplicas?: number } }>('/apis/apps/v1/namespaces/edge/deployments/edge')).status?.readyReplicas === 2 ? true : undefined), 90_000, 500);
    // Nothing renews the nodes' leases or posts their status any more; after its grace the node
    // lifecycle controller sets Ready Unknown and marks their pods not ready. (Last in the file: it
    // takes every KWOK node down.)
    await tb.stop('kwok');
    try {
      const { incident, root } = await explained('DeploymentUnavailable', 'edge', 'NodeNotReady', 180_000);
      expect(root.object).toMatchObject({ kind: 'Node', name });
      expect(root.object.namespace).toBeUndefined();
      expect(root.severity).toBe('critical');
      expect(root.message).toMatch(/^node Ready is Unknown \(NodeStatusUnknown: Kubelet stopped posting node status\)/);
      expect(incident.object).toMatchObject({ kind: 'Deployment', namespace: 'edge', name: 'edge' });
      // The controller marks the node's pods not ready one by one, and the Deployment controller
      // counts them as it sees them: the incident can open at 1 unavailable and reach 2 a pass later.
      const both = await waitFor('both edge pods unavailable', async () => {
        const i = find((await agent.incidents()).incidents, 'DeploymentUnavailable', 'edge');
        return i?.message.includes('2 unavailable (desired 2, current 2, ready 0, available 0') ? i : undefined;
      }, 60_000, 500).catch(async (e: unknown) => {
        throw new Error(`${(e as Error).message}\nopen: ${summary(await agent.incidents()).join('\n')}`, { cause: e });
      });
      expect(both.rootCauseId).toBe(root.id);
      // Nothing of edge stands apart from the node: it explains every edge incident.
      expect((await agent.incidents()).incidents.filter((i) => i.object.namespace === 'edge' && i.rootCauseId !== root.id)).toEqual([]);
    } finally {
      await tb.start('kwok');
    }
  });
});
