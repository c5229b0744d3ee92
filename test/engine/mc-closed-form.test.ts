// Monte Carlo VaR and ES against closed forms. The seed is fixed, so these tests are
// deterministic; the tolerance is four standard errors of the estimator (stated per test), which
// a correct engine passes and a wrong scale, correlation or tail rule does not.
import { describe, expect, it } from 'vitest';
import { run } from '../../src/index.js';
import { normCdf, normInv } from '../../src/kernels/normal.js';
import { futures, market, suite } from '../helpers/inputs.js';

const N = 200_000;
const alpha = 0.99;
const q = normInv(1 - alpha); // -2.326...
const phi = (z: number) => Math.exp(-0.5 * z * z) / Math.sqrt(2 * Math.PI);

/** Standard errors, in units of the loss standard deviation, of the k-th order statistic and of
 *  the tail mean, for a normal loss (asymptotic formulas). */
function normalStandardErrors(n: number) {
  const quantileSE = Math.sqrt((alpha * (1 - alpha)) / n) / phi(q);
  const lambda = phi(q) / (1 - alpha);
  // Var(z | z < q) = 1 - q lambda - lambda^2 with lambda = phi(q) / Phi(q) (lower truncation).
  const tv = 1 - q * lambda - lambda * lambda;
  const esSE = Math.sqrt((tv + alpha * (lambda + q) ** 2) / (n * (1 - alpha)));
  return { quantileSE, esSE, es: lambda, var: -q };
}

describe('Monte Carlo against closed forms', () => {
  it('one long future, normal: VaR and ES of a lognormal price (exact closed form)', async () => {
    const vol = 0.8;
    const s = vol * Math.sqrt(1 / 365);
    const r = await run({
      market: market([{ id: 'A', spot: 100, vol }]),
      book: {
        instruments: futures('A'),
        accounts: [{ id: 'x', collateral: 0, positions: [{ instrument: 'A-PERP', quantity: 1 }] }],
      },
      suite: suite([{ name: 'mc', type: 'montecarlo', count: N, distribution: 'normal' }]),
      workers: 2,
    });
    const m = r.portfolios[0].cross.sets.mc;
    // loss = 100 (1 - e^x), x ~ N(0, s^2): decreasing in x, so VaR is the loss at the 1% quantile
    // of x and ES = 100 (1 - E[e^x | x < s q]) = 100 (1 - e^{s^2/2} Phi(q - s) / (1 - alpha)).
    const varExact = 100 * (1 - Math.exp(s * q));
    const esExact = 100 * (1 - (Math.exp((s * s) / 2) * normCdf(q - s)) / (1 - alpha));
    const se = normalStandardErrors(N);
    const dLossDz = 100 * s * Math.exp(s * q);
    expect(Math.abs(m.var - varExact)).toBeLessThan(4 * se.quantileSE * dLossDz);
    expect(Math.abs(m.es - esExact)).toBeLessThan(4 * se.esSE * dLossDz);
    expect(m.worst).toBeGreaterThan(m.es);
    expect(m.es).toBeGreaterThan(m.var);
  });

  it('two correlated futures, normal, small vol: the delta-normal closed form', async () => {
    // With s ~ 3e-4 the gap between e^x - 1 and x is ~0.03% of the loss, far inside the tolerance.
    const vols = [0.005, 0.008];
    const rho = 0.6;
    const r = await run({
      market: market(
        [
          { id: 'A', spot: 100, vol: vols[0] },
          { id: 'B', spot: 200, vol: vols[1] },
        ],
        [
          [1, rho],
          [rho, 1],
        ],
      ),
      book: {
        instruments: futures('A', 'B'),
        accounts: [
          {
            id: 'x',
            collateral: 0,
            positions: [
              { instrument: 'A-PERP', quantity: 10 },
              { instrument: 'B-PERP', quantity: -4 },
            ],
          },
        ],
      },
      suite: suite([{ name: 'mc', type: 'montecarlo', count: N, distribution: 'normal' }]),
      workers: 2,
    });
    const h = Math.sqrt(1 / 365);
    const a = 10 * 100 * vols[0] * h;
    const b = -4 * 200 * vols[1] * h;
    const sd = Math.sqrt(a * a + b * b + 2 * rho * a * b);
    const se = normalStandardErrors(N);
    const m = r.portfolios[0].cross.sets.mc;
    expect(Math.abs(m.var - sd * se.var) / sd).toBeLessThan(4 * se.quantileSE + 0.001);
    expect(Math.abs(m.es - sd * se.es) / sd).toBeLessThan(4 * se.esSE + 0.001);
  });

  it('Student-t with 4 degrees of freedom, scaled to unit variance: published t quantile and the t ES formula', async () => {
    const nu = 4;
    const vol = 0.005;
    const r = await run({
      market: market([{ id: 'A', spot: 100, vol }]),
      book: {
        instruments: futures('A'),
        accounts: [{ id: 'x', collateral: 0, positions: [{ instrument: 'A-PERP', quantity: 100 }] }],
      },
      suite: suite([{ name: 't4', type: 'montecarlo', count: N, distribution: { type: 'student-t', dof: nu } }]),
      workers: 2,
    });
    const sd = 100 * 100 * vol * Math.sqrt(1 / 365);
    const scale = Math.sqrt((nu - 2) / nu);
    const t99 = 3.746947; // Student t, 4 dof, upper 1% point (standard t tables)
    const density = (t: number) => 0.375 * (1 + (t * t) / 4) ** -2.5; // t_4 pdf: Gamma(5/2) / (sqrt(4 pi) Gamma(2)) = 3/8
    const esT = (density(t99) * (nu + t99 * t99)) / ((nu - 1) * (1 - alpha));
    const m = r.portfolios[0].cross.sets.t4;
    // Standard errors in t units: the quantile's is sqrt(a(1-a)/N)/f(t); the ES estimator of a
    // 4-dof t has a heavier tail, so its bound is taken as three times the quantile's.
    const qSE = Math.sqrt((alpha * (1 - alpha)) / N) / density(t99);
    expect(Math.abs(m.var / (sd * scale) - t99)).toBeLessThan(4 * qSE + 0.004);
    expect(Math.abs(m.es / (sd * scale) - esT)).toBeLessThan(12 * qSE + 0.006);
  });
});
