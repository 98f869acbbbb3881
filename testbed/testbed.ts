// The test bed: a real Kubernetes control plane on loopback, built from source by testbed/build.sh.
// etcd, kube-apiserver (client certificates, RBAC, service-account token signing, the CRDs the
// checks read), kube-controller-manager and kube-scheduler, and optionally kwok with N nodes whose
// pods take the states testbed/kwok-stages.yaml gives them, and optionally the OpenTelemetry
// Collector with the shipped otel-collector-config.yaml, unchanged (its listening addresses and
// queue directory come from its environment). `npm run testbed -- up` and the e2e tests use this
// same code.
//
// Everything lives in one directory: certificates, data, logs, `kubeconfig` (cluster-admin) and
// `addresses.json` (one entry per started component: url and pid). The processes are detached, so
// `up` from the command line returns and leaves them running; `down` stops each pid it wrote, after
// checking that the pid is still the process it started (its command line names the directory).

import { execFileSync, spawn } from 'node:child_process';
import { createServer } from 'node:net';
import { closeSync, existsSync, mkdirSync, mkdtempSync, openSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { request as httpRequest } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { parseAllDocuments, stringify } from 'yaml';
import { Kube, KubeError, type Obj } from './kube.ts';

const HERE = fileURLToPath(new URL('.', import.meta.url));

export type ComponentName = 'etcd' | 'apiserver' | 'controllerManager' | 'scheduler' | 'kwok' | 'collector';
export const COMPONENTS: readonly ComponentName[] = ['etcd', 'apiserver', 'controllerManager', 'scheduler', 'kwok', 'collector'];

/** The shipped Collector configuration the test bed runs. */
export const COLLECTOR_CONFIG = join(HERE, '..', 'otel-collector-config.yaml');

export interface ComponentAddress {
  url: string;
  pid: number;
  [k: string]: unknown;
}
export type Addresses = Partial<Record<ComponentName, ComponentAddress>>;

export interface AuditEvent {
  /** One request (a watch has two events: ResponseStarted and ResponseComplete). */
  auditID: string;
  verb: string;
  requestURI: string;
  user: { username: string };
  objectRef?: { resource?: string; namespace?: string; name?: string; apiGroup?: string };
  responseStatus?: { code: number };
  stage: string;
}

export interface UpOptions {
  /** Directory for everything the test bed writes; a new temporary one when absent. */
  dir?: string;
  /** KWOK nodes to start (0: no kwok; objects keep the status a client writes). */
  nodes?: number;
  /** Extra kube-apiserver flags (e.g. --max-requests-inflight=…). */
  apiserverArgs?: string[];
  /** Extra kube-controller-manager flags (bench:real raises --kube-api-qps to create 20,000 pods). */
  controllerManagerArgs?: string[];
  /** Progress lines (the CLI prints them; the tests keep them quiet). */
  log?: (line: string) => void;
  /** Seconds to wait for each component (default 180: a cold kube-apiserver on 2 cores takes ~30-60 s). */
  readyTimeoutSec?: number;
  /** Also run the OpenTelemetry Collector with the shipped config. Its SENTINEL_OTLP_ENDPOINT and
   * SENTINEL_API_KEY come from `collectorEnv`, else from this process's environment. */
  collector?: boolean;
  /** More of the Collector's environment is passed as given (e.g. SENTINEL_AGENT_OTLP_TOKEN). */
  collectorEnv?: Record<string, string>;
  /** Another config than the shipped one (e.g. deploy/overlays/collector-auth's generated variant). */
  collectorConfig?: string;
}

interface Launch {
  name: ComponentName;
  bin: string;
  args: string[];
  url: string;
  extra?: Record<string, unknown>;
  /** Added to the environment; values of SECRET_ENV keys are not written to disk. */
  env?: Record<string, string>;
}

/** Environment values kept out of run/launches.json (read again from the environment on start). */
const SECRET_ENV = ['SENTINEL_API_KEY', 'SENTINEL_AGENT_OTLP_TOKEN'];

interface State {
  dir: string;
  launches: Partial<Record<ComponentName, Launch>>;
  addresses: Addresses;
}

// ---------------------------------------------------------------------------------------------
// binaries

export interface Binaries {
  etcd: string;
  'kube-apiserver': string;
  'kube-controller-manager': string;
  'kube-scheduler': string;
  kwok: string;
  otelcol: string;
  'kube-state-metrics': string;
}

export type Tool = 'etcd' | 'kubernetes' | 'kwok' | 'otelcol' | 'kube-state-metrics';

/** Runs testbed/build.sh for the tools asked (warm: returns at once) and answers where each binary
 * is; asking for a binary of a tool that was not built throws. */
export function binaries(log: (s: string) => void = () => {}, tools: readonly Tool[] = ['etcd', 'kubernetes', 'kwok']): Binaries {
  let out: string;
  try {
    out = execFileSync('bash', [join(HERE, 'build.sh'), ...tools], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'], maxBuffer: 64 << 20 });
  } catch (e) {
    const err = e as { stderr?: string; message: string };
    throw new Error(`testbed/build.sh failed: ${(err.stderr ?? err.message).trim().split('\n').slice(-15).join('\n')}`, { cause: e });
  }
  const dirs = new Map<string, string>();
  for (const line of out.split('\n')) {
    const [, tool, dir] = /^bin (\S+) (.+)$/.exec(line) ?? [];
    if (tool && dir) dirs.set(tool, dir);
  }
  const need = (tool: Tool, bin: string): string => {
    const d = dirs.get(tool);
    if (!d) throw new Error(`testbed/build.sh printed no directory for ${tool} (asked for: ${tools.join(', ')})`);
    return join(d, bin);
  };
  log(`binaries: ${[...dirs.values()].join(', ')}`);
  return {
    get etcd() {
      return need('etcd', 'etcd');
    },
    get 'kube-apiserver'() {
      return need('kubernetes', 'kube-apiserver');
    },
    get 'kube-controller-manager'() {
      return need('kubernetes', 'kube-controller-manager');
    },
    get 'kube-scheduler'() {
      return need('kubernetes', 'kube-scheduler');
    },
    get kwok() {
      return need('kwok', 'kwok');
    },
    get otelcol() {
      return need('otelcol', 'otelcol');
    },
    get 'kube-state-metrics'() {
      return need('kube-state-metrics', 'kube-state-metrics');
    },
  };
}

// ---------------------------------------------------------------------------------------------
// certificates (openssl)

function openssl(args: string[], cwd: string): void {
  execFileSync('openssl', args, { cwd, stdio: ['ignore', 'ignore', 'pipe'] });
}

function makePki(pki: string): void {
  mkdirSync(pki, { recursive: true });
  const ec = ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes'];
  openssl(['req', '-x509', ...ec, '-keyout', 'ca.key', '-out', 'ca.crt', '-days', '30', '-subj', '/CN=sentinel-testbed-ca', '-addext', 'basicConstraints=critical,CA:TRUE', '-addext', 'keyUsage=critical,keyCertSign,cRLSign'], pki);
  const leaf = (name: string, subj: string, ext: string): void => {
    writeFileSync(join(pki, `${name}.ext`), ext);
    openssl(['req', '-new', ...ec, '-keyout', `${name}.key`, '-out', `${name}.csr`, '-subj', subj], pki);
    openssl(['x509', '-req', '-in', `${name}.csr`, '-CA', 'ca.crt', '-CAkey', 'ca.key', '-CAcreateserial', '-out', `${name}.crt`, '-days', '30', '-extfile', `${name}.ext`], pki);
  };
  const server = 'basicConstraints=CA:FALSE\nkeyUsage=critical,digitalSignature,keyEncipherment\nextendedKeyUsage=serverAuth\n';
  const client = 'basicConstraints=CA:FALSE\nkeyUsage=critical,digitalSignature,keyEncipherment\nextendedKeyUsage=clientAuth\n';
  leaf('apiserver', '/CN=kube-apiserver', `${server}subjectAltName=IP:127.0.0.1,IP:10.0.0.1,DNS:localhost,DNS:kubernetes,DNS:kubernetes.default,DNS:kubernetes.default.svc,DNS:kubernetes.default.svc.cluster.local\n`);
  leaf('serving', '/CN=localhost', `${server}subjectAltName=IP:127.0.0.1,DNS:localhost\n`);
  leaf('admin', '/O=system:masters/CN=sentinel-testbed-admin', client);
  leaf('controller-manager', '/CN=system:kube-controller-manager', client);
  leaf('scheduler', '/CN=system:kube-scheduler', client);
  // The service-account token signing key (ES256).
  openssl(['genpkey', '-algorithm', 'EC', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-out', 'sa.key'], pki);
  openssl(['pkey', '-in', 'sa.key', '-pubout', '-out', 'sa.pub'], pki);
}

function kubeconfig(server: string, pki: string, user: string): string {
  const b64 = (f: string): string => readFileSync(join(pki, f)).toString('base64');
  return stringify({
    apiVersion: 'v1',
    kind: 'Config',
    clusters: [{ name: 'sentinel-testbed', cluster: { server, 'certificate-authority-data': b64('ca.crt') } }],
    users: [{ name: user, user: { 'client-certificate-data': b64(`${user}.crt`), 'client-key-data': b64(`${user}.key`) } }],
    contexts: [{ name: 'sentinel-testbed', context: { cluster: 'sentinel-testbed', user } }],
    'current-context': 'sentinel-testbed',
  });
}

// ---------------------------------------------------------------------------------------------
// processes

/** A free port on loopback (asked of the kernel; racy only against other processes). */
export async function freePort(): Promise<number> {
  return new Promise((res, rej) => {
    const s = createServer();
    s.unref();
    s.on('error', rej);
    s.listen(0, '127.0.0.1', () => {
      const a = s.address();
      s.close(() => (typeof a === 'object' && a ? res(a.port) : rej(new Error('no port'))));
    });
  });
}

function logPath(dir: string, name: ComponentName): string {
  return join(dir, 'logs', `${name}.log`);
}

function tail(file: string, lines = 20): string {
  try {
    return readFileSync(file, 'utf8').trimEnd().split('\n').slice(-lines).join('\n');
  } catch {
    return '(no log)';
  }
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

/** True when pid is still a process this test bed started (its command line or environment names
 * the directory: the Collector's flags are only its config file). */
function ours(pid: number, dir: string): boolean {
  for (const f of ['cmdline', 'environ']) {
    try {
      if (readFileSync(`/proc/${pid}/${f}`, 'utf8').includes(dir)) return true;
    } catch {
      /* gone, or not ours to read */
    }
  }
  return false;
}

function launch(state: State, l: Launch): ComponentAddress {
  const fd = openSync(logPath(state.dir, l.name), 'a');
  const env = l.env ? { ...process.env, ...Object.fromEntries(Object.entries(l.env).map(([k, v]) => [k, SECRET_ENV.includes(k) && v === '' ? (process.env[k] ?? '') : v])) } : process.env;
  const child = spawn(l.bin, l.args, { detached: true, stdio: ['ignore', fd, fd], env });
  closeSync(fd);
  child.unref();
  if (child.pid === undefined) throw new Error(`${l.name}: could not start ${l.bin}`);
  state.launches[l.name] = l;
  const addr: ComponentAddress = { url: l.url, pid: child.pid, ...(l.extra ?? {}) };
  state.addresses[l.name] = addr;
  save(state);
  return addr;
}

function save(state: State): void {
  writeFileSync(join(state.dir, 'addresses.json'), `${JSON.stringify(state.addresses, null, 2)}\n`);
  const redacted = Object.fromEntries(Object.entries(state.launches).map(([k, l]) => [k, l.env ? { ...l, env: Object.fromEntries(Object.entries(l.env).map(([n, v]) => [n, SECRET_ENV.includes(n) ? '' : v])) } : l]));
  writeFileSync(join(state.dir, 'run', 'launches.json'), `${JSON.stringify(redacted, null, 2)}\n`);
}

function load(dir: string): State {
  const d = resolve(dir);
  const file = join(d, 'addresses.json');
  if (!existsSync(file)) throw new Error(`${file}: not found (was the test bed started with --dir ${dir}?)`);
  const addresses = JSON.parse(readFileSync(file, 'utf8')) as Addresses;
  let launches: State['launches'] = {};
  try {
    launches = JSON.parse(readFileSync(join(d, 'run', 'launches.json'), 'utf8')) as State['launches'];
  } catch {
    /* an older directory: stop still works from addresses.json */
  }
  return { dir: d, addresses, launches };
}

interface Probe {
  url: string;
  ca?: string;
  cert?: string;
  key?: string;
  insecure?: boolean;
}

function probe(p: Probe, timeoutMs = 3000): Promise<{ status: number; body: string }> {
  const u = new URL(p.url);
  const req = u.protocol === 'https:' ? httpsRequest : httpRequest;
  return new Promise((res) => {
    const r = req(u, { method: 'GET', timeout: timeoutMs, ca: p.ca, cert: p.cert, key: p.key, rejectUnauthorized: !p.insecure }, (resp) => {
      let body = '';
      resp.setEncoding('utf8');
      resp.on('data', (c: string) => (body += c));
      resp.on('end', () => res({ status: resp.statusCode ?? 0, body }));
      resp.on('error', () => res({ status: 0, body: '' }));
    });
    r.on('timeout', () => r.destroy());
    r.on('error', (e) => res({ status: 0, body: String(e) }));
    r.end();
  });
}

export const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

async function waitReady(state: State, name: ComponentName, p: Probe, timeoutSec: number, ok: (r: { status: number; body: string }) => boolean = (r) => r.status === 200): Promise<void> {
  const deadline = Date.now() + timeoutSec * 1000;
  const pid = state.addresses[name]?.pid ?? 0;
  let last = { status: 0, body: '' };
  while (Date.now() < deadline) {
    if (!alive(pid) || isZombie(pid)) throw new Error(`${name} exited before it was ready; its log (${logPath(state.dir, name)}) ends:\n${tail(logPath(state.dir, name))}`);
    last = await probe(p);
    if (ok(last)) return;
    await sleep(250);
  }
  throw new Error(`${name} not ready after ${timeoutSec} s (${p.url}: ${last.status} ${last.body.slice(0, 300)}); its log ends:\n${tail(logPath(state.dir, name))}`);
}

function isZombie(pid: number): boolean {
  try {
    return / Z /.test(readFileSync(`/proc/${pid}/stat`, 'utf8').replace(/^\d+ \(.*\) /, ' ').slice(0, 3));
  } catch {
    return true;
  }
}

async function stopPid(pid: number, graceMs = 5000): Promise<void> {
  if (!alive(pid)) return;
  try {
    process.kill(pid, 'SIGTERM');
  } catch {
    return;
  }
  const deadline = Date.now() + graceMs;
  while (Date.now() < deadline) {
    if (!alive(pid) || isZombie(pid)) return;
    await sleep(50);
  }
  try {
    process.kill(pid, 'SIGKILL');
  } catch {
    /* gone */
  }
  for (let i = 0; i < 100 && alive(pid) && !isZombie(pid); i++) await sleep(20);
}

// ---------------------------------------------------------------------------------------------
// the control plane

function etcdLaunch(dir: string, bin: string, client: number, peer: number): Launch {
  const url = `http://127.0.0.1:${client}`;
  return {
    name: 'etcd',
    bin,
    url,
    extra: { peerUrl: `http://127.0.0.1:${peer}` },
    args: [
      '--name=testbed',
      `--data-dir=${join(dir, 'etcd')}`,
      `--listen-client-urls=${url}`,
      `--advertise-client-urls=${url}`,
      `--listen-peer-urls=http://127.0.0.1:${peer}`,
      `--initial-advertise-peer-urls=http://127.0.0.1:${peer}`,
      `--initial-cluster=testbed=http://127.0.0.1:${peer}`,
      '--unsafe-no-fsync',
      '--log-level=warn',
      '--quota-backend-bytes=4294967296',
    ],
  };
}

function apiserverLaunch(dir: string, bin: string, port: number, etcd: string, extra: string[]): Launch {
  const pki = join(dir, 'pki');
  return {
    name: 'apiserver',
    bin,
    url: `https://127.0.0.1:${port}`,
    args: [
      `--etcd-servers=${etcd}`,
      `--secure-port=${port}`,
      '--bind-address=127.0.0.1',
      '--advertise-address=127.0.0.1',
      // a loopback advertise address is refused by the endpoint reconciler (no default route here)
      '--endpoint-reconciler-type=none',
      `--tls-cert-file=${join(pki, 'apiserver.crt')}`,
      `--tls-private-key-file=${join(pki, 'apiserver.key')}`,
      `--client-ca-file=${join(pki, 'ca.crt')}`,
      '--authorization-mode=Node,RBAC',
      '--service-account-issuer=https://kubernetes.default.svc.cluster.local',
      `--service-account-key-file=${join(pki, 'sa.pub')}`,
      `--service-account-signing-key-file=${join(pki, 'sa.key')}`,
      '--service-cluster-ip-range=10.0.0.0/16', // room for 20,000+ Services (bench:real)
      `--cert-dir=${join(dir, 'pki', 'apiserver-generated')}`,
      '--profiling=false',
      `--audit-policy-file=${join(HERE, 'audit-policy.yaml')}`,
      `--audit-log-path=${join(dir, 'logs', 'audit.log')}`,
      '--audit-log-maxsize=200',
      '--enable-admission-plugins=NamespaceLifecycle,ServiceAccount,DefaultTolerationSeconds,Priority,ResourceQuota',
      '--v=1',
      ...extra,
    ],
  };
}

function controllerLaunch(dir: string, name: 'controllerManager' | 'scheduler', bin: string, port: number, extra: string[] = []): Launch {
  const pki = join(dir, 'pki');
  const kc = join(dir, 'run', `${name}.kubeconfig`);
  const common = [`--kubeconfig=${kc}`, `--authentication-kubeconfig=${kc}`, `--authorization-kubeconfig=${kc}`, `--secure-port=${port}`, '--bind-address=127.0.0.1', `--tls-cert-file=${join(pki, 'serving.crt')}`, `--tls-private-key-file=${join(pki, 'serving.key')}`, '--leader-elect=false', '--v=1'];
  const args =
    name === 'controllerManager'
      ? [
          ...common,
          `--service-account-private-key-file=${join(pki, 'sa.key')}`,
          `--root-ca-file=${join(pki, 'ca.crt')}`,
          `--cluster-signing-cert-file=${join(pki, 'ca.crt')}`,
          `--cluster-signing-key-file=${join(pki, 'ca.key')}`,
          '--use-service-account-credentials=true',
          '--controllers=*',
          '--concurrent-deployment-syncs=10',
          '--concurrent-replicaset-syncs=10',
          '--concurrent-gc-syncs=20',
          ...extra,
        ]
      : common;
  return { name, bin, args, url: `https://127.0.0.1:${port}` };
}

function kwokLaunch(dir: string, bin: string, port: number): Launch {
  return {
    name: 'kwok',
    bin,
    url: `http://127.0.0.1:${port}`,
    args: [`--kubeconfig=${join(dir, 'kubeconfig')}`, `--config=${join(HERE, 'kwok-stages.yaml')}`, '--manage-nodes-with-annotation-selector=kwok.x-k8s.io/node=fake', `--server-address=127.0.0.1:${port}`],
  };
}

interface CollectorPorts {
  grpc: number;
  http: number;
  prometheus: number;
  health: number;
  telemetry: number;
}

function collectorLaunch(dir: string, bin: string, p: CollectorPorts, env: Record<string, string>, config = COLLECTOR_CONFIG): Launch {
  const queue = join(dir, 'collector', 'queue');
  mkdirSync(queue, { recursive: true });
  const at = (port: number): string => `127.0.0.1:${port}`;
  return {
    name: 'collector',
    bin,
    url: `http://${at(p.health)}`,
    args: [`--config=${config}`],
    extra: { otlpHttp: `http://${at(p.http)}`, otlpGrpc: `http://${at(p.grpc)}`, prometheus: `http://${at(p.prometheus)}/metrics`, telemetry: `http://${at(p.telemetry)}/metrics`, queueDir: queue },
    env: {
      ...env,
      OTELCOL_OTLP_GRPC_ENDPOINT: at(p.grpc),
      OTELCOL_OTLP_HTTP_ENDPOINT: at(p.http),
      OTELCOL_PROMETHEUS_ENDPOINT: at(p.prometheus),
      OTELCOL_HEALTH_ENDPOINT: at(p.health),
      OTELCOL_TELEMETRY_HOST: '127.0.0.1',
      OTELCOL_TELEMETRY_PORT: String(p.telemetry),
      OTELCOL_QUEUE_DIR: queue,
      // the Collector sizes memory_limiter from the machine; the test bed's is the machine's too
      GOMEMLIMIT: '400MiB',
    },
  };
}

/** SENTINEL_OTLP_ENDPOINT and SENTINEL_API_KEY for the Collector: given, else from the environment. */
function collectorEnv(given: Record<string, string> | undefined): Record<string, string> {
  const env: Record<string, string> = { ...given };
  for (const k of ['SENTINEL_OTLP_ENDPOINT', 'SENTINEL_API_KEY']) {
    const v = given?.[k] ?? process.env[k];
    if (!v) throw new Error(`the Collector needs ${k} (${k === 'SENTINEL_API_KEY' ? 'the key it sends as x-api-key' : "Sentinel's OTLP/HTTP base URL, e.g. http://127.0.0.1:4318"}) in the environment: the shipped otel-collector-config.yaml reads it`);
    env[k] = v;
  }
  return env;
}

export const CRD_FILES = [join(HERE, 'crds', 'mcpserver.yaml'), join(HERE, 'crds', 'cert-manager.yaml')];

export function readManifests(file: string): Obj[] {
  return parseAllDocuments(readFileSync(file, 'utf8'))
    .map((d) => d.toJS() as Obj | null)
    .filter((o): o is Obj => o !== null);
}

/** Installs the test bed's CRDs (server-side apply) and waits until each is Established. */
export async function installCrds(kube: Kube, files: readonly string[] = CRD_FILES, timeoutSec = 60): Promise<string[]> {
  const names: string[] = [];
  for (const f of files) {
    for (const crd of readManifests(f)) {
      await kube.apply(crd);
      names.push(crd.metadata.name);
    }
  }
  const deadline = Date.now() + timeoutSec * 1000;
  for (const n of names) {
    for (;;) {
      const crd = await kube.get<{ status?: { conditions?: { type: string; status: string }[] } }>(`/apis/apiextensions.k8s.io/v1/customresourcedefinitions/${n}`);
      if (crd.status?.conditions?.some((c) => c.type === 'Established' && c.status === 'True')) break;
      if (Date.now() > deadline) throw new Error(`CRD ${n} not Established after ${timeoutSec} s`);
      await sleep(100);
    }
  }
  return names;
}

export class Testbed {
  readonly dir: string;
  readonly kubeconfig: string;
  private client: Kube | undefined;
  private readonly state: State;
  private readonly timeoutSec: number;

  private constructor(state: State, timeoutSec: number) {
    this.state = state;
    this.dir = state.dir;
    this.kubeconfig = join(state.dir, 'kubeconfig');
    this.timeoutSec = timeoutSec;
  }

  /** A cluster-admin client (client certificate). */
  get kube(): Kube {
    this.client ??= Kube.fromKubeconfig(this.kubeconfig);
    return this.client;
  }

  get addresses(): Addresses {
    return this.state.addresses;
  }

  /** Re-attaches to a running test bed's directory (for `down`, or a test that shares one). */
  static attach(dir: string): Testbed {
    return new Testbed(load(dir), 180);
  }

  static async up(o: UpOptions = {}): Promise<Testbed> {
    const log = o.log ?? (() => {});
    const t0 = Date.now();
    const cEnv = o.collector ? collectorEnv(o.collectorEnv) : {};
    const bins = binaries(log, ['etcd', 'kubernetes', ...((o.nodes ?? 0) > 0 ? (['kwok'] as const) : []), ...(o.collector ? (['otelcol'] as const) : [])]);
    const dir = resolve(o.dir ?? mkdtempSync(join(tmpdir(), 'sentinel-testbed-')));
    if (existsSync(join(dir, 'addresses.json'))) {
      const running = Object.values(load(dir).addresses).flatMap((a) => (a && alive(a.pid) && ours(a.pid, dir) ? [a.pid] : []));
      if (running.length) throw new Error(`${dir} already has a running test bed (pids ${running.join(', ')}); run down --dir ${dir} first`);
    }
    for (const sub of ['etcd', 'pki', 'logs', 'run', 'collector']) rmSync(join(dir, sub), { recursive: true, force: true });
    for (const sub of ['pki', 'logs', 'run']) mkdirSync(join(dir, sub), { recursive: true });
    makePki(join(dir, 'pki'));
    const state: State = { dir, launches: {}, addresses: {} };
    const tb = new Testbed(state, o.readyTimeoutSec ?? 180);
    try {
      const [c, p, a, cm, sch, kw] = await Promise.all([freePort(), freePort(), freePort(), freePort(), freePort(), freePort()]);
      const etcd = etcdLaunch(dir, bins.etcd, c, p);
      await tb.startComponent(etcd);
      log(`etcd ${etcd.url}`);
      const api = apiserverLaunch(dir, bins['kube-apiserver'], a, etcd.url, o.apiserverArgs ?? []);
      writeFileSync(join(dir, 'kubeconfig'), kubeconfig(api.url, join(dir, 'pki'), 'admin'), { mode: 0o600 });
      writeFileSync(join(dir, 'run', 'controllerManager.kubeconfig'), kubeconfig(api.url, join(dir, 'pki'), 'controller-manager'), { mode: 0o600 });
      writeFileSync(join(dir, 'run', 'scheduler.kubeconfig'), kubeconfig(api.url, join(dir, 'pki'), 'scheduler'), { mode: 0o600 });
      await tb.startComponent(api);
      log(`kube-apiserver ${api.url} ready after ${((Date.now() - t0) / 1000).toFixed(1)} s`);
      const crds = await installCrds(tb.kube);
      log(`CRDs established: ${crds.join(', ')}`);
      await Promise.all([tb.startComponent(controllerLaunch(dir, 'controllerManager', bins['kube-controller-manager'], cm, o.controllerManagerArgs)), tb.startComponent(controllerLaunch(dir, 'scheduler', bins['kube-scheduler'], sch))]);
      log('kube-controller-manager and kube-scheduler healthy');
      const nodes = o.nodes ?? 0;
      if (nodes > 0) {
        await tb.startComponent(kwokLaunch(dir, bins.kwok, kw));
        await tb.addNodes(nodes);
        log(`kwok ${state.addresses.kwok?.url} with ${nodes} Ready node(s)`);
      }
      if (o.collector) {
        const [grpc, http, prometheus, health, telemetry] = await Promise.all([freePort(), freePort(), freePort(), freePort(), freePort()]);
        await tb.startComponent(collectorLaunch(dir, bins.otelcol, { grpc, http, prometheus, health, telemetry }, cEnv, o.collectorConfig));
        const c = state.addresses.collector;
        log(`OpenTelemetry Collector: OTLP/HTTP ${String(c?.otlpHttp)}, Prometheus exporter ${String(c?.prometheus)} (logs to ${cEnv.SENTINEL_OTLP_ENDPOINT})`);
      }
      log(`test bed up in ${((Date.now() - t0) / 1000).toFixed(1)} s: ${join(dir, 'kubeconfig')}`);
      return tb;
    } catch (e) {
      await tb.down();
      throw e;
    }
  }

  private probeFor(name: ComponentName): { probe: Probe; ok?: (r: { status: number; body: string }) => boolean } {
    const url = this.state.addresses[name]?.url ?? '';
    const pki = join(this.dir, 'pki');
    switch (name) {
      case 'etcd':
        return { probe: { url: `${url}/health` }, ok: (r) => r.status === 200 && r.body.includes('"health":"true"') };
      case 'apiserver':
        return { probe: { url: `${url}/readyz`, ca: readFileSync(join(pki, 'ca.crt'), 'utf8'), cert: readFileSync(join(pki, 'admin.crt'), 'utf8'), key: readFileSync(join(pki, 'admin.key'), 'utf8') } };
      case 'controllerManager':
      case 'scheduler':
        return { probe: { url: `${url}/healthz`, ca: readFileSync(join(pki, 'ca.crt'), 'utf8') } };
      case 'kwok':
        return { probe: { url: `${url}/healthz` } };
      case 'collector':
        // health_check answers 200 once every pipeline has started
        return { probe: { url: `${url}/` } };
    }
  }

  private async startComponent(l: Launch): Promise<void> {
    launch(this.state, l);
    const { probe: p, ok } = this.probeFor(l.name);
    await waitReady(this.state, l.name, p, this.timeoutSec, ok);
  }

  /** Creates N KWOK nodes (kwok-node-0…) and waits until each is Ready. */
  async addNodes(n: number, from = 0): Promise<string[]> {
    const names: string[] = [];
    for (let i = from; i < from + n; i++) {
      const name = `kwok-node-${i}`;
      names.push(name);
      await this.kube.apply({
        apiVersion: 'v1',
        kind: 'Node',
        metadata: { name, annotations: { 'kwok.x-k8s.io/node': 'fake', 'node.alpha.kubernetes.io/ttl': '0' }, labels: { type: 'kwok', 'kubernetes.io/hostname': name, 'kubernetes.io/os': 'linux', 'kubernetes.io/arch': 'amd64' } },
        spec: {},
      });
    }
    const deadline = Date.now() + this.timeoutSec * 1000;
    for (const name of names) {
      for (;;) {
        const node = await this.kube.find<{ status?: { conditions?: { type: string; status: string }[] } }>(`/api/v1/nodes/${name}`);
        if (node?.status?.conditions?.some((c) => c.type === 'Ready' && c.status === 'True')) break;
        if (Date.now() > deadline) throw new Error(`node ${name} not Ready after ${this.timeoutSec} s; kwok's log ends:\n${tail(logPath(this.dir, 'kwok'))}`);
        await sleep(200);
      }
    }
    return names;
  }

  /** kill -9 (or SIGTERM) one component; it stays down until start(). */
  async stop(name: ComponentName, signal: 'SIGKILL' | 'SIGTERM' = 'SIGTERM'): Promise<void> {
    const pid = this.state.addresses[name]?.pid;
    if (!pid || !ours(pid, this.dir)) return;
    if (signal === 'SIGKILL') {
      process.kill(pid, 'SIGKILL');
      for (let i = 0; i < 200 && alive(pid) && !isZombie(pid); i++) await sleep(20);
    } else await stopPid(pid, 20_000);
  }

  /** Starts a stopped component again with the same flags and port, and waits until it is ready. */
  async start(name: ComponentName): Promise<void> {
    const l = this.state.launches[name];
    if (!l) throw new Error(`${name} was never started in ${this.dir}`);
    await this.startComponent(l);
  }

  async restart(name: ComponentName, signal: 'SIGKILL' | 'SIGTERM' = 'SIGTERM'): Promise<void> {
    await this.stop(name, signal);
    await this.start(name);
  }

  log(name: ComponentName): string {
    return existsSync(logPath(this.dir, name)) ? readFileSync(logPath(this.dir, name), 'utf8') : '';
  }

  /** The API server's audit events (testbed/audit-policy.yaml: metadata of every request). */
  audit(): AuditEvent[] {
    let text: string;
    try {
      text = readFileSync(join(this.dir, 'logs', 'audit.log'), 'utf8');
    } catch {
      return [];
    }
    return text
      .split('\n')
      .filter((l) => l.startsWith('{'))
      .map((l) => JSON.parse(l) as AuditEvent);
  }

  /** Stops every component this test bed started (newest first). Answers what was stopped. */
  async down(): Promise<ComponentName[]> {
    const stopped: ComponentName[] = [];
    for (const name of [...COMPONENTS].reverse()) {
      const a = this.state.addresses[name];
      if (!a) continue;
      if (alive(a.pid) && ours(a.pid, this.dir)) {
        await stopPid(a.pid);
        stopped.push(name);
      }
    }
    return stopped;
  }
}

export { Kube, KubeError };
