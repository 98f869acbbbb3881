// Runs doctor in this process (output discarded) and reports wall time and peak RSS on stderr.
import { main } from '../src/cli/main.ts';
const t0 = performance.now();
const code = await main(process.argv.slice(2), {
  stdout: () => {},
  stderr: () => {},
  stdin: () => '',
  stdoutIsTTY: false,
  env: {},
  now: () => Date.now(),
});
const ms = performance.now() - t0;
process.stderr.write(`${JSON.stringify({ code, ms, maxRssMiB: process.resourceUsage().maxRSS / 1024 })}\n`);
