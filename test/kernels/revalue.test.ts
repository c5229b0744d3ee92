import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { revalueLinear, revalueOptions, revalueOptionsFixedIv } from '../../src/kernels/revalue.js';
import { kernels, randomF64, rng } from './helpers.js';

// mpmath Black–Scholes–Merton values; see fixtures/gen_bsm.py.
const BSM = JSON.parse(readFileSync(new URL('./fixtures/bsm-mpmath.json', import.meta.url), 'utf8')) as {
  rows: Array<[number, number, number, number, number, number, number, number]>;
};

type K = ReturnType<typeof kernels>;

interface OptionBook {
  und: Int32Array;
  isCall: Int32Array;
  strike: Float64Array;
  lnSK: Float64Array;
  iv: Float64Array;
  tau: Float64Array;
  value0: Float64Array;
  mult: Float64Array;
}

function optionsWasm(
  k: K,
  b: OptionBook,
  rate: number,
  ret: Float64Array,
  spot: Float64Array,
  ivShift: Float64Array,
  C: number,
): Float64Array {
  k.reset();
  const nOpt = b.und.length;
  const out = k.alloc(nOpt * C * 8);
  k.exports.revalueOptions(
    nOpt,
    k.putI32(b.und),
    k.putI32(b.isCall),
    k.putF64(b.strike),
    k.putF64(b.lnSK),
    k.putF64(b.iv),
    k.putF64(b.tau),
    k.putF64(b.value0),
    k.putF64(b.mult),
    rate,
    k.putF64(ret),
    k.putF64(spot),
    k.putF64(ivShift),
    C,
    out,
  );
  return k.f64(out, nOpt * C).slice();
}

function optionsFixedWasm(
  k: K,
  b: OptionBook,
  rate: number,
  ret: Float64Array,
  spot: Float64Array,
  ivShift: number,
  C: number,
): Float64Array {
  k.reset();
  const nOpt = b.und.length;
  const out = k.alloc(nOpt * C * 8);
  k.exports.revalueOptionsFixedIv(
    nOpt,
    k.putI32(b.und),
    k.putI32(b.isCall),
    k.putF64(b.strike),
    k.putF64(b.lnSK),
    k.putF64(b.iv),
    k.putF64(b.tau),
    k.putF64(b.value0),
    k.putF64(b.mult),
    rate,
    k.putF64(ret),
    k.putF64(spot),
    ivShift,
    C,
    out,
  );
  return k.f64(out, nOpt * C).slice();
}

function optionsFixedTwin(
  b: OptionBook,
  rate: number,
  ret: Float64Array,
  spot: Float64Array,
  ivShift: number,
  C: number,
): Float64Array {
  const out = new Float64Array(b.und.length * C);
  revalueOptionsFixedIv(
    b.und.length,
    b.und,
    b.isCall,
    b.strike,
    b.lnSK,
    b.iv,
    b.tau,
    b.value0,
    b.mult,
    rate,
    ret,
    spot,
    ivShift,
    C,
    out,
  );
  return out;
}

function sameBits(a: Float64Array, b: Float64Array, what: string): void {
  expect(a.length).toBe(b.length);
  for (let q = 0; q < a.length; q++) {
    if (!Object.is(a[q], b[q])) throw new Error(`${what}: cell ${q}: ${a[q]} != ${b[q]}`);
  }
}

/** A random book over n underlyings: calls and puts, some expired, some with sig sqrt(tau) > 20. */
function randomBook(next: () => number, n: number, nOpt: number, spot0: Float64Array): OptionBook {
  const und = Int32Array.from({ length: nOpt }, () => Math.floor(next() * n));
  const strike = Float64Array.from(und, (u) => spot0[u] * (0.5 + next()));
  const tau = Float64Array.from({ length: nOpt }, (_, j) =>
    j % 17 === 3 ? 25 : next() < 0.1 ? 0 : next() < 0.2 ? 0.003 * next() : 2 * next(),
  );
  const iv = Float64Array.from({ length: nOpt }, (_, j) => (j % 17 === 3 ? 5 : 0.05 + 1.45 * next()));
  return {
    und,
    isCall: Int32Array.from({ length: nOpt }, () => (next() < 0.5 ? 1 : 0)),
    strike,
    lnSK: Float64Array.from(und, (u, j) => Math.log(spot0[u] / strike[j])),
    iv,
    tau,
    value0: randomF64(nOpt, next, 0, 100),
    mult: randomF64(nOpt, next, -3, 3),
  };
}

/** Log-returns (some extreme, some infinite) and spots S0 e^x, n x C underlying-major. */
function randomShocks(next: () => number, n: number, C: number, spot0: Float64Array): { ret: Float64Array; spot: Float64Array } {
  const ret = Float64Array.from({ length: n * C }, (_, q) =>
    q % 97 === 5 ? -Infinity : q % 89 === 7 ? 3 * (next() - 0.5) : q % 3 === 0 ? 0.02 * (next() - 0.5) : 1.2 * (next() - 0.5),
  );
  const spot = new Float64Array(n * C);
  for (let u = 0; u < n; u++) for (let s = 0; s < C; s++) spot[u * C + s] = spot0[u] * Math.exp(ret[u * C + s]);
  return { ret, spot };
}

function optionsTwin(
  b: OptionBook,
  rate: number,
  ret: Float64Array,
  spot: Float64Array,
  ivShift: Float64Array,
  C: number,
): Float64Array {
  const out = new Float64Array(b.und.length * C);
  revalueOptions(
    b.und.length,
    b.und,
    b.isCall,
    b.strike,
    b.lnSK,
    b.iv,
    b.tau,
    b.value0,
    b.mult,
    rate,
    ret,
    spot,
    ivShift,
    C,
    out,
  );
  return out;
}

/** One option, one scenario at the unshocked spot: returns its value. */
function bs(k: K | null, call: boolean, S: number, K_: number, T: number, r: number, sigma: number): number {
  const b: OptionBook = {
    und: new Int32Array([0]),
    isCall: new Int32Array([call ? 1 : 0]),
    strike: new Float64Array([K_]),
    lnSK: new Float64Array([Math.log(S / K_)]),
    iv: new Float64Array([sigma]),
    tau: new Float64Array([T]),
    value0: new Float64Array([0]),
    mult: new Float64Array([1]),
  };
  const ret = new Float64Array([0]);
  const spot = new Float64Array([S]);
  const shift = new Float64Array([0]);
  return (k ? optionsWasm(k, b, r, ret, spot, shift, 1) : optionsTwin(b, r, ret, spot, shift, 1))[0];
}

describe('revalueLinear', () => {
  const k = kernels();

  it("hand-computed case: mult * (S' - S0) per underlying", () => {
    const und = new Int32Array([1, 0, 1]);
    const mult = new Float64Array([1, 10, -0.5]);
    const spot0 = new Float64Array([100, 2000]);
    const C = 2;
    const spot = new Float64Array([90, 110, 2100, 1800]); // u0: 90,110; u1: 2100,1800
    const want = [100, -200, -100, 100, -50, 100];
    const out = new Float64Array(6);
    revalueLinear(3, und, mult, spot0, spot, C, out);
    expect(Array.from(out)).toEqual(want);
    k.reset();
    const op = k.alloc(48);
    k.exports.revalueLinear(3, k.putI32(und), k.putF64(mult), k.putF64(spot0), k.putF64(spot), C, op);
    expect(Array.from(k.f64(op, 6))).toEqual(want);
  });

  it('wasm equals twin on a random book', () => {
    const next = rng(31);
    const n = 7,
      nInst = 40,
      C = 333;
    const und = Int32Array.from({ length: nInst }, () => Math.floor(next() * n));
    const mult = randomF64(nInst, next, -5, 5);
    const spot0 = randomF64(n, next, 1, 1000);
    const spot = randomF64(n * C, next, 1, 1000);
    const out = new Float64Array(nInst * C);
    revalueLinear(nInst, und, mult, spot0, spot, C, out);
    k.reset();
    const op = k.alloc(nInst * C * 8);
    k.exports.revalueLinear(nInst, k.putI32(und), k.putF64(mult), k.putF64(spot0), k.putF64(spot), C, op);
    expect(k.f64(op, nInst * C)).toEqual(out);
  });
});

describe('revalueOptions (Black–Scholes–Merton)', () => {
  const k = kernels();

  it('Haug, The Complete Guide to Option Pricing Formulas (2nd ed.), BSM example: call S=60, K=65, T=0.25, r=0.08, sigma=0.3 is 2.1334', () => {
    expect(bs(null, true, 60, 65, 0.25, 0.08, 0.3)).toBeCloseTo(2.1334, 4);
    expect(bs(k, true, 60, 65, 0.25, 0.08, 0.3)).toBeCloseTo(2.1334, 4);
  });

  it('Hull, Options, Futures, and Other Derivatives, BSM worked example: S=42, K=40, r=0.1, sigma=0.2, T=0.5', () => {
    for (const kk of [null, k]) {
      expect(bs(kk, true, 42, 40, 0.5, 0.1, 0.2)).toBeCloseTo(4.76, 2);
      expect(bs(kk, false, 42, 40, 0.5, 0.1, 0.2)).toBeCloseTo(0.81, 2);
    }
  });

  it("put-call parity C - P = S' - K exp(-r tau) in every scenario", () => {
    const next = rng(77);
    const C = 500;
    const S0 = 3000,
      K_ = 3300,
      tau = 0.2,
      r = 0.04;
    const ret = randomF64(C, next, -0.5, 0.5);
    const spot = ret.map((x) => S0 * Math.exp(x));
    const shift = randomF64(C, next, -0.2, 0.3);
    const book: OptionBook = {
      und: new Int32Array([0, 0]),
      isCall: new Int32Array([1, 0]),
      strike: new Float64Array([K_, K_]),
      lnSK: new Float64Array([Math.log(S0 / K_), Math.log(S0 / K_)]),
      iv: new Float64Array([0.7, 0.7]),
      tau: new Float64Array([tau, tau]),
      value0: new Float64Array([0, 0]),
      mult: new Float64Array([1, 1]),
    };
    const out = optionsWasm(k, book, r, ret, spot, shift, C);
    for (let s = 0; s < C; s++) {
      const parity = spot[s] - K_ * Math.exp(-r * tau);
      expect(Math.abs(out[s] - out[C + s] - parity)).toBeLessThan(1e-9 * S0);
    }
  });

  it("expired options (tau 0) are worth their intrinsic value; P&L = mult * (V' - V)", () => {
    const book: OptionBook = {
      und: new Int32Array([0, 0]),
      isCall: new Int32Array([1, 0]),
      strike: new Float64Array([100, 100]),
      lnSK: new Float64Array([0, 0]),
      iv: new Float64Array([0.5, 0.5]),
      tau: new Float64Array([0, 0]),
      value0: new Float64Array([1.5, 2.5]),
      mult: new Float64Array([2, 3]),
    };
    const spot = new Float64Array([80, 100, 130]);
    const ret = spot.map((s) => Math.log(s / 100));
    const shift = new Float64Array(3);
    const want = [2 * (0 - 1.5), 2 * (0 - 1.5), 2 * (30 - 1.5), 3 * (20 - 2.5), 3 * (0 - 2.5), 3 * (0 - 2.5)];
    expect(Array.from(optionsWasm(k, book, 0.05, ret, spot, shift, 3))).toEqual(want);
    expect(Array.from(optionsTwin(book, 0.05, ret, spot, shift, 3))).toEqual(want);
  });

  it("the iv shift is floored at 1e-4: a near-zero vol call is worth max(S' - K df, 0)", () => {
    const v = bs(k, true, 110, 100, 1, 0.05, 1e-4);
    // A shift of -0.6 on an iv of 0.5 floors at 1e-4 too.
    const book: OptionBook = {
      und: new Int32Array([0]),
      isCall: new Int32Array([1]),
      strike: new Float64Array([100]),
      lnSK: new Float64Array([Math.log(1.1)]),
      iv: new Float64Array([0.5]),
      tau: new Float64Array([1]),
      value0: new Float64Array([0]),
      mult: new Float64Array([1]),
    };
    const floored = optionsWasm(k, book, 0.05, new Float64Array([0]), new Float64Array([110]), new Float64Array([-0.6]), 1)[0];
    expect(floored).toBe(v);
    expect(v).toBeCloseTo(110 - 100 * Math.exp(-0.05), 10);
  });

  it("moneyness from lnSK + x equals revaluing afresh at S' with x = 0", () => {
    const S0 = 50,
      K_ = 55,
      x = 0.13;
    const S1 = S0 * Math.exp(x);
    const base: OptionBook = {
      und: new Int32Array([0]),
      isCall: new Int32Array([0]),
      strike: new Float64Array([K_]),
      lnSK: new Float64Array([Math.log(S0 / K_)]),
      iv: new Float64Array([0.4]),
      tau: new Float64Array([0.3]),
      value0: new Float64Array([0]),
      mult: new Float64Array([1]),
    };
    const a = optionsWasm(k, base, 0.02, new Float64Array([x]), new Float64Array([S1]), new Float64Array([0]), 1)[0];
    const b = bs(k, false, S1, K_, 0.3, 0.02, 0.4);
    expect(Math.abs(a - b)).toBeLessThan(1e-12 * S0);
  });

  it.each([1, 2, 7, 257])(
    'wasm equals twin bit for bit on a random book (C = %i; calls, puts, expired, sq > 20, infinite shocks)',
    (C) => {
      const next = rng(4242 + C);
      const n = 4,
        nOpt = 60;
      const spot0 = randomF64(n, next, 10, 5000);
      const book = randomBook(next, n, nOpt, spot0);
      const { ret, spot } = randomShocks(next, n, C, spot0);
      const shift = Float64Array.from({ length: C }, (_, s) => (s % 11 === 4 ? -2 : 0.6 * (next() - 0.5)));
      const a = optionsWasm(k, book, 0.03, ret, spot, shift, C);
      const b = optionsTwin(book, 0.03, ret, spot, shift, C);
      sameBits(a, b, 'revalueOptions wasm vs twin');
      for (let q = 0; q < a.length; q++) expect(Number.isFinite(a[q])).toBe(true);
    },
  );

  it.each([1, 3, 256, 259])(
    'revalueOptionsFixedIv: wasm = twin = revalueOptions with a constant shift, bit for bit (C = %i)',
    (C) => {
      const next = rng(99 + C);
      const n = 3,
        nOpt = 51;
      const spot0 = randomF64(n, next, 10, 5000);
      const book = randomBook(next, n, nOpt, spot0);
      const { ret, spot } = randomShocks(next, n, C, spot0);
      for (const sh of [0, 0.1, -0.3, -5]) {
        const fw = optionsFixedWasm(k, book, 0.02, ret, spot, sh, C);
        sameBits(fw, optionsFixedTwin(book, 0.02, ret, spot, sh, C), `fixed wasm vs twin, shift ${sh}`);
        const shifts = new Float64Array(C).fill(sh);
        sameBits(fw, optionsWasm(k, book, 0.02, ret, spot, shifts, C), `fixed vs general wasm, shift ${sh}`);
        sameBits(fw, optionsTwin(book, 0.02, ret, spot, shifts, C), `fixed wasm vs general twin, shift ${sh}`);
      }
    },
  );

  it(`within 2e-15 S0 of mpmath on ${BSM.rows.length} contracts and shocks (both kernels, twin and wasm)`, () => {
    // One contract per row, each with its own rate; the shock fills a block of C = 3, so the
    // f64x2 pair and the odd last lane both see it.
    const C = 3;
    let worst = 0;
    let at = -1;
    for (const [j, [call, S0, K_, tau, sigma, r, x, want]] of BSM.rows.entries()) {
      const one: OptionBook = {
        und: new Int32Array([0]),
        isCall: new Int32Array([call]),
        strike: new Float64Array([K_]),
        lnSK: new Float64Array([Math.log(S0 / K_)]),
        iv: new Float64Array([sigma]),
        tau: new Float64Array([tau]),
        value0: new Float64Array(1),
        mult: new Float64Array([1]),
      };
      const ret = new Float64Array(C).fill(x);
      const spot = new Float64Array(C).fill(S0 * Math.exp(x));
      // Shifts 0, 0, -0: the same vol, but not the same bits, so revalueOptions takes its
      // per-scenario path rather than handing the block to the fixed-vol kernel.
      const mixed = new Float64Array([0, 0, -0]);
      const got = [
        ...optionsWasm(k, one, r, ret, spot, mixed, C),
        ...optionsFixedWasm(k, one, r, ret, spot, 0, C),
        ...optionsTwin(one, r, ret, spot, mixed, C),
      ];
      for (const v of got) {
        const e = Math.abs(v - want) / S0;
        if (!(e <= worst)) {
          worst = e;
          at = j;
        }
      }
    }
    expect(worst, `worst at row ${at}: ${JSON.stringify(BSM.rows[at])}`).toBeLessThanOrEqual(2e-15);
  });
});
