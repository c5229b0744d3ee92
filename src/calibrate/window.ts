// From a price table to the returns an estimator sees: pick the columns, keep the rows dated
// within the window, drop (and count) the rows with a missing price among the chosen columns,
// and take log returns of consecutive remaining rows.

import { InputError } from '../errors.js';
import type { PriceTable } from '../model/types.js';

export interface Window {
  /** Inclusive bounds as asked (undefined: open). */
  from?: string;
  to?: string;
}

export interface WindowData {
  columns: string[];
  /** Dates of the rows kept (within the window, no gap among the columns). */
  dates: string[];
  /** prices[row][column] of the rows kept. */
  prices: number[][];
  /** Log returns of consecutive kept rows: returns[t][column], t = 0 oldest. */
  returns: number[][];
  /** Rows within the window dropped for a missing price among the columns. */
  dropped: number;
  /** Rows within the window before dropping. */
  rowsInWindow: number;
}

/** Resolves the `columns` asked for against the file: every name must be a price column; none: all of them. */
export function resolveColumns(table: PriceTable, wanted: ReadonlyArray<string> | undefined): number[] {
  if (!wanted || wanted.length === 0) return table.columns.map((_, c) => c);
  const missing = wanted.filter((w) => !table.columns.includes(w));
  if (missing.length > 0) {
    throw new InputError(
      `expected a price column named ${missing.map((m) => `"${m}"`).join(', ')} (listed in columns), found none; ` +
        `the file's price columns are ${table.columns.join(', ')}`,
      table.file,
      'header',
    );
  }
  return wanted.map((w) => table.columns.indexOf(w));
}

function describeWindow(w: Window): string {
  return `${w.from ?? 'the start of the file'} to ${w.to ?? 'the end of the file'}`;
}

/**
 * The rows and returns of one window. `label` names the window in messages (e.g. "from/to",
 * "calm"). Throws an InputError when the window holds no row, or fewer than 2 usable rows.
 */
export function windowData(table: PriceTable, columnIndex: ReadonlyArray<number>, window: Window, label: string): WindowData {
  const columns = columnIndex.map((c) => table.columns[c]);
  const n = table.dates.length;
  const inWindow: number[] = [];
  for (let r = 0; r < n; r++) {
    const d = table.dates[r];
    if (window.from !== undefined && d < window.from) continue;
    if (window.to !== undefined && d > window.to) continue;
    inWindow.push(r);
  }
  if (inWindow.length === 0) {
    throw new InputError(
      `no price rows dated within the ${label} window ${describeWindow(window)}; the file has rows from ${table.dates[0]} to ${table.dates[n - 1]}`,
      table.file,
    );
  }
  const kept = inWindow.filter((r) => columnIndex.every((c) => Number.isFinite(table.prices[c][r])));
  const dropped = inWindow.length - kept.length;
  if (kept.length < 2) {
    throw new InputError(
      `expected at least 2 price rows with every chosen column (${columns.join(', ')}) present within the ${label} window ${describeWindow(window)}, ` +
        `found ${kept.length} (${inWindow.length} row${inWindow.length === 1 ? '' : 's'} in the window, ${dropped} dropped for gaps); ` +
        'a return needs two consecutive rows',
      table.file,
    );
  }
  const prices = kept.map((r) => columnIndex.map((c) => table.prices[c][r]));
  const returns: number[][] = [];
  for (let t = 1; t < prices.length; t++) returns.push(prices[t].map((p, i) => Math.log(p / prices[t - 1][i])));
  // Prices valid one by one can be too far apart for their ratio: 1e-300 / 1e300 underflows to 0
  // and its log is -Infinity. Such a return would poison every moment (NaN), and then read as
  // "zero variance", so it is named here.
  for (let t = 0; t < returns.length; t++)
    for (let i = 0; i < columns.length; i++) {
      if (Number.isFinite(returns[t][i])) continue;
      const date = kept[t + 1];
      throw new InputError(
        `the log return from ${prices[t][i]} (${table.dates[kept[t]]}) to ${prices[t + 1][i]} is not a finite number ` +
          '(the ratio of the two prices is beyond the range of a number); check the prices of this column or its units',
        table.file,
        `row ${table.dates[date]}, column "${columns[i]}"`,
      );
    }
  return { columns, dates: kept.map((r) => table.dates[r]), prices, returns, dropped, rowsInWindow: inWindow.length };
}
