// One-off measurements of reading large inputs (issue 9): a suite with many shocks, as YAML and
// as JSON, and a price CSV with many rows. Each file is read in a fresh process, which reports
// its wall time and peak RSS, so one measurement cannot warm or bloat another.
//
//   node dist/bench/big-inputs.js [--shocks 1500000] [--rows 1000000] [--dir /tmp/x]
//
// The files go to a temporary folder (removed afterwards unless --dir is given); nothing large is
// committed. The numbers are recorded in docs/performance.md ("Reading large inputs").
import { spawnSync } from 'node:child_process';
import { closeSync, existsSync, mkdtempSync, openSync, rmSync, statSync, writeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { fromRoot } from '../src/paths.js';

const { values: a } = parseArgs({
  options: {
    shocks: { type: 'string', default: '1500000' },
    rows: { type: 'string', default: '1000000' },
    dir: { type: 'string' },
    only: { type: 'string' },
  },
});
const shocks = Number(a.shocks);
const rows = Number(a.rows);
const dir = a.dir ?? mkdtempSync(join(tmpdir(), 'xmargin-big-'));

/** Writes a file in pieces of about 1 MB, so the generator itself stays small. */
function writeInPieces(file: string, lines: (emit: (s: string) => void) => void): void {
  if (a.dir !== undefined && existsSync(file)) return; // made by an earlier run with the same --dir
  const fd = openSync(file, 'w');
  let buf = '';
  lines((s) => {
    buf += s;
    if (buf.length > 1 << 20) {
      writeSync(fd, buf);
      buf = '';
    }
  });
  writeSync(fd, buf);
  closeSync(fd);
}

// A deterministic sequence of moves, so every run of the bench reads the same files.
let state = 12345;
const move = (): string => {
  state = (state * 1103515245 + 12345) % 2147483648;
  return ((state / 2147483648 - 0.5) * 0.4).toFixed(4);
};

const market = fromRoot('examples', 'crypto', 'market.json');
const yamlSuite = join(dir, 'suite.yaml');
const jsonSuite = join(dir, 'suite.json');
const pricesCsv = join(dir, 'prices.csv');
const head = { seed: 1, horizonDays: 1, confidence: 0.99, maintenanceRatio: 0.8 };
writeInPieces(yamlSuite, (emit) => {
  emit(
    Object.entries(head)
      .map(([k, v]) => `${k}: ${v}\n`)
      .join('') + 'scenarioSets:\n  - name: many\n    type: shocks\n    shocks:\n',
  );
  state = 12345;
  for (let i = 0; i < shocks; i++) emit(`      - moves: { BTC: ${move()}, ETH: ${move()} }\n`);
});
writeInPieces(jsonSuite, (emit) => {
  emit(JSON.stringify(head).slice(0, -1) + ',"scenarioSets":[{"name":"many","type":"shocks","shocks":[\n');
  state = 12345;
  for (let i = 0; i < shocks; i++) emit(`${i ? ',' : ''}{"moves":{"BTC":${move()},"ETH":${move()}}}\n`);
  emit(']}]}\n');
});
writeInPieces(pricesCsv, (emit) => {
  emit('date,BTC,ETH,SOL\n');
  const day0 = Date.UTC(1000, 0, 1) / 86400000;
  let p = [100, 50, 20];
  for (let i = 0; i < rows; i++) {
    const date = new Date((day0 + i) * 86400000).toISOString().slice(0, 10);
    p = p.map((x) => x * (1 + Number(move()) * 0.05));
    emit(`${date},${p.map((x) => x.toPrecision(8)).join(',')}\n`);
  }
});

// The child reads one input with the library's own loader and prints what it saw.
const child = `
const [kind, file, market] = process.argv.slice(1);
const m = await import(${JSON.stringify(fromRoot('dist', 'src', 'model', 'index.js'))});
const t0 = performance.now();
let what;
try {
  if (kind === 'suite') {
    const s = m.loadSuite(file, m.loadMarket(market));
    what = s.scenarioSets[0].shocks.length + ' shocks';
  } else {
    const t = m.loadPriceTable(file);
    what = t.dates.length + ' rows x ' + t.columns.length + ' columns';
  }
} catch (err) {
  what = 'refused: ' + err.message.slice(0, 100) + '...';
}
const ms = performance.now() - t0;
process.stdout.write(JSON.stringify({ what, ms: Math.round(ms) }));
`;

const mib = (bytes: number): string => `${(bytes / 2 ** 20).toFixed(1)} MiB`;
for (const [kind, file] of [
  ['suite', yamlSuite],
  ['suite', jsonSuite],
  ['prices', pricesCsv],
] as const) {
  if (a.only && !file.endsWith(a.only)) continue;
  const r = spawnSync('/usr/bin/time', ['-f', '%M', process.execPath, '--input-type=module', '-e', child, kind, file, market], {
    encoding: 'utf8',
    timeout: 600_000,
  });
  const peakKiB = Number(r.stderr.trim().split('\n').pop());
  let out = r.stdout;
  if (r.status !== 0) out = `failed (status ${r.status}, signal ${r.signal}): ${r.stderr.trim().slice(0, 300)}`;
  process.stdout.write(`${file.split('/').pop()} (${mib(statSync(file).size)}): ${out}, peak RSS ${mib(peakKiB * 1024)}\n`);
}
if (a.dir === undefined) rmSync(dir, { recursive: true, force: true });
