// npm run testbed -- up [--dir DIR] [--nodes N] [--apiserver-arg=FLAG]...
// npm run testbed -- down --dir DIR
// npm run testbed -- build
// A real control plane on loopback (see testbed/testbed.ts); `up` prints where its kubeconfig is
// and returns, leaving the processes running until `down`.

import { parseArgs } from 'node:util';
import { Testbed, binaries } from './testbed.ts';

const USAGE = `usage: npm run testbed -- up [--dir DIR] [--nodes N] [--apiserver-arg=--flag=value ...]
       npm run testbed -- down --dir DIR
       npm run testbed -- build          (build or find the binaries, print where they are)`;

function fail(msg: string, code = 2): never {
  process.stderr.write(`testbed: ${msg}\n${code === 2 ? `${USAGE}\n` : ''}`);
  process.exit(code);
}

async function main(): Promise<void> {
  const [cmd, ...rest] = process.argv.slice(2);
  let values: { dir?: string; nodes?: string; 'apiserver-arg'?: string[]; help?: boolean };
  try {
    ({ values } = parseArgs({ args: rest, options: { dir: { type: 'string' }, nodes: { type: 'string' }, 'apiserver-arg': { type: 'string', multiple: true }, help: { type: 'boolean', short: 'h' } }, allowPositionals: false }));
  } catch (e) {
    fail((e as Error).message.split('\n')[0] ?? 'bad arguments');
  }
  if (values.help || cmd === 'help' || cmd === '--help') {
    process.stdout.write(`${USAGE}\n`);
    return;
  }
  const log = (s: string): void => void process.stderr.write(`testbed: ${s}\n`);
  switch (cmd) {
    case 'build':
      binaries(log);
      return;
    case 'up': {
      const nodes = values.nodes === undefined ? 0 : Number(values.nodes);
      if (!Number.isInteger(nodes) || nodes < 0 || nodes > 1000) fail(`--nodes must be an integer from 0 to 1000, not "${values.nodes}"`);
      let tb: Testbed;
      try {
        tb = await Testbed.up({ dir: values.dir, nodes, apiserverArgs: values['apiserver-arg'] ?? [], log });
      } catch (e) {
        fail((e as Error).message, 1);
      }
      process.stdout.write(`${JSON.stringify({ dir: tb.dir, kubeconfig: tb.kubeconfig, addresses: tb.addresses }, null, 2)}\n`);
      process.stderr.write(`testbed: try it:\n  npm run --silent doctor -- --kubeconfig ${tb.kubeconfig}\n  npm run sentinel-agent -- watch --kubeconfig ${tb.kubeconfig} --listen 127.0.0.1:8080\n  npm run testbed -- down --dir ${tb.dir}\n`);
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
