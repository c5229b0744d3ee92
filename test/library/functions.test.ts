// The library's own functions (calibrate, calibrateBreakdown, nearestCorrelation, sweep,
// explain): the numbers the CLI prints for the same inputs, and refusals in the library's words.
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  ArgumentError,
  bundledExample,
  calibrate,
  calibrateBreakdown,
  explain,
  nearestCorrelation,
  sweep,
  type BookDocument,
  type MarketDocument,
  type SuiteDocument,
} from '../../src/index.js';
import { xmarginInProcess } from '../helpers/cli.js';
import { SWISS } from '../calibrate/helpers.js';

const dir = mkdtempSync(join(tmpdir(), 'xmargin-library-'));
const json = (v: unknown) => JSON.parse(JSON.stringify(v));

async function cliJson(args: string[]): Promise<unknown> {
  const r = await xmarginInProcess([...args, '--json']);
  expect(r.code, r.stderr).toBe(0);
  return JSON.parse(r.stdout);
}

/** The library's refusal: an ArgumentError naming the parameter, in words without any CLI flag. */
function refusal(f: () => unknown, parameter: string, message: RegExp): void {
  let caught: unknown;
  try {
    f();
  } catch (err) {
    caught = err;
  }
  expect(caught).toBeInstanceOf(ArgumentError);
  expect(caught).toMatchObject({ parameter });
  expect((caught as Error).message).toMatch(message);
  expect((caught as Error).message).not.toMatch(/--/);
}

describe('calibrate and calibrateBreakdown', () => {
  it('give the market and the fit the CLI prints', async () => {
    const c = calibrate({
      prices: SWISS,
      columns: ['FINA', 'HLTH', 'UTIL'],
      from: '2007-01-01',
      to: '2008-06-30',
      method: 'ewma',
      lambda: 0.97,
      daysPerYear: 252,
    });
    expect(c.market.underlyings.map((u) => u.id)).toEqual(['FINA', 'HLTH', 'UTIL']);
    expect(c.market.underlyings.every((u) => u.vol > 0.05 && u.vol < 1)).toBe(true);
    expect(c.market.calibration).toMatchObject({ method: 'ewma', lambda: 0.97, from: '2007-01-03', to: '2008-06-30' });
    const printed = await cliJson([
      'calibrate',
      ...['--prices', SWISS, '--columns', 'FINA,HLTH,UTIL', '--from', '2007-01-01', '--to', '2008-06-30'],
      ...['--method', 'ewma', '--lambda', '0.97', '--days-per-year', '252'],
    ]);
    expect(json(c.market)).toEqual(printed);

    const fit = calibrateBreakdown({
      prices: SWISS,
      columns: ['FINA', 'HLTH', 'INDU', 'UTIL'],
      daysPerYear: 252,
      calm: { from: '2005-01-01', to: '2007-06-30' },
      stress: { from: '2008-01-01' },
      dof: 4,
    });
    expect(fit.result.weight).toBeGreaterThan(0);
    expect(fit.result.weight).toBeLessThan(1);
    expect(fit.result.set).toMatchObject({ name: 'breakdown-fit', distribution: { type: 'student-t', dof: 4 } });
    const emitted = join(dir, 'fit.yaml');
    const printedFit = await cliJson([
      'calibrate',
      ...['--prices', SWISS, '--columns', 'FINA,HLTH,INDU,UTIL', '--days-per-year', '252'],
      ...['--calm', '2005-01-01:2007-06-30', '--stress', '2008-01-01:', '--dof', '4', '--emit-set', emitted],
    ]);
    expect(json(fit.result)).toEqual(printedFit);
    expect(fit.suite).toBe(readFileSync(emitted, 'utf8'));
  });

  it('refuse bad arguments by their parameter names', () => {
    refusal(() => calibrate({ prices: SWISS, lambda: 0.9 }), 'lambda', /^lambda 0\.9: only applies to the method ewma/);
    refusal(() => calibrate({ prices: SWISS, daysPerYear: 0 }), 'daysPerYear', /^daysPerYear 0: expected .* > 0/);
    refusal(() => calibrate({ prices: SWISS, from: '2008-02-30' }), 'from', /^from "2008-02-30": expected a real calendar date/);
    refusal(() => calibrate({ prices: SWISS, columns: ['FINA', 'FINA'] }), 'columns', /"FINA" is listed twice/);
    refusal(() => calibrate({ prices: SWISS, columns: ['FINA'], currency: 'FINA' }), 'currency', /choose another currency/);
    const fit = { prices: SWISS, columns: ['FINA', 'HLTH'], calm: { to: '2007-06-30' }, stress: { from: '2008-01-01' } };
    refusal(
      () => calibrateBreakdown({ ...fit, target: 1.5 }),
      'target',
      /^target 1\.5: expected a target correlation in \[-1, 1\]/,
    );
    refusal(() => calibrateBreakdown({ ...fit, stress: { from: '2008-02-01', to: '2008-01-01' } }), 'stress', /after the end/);
    refusal(() => calibrateBreakdown({ ...fit, count: 0 }), 'count', /^count 0: expected a whole number/);
  });
});

describe('nearestCorrelation', () => {
  it('gives the matrix the CLI prints', async () => {
    const m = [
      [1, 0.9, 0.7],
      [0.9, 1, -0.6],
      [0.7, -0.6, 1],
    ];
    const near = nearestCorrelation(m);
    expect(near.converged).toBe(true);
    expect(near.distance).toBeGreaterThan(0.1);
    const file = join(dir, 'matrix.json');
    writeFileSync(file, JSON.stringify({ correlation: m }));
    const printed = await cliJson(['nearcorr', '--matrix', file]);
    expect(printed).toEqual(json({ correlation: near.correlation, iterations: near.iterations, distance: near.distance }));
  });
});

describe('sweep and explain', () => {
  const market = {
    asOf: '2026-11-20',
    underlyings: [
      { id: 'A', spot: 100, vol: 0.5 },
      { id: 'B', spot: 50, vol: 0.8 },
    ],
  } satisfies MarketDocument;
  const book = {
    instruments: [
      { id: 'A-PERP', type: 'future', underlying: 'A' },
      { id: 'B-PERP', type: 'future', underlying: 'B' },
    ],
    accounts: [
      { id: 'long', collateral: 100, positions: [{ instrument: 'A-PERP', quantity: 1 }] },
      { id: 'short', collateral: 100, positions: [{ instrument: 'B-PERP', quantity: -2 }] },
    ],
    portfolios: [{ id: 'pair', accounts: ['long', 'short'] }],
  } satisfies BookDocument;
  const suite = {
    seed: 3,
    scenarioSets: [
      { name: 'mc', type: 'montecarlo', count: 4000 },
      { name: 'crash', type: 'shocks', shocks: [{ moves: { A: -0.3, B: -0.3 } }] },
    ],
  } satisfies SuiteDocument;
  const files = Object.fromEntries(
    Object.entries({ market, book, suite }).map(([k, doc]) => {
      const file = join(dir, `${k}.json`);
      writeFileSync(file, JSON.stringify(doc));
      return [k, file];
    }),
  );
  const flags = ['--market', files.market, '--book', files.book, '--suite', files.suite];

  it('sweep gives the curve the CLI prints, and refuses bad points by parameter name', async () => {
    const r = await sweep({ market, book, suite, set: 'mc', weights: [0, 0.5, 1], target: 1, workers: 2 });
    const seg = r.portfolios[0].points.map((p) => p.segregatedInitialMargin);
    const cross = r.portfolios[0].points.map((p) => p.crossInitialMargin);
    // Long A and short B offset more as the correlation moves toward 1; alone, each account's
    // margin moves only by sampling noise (the correlation reshapes the scenarios, not the marginals).
    for (const s of seg) expect(s / seg[0]).toBeCloseTo(1, 1);
    expect(cross[2]).toBeLessThan(cross[1]);
    expect(cross[1]).toBeLessThan(cross[0]);
    expect(json(r)).toEqual(await cliJson(['sweep', ...flags, '--set', 'mc', '--weights', '0:1:0.5', '--workers', '2']));

    const v = await sweep({ ...files, set: 'mc', volMultipliers: [1, 2], scope: 'suite', workers: 1 });
    expect(v.portfolios[0].points[1].segregatedInitialMargin).toBeGreaterThan(v.portfolios[0].points[0].segregatedInitialMargin);

    const rejects = async (p: Promise<unknown>, parameter: string, message: RegExp) => {
      const err = await p.then(
        () => undefined,
        (e: unknown) => e,
      );
      refusal(
        () => {
          throw err;
        },
        parameter,
        message,
      );
    };
    await rejects(
      sweep({ market, book, suite, set: 'mc', weights: [0, 1.5] }),
      'weights',
      /^weights 1\.5: every point must be in \[0, 1\]/,
    );
    await rejects(
      sweep({ market, book, suite, set: 'mc', weights: [0], target: 2 }),
      'target',
      /^target 2: expected a target correlation in \[-1, 1\]/,
    );
    await rejects(sweep({ market, book, suite, set: 'mc', volMultipliers: [0] }), 'volMultipliers', /must be > 0/);
    await rejects(sweep({ market, book, suite, set: 'crash', weights: [0] }), 'set', /only a montecarlo set/);
  });

  it('explain gives the scenario the CLI prints, and refuses by parameter name', async () => {
    const e = explain({ market, book, suite, set: 'crash', scenario: 0 });
    // A falls 30 (one unit), B falls 15 on a short of two: +30.
    expect(e.accounts).toEqual([
      { id: 'long', pnl: expect.closeTo(-30, 9), loss: expect.closeTo(30, 9) },
      { id: 'short', pnl: expect.closeTo(30, 9), loss: expect.closeTo(-30, 9) },
    ]);
    expect(json(e)).toEqual(await cliJson(['explain', ...flags, '--set', 'crash', '--scenario', '0']));
    const bundled = explain({ ...bundledExample, set: 'mc-normal', scenario: 17 });
    expect(json(bundled)).toEqual(await cliJson(['explain', '--set', 'mc-normal', '--scenario', '17']));
    refusal(
      () => explain({ market, book, suite, set: 'nope', scenario: 0 }),
      'set',
      /^set "nope": the suite has no such set \(sets: mc, crash\)/,
    );
    refusal(
      () => explain({ market, book, suite, set: 'crash', scenario: 1 }),
      'scenario',
      /^scenario 1: expected a whole number in \[0, 0\]/,
    );
  });
});
