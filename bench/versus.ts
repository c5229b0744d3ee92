// `node dist/bench/versus.js --against DIR`: end-to-end wall time of this build against another
// build of xmargin (DIR: a built checkout, e.g. the commit before a change), in one run. Each
// repetition runs both CLIs on the same synthetic workload, one right after the other, so that
// drift in the machine's load hits both alike; the figure is the ratio this / other of the medians
// (and of the best runs: on a shared machine noise only ever adds time).
//
//   git worktree add ../xmargin-before <commit> && (cd ../xmargin-before && npm ci && npm run build)
//   node dist/bench/versus.js --against ../xmargin-before [--sizes M,L] [--workers 2] [--reps 7]
//
// Writes bench/results/versus.json (or --out FILE). Exit codes: 0 done; 2 usage; 3 a run failed.
import { existsSync, mkdirSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { writeFileAtomic } from '../src/io/atomic.js';
import { fromRoot } from '../src/paths.js';
import { isSynthSize, type SynthSize } from '../src/synth/index.js';
import { runCli, Workloads } from './lib/e2e.js';
import { median, pairedRatio, sig } from './lib/stats.js';
import { BenchFailure } from './lib/tinybench.js';

interface VersusFigure {
  size: SynthSize;
  workers: number;
  reps: number;
  thisMs: number[];
  otherMs: number[];
  /** Median wall of this build / median wall of the other (below 1: this build is faster). */
  ratioMedian: number;
  /**
   * The median of each repetition's own ratio (the two builds run back to back): steadier than the
   * ratio of the medians on a host whose speed drifts over minutes (bench/queue.ts says the same).
   */
  ratioPaired: number;
  /** Best wall of this build / best wall of the other. */
  ratioBest: number;
}

async function main(): Promise<number> {
  let args;
  try {
    args = parseArgs({
      options: {
        against: { type: 'string' },
        sizes: { type: 'string', default: 'M,L' },
        workers: { type: 'string', default: '2' },
        reps: { type: 'string', default: '7' },
        out: { type: 'string' },
      },
    }).values;
    if (!args.against) throw new Error('--against DIR is required');
  } catch (err) {
    process.stderr.write(
      `versus: ${(err as Error).message}\nusage: node dist/bench/versus.js --against DIR [--sizes M,L] [--workers 2] [--reps 7]\n`,
    );
    return 2;
  }
  const other = resolve(args.against, 'dist', 'src', 'cli', 'main.js');
  if (!existsSync(other)) {
    process.stderr.write(`versus: ${other} not found: build the other checkout first (npm ci && npm run build)\n`);
    return 2;
  }
  const sizes = args.sizes.split(',');
  for (const s of sizes) if (!isSynthSize(s)) return usage(`--sizes: ${s} is not one of S, M, L`);
  const workers = Number(args.workers);
  const reps = Number(args.reps);
  if (!(Number.isInteger(workers) && workers >= 1)) return usage(`--workers must be a whole number >= 1`);
  if (!(Number.isInteger(reps) && reps >= 1)) return usage(`--reps must be a whole number >= 1`);

  const mine = fromRoot('dist', 'src', 'cli', 'main.js');
  const workloads = new Workloads();
  const figures: VersusFigure[] = [];
  try {
    for (const size of sizes as SynthSize[]) {
      const files = workloads.get(size);
      const out = join(workloads.dir, 'out');
      const thisMs: number[] = [];
      const otherMs: number[] = [];
      for (let rep = 0; rep < reps; rep++) {
        // Alternate which goes first, so neither always runs on a warmer machine.
        const order = rep % 2 === 0 ? ['this', 'other'] : ['other', 'this'];
        for (const who of order) {
          const r = runCli(files, workers, out, who === 'this' ? mine : other);
          (who === 'this' ? thisMs : otherMs).push(sig(r.wallMs, 5));
        }
        process.stderr.write(`  ${size} rep ${rep + 1}/${reps}: this ${thisMs[rep]} ms, other ${otherMs[rep]} ms\n`);
      }
      figures.push({
        size,
        workers,
        reps,
        thisMs,
        otherMs,
        ratioMedian: sig(median(thisMs) / median(otherMs), 4),
        ratioPaired: sig(pairedRatio(thisMs, otherMs), 4),
        ratioBest: sig(Math.min(...thisMs) / Math.min(...otherMs), 4),
      });
    }
  } finally {
    workloads.dispose();
  }
  const file = args.out ? resolve(args.out) : fromRoot('bench', 'results', 'versus.json');
  mkdirSync(dirname(file), { recursive: true });
  writeFileAtomic(
    file,
    JSON.stringify({ date: new Date().toISOString(), against: resolve(args.against), figures }, null, 2) + '\n',
  );
  for (const f of figures) {
    process.stdout.write(
      `${f.size}, ${f.workers} workers, ${f.reps} reps: this ${median(f.thisMs)} ms vs other ${median(f.otherMs)} ms (median); ` +
        `ratio ${f.ratioMedian} (medians), ${f.ratioPaired} (paired), ${f.ratioBest} (best)\n`,
    );
  }
  process.stdout.write(`wrote ${file}\n`);
  return 0;
}

function usage(message: string): number {
  process.stderr.write(`versus: ${message}\n`);
  return 2;
}

main().then(
  (code) => process.exit(code),
  (err) => {
    process.stderr.write(`versus: ${err instanceof Error ? err.message : String(err)}\n`);
    process.exit(err instanceof BenchFailure ? 3 : 1);
  },
);
