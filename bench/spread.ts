// The evidence behind the gate's thresholds: runs the quick bench N times, each in a fresh
// process as CI would, and reports how much every compared figure moves from run to run.
//
//   node dist/bench/spread.js [--runs 8]
//
// Writes bench/results/spread.json and prints a Markdown table for docs/performance.md. For each
// figure: min, median and max over the runs, max/min (the spread), and the largest ratio of a
// run to the median of the runs (what the gate would see against a baseline from this machine),
// plus, when bench/baseline.json exists, the largest ratio to the baseline.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { writeFileAtomic } from '../src/io/atomic.js';
import { fromRoot } from '../src/paths.js';
import type { Baseline } from './lib/gate.js';
import { median, sig } from './lib/stats.js';
import type { BenchResult } from './lib/suite.js';

const { values: a } = parseArgs({ options: { runs: { type: 'string', default: '8' } } });
const runs = Number(a.runs);
if (!(Number.isInteger(runs) && runs >= 2)) {
  process.stderr.write('spread: --runs must be an integer >= 2\n');
  process.exit(2);
}
const dir = fromRoot('bench', 'results');
mkdirSync(dir, { recursive: true });
const results: BenchResult[] = [];
for (let i = 0; i < runs; i++) {
  const file = join(dir, `spread-run-${i + 1}.json`);
  const t0 = Date.now();
  const r = spawnSync(process.execPath, [fromRoot('dist', 'bench', 'run.js'), '--quick', '--silent', '--out', file], {
    stdio: ['ignore', 'ignore', 'pipe'],
    encoding: 'utf8',
  });
  if (r.status !== 0) {
    process.stderr.write(`spread: run ${i + 1} failed (${r.status}):\n${r.stderr}\n`);
    process.exit(3);
  }
  results.push(JSON.parse(readFileSync(file, 'utf8')) as BenchResult);
  process.stderr.write(
    `run ${i + 1}/${runs}: ${((Date.now() - t0) / 1000).toFixed(1)} s, load ${results[i].machine.loadAverage.join(' ')}\n`,
  );
}
const baselineFile = fromRoot('bench', 'baseline.json');
const baseline = existsSync(baselineFile) ? (JSON.parse(readFileSync(baselineFile, 'utf8')) as Baseline) : undefined;
const keys = Object.keys(results[0].figures);
const rows = keys.map((key) => {
  const v = results.map((r) => r.figures[key]?.value).filter((x): x is number => typeof x === 'number');
  const med = median(v);
  const base = baseline?.figures[key]?.value;
  const fig = results[0].figures[key];
  return {
    key,
    kind: fig.kind,
    gated: fig.gate,
    min: sig(Math.min(...v)),
    median: sig(med),
    max: sig(Math.max(...v)),
    spread: sig(Math.max(...v) / Math.min(...v), 3),
    worstVsMedian: sig(Math.max(...v) / med, 3),
    worstVsBaseline: base ? sig(Math.max(...v) / base, 3) : null,
  };
});
const out = {
  date: new Date().toISOString(),
  runs,
  machine: results[0].machine,
  loadAverages: results.map((r) => r.machine.loadAverage),
  durationsSeconds: results.map((r) => r.durationSeconds),
  calibration: results.map((r) => ({ jsMs: r.calibration.jsMs, wasmMs: r.calibration.wasmMs })),
  figures: rows,
};
writeFileAtomic(fromRoot('bench', 'results', 'spread.json'), JSON.stringify(out, null, 2) + '\n');
const md = [
  `| figure | gated | min | median | max | max/min | worst run / median |${baseline ? ' worst run / baseline |' : ''}`,
  `|---|---|---:|---:|---:|---:|---:|${baseline ? '---:|' : ''}`,
  ...rows.map(
    (r) =>
      `| ${r.key} | ${r.gated ? r.kind : 'no'} | ${r.min} | ${r.median} | ${r.max} | ${r.spread} | ${r.worstVsMedian} |${baseline ? ` ${r.worstVsBaseline ?? '-'} |` : ''}`,
  ),
];
process.stdout.write(
  `${runs} quick runs, ${out.durationsSeconds.join(' / ')} s; calibration js ${out.calibration.map((c) => c.jsMs).join(' ')} ms, wasm ${out.calibration.map((c) => c.wasmMs).join(' ')} ms\n\n${md.join('\n')}\n\nwrote ${fromRoot('bench', 'results', 'spread.json')}\n`,
);
