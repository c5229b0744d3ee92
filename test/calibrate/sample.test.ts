// The sample estimator: demeaned, divisor n - 1, against a hand computation and numpy.
import { describe, expect, it } from 'vitest';
import { calibrateWindow } from '../../src/calibrate/calibrate.js';
import { correlationOf, sampleCovariance } from '../../src/calibrate/estimators.js';
import { loadPriceTable } from '../../src/model/prices.js';
import { expectClose, expectMatrixClose, expectValidCorrelation, fixture, reference, tempFile } from './helpers.js';

const opts = { method: 'sample' as const, lambda: 0.94, daysPerYear: 365, currency: 'USD', rate: 0, source: 'p.csv' };

describe('sample covariance', () => {
  it('matches a hand computation on 3 returns of 2 columns', () => {
    // A: 0.01, -0.01, 0.03 (mean 0.01) -> deviations 0, -0.02, 0.02
    // B: 0.02,  0.00, 0.01 (mean 0.01) -> deviations 0.01, -0.01, 0
    // var A = (0 + 4e-4 + 4e-4) / 2 = 4e-4; var B = (1e-4 + 1e-4 + 0) / 2 = 1e-4
    // cov   = (0 + 2e-4 + 0) / 2 = 1e-4;   corr = 1e-4 / (0.02 * 0.01) = 0.5
    const { covariance } = sampleCovariance(
      [
        [0.01, 0.02],
        [-0.01, 0],
        [0.03, 0.01],
      ],
      2,
    );
    expectMatrixClose(
      covariance,
      [
        [4e-4, 1e-4],
        [1e-4, 1e-4],
      ],
      1e-12,
      1e-18,
    );
    expectMatrixClose(
      correlationOf(covariance),
      [
        [1, 0.5],
        [0.5, 1],
      ],
      1e-12,
    );
  });

  it('matches a hand computation from prices (log returns of consecutive rows)', () => {
    // A: 100 -> 110 -> 99 -> 108.9: returns ln 1.1, ln 0.9, ln 1.1
    // B: 50 -> 50 -> 55 -> 55:       returns 0, ln 1.1, 0
    const file = tempFile('p.csv', 'date,A,B\n2021-03-01,100,50\n2021-03-02,110,50\n2021-03-03,99,55\n2021-03-04,108.9,55\n');
    const c = calibrateWindow(loadPriceTable(file), [0, 1], {}, '--from/--to', { ...opts, daysPerYear: 252 });
    const a = [Math.log(1.1), Math.log(0.9), Math.log(1.1)];
    const b = [0, Math.log(1.1), 0];
    const ma = (a[0] + a[1] + a[2]) / 3;
    const mb = (b[0] + b[1] + b[2]) / 3;
    const cov = (x: number[], mx: number, y: number[], my: number) => x.reduce((s, _, t) => s + (x[t] - mx) * (y[t] - my), 0) / 2;
    const vA = cov(a, ma, a, ma);
    const vB = cov(b, mb, b, mb);
    const cAB = cov(a, ma, b, mb);
    expectClose(c.vols, [Math.sqrt(252 * vA), Math.sqrt(252 * vB)], 1e-12);
    expect(c.correlation[0][1]).toBeCloseTo(cAB / Math.sqrt(vA * vB), 12);
    expect(c.correlation[0][1]).toBeLessThan(0);
    expect(c.market.asOf).toBe('2021-03-04');
    expect(c.market.underlyings).toEqual([
      { id: 'A', spot: 108.9, vol: c.vols[0] },
      { id: 'B', spot: 55, vol: c.vols[1] },
    ]);
    expect(c.market.calibration).toMatchObject({
      method: 'sample',
      observations: 3,
      dropped: 0,
      from: '2021-03-01',
      to: '2021-03-04',
      daysPerYear: 252,
    });
  });

  it('matches numpy (np.cov, ddof=1) on 39 returns of 4 columns', () => {
    const ref = reference['prices-4x40.csv'].sample;
    const c = calibrateWindow(loadPriceTable(fixture('prices-4x40.csv')), [0, 1, 2, 3], {}, '--from/--to', opts);
    expectClose(c.vols, ref.vols, 1e-11);
    expectMatrixClose(c.correlation, ref.correlation, 1e-11, 1e-14);
    expectValidCorrelation(c.correlation);
    expect(c.market.calibration.observations).toBe(39);
  });
});
