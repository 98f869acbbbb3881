// The fake API server with a generated cluster, in its own process so it does not distort the
// agent's measurements. Commands on stdin (one per line): "churn N" (N background changes per
// second), "break I" (pod I starts crash-looping; answers "broken I <epoch ms>"), "stop".
import { createInterface } from 'node:readline';
import { FakeApiServer } from '../src/sim/apiserver.ts';
import { generateCluster, type Raw } from './generate.ts';

const pods = Number(process.argv[2] ?? 20_000);
const api = new FakeApiServer();
const items = generateCluster(pods, Number(process.argv[3] ?? 10));
api.apply(...items);
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
  } else if (cmd === 'stats') {
    const lists = api.requests.filter((r) => !r.query.watch && /\/(pods|replicasets|deployments|services|endpointslices|ingresses|configmaps|mcpservers|certificates|certificaterequests)$/.test(r.path)).length;
    const watches = api.requests.filter((r) => r.query.watch).length;
    process.stdout.write(`stats ${lists} ${watches} ${api.requests.length}\n`);
  } else if (cmd === 'stop') {
    clearInterval(churn);
    void api.stop().then(() => process.exit(0));
  }
});
