// Capital efficiency is never negative (docs/model.md): where cross IM equals segregated IM in
// exact arithmetic, summing in two orders must not show as -2.2e-16 ("-0.0%").
import { describe, expect, it } from 'vitest';
import { run } from '../../src/index.js';
import { capitalEfficiency } from '../../src/margin/margin.js';

describe('capital efficiency', () => {
  it('is 0 exactly, not -2.2e-16, when cross equals segregated up to rounding', () => {
    const segregated = 0.3 + 0.2 + 0.1; // 0.6
    const cross = 0.1 + 0.2 + 0.3; // 0.6000000000000001
    expect(1 - cross / segregated).toBeLessThan(0);
    expect(Object.is(capitalEfficiency(cross, segregated), 0)).toBe(true);
    // Every other value is left as computed.
    expect(capitalEfficiency(0.5, 1)).toBe(0.5);
    expect(capitalEfficiency(1.5, 1)).toBe(-0.5);
    expect(capitalEfficiency(0, 0)).toBeNull();
  });

  it('a run whose accounts all lose together reports 0, not -0.0%', async () => {
    // Perfectly correlated underlyings and only long positions: no netting at all, so cross IM
    // equals segregated IM, which the run sums in different orders.
    const quantities = [
      [2.99, 5.42],
      [9.87, 6.72],
      [5.29, 8.7],
      [9.15, 0.75],
    ];
    const r = await run({
      market: {
        asOf: '2026-11-20',
        underlyings: [
          { id: 'A', spot: 1.37, vol: 0.5 },
          { id: 'B', spot: 0.71, vol: 0.5 },
        ],
      },
      book: {
        instruments: [
          { id: 'F', type: 'future', underlying: 'A' },
          { id: 'G', type: 'future', underlying: 'B' },
        ],
        accounts: quantities.map(([f, g], i) => ({
          id: `a${i}`,
          collateral: 0,
          positions: [
            { instrument: 'F', quantity: f },
            { instrument: 'G', quantity: g },
          ],
        })),
        portfolios: [{ id: 'p', accounts: quantities.map((_, i) => `a${i}`) }],
      },
      suite: {
        seed: 1,
        horizonDays: 1,
        confidence: 0.99,
        maintenanceRatio: 0.8,
        scenarioSets: [
          { name: 's', type: 'montecarlo', count: 2000, distribution: 'normal', correlation: { target: 1, weight: 1 } },
        ],
      },
      workers: 1,
    });
    const [p] = r.portfolios;
    // The two margins differ in the last digit only: the case this guards.
    expect(p.cross.initialMargin).not.toBe(p.segregated.initialMargin);
    expect(p.cross.initialMargin / p.segregated.initialMargin - 1).toBeLessThan(1e-15);
    expect(Object.is(p.capitalEfficiency, 0)).toBe(true);
    expect(r.totals.capitalEfficiency).toBe(0);
  });
});
