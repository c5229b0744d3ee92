// Historical price tables: a CSV with a `date` column and one column per series. Rows come back
// sorted by date; an empty cell is a gap (NaN) that the historical scenarios skip around.
//
// A table can hold millions of rows, so each row is checked and stored as the parser meets it:
// prices go straight into typed arrays (8 bytes each) and no array of parsed records is kept.

import { parse } from 'csv-parse/sync';
import { isIsoDate } from './dates.js';
import { InputError } from '../errors.js';
import { describe } from './issues.js';
import { MAX_PRICES_BYTES, readFileBounded } from './read.js';
import type { PriceTable } from './types.js';

/** Cell texts read as a missing price (a gap). */
export const GAP_MARKERS: ReadonlySet<string> = new Set(['', 'NA', 'N/A', '#N/A', 'NaN', 'nan', 'null', 'NULL']);

const DECIMAL = /^[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?$/;
const CONTROL = /[\u0000-\u001f\u007f]/;

/**
 * A short excerpt of text read from a file, safe to print: printable ASCII only (anything else
 * becomes "?") and at most `max` characters. A price path can name any file (a key, the
 * environment), so an error quotes no more of it than this.
 */
export function excerpt(text: string, max = 40): string {
  const cut = text.length > max ? `${text.slice(0, max - 3)}...` : text;
  return cut.replace(/[^\x20-\x7e]/g, '?');
}

/** The header's names for a message: quoted excerpts, about 40 characters in all. */
function quoteHeader(header: string[]): string {
  const shown: string[] = [];
  let length = 0;
  for (const name of header) {
    const q = JSON.stringify(excerpt(name, 20));
    if (shown.length > 0 && length + q.length > 40) break;
    shown.push(q);
    length += q.length + 2;
  }
  const more = header.length - shown.length;
  return shown.join(', ') + (more > 0 ? `, ... (${header.length} columns)` : '');
}

/** Why a header of one column might be one: the file uses another separator. */
function separatorHint(header: string[]): string {
  if (header.length !== 1) return '';
  for (const [sep, name] of [
    [';', 'semicolons'],
    ['\t', 'tabs'],
  ] as const) {
    if (header[0].includes(sep)) {
      return `; the header has no commas but has ${name}: a price CSV must separate its columns with commas`;
    }
  }
  return '';
}

/** A growable column of numbers. */
class Column<A extends Float64Array | Uint32Array> {
  length = 0;
  constructor(
    public data: A,
    private readonly make: (n: number) => A,
  ) {}
  push(v: number): void {
    if (this.length === this.data.length) {
      const grown = this.make(this.data.length * 2);
      grown.set(this.data);
      this.data = grown;
    }
    this.data[this.length++] = v;
  }
}
const float64s = (capacity: number): Column<Float64Array> => new Column(new Float64Array(capacity), (n) => new Float64Array(n));
const uint32s = (capacity: number): Column<Uint32Array> => new Column(new Uint32Array(capacity), (n) => new Uint32Array(n));

/** How many lines `bytes` has: at least as many as its rows, so the columns never grow. */
function lineCount(bytes: Buffer): number {
  let lines = 1;
  for (let i = bytes.indexOf(10); i >= 0; i = bytes.indexOf(10, i + 1)) lines++;
  return lines;
}

/** A date YYYY-MM-DD as the number YYYYMMDD: the same order as the text. */
const dateKey = (date: string): number =>
  Number(date.slice(0, 4)) * 10000 + Number(date.slice(5, 7)) * 100 + Number(date.slice(8, 10));

interface Header {
  columns: string[];
  dateCol: number;
  columnIndex: number[];
}

function readHeader(header: string[], file: string, where: string): Header {
  const dateCol = header.indexOf('date');
  if (dateCol < 0) {
    const near = header.find((h) => h.toLowerCase() === 'date');
    throw new InputError(
      `expected a "date" column in the header, found ${quoteHeader(header)}${near ? ` (the name is case-sensitive: "date", not "${excerpt(near)}")` : ''}${separatorHint(header)}`,
      file,
      where,
    );
  }
  const seen = new Map<string, number>();
  header.forEach((name, c) => {
    if (name === '') throw new InputError(`expected a name for every column, found column ${c + 1} without one`, file, where);
    if (CONTROL.test(name)) {
      throw new InputError(
        `expected column names without control characters, found ${JSON.stringify(excerpt(name))} in column ${c + 1}`,
        file,
        where,
      );
    }
    const prev = seen.get(name);
    if (prev !== undefined)
      throw new InputError(
        `expected unique column names, found "${excerpt(name)}" in columns ${prev + 1} and ${c + 1}`,
        file,
        where,
      );
    seen.set(name, c);
  });
  const columnIndex = header.map((_, c) => c).filter((c) => c !== dateCol);
  if (columnIndex.length === 0)
    throw new InputError('expected at least one price column besides "date", found none', file, where);
  return { columns: columnIndex.map((c) => header[c]), dateCol, columnIndex };
}

/**
 * The row order that sorts `keys` (ties by row), or null when they are already strictly
 * increasing, the usual case.
 */
function sortOrder(keys: Uint32Array, n: number): Uint32Array | null {
  let sorted = true;
  for (let i = 1; i < n && sorted; i++) sorted = keys[i - 1] < keys[i];
  if (sorted) return null;
  const order = new Uint32Array(n);
  if (n < 2 ** 26) {
    // key (< 2^27) and row (< 2^26) packed into one exact double: a native numeric sort.
    const packed = new Float64Array(n);
    for (let i = 0; i < n; i++) packed[i] = keys[i] * 2 ** 26 + i;
    packed.sort();
    for (let i = 0; i < n; i++) order[i] = packed[i] % 2 ** 26;
  } else {
    for (let i = 0; i < n; i++) order[i] = i;
    order.sort((a, b) => keys[a] - keys[b] || a - b);
  }
  return order;
}

/** Parses CSV bytes into a PriceTable; `file` names it in errors and in the table. */
export function parsePriceBytes(bytes: Buffer, file: string): PriceTable {
  let header: Header | undefined;
  const dates: string[] = [];
  // A row may span lines (a quoted cell) but never less than one: the line count bounds the rows.
  const capacity = Math.max(16, lineCount(bytes));
  const keys = uint32s(capacity);
  const lines = uint32s(capacity);
  let prices: Column<Float64Array>[] = [];

  // Data vendors write a missing price in several ways; these, and only these, are gaps. Anything
  // else that is not a positive number is a typo the user must see.
  const onRow = (record: string[], line: number): void => {
    if (header === undefined) {
      header = readHeader(record, file, `line ${line}`);
      prices = header.columns.map(() => float64s(capacity));
      return;
    }
    const { dateCol, columnIndex, columns } = header;
    const date = record[dateCol];
    if (!isIsoDate(date)) {
      throw new InputError(
        `expected a real calendar date YYYY-MM-DD, found ${describe(excerpt(date))}`,
        file,
        `line ${line}, column "date"`,
      );
    }
    for (let k = 0; k < columnIndex.length; k++) {
      const cell = record[columnIndex[k]];
      let v = NaN;
      if (!GAP_MARKERS.has(cell)) {
        v = DECIMAL.test(cell) ? Number(cell) : NaN;
        if (!(Number.isFinite(v) && v > 0)) {
          throw new InputError(
            `expected a price > 0 (or an empty cell, NA, N/A, #N/A, NaN or null for a gap), found ${describe(excerpt(cell))}`,
            file,
            `line ${line}, column "${columns[k]}"`,
          );
        }
      }
      prices[k].push(v);
    }
    dates.push(date);
    keys.push(dateKey(date));
    lines.push(line);
  };

  try {
    parse(bytes, {
      bom: true,
      trim: true,
      skip_empty_lines: true,
      skip_records_with_empty_values: true,
      on_record: (record: string[], context: { lines: number }) => {
        onRow(record, context.lines);
        return null; // nothing is kept by the parser
      },
    });
  } catch (err) {
    if (err instanceof InputError) throw err;
    const e = err as Error & { lines?: number };
    const message = e.message.replace(/\s+on line \d+$/, '').replace(/ at line \d+/, '');
    throw new InputError(
      `not a valid CSV file: ${excerpt(message, 120)}`,
      file,
      e.lines !== undefined ? `line ${e.lines}` : undefined,
    );
  }
  if (header === undefined)
    throw new InputError('the file is empty; expected a header row with a "date" column, then one row per date', file);
  const n = dates.length;
  if (n === 0) throw new InputError('expected at least one row of prices after the header, found none', file);

  // ISO dates sort as their numbers; the file may list them in any order, but each date once.
  const order = sortOrder(keys.data, n);
  if (order !== null) {
    let repeat = -1; // the first row, in file order, whose date an earlier row has
    let first = -1;
    let group = 0; // where the current date's rows start in `order`: its first row in the file
    for (let i = 1; i < n; i++) {
      if (keys.data[order[i]] !== keys.data[order[i - 1]]) group = i;
      else if (repeat < 0 || order[i] < repeat) {
        repeat = order[i];
        first = order[group];
      }
    }
    if (repeat >= 0) {
      throw new InputError(
        `expected one row per date, found ${dates[repeat]} again (first on line ${lines.data[first]})`,
        file,
        `line ${lines.data[repeat]}, column "date"`,
      );
    }
  }
  return {
    file,
    dates: order === null ? dates : Array.from({ length: n }, (_, i) => dates[order[i]]),
    columns: header.columns,
    prices: prices.map((col) => {
      if (order === null) return col.data.subarray(0, n);
      const out = new Float64Array(n);
      for (let i = 0; i < n; i++) out[i] = col.data[order[i]];
      return out;
    }),
  };
}

/** Parses CSV text into a PriceTable; `file` names it in errors and in the table. */
export function parsePriceTable(text: string, file: string): PriceTable {
  return parsePriceBytes(Buffer.from(text, 'utf8'), file);
}

/**
 * Reads a price CSV: a regular file of at most MAX_PRICES_BYTES. `displayName` (default: `file`)
 * names it in errors and in the table's `file`; pass a HistoricalSet's `pricesDisplay` to show
 * the path as the user would write it.
 */
export function loadPriceTable(file: string, displayName: string = file): PriceTable {
  return parsePriceBytes(readFileBounded(file, displayName, MAX_PRICES_BYTES, 'a price CSV'), displayName);
}
