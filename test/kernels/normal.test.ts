import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { normCdf, normInv } from '../../src/kernels/normal.js';
import { kernels, rng } from './helpers.js';

// Dense grids over every interval of both algorithms; see fixtures/gen_normal.py.
const GRID = JSON.parse(readFileSync(new URL('./fixtures/normal-mpmath.json', import.meta.url), 'utf8')) as {
  cdf: Array<[number, number]>;
  inv: Array<[number, number]>;
};

function worstRelErr(f: (x: number) => number, table: Array<[number, number]>): { err: number; at: number } {
  let err = 0;
  let at = NaN;
  for (const [x, want] of table) {
    const e = relErr(f(x), want);
    if (!(e <= err)) {
      err = e;
      at = x;
    }
  }
  return { err, at };
}

// References: mpmath 1.3.0 at 50 significant digits, float(mpmath.ncdf(mpf(x))) for the
// double x, i.e. the correctly rounded Phi(x).
const CDF_REF: Array<[number, number]> = [
  [-37, 5.725571222524577e-300],
  [-30, 4.906713927148187e-198],
  [-20, 2.7536241186062337e-89],
  [-10, 7.619853024160525e-24],
  [-8, 6.220960574271784e-16],
  [-6, 9.86587645037698e-10],
  [-5.7, 5.990371401063528e-9],
  [-5.6, 1.071759025831093e-8],
  [-5, 2.866515718791939e-7],
  [-3, 0.0013498980316300946],
  [-2, 0.02275013194817921],
  [-1.2345, 0.10850832336267018],
  [-1, 0.15865525393145705],
  [-0.67, 0.2514288950953101],
  [-0.66, 0.25462691467133614],
  [-0.5, 0.3085375387259869],
  [-1e-8, 0.4999999960105772],
  [0, 0.5],
  [0.3, 0.6179114221889527],
  [0.66, 0.7453730853286639],
  [0.67, 0.7485711049046899],
  [0.67448975, 0.7499999999376898],
  [1, 0.8413447460685429],
  [2, 0.9772498680518208],
  [2.71828, 0.9967188860301375],
  [3, 0.9986501019683699],
  [5, 0.9999997133484281],
  [5.6, 0.9999999892824097],
  [5.7, 0.9999999940096286],
  [8, 0.9999999999999993],
];

// References: mpmath 1.3.0 at 60 digits, x solving log(ncdf(x)) = log(p) for the double p
// (mpmath.findroot, tolerance 1e-55), rounded to double.
const INV_REF: Array<[number, number]> = [
  [1e-300, -37.0470962993612],
  [2 ** -54, -8.292361075813595],
  [1e-20, -9.262340089798407],
  [1e-11, -6.706023155495136],
  [1e-10, -6.361340902404057],
  [1e-5, -4.264890793922825],
  [0.01, -2.326347874040841],
  [0.025, -1.9599639845400543],
  [0.075, -1.439531470938456],
  [0.3, -0.5244005127080408],
  [0.5, 0],
  [0.9, 1.2815515655446006],
  [0.925, 1.4395314709384561],
  [0.975, 1.9599639845400538],
  [0.999999, 4.753424308817087],
];

function relErr(got: number, want: number): number {
  return want === 0 ? Math.abs(got) : Math.abs(got - want) / Math.abs(want);
}

describe('normCdf (Cody ANORM)', () => {
  const k = kernels();

  it.each(CDF_REF)('twin Phi(%d) within 2e-15 relative', (x, want) => {
    expect(relErr(normCdf(x), want)).toBeLessThanOrEqual(2e-15);
  });

  it.each(CDF_REF)('wasm Phi(%d) within 2e-15 relative', (x, want) => {
    expect(relErr(k.exports.normCdf(x), want)).toBeLessThanOrEqual(2e-15);
  });

  it(`dense mpmath grid (${GRID.cdf.length} points, -37.5 .. 8.5): twin and wasm within 2e-15 relative`, () => {
    for (const f of [normCdf, k.exports.normCdf]) {
      const { err, at } = worstRelErr(f, GRID.cdf);
      expect(err, `worst at x = ${at}`).toBeLessThanOrEqual(2e-15);
    }
  });

  it('saturates: 0 below -38.5, 1 above 8.572, monotone through the interval joins', () => {
    for (const f of [normCdf, k.exports.normCdf]) {
      expect(f(-38.6)).toBe(0);
      expect(f(-1e6)).toBe(0);
      expect(f(-Infinity)).toBe(0);
      expect(f(9)).toBe(1);
      expect(f(Infinity)).toBe(1);
      // Subnormal range: Phi(-38) = 2.885e-316 (mpmath), a few correct digits are all
      // that subnormals carry.
      expect(Math.abs(f(-38) / 2.88542835e-316 - 1)).toBeLessThan(1e-3);
      let prev = 0;
      for (let x = -38; x <= 8.6; x += 1 / 64) {
        const v = f(x);
        expect(v).toBeGreaterThanOrEqual(prev);
        prev = v;
      }
    }
  });

  it('symmetry Phi(-x) + Phi(x) = 1 in the centre', () => {
    for (let x = 0; x < 5; x += 0.0137) {
      expect(Math.abs(normCdf(-x) + normCdf(x) - 1)).toBeLessThan(4e-16);
    }
  });

  it('wasm and twin agree bit for bit on random arguments (one portable exp, no libm)', () => {
    const next = rng(715);
    for (let t = 0; t < 20000; t++) {
      const x = -40 + 50 * next();
      const a = k.exports.normCdf(x);
      const b = normCdf(x);
      if (!Object.is(a, b)) throw new Error(`normCdf(${x}): wasm ${a}, twin ${b}`);
    }
  });
});

describe('normInv (Wichura AS241 PPND16)', () => {
  const k = kernels();

  it.each(INV_REF)('twin Phi^-1(%d) within 1e-14 relative', (p, want) => {
    expect(relErr(normInv(p), want)).toBeLessThanOrEqual(1e-14);
  });

  it.each(INV_REF)('wasm Phi^-1(%d) within 1e-14 relative', (p, want) => {
    expect(relErr(k.exports.normInv(p), want)).toBeLessThanOrEqual(1e-14);
  });

  it(`dense mpmath grid (${GRID.inv.length} points, 1e-300 .. 1 - 2^-53): twin and wasm within 1e-14 relative`, () => {
    for (const f of [normInv, k.exports.normInv]) {
      const { err, at } = worstRelErr(f, GRID.inv);
      expect(err, `worst at p = ${at}`).toBeLessThanOrEqual(1e-14);
    }
  });

  it('edges: -Infinity at 0, +Infinity at 1, NaN outside [0, 1]', () => {
    for (const f of [normInv, k.exports.normInv]) {
      expect(f(0)).toBe(-Infinity);
      expect(f(1)).toBe(Infinity);
      expect(f(-0.1)).toBeNaN();
      expect(f(1.5)).toBeNaN();
      expect(f(NaN)).toBeNaN();
    }
  });

  it("the f64x2 path (mcShocks') gives the scalar's bits: centre, tails, far tails, odd lengths", () => {
    const next = rng(2410);
    // 53-bit uniforms as mcShocks draws them, plus far tails (r > 5) and the extremes.
    const ps = Float64Array.from({ length: 30001 }, (_, i) =>
      i % 10 === 0
        ? Math.exp(-40 * next())
        : i % 10 === 1
          ? 1 - Math.exp(-36 * next())
          : (Math.floor(next() * 2 ** 53) + 0.5) / 2 ** 53,
    );
    ps[0] = 2 ** -54;
    ps[2] = 1 - 2 ** -53;
    ps[4] = 1e-300;
    k.reset();
    const pp = k.putF64(ps);
    const op = k.alloc(ps.length * 8);
    k.exports.normInvBlock(ps.length, pp, op);
    const lanes = k.f64(op, ps.length);
    for (let i = 0; i < ps.length; i++) {
      const want = normInv(ps[i]);
      if (!Object.is(lanes[i], want) || !Object.is(k.exports.normInv(ps[i]), want)) {
        throw new Error(`normInv(${ps[i]}): f64x2 ${lanes[i]}, wasm scalar ${k.exports.normInv(ps[i])}, twin ${want}`);
      }
    }
  });

  it('round-trips through normCdf and agrees with the wasm build', () => {
    const next = rng(241);
    for (let t = 0; t < 20000; t++) {
      const p = next() < 0.5 ? next() : Math.exp(-700 * next());
      if (p <= 0 || p >= 1) continue;
      const x = normInv(p);
      expect(Object.is(k.exports.normInv(p), x)).toBe(true);
      expect(relErr(normCdf(x), p)).toBeLessThanOrEqual(Math.max(1e-13, 1e-15 * x * x));
    }
  });
});
