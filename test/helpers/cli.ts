import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { cli } from '../../src/cli/cli.js';

export const root = fileURLToPath(new URL('../..', import.meta.url));
export const cliPath = fileURLToPath(new URL('../../dist/src/cli/main.js', import.meta.url));
export const fixture = (...p: string[]) => fileURLToPath(new URL(`../fixtures/${p.join('/')}`, import.meta.url));

export interface CliResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

/**
 * Runs the built CLI as a user would, with no terminal and no stdin: a child process. For the
 * few end-to-end checks (the executable, its exit, its working folder, its environment).
 */
export function xmargin(
  args: string[],
  options: { cwd?: string; env?: Record<string, string>; timeout?: number } = {},
): CliResult {
  const r = spawnSync(process.execPath, [cliPath, ...args], {
    cwd: options.cwd ?? root,
    encoding: 'utf8',
    env: { ...process.env, ...options.env },
    input: '',
    timeout: options.timeout ?? 120_000,
    // A process that spins in synchronous code never handles a SIGTERM (the bin listens for it).
    killSignal: 'SIGKILL',
  });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

/**
 * Runs the CLI in this process (cli() from src/cli/cli.ts) with its output captured: the same
 * result as xmargin(), without a process start. stderr is no terminal, so no progress bar.
 * Relative paths resolve against process.cwd(), the repository root under vitest (as xmargin()'s
 * default cwd); there is no cwd or env option, since a test cannot change either for one call.
 */
export async function xmarginInProcess(args: string[], options: { signal?: AbortSignal } = {}): Promise<CliResult> {
  let stdout = '';
  let stderr = '';
  const code = await cli(args, {
    stdout: { write: (t: string) => (stdout += t) },
    stderr: { write: (t: string) => (stderr += t) },
    signal: options.signal,
  });
  return { code, stdout, stderr };
}
