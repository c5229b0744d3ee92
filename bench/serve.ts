// `npm run bench:serve`: the what-if service under load on M (bench/lib/serve.ts), on its own:
// prints the figures and writes bench/results/serve.json. The full bench runs the same on M and
// the quick one on S, where bench:check gates their latency.
import { parseArgs } from 'node:util';
import { writeFileAtomic } from '../src/io/atomic.js';
import { fromRoot } from '../src/paths.js';
import type { SynthSize } from '../src/synth/index.js';
import { Workloads } from './lib/e2e.js';
import { runServeBench } from './lib/serve.js';

async function main(): Promise<number> {
  const args = parseArgs({ options: { size: { type: 'string', default: 'M' } } }).values;
  const size = args.size as SynthSize;
  if (!['S', 'M', 'L'].includes(size)) {
    process.stderr.write(`bench:serve: --size must be S, M or L, got ${size}\n`);
    return 2;
  }
  const workloads = new Workloads();
  try {
    process.stderr.write(`xmargin serve on ${size}: warm-up, then single-trade what-ifs on 1 and 8 connections...\n`);
    const f = await runServeBench(size, workloads);
    const o = f.oneConnection;
    const e = f.eightConnections;
    process.stdout.write(
      `${size}, ${f.workers} workers, trades in ${f.accounts} accounts (started in ${f.startSeconds} s)\n` +
        `1 connection:  ${o.requests} what-ifs, p50 ${o.p50Ms} ms, p90 ${o.p90Ms} ms, p99 ${o.p99Ms} ms, max ${o.maxMs} ms (target: p50 <= 5, p99 <= 20)\n` +
        `8 connections: ${e.requests} what-ifs, ${e.perSecond} per second, p50 ${e.p50Ms} ms, p99 ${e.p99Ms} ms\n` +
        `server peak RSS ${f.peakRssMB} MiB (target: < 1024)\n`,
    );
    writeFileAtomic(
      fromRoot('bench', 'results', 'serve.json'),
      JSON.stringify({ date: new Date().toISOString(), ...f }, null, 2) + '\n',
    );
    return 0;
  } finally {
    workloads.dispose();
  }
}

main().then(
  (code) => process.exit(code),
  (err) => {
    process.stderr.write(`bench:serve: ${err instanceof Error ? err.message : String(err)}\n`);
    process.exit(3);
  },
);
