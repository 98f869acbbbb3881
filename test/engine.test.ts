import { describe, expect, it } from 'vitest';
import { CATALOG, ENGINE_CHECKS, STANDARD_FACTS, placeholders, reasonSpec, renderTemplate } from '../src/checks/catalog.ts';
import { REASON_IDS } from '../src/checks/reasons.ts';
import { CHECKS } from '../src/checks/registry.ts';
import { defaultCheckConfig } from '../src/checks/config.ts';
import type { Check } from '../src/checks/types.ts';
import { evaluate, sourceFindings } from '../src/engine/evaluate.ts';
import { incidentId, incidentsNow } from '../src/engine/incidents.ts';
import { ObjectStore } from '../src/kube/store.ts';
import { normalize } from '../src/kube/read/normalize.ts';
import { KIND_NAMES } from '../src/kube/kinds.ts';
import { T0, deployment, endpointSlice, healthyPlatform, mcpServer, pod, replicaSet, service, terminated, waiting, ingress, type Raw } from './support/objects.ts';
import { missingFacts, run } from './support/run.ts';
import { readdirSync, readFileSync } from 'node:fs';

describe('catalog meta', () => {
  it('reasons are unique and every one has a spec', () => {
    expect(new Set(REASON_IDS).size).toBe(REASON_IDS.length);
    for (const r of REASON_IDS) expect(CATALOG.get(r)?.reason).toBe(r);
  });

  it('every explanation across objects a reason declares can apply: to another reason of a higher layer', () => {
    const declared = [...CATALOG.values()].flatMap((s) => (s.explainsAcross ?? []).map((e) => [s.reason, e.reason, reasonSpec(e.reason).layer > s.layer] as const));
    expect(declared.length).toBeGreaterThan(0);
    expect(declared.filter(([, , higher]) => !higher)).toEqual([]);
  });

  it('every fact a remediation of a reason names is one every incident has or one the reason declares', () => {
    const standard: readonly string[] = STANDARD_FACTS;
    const undeclared = [...CATALOG.values()].flatMap((s) => placeholders(s.remediation).filter((k) => !standard.includes(k) && !(s.facts ?? []).includes(k)).map((k) => `${s.reason}: {${k}}`));
    expect(undeclared).toEqual([]);
    // The test of rendered remediations (test/support/run.ts) sees a missing fact, and only that.
    expect(missingFacts(renderTemplate('kubectl -n {namespace} logs {name} -c {container}', { namespace: 'ns', name: 'p' }))).toEqual(['container']);
    expect(missingFacts(renderTemplate("kubectl get pod {name} -o jsonpath='{.spec.containers[?(@.name==\"{container}\")]}'", { name: 'p' }))).toEqual(['container']);
    expect(missingFacts(renderTemplate('kubectl describe node {node}', { node: '<node>' }))).toEqual([]);
  });

  it('every reason is emitted by exactly one check, and each check declares only its own reasons', () => {
    for (const r of REASON_IDS) {
      const spec = CATALOG.get(r);
      const emitters = CHECKS.filter((c) => c.reasons.some((x) => x.reason === r));
      if ((ENGINE_CHECKS as readonly string[]).includes(spec?.check ?? '')) expect(emitters).toEqual([]);
      else {
        expect(emitters.map((c) => c.id)).toEqual([spec?.check]);
      }
    }
  });

  it('every check id is kebab-case, unique, and names its own file', () => {
    const files = readdirSync(new URL('../src/checks/', import.meta.url));
    const ids = CHECKS.map((c) => c.id);
    expect(new Set(ids).size).toBe(ids.length);
    for (const id of ids) {
      expect(id).toMatch(/^[a-z]+(-[a-z]+)*$/);
      expect(files).toContain(`${id}.ts`);
    }
  });

  it('remediations and titles are non-empty, grace is set, severities are valid', () => {
    for (const s of CATALOG.values()) {
      expect(s.title.length).toBeGreaterThan(5);
      expect(s.description.length).toBeGreaterThan(20);
      expect(renderTemplate(s.remediation, { namespace: 'ns', name: 'n' }).length).toBeGreaterThan(20);
      expect(s.graceSeconds).toBeGreaterThanOrEqual(0);
    }
  });

  it("the engine's own reasons are named by a test (the checks' reasons are counted from real runs in checks.test.ts)", () => {
    const tests = readdirSync(new URL('./', import.meta.url))
      .filter((f) => f.endsWith('.test.ts'))
      .map((f) => readFileSync(new URL(`./${f}`, import.meta.url), 'utf8'))
      .join('\n');
    const engine = REASON_IDS.filter((r) => (ENGINE_CHECKS as readonly string[]).includes(CATALOG.get(r)?.check ?? ''));
    expect(engine).toEqual(['SourceUnavailable', 'CheckFailed']);
    for (const r of engine) expect(tests, `no test mentions ${r}`).toMatch(new RegExp(`['"\`]${r}['"\` ]`));
  });

  it('every kind a check needs is in the kinds registry', () => {
    for (const c of CHECKS) for (const n of c.needs) for (const k of typeof n === 'string' ? [n] : n) expect(KIND_NAMES).toContain(k);
  });
});

describe('scale of one check', () => {
  it('a check with more findings than a call may take as arguments (150,000 crash loops) reports them all', () => {
    // The class guarded: gathering a check's findings with push(...findings), which throws a
    // RangeError past ~120,000 elements.
    const n = 150_000;
    const objs: Raw[] = [];
    for (let i = 0; i < n; i++) objs.push({ apiVersion: 'v1', kind: 'Pod', metadata: { name: `p-${i}`, namespace: 'load', uid: `u-${i}` }, spec: { containers: [{ name: 'c', image: 'x' }] }, status: { phase: 'Running', containerStatuses: [{ name: 'c', ready: false, restartCount: 3, state: { waiting: { reason: 'CrashLoopBackOff' } } }] } });
    const r = run(objs);
    expect(r.incidents.filter((i) => i.reason === 'CrashLoopBackOff')).toHaveLength(n);
  }, 120_000);
});

describe('incident identity', () => {
  it('is a hash of cluster, check, kind, namespace, name and sub, and nothing else', () => {
    const a = incidentId('prod', 'pod-crash-loop', 'Pod', 'ns', 'p');
    expect(a).toMatch(/^[0-9a-f]{20}$/);
    expect(incidentId('prod', 'pod-crash-loop', 'Pod', 'ns', 'p')).toBe(a);
    expect(incidentId('stage', 'pod-crash-loop', 'Pod', 'ns', 'p')).not.toBe(a);
    expect(incidentId('prod', 'pod-crash-loop', 'Pod', 'ns', 'p', 'c')).not.toBe(a);
  });

  it('does not depend on message, uid, restart count or time', () => {
    const mk = (restarts: number, uidSuffix: string): Raw => {
      const p = pod('web-1', { containers: [{ name: 'web', ready: false, restarts, state: waiting('CrashLoopBackOff'), lastState: terminated('Error', restarts, -1) }] });
      (p.metadata as Raw).uid = `uid-${uidSuffix}`;
      return p;
    };
    const a = run([mk(3, 'a')]).incidents[0];
    const b = run([mk(40, 'b')], { now: T0 + 3600_000 }).incidents[0];
    expect(a?.message).not.toBe(b?.message);
    expect(a?.id).toBe(b?.id);
  });
});

/** An MCPServer whose new pods cannot pull from the platform registry while the old one serves. */
function stuckRollout(): Raw[] {
  const labels = { app: 'weather', 'app.kubernetes.io/managed-by': 'mcp-runtime', 'mcpruntime.org/rollout-track': 'stable' };
  return [
    ...healthyPlatform(),
    mcpServer('weather', { team: 'acme', phase: 'PartiallyReady', flags: { serviceReady: true, ingressReady: true } }),
    deployment('weather', { owner: { kind: 'MCPServer', name: 'weather' }, labels, selector: { app: 'weather', 'mcpruntime.org/rollout-track': 'stable' }, replicas: 1, ready: 0 }),
    replicaSet('weather-5c6d7f', 'weather', { labels, ready: 0 }),
    pod('weather-5c6d7f-abcde', {
      labels: { ...labels, 'pod-template-hash': '5c6d7f' },
      owner: { kind: 'ReplicaSet', name: 'weather-5c6d7f' },
      ready: false,
      containers: [{ name: 'weather', image: 'registry.registry.svc.cluster.local:5000/weather:v2', ready: false, state: waiting('ImagePullBackOff', 'Back-off pulling image "registry.registry.svc.cluster.local:5000/weather:v2": no basic auth credentials') }],
    }),
    service('weather', { owner: { kind: 'MCPServer', name: 'weather' }, selector: { app: 'weather', 'app.kubernetes.io/managed-by': 'mcp-runtime' } }),
    endpointSlice('weather', { ready: 0, notReady: 1 }),
    ingress('weather', { owner: { kind: 'MCPServer', name: 'weather' }, lb: ['10.0.0.1'] }),
  ];
}

describe('root causes', () => {
  it('a pod pull failure is the root of its Deployment, Service and MCPServer incidents', () => {
    const { incidents } = run(stuckRollout());
    const byReason = Object.fromEntries(incidents.map((i) => [i.reason, i]));
    const root = byReason.RegistryPullFailed;
    expect(root?.rootCauseId).toBeUndefined();
    expect(root?.attributes['registry.failure']).toBe('auth');
    expect(root?.server).toEqual({ namespace: 'mcp-servers', name: 'weather', teamID: 'acme' });
    for (const r of ['DeploymentUnavailable', 'ServiceNoEndpoints', 'MCPServerPartiallyReady']) {
      expect(byReason[r]?.rootCauseId, r).toBe(root?.id);
      expect(byReason[r]?.server?.name, r).toBe('weather');
    }
  });

  it('a registry outage is the root of connection-refused pulls anywhere', () => {
    const objs = stuckRollout().map((o) => {
      if (o.kind === 'Deployment' && (o.metadata as Raw).name === 'registry') return deployment('registry', { ns: 'registry', ready: 0 });
      if (o.kind === 'Pod') {
        const c = ((o.status as Raw).containerStatuses as Raw[])[0] as Raw;
        c.state = waiting('ErrImagePull', 'failed to do request: Head "https://registry.registry.svc.cluster.local:5000/v2/weather/manifests/v2": dial tcp 10.43.174.51:5000: connect: connection refused');
      }
      return o;
    });
    const { incidents } = run(objs);
    const registry = incidents.find((i) => i.reason === 'RegistryUnavailable');
    const pull = incidents.find((i) => i.reason === 'RegistryPullFailed');
    expect(pull?.attributes['registry.failure']).toBe('connection_refused');
    expect(pull?.rootCauseId).toBe(registry?.id);
    expect(incidents.find((i) => i.reason === 'MCPServerPartiallyReady')?.rootCauseId).toBe(registry?.id);
  });

  it('an operator fully down is the root of Pending servers anywhere; with one replica ready it is not', () => {
    const withOperator = (ready: number): Raw[] => [
      ...healthyPlatform().filter((o) => !(o.kind === 'Deployment' && (o.metadata as Raw).name === 'mcp-runtime-operator-controller-manager')),
      deployment('mcp-runtime-operator-controller-manager', { ns: 'mcp-runtime', replicas: 2, ready }),
      mcpServer('p', { phase: 'Pending' }),
      mcpServer('q', { ns: 'other', phase: 'Pending' }),
    ];
    const down = run(withOperator(0)).incidents;
    const operator = down.find((i) => i.reason === 'OperatorUnavailable');
    const pending = down.filter((i) => i.reason === 'MCPServerPending');
    expect(pending.map((i) => i.object.name).sort()).toEqual(['p', 'q']);
    for (const i of pending) expect(i.rootCauseId, i.object.name).toBe(operator?.id);
    expect(operator?.attributes.explains).toBe(2);
    const half = run(withOperator(1)).incidents;
    expect(half.find((i) => i.reason === 'OperatorUnavailable')).toBeDefined();
    for (const i of half.filter((x) => x.reason === 'MCPServerPending')) expect(i.rootCauseId, i.object.name).toBeUndefined();
  });

  it('an Ingress without load balancer is the root of its MCPServer PartiallyReady', () => {
    const objs = stuckRollout().filter((o) => o.kind !== 'Ingress' && o.kind !== 'Pod');
    objs.push(ingress('weather', { owner: { kind: 'MCPServer', name: 'weather' } }));
    const { incidents } = run(objs.map((o) => (o.kind === 'MCPServer' ? mcpServer('weather', { phase: 'PartiallyReady', flags: { deploymentReady: true, serviceReady: true } }) : o)));
    const ing = incidents.find((i) => i.reason === 'IngressNotAdmitted');
    expect(incidents.find((i) => i.reason === 'MCPServerPartiallyReady')?.rootCauseId).toBe(ing?.id);
  });
});

describe('evaluation isolation', () => {
  it('a check that throws becomes CheckFailed for that check only; the rest still run', () => {
    const store = new ObjectStore();
    const p = normalize(pod('web-1', { containers: [{ name: 'web', ready: false, state: waiting('CrashLoopBackOff') }] }), store.sharing).obj;
    if (p) store.upsert(p);
    for (const k of KIND_NAMES) store.setSource(k, { status: 'synced' });
    const boom: Check = {
      id: 'boom',
      description: 'throws',
      needs: ['Pod'],
      reasons: [],
      run() {
        throw new TypeError("Cannot read properties of undefined (reading 'x')");
      },
    };
    const ev = evaluate(store, { checks: [boom, ...CHECKS], now: T0, config: defaultCheckConfig(), inScope: () => true });
    expect(ev.findings.map((f) => f.reason).sort()).toEqual(['CheckFailed', 'CrashLoopBackOff']);
    expect(ev.skipped).toContainEqual({ check: 'boom', reason: 'CheckFailed', detail: "TypeError: Cannot read properties of undefined (reading 'x')" });
  });

  it('a forbidden or missing kind skips its checks and is reported as SourceUnavailable', () => {
    const store = new ObjectStore();
    for (const k of KIND_NAMES) store.setSource(k, { status: 'synced', coverage: 'cluster' });
    store.setSource('Pod', { status: 'forbidden', detail: 'pods is forbidden' });
    store.setSource('Certificate', { status: 'absent' });
    store.setSource('CertificateRequest', { status: 'absent' });
    const ev = evaluate(store, { checks: CHECKS, now: T0, config: defaultCheckConfig(), inScope: () => true });
    const incidents = incidentsNow(ev.findings, store, { clusterName: 'c', config: defaultCheckConfig(), now: T0 });
    const src = incidents.filter((i) => i.reason === 'SourceUnavailable').map((i) => `${i.attributes.resource} ${i.severity}`);
    expect(src.sort()).toEqual(['certificaterequests.cert-manager.io info', 'certificates.cert-manager.io info', 'pods warning']);
    expect(ev.skipped.filter((s) => s.reason === 'SourceUnavailable').map((s) => s.check)).toEqual(
      expect.arrayContaining(['pod-crash-loop', 'pod-image-pull', 'gateway-readiness', 'certificate-readiness']),
    );
  });
});

describe('determinism', () => {
  it('the same objects in another order give the same incidents', () => {
    const objs = stuckRollout();
    const a = JSON.stringify(run(objs).incidents);
    const b = JSON.stringify(run([...objs].reverse()).incidents);
    expect(b).toBe(a);
  });
});

describe('SourceUnavailable: the remediation follows the cause', () => {
  const fixOf = (kind: 'Pod' | 'Certificate', status: string, detail?: string): string => {
    const [f] = sourceFindings(new Map([[kind, { status, ...(detail ? { detail } : {}), checks: ['x'] }]]));
    return f?.remediation ?? reasonSpec('SourceUnavailable').remediation;
  };
  it('RBAC, a missing CRD, a built-in kind not served, 429s, an API server out of reach', () => {
    expect(fixOf('Pod', 'forbidden', 'pods is forbidden')).toMatch(/lacks RBAC.*auth can-i list \{resource\}/);
    expect(fixOf('Certificate', 'absent')).toMatch(/CRD is not installed.*kubectl get crd \{resource\}/);
    expect(fixOf('Pod', 'absent')).toMatch(/does not serve \{resource\}: kubectl api-resources/);
    expect(fixOf('Pod', 'absent')).not.toMatch(/get crd/);
    for (const d of ['throttled (429) for 8000 ms', 'Too Many Requests', 'HTTP 429'])
      expect(fixOf('Pod', 'failing', d), d).toMatch(/flowschemas,prioritylevelconfigurations/);
    for (const status of ['failing', 'stale']) {
      const fix = fixOf('Pod', status, 'connect ECONNREFUSED 10.0.0.1:443');
      expect(fix, status).toMatch(/cannot reach the API server.*\/readyz/);
      expect(fix, status).not.toMatch(/get crd/);
    }
  });
});
