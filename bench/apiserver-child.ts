// The fake API server with a generated cluster, in its own process so it does not distort the
// agent's measurements. Commands on stdin (one per line): "churn N" (N background changes per
// second), "break I" (pod I starts crash-looping; answers "broken I <epoch ms>"), "stop".
import { createInterface } from 'node:readline';
import { FakeApiServer } from '../src/sim/apiserver.ts';
import { generateCluster, type Raw } from './generate.ts';

const pods = Number(process.argv[2] ?? 20_000);
const api = new FakeApiServer();
const items = generateCluster(pods, Number(process.argv[3] ?? 10));
for (let i = 0; i < items.length; i += 10_000) api.apply(...items.slice(i, i + 10_000));
const podObjs = items.filter((i) => i.kind === 'Pod');
const url = await api.start();
process.stdout.write(`url ${url} ${items.length}\n`);

let churn: NodeJS.Timeout | undefined;
let n = 0;
const rl = createInterface({ input: process.stdin });
rl.on('line', (line) => {
  const [cmd, arg] = line.trim().split(/\s+/);
  if (cmd === 'churn') {
    clearInterval(churn);
    const rate = Number(arg);
    if (rate > 0) {
      churn = setInterval(() => {
        const p = structuredClone(podObjs[(n++ * 7919) % podObjs.length]) as Raw;
        ((p.metadata as Raw).annotations ??= {}) as Raw;
        ((p.metadata as Raw).annotations as Raw)['bench/touch'] = String(n);
        api.apply(p);
      }, 1000 / rate);
    }
  } else if (cmd === 'break') {
    const p = structuredClone(podObjs[Number(arg)]) as Raw;
    const st = p.status as Raw;
    const cs = (st.containerStatuses as Raw[])[0] as Raw;
    cs.ready = false;
    cs.restartCount = 3;
    cs.state = { waiting: { reason: 'CrashLoopBackOff', message: 'back-off 40s restarting failed container' } };
    cs.lastState = { terminated: { reason: 'Error', exitCode: 1, startedAt: '2026-11-24T09:00:00Z', finishedAt: '2026-11-24T09:00:05Z' } };
    api.apply(p);
    process.stdout.write(`broken ${arg} ${Date.now()} ${(p.metadata as Raw).name as string}\n`);
  } else if (cmd === 'flood') {
    // A registry outage: the registry Deployment down, and N pods (all by default) failing to pull
    // from it with "connection refused", all at once.
    const count = Math.min(podObjs.length, Number(arg ?? podObjs.length));
    const registry: Raw = {
      apiVersion: 'apps/v1',
      kind: 'Deployment',
      metadata: { name: 'registry', namespace: 'registry', uid: 'registry-deployment', generation: 1, creationTimestamp: '2026-11-24T08:00:00Z' },
      spec: { replicas: 1, selector: { matchLabels: { app: 'registry' } }, template: { metadata: { labels: { app: 'registry' } }, spec: { containers: [{ name: 'registry', image: 'registry:2' }] } } },
      status: { replicas: 1, readyReplicas: 0, availableReplicas: 0, unavailableReplicas: 1, updatedReplicas: 1, conditions: [{ type: 'Available', status: 'False', reason: 'MinimumReplicasUnavailable', message: 'Deployment does not have minimum availability.', lastTransitionTime: new Date().toISOString() }] },
    };
    api.apply(registry);
    const broken: Raw[] = [];
    for (let i = 0; i < count; i++) {
      const p = structuredClone(podObjs[i]) as Raw;
      const st = p.status as Raw;
      const cs = (st.containerStatuses as Raw[])[0] as Raw;
      const image = String(cs.image);
      cs.ready = false;
      cs.state = { waiting: { reason: 'ErrImagePull', message: `failed to pull and unpack image "${image}": failed to resolve reference "${image}": failed to do request: Head "https://${image.replace(':v1', '')}/manifests/v1": dial tcp 10.96.0.20:5000: connect: connection refused` } };
      broken.push(p);
    }
    api.apply(...broken);
    process.stdout.write(`flooded ${count} ${Date.now()}\n`);
  } else if (cmd === 'fault') {
    // fault <JSON of a Fault>: injected for the next matching requests.
    api.fault(JSON.parse(line.trim().slice('fault '.length)) as Parameters<FakeApiServer['fault']>[0]);
  } else if (cmd === 'clear') {
    api.clearFaults();
  } else if (cmd === 'drop') {
    api.dropWatches();
  } else if (cmd === 'compact') {
    api.compact();
  } else if (cmd === 'heal') {
    // heal I: pod I healthy again (as generated).
    api.apply(structuredClone(podObjs[Number(arg)]) as Raw);
  } else if (cmd === 'pause') {
    void api.pause().then(() => process.stdout.write(`paused ${Date.now()}\n`));
  } else if (cmd === 'resume') {
    void api.resume().then(() => process.stdout.write(`resumed ${Date.now()}\n`));
  } else if (cmd === 'stats') {
    const lists = api.requests.filter((r) => !r.query.watch && /\/(pods|replicasets|deployments|services|endpointslices|ingresses|configmaps|mcpservers|certificates|certificaterequests)$/.test(r.path)).length;
    const watches = api.requests.filter((r) => r.query.watch).length;
    process.stdout.write(`stats ${lists} ${watches} ${api.requests.length}\n`);
  } else if (cmd === 'stop') {
    clearInterval(churn);
    void api.stop().then(() => process.exit(0));
  }
});
