// The readable output of `xmargin calibrate` (without --json).

import type { Matrix } from '../math/linalg.js';
import type { Calibration } from './calibrate.js';
import type { FitResult } from './fit.js';

const pct = (v: number) => `${(100 * v).toFixed(2)}%`;
const f4 = (v: number) => v.toFixed(4);
const signed = (v: number) => `${v >= 0 ? '+' : ''}${v.toFixed(4)}`;

function table(head: string[], rows: string[][], alignLeft = [0]): string {
  const widths = head.map((h, c) => Math.max(h.length, ...rows.map((r) => r[c].length)));
  const line = (r: string[]) =>
    r
      .map((v, c) => (alignLeft.includes(c) ? v.padEnd(widths[c]) : v.padStart(widths[c])))
      .join('  ')
      .trimEnd();
  return [line(head), ...rows.map(line)].join('\n');
}

export function matrixText(ids: ReadonlyArray<string>, m: Matrix): string {
  return table(
    ['', ...ids],
    ids.map((id, i) => [id, ...m[i].map(f4)]),
  );
}

function windowLine(c: Calibration): string {
  const cal = c.market.calibration;
  return (
    `${cal.from} to ${cal.to}: ${c.data.rowsInWindow} price rows in the window, ${cal.dropped} dropped for gaps, ` +
    `${cal.observations} returns`
  );
}

function estimatorNote(c: Calibration): string[] {
  const cal = c.market.calibration;
  const out: string[] = [];
  if (cal.lambda !== undefined) out.push(`lambda ${cal.lambda}`);
  if (cal.shrinkage !== undefined) out.push(`shrinkage ${f4(cal.shrinkage)} toward mu*I`);
  return out;
}

function repairLine(c: Calibration, what = 'correlation'): string[] {
  const r = c.market.calibration.repaired;
  return r
    ? [
        `note: the ${what} had a negative eigenvalue (${r.minEigenvalueBefore.toExponential(2)}) from rounding; repaired to the nearest correlation matrix (distance ${r.distance.toExponential(2)})`,
      ]
    : [];
}

/** The summary of a plain calibration. */
export function calibrationText(c: Calibration): string {
  const m = c.market;
  const cal = m.calibration;
  const ids = c.data.columns;
  return [
    `calibrated ${ids.length} underlying${ids.length === 1 ? '' : 's'} from ${cal.source}: method ${cal.method}${estimatorNote(c)
      .map((s) => `, ${s}`)
      .join('')}`,
    `window ${windowLine(c)}`,
    `asOf ${m.asOf} (spot = last price), vol annualised with daysPerYear ${m.daysPerYear}`,
    '',
    table(
      ['underlying', 'spot', 'vol'],
      m.underlyings.map((u) => [u.id, String(u.spot), pct(u.vol)]),
    ),
    '',
    `correlation (smallest eigenvalue ${cal.minEigenvalue.toPrecision(4)})`,
    matrixText(ids, m.correlation),
    ...repairLine(c),
  ].join('\n');
}

/** The side-by-side of a breakdown fit. */
export function fitText(r: FitResult, calm: Calibration, stress: Calibration): string {
  const ids = r.columns;
  const est = estimatorNote(calm);
  const shr = (c: Calibration) =>
    c.market.calibration.shrinkage !== undefined ? `, shrinkage ${f4(c.market.calibration.shrinkage)}` : '';
  const w =
    r.weightUnclipped === null
      ? `weight 0 (calm is already at target ${r.target} everywhere)`
      : `weight ${f4(r.weight)} toward target ${r.target}` +
        (r.weightUnclipped !== r.weight ? ` (least squares ${f4(r.weightUnclipped)}, clipped to [0, 1])` : '');
  return [
    `breakdown fit on ${r.source}: method ${r.method}${est
      .filter((s) => s.startsWith('lambda'))
      .map((s) => `, ${s}`)
      .join('')}, daysPerYear ${r.daysPerYear}`,
    `calm   ${windowLine(calm)}${shr(calm)}`,
    `stress ${windowLine(stress)}${shr(stress)}`,
    '',
    table(
      ['underlying', 'calm vol', 'stress vol', 'multiplier'],
      ids.map((id) => [id, pct(r.calm.vols[id]), pct(r.stress.vols[id]), f4(r.volMultipliers[id])]),
    ),
    `pooled vol multiplier ${f4(r.volMultiplier)}  (sqrt(sum stress variance / sum calm variance))`,
    '',
    'calm correlation',
    matrixText(ids, r.calm.correlation),
    ...repairLine(calm, 'calm correlation'),
    '',
    'stress correlation',
    matrixText(ids, r.stress.correlation),
    ...repairLine(stress, 'stress correlation'),
    '',
    `fitted correlation: ${w}`,
    `residual ${f4(r.residual)}  (off-diagonal Frobenius distance, fitted vs stress; calm vs stress: ${f4(r.distanceCalm)})`,
    '',
    'largest correlation jumps',
    table(
      ['pair', 'calm', 'stress', 'change', 'fitted'],
      r.jumps.map((j) => [`${j.pair[0]}-${j.pair[1]}`, f4(j.calm), f4(j.stress), signed(j.change), f4(j.fitted)]),
    ),
  ].join('\n');
}
