// Historical windows exactly as the contract defines them: h-row windows from the first row on or
// after `from` to the last whose end is on or before `to`, rows sorted by date, a window skipped
// (and counted) when its start or end row lacks a price, rows in between irrelevant.
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { prepare } from '../../src/index.js';
import type { ExplicitSource } from '../../src/scenarios/types.js';
import { futures, market, suite } from '../helpers/inputs.js';

const dir = mkdtempSync(join(tmpdir(), 'xm-hist-'));
// Unsorted on purpose; B has a gap on 01-04 (row 3 once sorted) and NA on 01-08 (row 7).
writeFileSync(
  join(dir, 'p.csv'),
  [
    'date,A,B,IGNORED',
    '2026-01-05,104,205,1',
    '2026-01-01,100,200,1',
    '2026-01-02,101,201,1',
    '2026-01-03,102,202,1',
    '2026-01-04,103,,1',
    '2026-01-06,105,206,1',
    '2026-01-07,106,207,1',
    '2026-01-08,107,NA,1',
    '2026-01-09,108,209,1',
  ].join('\n'),
);

const plan = (set: Record<string, unknown>, horizonDays: number) =>
  prepare({
    market: market([
      { id: 'A', spot: 50, vol: 0.1 },
      { id: 'B', spot: 10, vol: 0.1 },
    ]),
    book: { instruments: futures('A', 'B'), accounts: [{ id: 'x', collateral: 0, positions: [] }] },
    suite: suite([{ name: 'h', type: 'historical', prices: 'p.csv', ...set }], { horizonDays }),
    baseDir: dir,
  }).sets[0];

describe('historical windows', () => {
  it('uses h-row windows, skips those whose start or end lacks a price, and ignores rows in between', () => {
    const s = plan({}, 2);
    // rows 0..8; windows t = 0..6 (t + 2 <= 8). B missing at rows 3 and 7:
    // t=1 (end 3), t=3 (start 3), t=5 (end 7) are skipped; t=0,2,4,6 are kept (t=2 spans row 3 with no harm).
    expect(s.scenarios).toBe(4);
    expect(s.skipped).toBe(3);
    expect(s.labels).toEqual([
      '2026-01-01..2026-01-03',
      '2026-01-03..2026-01-05',
      '2026-01-05..2026-01-07',
      '2026-01-07..2026-01-09',
    ]);
    const src = s.source as ExplicitSource;
    // A's return over the window 01-05..01-07 applied to spot 50.
    expect(src.ret[0 * 4 + 2]).toBeCloseTo(Math.log(106 / 104), 15);
    expect(src.spot[0 * 4 + 2]).toBeCloseTo(50 * (106 / 104), 12);
    expect(src.spot[1 * 4 + 0]).toBeCloseTo(10 * (202 / 200), 12);
  });

  it('starts at the first row on or after `from` and ends with the last window ending on or before `to`', () => {
    const s = plan({ from: '2026-01-04', to: '2026-01-08' }, 1);
    // rows from 01-04 (row 3): windows t=3..6 (end <= row 7 = 01-08). t=3 start gap, t=6 end gap.
    expect(s.scenarios + s.skipped).toBe(4);
    expect(s.skipped).toBe(2);
    expect(s.labels).toEqual(['2026-01-05..2026-01-06', '2026-01-06..2026-01-07']);
  });

  it('rejects a missing underlying column and an empty window', () => {
    expect(() => plan({ from: '2026-02-01' }, 1)).toThrow(/no complete 1-day window/);
    expect(() =>
      prepare({
        market: market([
          { id: 'A', spot: 50, vol: 0.1 },
          { id: 'C', spot: 10, vol: 0.1 },
        ]),
        book: { instruments: futures('A'), accounts: [{ id: 'x', collateral: 0, positions: [] }] },
        suite: suite([{ name: 'h', type: 'historical', prices: 'p.csv' }]),
        baseDir: dir,
      }),
    ).toThrow(/no column for underlying "C"/);
  });
});
