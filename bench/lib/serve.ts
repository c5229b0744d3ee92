// The what-if service under load (issue 13): `xmargin serve` as its own process on a synthetic
// workload, and autocannon against it. Single-trade what-ifs on one connection (latency: p50,
// p99), then on 8 connections (throughput), after a warm-up that has asked about every account
// the load trades in (their unit vectors are then cached: the steady state of a desk asking about
// its own book). The server's peak RSS comes from /proc (VmHWM) when the load is done.
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import autocannon from 'autocannon';
import { fromRoot } from '../../src/paths.js';
import type { SynthSize } from '../../src/synth/index.js';
import { calibrationTasks, measureCalibration } from './calibrate.js';
import type { Workloads } from './e2e.js';
import { sig } from './stats.js';

export interface ServeFigure {
  size: SynthSize;
  workers: number;
  /** Accounts the load trades in (each request: one of them, one instrument). */
  accounts: number;
  /** Seconds from start to listening (the suite run and the row vectors). */
  startSeconds: number;
  oneConnection: { requests: number; p50Ms: number; p90Ms: number; p99Ms: number; maxMs: number };
  eightConnections: { requests: number; perSecond: number; p50Ms: number; p99Ms: number };
  /** Peak RSS of the server process, MiB. */
  peakRssMB: number;
  /** p50 and p99 in multiples of the calibration loop (unitMs), for the gate. */
  p50Normalised: number;
  p99Normalised: number;
}

/** autocannon as a promise. */
function cannon(opts: autocannon.Options): Promise<autocannon.Result> {
  return new Promise((resolve, reject) => {
    autocannon(opts, (err, result) => (err ? reject(err) : resolve(result)));
  });
}

export async function runServeBench(
  size: SynthSize,
  workloads: Workloads,
  options: { workers?: number; requests?: number; seconds?: number; accounts?: number } = {},
): Promise<ServeFigure> {
  const workers = options.workers ?? 2;
  const files = workloads.get(size);
  const book = JSON.parse(readFileSync(files.book, 'utf8')) as { accounts: { id: string }[]; instruments: { id: string }[] };
  const nAccounts = Math.min(options.accounts ?? 50, book.accounts.length);
  const t0 = Date.now();
  const child = spawn(
    process.execPath,
    [
      fromRoot('dist', 'src', 'cli', 'main.js'),
      'serve',
      '--market',
      files.market,
      '--book',
      files.book,
      '--suite',
      files.suite,
      '--port',
      '0',
      '--no-log',
      '--workers',
      String(workers),
      '--rate-limit',
      '100000000',
    ],
    { stdio: ['ignore', 'ignore', 'pipe'] },
  );
  let stderr = '';
  try {
    const url = await new Promise<string>((resolve, reject) => {
      child.stderr!.on('data', (d) => {
        stderr += d;
        const m = /listening on (http:\/\/\S+)/.exec(stderr);
        if (m) resolve(m[1]);
      });
      child.on('exit', (code) => reject(new Error(`xmargin serve exited ${code}: ${stderr}`)));
    });
    const startSeconds = (Date.now() - t0) / 1000;
    // Requests over the first accounts and a spread of instruments, fixed bodies (no randomness).
    const bodies = Array.from({ length: 200 }, (_, i) =>
      JSON.stringify({
        trades: [
          {
            account: book.accounts[i % nAccounts].id,
            instrument: book.instruments[(i * 7) % book.instruments.length].id,
            quantity: (i % 5) - 2 || 1,
          },
        ],
      }),
    );
    const requests = bodies.map((body) => ({
      method: 'POST' as const,
      path: '/what-if',
      headers: { 'content-type': 'application/json' },
      body,
    }));
    // Warm-up: every body once, so every traded account's and portfolio's vectors are cached.
    for (const body of bodies) {
      const r = await fetch(`${url}/what-if`, { method: 'POST', headers: { 'content-type': 'application/json' }, body });
      if (r.status !== 200) throw new Error(`what-if answered ${r.status}: ${await r.text()}`);
    }
    const calib = await measureCalibration(calibrationTasks(), 100);
    const one = await cannon({ url, connections: 1, amount: options.requests ?? 2000, requests });
    const eight = await cannon({ url, connections: 8, duration: options.seconds ?? 10, requests });
    for (const r of [one, eight])
      if (r.non2xx > 0 || r.errors > 0) throw new Error(`${r.non2xx} non-2xx answers, ${r.errors} errors`);
    const status = readFileSync(`/proc/${child.pid}/status`, 'utf8');
    const hwm = Number(/VmHWM:\s+(\d+) kB/.exec(status)?.[1] ?? NaN);
    return {
      size,
      workers,
      accounts: nAccounts,
      startSeconds: sig(startSeconds, 3),
      oneConnection: {
        requests: one.requests.total,
        p50Ms: one.latency.p50,
        p90Ms: one.latency.p90,
        p99Ms: one.latency.p99,
        maxMs: one.latency.max,
      },
      eightConnections: {
        requests: eight.requests.total,
        perSecond: sig(eight.requests.average, 4),
        p50Ms: eight.latency.p50,
        p99Ms: eight.latency.p99,
      },
      peakRssMB: sig(hwm / 1024, 4),
      p50Normalised: sig(one.latency.p50 / calib.unitMs, 5),
      p99Normalised: sig(one.latency.p99 / calib.unitMs, 5),
    };
  } finally {
    const exited = new Promise<void>((resolve) => child.on('exit', () => resolve()));
    child.kill('SIGTERM');
    await exited;
  }
}
