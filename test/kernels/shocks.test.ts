import { describe, expect, it } from 'vitest';
import { mcShocks } from '../../src/kernels/shocks.js';
import { kernels, maxRelDiff, randomF64, rng } from './helpers.js';

const SEED_LO = 0x2545f491;
const SEED_HI = 7;

interface Run {
  ret: Float64Array;
  spot: Float64Array;
}

function runWasm(
  k: ReturnType<typeof kernels>,
  setId: number,
  start: number,
  count: number,
  n: number,
  rank: number,
  factor: Float64Array,
  scale: Float64Array,
  dof: number,
  spot0: Float64Array,
): Run {
  k.reset();
  const fp = k.putF64(factor);
  const sp = k.putF64(scale);
  const s0 = k.putF64(spot0);
  const rp = k.alloc(n * count * 8);
  const pp = k.alloc(n * count * 8);
  k.exports.mcShocks(SEED_LO, SEED_HI, setId, start, count, n, rank, fp, sp, dof, s0, rp, pp);
  return { ret: k.f64(rp, n * count).slice(), spot: k.f64(pp, n * count).slice() };
}

function runTwin(
  setId: number,
  start: number,
  count: number,
  n: number,
  rank: number,
  factor: Float64Array,
  scale: Float64Array,
  dof: number,
  spot0: Float64Array,
): Run {
  const ret = new Float64Array(n * count);
  const spot = new Float64Array(n * count);
  mcShocks(SEED_LO, SEED_HI, setId, start, count, n, rank, factor, scale, dof, spot0, ret, spot);
  return { ret, spot };
}

describe('mcShocks', () => {
  const k = kernels();

  it.each([
    [0, 4, 4, 1500],
    [0, 5, 3, 1501],
    [3, 6, 6, 777],
    [4.5, 3, 2, 1],
    [30, 7, 5, 2],
    [3, 2, 1, 513],
    [0, 10, 10, 4096],
    [5, 3, 40, 301],
  ])('wasm equals twin bit for bit (dof %d, n %d, rank %d, count %d)', (dof, n, rank, count) => {
    const next = rng(1000 * dof + 10 * n + rank);
    const factor = randomF64(n * rank, next, -0.8, 0.8);
    const scale = randomF64(n, next, 0.01, 0.6);
    const spot0 = randomF64(n, next, 1, 1e5);
    const a = runWasm(k, 3, 123456, count, n, rank, factor, scale, dof, spot0);
    const b = runTwin(3, 123456, count, n, rank, factor, scale, dof, spot0);
    for (let q = 0; q < n * count; q++) {
      if (!Object.is(a.ret[q], b.ret[q]) || !Object.is(a.spot[q], b.spot[q])) {
        throw new Error(`cell ${q}: ret ${a.ret[q]} vs ${b.ret[q]}, spot ${a.spot[q]} vs ${b.spot[q]}`);
      }
    }
    // The shocks are not degenerate.
    if (count > 100) expect(new Set(a.ret).size).toBeGreaterThan(count * n * 0.99);
  });

  it('scenario i is the same whatever the start/count split', () => {
    const n = 3;
    const rank = 3;
    const next = rng(99);
    const factor = randomF64(n * rank, next);
    const scale = randomF64(n, next, 0.1, 0.3);
    const spot0 = randomF64(n, next, 10, 100);
    for (const dof of [0, 4]) {
      const whole = runWasm(k, 1, 0, 1000, n, rank, factor, scale, dof, spot0);
      const wholeTwin = runTwin(1, 0, 1000, n, rank, factor, scale, dof, spot0);
      const cuts = [
        [0, 137],
        [137, 800],
        [800, 1000],
      ];
      for (const [a, b] of cuts) {
        const part = runWasm(k, 1, a, b - a, n, rank, factor, scale, dof, spot0);
        const partTwin = runTwin(1, a, b - a, n, rank, factor, scale, dof, spot0);
        for (let u = 0; u < n; u++) {
          for (let i = a; i < b; i++) {
            const got = part.ret[u * (b - a) + (i - a)];
            if (!Object.is(got, whole.ret[u * 1000 + i])) throw new Error(`wasm ret u=${u} i=${i}`);
            if (!Object.is(part.spot[u * (b - a) + (i - a)], whole.spot[u * 1000 + i])) {
              throw new Error(`wasm spot u=${u} i=${i}`);
            }
            if (!Object.is(partTwin.ret[u * (b - a) + (i - a)], wholeTwin.ret[u * 1000 + i])) {
              throw new Error(`twin ret u=${u} i=${i}`);
            }
          }
        }
      }
    }
  });

  it('different set ids and seeds give different streams', () => {
    const f = new Float64Array([1]);
    const one = new Float64Array([1]);
    const a = runWasm(k, 0, 0, 64, 1, 1, f, one, 0, one);
    const b = runWasm(k, 1, 0, 64, 1, 1, f, one, 0, one);
    expect(maxRelDiff(a.ret, b.ret)).toBeGreaterThan(1e-3);
  });

  it('Student-t shares one chi-square per scenario across underlyings and keeps the normals', () => {
    const n = 3;
    const rank = 3;
    const next = rng(5);
    const factor = randomF64(n * rank, next);
    const scale = new Float64Array([0.2, 0.3, 0.5]);
    const spot0 = new Float64Array([1, 1, 1]);
    const count = 200;
    const normal = runWasm(k, 2, 0, count, n, rank, factor, scale, 0, spot0);
    const t = runWasm(k, 2, 0, count, n, rank, factor, scale, 6, spot0);
    for (let s = 0; s < count; s++) {
      const r0 = t.ret[s] / normal.ret[s];
      expect(r0).toBeGreaterThan(0);
      for (let u = 1; u < n; u++) {
        expect(Math.abs(t.ret[u * count + s] / normal.ret[u * count + s] / r0 - 1)).toBeLessThan(1e-12);
      }
    }
  });

  it('normal shocks: mean 0, variance scale^2, correlation 0.6 over 200k draws', () => {
    const N = 200_000;
    const rho = 0.6;
    const factor = new Float64Array([1, 0, rho, Math.sqrt(1 - rho * rho)]);
    const scale = new Float64Array([0.03, 0.05]);
    const spot0 = new Float64Array([100, 2000]);
    const { ret, spot } = runWasm(k, 11, 0, N, 2, 2, factor, scale, 0, spot0);
    let m0 = 0,
      m1 = 0;
    for (let s = 0; s < N; s++) {
      m0 += ret[s];
      m1 += ret[N + s];
    }
    m0 /= N;
    m1 /= N;
    let v0 = 0,
      v1 = 0,
      c01 = 0;
    for (let s = 0; s < N; s++) {
      const a = ret[s] - m0,
        b = ret[N + s] - m1;
      v0 += a * a;
      v1 += b * b;
      c01 += a * b;
    }
    v0 /= N - 1;
    v1 /= N - 1;
    c01 /= N - 1;
    const corr = c01 / Math.sqrt(v0 * v1);
    // Four standard errors: mean sigma/sqrt(N), variance sigma^2 sqrt(2/N), corr (1-rho^2)/sqrt(N).
    expect(Math.abs(m0)).toBeLessThan((4 * 0.03) / Math.sqrt(N));
    expect(Math.abs(m1)).toBeLessThan((4 * 0.05) / Math.sqrt(N));
    expect(Math.abs(v0 / 0.03 ** 2 - 1)).toBeLessThan(4 * Math.sqrt(2 / N));
    expect(Math.abs(v1 / 0.05 ** 2 - 1)).toBeLessThan(4 * Math.sqrt(2 / N));
    expect(Math.abs(corr - rho)).toBeLessThan((4 * (1 - rho * rho)) / Math.sqrt(N));
    // Shocked spot is S0 * exp(x).
    for (let s = 0; s < 100; s++) {
      expect(spot[N + s]).toBeCloseTo(2000 * Math.exp(ret[N + s]), 9);
    }
  });

  it('Student-t dof 5: unit variance, fat tails at the t quantiles', () => {
    const N = 200_000;
    const dof = 5;
    const one = new Float64Array([1]);
    const { ret } = runWasm(k, 12, 0, N, 1, 1, one, one, dof, one);
    let m2 = 0,
      m4 = 0,
      beyond975 = 0,
      beyond995 = 0;
    // Two-sided t5 quantiles (mpmath): t_0.975 = 2.5705818356, t_0.995 = 4.0321429836, on
    // the unit-variance scale z = T * sqrt((dof - 2) / dof).
    const q975 = 2.5705818356363148 * Math.sqrt(3 / 5);
    const q995 = 4.0321429835552272 * Math.sqrt(3 / 5);
    for (let s = 0; s < N; s++) {
      const z = ret[s];
      m2 += z * z;
      m4 += z * z * z * z;
      if (Math.abs(z) > q975) beyond975++;
      if (Math.abs(z) > q995) beyond995++;
    }
    m2 /= N;
    m4 /= N;
    const excessKurtosis = m4 / (m2 * m2) - 3;
    // Var(z^2) = E z^4 - 1 = 9 - 1 for unit-variance t5.
    expect(Math.abs(m2 - 1)).toBeLessThan(4 * Math.sqrt(8 / N));
    // True value 6; the estimator converges slowly (t5 has no 8th moment), but a normal gives ~0.
    expect(excessKurtosis).toBeGreaterThan(2);
    const p1 = beyond975 / N,
      p2 = beyond995 / N;
    expect(Math.abs(p1 - 0.05)).toBeLessThan(4 * Math.sqrt((0.05 * 0.95) / N));
    expect(Math.abs(p2 - 0.01)).toBeLessThan(4 * Math.sqrt((0.01 * 0.99) / N));
  });

  it("ranks above 2048 (the static scratch holds 4096 normals, two scenarios' worth) borrow heap scratch and still match the twin", () => {
    const n = 2;
    const rank = 2100;
    const next = rng(2100);
    const factor = randomF64(n * rank, next, -0.02, 0.02);
    const scale = new Float64Array([0.5, 0.7]);
    const spot0 = new Float64Array([1, 2]);
    const a = runWasm(k, 4, 77, 21, n, rank, factor, scale, 3, spot0);
    const b = runTwin(4, 77, 21, n, rank, factor, scale, 3, spot0);
    expect(maxRelDiff(a.ret, b.ret)).toBe(0);
    expect(maxRelDiff(a.spot, b.spot)).toBe(0);
  });
});
