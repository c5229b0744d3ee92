// The breakdown fit: w* = sum (rho - C)(S - C) / sum (rho - C)^2 over i != j, clipped to [0, 1].
import { describe, expect, it } from 'vitest';
import { fitBreakdown, largestJumps, pooledVolMultiplier, volMultipliers } from '../../src/calibrate/breakdown.js';
import { expectMatrixClose } from './helpers.js';

const calm = [
  [1, 0.2, 0.5, -0.1],
  [0.2, 1, 0.3, 0.4],
  [0.5, 0.3, 1, 0.0],
  [-0.1, 0.4, 0.0, 1],
];
const move = (c: number[][], w: number, rho: number) => c.map((r, i) => r.map((v, j) => (i === j ? 1 : (1 - w) * v + w * rho)));

describe('fitBreakdown', () => {
  for (const [w, rho] of [
    [0.35, 1],
    [0.8, 1],
    [0.5, 0],
    [0.25, -0.2],
  ] as const) {
    it(`gives back w = ${w} and residual 0 when stress = (1 - w) calm + w * ${rho} exactly`, () => {
      const stress = move(calm, w, rho);
      const fit = fitBreakdown(calm, stress, rho);
      expect(fit.weight).toBeCloseTo(w, 14);
      expect(fit.weightUnclipped).toBeCloseTo(w, 14);
      expect(fit.residual).toBeLessThan(1e-14);
      expectMatrixClose(fit.fitted, stress, 1e-14, 1e-15);
    });
  }

  it('is the least-squares weight when the move does not fit exactly', () => {
    // 3 x 3, calm all 0; stress 0.2, 0.4, 0.9; target 1: w = (2 * 1.5) / (2 * 3) = 0.5,
    // residual^2 = 2 * ((0.5 - 0.2)^2 + (0.5 - 0.4)^2 + (0.5 - 0.9)^2) = 0.52.
    const z = [
      [1, 0, 0],
      [0, 1, 0],
      [0, 0, 1],
    ];
    const s = [
      [1, 0.2, 0.4],
      [0.2, 1, 0.9],
      [0.4, 0.9, 1],
    ];
    const fit = fitBreakdown(z, s, 1);
    expect(fit.weight).toBeCloseTo(0.5, 15);
    expect(fit.residual).toBeCloseTo(Math.sqrt(0.52), 15);
    expect(fit.distanceCalm).toBeCloseTo(Math.sqrt(2 * (0.04 + 0.16 + 0.81)), 15);
    // Any other weight is further away.
    for (const w of [0.45, 0.55]) {
      const f = move(z, w, 1);
      let r = 0;
      for (let i = 0; i < 3; i++) for (let j = 0; j < 3; j++) if (i !== j) r += (f[i][j] - s[i][j]) ** 2;
      expect(Math.sqrt(r)).toBeGreaterThan(fit.residual);
    }
  });

  it('clips at 0 when stress moved away from the target', () => {
    // calm 0.5, stress 0.3, target 1: unclipped (0.5 * -0.2) / 0.25 = -0.4 -> 0; residual = |calm - stress|.
    const fit = fitBreakdown(
      [
        [1, 0.5],
        [0.5, 1],
      ],
      [
        [1, 0.3],
        [0.3, 1],
      ],
      1,
    );
    expect(fit.weightUnclipped).toBeCloseTo(-0.4, 15);
    expect(fit.weight).toBe(0);
    expect(fit.residual).toBeCloseTo(Math.sqrt(2 * 0.04), 15);
    expect(fit.residual).toBeCloseTo(fit.distanceCalm, 15);
  });

  it('clips at 1 when stress overshoots the target', () => {
    // calm 0.2, stress 0.8, target 0.5: unclipped (0.3 * 0.6) / 0.09 = 2 -> 1; residual = |0.5 - 0.8| per entry.
    const fit = fitBreakdown(
      [
        [1, 0.2],
        [0.2, 1],
      ],
      [
        [1, 0.8],
        [0.8, 1],
      ],
      0.5,
    );
    expect(fit.weightUnclipped).toBeCloseTo(2, 14);
    expect(fit.weight).toBe(1);
    expect(fit.residual).toBeCloseTo(Math.sqrt(2 * 0.09), 15);
    expectMatrixClose(
      fit.fitted,
      [
        [1, 0.5],
        [0.5, 1],
      ],
      0,
      0,
    );
  });

  it('is w = 0 when calm is already at the target (and for a single column)', () => {
    const fit = fitBreakdown(
      [
        [1, 1],
        [1, 1],
      ],
      [
        [1, 0.5],
        [0.5, 1],
      ],
      1,
    );
    expect(fit.weight).toBe(0);
    expect(fit.weightUnclipped).toBeNull();
    expect(fit.residual).toBeCloseTo(Math.sqrt(0.5), 15);
    const one = fitBreakdown([[1]], [[1]], 1);
    expect(one).toMatchObject({ weight: 0, weightUnclipped: null, residual: 0, distanceCalm: 0 });
  });
});

describe('vol multipliers', () => {
  it('per underlying stress / calm, pooled sqrt(sum stress var / sum calm var)', () => {
    expect(volMultipliers([0.1, 0.2], [0.2, 0.2])).toEqual([2, 1]);
    // (0.04 + 0.04) / (0.01 + 0.04) = 1.6
    expect(pooledVolMultiplier([0.1, 0.2], [0.2, 0.2])).toBeCloseTo(Math.sqrt(1.6), 15);
    expect(pooledVolMultiplier([0.1, 0.3], [0.2, 0.6])).toBeCloseTo(2, 15);
  });
});

describe('largestJumps', () => {
  it('lists each pair once, by |change| then matrix order, with the fitted value', () => {
    const ids = ['A', 'B', 'C', 'D'];
    const stress = [
      [1, 0.9, 0.5, 0.3],
      [0.9, 1, 0.0, 0.4],
      [0.5, 0.0, 1, 0.0],
      [0.3, 0.4, 0.0, 1],
    ];
    const fit = fitBreakdown(calm, stress, 1);
    const jumps = largestJumps(ids, calm, stress, fit.fitted, 5);
    // changes: AB +0.7, AC 0, AD +0.4, BC -0.3, BD 0, CD 0
    expect(jumps.map((j) => j.pair.join('-'))).toEqual(['A-B', 'A-D', 'B-C', 'A-C', 'B-D']);
    expect(jumps[0]).toMatchObject({ calm: 0.2, stress: 0.9 });
    expect(jumps[0].change).toBeCloseTo(0.7, 15);
    expect(jumps[2].change).toBeCloseTo(-0.3, 15);
    expect(jumps[0].fitted).toBe(fit.fitted[0][1]);
  });
});
