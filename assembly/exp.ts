// exp(ahi + alo) in plain IEEE double operations, as a scalar and as an f64x2 twin whose
// lanes perform exactly the scalar operations: the WASM lanes, the WASM scalar and the
// TypeScript twin (src/kernels/exp.ts) all return the same bits on every platform (no FMA,
// no tables, no libm).
//
// Cody–Waite reduction x = k ln2 + r, |r| <= ln2/2 (+ a hair), with k = nearest(x / ln2) by
// the 1.5 * 2^52 shifter. ln2 is split as LN2HI (32 significant bits) + LN2LO, so
// ahi - k * LN2HI is exact whenever ahi is (Sterbenz for any double when alo = 0; for the
// normal-CDF split ahi = -xsq^2 / 2 with xsq a multiple of 1/16 it is a multiple of 2^-32 of
// magnitude < 1). The second argument alo carries a small correction added after the exact
// step, so exp(-x^2/2) keeps full relative accuracy without a second exp (Cody's split).
//
// exp(r) = 1 + r + r^2 q(r), q of degree 10 (Chebyshev fit of (e^r - 1 - r) / r^2 on
// [-0.35, 0.35], approximation error ~2e-19) evaluated by Estrin's scheme (a dependency
// chain of 7 operations instead of Horner's 20), assembled as 1 + (hi + (r^2 q - lo)) so
// that the exact hi is added last: under 0.87 ulp in tests against mpmath.
//
// 2^k is applied as two factors 2^k1 * 2^k2 (k1 = floor(k/2)), each a normal number built
// from exponent bits, so overflow gives +Infinity and underflow rounds correctly through the
// subnormals to 0. Arguments are clamped to [-750, 710] first (exp is 0 or Infinity beyond),
// which keeps k1, k2 in range; NaN stays NaN.

// @ts-ignore: decorator
@inline const LN2HI: f64 = 6.93147180369123816490e-01; // 0x3FE62E42FEE00000
// @ts-ignore: decorator
@inline const LN2LO: f64 = 1.90821492927058770002e-10;
// @ts-ignore: decorator
@inline const INVLN2: f64 = 1.44269504088896338700e+00;
// @ts-ignore: decorator
@inline const SHIFTER: f64 = 6755399441055744.0; // 1.5 * 2^52: x + SHIFTER rounds x to an integer
// @ts-ignore: decorator
@inline const SHIFTER_BITS: i64 = 0x4338000000000000;
// @ts-ignore: decorator
@inline const EXP_LO: f64 = -750.0;
// @ts-ignore: decorator
@inline const EXP_HI: f64 = 710.0;
// @ts-ignore: decorator
@inline const Q0: f64 = 2.0915433598076003e-09;
// @ts-ignore: decorator
@inline const Q1: f64 = 2.5106262550879078e-08;
// @ts-ignore: decorator
@inline const Q2: f64 = 2.755727183153613e-07;
// @ts-ignore: decorator
@inline const Q3: f64 = 2.755725286336732e-06;
// @ts-ignore: decorator
@inline const Q4: f64 = 2.480158732699005e-05;
// @ts-ignore: decorator
@inline const Q5: f64 = 0.00019841269876840357;
// @ts-ignore: decorator
@inline const Q6: f64 = 0.0013888888888883332;
// @ts-ignore: decorator
@inline const Q7: f64 = 0.008333333333325551;
// @ts-ignore: decorator
@inline const Q8: f64 = 0.04166666666666667;
// @ts-ignore: decorator
@inline const Q9: f64 = 0.1666666666666667;
// @ts-ignore: decorator
@inline const Q10: f64 = 0.5;

/** exp(ahi + alo); ahi - k ln2 must be exact (see above), |alo| small (a few units at most). */
// @ts-ignore: decorator
@inline
export function expSplit(ahi: f64, alo: f64): f64 {
  ahi = ahi < EXP_LO ? EXP_LO : ahi;
  ahi = EXP_HI < ahi ? EXP_HI : ahi;
  const kd = (ahi + alo) * INVLN2 + SHIFTER;
  const kf = kd - SHIFTER;
  const hi = ahi - kf * LN2HI;
  const lo = kf * LN2LO;
  const h = hi + alo;
  const r = h - lo;
  const r2 = r * r;
  const r4 = r2 * r2;
  const q03 = (Q10 + Q9 * r) + (Q8 + Q7 * r) * r2;
  const q47 = (Q6 + Q5 * r) + (Q4 + Q3 * r) * r2;
  const q810 = (Q2 + Q1 * r) + Q0 * r2;
  const q = (q03 + q47 * r4) + q810 * (r4 * r4);
  const p = 1.0 + (h + (r2 * q - lo));
  const ik = reinterpret<i64>(kd) - SHIFTER_BITS;
  const k1 = <i64>(<u64>(ik + 2048) >> 1) - 1024;
  const k2 = ik - k1;
  return p * reinterpret<f64>((k1 + 1023) << 52) * reinterpret<f64>((k2 + 1023) << 52);
}

/** e^x for any double x. */
// @ts-ignore: decorator
@inline
export function expd(x: f64): f64 {
  return expSplit(x, 0.0);
}

/** q(r) by Estrin's scheme, lane-wise as in expSplit. */
// @ts-ignore: decorator
@inline
function polyV(r: v128, r2: v128): v128 {
  const r4 = f64x2.mul(r2, r2);
  const q03 = f64x2.add(
    f64x2.add(f64x2.splat(Q10), f64x2.mul(f64x2.splat(Q9), r)),
    f64x2.mul(f64x2.add(f64x2.splat(Q8), f64x2.mul(f64x2.splat(Q7), r)), r2),
  );
  const q47 = f64x2.add(
    f64x2.add(f64x2.splat(Q6), f64x2.mul(f64x2.splat(Q5), r)),
    f64x2.mul(f64x2.add(f64x2.splat(Q4), f64x2.mul(f64x2.splat(Q3), r)), r2),
  );
  const q810 = f64x2.add(f64x2.add(f64x2.splat(Q2), f64x2.mul(f64x2.splat(Q1), r)), f64x2.mul(f64x2.splat(Q0), r2));
  return f64x2.add(f64x2.add(q03, f64x2.mul(q47, r4)), f64x2.mul(q810, f64x2.mul(r4, r4)));
}

/** Lane-wise expSplit: each lane performs exactly the scalar operations. */
// @ts-ignore: decorator
@inline
export function expSplitV(ahi: v128, alo: v128): v128 {
  ahi = f64x2.pmax(ahi, f64x2.splat(EXP_LO)); // ahi < LO ? LO : ahi
  ahi = f64x2.pmin(ahi, f64x2.splat(EXP_HI)); // HI < ahi ? HI : ahi
  const kd = f64x2.add(f64x2.mul(f64x2.add(ahi, alo), f64x2.splat(INVLN2)), f64x2.splat(SHIFTER));
  const kf = f64x2.sub(kd, f64x2.splat(SHIFTER));
  const hi = f64x2.sub(ahi, f64x2.mul(kf, f64x2.splat(LN2HI)));
  const lo = f64x2.mul(kf, f64x2.splat(LN2LO));
  const h = f64x2.add(hi, alo);
  const r = f64x2.sub(h, lo);
  const r2 = f64x2.mul(r, r);
  const q = polyV(r, r2);
  const p = f64x2.add(f64x2.splat(1.0), f64x2.add(h, f64x2.sub(f64x2.mul(r2, q), lo)));
  const ik = i64x2.sub(kd, i64x2.splat(SHIFTER_BITS));
  const k1 = i64x2.sub(i64x2.shr_u(i64x2.add(ik, i64x2.splat(2048)), 1), i64x2.splat(1024));
  const k2 = i64x2.sub(ik, k1);
  const s1 = i64x2.shl(i64x2.add(k1, i64x2.splat(1023)), 52);
  const s2 = i64x2.shl(i64x2.add(k2, i64x2.splat(1023)), 52);
  return f64x2.mul(f64x2.mul(p, s1), s2);
}

/**
 * exp(-y^2/2) for lanes 0 <= y <= 37 (the Gaussian factor of the option kernels), with
 * Cody's split: ysq = y rounded toward zero to 1/16 has an exact square, so
 * ahi = -ysq^2/2 is exact and ahi - k LN2HI too; alo = -(y - ysq)(y + ysq)/2 carries the
 * rest. k comes straight from -y^2/2 (not from ahi + alo), which takes four operations off
 * the dependency chain; it may differ from nearest(x / ln2) by one at a rounding boundary,
 * which only moves r by ln2 within the polynomial's fitted range. No clamp, and one scale
 * factor: k >= -990 keeps 2^k normal.
 */
// @ts-ignore: decorator
@inline
export function expGaussV(y: v128): v128 {
  const kd = f64x2.add(f64x2.mul(f64x2.mul(y, y), f64x2.splat(-0.5 * INVLN2)), f64x2.splat(SHIFTER));
  const ysq = f64x2.mul(f64x2.trunc(f64x2.mul(y, f64x2.splat(16.0))), f64x2.splat(0.0625));
  // (ysq ysq) (-1/2) and del (-1/2): the same values as -(ysq ysq) / 2 and -del / 2.
  const ahi = f64x2.mul(f64x2.mul(ysq, ysq), f64x2.splat(-0.5));
  const alo = f64x2.mul(f64x2.mul(f64x2.sub(y, ysq), f64x2.add(y, ysq)), f64x2.splat(-0.5));
  const kf = f64x2.sub(kd, f64x2.splat(SHIFTER));
  const hi = f64x2.sub(ahi, f64x2.mul(kf, f64x2.splat(LN2HI)));
  const lo = f64x2.mul(kf, f64x2.splat(LN2LO));
  const h = f64x2.add(hi, alo);
  const r = f64x2.sub(h, lo);
  const r2 = f64x2.mul(r, r);
  const q = polyV(r, r2);
  const p = f64x2.add(f64x2.splat(1.0), f64x2.add(h, f64x2.sub(f64x2.mul(r2, q), lo)));
  // kd's bits are SHIFTER_BITS + k: adding 1023 - SHIFTER_BITS and shifting gives 2^k.
  const sc = i64x2.shl(i64x2.add(kd, i64x2.splat(1023 - SHIFTER_BITS)), 52);
  return f64x2.mul(p, sc);
}

/** Lane-wise e^x. */
// @ts-ignore: decorator
@inline
export function expV(x: v128): v128 {
  return expSplitV(x, f64x2.splat(0.0));
}

/** Test hook: out[i] = e^x[i], through the f64x2 path (the last odd element too). */
export function expBlock(n: i32, xPtr: usize, outPtr: usize): void {
  let i = 0;
  for (; i + 2 <= n; i += 2) {
    const at = <usize>i << 3;
    v128.store(outPtr + at, expV(v128.load(xPtr + at)));
  }
  if (i < n) {
    const at = <usize>i << 3;
    v128.store64_lane(outPtr + at, expV(f64x2.splat(load<f64>(xPtr + at))), 0);
  }
}

/** Test hook: the scalar path, e^(ahi + alo). */
export function expSplitScalar(ahi: f64, alo: f64): f64 {
  return expSplit(ahi, alo);
}

/** Test hook: out[i] = exp(-y[i]^2/2) for 0 <= y[i] <= 37, through the option kernels' lanes. */
export function expGaussBlock(n: i32, yPtr: usize, outPtr: usize): void {
  let i = 0;
  for (; i + 2 <= n; i += 2) {
    const at = <usize>i << 3;
    v128.store(outPtr + at, expGaussV(v128.load(yPtr + at)));
  }
  if (i < n) {
    const at = <usize>i << 3;
    v128.store64_lane(outPtr + at, expGaussV(f64x2.splat(load<f64>(yPtr + at))), 0);
  }
}
