import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { expd, expGauss, expSplit } from '../../src/kernels/exp.js';
import { logd } from '../../src/kernels/log.js';
import { kernels, rng } from './helpers.js';

// mpmath references, correctly rounded; see fixtures/gen_exp.py.
const REF = JSON.parse(readFileSync(new URL('./fixtures/exp-mpmath.json', import.meta.url), 'utf8')) as {
  exp: Array<[number, number]>;
  split: Array<[number, number, number]>;
  log: Array<[number, number]>;
  gauss: Array<[number, number]>;
};

/** Distance in units in the last place of `want` (a normal double). */
function ulps(got: number, want: number): number {
  const e = Math.floor(Math.log2(Math.abs(want)));
  return Math.abs(got - want) / 2 ** (e - 52);
}

describe('exp (Cody–Waite, shared by mcShocks, the option kernels and normCdf)', () => {
  const k = kernels();
  const wasmV = (xs: ArrayLike<number>): Float64Array => {
    k.reset();
    const xp = k.putF64(xs);
    const op = k.alloc(xs.length * 8);
    k.exports.expBlock(xs.length, xp, op);
    return k.f64(op, xs.length).slice();
  };

  it(`within 1 ulp of mpmath on ${REF.exp.length} arguments (twin, wasm scalar, wasm f64x2)`, () => {
    const xs = REF.exp.map((e) => e[0]);
    const lanes = wasmV(xs);
    let worst = 0;
    REF.exp.forEach(([x, want], i) => {
      for (const got of [expd(x), k.exports.expSplitScalar(x, 0), lanes[i]]) worst = Math.max(worst, ulps(got, want));
    });
    expect(worst).toBeLessThanOrEqual(1);
  });

  it(`split arguments exp(ahi + alo) within 1 ulp of mpmath (${REF.split.length} normCdf-style pairs)`, () => {
    let worst = 0;
    for (const [ahi, alo, want] of REF.split) {
      worst = Math.max(worst, ulps(expSplit(ahi, alo), want), ulps(k.exports.expSplitScalar(ahi, alo), want));
    }
    expect(worst).toBeLessThanOrEqual(1);
  });

  it('twin, wasm scalar and wasm f64x2 give the same bits everywhere, odd lengths included', () => {
    const next = rng(2718);
    const xs = Float64Array.from({ length: 20001 }, (_, i) =>
      i % 3 === 0 ? -760 + 1480 * next() : i % 3 === 1 ? -40 + 80 * next() : (next() - 0.5) * 2 ** -Math.floor(60 * next()),
    );
    const lanes = wasmV(xs);
    for (let i = 0; i < xs.length; i++) {
      const t = expd(xs[i]);
      if (!Object.is(t, lanes[i]) || !Object.is(t, k.exports.expSplitScalar(xs[i], 0))) {
        throw new Error(`exp(${xs[i]}): twin ${t}, f64x2 ${lanes[i]}, scalar ${k.exports.expSplitScalar(xs[i], 0)}`);
      }
    }
  });

  it('edges: overflow to Infinity, underflow through the subnormals to 0, NaN and infinities', () => {
    const xs = [0, -0, 709.78, 709.79, 710, 1e10, Infinity, -745.1, -745.2, -1e10, -Infinity, NaN, -740, -720];
    const lanes = wasmV(xs);
    const want = [1, 1, 1.7928227943945155e308, Infinity, Infinity, Infinity, Infinity, 5e-324, 0, 0, 0, NaN];
    for (let i = 0; i < xs.length; i++) {
      const t = expd(xs[i]);
      expect(Object.is(t, lanes[i])).toBe(true);
      if (i < want.length) expect(t).toBe(want[i]);
    }
    // Subnormal results carry fewer bits; mpmath: e^-740 = 4.1887e-322 (85 units of 2^-1074), e^-720.
    expect(Math.abs(expd(-740) / 4.18873988004805e-322 - 1)).toBeLessThan(0.01);
    expect(Math.abs(expd(-720) / 2.032230802424293e-313 - 1)).toBeLessThan(1e-9);
  });
});

describe("exp(-y^2/2) of the option kernels (Cody's split, k from -y^2/2)", () => {
  const k = kernels();

  // The split's small part del = (y - ysq)(y + ysq) is rounded once, an error of ~y/8 ulp of
  // the exponent: 1 ulp of the result up to y = 10, 2 at y = 37 (Cody's ANORM has the same).
  it(`wasm f64x2 = twin bit for bit; within 1 ulp of mpmath for y <= 10, 3 beyond (${REF.gauss.length} points in [0, 37])`, () => {
    const ys = REF.gauss.map((g) => g[0]);
    k.reset();
    const yp = k.putF64(ys);
    const op = k.alloc(ys.length * 8);
    k.exports.expGaussBlock(ys.length, yp, op);
    const lanes = k.f64(op, ys.length).slice();
    let worst = 0;
    REF.gauss.forEach(([y, want], i) => {
      const t = expGauss(y);
      if (!Object.is(t, lanes[i])) throw new Error(`gauss(${y}): twin ${t}, wasm ${lanes[i]}`);
      worst = Math.max(worst, ulps(t, want) / (y <= 10 ? 1 : 3));
    });
    expect(worst).toBeLessThanOrEqual(1);
  });
});

describe("log (fdlibm e_log, shared by normInv's tails and the Student-t draws)", () => {
  const k = kernels();

  it(`within 1 ulp of mpmath on ${REF.log.length} arguments, subnormals included; twin = wasm scalar`, () => {
    let worst = 0;
    for (const [x, want] of REF.log) {
      const t = logd(x);
      if (!Object.is(t, k.exports.logd(x))) throw new Error(`log(${x}): twin ${t}, wasm ${k.exports.logd(x)}`);
      worst = Math.max(worst, ulps(t, want));
    }
    expect(worst).toBeLessThanOrEqual(1);
  });

  it("the f64x2 path gives the scalar's bits on positive normal arguments, odd lengths included", () => {
    const next = rng(1693);
    const xs = Float64Array.from({ length: 10001 }, (_, i) =>
      i % 2 ? (0.5 + 1.5 * next()) * 2 ** (Math.floor(2040 * next()) - 1020) : 0.075 * next() + 2 ** -54,
    );
    k.reset();
    const xp = k.putF64(xs);
    const op = k.alloc(xs.length * 8);
    k.exports.logBlock(xs.length, xp, op);
    const lanes = k.f64(op, xs.length);
    for (let i = 0; i < xs.length; i++) {
      if (!Object.is(lanes[i], logd(xs[i]))) throw new Error(`log(${xs[i]}): f64x2 ${lanes[i]}, scalar ${logd(xs[i])}`);
    }
  });

  it('edges: log 1 = 0, -Infinity at 0, NaN below 0 and for NaN, Infinity at Infinity', () => {
    for (const f of [logd, k.exports.logd]) {
      expect(f(1)).toBe(0);
      expect(f(0)).toBe(-Infinity);
      expect(f(-0)).toBe(-Infinity);
      expect(f(-1)).toBeNaN();
      expect(f(NaN)).toBeNaN();
      expect(f(Infinity)).toBe(Infinity);
      expect(f(Math.E)).toBe(1);
    }
  });
});
