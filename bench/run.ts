// `npm run bench`: the full benchmark (a few minutes). Prints tables, writes
// bench/results/latest.json. `--quick` runs the CI subset instead (and writes
// bench/results/quick.json); `--out FILE` writes elsewhere.
//
// Exit codes: 0 done; 2 usage; 3 a bench task or a CLI run failed.
import { mkdirSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { writeFileAtomic } from '../src/io/atomic.js';
import { fromRoot } from '../src/paths.js';
import { formatResult } from './lib/format.js';
import { runBench } from './lib/suite.js';
import { BenchFailure } from './lib/tinybench.js';

async function main(): Promise<number> {
  let args;
  try {
    args = parseArgs({
      options: {
        quick: { type: 'boolean', default: false },
        out: { type: 'string' },
        silent: { type: 'boolean', default: false },
      },
    }).values;
  } catch (err) {
    process.stderr.write(`bench: ${(err as Error).message}\nusage: node dist/bench/run.js [--quick] [--out FILE] [--silent]\n`);
    return 2;
  }
  const mode = args.quick ? 'quick' : 'full';
  const file = args.out ? resolve(args.out) : fromRoot('bench', 'results', mode === 'full' ? 'latest.json' : 'quick.json');
  const log = (s: string) => process.stderr.write(`${s}\n`);
  const result = await runBench(mode, log);
  mkdirSync(dirname(file), { recursive: true });
  writeFileAtomic(file, JSON.stringify(result, null, 2) + '\n');
  if (!args.silent) process.stdout.write(`${formatResult(result)}\n\nwrote ${file}\n`);
  return 0;
}

main().then(
  (code) => process.exit(code),
  (err) => {
    process.stderr.write(`bench: ${err instanceof Error ? err.message : String(err)}\n`);
    process.exit(err instanceof BenchFailure ? 3 : 1);
  },
);
