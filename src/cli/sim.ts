// sentinel-agent sim: the simulated MCP Runtime cluster on its own, served over the Kubernetes API
// protocol with reads and writes of single objects, a kubeconfig written for it, and stand-ins for
// the kubelet and the controllers: point watch, doctor and kubectl at it and break things by hand.

import { mkdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { FakeApiServer } from '../sim/apiserver.ts';
import { setBaseTime } from '../sim/objects.ts';
import { DEMO_TEAM, STATE_LABEL, demoCluster, simulateControllers } from '../sim/playground.ts';
import { UsageError, type IO } from './io.ts';

export interface SimFlags {
  listen?: string;
  writeKubeconfig?: string;
}

export interface RunningSim {
  url: string;
  kubeconfig: string;
  api: FakeApiServer;
  stop(): Promise<void>;
}

function hostPort(v: string | undefined): { host: string; port: number } {
  if (v === undefined) return { host: '127.0.0.1', port: 0 };
  const m = /^(\[[^\]]+\]|[^:]+):(\d{1,5})$/.exec(v);
  if (!m || Number(m[2]) > 65535) throw new UsageError(`--listen: expected HOST:PORT such as 127.0.0.1:6443, got ${JSON.stringify(v)}`);
  return { host: (m[1] as string).replace(/^\[|\]$/g, ''), port: Number(m[2]) };
}

export async function startSim(flags: SimFlags): Promise<RunningSim> {
  const { host, port } = hostPort(flags.listen);
  const base = Date.now();
  setBaseTime(base);
  const api = new FakeApiServer({ objectWrites: true });
  simulateControllers(api, base);
  api.apply(...demoCluster());
  let url: string;
  try {
    url = await api.start(host, port);
  } catch (err) {
    throw new UsageError(`--listen ${host}:${port}: ${(err as Error).message}`);
  }
  const kubeconfig = flags.writeKubeconfig ?? join(tmpdir(), `sentinel-sim-${process.pid}`, 'kubeconfig');
  mkdirSync(dirname(kubeconfig), { recursive: true });
  writeFileSync(kubeconfig, api.kubeconfig(url), { mode: 0o600 });
  return { url, kubeconfig, api, stop: () => api.stop() };
}

export async function sim(flags: SimFlags, io: IO): Promise<number> {
  const s = await startSim(flags);
  const k = `KUBECONFIG=${s.kubeconfig}`;
  io.stdout(
    [
      `sentinel-agent sim: a simulated MCP Runtime cluster (operator, registry, 4 MCPServers) at ${s.url}`,
      `kubeconfig: ${s.kubeconfig}`,
      '',
      'Look at it, and run the agent against it (another terminal):',
      `  export ${k}`,
      '  kubectl get mcpservers,deploy,pods -A',
      '  sentinel-agent watch --listen 127.0.0.1:8080        # or: sentinel-agent doctor',
      '',
      `Break things by hand (a pod's ${STATE_LABEL} label: running, crashloop, pull-auth, oom, not-ready):`,
      `  kubectl -n mcp-servers label pod search-7d9f8b6c5d-x2x9q ${STATE_LABEL}=crashloop --overwrite`,
      `  kubectl -n ${DEMO_TEAM} label pod weather-7d9f8b6c5d-x2x9q ${STATE_LABEL}=pull-auth --overwrite`,
      '  kubectl -n mcp-servers delete configmap billing-gateway-policy',
      `and mend them: ${STATE_LABEL}=running. Ctrl-C stops the cluster.`,
      '',
    ].join('\n'),
  );
  await new Promise<void>((resolve) => {
    process.once('SIGINT', resolve);
    process.once('SIGTERM', resolve);
  });
  await s.stop();
  return 0;
}
