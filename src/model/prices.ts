// Historical price tables: a CSV with a `date` column and one column per series. Rows come back
// sorted by date; an empty cell is a gap (NaN) that the historical scenarios skip around.

import { parse } from 'csv-parse/sync';
import { isIsoDate } from './dates.js';
import { InputError } from '../errors.js';
import { describe } from './issues.js';
import { readTextFile } from './read.js';
import type { PriceTable } from './types.js';

/** Cell texts read as a missing price (a gap). */
export const GAP_MARKERS: ReadonlySet<string> = new Set(['', 'NA', 'N/A', '#N/A', 'NaN', 'nan', 'null', 'NULL']);

const DECIMAL = /^[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?$/;

/** Parses CSV text into a PriceTable; `file` names it in errors and in the table. */
export function parsePriceTable(text: string, file: string): PriceTable {
  let rows: Array<{ record: string[]; info: { lines: number } }>;
  try {
    rows = parse(text, {
      bom: true,
      info: true,
      trim: true,
      skip_empty_lines: true,
      skip_records_with_empty_values: true,
    }) as unknown as Array<{ record: string[]; info: { lines: number } }>;
  } catch (err) {
    const e = err as Error & { lines?: number };
    const message = e.message.replace(/\s+on line \d+$/, '').replace(/ at line \d+/, '');
    throw new InputError(`not a valid CSV file: ${message}`, file, e.lines !== undefined ? `line ${e.lines}` : undefined);
  }
  if (rows.length === 0)
    throw new InputError('the file is empty; expected a header row with a "date" column, then one row per date', file);

  const header = rows[0].record;
  const headerLine = rows[0].info.lines;
  const dateCol = header.indexOf('date');
  if (dateCol < 0) {
    const near = header.find((h) => h.toLowerCase() === 'date');
    throw new InputError(
      `expected a "date" column in the header, found ${header.map((h) => JSON.stringify(h)).join(', ')}${near ? ` (the name is case-sensitive: "date", not "${near}")` : ''}`,
      file,
      `line ${headerLine}`,
    );
  }
  const seen = new Map<string, number>();
  header.forEach((name, c) => {
    if (name === '')
      throw new InputError(`expected a name for every column, found column ${c + 1} without one`, file, `line ${headerLine}`);
    const prev = seen.get(name);
    if (prev !== undefined)
      throw new InputError(
        `expected unique column names, found "${name}" in columns ${prev + 1} and ${c + 1}`,
        file,
        `line ${headerLine}`,
      );
    seen.set(name, c);
  });
  const columns = header.filter((_, c) => c !== dateCol);
  const columnIndex = header.map((_, c) => c).filter((c) => c !== dateCol);
  if (columns.length === 0)
    throw new InputError('expected at least one price column besides "date", found none', file, `line ${headerLine}`);
  if (rows.length === 1) throw new InputError('expected at least one row of prices after the header, found none', file);

  // Data vendors write a missing price in several ways; these, and only these, are gaps. Anything
  // else that is not a positive number is a typo the user must see.
  const body = rows.slice(1).map(({ record, info }) => {
    const line = info.lines;
    const date = record[dateCol];
    if (!isIsoDate(date)) {
      throw new InputError(
        `expected a real calendar date YYYY-MM-DD, found ${describe(date)}`,
        file,
        `line ${line}, column "date"`,
      );
    }
    const values = columnIndex.map((c, k) => {
      const cell = record[c];
      if (GAP_MARKERS.has(cell)) return NaN;
      const v = DECIMAL.test(cell) ? Number(cell) : NaN;
      if (!(Number.isFinite(v) && v > 0)) {
        throw new InputError(
          `expected a price > 0 (or an empty cell, NA, N/A, #N/A, NaN or null for a gap), found ${describe(cell)}`,
          file,
          `line ${line}, column "${columns[k]}"`,
        );
      }
      return v;
    });
    return { date, line, values };
  });

  const firstLine = new Map<string, number>();
  for (const row of body) {
    const prev = firstLine.get(row.date);
    if (prev !== undefined) {
      throw new InputError(
        `expected one row per date, found ${row.date} again (first on line ${prev})`,
        file,
        `line ${row.line}, column "date"`,
      );
    }
    firstLine.set(row.date, row.line);
  }
  // ISO dates sort as strings; the file may list them in any order.
  body.sort((a, b) => (a.date < b.date ? -1 : a.date > b.date ? 1 : 0));

  return {
    file,
    dates: body.map((r) => r.date),
    columns,
    prices: columns.map((_, k) => Float64Array.from(body, (r) => r.values[k])),
  };
}

/**
 * Reads a price CSV. `displayName` (default: `file`) names it in errors and in the table's `file`;
 * pass a HistoricalSet's `pricesDisplay` to show the path as the user would write it.
 */
export function loadPriceTable(file: string, displayName: string = file): PriceTable {
  const text = readTextFile(file, displayName);
  return parsePriceTable(text, displayName);
}
