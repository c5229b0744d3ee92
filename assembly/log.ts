// Natural logarithm in plain IEEE double operations, as a scalar and as an f64x2 twin whose
// lanes perform exactly the scalar operations (and src/kernels/log.ts, the TypeScript twin):
// the three give the same bits on every platform. The algorithm is fdlibm's e_log.c
// (Sun Microsystems, 1993): x = 2^k (1 + f) with 1 + f in [sqrt(2)/2, sqrt(2)),
// s = f / (2 + f), log(1 + f) = f - f^2/2 + s (f^2/2 + R(s^2)), R a degree-14 polynomial in s
// with error below 2^-58.45; under 1 ulp. fdlibm's shortcut for |f| < 2^-20 is left out (the
// general formula is as accurate there), as is k = 0's variant (the same value).

// @ts-ignore: decorator
@inline const LN2HI: f64 = 6.93147180369123816490e-01;
// @ts-ignore: decorator
@inline const LN2LO: f64 = 1.90821492927058770002e-10;
// @ts-ignore: decorator
@inline const LG1: f64 = 6.666666666666735130e-01;
// @ts-ignore: decorator
@inline const LG2: f64 = 3.999999999940941908e-01;
// @ts-ignore: decorator
@inline const LG3: f64 = 2.857142874366239149e-01;
// @ts-ignore: decorator
@inline const LG4: f64 = 2.222219843214978396e-01;
// @ts-ignore: decorator
@inline const LG5: f64 = 1.818357216161805012e-01;
// @ts-ignore: decorator
@inline const LG6: f64 = 1.531383769920937332e-01;
// @ts-ignore: decorator
@inline const LG7: f64 = 1.479819860511658591e-01;
// @ts-ignore: decorator
@inline const TWO54: f64 = 18014398509481984.0;
// @ts-ignore: decorator
@inline const MAGIC_BITS: i64 = 0x4338000000000000; // 1.5 * 2^52: k + 1.5 * 2^52 as a double is exact

/** log(x): -Infinity at 0, NaN below 0 or for NaN, Infinity at Infinity. */
export function logd(x: f64): f64 {
  if (!(x > 0.0) || x == Infinity) return x == 0.0 ? -Infinity : x == Infinity ? x : NaN;
  let u = reinterpret<u64>(x);
  let k: i32 = 0;
  if (u < 0x0010000000000000) { // subnormal: scale into the normal range first
    u = reinterpret<u64>(x * TWO54);
    k = -54;
  }
  let hx = <i32>(u >> 32);
  k += (hx >> 20) - 1023;
  hx &= 0x000fffff;
  const i = (hx + 0x95f64) & 0x100000;
  const m = reinterpret<f64>((<u64>(hx | (i ^ 0x3ff00000)) << 32) | (u & 0xffffffff));
  k += i >> 20;
  const f = m - 1.0;
  const s = f / (2.0 + f);
  const dk = <f64>k;
  const z = s * s;
  const w = z * z;
  const t1 = w * (LG2 + w * (LG4 + w * LG6));
  const t2 = z * (LG1 + w * (LG3 + w * (LG5 + w * LG7)));
  const R = t2 + t1;
  if (((hx - 0x6147a) | (0x6b851 - hx)) > 0) {
    const hfsq = 0.5 * f * f;
    return dk * LN2HI - ((hfsq - (s * (hfsq + R) + dk * LN2LO)) - f);
  }
  return dk * LN2HI - ((s * (f - R) - dk * LN2LO) - f);
}

/**
 * Lane-wise logd for lanes holding positive normal doubles (the callers' domain: tail
 * probabilities of a 53-bit uniform, >= 2^-54). Both of fdlibm's final forms are computed
 * and blended by lane.
 */
// @ts-ignore: decorator
@inline
export function logV(x: v128): v128 {
  const hx0 = i64x2.shr_u(x, 32);
  const kRaw = i64x2.sub(i64x2.shr_u(hx0, 20), i64x2.splat(1023));
  const hx = v128.and(hx0, i64x2.splat(0x000fffff));
  const i = v128.and(i64x2.add(hx, i64x2.splat(0x95f64)), i64x2.splat(0x100000));
  const hiWord = v128.or(hx, v128.xor(i, i64x2.splat(0x3ff00000)));
  const m = v128.or(i64x2.shl(hiWord, 32), v128.and(x, i64x2.splat(0xffffffff)));
  const k = i64x2.add(kRaw, i64x2.shr_u(i, 20));
  const dk = f64x2.sub(i64x2.add(k, i64x2.splat(MAGIC_BITS)), f64x2.splat(6755399441055744.0));
  const f = f64x2.sub(m, f64x2.splat(1.0));
  const s = f64x2.div(f, f64x2.add(f64x2.splat(2.0), f));
  const z = f64x2.mul(s, s);
  const w = f64x2.mul(z, z);
  const t1 = f64x2.mul(w, f64x2.add(f64x2.splat(LG2), f64x2.mul(w, f64x2.add(f64x2.splat(LG4), f64x2.mul(w, f64x2.splat(LG6))))));
  const t2 = f64x2.mul(z, f64x2.add(f64x2.splat(LG1), f64x2.mul(w, f64x2.add(f64x2.splat(LG3),
    f64x2.mul(w, f64x2.add(f64x2.splat(LG5), f64x2.mul(w, f64x2.splat(LG7))))))));
  const R = f64x2.add(t2, t1);
  const hi = f64x2.mul(dk, f64x2.splat(LN2HI));
  const lo = f64x2.mul(dk, f64x2.splat(LN2LO));
  const hfsq = f64x2.mul(f64x2.mul(f64x2.splat(0.5), f), f);
  const a = f64x2.sub(hi, f64x2.sub(f64x2.sub(hfsq, f64x2.add(f64x2.mul(s, f64x2.add(hfsq, R)), lo)), f));
  const b = f64x2.sub(hi, f64x2.sub(f64x2.sub(f64x2.mul(s, f64x2.sub(f, R)), lo), f));
  // (hx - 0x6147a) | (0x6b851 - hx) > 0, on values below 2^20 held in i64 lanes
  const sel = i64x2.gt_s(v128.or(i64x2.sub(hx, i64x2.splat(0x6147a)), i64x2.sub(i64x2.splat(0x6b851), hx)), i64x2.splat(0));
  return v128.bitselect(a, b, sel);
}

/** Test hook: out[i] = log(x[i]) through the f64x2 path (positive normal x only). */
export function logBlock(n: i32, xPtr: usize, outPtr: usize): void {
  let i = 0;
  for (; i + 2 <= n; i += 2) {
    const at = <usize>i << 3;
    v128.store(outPtr + at, logV(v128.load(xPtr + at)));
  }
  if (i < n) {
    const at = <usize>i << 3;
    v128.store64_lane(outPtr + at, logV(f64x2.splat(load<f64>(xPtr + at))), 0);
  }
}
