// Calm and stressed calibrations of the same columns, and the breakdown set that carries one into
// the other: the fit as JSON and as a ready-to-run suite.

import YAML from 'yaml';
import type { PriceTable } from '../model/types.js';
import { fitBreakdown, largestJumps, pooledVolMultiplier, volMultipliers, type CorrelationJump } from './breakdown.js';
import { calibrateWindow, type CalibrateOptions, type Calibration, type CalibratedMarket } from './calibrate.js';
import type { Method } from './estimators.js';
import type { Window } from './window.js';

export interface FitOptions extends CalibrateOptions {
  calm: Window;
  stress: Window;
  target: number;
  count: number;
  /** Student-t degrees of freedom; normal when absent. */
  dof?: number;
  setName: string;
}

export interface PeriodSummary {
  from: string;
  to: string;
  observations: number;
  dropped: number;
  shrinkage?: number;
  repaired?: CalibratedMarket['calibration']['repaired'];
  vols: Record<string, number>;
  correlation: number[][];
}

export interface MonteCarloSetDocument {
  name: string;
  type: 'montecarlo';
  count: number;
  distribution: 'normal' | { type: 'student-t'; dof: number };
  volMultiplier: number;
  correlation: { target: number; weight: number };
}

export interface FitResult {
  source: string;
  method: Method;
  daysPerYear: number;
  lambda?: number;
  columns: string[];
  calm: PeriodSummary;
  stress: PeriodSummary;
  target: number;
  weight: number;
  weightUnclipped: number | null;
  residual: number;
  distanceCalm: number;
  volMultipliers: Record<string, number>;
  /** sqrt(sum stressed variance / sum calm variance). */
  volMultiplier: number;
  jumps: CorrelationJump[];
  /** The fitted correlation (1 - w) C_calm + w rho. */
  fitted: number[][];
  set: MonteCarloSetDocument;
}

export interface Fit {
  result: FitResult;
  calm: Calibration;
  stress: Calibration;
}

function period(c: Calibration): PeriodSummary {
  const cal = c.market.calibration;
  return {
    from: cal.from,
    to: cal.to,
    observations: cal.observations,
    dropped: cal.dropped,
    ...(cal.shrinkage !== undefined ? { shrinkage: cal.shrinkage } : {}),
    ...(cal.repaired ? { repaired: cal.repaired } : {}),
    vols: Object.fromEntries(c.data.columns.map((id, i) => [id, c.vols[i]])),
    correlation: c.correlation,
  };
}

export function fitPeriods(table: PriceTable, columnIndex: ReadonlyArray<number>, options: FitOptions): Fit {
  const calm = calibrateWindow(table, columnIndex, options.calm, 'calm', options);
  const stress = calibrateWindow(table, columnIndex, options.stress, 'stress', options);
  const ids = calm.data.columns;
  const fit = fitBreakdown(calm.correlation, stress.correlation, options.target);
  const multipliers = volMultipliers(calm.vols, stress.vols);
  const pooled = pooledVolMultiplier(calm.vols, stress.vols);
  const set: MonteCarloSetDocument = {
    name: options.setName,
    type: 'montecarlo',
    count: options.count,
    distribution: options.dof !== undefined ? { type: 'student-t', dof: options.dof } : 'normal',
    volMultiplier: pooled,
    correlation: { target: options.target, weight: fit.weight },
  };
  const result: FitResult = {
    source: options.source,
    method: options.method,
    daysPerYear: options.daysPerYear,
    ...(options.method === 'ewma' ? { lambda: options.lambda } : {}),
    columns: ids.slice(),
    calm: period(calm),
    stress: period(stress),
    target: options.target,
    weight: fit.weight,
    weightUnclipped: fit.weightUnclipped,
    residual: fit.residual,
    distanceCalm: fit.distanceCalm,
    volMultipliers: Object.fromEntries(ids.map((id, i) => [id, multipliers[i]])),
    volMultiplier: pooled,
    jumps: largestJumps(ids, calm.correlation, stress.correlation, fit.fitted, 5),
    fitted: fit.fitted,
    set,
  };
  return { result, calm, stress };
}

const f4 = (v: number) => v.toFixed(4);

/**
 * A complete suite with the one fitted Monte Carlo set, and a comment header recording the fit.
 * `marketFile` (optional) is the calm market file written alongside, named in the header.
 */
export function suiteYaml(r: FitResult, marketFile?: string, settings: { horizonDays?: number; seed?: number } = {}): string {
  const per = (p: PeriodSummary) =>
    `${p.from} to ${p.to} (${p.observations} returns, ${p.dropped} row${p.dropped === 1 ? '' : 's'} dropped for gaps` +
    `${p.shrinkage !== undefined ? `, shrinkage ${f4(p.shrinkage)}` : ''})`;
  const header = [
    `Correlation-breakdown set fitted by \`xmargin calibrate\` on ${r.source}`,
    `method ${r.method}${r.lambda !== undefined ? ` (lambda ${r.lambda})` : ''}, daysPerYear ${r.daysPerYear}, columns ${r.columns.join(', ')}`,
    `calm   ${per(r.calm)}`,
    `stress ${per(r.stress)}`,
    `correlation: weight ${f4(r.weight)} toward target ${r.target}` +
      `${r.weightUnclipped !== null && r.weightUnclipped !== r.weight ? ` (least squares ${f4(r.weightUnclipped)}, clipped to [0, 1])` : ''}`,
    `  residual ${f4(r.residual)} = off-diagonal Frobenius distance fitted vs stress (calm vs stress: ${f4(r.distanceCalm)})`,
    'vol multipliers (stress vol / calm vol):',
    ...r.columns.map((id) => `  ${id.padEnd(Math.max(...r.columns.map((c) => c.length)))}  ${f4(r.volMultipliers[id])}`),
    `pooled volMultiplier ${f4(r.volMultiplier)} = sqrt(sum of stressed variances / sum of calm variances)`,
    '',
    `Base market: the calm calibration${marketFile ? ` (${marketFile})` : ' (xmargin calibrate ... --calm ... --stress ... --out calm.json)'}. Run:`,
    `  xmargin run --market ${marketFile ?? 'calm.json'} --book BOOK --suite THIS_FILE`,
    'confidence and maintenanceRatio below are the defaults; edit to taste.',
  ];
  const suite = {
    seed: settings.seed ?? 0,
    horizonDays: settings.horizonDays ?? 1,
    confidence: 0.99,
    maintenanceRatio: 0.8,
    scenarioSets: [r.set],
  };
  return header.map((l) => (l ? `# ${l}` : '#')).join('\n') + '\n\n' + YAML.stringify(suite, { lineWidth: 0 });
}
