// A real redis-server (Debian's package) for one test file: on a free loopback port, no
// persistence, stopped (or killed) by the test. And `xmargin worker` processes against it.
import { spawn, type ChildProcess } from 'node:child_process';
import { startRedisServer } from '../../bench/lib/redis-server.js';
import { Redis } from 'ioredis';
import { cliPath, root } from './cli.js';

export interface TestRedis {
  url: string;
  port: number;
  /** A client for the test's own checks. */
  client(): Redis;
  /** Stops it for good (SIGKILL: as a crash, nothing saved). */
  kill(): Promise<void>;
}

export async function startRedis(): Promise<TestRedis> {
  const server = await startRedisServer();
  const clients: Redis[] = [];
  return {
    url: server.url,
    port: server.port,
    client() {
      const c = new Redis(server.port, '127.0.0.1');
      clients.push(c);
      return c;
    },
    async kill() {
      for (const c of clients) c.disconnect();
      await server.kill();
    },
  };
}

export interface WorkerProcess {
  proc: ChildProcess;
  /** Everything it wrote on stderr so far. */
  log(): string;
  /** SIGTERM, and its exit code. */
  stop(): Promise<number | null>;
  kill(): Promise<void>;
  /** Resolves when its log from character `since` on matches. */
  waitFor(pattern: RegExp, options?: { ms?: number; since?: number }): Promise<void>;
}

export async function startWorker(
  url: string,
  options: { concurrency?: number; lockMs?: number; env?: Record<string, string>; verbose?: boolean } = {},
): Promise<WorkerProcess> {
  const proc = spawn(
    process.execPath,
    [
      cliPath,
      'worker',
      '--redis',
      url,
      '--concurrency',
      String(options.concurrency ?? 1),
      '--lock-ms',
      String(options.lockMs ?? 1500),
      ...(options.verbose ? ['--verbose'] : []),
    ],
    { cwd: root, stdio: ['ignore', 'ignore', 'pipe'], env: { ...process.env, ...options.env } },
  );
  let log = '';
  const waiters: { pattern: RegExp; since: number; resolve: () => void }[] = [];
  proc.stderr!.on('data', (d) => {
    log += d;
    for (const w of waiters.splice(0))
      if (w.pattern.test(log.slice(w.since))) w.resolve();
      else waiters.push(w);
  });
  const worker: WorkerProcess = {
    proc,
    log: () => log,
    waitFor(pattern, { ms = 20_000, since = 0 } = {}) {
      if (pattern.test(log.slice(since))) return Promise.resolve();
      return new Promise((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error(`worker log never matched ${pattern}: ${log}`)), ms);
        proc.once('exit', (code) => {
          clearTimeout(timer);
          reject(new Error(`worker exited (${code}) before its log matched ${pattern}: ${log}`));
        });
        waiters.push({
          pattern,
          since,
          resolve: () => {
            clearTimeout(timer);
            resolve();
          },
        });
      });
    },
    async stop() {
      if (proc.exitCode !== null || proc.signalCode !== null) return proc.exitCode;
      const exited = new Promise<number | null>((r) => proc.once('exit', (code) => r(code)));
      proc.kill('SIGTERM');
      return exited;
    },
    async kill() {
      if (proc.exitCode !== null || proc.signalCode !== null) return;
      const exited = new Promise((r) => proc.once('exit', r));
      proc.kill('SIGKILL');
      await exited;
    },
  };
  await worker.waitFor(/taking tasks from/);
  return worker;
}
