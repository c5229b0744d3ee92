// Every calibrated correlation is symmetric, unit-diagonal and PSD; a negative eigenvalue beyond
// rounding noise is repaired with the nearest correlation matrix and recorded.
import { describe, expect, it } from 'vitest';
import { calibrateWindow, ensurePsd, REPAIR_BELOW } from '../../src/calibrate/calibrate.js';
import { METHODS } from '../../src/calibrate/estimators.js';
import { parseMarket } from '../../src/model/load.js';
import { loadPriceTable } from '../../src/model/prices.js';
import { minEigenvalue } from '../../src/math/linalg.js';
import { expectValidCorrelation, SWISS } from './helpers.js';

const swiss = loadPriceTable(SWISS);

describe('calibrated correlations are valid', () => {
  for (const method of METHODS) {
    it(`${method}: all ten Swiss columns over 1999-2008 (SPI nearly a combination of the sectors)`, () => {
      const c = calibrateWindow(
        swiss,
        swiss.columns.map((_, i) => i),
        {},
        '--from/--to',
        {
          method,
          lambda: 0.94,
          daysPerYear: 252,
          currency: 'CHF',
          rate: 0,
          source: SWISS,
        },
      );
      expectValidCorrelation(c.correlation);
      expect(c.market.calibration.repaired).toBeUndefined();
      expect(c.market.calibration.minEigenvalue).toBeCloseTo(minEigenvalue(c.correlation), 15);
      // The market file loads as `xmargin run` reads it.
      expect(() => parseMarket(JSON.parse(JSON.stringify(c.market)), 'm.json')).not.toThrow();
    });
  }
});

describe('ensurePsd', () => {
  it('leaves a PSD matrix, and a singular one with rounding-size eigenvalues, untouched', () => {
    const pd = [
      [1, 0.5],
      [0.5, 1],
    ];
    expect(ensurePsd(pd)).toEqual({ correlation: pd, minEigenvalue: expect.closeTo(0.5, 14) });
    const singular = [
      [1, 1, 1],
      [1, 1, 1],
      [1, 1, 1],
    ];
    const r = ensurePsd(singular);
    expect(r.correlation).toBe(singular);
    expect(r.repaired).toBeUndefined();
  });

  it('repairs a tiny negative eigenvalue with nearcorr and says so', () => {
    // Perfect correlation with one entry nudged by 1e-9: an eigenvalue of about -7e-10.
    const e = 1e-9;
    const bad = [
      [1, 1, 1],
      [1, 1, 1 - e],
      [1, 1 - e, 1],
    ];
    expect(minEigenvalue(bad)).toBeLessThan(REPAIR_BELOW);
    const r = ensurePsd(bad);
    expect(r.repaired).toMatchObject({ method: 'nearcorr', minEigenvalueBefore: minEigenvalue(bad) });
    expect(r.repaired!.distance).toBeGreaterThan(0);
    expect(r.repaired!.distance).toBeLessThan(1e-8);
    expectValidCorrelation(r.correlation);
  });
});
