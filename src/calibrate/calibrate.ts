// One calibration: a window of a price table -> a market document that `xmargin run` accepts.

import { InputError, RunError } from '../errors.js';
import { parseMarket } from '../model/load.js';
import type { MarketDocInput } from '../model/schema.js';
import type { PriceTable } from '../model/types.js';
import { minEigenvalue, type Matrix } from '../math/linalg.js';
import { nearestCorrelation } from '../scenarios/nearcorr.js';
import { correlationOf, estimate, type Method } from './estimators.js';
import { windowData, type Window, type WindowData } from './window.js';

export interface CalibrateOptions {
  method: Method;
  /** EWMA decay; used only by `ewma`. */
  lambda: number;
  daysPerYear: number;
  currency: string;
  rate: number;
  /** The price file as the user named it, recorded in `calibration.source`. */
  source: string;
}

/** What `calibration` records in the market file (a type, not an interface: it is a document's free-form object). */
export type CalibrationRecord = {
  method: Method;
  source: string;
  /** First and last price row actually used. */
  from: string;
  to: string;
  /** Returns used (kept rows - 1). */
  observations: number;
  /** Price rows within the window dropped for a missing price among the columns. */
  dropped: number;
  daysPerYear: number;
  lambda?: number;
  shrinkage?: number;
  columns: string[];
  /** Smallest eigenvalue of the correlation written. */
  minEigenvalue: number;
  /** Present only when rounding left the correlation with a negative eigenvalue and it was repaired. */
  repaired?: { method: 'nearcorr'; minEigenvalueBefore: number; distance: number };
};

/** A calibrated market: a market document with every field written, and how it was calibrated. */
export type CalibratedMarket = Required<Omit<MarketDocInput, 'calibration'>> & { calibration: CalibrationRecord };

export interface Calibration {
  market: CalibratedMarket;
  data: WindowData;
  /** Annualised covariance (daysPerYear x the per-period estimate). */
  covariance: Matrix;
  vols: number[];
  correlation: Matrix;
}

/**
 * Below this smallest eigenvalue a calibrated correlation is repaired. A correlation derived from
 * a covariance is PSD in exact arithmetic. When it is singular (a single return, fewer returns
 * than columns with ewma, perfectly co-moving prices) its zero eigenvalues come out of the
 * eigen-solver as +-1e-16: PSD to machine precision, and left as they are (a repair could not do
 * better). Anything below -1e-12 is not rounding noise of this size and is repaired.
 */
export const REPAIR_BELOW = -1e-12;

/**
 * Makes sure a correlation matrix is PSD: a smallest eigenvalue below REPAIR_BELOW is repaired
 * with the nearest correlation matrix (Higham 2002), and the repair is reported.
 */
export function ensurePsd(c: Matrix): { correlation: Matrix; minEigenvalue: number; repaired?: CalibrationRecord['repaired'] } {
  const before = minEigenvalue(c);
  if (before >= REPAIR_BELOW) return { correlation: c, minEigenvalue: before };
  // An estimate is symmetric by construction, up to rounding: take its symmetric part.
  const near = nearestCorrelation(c, { symmetrize: true });
  if (!near.converged)
    throw new RunError(
      `the calibrated correlation is not PSD and its repair did not converge within ${near.iterations} iterations`,
    );
  return {
    correlation: near.correlation,
    minEigenvalue: minEigenvalue(near.correlation),
    repaired: { method: 'nearcorr', minEigenvalueBefore: before, distance: near.distance },
  };
}

/** Calibrates one window; `label` names the window in messages (e.g. "from/to", "calm"). */
export function calibrateWindow(
  table: PriceTable,
  columnIndex: ReadonlyArray<number>,
  window: Window,
  label: string,
  options: CalibrateOptions,
): Calibration {
  const data = windowData(table, columnIndex, window, label);
  const N = data.columns.length;
  const n = data.returns.length;
  const where = `the ${label} window (rows ${data.dates[0]} to ${data.dates[data.dates.length - 1]})`;
  if (options.method === 'sample' && n <= N) {
    throw new InputError(
      `the sample covariance of ${N} columns needs more returns than columns (n returns give it rank at most n - 1, so it would be singular), ` +
        `found ${n} return${n === 1 ? '' : 's'} within ${where}; widen the window, choose fewer columns, or use the method ledoit-wolf or ewma`,
      table.file,
    );
  }
  const est = estimate(options.method, data.returns, N, options.lambda);
  const covariance = est.covariance.map((row) => row.map((v) => v * options.daysPerYear));
  const flat = data.columns.filter((_, i) => !(covariance[i][i] > 0));
  if (flat.length > 0) {
    throw new InputError(
      `column${flat.length === 1 ? '' : 's'} ${flat.join(', ')} ${flat.length === 1 ? 'has' : 'have'} zero variance within ${where} ` +
        '(the price never moves, or the weights leave no return), so the volatility is 0 and the correlation undefined; choose another window or drop the column',
      table.file,
    );
  }
  const vols = covariance.map((row, i) => Math.sqrt(row[i]));
  const psd = ensurePsd(correlationOf(covariance));
  const last = data.prices[data.prices.length - 1];
  const calibration: CalibrationRecord = {
    method: options.method,
    source: options.source,
    from: data.dates[0],
    to: data.dates[data.dates.length - 1],
    observations: n,
    dropped: data.dropped,
    daysPerYear: options.daysPerYear,
    ...(options.method === 'ewma' ? { lambda: options.lambda } : {}),
    ...(est.shrinkage !== undefined ? { shrinkage: est.shrinkage } : {}),
    columns: data.columns.slice(),
    minEigenvalue: psd.minEigenvalue,
    ...(psd.repaired ? { repaired: psd.repaired } : {}),
  };
  const market: CalibratedMarket = {
    asOf: calibration.to,
    currency: options.currency,
    rate: options.rate,
    daysPerYear: options.daysPerYear,
    underlyings: data.columns.map((id, i) => ({ id, spot: last[i], vol: vols[i] })),
    correlation: psd.correlation,
    calibration,
  };
  return { market, data, covariance, vols, correlation: psd.correlation };
}

/** Validates a calibrated market exactly as `xmargin run` will read it; `file` names it in errors. */
export function checkMarket(market: CalibratedMarket, file: string): void {
  parseMarket(JSON.parse(JSON.stringify(market)), file);
}
