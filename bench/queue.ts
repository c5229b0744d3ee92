// `npm run bench:queue`: a distributed run against a local one on this machine, in one run. A
// redis-server on a free loopback port and two `xmargin worker` processes of one thread each
// serve `xmargin run --redis`; the local run is `xmargin run --workers 2`. Repetitions alternate
// which goes first. The figure is the queue's overhead, median wall through the queue / median
// wall local (the issue's bound: 1.25), with the median of the repetitions' own ratios beside it
// (the steadier on a drifting host), and the bytes the run moved through Redis.
//
//   node dist/bench/queue.js [--sizes M,L] [--reps 5]
//
// Writes bench/results/queue.json. Exit codes: 0 done; 2 usage; 3 a run failed.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { parseArgs } from 'node:util';
import { writeFileAtomic } from '../src/io/atomic.js';
import { fromRoot } from '../src/paths.js';
import { isSynthSize, type SynthSize } from '../src/synth/index.js';
import { Workloads } from './lib/e2e.js';
import { startRedisServer, type LocalRedisServer } from './lib/redis-server.js';
import { median, pairedRatio, sig } from './lib/stats.js';
import { BenchFailure } from './lib/tinybench.js';

interface QueueFigure {
  size: SynthSize;
  reps: number;
  localMs: number[];
  queueMs: number[];
  /** Median through the queue / median local. */
  ratioMedian: number;
  /**
   * The median of each repetition's own ratio (its queue wall over its local wall, run back to
   * back): on a host whose speed drifts over minutes (this one: the same run from 10 to 14 s),
   * the pair shares the drift that the two medians, taken over different minutes, do not.
   */
  ratioPaired: number;
  ratioBest: number;
  /** From the coordinator's traffic line: tasks, and MB of tasks, of plan and blobs, of results. */
  tasks: number;
  taskMB: number;
  storedMB: number;
  /** Results the coordinator read. */
  resultMB: number;
  /** Results the workers left in Redis and merged there (stored packs). */
  keptMB: number;
}

const cli = fromRoot('dist', 'src', 'cli', 'main.js');

function timed(args: string[]): { ms: number; stderr: string } {
  const t0 = process.hrtime.bigint();
  const r = spawnSync(process.execPath, [cli, ...args], { encoding: 'utf8', stdio: ['ignore', 'ignore', 'pipe'] });
  const ms = Number(process.hrtime.bigint() - t0) / 1e6;
  if (r.status !== 0) throw new BenchFailure(`xmargin ${args.join(' ')} exited ${r.status}: ${r.stderr}`);
  return { ms, stderr: r.stderr };
}

async function waitForLine(proc: ChildProcess, pattern: RegExp, what: string): Promise<void> {
  let text = '';
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new BenchFailure(`${what} did not start: ${text}`)), 15_000);
    const on = (d: Buffer) => {
      text += d;
      if (pattern.test(text)) {
        clearTimeout(timer);
        resolve();
      }
    };
    proc.stdout?.on('data', on);
    proc.stderr?.on('data', on);
    proc.once('exit', (code) => reject(new BenchFailure(`${what} exited ${code}: ${text}`)));
  });
}

async function main(): Promise<number> {
  let args;
  try {
    args = parseArgs({ options: { sizes: { type: 'string', default: 'M,L' }, reps: { type: 'string', default: '5' } } }).values;
  } catch (err) {
    process.stderr.write(`queue: ${(err as Error).message}\nusage: node dist/bench/queue.js [--sizes M,L] [--reps 5]\n`);
    return 2;
  }
  const sizes = args.sizes.split(',');
  for (const s of sizes) if (!isSynthSize(s)) return usage(`--sizes: ${s} is not one of S, M, L`);
  const reps = Number(args.reps);
  if (!(Number.isInteger(reps) && reps >= 1)) return usage('--reps must be a whole number >= 1');

  const procs: ChildProcess[] = [];
  let redis: LocalRedisServer | undefined;
  const workloads = new Workloads();
  const figures: QueueFigure[] = [];
  try {
    redis = await startRedisServer();
    const url = redis.url;
    for (let w = 0; w < 2; w++) {
      const worker = spawn(process.execPath, [cli, 'worker', '--redis', url, '--concurrency', '1'], {
        stdio: ['ignore', 'ignore', 'pipe'],
      });
      procs.push(worker);
      await waitForLine(worker, /taking tasks from/, 'xmargin worker');
    }
    for (const size of sizes as SynthSize[]) {
      const files = workloads.get(size);
      // --no-html: the same report.html for both would only add its rendering time to each.
      const inputs = ['--market', files.market, '--book', files.book, '--suite', files.suite, '--no-progress', '--no-html'];
      const out = join(workloads.dir, 'out');
      const localMs: number[] = [];
      const queueMs: number[] = [];
      let traffic = '';
      for (let rep = 0; rep < reps; rep++) {
        const order = rep % 2 === 0 ? ['local', 'queue'] : ['queue', 'local'];
        for (const who of order) {
          if (who === 'local') localMs.push(sig(timed(['run', ...inputs, '--out', out, '--workers', '2']).ms, 5));
          else {
            const r = timed(['run', ...inputs, '--out', out, '--redis', url]);
            queueMs.push(sig(r.ms, 5));
            traffic = /\d+ tasks through the queue.*/.exec(r.stderr)?.[0] ?? '';
          }
        }
        process.stderr.write(`  ${size} rep ${rep + 1}/${reps}: local ${localMs[rep]} ms, queue ${queueMs[rep]} ms\n`);
      }
      const mb = (what: string) => Number(new RegExp(`([\\d.]+) MB of ${what}`).exec(traffic)?.[1] ?? NaN);
      figures.push({
        size,
        reps,
        localMs,
        queueMs,
        ratioMedian: sig(median(queueMs) / median(localMs), 4),
        ratioPaired: sig(pairedRatio(queueMs, localMs), 4),
        ratioBest: sig(Math.min(...queueMs) / Math.min(...localMs), 4),
        tasks: Number(/^(\d+) tasks/.exec(traffic)?.[1] ?? NaN),
        taskMB: mb('tasks'),
        storedMB: mb('plan and blobs'),
        resultMB: mb('results read'),
        keptMB: mb('results merged in place'),
      });
    }
  } finally {
    for (const p of procs.reverse()) p.kill('SIGTERM');
    await redis?.kill();
    workloads.dispose();
  }
  const file = fromRoot('bench', 'results', 'queue.json');
  mkdirSync(dirname(file), { recursive: true });
  writeFileAtomic(file, JSON.stringify({ date: new Date().toISOString(), figures }, null, 2) + '\n');
  for (const f of figures)
    process.stdout.write(
      `${f.size}, ${f.reps} reps: local ${median(f.localMs)} ms, queue ${median(f.queueMs)} ms (medians); ` +
        `ratio ${f.ratioMedian} (medians), ${f.ratioPaired} (paired), ${f.ratioBest} (best); ${f.tasks} tasks, ${f.taskMB} MB of tasks, ` +
        `${f.storedMB} MB of plan and blobs, ${f.resultMB} MB of results read, ${f.keptMB} MB merged in place\n`,
    );
  process.stdout.write(`wrote ${file}\n`);
  return 0;
}

function usage(message: string): number {
  process.stderr.write(`queue: ${message}\n`);
  return 2;
}

main().then(
  (code) => process.exit(code),
  (err) => {
    process.stderr.write(`queue: ${err instanceof Error ? err.message : String(err)}\n`);
    process.exit(err instanceof BenchFailure ? 3 : 1);
  },
);
