import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { main } from '../../src/cli/main.ts';
import type { IO } from '../../src/cli/io.ts';

export const ROOT = fileURLToPath(new URL('../../', import.meta.url));
export const BIN = fileURLToPath(new URL('../../bin/sentinel-agent.js', import.meta.url));

export interface CliResult {
  code: number;
  stdout: string;
  stderr: string;
}

/** Runs the CLI in-process with captured output, a fixed clock and no TTY. */
export async function cli(argv: string[], o: { stdin?: string; env?: Record<string, string>; now?: number; tty?: boolean; columns?: number } = {}): Promise<CliResult> {
  let stdout = '';
  let stderr = '';
  const io: IO = {
    stdout: (s) => {
      stdout += s;
    },
    stderr: (s) => {
      stderr += s;
    },
    stdin: () => o.stdin ?? '',
    stdoutIsTTY: o.tty ?? false,
    ...(o.columns !== undefined ? { columns: o.columns } : {}),
    env: o.env ?? {},
    now: () => o.now ?? Date.parse('2026-11-24T12:00:00Z'),
  };
  const code = await main(argv, io);
  return { code, stdout, stderr };
}

/** Runs the real executable as a user would (same Node as the tests: the pinned Node 24). */
export function spawnCli(argv: string[], o: { stdin?: string; env?: Record<string, string>; timeoutMs?: number } = {}): Promise<CliResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [BIN, ...argv], { cwd: ROOT, env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '/tmp', ...o.env }, stdio: ['pipe', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    const timer = setTimeout(() => child.kill('SIGKILL'), o.timeoutMs ?? 20_000);
    child.on('error', reject);
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code: code ?? -1, stdout, stderr });
    });
    child.stdin.end(o.stdin ?? '');
  });
}
