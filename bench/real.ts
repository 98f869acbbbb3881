// npm run bench:real [-- --pods 20000] [--nodes 20]: the benchmarks on the real control plane.
// A KWOK cluster shaped like MCP Runtime (MCPServers with their Deployments, ReplicaSets and pods
// made by the real controllers, Services, EndpointSlices, Ingresses, policy ConfigMaps and
// Certificates; 2% of servers crash-looping), then, one after the other against the same API
// server: the agent (streaming lists, then paged LISTs), @kubernetes/client-node's informers over
// the same kinds, and kube-state-metrics (built from the module proxy, testbed/go). For each:
// start → ready, peak and steady RSS, CPU seconds, and the API server's side of the initial sync
// (its CPU seconds, its RSS rise, the bytes it sent); for the agent, detection latency under 20
// changes/s to /incidents and through the real Collector to a stand-in Sentinel; for all, LISTs
// and watch requests per minute in a steady state (from the API server's audit log). Writes the
// section between the bench:real markers in BENCHMARKS.md.

import { spawn, type ChildProcess } from 'node:child_process';
import { connect, createServer as createNetServer, type Socket } from 'node:net';
import { cpus, totalmem } from 'node:os';
import { readFileSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { Testbed, binaries, freePort, sleep } from '../testbed/testbed.ts';
import type { Kube, Obj } from '../testbed/kube.ts';
import { BEHAVIOUR, MANAGED, agentKubeconfig, ensureNamespace, fastConfig } from '../e2e/support.ts';
import { OtlpReceiver } from '../test/support/otlp-receiver.ts';
import { lines, next, pct, rss } from './watch.ts';
import { REAL_SECTION, realSections } from './sections.ts';

const here = (f: string): string => fileURLToPath(new URL(f, import.meta.url));
const BIN = here('../bin/sentinel-agent.js');
const SA = 'system:serviceaccount:sentinel-agent:sentinel-agent';

const { values: args } = parseArgs({ options: { pods: { type: 'string', default: '20000' }, nodes: { type: 'string', default: '20' }, 'per-server': { type: 'string', default: '10' }, steady: { type: 'string', default: '60' }, samples: { type: 'string', default: '40' } } });
const PODS = Number(args.pods);
const NODES = Number(args.nodes);
const PER = Number(args['per-server']);
const SERVERS = Math.ceil(PODS / PER);
const NAMESPACES = 50;
const STEADY_S = Number(args.steady);
const SAMPLES = Number(args.samples);

const log = (s: string): void => void process.stderr.write(`bench:real: ${s}\n`);
const CLK = 100; // USER_HZ on Linux
function cpuSeconds(pid: number): number {
  const f = readFileSync(`/proc/${pid}/stat`, 'utf8').replace(/^\d+ \(.*\) /, '').split(' ');
  return (Number(f[11]) + Number(f[12])) / CLK;
}

/** Runs fn over items, n at a time. */
async function pool<T>(items: T[], n: number, fn: (t: T) => Promise<void>): Promise<void> {
  let i = 0;
  await Promise.all(
    Array.from({ length: n }, async () => {
      while (i < items.length) await fn(items[i++] as T);
    }),
  );
}

// ---------------------------------------------------------------------------------------------
// the cluster

const ns = (s: number): string => `mcp-team-${s % NAMESPACES}`;
const broken = (s: number): boolean => s % 50 === 7;
const now = (): string => new Date().toISOString().replace(/\.\d+Z$/, 'Z');

async function server(kube: Kube, s: number): Promise<void> {
  const name = `srv-${s}`;
  const n = ns(s);
  const mcp = await kube.apply<Obj & { metadata: { uid: string } }>({ apiVersion: 'mcpruntime.org/v1alpha1', kind: 'MCPServer', metadata: { name, namespace: n }, spec: { image: `registry.registry.svc.cluster.local:5000/${name}`, imageTag: 'v1', replicas: PER, port: 8088, servicePort: 80, teamID: `team-${s % NAMESPACES}`, gateway: { enabled: true, port: 8091, image: 'ghcr.io/mcp-runtime/gateway:v0.9.0' } } });
  const owner = [{ apiVersion: 'mcpruntime.org/v1alpha1', kind: 'MCPServer', name, uid: mcp.metadata.uid, controller: true, blockOwnerDeletion: true }];
  const sel = { app: name, 'mcpruntime.org/rollout-track': 'stable' };
  await kube.apply({
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name, namespace: n, labels: { ...sel, ...MANAGED }, ownerReferences: owner },
    spec: {
      replicas: PER,
      selector: { matchLabels: sel },
      template: {
        metadata: { labels: { ...sel, ...MANAGED, ...(broken(s) ? { [BEHAVIOUR]: 'crashloop' } : {}) } },
        spec: {
          // Bound to a kwok node directly: 20,000 pods through the scheduler would measure the scheduler.
          nodeName: `kwok-node-${s % NODES}`,
          terminationGracePeriodSeconds: 1,
          containers: [
            { name, image: `registry.registry.svc.cluster.local:5000/${name}:v1`, ports: [{ containerPort: 8088 }] },
            { name: 'mcp-gateway', image: 'ghcr.io/mcp-runtime/gateway:v0.9.0', ports: [{ containerPort: 8091 }] },
          ],
        },
      },
    },
  });
  await kube.apply({ apiVersion: 'v1', kind: 'Service', metadata: { name, namespace: n, labels: { app: name, ...MANAGED }, ownerReferences: owner }, spec: { type: 'ClusterIP', selector: sel, ports: [{ name: 'http', port: 80, targetPort: 8091 }] } });
  const ing = await kube.apply({ apiVersion: 'networking.k8s.io/v1', kind: 'Ingress', metadata: { name, namespace: n, ownerReferences: owner }, spec: { ingressClassName: 'traefik', rules: [{ http: { paths: [{ path: `/${name}/mcp`, pathType: 'Prefix', backend: { service: { name, port: { number: 80 } } } }] } }] } });
  await kube.applyStatus({ ...ing, status: { loadBalancer: { ingress: [{ ip: '172.18.0.3' }] } } } as Obj, 'traefik');
  await kube.apply({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: `${name}-gateway-policy`, namespace: n, labels: { app: name, ...MANAGED }, ownerReferences: owner }, data: { 'policy.json': '{"schema_version":"v1"}' } });
  const cert = await kube.apply({ apiVersion: 'cert-manager.io/v1', kind: 'Certificate', metadata: { name: `${name}-gateway-mtls`, namespace: n }, spec: { secretName: `${name}-gateway-mtls`, issuerRef: { name: 'mcp-runtime-ca', kind: 'ClusterIssuer' }, dnsNames: [`${name}.${n}.svc`] } });
  await kube.applyStatus({ ...cert, status: { conditions: [{ type: 'Ready', status: 'True', reason: 'Ready', message: 'Certificate is up to date and has not expired', lastTransitionTime: now() }], notAfter: new Date(Date.now() + 60 * 86400_000).toISOString().replace(/\.\d+Z$/, 'Z') } } as Obj, 'cert-manager-certificates-issuing');
  const ready = !broken(s);
  const conditions = ['DeploymentReady', 'ServiceReady', 'IngressReady', 'GatewayReady', 'PolicyReady'].map((type) => ({ type, status: type === 'DeploymentReady' && !ready ? 'False' : 'True', reason: 'Reconciled', message: 'All resources reconciled', lastTransitionTime: now(), observedGeneration: 1 }));
  await kube.applyStatus({ apiVersion: 'mcpruntime.org/v1alpha1', kind: 'MCPServer', metadata: { name, namespace: n }, status: { phase: ready ? 'Ready' : 'PartiallyReady', message: 'All resources reconciled', deploymentReady: ready, serviceReady: true, ingressReady: true, gatewayReady: true, policyReady: true, canaryReady: false, conditions } } as Obj, 'mcp-runtime-operator');
}

/** Pods the API server holds and how many are Running, read page by page (as a client would). */
async function podCounts(kube: Kube): Promise<{ total: number; running: number }> {
  let total = 0;
  let running = 0;
  let cont = '';
  do {
    const page = await kube.get<{ items: { status?: { phase?: string } }[]; metadata: { continue?: string } }>(`/api/v1/pods?limit=5000${cont ? `&continue=${encodeURIComponent(cont)}` : ''}`);
    total += page.items.length;
    running += page.items.filter((p) => p.status?.phase === 'Running').length;
    cont = page.metadata.continue ?? '';
  } while (cont);
  return { total, running };
}

// ---------------------------------------------------------------------------------------------
// the API server's side

/** A TCP relay in front of the API server that counts the bytes it sends to one tool (TLS passes
 *  through untouched; the count includes TLS framing, a few percent). The API server's own
 *  response-size metrics miss lists it streams, so the wire is counted instead. */
async function countingRelay(upstream: URL): Promise<{ url: string; bytes(): number; close(): void }> {
  let down = 0;
  const sockets = new Set<Socket>();
  const srv = createNetServer((client) => {
    const up = connect(Number(upstream.port), upstream.hostname);
    sockets.add(client).add(up);
    up.on('data', (d: Buffer) => (down += d.length));
    client.pipe(up);
    up.pipe(client);
    const end = (): void => {
      client.destroy();
      up.destroy();
    };
    client.on('error', end).on('close', end);
    up.on('error', end).on('close', end);
  });
  const port = await freePort();
  await new Promise<void>((r) => srv.listen(port, '127.0.0.1', r));
  return {
    url: `https://127.0.0.1:${port}`,
    bytes: () => down,
    close: () => {
      for (const so of sockets) so.destroy();
      srv.close();
    },
  };
}

interface Sampled {
  readyMs: number;
  peakRssMiB: number;
  steadyRssMiB: number;
  cpuToReady: number;
  cpuTotal: number;
  api: { cpu: number; rssRiseMiB: number; bytesMiB: number };
  steady: { lists: number; watches: number; minutes: number };
  objects?: number;
  detection?: { toIncidents: number[]; toSentinel: number[] };
}

/** Starts a tool, samples it and the API server every 100 ms until `ready`, then a steady period. */
/** The tool's kubeconfig, pointed at a relay. */
function relayedKubeconfig(kubeconfig: string, apiserver: string, relay: string, name: string): string {
  const file = `${kubeconfig}.${name.replace(/\W+/g, '-')}`;
  writeFileSync(file, readFileSync(kubeconfig, 'utf8').replaceAll(apiserver, relay), { mode: 0o600 });
  return file;
}

async function measure(tb: Testbed, kubeconfig: string, name: string, start: (kubeconfig: string) => ChildProcess, ready: (c: ChildProcess) => Promise<boolean>, during?: (c: ChildProcess) => Promise<Partial<Sampled>>): Promise<Sampled> {
  const apiPid = tb.addresses.apiserver?.pid ?? 0;
  await sleep(3000); // let the previous tool's connections close
  const apiRss0 = rss(apiPid).rss;
  const apiCpu0 = cpuSeconds(apiPid);
  const apiUrl = String(tb.addresses.apiserver?.url);
  const relay = await countingRelay(new URL(apiUrl));
  const t0 = performance.now();
  const child = start(relayedKubeconfig(kubeconfig, apiUrl, relay.url, name));
  children.add(child);
  const pid = child.pid ?? 0;
  try {
  let apiPeak = apiRss0;
  const sampler = setInterval(() => {
    try {
      apiPeak = Math.max(apiPeak, rss(apiPid).rss);
    } catch {
      /* gone */
    }
  }, 100);
  let readyMs = NaN;
  try {
    for (;;) {
      if (child.exitCode !== null) throw new Error(`${name} exited ${child.exitCode}`);
      if (await ready(child).catch(() => false)) {
        readyMs = performance.now() - t0;
        break;
      }
      if (performance.now() - t0 > 600_000) throw new Error(`${name} not ready within 600 s`);
      await sleep(name === 'kube-state-metrics' ? 1000 : 50);
    }
  } finally {
    clearInterval(sampler);
  }
  const cpuToReady = cpuSeconds(pid);
  const api = { cpu: cpuSeconds(apiPid) - apiCpu0, rssRiseMiB: apiPeak - apiRss0, bytesMiB: relay.bytes() / 1048576 };
  log(`${name}: ready in ${Math.round(readyMs)} ms (API server: ${api.cpu.toFixed(1)} CPU s, +${Math.round(api.rssRiseMiB)} MiB, ${api.bytesMiB.toFixed(1)} MiB sent)`);
  const extra = during ? await during(child) : {};
  // Steady state: what the tool asks of the API server over STEADY_S seconds (audit log, its user).
  const from = Date.now();
  await sleep(STEADY_S * 1000);
  const seen = new Set<string>();
  const mine = tb
    .audit()
    .filter((e) => e.user.username === SA && Date.parse((e as unknown as { requestReceivedTimestamp: string }).requestReceivedTimestamp) >= from)
    .filter((e) => !seen.has(e.auditID) && Boolean(seen.add(e.auditID)));
  const mem = rss(pid);
  const cpuTotal = cpuSeconds(pid);
  return {
    readyMs,
    peakRssMiB: mem.hwm,
    steadyRssMiB: mem.rss,
    cpuToReady,
    cpuTotal,
    api,
    steady: { lists: mine.filter((e) => e.verb === 'list').length, watches: mine.filter((e) => e.verb === 'watch').length, minutes: STEADY_S / 60 },
    ...extra,
  };
  } finally {
    relay.close();
    child.kill('SIGTERM');
    await new Promise((r) => (child.exitCode !== null ? r(null) : child.once('exit', r)));
    children.delete(child);
  }
}

/** Tools still running: killed if the bench fails half way. */
const children = new Set<ChildProcess>();
process.on('exit', () => {
  for (const c of children) c.kill('SIGKILL');
});

// ---------------------------------------------------------------------------------------------

async function main(): Promise<void> {
  const t0 = Date.now();
  const bins = binaries(log, ['etcd', 'kubernetes', 'kwok', 'otelcol', 'kube-state-metrics']);
  const sentinel = new OtlpReceiver();
  const sentinelUrl = await sentinel.start();
  const tb = await Testbed.up({
    nodes: NODES,
    collector: true,
    collectorEnv: { SENTINEL_OTLP_ENDPOINT: sentinelUrl, SENTINEL_API_KEY: 'bench' },
    // The controllers' client limits (20 QPS by default) would make creating the pods the benchmark.
    controllerManagerArgs: ['--kube-api-qps=2000', '--kube-api-burst=4000'],
    log,
  });
  try {
    const { kubeconfig } = await agentKubeconfig(tb);
    for (let i = 0; i < NAMESPACES; i++) await ensureNamespace(tb.kube, `mcp-team-${i}`);
    log(`creating ${SERVERS} MCPServers (${PODS} pods) ...`);
    const c0 = Date.now();
    let created = 0;
    // On a machine too small for the size asked, the API server stops answering part-way: say so
    // with how far it got, instead of an uncaught request timeout (50,000 pods on 2 cores: BENCHMARKS.md).
    const tooBig = (err: unknown): Error => {
      const why = `${created} of ${SERVERS} MCPServers (${created * PER} pods) were created in ${Math.round((Date.now() - c0) / 60_000)} min; then ${(err as Error).message.slice(0, 300)}`;
      doesNotFit(why);
      return new Error(`${PODS} pods do not fit this test bed: ${why}`);
    };
    await pool(
      Array.from({ length: SERVERS }, (_, i) => i),
      48,
      // Server-side apply is idempotent: a server whose requests time out (the API server busy with
      // the controllers and kwok on a small machine) is applied again, up to three times.
      async (s) => {
        for (let attempt = 1; ; attempt++) {
          try {
            await server(tb.kube, s);
            created++;
            return;
          } catch (err) {
            if (attempt >= 3) throw tooBig(err);
            log(`server ${s}: ${(err as Error).message.slice(0, 200)}; applying it again`);
            await sleep(2000);
          }
        }
      },
    );
    log(`objects created in ${Math.round((Date.now() - c0) / 1000)} s; waiting for the controllers and kwok`);
    for (;;) {
      const c = await podCounts(tb.kube);
      log(`pods: ${c.total} created, ${c.running} running`);
      if (c.running >= PODS) break;
      if (Date.now() - c0 > 1_800_000) throw new Error(`only ${c.running} of ${PODS} pods running after 30 min`);
      await sleep(10_000);
    }
    const populated = Math.round((Date.now() - c0) / 1000);
    await sleep(10_000); // EndpointSlices and Deployment status settle

    const agentPort = await freePort();
    const base = `http://127.0.0.1:${agentPort}`;
    const cfgFile = `${tb.dir}/agent-config.yaml`;
    const agentRun = (initialList: 'stream' | 'paged'): ((kubeconfig: string) => ChildProcess) => (kc) => {
      // The default watch settings (a full pass every 60 s, the 60 s hold) as a user runs the agent;
      // only the reasons' graces are 0, so a crash loop opens the moment it is seen.
      const cfg = { clusterName: 'bench-real', reasons: fastConfig().reasons, watch: { initialList } };
      writeFileSync(cfgFile, JSON.stringify({ ...cfg, http: { listen: `127.0.0.1:${agentPort}` } }));
      return spawn(process.execPath, [BIN, 'watch', '--kubeconfig', kc, '--config', cfgFile, '--log-level', 'warn'], {
        stdio: ['ignore', 'ignore', 'inherit'],
        env: { ...process.env, OTEL_EXPORTER_OTLP_ENDPOINT: String(tb.addresses.collector?.otlpHttp), MALLOC_MMAP_THRESHOLD_: '131072', MALLOC_TRIM_THRESHOLD_: '131072' },
      });
    };
    const agentReady = async (): Promise<boolean> => (await fetch(`${base}/readyz`)).status === 200;

    // Detection: 20 changes/s of background churn (annotations: health unchanged) while pods are
    // broken one at a time by a KWOK stage (the behaviour label: kwok writes CrashLoopBackOff); the
    // clock starts when the bench's own watch sees kwok's status write.
    const detect = async (): Promise<Partial<Sampled>> => {
      const pods = (await tb.kube.get<{ items: { metadata: { name: string; namespace: string; labels?: Record<string, string> } }[] }>('/api/v1/pods?limit=2000')).items.filter((p) => !p.metadata.labels?.[BEHAVIOUR]);
      let churn = true;
      const churner = (async () => {
        let k = 0;
        while (churn) {
          const p = pods[(k++ * 7919) % pods.length];
          if (p) void tb.kube.raw('PATCH', `/api/v1/namespaces/${p.metadata.namespace}/pods/${p.metadata.name}`, JSON.stringify({ metadata: { annotations: { 'bench/churn': String(k) } } }), 'application/merge-patch+json').catch(() => {});
          await sleep(50);
        }
      })();
      const toIncidents: number[] = [];
      const toSentinel: number[] = [];
      for (let k = 0; k < SAMPLES; k++) {
        const p = pods[(k * 487 + 13) % pods.length];
        if (!p) break;
        const path = `/api/v1/namespaces/${p.metadata.namespace}/pods/${p.metadata.name}`;
        await tb.kube.raw('PATCH', path, JSON.stringify({ metadata: { labels: { [BEHAVIOUR]: 'crashloop' } } }), 'application/merge-patch+json');
        let seenAt = 0;
        for (let i = 0; i < 400 && !seenAt; i++) {
          const pod = await tb.kube.get<{ status?: { containerStatuses?: { state?: { waiting?: { reason?: string } } }[] } }>(path);
          if (pod.status?.containerStatuses?.some((c) => c.state?.waiting?.reason === 'CrashLoopBackOff')) seenAt = Date.now();
          else await sleep(5);
        }
        if (!seenAt) throw new Error(`kwok did not crash-loop ${path}`);
        for (;;) {
          const doc = (await (await fetch(`${base}/incidents?reason=CrashLoopBackOff`)).json()) as { incidents: { object: { name: string } }[] };
          if (doc.incidents.some((i) => i.object.name === p.metadata.name)) {
            toIncidents.push(Date.now() - seenAt);
            break;
          }
          if (Date.now() - seenAt > 10_000) {
            toIncidents.push(10_000);
            break;
          }
          await sleep(5);
        }
        for (;;) {
          const rec = sentinel.logRecords().find((r) => r.attributes['k8s.object.name'] === p.metadata.name && r.eventName === 'mcp_runtime.health.incident.opened');
          if (rec) {
            toSentinel.push(rec.receivedAt - seenAt);
            break;
          }
          if (Date.now() - seenAt > 10_000) {
            toSentinel.push(10_000);
            break;
          }
          await sleep(5);
        }
      }
      churn = false;
      await churner;
      return { detection: { toIncidents, toSentinel } };
    };

    const results: Record<string, Sampled> = {};
    results.agent = await measure(tb, kubeconfig, 'agent (streaming lists)', agentRun('stream'), agentReady, detect);
    results.agentPaged = await measure(tb, kubeconfig, 'agent (paged LISTs)', agentRun('paged'), agentReady);
    results.informers = await measure(
      tb,
      kubeconfig,
      'informers',
      (kc) => spawn(process.execPath, ['--max-old-space-size=16384', here('./informer-child.ts'), kc], { stdio: ['ignore', 'pipe', 'inherit'] }),
      (() => {
        let done = false;
        return async (c: ChildProcess) => {
          if (!done) {
            const it = lines(c);
            const [, objects = '0'] = await next(it, 'ready');
            done = true;
            results.informersObjects = { objects: Number(objects) } as unknown as Sampled;
          }
          return done;
        };
      })(),
    );
    const ksmPort = await freePort();
    const ksmTelemetry = await freePort();
    results.ksm = await measure(
      tb,
      kubeconfig,
      'kube-state-metrics',
      (kc) =>
        spawn(bins['kube-state-metrics'], [`--kubeconfig=${kc}`, '--host=127.0.0.1', `--port=${ksmPort}`, '--telemetry-host=127.0.0.1', `--telemetry-port=${ksmTelemetry}`, '--resources=pods,deployments,replicasets,services,endpointslices,ingresses,configmaps'], { stdio: ['ignore', 'ignore', 'ignore'] }),
      async () => {
        // Ready: its /metrics has every pod (polled each second; a scrape is what it serves anyway).
        const r = await fetch(`http://127.0.0.1:${ksmPort}/metrics`);
        let n = 0;
        for (const line of (await r.text()).split('\n')) if (line.startsWith('kube_pod_info{')) n++;
        return n >= PODS;
      },
    );
    write(results, { machine: machine(), populated, total: Math.round((Date.now() - t0) / 1000) });
  } finally {
    await tb.down();
    await sentinel.stop();
  }
}

const machine = (): string => `${cpus()[0]?.model.replace(/\s+/g, ' ').trim() ?? '?'} × ${cpus().length}, ${Math.round(totalmem() / 2 ** 30)} GiB`;

function version(k: string): string {
  const versions = readFileSync(here('../testbed/versions.env'), 'utf8');
  return new RegExp(`^${k}=(\\S+)$`, 'm').exec(versions)?.[1] ?? '?';
}

/** The section for a size the machine could not hold: what happened, so the figures' absence is said. */
function doesNotFit(why: string): void {
  keep([
    `<!-- bench:real pods=${PODS} -->`,
    `## On the real control plane, ${PODS.toLocaleString('en-US')} pods: does not fit this machine`,
    '',
    `Written by \`npm run bench:real -- --pods ${PODS}\`. Machine: ${machine()}, node ${process.version}, ${new Date().toISOString().slice(0, 10)}. Kubernetes ${version('KUBERNETES_VERSION')}, etcd ${version('ETCD_VERSION')}, kwok ${version('KWOK_VERSION')} with ${NODES} nodes, the controllers, kwok and the API server on the same cores. The cluster could not be made, so no tool was measured: ${why}. The figures of the smaller sizes stand.`,
    `<!-- /bench:real pods=${PODS} -->`,
  ].join('\n'));
}

function write(r: Record<string, Sampled>, m: { machine: string; populated: number; total: number }): void {
  const v = version;
  const a = r.agent as Sampled;
  const p = r.agentPaged as Sampled;
  const inf = r.informers as Sampled;
  const ksm = r.ksm as Sampled;
  const x = (n: number, d: number): string => `${(n / d).toFixed(2)}x`;
  const row = (name: string, s: Sampled): string =>
    `| ${name} | ${Math.round(s.readyMs)} ms | ${Math.round(s.peakRssMiB)} / ${Math.round(s.steadyRssMiB)} MiB | ${s.cpuToReady.toFixed(1)} / ${s.cpuTotal.toFixed(1)} s | ${s.api.cpu.toFixed(1)} s | +${Math.round(s.api.rssRiseMiB)} MiB | ${s.api.bytesMiB.toFixed(1)} MiB | ${(s.steady.lists / s.steady.minutes).toFixed(1)} / ${(s.steady.watches / s.steady.minutes).toFixed(1)} |`;
  const d = a.detection ?? { toIncidents: [], toSentinel: [] };
  const md = [
    `<!-- bench:real pods=${PODS} -->`,
    `## On the real control plane, ${PODS.toLocaleString('en-US')} pods (\`npm run bench:real -- --pods ${PODS}\`)`,
    '',
    `Written by \`npm run bench:real\`. Machine: ${m.machine}, node ${process.version}, ${new Date().toISOString().slice(0, 10)}. Kubernetes ${v('KUBERNETES_VERSION')} (kube-apiserver, kube-controller-manager), etcd ${v('ETCD_VERSION')}, kwok ${v('KWOK_VERSION')} with ${NODES} nodes, OpenTelemetry Collector ${v('OTELCOL_VERSION')}, kube-state-metrics ${v('KSM_VERSION')}, all built from the Go module proxy. ${SERVERS} MCPServers × ${PER} pods = ${PODS} pods (2% of servers crash-looping), made by the real Deployment and ReplicaSet controllers (${m.populated} s to create and run them); run in ${Math.round(m.total / 60)} min. The four tools ran one after the other against the same API server, each as the agent's ServiceAccount.`,
    '',
    '| ratio | value | target |',
    '|---|---|---|',
    `| agent ready vs informers | ${x(a.readyMs, inf.readyMs)} | <= 1.25x |`,
    `| agent peak RSS vs informers | ${x(a.peakRssMiB, inf.peakRssMiB)} | <= 0.5x |`,
    `| agent peak RSS vs kube-state-metrics | ${x(a.peakRssMiB, ksm.peakRssMiB)} | < 1x |`,
    `| API server RSS rise during the sync, streaming vs paged | ${x(a.api.rssRiseMiB, Math.max(1, p.api.rssRiseMiB))} |  |`,
    `| detection → /incidents p50 / p99 | ${pct(d.toIncidents, 50)} / ${pct(d.toIncidents, 99)} ms (${d.toIncidents.length} samples, 20 changes/s) | p99 <= 500 ms |`,
    `| detection → stand-in Sentinel through the real Collector p50 / p99 | ${pct(d.toSentinel, 50)} / ${pct(d.toSentinel, 99)} ms | p99 <= 1000 ms |`,
    `| agent LISTs per minute in steady state | ${(a.steady.lists / a.steady.minutes).toFixed(1)} | 0 |`,
    '',
    '| tool | start → ready | peak / steady RSS | CPU to ready / total | API server CPU (sync) | API server RSS rise (sync) | bytes the API server sent (sync) | steady LISTs / watch requests per min |',
    '|---|---|---|---|---|---|---|---|',
    row('agent, streaming lists (default)', a),
    row('agent, paged LISTs', p),
    row(`client-node informers (${(r.informersObjects as unknown as { objects: number } | undefined)?.objects ?? '?'} objects)`, inf),
    row('kube-state-metrics', ksm),
    '',
    '- "Ready": the agent\'s /readyz 200 (every kind listed, first full evaluation done); the informers\' every',
    '  `start()` resolved; kube-state-metrics\' /metrics listing every pod (polled each second, so its figure is',
    '  within a second and its RSS includes rendering that page, as serving a scrape does).',
    '- The API server columns are its /proc figures from the tool\'s start to its ready, and the bytes it sent',
    '  the tool over that time counted on the wire (a TCP relay; TLS framing included); the steady column counts',
    '  the tool\'s requests in the audit log over the steady period. The agent\'s detection is measured from',
    '  the moment the API server serves kwok\'s CrashLoopBackOff status write, under 20 pod changes per second.',
    `<!-- /bench:real pods=${PODS} -->`,
  ].join('\n');
  keep(md);
}

/** One section per cluster size: a run replaces its own size's section and keeps the others, in
 *  order of size. */
function keep(md: string): void {
  const file = here('../BENCHMARKS.md');
  const old = readFileSync(file, 'utf8');
  const sections = realSections(old).filter((x) => x.pods !== PODS);
  sections.push({ pods: PODS, text: md });
  sections.sort((x, y) => x.pods - y.pods);
  const kept = sections.map((x) => x.text).join('\n\n');
  const first = REAL_SECTION.exec(old);
  const before = first ? old.slice(0, first.index) : `${old.trimEnd()}\n\n`;
  writeFileSync(file, `${before}${kept}\n`);
  process.stdout.write(`${md}\n`);
}

await main();
