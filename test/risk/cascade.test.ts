// The liquidation cascade (contract section 9): a three-portfolio futures book whose rounds are
// worked out here by hand from the contract's formulas, the two evaluators against each other,
// the stopping rules, the partials' merge, and the second contract example's figures.
import { describe, expect, it } from 'vitest';
import { TwinEvaluator } from '../../src/engine/evaluator-twin.js';
import { WasmEvaluator } from '../../src/engine/evaluator-wasm.js';
import type { ScenarioEvaluator } from '../../src/engine/evaluator.js';
import { kernelPlan, type RunPlan } from '../../src/engine/plan.js';
import { instantiateKernels } from '../../src/kernels/wasm.js';
import {
  buildCascadeTable,
  cascadeMerge,
  cascadeRange,
  cascadeReport,
  cascadeScenario,
  emptyCascadePartial,
  type CascadePartial,
  type CascadeWorst,
} from '../../src/risk/cascade.js';
import { prepare } from '../../src/run.js';
import { example2Path } from '../helpers/example2.js';
import { readFileSync } from 'node:fs';

const relClose = (got: number, want: number) => expect(Math.abs(got - want)).toBeLessThanOrEqual(1e-12 * Math.abs(want));

/**
 * X at 100 (vol 0.5, adv 1,000,000), Y at 10 held by no one. One scenario: X falls 10% to 90.
 * - A: long 1000 X-PERP; collateral 8,500 cash and 10 X at a 50% haircut (effective 9,000,
 *   and the 10 X move with the market). MM 500.
 * - B: a portfolio of two accounts, long 300 and 200 X-PERP; collateral 5,300 in all. MM 100.
 * - C: short 300 X-PERP, collateral 1,000. MM 900.
 */
function handBook(maxRounds = 10): { plan: RunPlan; mm: number[] } {
  const plan = prepare({
    market: {
      asOf: '2026-11-20',
      underlyings: [
        { id: 'X', spot: 100, vol: 0.5, adv: 1_000_000 },
        { id: 'Y', spot: 10, vol: 0.3 },
      ],
    },
    book: {
      instruments: [{ id: 'X-PERP', type: 'future', underlying: 'X' }],
      accounts: [
        {
          id: 'A',
          collateral: [
            { asset: 'USD', amount: 8500 },
            { asset: 'X', amount: 10, haircut: 0.5 },
          ],
          positions: [{ instrument: 'X-PERP', quantity: 1000 }],
        },
        { id: 'B1', collateral: 3000, positions: [{ instrument: 'X-PERP', quantity: 300 }] },
        { id: 'B2', collateral: 2300, positions: [{ instrument: 'X-PERP', quantity: 200 }] },
        { id: 'C', collateral: 1000, positions: [{ instrument: 'X-PERP', quantity: -300 }] },
      ],
      portfolios: [{ id: 'B', accounts: ['B1', 'B2'] }],
    },
    suite: {
      scenarioSets: [{ name: 'crash', type: 'shocks', shocks: [{ moves: { X: -0.1 } }] }],
      cascade: { sets: ['crash'], maxRounds },
    },
  });
  // The report's portfolio order: the book's portfolios, then accounts on their own.
  expect(plan.holdings.portfolios.map((p) => p.id)).toEqual(['B', 'A', 'C']);
  return { plan, mm: [100, 500, 900] };
}

const kernels = instantiateKernels();
const evaluators = (plan: RunPlan, chunk = 4): [string, ScenarioEvaluator][] => [
  ['twin', new TwinEvaluator(kernelPlan(plan), chunk)],
  ['wasm', new WasmEvaluator(kernels, kernelPlan(plan), chunk)],
];

describe('a hand-worked cascade', () => {
  // By hand: k = impact * vol * sqrt(1 / daysPerYear); a sale of Q < 0 moves S by exp(-k sqrt(|Q| / adv)).
  const k = 1 * 0.5 * Math.sqrt(1 / 365);
  const S0 = 90;
  // Round 1: A's equity at S0 = 9,000 + 1,010 x (90 - 100) = -1,100 < 500; B's = 5,300 - 5,000 = 300 >= 100;
  // C's = 1,000 + 3,000 >= 900. A sells its 1,000 futures (not its X collateral): Q = -90,000.
  const S1 = S0 * Math.exp(-k * Math.sqrt((1000 * S0) / 1_000_000));
  const shortfallA = -(9000 + 1010 * (S1 - 100));
  // Round 2: B's equity at S1 = 5,300 + 500 (S1 - 100) < 100, so B sells 500 S1.
  const S2 = S1 * Math.exp(-k * Math.sqrt((500 * S1) / 1_000_000));
  const shortfallB = -(5300 + 500 * (S2 - 100));
  // Round 3: C, short, only gains (1,000 - 300 (S2 - 100) >= 900): no one, the cascade stops.

  it('the hand figures do what the comments say', () => {
    expect(5300 + 500 * (S1 - 100)).toBeLessThan(100);
    expect(shortfallA).toBeGreaterThan(0);
    expect(shortfallB).toBeGreaterThan(0);
    expect(1000 - 300 * (S2 - 100)).toBeGreaterThan(900);
  });

  for (const [name, ev] of evaluators(handBook().plan)) {
    it(`two rounds, A then B, C survives (${name})`, () => {
      const { plan, mm } = handBook();
      const table = buildCascadeTable(plan, mm);
      const r = cascadeScenario(ev, table, 0, 0, { trace: true });
      expect(r.rounds).toBe(2);
      expect(r.liquidatedByRound).toEqual([[1], [0]]);
      expect(r.liquidations).toBe(2);
      relClose(r.spot[0], S2);
      expect(r.spot[1]).toBe(10);
      relClose(r.shortfall, shortfallA + shortfallB);
      const rep = cascadeReport(plan, cascadeRange(ev, table, 0, 0, 1));
      expect(rep.scenarios).toBe(1);
      expect(rep.withLiquidation).toBe(1);
      expect(rep.mostRounds).toBe(2);
      expect(rep.worst!.liquidatedByRound).toEqual([['A'], ['B']]);
      relClose(rep.worst!.priceMoves.X, S2 / 100 - 1);
      expect(rep.worst!.priceMoves.Y).toBe(0);
      relClose(rep.worst!.shortfall, shortfallA + shortfallB);

      // The trace, round by round.
      const [r1, r2] = r.trace!.rounds;
      relClose(r1.equity[1], -1100);
      relClose(r1.orderFlow[0], -90_000);
      expect(r1.orderFlow[1]).toBe(0);
      relClose(r1.spot[0], S1);
      relClose(r1.shortfall[0], shortfallA);
      relClose(r2.orderFlow[0], -500 * S1);
      relClose(r2.shortfall[0], shortfallB);
      // A, liquidated in round 1, is still below MM in round 2 but not liquidated again.
      expect(r2.equity[1]).toBeNaN();
      expect(r2.liquidated).toEqual([0]);
      expect(r.trace!.stoppedBy).toBe('no liquidation');
    });
  }

  it('maxRounds stops it: one round, A only, the price after its sale', () => {
    const { plan, mm } = handBook(1);
    const table = buildCascadeTable(plan, mm);
    expect(table.maxRounds).toBe(1);
    const r = cascadeScenario(new TwinEvaluator(kernelPlan(plan), 1), table, 0, 0, { trace: true });
    expect(r.rounds).toBe(1);
    expect(r.liquidatedByRound).toEqual([[1]]);
    relClose(r.spot[0], S1);
    relClose(r.shortfall, shortfallA);
    expect(r.trace!.stoppedBy).toBe('maxRounds');
  });

  it('no one below MM: no rounds, prices as the scenario left them, no worst', () => {
    const { plan } = handBook();
    const table = buildCascadeTable(plan, [-1e9, -1e9, -1e9]);
    const ev = new TwinEvaluator(kernelPlan(plan), 1);
    const r = cascadeScenario(ev, table, 0, 0);
    expect(r).toMatchObject({ rounds: 0, liquidatedByRound: [], shortfall: 0 });
    expect(Array.from(r.spot)).toEqual([90, 10]);
    expect(cascadeRange(ev, table, 0, 0, 1)).toEqual({ scenarios: 1, withLiquidation: 0, mostRounds: 0, worst: null });
  });
});

describe('the second contract example', () => {
  const read = (f: string) => JSON.parse(readFileSync(example2Path(f), 'utf8'));
  const expected = read('expected-report.json');
  const plan = prepare({
    market: read('market.json'),
    book: read('book.json'),
    suite: read('suite.json'),
    baseDir: example2Path(''),
  });
  // The MMs are the report's (add-ons included): the cascade core is checked on its own here.
  const mm = plan.holdings.portfolios.map(
    (p) => expected.portfolios.find((x: { id: string }) => x.id === p.id).cross.maintenanceMargin as number,
  );
  const table = buildCascadeTable(plan, mm);

  for (const [name, ev] of evaluators(plan)) {
    it(`sets[].cascade for grid and crash, to the bit (${name})`, () => {
      for (const setName of ['grid', 'crash']) {
        const si = plan.sets.findIndex((s) => s.name === setName);
        const got = cascadeReport(plan, cascadeRange(ev, table, si, 0, plan.sets[si].scenarios));
        expect(got).toEqual(expected.sets[si].cascade);
      }
    });
  }

  it('the two evaluators agree to the bit on every scenario, trace included', () => {
    const [[, twin], [, wasm]] = evaluators(plan, 3);
    for (let si = 0; si < plan.sets.length; si++)
      for (let s = 0; s < plan.sets[si].scenarios; s++)
        expect(cascadeScenario(wasm, table, si, s, { trace: true })).toEqual(
          cascadeScenario(twin, table, si, s, { trace: true }),
        );
  });

  it('a range gives what its scenarios give one by one', () => {
    const ev = new TwinEvaluator(kernelPlan(plan), 4);
    const si = 0;
    const one = Array.from({ length: plan.sets[si].scenarios }, (_, s) => cascadeScenario(ev, table, si, s));
    const all = cascadeRange(ev, table, si, 0, one.length);
    expect(all.withLiquidation).toBe(one.filter((r) => r.rounds > 0).length);
    const worst = one.reduce((a, b) => (b.shortfall > a.shortfall ? b : a));
    expect(all.worst!.scenario).toBe(worst.scenario);
    expect(all.worst!.shortfall).toBe(worst.shortfall);
  });

  it('partials merge associatively and commutatively, as the whole range', () => {
    const ev = new TwinEvaluator(kernelPlan(plan), 2);
    const part = (start: number, count: number) => cascadeRange(ev, table, 0, start, count);
    const [a, b, c] = [part(0, 5), part(5, 4), part(9, 6)];
    const whole = part(0, 15);
    expect(cascadeMerge(cascadeMerge(a, b), c)).toEqual(whole);
    expect(cascadeMerge(a, cascadeMerge(b, c))).toEqual(whole);
    expect(cascadeMerge(c, cascadeMerge(a, b))).toEqual(whole);
    expect(cascadeMerge(emptyCascadePartial(), whole)).toEqual(whole);
  });
});

describe('merge order of the worst scenario', () => {
  const w = (scenario: number, shortfall: number, liquidations: number): CascadeWorst => ({
    scenario,
    rounds: 1,
    liquidatedByRound: [Array.from({ length: liquidations }, (_, i) => i)],
    liquidations,
    shortfall,
    spot: [1],
  });
  const p = (worst: CascadeWorst | null): CascadePartial => ({
    scenarios: 1,
    withLiquidation: worst ? 1 : 0,
    mostRounds: worst ? 1 : 0,
    worst,
  });
  const cases: [CascadeWorst, CascadeWorst][] = [
    [w(7, 10, 1), w(2, 9, 5)], // the larger shortfall
    [w(7, 10, 3), w(2, 10, 2)], // then the most liquidations
    [w(2, 10, 3), w(7, 10, 3)], // then the lower index
  ];
  for (const [winner, loser] of cases)
    it(`scenario ${winner.scenario} over ${loser.scenario}, either way round`, () => {
      expect(cascadeMerge(p(winner), p(loser)).worst).toBe(winner);
      expect(cascadeMerge(p(loser), p(winner)).worst).toBe(winner);
      expect(cascadeMerge(p(null), p(loser)).worst).toBe(loser);
    });
  it('three partials, every grouping and order', () => {
    const xs = [p(w(1, 5, 1)), p(w(4, 5, 2)), p(null)];
    const perms = [
      [0, 1, 2],
      [0, 2, 1],
      [1, 0, 2],
      [1, 2, 0],
      [2, 0, 1],
      [2, 1, 0],
    ];
    for (const [i, j, k] of perms) {
      expect(cascadeMerge(cascadeMerge(xs[i], xs[j]), xs[k]).worst!.scenario).toBe(4);
      expect(cascadeMerge(xs[i], cascadeMerge(xs[j], xs[k]))).toEqual(cascadeMerge(cascadeMerge(xs[0], xs[1]), xs[2]));
    }
  });
});
