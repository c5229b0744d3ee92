// --from/--to keep the rows dated within them (inclusive); then rows with a missing price among
// the chosen columns are dropped and counted; returns are taken between consecutive kept rows.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { calibrateWindow } from '../../src/calibrate/calibrate.js';
import { resolveColumns, windowData } from '../../src/calibrate/window.js';
import { loadPriceTable } from '../../src/model/prices.js';
import { expectClose, expectMatrixClose, fixture, tempFile } from './helpers.js';

// Row by row (the file is deliberately out of order; rows are sorted by date on reading):
//   01-01 all present | 01-02 B missing | 01-03 C missing | 01-06 A missing | 01-07, 01-08 all present
const CSV = [
  'date,A,B,C',
  '2020-01-08,105,54,14',
  '2020-01-01,100,50,10',
  '2020-01-02,101,NA,11',
  '2020-01-03,102,51,',
  '2020-01-06,N/A,52,12',
  '2020-01-07,104,53,13',
].join('\n');
const opts = { method: 'sample' as const, lambda: 0.94, daysPerYear: 365, currency: 'USD', rate: 0, source: 'g.csv' };

describe('gaps', () => {
  const table = loadPriceTable(tempFile('g.csv', CSV + '\n'));
  const cols = (names: string[]) => resolveColumns(table, names);

  it('drops only rows missing a chosen column, counts them, and bridges the gap with one return', () => {
    const d = windowData(table, cols(['A', 'B']), {}, '--from/--to');
    expect(d.dates).toEqual(['2020-01-01', '2020-01-03', '2020-01-07', '2020-01-08']); // C's gap on 01-03 does not matter
    expect(d.dropped).toBe(2); // 01-02 (B), 01-06 (A)
    expect(d.returns).toHaveLength(3);
    expectClose(d.returns[1], [Math.log(104 / 102), Math.log(53 / 51)], 1e-15);
  });

  it('counts per the chosen columns', () => {
    expect(windowData(table, cols(['A', 'C']), {}, 'w').dropped).toBe(2); // 01-03 (C), 01-06 (A)
    expect(windowData(table, cols(['B']), {}, 'w').dropped).toBe(1); // 01-02
    expect(windowData(table, cols(['A', 'B', 'C']), {}, 'w').dropped).toBe(3);
    expect(windowData(table, resolveColumns(table, undefined), {}, 'w').dropped).toBe(3); // no --columns: all
  });

  it('records from/to (rows used), observations (returns) and dropped in the market file; spot and asOf from the last kept row', () => {
    const c = calibrateWindow(table, cols(['A', 'B']), {}, '--from/--to', opts);
    expect(c.market.calibration).toMatchObject({
      from: '2020-01-01',
      to: '2020-01-08',
      observations: 3,
      dropped: 2,
      columns: ['A', 'B'],
    });
    expect(c.market.asOf).toBe('2020-01-08');
    expect(c.market.underlyings.map((u) => u.spot)).toEqual([105, 54]);
    // Sample variance of A's three returns, by hand.
    const a = [Math.log(102 / 100), Math.log(104 / 102), Math.log(105 / 104)];
    const m = (a[0] + a[1] + a[2]) / 3;
    const v = ((a[0] - m) ** 2 + (a[1] - m) ** 2 + (a[2] - m) ** 2) / 2;
    expect(c.vols[0]).toBeCloseTo(Math.sqrt(365 * v), 14);
  });

  it('counts only the dropped rows inside --from/--to', () => {
    const d = windowData(table, cols(['A', 'B']), { from: '2020-01-03' }, 'w');
    expect(d.dates).toEqual(['2020-01-03', '2020-01-07', '2020-01-08']);
    expect(d.dropped).toBe(1); // 01-06 only; 01-02 is outside
    expect(d.rowsInWindow).toBe(4);
  });

  it("can leave a last row different from the file's last row when that row has a gap", () => {
    const t = loadPriceTable(tempFile('h.csv', 'date,A,B\n2020-01-01,1,2\n2020-01-02,2,3\n2020-01-03,3,NA\n'));
    const c = calibrateWindow(t, [0, 1], {}, 'w', { ...opts, method: 'ewma' });
    expect(c.market.asOf).toBe('2020-01-02');
    expect(c.market.underlyings.map((u) => u.spot)).toEqual([2, 3]);
    expect(c.market.calibration.dropped).toBe(1);
  });
});

describe('--from/--to', () => {
  const table = loadPriceTable(fixture('prices-4x40.csv'));
  const all = [0, 1, 2, 3];

  it('are inclusive and may fall on dates without a row', () => {
    const d = windowData(table, all, { from: '2020-01-05', to: '2020-01-30' }, 'w');
    expect(d.dates[0]).toBe('2020-01-05');
    expect(d.dates[d.dates.length - 1]).toBe('2020-01-30');
    expect(d.returns).toHaveLength(25);
    const open = windowData(table, all, { from: '2019-06-01', to: '2020-01-10' }, 'w');
    expect(open.dates[0]).toBe('2020-01-01');
    expect(open.dates).toHaveLength(10);
    expect(windowData(table, all, { to: '2020-01-03' }, 'w').dates).toEqual(['2020-01-01', '2020-01-02', '2020-01-03']);
  });

  it('give the same numbers as a file cut to those rows', () => {
    const [header, ...rows] = readFileSync(fixture('prices-4x40.csv'), 'utf8').trim().split('\n');
    const body = rows.filter((l) => l.slice(0, 10) >= '2020-01-05' && l.slice(0, 10) <= '2020-01-30');
    expect(body).toHaveLength(26);
    const cut = loadPriceTable(tempFile('cut.csv', [header, ...body].join('\n') + '\n'));
    for (const method of ['sample', 'ewma', 'ledoit-wolf'] as const) {
      const a = calibrateWindow(table, all, { from: '2020-01-05', to: '2020-01-30' }, 'w', { ...opts, method });
      const b = calibrateWindow(cut, all, {}, 'w', { ...opts, method });
      expect(a.vols).toEqual(b.vols);
      expectMatrixClose(a.correlation, b.correlation, 0, 0);
      expect(a.market.calibration.observations).toBe(25);
    }
  });
});
