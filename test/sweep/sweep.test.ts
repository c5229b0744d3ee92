import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ArgumentError, prepare, run } from '../../src/index.js';
import { parseAxis } from '../../src/sweep/axis.js';
import { sweepPlan, type SweepAxis } from '../../src/sweep/sweep.js';
import { xmarginInProcess } from '../helpers/cli.js';
import { futures, market, suite } from '../helpers/inputs.js';

// A hedged pair: long A in one account, short B in the other. Its cross margin depends on the
// A-B correlation, which the breakdown weight drives toward 1 (the hedge gets better).
const inputs = {
  market: market(
    [
      { id: 'A', spot: 100, vol: 0.6 },
      { id: 'B', spot: 100, vol: 0.6 },
    ],
    [
      [1, 0.2],
      [0.2, 1],
    ],
  ),
  book: {
    instruments: futures('A', 'B'),
    accounts: [
      { id: 'long', collateral: 100, positions: [{ instrument: 'A-PERP', quantity: 10 }] },
      { id: 'short', collateral: 100, positions: [{ instrument: 'B-PERP', quantity: -10 }] },
    ],
    portfolios: [{ id: 'pair', accounts: ['long', 'short'] }],
  },
  suite: suite([
    { name: 'mc', type: 'montecarlo', count: 20000, distribution: 'normal', correlation: { target: 1, weight: 0.5 } },
    { name: 'crash', type: 'shocks', shocks: [{ moves: { A: -0.05 } }] },
  ]),
};

describe('sweep', () => {
  it('parses ranges and lists', () => {
    expect(parseAxis('0:1:0.1', 'weights', () => true, '')).toEqual([0, 0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9, 1]);
    expect(parseAxis('1,1.5, 2', 'volMultipliers', () => true, '')).toEqual([1, 1.5, 2]);
    // Both ends, also when STEP does not divide TO - FROM: the last step is shorter.
    expect(parseAxis('0:1:0.3', 'weights', () => true, '')).toEqual([0, 0.3, 0.6, 0.9, 1]);
    expect(parseAxis('1:3:0.5', 'volMultipliers', () => true, '')).toEqual([1, 1.5, 2, 2.5, 3]);
    expect(parseAxis('0:0.3:0.1', 'weights', () => true, '')).toEqual([0, 0.1, 0.2, 0.3]);
    expect(parseAxis('0.5:0.5:0.1', 'weights', () => true, '')).toEqual([0.5]);
    expect(parseAxis('0:1:2', 'weights', () => true, '')).toEqual([0, 1]);
    expect(() => parseAxis('0:1:0.001', 'weights', () => true, '')).toThrow(/1001 points is too many/);
    expect(() => parseAxis('0:1e12:1', 'volMultipliers', () => true, '')).toThrow(/too many \(at most 1000\)/);
    expect(() => parseAxis('0:1', 'weights', () => true, '')).toThrow(/FROM:TO:STEP/);
    expect(() => parseAxis('0:2:0.5', 'weights', (v) => v <= 1, 'in [0, 1]')).toThrow(/in \[0, 1\], got 1.5/);
    // In the library's words, naming the parameter; the CLI names its flag (below).
    expect(() => parseAxis('0:2:0.5', 'volMultipliers', (v) => v <= 1, '<= 1')).toThrow(
      new ArgumentError('volMultipliers', '0:2:0.5', 'every point must be <= 1, got 1.5'),
    );
    expect(() => parseAxis('0:2:0.5', 'weights', (v) => v <= 1, 'in [0, 1]')).toThrow(
      'weights "0:2:0.5": every point must be in [0, 1], got 1.5',
    );
  });

  it("uses common random numbers: the point at the set's own weight reproduces the run", async () => {
    const plan = prepare(inputs);
    const r = await sweepPlan(plan, 'mc', { parameter: 'weight', values: [0, 0.5, 1], target: 1 }, 'set', { workers: 2 });
    const full = await run({ ...inputs, workers: 1 });
    const pair = r.portfolios.find((p) => p.id === 'pair')!;
    expect(pair.points[1].crossInitialMargin).toBe(full.portfolios[0].cross.sets.mc.es);
    // Correlation toward 1 makes the long/short hedge tighter: cross IM falls, efficiency rises.
    const cross = pair.points.map((p) => p.crossInitialMargin);
    expect(cross[0]).toBeGreaterThan(cross[1]);
    expect(cross[1]).toBeGreaterThan(cross[2]);
    // At weight 1 the two legs cancel exactly: no cross margin at all.
    expect(cross[2]).toBeLessThan(1e-6);
    expect(pair.points[2].capitalEfficiency).toBeCloseTo(1, 9);
    // Segregated IM does not depend on correlation in distribution (each account has one
    // underlying); the common normals map to B through a factor that changes with the weight, so
    // it moves by sampling noise only (about 1% at 20,000 scenarios).
    const seg = pair.points.map((p) => p.segregatedInitialMargin);
    for (const v of seg) expect(Math.abs(v / seg[0] - 1)).toBeLessThan(0.02);
  });

  it("charges the suite's add-ons as the report does: at the suite's own point, scope suite, the report's IMs", async () => {
    const withAddOns = {
      market: { ...inputs.market, underlyings: inputs.market.underlyings.map((u) => ({ ...u, adv: 500, spread: 0.01 })) },
      book: { ...inputs.book, portfolios: [{ id: 'pair', accounts: ['long', 'short'], rating: 'B' }] },
      suite: {
        ...inputs.suite,
        addOns: { liquidity: { impact: 1 }, maxDiversificationBenefit: 0.3, credit: { B: 0.1 } },
      },
    };
    const r = await sweepPlan(prepare(withAddOns), 'mc', { parameter: 'weight', values: [0.5, 1], target: 1 }, 'suite', {
      workers: 2,
    });
    const report = await run({ ...withAddOns, workers: 1 });
    const pair = r.portfolios[0];
    const rp = report.portfolios[0];
    expect(pair.points[0].crossInitialMargin).toBe(rp.cross.initialMargin);
    expect(pair.points[0].segregatedInitialMargin).toBe(rp.segregated.initialMargin);
    expect(pair.points[0].capitalEfficiency).toBe(rp.capitalEfficiency);
    // The charges are on: cross IM is above its core, and the floor holds it at 70% of segregated
    // when the hedge is perfect (weight 1: no core cross margin at all).
    expect(rp.cross.initialMargin).toBeGreaterThan(rp.cross.components!.core);
    expect(pair.points[1].crossInitialMargin).toBeCloseTo(0.7 * pair.points[1].segregatedInitialMargin, 9);
  });

  it('with scope suite, the other margin sets can bind', async () => {
    const r = await sweepPlan(prepare(inputs), 'mc', { parameter: 'weight', values: [1], target: 1 }, 'suite', { workers: 1 });
    const pair = r.portfolios.find((p) => p.id === 'pair')!;
    expect(pair.points[0].bindingSet).toBe('crash');
    expect(pair.points[0].crossInitialMargin).toBeCloseTo(50, 9);
  });

  it('scales vols with --vol-multipliers: the margin of a linear book grows about linearly', async () => {
    const r = await sweepPlan(prepare(inputs), 'mc', { parameter: 'volMultiplier', values: [1, 2] }, 'set', { workers: 2 });
    const long = r.portfolios.find((p) => p.id === 'pair')!.points.map((p) => p.segregatedInitialMargin);
    // Exactly 2 for P&L linear in the log return; the exponential bends it a little (the short
    // leg's loss e^x - 1 is convex).
    expect(long[1] / long[0]).toBeGreaterThan(1.95);
    expect(long[1] / long[0]).toBeLessThan(2.05);
  });

  it('refuses an unknown set, a set that is not Monte Carlo, or a point it cannot run, naming the parameter', async () => {
    const plan = prepare(inputs);
    const axis: SweepAxis = { parameter: 'weight', values: [0, 1], target: 1 };
    await expect(sweepPlan(plan, 'nope', axis, 'set')).rejects.toMatchObject({
      name: 'ArgumentError',
      parameter: 'set',
      message: 'set "nope": the suite has no such set (sets: mc, crash)',
    });
    await expect(sweepPlan(plan, 'crash', axis, 'set')).rejects.toMatchObject({
      parameter: 'set',
      message: 'set "crash": only a montecarlo set can be swept (it is a shocks set)',
    });
    // With three underlyings, all pairs at correlation -1 is no correlation matrix: the point at
    // weight 1 is refused (before anything runs), naming the parameter it came from.
    const three = prepare({
      market: market([
        { id: 'A', spot: 100, vol: 0.5 },
        { id: 'B', spot: 100, vol: 0.5 },
        { id: 'C', spot: 100, vol: 0.5 },
      ]),
      book: {
        instruments: futures('A'),
        accounts: [{ id: 'x', collateral: 0, positions: [{ instrument: 'A-PERP', quantity: 1 }] }],
      },
      suite: suite([{ name: 'mc', type: 'montecarlo', count: 1000 }]),
    });
    const refusal = sweepPlan(three, 'mc', { parameter: 'weight', values: [0, 1], target: -1 }, 'set');
    await expect(refusal).rejects.toBeInstanceOf(ArgumentError);
    await expect(refusal).rejects.toMatchObject({
      parameter: 'weights',
      value: 1,
      message: expect.stringMatching(/^weights 1: moving the market correlation toward target -1 with weight 1 gives a matrix/),
    });
  });

  it('runs from the CLI, writes sweep.json and sweep.csv, and refuses bad requests with exit 2', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'xm-sweep-'));
    const args = [
      'sweep',
      '--market',
      'examples/crypto/market.json',
      '--book',
      'examples/crypto/book.json',
      '--suite',
      'scenarios/overnight.yaml',
    ];
    const r = await xmarginInProcess([
      ...args,
      '--set',
      'mc-t4-breakdown',
      '--weights',
      '0:1:0.5',
      '--out',
      dir,
      '--workers',
      '2',
    ]);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/alpha-fund/);
    const json = JSON.parse(readFileSync(join(dir, 'sweep.json'), 'utf8'));
    expect(json.values).toEqual([0, 0.5, 1]);
    const csv = readFileSync(join(dir, 'sweep.csv'), 'utf8').trim().split('\n');
    expect(csv[0]).toBe('portfolio,parameter,value,crossInitialMargin,segregatedInitialMargin,capitalEfficiency,bindingSet');
    expect(csv.length).toBe(1 + 3 * json.portfolios.length);
    const refused = async (more: string[], message: string) => {
      const e = await xmarginInProcess([...args, ...more]);
      expect(e.code).toBe(2);
      expect(e.stdout).toBe('');
      expect(e.stderr).toBe(`xmargin: ${message}\n`);
    };
    const sets = 'mc-normal, mc-t4-breakdown, vol-grid, crash, sol-ladder, liquidation-spiral';
    await refused(['--set', 'nope', '--weights', '0,1'], `--set nope: the suite has no such set (sets: ${sets})`);
    await refused(
      ['--set', 'vol-grid', '--weights', '0,1'],
      '--set vol-grid: only a montecarlo set can be swept (it is a grid set)',
    );
    await refused(['--set', 'mc-normal', '--weights', '0:2:1'], '--weights 0:2:1: every point must be in [0, 1], got 2');
    await refused(['--set', 'mc-normal', '--vol-multipliers', '0,1'], '--vol-multipliers 0,1: every point must be > 0, got 0');
    await refused(['--set', 'mc-normal', '--weights', '0:1'], '--weights 0:1: expected FROM:TO:STEP or a list a,b,c of numbers');
    await refused(
      ['--set', 'mc-normal', '--weights', '0,1', '--target', '-1'],
      '--weights 1: moving the market correlation toward target -1 with weight 1 gives a matrix that is not positive semi-definite; ' +
        'with 3 underlyings the target must be at least -0.5000',
    );
    await refused(['--set', 'mc-normal'], 'give exactly one of --weights and --vol-multipliers');
    // The library refuses the target by its parameter name; the CLI names the flag.
    await refused(
      ['--set', 'mc-normal', '--weights', '0,1', '--target', '2'],
      '--target 2: expected a target correlation in [-1, 1]',
    );
  });
});
