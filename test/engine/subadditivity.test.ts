// Cross margin can only save: within a set the mean of the k largest losses of a sum is at most
// the sum of the parts' (ES is subadditive), so cross IM <= segregated IM for every portfolio,
// whatever the book. Checked on random books; a VaR-based or mis-aggregated engine fails it.
import { describe, expect, it } from 'vitest';
import { run } from '../../src/index.js';
import { market, suite } from '../helpers/inputs.js';

function lcg(seed: number) {
  let s = seed >>> 0;
  return () => (s = (Math.imul(s, 1664525) + 1013904223) >>> 0) / 2 ** 32;
}

describe('cross against segregated', () => {
  it('never needs more margin cross than segregated, on random books', async () => {
    for (const seed of [1, 2, 3]) {
      const rnd = lcg(seed);
      const ids = ['A', 'B', 'C'];
      const instruments = [
        ...ids.map((u) => ({ id: `${u}-F`, type: 'future', underlying: u })),
        ...ids.flatMap((u) =>
          ['call', 'put'].map((right) => ({
            id: `${u}-${right}`,
            type: 'option',
            underlying: u,
            right,
            strike: 80 + 40 * rnd(),
            expiry: '2027-01-15',
            iv: 0.3 + 0.4 * rnd(),
          })),
        ),
      ];
      const accounts = Array.from({ length: 6 }, (_, a) => ({
        id: `acc${a}`,
        collateral: Math.round(1000 * rnd()),
        positions: Array.from({ length: 3 }, () => ({
          instrument: instruments[Math.floor(rnd() * instruments.length)].id,
          quantity: Math.round(20 * rnd() - 10),
        })),
      }));
      const r = await run({
        market: market(
          ids.map((id) => ({ id, spot: 100, vol: 0.6 })),
          [
            [1, 0.5, 0.2],
            [0.5, 1, 0.4],
            [0.2, 0.4, 1],
          ],
        ),
        book: {
          instruments,
          accounts,
          portfolios: [
            { id: 'p1', accounts: ['acc0', 'acc1', 'acc2'] },
            { id: 'p2', accounts: ['acc3', 'acc4', 'acc5'] },
          ],
        },
        suite: suite([
          { name: 'mc', type: 'montecarlo', count: 5000, distribution: { type: 'student-t', dof: 4 } },
          { name: 'grid', type: 'grid', priceMoves: [-0.3, -0.1, 0, 0.1, 0.3], ivMoves: [-0.1, 0, 0.2] },
        ]),
        workers: 2,
      });
      for (const p of r.portfolios) {
        expect(p.cross.initialMargin).toBeLessThanOrEqual(p.segregated.initialMargin * (1 + 1e-12) + 1e-9);
        for (const set of ['mc', 'grid']) {
          const sum = p.segregated.accounts.reduce((s, a) => s + a.sets[set].es, 0);
          expect(p.cross.sets[set].es).toBeLessThanOrEqual(sum + 1e-9 * Math.abs(sum) + 1e-9);
        }
        if (p.capitalEfficiency !== null) expect(p.capitalEfficiency).toBeGreaterThanOrEqual(-1e-12);
      }
    }
  });
});
