// `npm run bench:check`: the performance regression gate.
//
//   node dist/bench/check.js                 compare bench/results/latest.json (from `npm run bench`)
//                                            with bench/baseline.json; fail beyond FULL_THRESHOLDS
//   node dist/bench/check.js --quick         run the quick subset now (~20 s) and compare it;
//                                            fail only beyond QUICK_THRESHOLDS (gross regressions)
//   node dist/bench/check.js --update-baseline [--from FILE]
//                                            make FILE (default latest.json) the new baseline
//   --threshold X   one ratio for every kind of figure; --baseline FILE, --latest FILE   other files
//
// Every compared figure is "lower is better": a normalised time (multiples of a calibration loop
// measured in the same run) or a peak RSS in MiB. ratio = current / baseline; a figure regresses
// when ratio > the threshold of its kind (kernel, e2e, rss). Figures in only one of the two files
// are listed and skipped; TypeScript-twin kernel figures are recorded but never gated.
//
// Exit codes: 0 no regression; 1 at least one regression; 2 usage error or a missing/unreadable
// baseline or results file; 3 the benchmark itself failed (a tinybench task did not complete, or
// a CLI run exited non-zero).
import { existsSync, readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { parseArgs } from 'node:util';
import Table from 'cli-table3';
import { writeFileAtomic } from '../src/io/atomic.js';
import { fromRoot } from '../src/paths.js';
import { compare, FULL_THRESHOLDS, QUICK_THRESHOLDS, type Baseline, type Thresholds } from './lib/gate.js';
import { runBench, SCHEMA, type BenchResult } from './lib/suite.js';
import { BenchFailure } from './lib/tinybench.js';

class Usage extends Error {}

function readJson<T>(file: string, what: string): T {
  if (!existsSync(file)) throw new Usage(`no ${what} at ${file}`);
  try {
    return JSON.parse(readFileSync(file, 'utf8')) as T;
  } catch (err) {
    throw new Usage(`cannot read the ${what} ${file}: ${(err as Error).message}`);
  }
}

async function main(): Promise<number> {
  const { values: a } = parseArgs({
    options: {
      quick: { type: 'boolean', default: false },
      threshold: { type: 'string' },
      baseline: { type: 'string' },
      latest: { type: 'string' },
      'update-baseline': { type: 'boolean', default: false },
      from: { type: 'string' },
    },
  });
  const baselineFile = resolve(a.baseline ?? fromRoot('bench', 'baseline.json'));
  const log = (s: string) => process.stderr.write(`${s}\n`);

  if (a['update-baseline']) {
    const from = resolve(a.from ?? fromRoot('bench', 'results', 'latest.json'));
    const r = readJson<BenchResult>(from, 'bench result');
    const b: Baseline = {
      schema: SCHEMA,
      note: 'Reference figures for `npm run bench:check`. Regenerate on the reference machine with `npm run bench && node dist/bench/check.js --update-baseline`.',
      createdFrom: { mode: r.mode, date: r.date, machine: r.machine },
      figures: r.figures,
    };
    writeFileAtomic(baselineFile, JSON.stringify(b, null, 2) + '\n');
    process.stdout.write(`wrote ${baselineFile} (${Object.keys(b.figures).length} figures from ${from})\n`);
    return 0;
  }

  const baseline = readJson<Baseline>(baselineFile, 'baseline (create one with --update-baseline)');
  let current: BenchResult;
  let thresholds: Thresholds;
  const latestFile = resolve(a.latest ?? fromRoot('bench', 'results', 'latest.json'));
  if (a.quick || (!a.latest && !existsSync(latestFile))) {
    if (!a.quick) log(`no ${latestFile}: running the quick subset instead (run \`npm run bench\` for the full comparison)`);
    current = await runBench('quick', log);
    writeFileAtomic(fromRoot('bench', 'results', 'quick.json'), JSON.stringify(current, null, 2) + '\n');
    thresholds = { ...QUICK_THRESHOLDS };
  } else {
    current = readJson<BenchResult>(latestFile, 'bench result');
    thresholds = { ...FULL_THRESHOLDS };
  }
  if (a.threshold !== undefined) {
    const x = Number(a.threshold);
    if (!(x > 1)) throw new Usage(`--threshold must be a number > 1, got ${a.threshold}`);
    thresholds = { kernel: x, e2e: x, rss: x, overhead: x };
  }

  const c = compare(current.figures, baseline.figures, thresholds);
  const t = new Table({
    head: ['figure', 'baseline', 'current', 'current/baseline', 'threshold', ''],
    colAligns: ['left', 'right', 'right', 'right', 'right', 'left'],
    style: { head: [], border: [], compact: true },
  });
  for (const r of c.rows) {
    const verdict = r.regressed ? 'REGRESSION' : r.ratio < 1 / r.threshold ? 'faster (baseline stale?)' : 'ok';
    t.push([r.key, r.baseline.toPrecision(4), r.current.toPrecision(4), r.ratio.toFixed(2), `${r.threshold}x`, verdict]);
  }
  const bad = c.rows.filter((r) => r.regressed);
  process.stdout.write(
    `bench:check (${current.mode} run of ${current.date} vs baseline of ${baseline.createdFrom.date}; ` +
      `thresholds: kernel ${thresholds.kernel}x, e2e ${thresholds.e2e}x, rss ${thresholds.rss}x, overhead ${thresholds.overhead}x)\n` +
      `${t.toString()}\n` +
      (c.onlyBaseline.length ? `not measured in this run (skipped): ${c.onlyBaseline.join(', ')}\n` : '') +
      (c.onlyCurrent.length ? `not in the baseline (skipped): ${c.onlyCurrent.join(', ')}\n` : '') +
      (bad.length
        ? `FAIL: ${bad.length} figure(s) beyond their threshold: ${bad.map((r) => `${r.key} ${r.ratio.toFixed(2)}x (> ${r.threshold}x)`).join(', ')}\n`
        : `PASS: ${c.rows.length} figures within their thresholds of the baseline\n`),
  );
  if (c.rows.length === 0) {
    process.stderr.write('bench:check: no figure in common with the baseline\n');
    return 2;
  }
  return bad.length ? 1 : 0;
}

main().then(
  (code) => process.exit(code),
  (err) => {
    process.stderr.write(`bench:check: ${err instanceof Error ? err.message : String(err)}\n`);
    process.exit(
      err instanceof Usage || (err as { code?: string })?.code?.startsWith?.('ERR_PARSE_ARGS')
        ? 2
        : err instanceof BenchFailure
          ? 3
          : 1,
    );
  },
);
