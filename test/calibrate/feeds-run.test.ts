// A calibrated market file feeds `xmargin run` unchanged, and so does a fitted breakdown set.
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { xmarginInProcess } from '../helpers/cli.js';
import { SWISS, tempDir } from './helpers.js';

const book = {
  instruments: [
    { id: 'FINA-FUT', type: 'future', underlying: 'FINA', multiplier: 10 },
    { id: 'HLTH-FUT', type: 'future', underlying: 'HLTH', multiplier: 10 },
    { id: 'INDU-BASKET', type: 'spot', underlying: 'INDU' },
    {
      id: 'FINA-P',
      type: 'option',
      underlying: 'FINA',
      right: 'put',
      strike: 800,
      expiry: '2008-12-19',
      iv: 0.35,
      multiplier: 10,
    },
  ],
  accounts: [
    { id: 'long-fina', collateral: 100000, positions: [{ instrument: 'FINA-FUT', quantity: 1 }] },
    {
      id: 'hedged',
      collateral: 100000,
      positions: [
        { instrument: 'HLTH-FUT', quantity: -10 },
        { instrument: 'INDU-BASKET', quantity: 100 },
        { instrument: 'FINA-P', quantity: 5 },
      ],
    },
  ],
  portfolios: [],
};

async function runJson(dir: string, market: string, suite: string) {
  const bookFile = path.join(dir, 'book.json');
  writeFileSync(bookFile, JSON.stringify(book));
  const r = await xmarginInProcess(['run', '--market', market, '--book', bookFile, '--suite', suite, '--workers', '1', '--json']);
  expect(r.code, r.stderr).toBe(0);
  return JSON.parse(r.stdout);
}

describe('calibrate -> run', () => {
  it('the calibrated Swiss market (FINA, HLTH, INDU, 2007-01 to 2008-06) runs as is, with sane numbers', async () => {
    const dir = tempDir();
    const market = path.join(dir, 'market.json');
    const c = await xmarginInProcess([
      'calibrate',
      '--prices',
      SWISS,
      '--columns',
      'FINA,HLTH,INDU',
      '--from',
      '2007-01-01',
      '--to',
      '2008-06-30',
      '--days-per-year',
      '252',
      '--currency',
      'CHF',
      '--out',
      market,
    ]);
    expect(c.code, c.stderr).toBe(0);
    const suite = path.join(dir, 'suite.yaml');
    writeFileSync(
      suite,
      [
        'seed: 1',
        'horizonDays: 1',
        'scenarioSets:',
        '  - { name: mc, type: montecarlo, count: 20000 }',
        '  - { name: grid, type: grid, priceMoves: [-0.1, 0, 0.1] }',
        `  - { name: hist, type: historical, prices: ${JSON.stringify(SWISS)}, from: 2008-01-01, to: 2008-06-30, margin: false }`,
      ].join('\n') + '\n',
    );
    const report = await runJson(dir, market, suite);
    expect(report.asOf).toBe('2008-06-30');
    expect(report.currency).toBe('CHF');
    expect(report.sets.map((s: { name: string; scenarios: number }) => [s.name, s.scenarios])).toEqual([
      ['mc', 20000],
      ['grid', 3],
      ['hist', expect.any(Number)],
    ]);
    const long = report.portfolios.find((p: { id: string }) => p.id === 'long-fina');
    // One long FINA future (10 CHF/point): the 1-day 99% ES of a normal log return is about
    // S * sigma * sqrt(1/252) * phi(2.326) / 0.01 = 2.665 S sigma sqrt(1/252) points.
    const m = JSON.parse(readFileSync(market, 'utf8'));
    const fina = m.underlyings.find((u: { id: string }) => u.id === 'FINA');
    const es = 10 * 2.665 * fina.spot * fina.vol * Math.sqrt(1 / 252);
    expect(long.cross.sets.mc.es).toBeGreaterThan(0.95 * es);
    expect(long.cross.sets.mc.es).toBeLessThan(1.05 * es);
    expect(long.cross.sets.grid.worst).toBeCloseTo(10 * 0.1 * fina.spot, 6);
    for (const p of report.portfolios) expect(Number.isFinite(p.cross.initialMargin) && p.cross.initialMargin > 0).toBe(true);
  });

  it('a YAML market file from --out runs too', async () => {
    const dir = tempDir();
    const market = path.join(dir, 'market.yaml');
    expect(
      (
        await xmarginInProcess([
          'calibrate',
          '--prices',
          SWISS,
          '--columns',
          'INDU,HLTH,FINA',
          '--from',
          '2007-01-01',
          '--to',
          '2008-06-30',
          '--method',
          'ewma',
          '--out',
          market,
        ])
      ).code,
    ).toBe(0);
    const suite = path.join(dir, 'suite.yaml');
    writeFileSync(suite, 'scenarioSets:\n  - { name: mc, type: montecarlo, count: 5000 }\n');
    expect((await runJson(dir, market, suite)).sets[0].scenarios).toBe(5000);
  });

  it('the breakdown fit: --out writes the calm market, --emit-set a suite that runs on it', async () => {
    const dir = tempDir();
    const calm = path.join(dir, 'calm.json');
    const set = path.join(dir, 'breakdown.yaml');
    const c = await xmarginInProcess([
      'calibrate',
      '--prices',
      SWISS,
      '--columns',
      'FINA,HLTH,INDU',
      '--calm',
      '2005-01-01:2007-06-30',
      '--stress',
      '2008-01-01:2008-10-17',
      '--days-per-year',
      '252',
      '--out',
      calm,
      '--emit-set',
      set,
      '--count',
      '20000',
      '--dof',
      '5',
      '--json',
    ]);
    expect(c.code, c.stderr).toBe(0);
    const fit = JSON.parse(c.stdout);
    const report = await runJson(dir, calm, set);
    expect(report.asOf).toBe('2007-06-29');
    expect(report.sets).toHaveLength(1);
    expect(report.sets[0]).toMatchObject({ name: 'breakdown-fit', type: 'montecarlo', scenarios: 20000, margin: true });
    expect(fit.set).toEqual({
      name: 'breakdown-fit',
      type: 'montecarlo',
      count: 20000,
      distribution: { type: 'student-t', dof: 5 },
      volMultiplier: fit.volMultiplier,
      correlation: { target: 1, weight: fit.weight },
    });
  });
});
