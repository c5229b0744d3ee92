// A breakdown weight of 1 toward a target of 1 makes the correlation singular (rank 1): every
// underlying moves with one factor. The engine must run it (pivoted Cholesky), and the answer is
// the one-factor answer: long positions are comonotonic, so the worst scenarios of the portfolio
// are the worst of each account, and VaR and ES add up exactly.
import { describe, expect, it } from 'vitest';
import { run } from '../../src/index.js';
import { normInv } from '../../src/kernels/normal.js';
import { futures, market, suite } from '../helpers/inputs.js';

describe('perfect correlation', () => {
  const inputs = (set: Record<string, unknown>) => ({
    market: market(
      [
        { id: 'BTC', spot: 90000, vol: 0.5 },
        { id: 'ETH', spot: 3000, vol: 0.7 },
        { id: 'SOL', spot: 140, vol: 0.9 },
      ],
      [
        [1, 0.3, 0.2],
        [0.3, 1, 0.25],
        [0.2, 0.25, 1],
      ],
    ),
    book: {
      instruments: futures('BTC', 'ETH', 'SOL'),
      accounts: [
        { id: 'a', collateral: 0, positions: [{ instrument: 'BTC-PERP', quantity: 2 }] },
        { id: 'b', collateral: 0, positions: [{ instrument: 'ETH-PERP', quantity: 30 }] },
        { id: 'c', collateral: 0, positions: [{ instrument: 'SOL-PERP', quantity: 500 }] },
      ],
      portfolios: [{ id: 'p', accounts: ['a', 'b', 'c'] }],
    },
    suite: suite([set]),
    workers: 2,
  });

  it('runs a rank-one correlation (breakdown weight 1) and gives the one-factor answer', async () => {
    const N = 100_000;
    const r = await run(
      inputs({ name: 'break', type: 'montecarlo', count: N, distribution: 'normal', correlation: { target: 1, weight: 1 } }),
    );
    expect(r.sets[0].correlationRank).toBe(1);
    const p = r.portfolios[0];
    const accounts = p.segregated.accounts;
    const sumVar = accounts.reduce((s, a) => s + a.sets.break.var, 0);
    const sumEs = accounts.reduce((s, a) => s + a.sets.break.es, 0);
    expect(p.cross.sets.break.var).toBeCloseTo(sumVar, 6);
    expect(p.cross.sets.break.es).toBeCloseTo(sumEs, 6);
    expect(p.capitalEfficiency).toBeCloseTo(0, 12);
    // The one-factor closed form: at the 1% quantile z of the common factor, each long loses
    // q S (1 - e^{s z}); the sample VaR is within a few standard errors of it.
    const z = normInv(0.01);
    const h = Math.sqrt(1 / 365);
    const exact =
      2 * 90000 * (1 - Math.exp(0.5 * h * z)) + 30 * 3000 * (1 - Math.exp(0.7 * h * z)) + 500 * 140 * (1 - Math.exp(0.9 * h * z));
    expect(Math.abs(p.cross.sets.break.var - exact) / exact).toBeLessThan(0.02);
    // Each scenario's worst is the same scenario for every account: one factor drives them all.
    const worst = accounts.map((a) => a.sets.break.worstScenario);
    expect(new Set(worst).size).toBe(1);
    expect(p.cross.sets.break.worstScenario).toBe(worst[0]);
  });

  it('accepts a market correlation matrix of all ones', async () => {
    const x = inputs({ name: 'ones', type: 'montecarlo', count: 5000, distribution: { type: 'student-t', dof: 5 } });
    (x.market as { correlation: number[][] }).correlation = [
      [1, 1, 1],
      [1, 1, 1],
      [1, 1, 1],
    ];
    const r = await run(x);
    expect(r.sets[0].correlationRank).toBe(1);
    expect(r.portfolios[0].capitalEfficiency).toBeCloseTo(0, 12);
  });
});
