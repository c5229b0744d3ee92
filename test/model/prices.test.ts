import { describe, expect, test } from 'vitest';
import { loadPriceTable, parsePriceTable } from '../../src/model/prices.js';
import { expectIssue, fixture, inputError, tempDir, tempFile } from './helpers.js';

const F = 'prices.csv';
const parse = (text: string) => parsePriceTable(text, F);

describe('good price files', () => {
  test("the contract example's prices load", () => {
    const t = loadPriceTable(fixture('prices.csv'));
    expect(t.file).toBe(fixture('prices.csv'));
    expect(t.columns).toEqual(['BTC', 'ETH']);
    expect(t.dates).toHaveLength(40);
    expect(t.dates[0]).toBe('2026-09-01');
    expect(t.prices[0][0]).toBe(100000);
    expect(t.prices[1][1]).toBe(3339.55);
    expect(t.prices[0]).toBeInstanceOf(Float64Array);
    expect([...t.dates].sort()).toEqual(t.dates);
  });

  test('rows are sorted by date, with their prices', () => {
    const t = parse('date,A,B\n2026-01-03,3,30\n2026-01-01,1,10\n2026-01-02,2,20\n');
    expect(t.dates).toEqual(['2026-01-01', '2026-01-02', '2026-01-03']);
    expect([...t.prices[0]]).toEqual([1, 2, 3]);
    expect([...t.prices[1]]).toEqual([10, 20, 30]);
  });

  test('an empty cell is a gap (NaN); the date column may be anywhere', () => {
    const t = parse('A,date,B\n1.5,2026-01-01,\n,2026-01-02,2e3\n');
    expect(t.columns).toEqual(['A', 'B']);
    expect([...t.prices[0]]).toEqual([1.5, NaN]);
    expect([...t.prices[1]]).toEqual([NaN, 2000]);
  });

  test('BOM, CRLF line ends, spaces around cells, blank lines', () => {
    const t = parse('\uFEFFdate , BTC\r\n\r\n2026-01-01 , 100 \r\n2026-01-02,101\r\n,\r\n');
    expect(t.columns).toEqual(['BTC']);
    expect(t.dates).toEqual(['2026-01-01', '2026-01-02']);
    expect([...t.prices[0]]).toEqual([100, 101]);
  });

  test('the display name is used in the table and in errors', () => {
    const file = tempFile('p.csv', 'date,A\n2026-01-01,0\n');
    const err = inputError(() => loadPriceTable(file, 'data/p.csv'));
    expect(err.message).toBe(
      'data/p.csv: line 2, column "A": expected a price > 0 (or an empty cell, NA, N/A, #N/A, NaN or null for a gap), found "0"',
    );
  });
});

describe('bad price files', () => {
  test('a missing file is named as given', () => {
    const file = `${tempDir()}/none.csv`;
    expect(inputError(() => loadPriceTable(file)).message).toBe(`${file}: file not found`);
    expect(inputError(() => loadPriceTable(file, 'data/none.csv')).message).toBe('data/none.csv: file not found');
  });

  test('an empty file, a header alone', () => {
    expect(inputError(() => parse('')).message).toContain(`${F}: the file is empty; expected a header row with a "date" column`);
    expect(inputError(() => parse('\n\n')).message).toContain(`${F}: the file is empty`);
    expect(inputError(() => parse('date,BTC\n')).message).toBe(
      `${F}: expected at least one row of prices after the header, found none`,
    );
  });

  test('the header needs a "date" column (case-sensitive) and a price column', () => {
    expectIssue(() => parse('day,BTC\n2026-01-01,1\n'), F, 'line 1', 'expected a "date" column', 'found "day", "BTC"');
    expectIssue(
      () => parse('Date,BTC\n2026-01-01,1\n'),
      F,
      'line 1',
      'expected a "date" column',
      'case-sensitive: "date", not "Date"',
    );
    expectIssue(() => parse('date\n2026-01-01\n'), F, 'line 1', 'expected at least one price column besides "date"');
    expectIssue(
      () => parse('date,BTC,BTC\n2026-01-01,1,2\n'),
      F,
      'line 1',
      'expected unique column names',
      '"BTC" in columns 2 and 3',
    );
    expectIssue(() => parse('date,,BTC\n2026-01-01,1,2\n'), F, 'line 1', 'expected a name for every column', 'column 2');
  });

  test('each date a real ISO date, once', () => {
    expectIssue(
      () => parse('date,BTC\n2026-01-01,1\n2026-02-30,2\n'),
      F,
      'line 3, column "date"',
      'expected a real calendar date YYYY-MM-DD',
      'found "2026-02-30"',
    );
    expectIssue(() => parse('date,BTC\n01/02/2026,1\n'), F, 'line 2, column "date"', 'YYYY-MM-DD', 'found "01/02/2026"');
    expectIssue(() => parse('date,BTC\n,1\n'), F, 'line 2, column "date"', 'YYYY-MM-DD', 'found ""');
    expectIssue(
      () => parse('date,BTC\n2026-01-02,1\n2026-01-01,1\n\n2026-01-02,2\n'),
      F,
      'line 5, column "date"',
      'expected one row per date',
      'found 2026-01-02 again (first on line 2)',
    );
  });

  test('vendor gap markers (empty, NA, N/A, #N/A, NaN, null) are gaps', () => {
    const t = parse('date,A,B\n2026-01-01,1,NA\n2026-01-02,,2\n2026-01-03,N/A,#N/A\n2026-01-04,NaN,null\n2026-01-05,3,4\n');
    expect(Array.from(t.prices[0])).toEqual([1, NaN, NaN, NaN, 3]);
    expect(Array.from(t.prices[1])).toEqual([NaN, 2, NaN, NaN, 4]);
  });

  test('prices: numbers > 0, with the line and the column', () => {
    expectIssue(
      () => parse('date,BTC,ETH\n2026-01-01,1,2\n2026-01-02,1,abc\n'),
      F,
      'line 3, column "ETH"',
      'expected a price > 0 (or an empty cell, NA',
      'found "abc"',
    );
    expectIssue(() => parse('date,BTC\n2026-01-01,-5\n'), F, 'line 2, column "BTC"', 'expected a price > 0', 'found "-5"');
    expectIssue(() => parse('date,BTC\n2026-01-01,0\n'), F, 'line 2, column "BTC"', 'expected a price > 0', 'found "0"');
    expectIssue(() => parse('date,BTC\n2026-01-01,n.a.\n'), F, 'line 2, column "BTC"', 'for a gap', 'found "n.a."');
    expectIssue(() => parse('date,BTC\n2026-01-01,1e999\n'), F, 'line 2, column "BTC"', 'expected a price > 0', 'found "1e999"');
    expectIssue(() => parse('date,BTC\n2026-01-01,0x10\n'), F, 'line 2, column "BTC"', 'expected a price > 0', 'found "0x10"');
  });

  test('a row with the wrong number of cells, or bad quoting', () => {
    expectIssue(() => parse('date,BTC\n2026-01-01,1\n2026-01-02,1,2\n'), F, 'line 3', 'not a valid CSV file', 'expect 2, got 3');
    expectIssue(() => parse('date,BTC\n2026-01-01,"1"x\n'), F, 'line 2', 'not a valid CSV file', 'Invalid Closing Quote');
  });
});
