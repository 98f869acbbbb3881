// npm run testbed -- up [--dir DIR] [--nodes N] [--collector] [--apiserver-arg=FLAG]...
// npm run testbed -- down --dir DIR
// npm run testbed -- build [tool...]
// A real control plane on loopback (see testbed/testbed.ts); `up` prints where its kubeconfig is
// and returns, leaving the processes running until `down`.

import { parseArgs } from 'node:util';
import { Testbed, binaries, type Tool } from './testbed.ts';

const TOOLS: readonly Tool[] = ['etcd', 'kubernetes', 'kwok', 'otelcol', 'kube-state-metrics'];

const USAGE = `usage: npm run testbed -- up [--dir DIR] [--nodes N] [--collector] [--apiserver-arg=--flag=value ...]
       npm run testbed -- down --dir DIR
       npm run testbed -- build [tool...] (build or find the binaries, print where they are;
                                           tools: ${TOOLS.join(' ')}; default all)
  --collector  also run the OpenTelemetry Collector with otel-collector-config.yaml unchanged;
               SENTINEL_OTLP_ENDPOINT and SENTINEL_API_KEY come from the environment`;

function fail(msg: string, code = 2): never {
  process.stderr.write(`testbed: ${msg}\n${code === 2 ? `${USAGE}\n` : ''}`);
  process.exit(code);
}

async function main(): Promise<void> {
  const [cmd, ...rest] = process.argv.slice(2);
  let values: { dir?: string; nodes?: string; 'apiserver-arg'?: string[]; collector?: boolean; help?: boolean };
  let positionals: string[];
  try {
    ({ values, positionals } = parseArgs({ args: rest, options: { dir: { type: 'string' }, nodes: { type: 'string' }, 'apiserver-arg': { type: 'string', multiple: true }, collector: { type: 'boolean' }, help: { type: 'boolean', short: 'h' } }, allowPositionals: cmd === 'build' }));
  } catch (e) {
    fail((e as Error).message.split('\n')[0] ?? 'bad arguments');
  }
  if (values.help || cmd === 'help' || cmd === '--help') {
    process.stdout.write(`${USAGE}\n`);
    return;
  }
  const log = (s: string): void => void process.stderr.write(`testbed: ${s}\n`);
  switch (cmd) {
    case 'build': {
      const bad = positionals.filter((t) => !TOOLS.includes(t as Tool));
      if (bad.length) fail(`unknown tool "${bad.join('", "')}" (${TOOLS.join(', ')})`);
      try {
        binaries(log, positionals.length ? (positionals as Tool[]) : TOOLS);
      } catch (e) {
        fail((e as Error).message, 1);
      }
      return;
    }
    case 'up': {
      const nodes = values.nodes === undefined ? 0 : Number(values.nodes);
      if (!Number.isInteger(nodes) || nodes < 0 || nodes > 1000) fail(`--nodes must be an integer from 0 to 1000, not "${values.nodes}"`);
      let tb: Testbed;
      try {
        tb = await Testbed.up({ dir: values.dir, nodes, apiserverArgs: values['apiserver-arg'] ?? [], collector: values.collector === true, log });
      } catch (e) {
        fail((e as Error).message, 1);
      }
      process.stdout.write(`${JSON.stringify({ dir: tb.dir, kubeconfig: tb.kubeconfig, addresses: tb.addresses }, null, 2)}\n`);
      const otlp = tb.addresses.collector?.otlpHttp;
      const watchEnv = typeof otlp === 'string' ? `OTEL_EXPORTER_OTLP_ENDPOINT=${otlp} ` : '';
      process.stderr.write(`testbed: try it:\n  npm run --silent doctor -- --kubeconfig ${tb.kubeconfig}\n  ${watchEnv}npm run sentinel-agent -- watch --kubeconfig ${tb.kubeconfig} --listen 127.0.0.1:8080\n  npm run testbed -- down --dir ${tb.dir}\n`);
      return;
    }
    case 'down': {
      if (!values.dir) fail('down needs --dir DIR (the directory up printed)');
      let stopped: string[];
      try {
        stopped = await Testbed.attach(values.dir).down();
      } catch (e) {
        fail((e as Error).message, 1);
      }
      log(stopped.length ? `stopped ${stopped.join(', ')}` : 'nothing was running');
      return;
    }
    default:
      fail(cmd ? `unknown command "${cmd}"` : 'a command is needed');
  }
}

await main();
