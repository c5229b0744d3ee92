// The library's calibration functions, `calibrate` and `calibrateBreakdown`: their arguments
// checked in the library's words (ArgumentError names the parameter), the price CSV loaded, and
// one window calibrated, or a calm and a stressed one fitted.

import { ArgumentError } from '../errors.js';
import { minEigenvalue, PSD_TOLERANCE } from '../math/linalg.js';
import { isIsoDate } from '../model/dates.js';
import { parseMarket, parseSuite } from '../model/load.js';
import { loadPriceTable } from '../model/prices.js';
import { parseYamlText } from '../model/read.js';
import type { PriceTable } from '../model/types.js';
import { calibrateWindow, checkMarket, type CalibrateOptions, type Calibration } from './calibrate.js';
import { METHODS, type Method } from './estimators.js';
import { fitPeriods, suiteYaml, type Fit } from './fit.js';
import { resolveColumns, type Window } from './window.js';

export const DEFAULT_LAMBDA = 0.94;
export const DEFAULT_COUNT = 100000;
/** The name of the Monte Carlo set a breakdown fit emits. */
export const BREAKDOWN_SET_NAME = 'breakdown-fit';

export interface CalibrateInput {
  /** The price CSV: a `date` column and one price column per series. */
  prices: string;
  /** The price columns to calibrate; default all of them. */
  columns?: string[];
  /** First and last date to keep (YYYY-MM-DD, inclusive); default the whole file. */
  from?: string;
  to?: string;
  /** Covariance estimator; default `sample`. */
  method?: Method;
  /** EWMA decay in (0, 1), `ewma` only; default 0.94. */
  lambda?: number;
  /** Periods per year to annualise (252 for trading-day prices); default 365. */
  daysPerYear?: number;
  /** The market currency to record; default `USD`. */
  currency?: string;
  /** The continuously compounded rate to record; default 0. */
  rate?: number;
  /** What messages call the calibrated market (a file it will be written to); default "(calibrated market)". */
  marketFile?: string;
}

export interface BreakdownInput extends Omit<CalibrateInput, 'from' | 'to'> {
  /** The calm and the stressed period (inclusive dates; a missing end is open). */
  calm: Window;
  stress: Window;
  /** The breakdown target correlation in [-1, 1]; default 1. */
  target?: number;
  /** Scenarios of the emitted set; default 100,000. */
  count?: number;
  /** Student-t degrees of freedom (> 2) of the emitted set; default normal. */
  dof?: number;
  /** horizonDays and seed of the emitted suite; default 1 and 0. */
  horizonDays?: number;
  seed?: number;
}

/** A breakdown fit, and the ready-to-run suite (YAML) with its Monte Carlo set. */
export interface BreakdownCalibration extends Fit {
  suite: string;
}

/**
 * Estimates vols and correlation from a window of a price CSV: a market document that `run`
 * accepts (its `calibration` records how), with the covariance and the data it came from.
 */
export function calibrate(input: CalibrateInput): Calibration {
  const window = checkWindow({ from: input.from, to: input.to });
  const options = calibrateOptions(input);
  const { table, columnIndex } = loadColumns(input, options.currency);
  const c = calibrateWindow(table, columnIndex, window, 'from/to', options);
  checkMarket(c.market, input.marketFile ?? '(calibrated market)');
  return c;
}

/**
 * Calibrates a calm and a stressed period of the same columns and fits the correlation-breakdown
 * Monte Carlo set that carries one into the other: the weight toward `target`, the vol
 * multipliers, and a suite with the set that loads as `run` will load it.
 */
export function calibrateBreakdown(input: BreakdownInput): BreakdownCalibration {
  const calm = checkPeriod('calm', input.calm);
  const stress = checkPeriod('stress', input.stress);
  const options = calibrateOptions(input);
  const target = input.target ?? 1;
  finite('target', target, (x) => x >= -1 && x <= 1, 'a target correlation in [-1, 1]');
  const count = input.count ?? DEFAULT_COUNT;
  finite('count', count, (x) => Number.isInteger(x) && x >= 1 && x <= 4294967295, 'a whole number of scenarios >= 1');
  if (input.dof !== undefined) finite('dof', input.dof, (x) => x > 2, 'degrees of freedom > 2');
  if (input.horizonDays !== undefined) finite('horizonDays', input.horizonDays, (x) => x > 0, 'a horizon in days > 0');
  if (input.seed !== undefined)
    finite('seed', input.seed, (x) => Number.isSafeInteger(x) && x >= 0, 'a non-negative whole number');

  const { table, columnIndex } = loadColumns(input, options.currency);
  const fit = fitPeriods(table, columnIndex, {
    ...options,
    calm,
    stress,
    target,
    count,
    ...(input.dof !== undefined ? { dof: input.dof } : {}),
    setName: BREAKDOWN_SET_NAME,
  });
  const r = fit.result;
  if (minEigenvalue(r.fitted) < -PSD_TOLERANCE) {
    throw new ArgumentError(
      'target',
      r.target,
      `moving the calm correlation toward it with the fitted weight ${r.weight} gives a matrix that is not positive semi-definite; ` +
        `with ${r.columns.length} underlyings the target must be at least ${(-1 / Math.max(r.columns.length - 1, 1)).toFixed(4)}`,
    );
  }
  const marketName = input.marketFile ?? '(calibrated market)';
  checkMarket(fit.calm.market, marketName);
  const suite = suiteYaml(r, input.marketFile, { horizonDays: input.horizonDays, seed: input.seed });
  // The emitted suite must load exactly as `run` will load it.
  parseSuite(
    parseYamlText(suite, '(emitted suite)'),
    '(emitted suite)',
    parseMarket(JSON.parse(JSON.stringify(fit.calm.market)), marketName),
  );
  return { ...fit, suite };
}

function finite(
  parameter: 'lambda' | 'daysPerYear' | 'rate' | 'target' | 'count' | 'dof' | 'horizonDays' | 'seed',
  v: unknown,
  check: (x: number) => boolean,
  expected: string,
): void {
  if (typeof v !== 'number' || !Number.isFinite(v) || !check(v))
    throw new ArgumentError(parameter, typeof v === 'number' ? v : String(v), `expected ${expected}`);
}

function calibrateOptions(input: CalibrateInput): Omit<CalibrateOptions, 'source'> & { source: string } {
  const method = input.method ?? 'sample';
  if (!METHODS.includes(method)) throw new ArgumentError('method', String(method), `expected one of ${METHODS.join(', ')}`);
  if (input.lambda !== undefined && method !== 'ewma')
    throw new ArgumentError('lambda', input.lambda, `only applies to the method ewma (the method is ${method})`);
  const lambda = input.lambda ?? DEFAULT_LAMBDA;
  finite('lambda', lambda, (x) => x > 0 && x < 1, 'a decay in (0, 1), e.g. 0.94');
  const daysPerYear = input.daysPerYear ?? 365;
  finite('daysPerYear', daysPerYear, (x) => x > 0, 'a number of periods per year > 0 (e.g. 365 or 252)');
  const rate = input.rate ?? 0;
  finite('rate', rate, () => true, 'a finite rate');
  const currency = input.currency ?? 'USD';
  if (typeof currency !== 'string' || currency === '' || currency.trim() !== currency)
    throw new ArgumentError('currency', String(currency), 'expected a currency code without spaces');
  if (input.columns !== undefined) {
    const names = input.columns;
    if (!Array.isArray(names) || names.length === 0 || names.some((s) => typeof s !== 'string' || s.trim() === ''))
      throw new ArgumentError('columns', String(names), 'expected a non-empty list of column names (e.g. FINA, HLTH)');
    const dup = names.find((s, i) => names.indexOf(s) !== i);
    if (dup !== undefined) throw new ArgumentError('columns', names.join(','), `"${dup}" is listed twice`);
    if (names.includes(currency))
      throw new ArgumentError(
        'currency',
        currency,
        'is also a calibrated column; collateral assets are named by underlying ids, so choose another currency',
      );
  }
  if (typeof input.prices !== 'string' || input.prices === '')
    throw new ArgumentError('prices', String(input.prices), 'expected the path of a price CSV file');
  return { method, lambda, daysPerYear, currency, rate, source: input.prices };
}

function loadColumns(input: CalibrateInput, currency: string): { table: PriceTable; columnIndex: number[] } {
  const table = loadPriceTable(input.prices);
  const columnIndex = resolveColumns(table, input.columns);
  if (!input.columns && table.columns.includes(currency)) {
    throw new ArgumentError(
      'currency',
      currency,
      `is also a price column of ${input.prices}; choose another currency or name the columns to calibrate`,
    );
  }
  return { table, columnIndex };
}

function checkDate(parameter: 'from' | 'to' | 'calm' | 'stress', v: unknown, shown: string): string | undefined {
  if (v === undefined) return undefined;
  if (typeof v !== 'string' || !isIsoDate(v))
    throw new ArgumentError(
      parameter,
      shown,
      `expected a real calendar date YYYY-MM-DD${shown === v ? '' : `, got ${JSON.stringify(v)}`}`,
    );
  return v;
}

/** `from` and `to` of a plain calibration: dates, in order. */
function checkWindow(w: Window): Window {
  const from = checkDate('from', w.from, String(w.from));
  const to = checkDate('to', w.to, String(w.to));
  if (from !== undefined && to !== undefined && from > to)
    throw new ArgumentError('from', from, `is after to (${to}): the window would be empty`);
  return { from, to };
}

/** A period of a breakdown fit: `{ from?, to? }` with dates in order. */
function checkPeriod(parameter: 'calm' | 'stress', w: Window | undefined): Window {
  if (w === null || typeof w !== 'object')
    throw new ArgumentError(parameter, String(w), 'expected a period { from?, to? } of dates YYYY-MM-DD');
  const shown = `${w.from ?? '(open)'} to ${w.to ?? '(open)'}`;
  const from = checkDate(parameter, w.from, shown);
  const to = checkDate(parameter, w.to, shown);
  if (from !== undefined && to !== undefined && from > to)
    throw new ArgumentError(parameter, shown, `the start ${from} is after the end ${to}`);
  return { from, to };
}
