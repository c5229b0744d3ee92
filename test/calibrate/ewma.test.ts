// The EWMA estimator: zero mean, weight (1 - lambda) lambda^i on the i-th most recent return,
// normalised to sum 1.
import { describe, expect, it } from 'vitest';
import { calibrateWindow } from '../../src/calibrate/calibrate.js';
import { correlationOf, ewmaCovariance } from '../../src/calibrate/estimators.js';
import { loadPriceTable } from '../../src/model/prices.js';
import { expectClose, expectMatrixClose, expectValidCorrelation, fixture, reference, tempFile } from './helpers.js';

const opts = (lambda: number) => ({
  method: 'ewma' as const,
  lambda,
  daysPerYear: 365,
  currency: 'USD',
  rate: 0,
  source: 'p.csv',
});

describe('EWMA covariance', () => {
  it('matches a hand computation with lambda = 0.5', () => {
    // 3 returns, oldest first. Raw weights (1 - 0.5) 0.5^i, i = 2, 1, 0: 0.125, 0.25, 0.5 (sum 0.875),
    // normalised: 1/7, 2/7, 4/7. No demeaning.
    // A: 0.01, 0.02, -0.01 -> var = (1 * 1e-4 + 2 * 4e-4 + 4 * 1e-4) / 7 = 13e-4 / 7
    // B: 0.02, 0.00,  0.01 -> var = (1 * 4e-4 + 0 + 4 * 1e-4) / 7 = 8e-4 / 7
    // cov = (1 * 2e-4 + 0 + 4 * -1e-4) / 7 = -2e-4 / 7;  corr = -2 / sqrt(104)
    const { covariance } = ewmaCovariance(
      [
        [0.01, 0.02],
        [0.02, 0],
        [-0.01, 0.01],
      ],
      2,
      0.5,
    );
    expectMatrixClose(
      covariance,
      [
        [13e-4 / 7, -2e-4 / 7],
        [-2e-4 / 7, 8e-4 / 7],
      ],
      1e-12,
      1e-18,
    );
    expect(correlationOf(covariance)[0][1]).toBeCloseTo(-2 / Math.sqrt(104), 14);
  });

  it('puts the largest weight on the latest return (order matters, unlike the sample estimator)', () => {
    const r = [[0.05], [0.01]];
    const latestSmall = ewmaCovariance(r, 1, 0.5).covariance[0][0];
    const latestLarge = ewmaCovariance([r[1], r[0]], 1, 0.5).covariance[0][0];
    // weights 1/3 (older), 2/3 (latest)
    expect(latestSmall).toBeCloseTo((0.0025 + 2 * 0.0001) / 3, 15);
    expect(latestLarge).toBeCloseTo((0.0001 + 2 * 0.0025) / 3, 15);
  });

  it('with one return is r r^T: correlation -1 (to rounding), singular but PSD and accepted', () => {
    const file = tempFile('p.csv', 'date,A,B\n2021-03-01,100,100\n2021-03-02,101,98\n');
    const c = calibrateWindow(loadPriceTable(file), [0, 1], {}, '--from/--to', opts(0.94));
    expectClose(c.vols, [Math.sqrt(365) * Math.log(1.01), Math.sqrt(365) * -Math.log(0.98)], 1e-12);
    expectMatrixClose(
      c.correlation,
      [
        [1, -1],
        [-1, 1],
      ],
      1e-15,
    );
    expectValidCorrelation(c.correlation);
    expect(c.market.calibration).toMatchObject({ method: 'ewma', lambda: 0.94, observations: 1 });
  });

  for (const lambda of [0.94, 0.8]) {
    it(`matches numpy with lambda ${lambda} (4 columns x 39 returns, and 6 columns x 4 returns)`, () => {
      for (const [name, cols] of [
        ['prices-4x40.csv', [0, 1, 2, 3]],
        ['prices-6x5.csv', [0, 1, 2, 3, 4, 5]],
      ] as const) {
        const ref = reference[name][`ewma-${lambda}`];
        const c = calibrateWindow(loadPriceTable(fixture(name)), cols, {}, '--from/--to', opts(lambda));
        expectClose(c.vols, ref.vols, 1e-11);
        expectMatrixClose(c.correlation, ref.correlation, 1e-10, 1e-12);
        expectValidCorrelation(c.correlation);
      }
    });
  }
});
