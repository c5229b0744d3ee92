// Standard normal distribution function and its inverse, to full double precision.
//
// normCdf: W. J. Cody, "Algorithm 715: SPECFUN", ACM TOMS 19(1), 1993, routine ANORM.
// Three rational Chebyshev approximations; outside |x| <= 0.66291 the Gaussian factor
// exp(-x^2/2) is split as exp(-xsq^2/2 - del/2) with xsq = x rounded toward zero to a
// multiple of 1/16, so xsq^2 is exact and the rounding error of x^2 (which exp would
// amplify by x^2 in the far tail) never arises. This keeps relative accuracy down to ~1e-300.
// ANORM takes two exps, exp(-xsq^2/2) * exp(-del/2); here one expSplit (exp.ts) takes the
// exact part and the small correction as two arguments, at the same accuracy.
//
// normInv: M. J. Wichura, "Algorithm AS 241: The Percentage Points of the Normal
// Distribution", Applied Statistics 37(3), 1988, PPND16 (about 1e-16 relative).

import { logd, logV } from "./log";
import { expSplit } from "./exp";

// @ts-ignore: decorator
@inline const SQRPI: f64 = 0.39894228040143267794; // 1 / sqrt(2 pi)
// @ts-ignore: decorator
@inline const THRSH: f64 = 0.66291; // anorm(THRSH) = 0.75: end of the central interval
// @ts-ignore: decorator
@inline const ROOT32: f64 = 5.656854248; // sqrt(32): end of the middle interval
// @ts-ignore: decorator
@inline const EPS: f64 = 1.11e-16; // below this, x^2 does not change the central ratio
// ANORM's -37.519 stops where the result leaves the normal range; we carry on through the
// subnormals until the true value rounds to zero.
// @ts-ignore: decorator
@inline const XLOW: f64 = -38.5;
// @ts-ignore: decorator
@inline const XUPPR: f64 = 8.572; // 1 - tail rounds to 1 from here up

export function normCdf(x: f64): f64 {
  const y = Math.abs(x);
  let result: f64;
  if (y <= THRSH) {
    const xsq = y > EPS ? x * x : 0.0;
    let xnum = 6.5682337918207449113e-2 * xsq;
    let xden = xsq;
    xnum = (xnum + 2.2352520354606839287e00) * xsq;
    xden = (xden + 4.7202581904688241870e01) * xsq;
    xnum = (xnum + 1.6102823106855587881e02) * xsq;
    xden = (xden + 9.7609855173777669322e02) * xsq;
    xnum = (xnum + 1.0676894854603709582e03) * xsq;
    xden = (xden + 1.0260932208618978205e04) * xsq;
    result = x * (xnum + 1.8154981253343561249e04) / (xden + 4.5507789335026729956e04);
    return 0.5 + result;
  }
  if (y <= ROOT32) {
    let xnum = 1.0765576773720192317e-8 * y;
    let xden = y;
    xnum = (xnum + 3.9894151208813466764e-1) * y;
    xden = (xden + 2.2266688044328115691e01) * y;
    xnum = (xnum + 8.8831497943883759412e00) * y;
    xden = (xden + 2.3538790178262499861e02) * y;
    xnum = (xnum + 9.3506656132177855979e01) * y;
    xden = (xden + 1.5193775994075548050e03) * y;
    xnum = (xnum + 5.9727027639480026226e02) * y;
    xden = (xden + 6.4855582982667607550e03) * y;
    xnum = (xnum + 2.4945375852903726711e03) * y;
    xden = (xden + 1.8615571640885098091e04) * y;
    xnum = (xnum + 6.8481904505362823326e03) * y;
    xden = (xden + 3.4900952721145977266e04) * y;
    xnum = (xnum + 1.1602651437647350124e04) * y;
    xden = (xden + 3.8912003286093271411e04) * y;
    result = (xnum + 9.8427148383839780218e03) / (xden + 1.9685429676859990727e04);
    const xsq = Math.trunc(y * 16.0) / 16.0;
    const del = (y - xsq) * (y + xsq);
    result = expSplit(-xsq * xsq * 0.5, -del * 0.5) * result;
    return x > 0.0 ? 1.0 - result : result;
  }
  result = 0.0;
  if (x >= XLOW && x < XUPPR) {
    let xsq = 1.0 / (x * x);
    let xnum = 2.307344176494017303e-2 * xsq;
    let xden = xsq;
    xnum = (xnum + 2.1589853405795699e-1) * xsq;
    xden = (xden + 1.28426009614491121e00) * xsq;
    xnum = (xnum + 1.274011611602473639e-1) * xsq;
    xden = (xden + 4.68238212480865118e-1) * xsq;
    xnum = (xnum + 2.2235277870649807e-2) * xsq;
    xden = (xden + 6.59881378689285515e-2) * xsq;
    xnum = (xnum + 1.421619193227893466e-3) * xsq;
    xden = (xden + 3.78239633202758244e-3) * xsq;
    result = xsq * (xnum + 2.9112874951168792e-5) / (xden + 7.29751555083966205e-5);
    result = (SQRPI - result) / y;
    xsq = Math.trunc(x * 16.0) / 16.0;
    const del = (x - xsq) * (x + xsq);
    result = expSplit(-xsq * xsq * 0.5, -del * 0.5) * result;
  }
  return x > 0.0 ? 1.0 - result : result;
}

/** Inverse of normCdf for p in (0, 1); -Infinity at 0, +Infinity at 1, NaN outside. */
export function normInv(p: f64): f64 {
  const q = p - 0.5;
  if (Math.abs(q) <= 0.425) {
    // Estrin's scheme (r in [0, 0.18], every coefficient positive): half Horner's chain.
    const r = 0.180625 - q * q;
    const r2 = r * r;
    const num = ((3.3871328727963666080e0 + 1.3314166789178437745e2 * r)
      + (1.9715909503065514427e3 + 1.3731693765509461125e4 * r) * r2)
      + ((4.5921953931549871457e4 + 6.7265770927008700853e4 * r)
      + (3.3430575583588128105e4 + 2.5090809287301226727e3 * r) * r2) * (r2 * r2);
    const den = ((1.0 + 4.2313330701600911252e1 * r)
      + (6.8718700749205790830e2 + 5.3941960214247511077e3 * r) * r2)
      + ((2.1213794301586595867e4 + 3.9307895800092710610e4 * r)
      + (2.8729085735721942674e4 + 5.2264952788528545610e3 * r) * r2) * (r2 * r2);
    return q * num / den;
  }
  if (!(p > 0.0 && p < 1.0)) {
    if (p == 0.0) return -Infinity;
    if (p == 1.0) return Infinity;
    return NaN;
  }
  // The tail is parametrised by r = sqrt(-ln(tail probability)), nearly linear in the quantile.
  // logd (log.ts) rather than Math.log: the same bits in WASM, in its f64x2 lanes and in JS.
  let r = Math.sqrt(-logd(q < 0.0 ? p : 1.0 - p));
  let value: f64;
  if (r <= 5.0) {
    // Estrin's scheme, as in the centre (r - 1.6 in [0, 3.4], every coefficient positive).
    r = r - 1.6;
    const r2 = r * r;
    value = (((1.42343711074968357734e0 + 4.63033784615654529590e0 * r)
      + (5.76949722146069140550e0 + 3.64784832476320460504e0 * r) * r2)
      + ((1.27045825245236838258e0 + 2.41780725177450611770e-1 * r)
      + (2.27238449892691845833e-2 + 7.74545014278341407640e-4 * r) * r2) * (r2 * r2))
      / (((1.0 + 2.05319162663775882187e0 * r)
      + (1.67638483018380384940e0 + 6.89767334985100004550e-1 * r) * r2)
      + ((1.48103976427480074590e-1 + 1.51986665636164571966e-2 * r)
      + (5.47593808499534494600e-4 + 1.05075007164441684324e-9 * r) * r2) * (r2 * r2));
  } else {
    r = r - 5.0;
    value = (((((((2.01033439929228813265e-7 * r + 2.71155556874348757815e-5) * r
      + 1.24266094738807843860e-3) * r + 2.65321895265761230930e-2) * r
      + 2.96560571828504891230e-1) * r + 1.78482653991729133580e0) * r
      + 5.46378491116411436990e0) * r + 6.65790464350110377720e0)
      / (((((((2.04426310338993978564e-15 * r + 1.42151175831644588870e-7) * r
      + 1.84631831751005468180e-5) * r + 7.86869131145613259100e-4) * r
      + 1.48753612908506148525e-2) * r + 1.36929880922735805310e-1) * r
      + 5.99832206555887937690e-1) * r + 1.0);
  }
  return q < 0.0 ? -value : value;
}

/**
 * Wichura's central rational for two lanes, exactly the scalar normInv's operations: the
 * scalar result for a lane with |p - 0.5| <= 0.425, meaningless elsewhere (see normTailV).
 */
// @ts-ignore: decorator
@inline
export function normCentralV(p: v128): v128 {
  const q = f64x2.sub(p, f64x2.splat(0.5));
  const r = f64x2.sub(f64x2.splat(0.180625), f64x2.mul(q, q));
  const r2 = f64x2.mul(r, r);
  const r4 = f64x2.mul(r2, r2);
  const num = f64x2.add(
    f64x2.add(
      f64x2.add(f64x2.splat(3.3871328727963666080e0), f64x2.mul(f64x2.splat(1.3314166789178437745e2), r)),
      f64x2.mul(f64x2.add(f64x2.splat(1.9715909503065514427e3), f64x2.mul(f64x2.splat(1.3731693765509461125e4), r)), r2),
    ),
    f64x2.mul(
      f64x2.add(
        f64x2.add(f64x2.splat(4.5921953931549871457e4), f64x2.mul(f64x2.splat(6.7265770927008700853e4), r)),
        f64x2.mul(f64x2.add(f64x2.splat(3.3430575583588128105e4), f64x2.mul(f64x2.splat(2.5090809287301226727e3), r)), r2),
      ),
      r4,
    ),
  );
  const den = f64x2.add(
    f64x2.add(
      f64x2.add(f64x2.splat(1.0), f64x2.mul(f64x2.splat(4.2313330701600911252e1), r)),
      f64x2.mul(f64x2.add(f64x2.splat(6.8718700749205790830e2), f64x2.mul(f64x2.splat(5.3941960214247511077e3), r)), r2),
    ),
    f64x2.mul(
      f64x2.add(
        f64x2.add(f64x2.splat(2.1213794301586595867e4), f64x2.mul(f64x2.splat(3.9307895800092710610e4), r)),
        f64x2.mul(f64x2.add(f64x2.splat(2.8729085735721942674e4), f64x2.mul(f64x2.splat(5.2264952788528545610e3), r)), r2),
      ),
      r4,
    ),
  );
  return f64x2.div(f64x2.mul(q, num), den);
}

/** Lanes outside normInv's central interval: |p - 0.5| > 0.425 (false for NaN, like the scalar). */
// @ts-ignore: decorator
@inline
export function normTailMaskV(p: v128): v128 {
  return f64x2.gt(f64x2.abs(f64x2.sub(p, f64x2.splat(0.5))), f64x2.splat(0.425));
}

/**
 * normInv for two lanes that both lie in a tail (0 < p < 1, |p - 0.5| > 0.425): logV, sqrt
 * and the r <= 5 rational exactly as the scalar; a lane with r > 5 (p beyond 1.4e-11 of 0
 * or 1) goes through the scalar normInv.
 */
// @ts-ignore: decorator
@inline
export function normTailV(p: v128): v128 {
  const neg = f64x2.lt(f64x2.sub(p, f64x2.splat(0.5)), f64x2.splat(0.0));
  const t = v128.bitselect(p, f64x2.sub(f64x2.splat(1.0), p), neg);
  const r0 = f64x2.sqrt(f64x2.neg(logV(t)));
  const u = f64x2.sub(r0, f64x2.splat(1.6));
  const u2 = f64x2.mul(u, u);
  const u4 = f64x2.mul(u2, u2);
  const tn = f64x2.add(
    f64x2.add(
      f64x2.add(f64x2.splat(1.42343711074968357734e0), f64x2.mul(f64x2.splat(4.63033784615654529590e0), u)),
      f64x2.mul(f64x2.add(f64x2.splat(5.76949722146069140550e0), f64x2.mul(f64x2.splat(3.64784832476320460504e0), u)), u2),
    ),
    f64x2.mul(
      f64x2.add(
        f64x2.add(f64x2.splat(1.27045825245236838258e0), f64x2.mul(f64x2.splat(2.41780725177450611770e-1), u)),
        f64x2.mul(f64x2.add(f64x2.splat(2.27238449892691845833e-2), f64x2.mul(f64x2.splat(7.74545014278341407640e-4), u)), u2),
      ),
      u4,
    ),
  );
  const td = f64x2.add(
    f64x2.add(
      f64x2.add(f64x2.splat(1.0), f64x2.mul(f64x2.splat(2.05319162663775882187e0), u)),
      f64x2.mul(f64x2.add(f64x2.splat(1.67638483018380384940e0), f64x2.mul(f64x2.splat(6.89767334985100004550e-1), u)), u2),
    ),
    f64x2.mul(
      f64x2.add(
        f64x2.add(f64x2.splat(1.48103976427480074590e-1), f64x2.mul(f64x2.splat(1.51986665636164571966e-2), u)),
        f64x2.mul(f64x2.add(f64x2.splat(5.47593808499534494600e-4), f64x2.mul(f64x2.splat(1.05075007164441684324e-9), u)), u2),
      ),
      u4,
    ),
  );
  const v = f64x2.div(tn, td);
  let z = v128.bitselect(f64x2.neg(v), v, neg);
  const far = f64x2.gt(r0, f64x2.splat(5.0));
  if (v128.any_true(far)) {
    if (i64x2.extract_lane(far, 0) != 0) z = f64x2.replace_lane(z, 0, normInv(f64x2.extract_lane(p, 0)));
    if (i64x2.extract_lane(far, 1) != 0) z = f64x2.replace_lane(z, 1, normInv(f64x2.extract_lane(p, 1)));
  }
  return z;
}

/** Test hook: out[i] = normInv(p[i]) through the f64x2 paths (central, then tails). */
export function normInvBlock(n: i32, pPtr: usize, outPtr: usize): void {
  for (let i = 0; i < n; i += 2) {
    const at = <usize>i << 3;
    const pair = i + 1 < n;
    const p = pair ? v128.load(pPtr + at) : f64x2.splat(load<f64>(pPtr + at));
    const tail = normTailMaskV(p);
    let z = normCentralV(p);
    if (v128.any_true(tail)) z = v128.bitselect(normTailV(v128.bitselect(p, f64x2.splat(0.25), tail)), z, tail);
    if (pair) v128.store(outPtr + at, z);
    else v128.store64_lane(outPtr + at, z, 0);
  }
}
