// Each add-on of contract section 8 against hand computations on small books, ties in `binding`,
// units no add-on touches, and the bad inputs (exit 2 naming file and path, nothing written).
import { existsSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { run } from '../../src/index.js';
import { unitMargin, withDiversificationFloor } from '../../src/margin/addons.js';
import { portfoliosCsv } from '../../src/report/csv.js';
import { summaryTable } from '../../src/report/summary.js';
import type { Market } from '../../src/model/types.js';
import { xmarginInProcess } from '../helpers/cli.js';
import { futures, suite } from '../helpers/inputs.js';

const DAY = Math.sqrt(1 / 365);

/** One underlying X at 100, vol 0.5, adv 100k, spread 10 bp. */
const market = (extra: Record<string, unknown> = {}) => ({
  asOf: '2026-11-20',
  rate: 0,
  underlyings: [{ id: 'X', spot: 100, vol: 0.5, adv: 100_000, spread: 0.001, ...extra }],
});

/** A down and an up move of 10%: a linear position of q loses 10 * |q|. */
const moves = [{ name: 'moves', type: 'shocks', shocks: [{ moves: { X: -0.1 } }, { moves: { X: 0.1 } }] }];

/** Short calls struck 30% above spot: a 5% rise costs them little. */
const wing = { id: 'X-C130', type: 'option', underlying: 'X', right: 'call', strike: 130, expiry: '2026-12-20', iv: 0.5 };
const smallMoves = [{ name: 'small', type: 'shocks', shocks: [{ moves: { X: 0.05 } }] }];

const account = (id: string, positions: [string, number][], collateral = 1_000_000) => ({
  id,
  collateral,
  positions: positions.map(([instrument, quantity]) => ({ instrument, quantity })),
});

const runOn = (b: Record<string, unknown>, s: Record<string, unknown>, m = market()) =>
  run({ market: m, book: b, suite: s, workers: 1 });

describe('liquidity', () => {
  it('charges half the spread and sqrt impact on a position five times the daily volume', async () => {
    // 5000 futures at 100: D = 500,000 = 5 x adv.
    const r = await runOn(
      { instruments: futures('X'), accounts: [account('A', [['X-PERP', 5000]])] },
      suite(moves, { addOns: { liquidity: { impact: 1 } } }),
    );
    const liquidity = 500_000 * (0.001 / 2 + 0.5 * DAY * Math.sqrt(5));
    const p = r.portfolios[0];
    expect(p.cross.components).toEqual({
      core: 50_000,
      liquidity,
      credit: 0,
      shortOptionMinimum: 0,
      diversificationFloor: null,
      binding: 'core',
    });
    expect(p.cross.initialMargin).toBe(50_000 + liquidity);
    expect(p.cross.maintenanceMargin).toBe(0.8 * (50_000 + liquidity));
    expect(p.segregated.accounts[0].components!.liquidity).toBe(liquidity);
  });

  it('scales the impact term by `impact`, and counts no collateral', async () => {
    const b = {
      instruments: futures('X'),
      accounts: [{ id: 'A', collateral: [{ asset: 'X', amount: 1000 }], positions: [{ instrument: 'X-PERP', quantity: -100 }] }],
    };
    const r = await runOn(b, suite(moves, { addOns: { liquidity: { impact: 2 } } }));
    // Positions only: D = -10,000, whatever the 1000 X of collateral.
    expect(r.portfolios[0].cross.components!.liquidity).toBeCloseTo(10_000 * (0.0005 + 2 * 0.5 * DAY * Math.sqrt(0.1)), 9);
  });
});

describe('short option minimum', () => {
  it('binds on a book of short wings whose core is below it', async () => {
    const r = await runOn(
      { instruments: [wing], accounts: [account('A', [['X-C130', -10]])] },
      suite(smallMoves, { addOns: { shortOptionMinimum: 0.05 } }),
    );
    const p = r.portfolios[0];
    const c = p.cross.components!;
    expect(c.core).toBeGreaterThan(0);
    expect(c.core).toBeLessThan(10);
    expect(c.shortOptionMinimum).toBe(10 * 100 * 0.05);
    expect(c.binding).toBe('shortOptionMinimum');
    expect(p.cross.initialMargin).toBe(50);
    expect(p.cross.maintenanceMargin).toBe(40);
  });

  it('takes every account apart in a portfolio (no netting across accounts), expired options too', async () => {
    const expired = { ...wing, id: 'X-P120-old', right: 'put', strike: 120, expiry: '2026-11-01' };
    const r = await runOn(
      {
        instruments: [wing, expired],
        accounts: [
          account('A', [
            ['X-C130', -10],
            ['X-P120-old', -2],
          ]),
          account('B', [['X-C130', 10]]),
        ],
        portfolios: [{ id: 'P', accounts: ['A', 'B'] }],
      },
      suite(smallMoves, { addOns: { shortOptionMinimum: 0.01 } }),
    );
    const p = r.portfolios[0];
    expect(p.cross.components!.shortOptionMinimum).toBe(12 * 100 * 0.01);
    expect(p.segregated.accounts.map((a) => a.components!.shortOptionMinimum)).toEqual([12, 0]);
  });
});

describe('diversification floor', () => {
  it('caps the benefit of offsetting accounts', async () => {
    const r = await runOn(
      {
        instruments: futures('X'),
        accounts: [account('L', [['X-PERP', 10]]), account('S', [['X-PERP', -10]])],
        portfolios: [{ id: 'P', accounts: ['L', 'S'] }],
      },
      suite(moves, { addOns: { maxDiversificationBenefit: 0.8 } }),
    );
    const p = r.portfolios[0];
    // Each account loses 100 alone; together nothing. Floor: (1 - 0.8) x 200.
    const segregated = p.segregated.initialMargin;
    expect(segregated).toBeCloseTo(200, 9);
    expect(p.cross.components).toEqual({
      core: 0,
      liquidity: 0,
      credit: 0,
      shortOptionMinimum: 0,
      diversificationFloor: (1 - 0.8) * segregated,
      binding: 'diversificationFloor',
    });
    expect(p.cross.initialMargin).toBeCloseTo(40, 9);
    expect(p.capitalEfficiency).toBeCloseTo(0.8, 15);
    expect(p.segregated.accounts[0].components!.diversificationFloor).toBeNull();
    expect(summaryTable(r)).toMatch(/\n  P: diversification floor binds, IM 40 > core with charges 0/);
    expect(portfoliosCsv(r).split('\n')[1]).toMatch(/,diversificationFloor,/);
  });
});

describe('credit', () => {
  it('surcharges the core by the portfolio rating, on the portfolio and its accounts', async () => {
    const r = await runOn(
      {
        instruments: futures('X'),
        accounts: [account('A', [['X-PERP', 10]]), account('B', [['X-PERP', 20]]), account('U', [['X-PERP', 1]])],
        portfolios: [{ id: 'P', accounts: ['A', 'B'], rating: 'C' }],
      },
      suite(moves, { addOns: { credit: { A: 0, C: 0.25 } } }),
    );
    const [p, u] = r.portfolios;
    expect(p.cross.components!.credit).toBe(0.25 * 300);
    expect(p.cross.initialMargin).toBe(375);
    expect(p.segregated.accounts.map((a) => a.initialMargin)).toEqual([125, 250]);
    // An account in no portfolio has no rating: no surcharge.
    expect(u.cross.components!.credit).toBe(0);
    expect(u.cross.initialMargin).toBe(10);
  });
});

describe('all four together', () => {
  it('adds liquidity and credit to the core, then takes the minimum and the floor', async () => {
    const r = await runOn(
      {
        instruments: [...futures('X'), wing],
        accounts: [
          account('L', [
            ['X-PERP', 1000],
            ['X-C130', -50],
          ]),
          account('S', [['X-PERP', -1000]]),
        ],
        portfolios: [{ id: 'P', accounts: ['L', 'S'], rating: 'B' }],
      },
      suite(moves, {
        addOns: { liquidity: {}, shortOptionMinimum: 0.02, maxDiversificationBenefit: 0.5, credit: { B: 0.1 } },
      }),
    );
    const p = r.portfolios[0];
    const [l, s] = p.segregated.accounts;
    const liq = (d: number) => Math.abs(d) * (0.0005 + 0.5 * DAY * Math.sqrt(Math.abs(d) / 100_000));
    // S alone: core 10,000, liquidity on 100,000, credit 10% of core; no short option.
    expect(s.components!.liquidity).toBeCloseTo(liq(-100_000), 9);
    expect(s.initialMargin).toBeCloseTo(10_000 + liq(-100_000) + 1000, 9);
    // The portfolio: the futures net out; what is left is the short wings' small loss.
    const c = p.cross.components!;
    expect(c.shortOptionMinimum).toBe(50 * 100 * 0.02);
    expect(c.credit).toBeCloseTo(0.1 * c.core, 12);
    const segregated = l.initialMargin + s.initialMargin;
    expect(p.segregated.initialMargin).toBe(segregated);
    expect(c.diversificationFloor).toBe(0.5 * segregated);
    expect(c.binding).toBe('diversificationFloor');
    expect(p.cross.initialMargin).toBe(0.5 * segregated);
    expect(p.capitalEfficiency).toBeCloseTo(0.5, 15);
  });
});

describe('binding on ties: the earlier component', () => {
  const m = market() as unknown as Market;
  const input = { positionDelta: [0], shortOptionNotional: 1000 };
  it('core when the short option minimum equals core plus charges', () => {
    const u = unitMargin({ shortOptionMinimum: 0.1 }, m, 100, input);
    expect(u).toEqual({
      initialMargin: 100,
      components: { core: 100, liquidity: 0, credit: 0, shortOptionMinimum: 100, diversificationFloor: null, binding: 'core' },
    });
    expect(unitMargin({ shortOptionMinimum: 0.1 }, m, 99.99, input).components.binding).toBe('shortOptionMinimum');
  });
  it('the earlier one when the floor equals IM', () => {
    const u = unitMargin({ shortOptionMinimum: 0.1, maxDiversificationBenefit: 0.5 }, m, 50, input);
    expect(u.components.binding).toBe('shortOptionMinimum');
    const floored = withDiversificationFloor({ maxDiversificationBenefit: 0.5 }, u, 200);
    expect(floored.initialMargin).toBe(100);
    expect(floored.components.binding).toBe('shortOptionMinimum');
    expect(withDiversificationFloor({ maxDiversificationBenefit: 0.5 }, u, 200.0001).components.binding).toBe(
      'diversificationFloor',
    );
  });
});

describe('units no add-on touches', () => {
  it('keep every number to the last bit, components aside', async () => {
    const b = {
      instruments: futures('X'),
      accounts: [account('L', [['X-PERP', 3]]), account('S', [['X-PERP', -7]])],
      portfolios: [{ id: 'P', accounts: ['L', 'S'] }],
    };
    const mc = [{ name: 'mc', type: 'montecarlo', count: 2000 }];
    const without = await runOn(b, suite(mc));
    // Configured, but nothing applies: no rating, no short option, benefit 1 (floor 0).
    const withBlock = await runOn(
      b,
      suite(mc, { addOns: { shortOptionMinimum: 0.5, credit: { A: 1 }, maxDiversificationBenefit: 1 } }),
    );
    const strip = (r: typeof without) =>
      JSON.parse(JSON.stringify({ ...r, run: undefined }, (k, v) => (k === 'components' ? undefined : v))) as typeof without;
    expect(strip(withBlock)).toEqual(strip(without));
    expect(without.portfolios[0].cross.components).toBeUndefined();
    expect(portfoliosCsv(without)).not.toMatch(/core/);
    expect(summaryTable(without)).not.toMatch(/add-ons/);
    expect(withBlock.portfolios[0].cross.components!.binding).toBe('core');
  });
});

describe('bad input: exit 2 naming file and path, nothing written', () => {
  const dir = mkdtempSync(join(tmpdir(), 'xm-addons-'));
  const write = (name: string, doc: unknown) => {
    const f = join(dir, name);
    writeFileSync(f, JSON.stringify(doc));
    return f;
  };
  const goodBook = {
    instruments: futures('X'),
    accounts: [account('A', [['X-PERP', 1]])],
    portfolios: [{ id: 'P', accounts: ['A'], rating: 'B' }],
  };
  const goodSuite = suite(moves, { addOns: { liquidity: { impact: 1 }, credit: { B: 0.1 } } });

  const cases: [string, { market?: unknown; book?: unknown; suite?: unknown }, string, RegExp][] = [
    [
      'missing adv',
      { market: { ...market(), underlyings: [{ id: 'X', spot: 100, vol: 0.5 }] } },
      'market',
      /underlyings\[0\]\.adv.*accounts\[0\]\.positions\[0\]/,
    ],
    [
      'unknown rating',
      { book: { ...goodBook, portfolios: [{ id: 'P', accounts: ['A'], rating: 'BB' }] } },
      'book',
      /portfolios\[0\]\.rating.*"BB"/,
    ],
    [
      'maxDiversificationBenefit 1.5',
      { suite: suite(moves, { addOns: { maxDiversificationBenefit: 1.5 } }) },
      'suite',
      /addOns\.maxDiversificationBenefit.*\[0, 1\]/,
    ],
    ['negative spread', { market: market({ spread: -0.001 }) }, 'market', /underlyings\[0\]\.spread.*>= 0/],
    [
      'negative impact',
      { suite: suite(moves, { addOns: { liquidity: { impact: -1 } } }) },
      'suite',
      /addOns\.liquidity\.impact.*>= 0/,
    ],
  ];
  for (const [name, docs, bad, pattern] of cases) {
    it(name, async () => {
      const files = {
        market: write(`${name}-market.json`, docs.market ?? market()),
        book: write(`${name}-book.json`, docs.book ?? goodBook),
        suite: write(`${name}-suite.json`, docs.suite ?? goodSuite),
      };
      const out = join(dir, `${name}-out`);
      const r = await xmarginInProcess([
        'run',
        '--market',
        files.market,
        '--book',
        files.book,
        '--suite',
        files.suite,
        '--out',
        out,
      ]);
      expect(r.code).toBe(2);
      expect(r.stderr).toContain(files[bad as keyof typeof files]);
      expect(r.stderr).toMatch(pattern);
      expect(existsSync(join(out, 'report.json'))).toBe(false);
    });
  }
});
