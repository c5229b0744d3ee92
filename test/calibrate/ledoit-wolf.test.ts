// Ledoit-Wolf (2004): shrink the 1/n covariance of demeaned returns toward mu * I.
import { describe, expect, it } from 'vitest';
import { calibrateWindow } from '../../src/calibrate/calibrate.js';
import { ledoitWolfCovariance } from '../../src/calibrate/estimators.js';
import { loadPriceTable } from '../../src/model/prices.js';
import { expectClose, expectMatrixClose, expectValidCorrelation, fixture, reference } from './helpers.js';

const opts = { method: 'ledoit-wolf' as const, lambda: 0.94, daysPerYear: 365, currency: 'USD', rate: 0, source: 'p.csv' };

describe('Ledoit-Wolf covariance', () => {
  it('matches a hand computation (shrinkage 7/12)', () => {
    // Returns (1,-1), (-1,1), (1,1), (-1,-1), (2,2), (-2,-2): mean 0.
    // S = (1/6)[[12, 8], [8, 12]] = [[2, 4/3], [4/3, 2]];  mu = tr(S)/2 = 2
    // d^2 = ||S - 2I||^2 = (2 * (4/3)^2) / 2 = 16/9             (||A||^2 = tr(A A^T) / N)
    // ||x x^T - S||^2: (1,-1) and (-1,1): (1 + 1 + 2 (7/3)^2)/2 = 58/9 each;
    //                  (1,1), (-1,-1):    (1 + 1 + 2 (1/3)^2)/2 = 10/9 each;
    //                  (2,2), (-2,-2):    (4 + 4 + 2 (8/3)^2)/2 = 100/9 each
    // b-bar^2 = (2 (58 + 10 + 100) / 9) / 6^2 = 28/27 < d^2, so b^2 = 28/27 and
    // delta = (28/27) / (16/9) = 7/12;  S* = 7/12 * 2 I + 5/12 S = [[2, 5/9], [5/9, 2]]
    const x = [
      [1, -1],
      [-1, 1],
      [1, 1],
      [-1, -1],
      [2, 2],
      [-2, -2],
    ];
    const { covariance, shrinkage } = ledoitWolfCovariance(x, 2);
    expect(shrinkage).toBeCloseTo(7 / 12, 14);
    expectMatrixClose(
      covariance,
      [
        [2, 5 / 9],
        [5 / 9, 2],
      ],
      1e-13,
    );
  });

  it('clips b^2 at d^2: shrinkage 1 gives mu * I', () => {
    // Returns (1,0), (0,1), (-1,-1): mean 0, S = (1/3)[[2,1],[1,2]], mu = 2/3, d^2 = 1/9;
    // ||x x^T - S||^2 = 7/18, 7/18, 10/18 -> b-bar^2 = (4/3) / 9 = 4/27 > 1/9, so delta = 1.
    const { covariance, shrinkage } = ledoitWolfCovariance(
      [
        [1, 0],
        [0, 1],
        [-1, -1],
      ],
      2,
    );
    expect(shrinkage).toBe(1);
    expectMatrixClose(
      covariance,
      [
        [2 / 3, 0],
        [0, 2 / 3],
      ],
      1e-14,
      1e-16,
    );
  });

  it('is the 1/n covariance unchanged (shrinkage 0) when S is already mu * I', () => {
    const { covariance, shrinkage } = ledoitWolfCovariance(
      [
        [1, -1],
        [-1, 1],
        [1, 1],
        [-1, -1],
      ],
      2,
    );
    expect(shrinkage).toBe(0);
    expectMatrixClose(
      covariance,
      [
        [1, 0],
        [0, 1],
      ],
      1e-15,
      1e-16,
    );
  });

  it('matches the numpy implementation of the paper, also with fewer returns than columns', () => {
    for (const [name, cols] of [
      ['prices-4x40.csv', [0, 1, 2, 3]],
      ['prices-6x5.csv', [0, 1, 2, 3, 4, 5]],
    ] as const) {
      const ref = reference[name]['ledoit-wolf'];
      const c = calibrateWindow(loadPriceTable(fixture(name)), cols, {}, '--from/--to', opts);
      expect(c.market.calibration.shrinkage).toBeCloseTo(ref.shrinkage!, 12);
      expectClose(c.vols, ref.vols, 1e-11);
      expectMatrixClose(c.correlation, ref.correlation, 1e-10, 1e-12);
      expectValidCorrelation(c.correlation);
      // 4 returns of 6 columns: the sample covariance would be singular; the shrunk one is not.
      if (cols.length === 6) expect(c.market.calibration.minEigenvalue).toBeGreaterThan(0.01);
    }
  });
});
