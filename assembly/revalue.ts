// Full revaluation of instruments under a block of C scenarios. Scenario blocks are
// underlying-major (spot[u*C + s]) so that the inner loop over scenarios is contiguous and
// two neighbouring scenarios fill the two f64x2 lanes. Each lane performs exactly the
// operations of the scalar TypeScript twin (src/kernels/revalue.ts), so the two agree to the
// last bit; an odd last scenario runs through the same f64x2 code with a duplicated lane.
import { expGaussV, expSplit } from "./exp";

/** Linear P&L per unit: out[j*C + s] = mult[j] * (spot[und[j]*C + s] - spot0[und[j]]). */
export function revalueLinear(
  nInst: i32, undPtr: usize, multPtr: usize, spot0Ptr: usize, spotPtr: usize, C: i32, outPtr: usize,
): void {
  const cEven = C & ~1;
  for (let j = 0; j < nInst; j++) {
    const u = load<i32>(undPtr + (<usize>j << 2));
    const m = load<f64>(multPtr + (<usize>j << 3));
    const s0 = load<f64>(spot0Ptr + (<usize>u << 3));
    const mv = f64x2.splat(m);
    const s0v = f64x2.splat(s0);
    const src = spotPtr + (<usize>(u * C) << 3);
    const dst = outPtr + (<usize>(j * C) << 3);
    let s = 0;
    for (; s < cEven; s += 2) {
      const at = <usize>s << 3;
      v128.store(dst + at, f64x2.mul(mv, f64x2.sub(v128.load(src + at), s0v)));
    }
    if (s < C) {
      const at = <usize>s << 3;
      store<f64>(dst + at, m * (load<f64>(src + at) - s0));
    }
  }
}

// ---------------------------------------------------------------------------------------
// Black–Scholes–Merton, vectorised. Per cell (option j, scenario s):
//   d1 = (a + x) / sq with a = ln(S0/K) + (r + sig^2/2) tau, sq = sig sqrt(tau), x the
//   scenario's log-return (so ln(S'/K) = ln(S0/K) + x, no log per cell); d2 = d1 - sq.
//   N(d) for |d| <= 0.66291 is Cody's central rational 0.5 + d P(d^2)/Q(d^2); beyond, the
//   tail is phi(d) R(|d|) with Cody's middle rational R (accurate in absolute terms far past
//   its interval end sqrt(32): the tail beyond is below 1e-8 and R's relative error below
//   1e-7 out to |d| = 37, where |d| is clamped). The rationals are blended by lane before
//   one division per d.
//   One exp per cell: S' phi(d1) = K e^{-r tau} phi(d2) exactly (the BSM identity), so with
//   A = S' phi(d1) the tail terms are S' t1 = A R(|d1|) and K df t2 = A R(|d2|). phi(d1) is
//   exp(-d1^2/2) with Cody's split (d1 rounded to 1/16 so the square is exact, the rest
//   passed as expSplit's small argument): relative accuracy ~1 ulp at any d1. The identity
//   needs phi(d1) to be a normal double whenever phi(d2) matters: guaranteed for
//   sq <= SQ_SHARE_MAX (then |d1| > 29 forces |d2| > 9); beyond, phi(d2) gets its own exp.
//   Both give |V - V_exact| <~ 1e-15 S0 (mpmath, test/kernels/revalue.test.ts).
// ---------------------------------------------------------------------------------------

// @ts-ignore: decorator
@inline const THRSH: f64 = 0.66291; // end of Cody's central interval
// @ts-ignore: decorator
@inline const Y_MAX: f64 = 37.0; // |d| clamp: phi(37) ~ 1e-298, the tail is 0 to double precision beyond
// @ts-ignore: decorator
@inline const SQ_SHARE_MAX: f64 = 20.0;
// @ts-ignore: decorator
@inline const SIG_FLOOR: f64 = 1e-4;

// The rationals are Cody's, evaluated by Estrin's scheme (powers y^2, y^4, y^8 shared by
// numerator and denominator) instead of Horner's: half the dependency chain for the same
// operation count. Every coefficient and every y is positive, so no step cancels.
// @ts-ignore: decorator
@inline
function centralNumV(d: v128, z: v128, z2: v128): v128 {
  // d (a4 + a3 z + a2 z^2 + a1 z^3 + a0 z^4)
  const n01 = f64x2.add(f64x2.splat(1.8154981253343561249e04), f64x2.mul(f64x2.splat(1.0676894854603709582e03), z));
  const n23 = f64x2.add(f64x2.splat(1.6102823106855587881e02), f64x2.mul(f64x2.splat(2.2352520354606839287e00), z));
  const n = f64x2.add(f64x2.add(n01, f64x2.mul(n23, z2)), f64x2.mul(f64x2.splat(6.5682337918207449113e-2), f64x2.mul(z2, z2)));
  return f64x2.mul(d, n);
}

// @ts-ignore: decorator
@inline
function centralDenV(z: v128, z2: v128): v128 {
  // b4 + b3 z + b2 z^2 + b1 z^3 + z^4
  const d01 = f64x2.add(f64x2.splat(4.5507789335026729956e04), f64x2.mul(f64x2.splat(1.0260932208618978205e04), z));
  const d23 = f64x2.add(f64x2.splat(9.7609855173777669322e02), f64x2.mul(f64x2.splat(4.7202581904688241870e01), z));
  return f64x2.add(f64x2.add(d01, f64x2.mul(d23, z2)), f64x2.mul(z2, z2));
}

// @ts-ignore: decorator
@inline
function middleNumV(y: v128, y2: v128, y4: v128, y8: v128): v128 {
  const n01 = f64x2.add(f64x2.splat(9.8427148383839780218e03), f64x2.mul(f64x2.splat(1.1602651437647350124e04), y));
  const n23 = f64x2.add(f64x2.splat(6.8481904505362823326e03), f64x2.mul(f64x2.splat(2.4945375852903726711e03), y));
  const n45 = f64x2.add(f64x2.splat(5.9727027639480026226e02), f64x2.mul(f64x2.splat(9.3506656132177855979e01), y));
  const n67 = f64x2.add(f64x2.splat(8.8831497943883759412e00), f64x2.mul(f64x2.splat(3.9894151208813466764e-1), y));
  const n03 = f64x2.add(n01, f64x2.mul(n23, y2));
  const n47 = f64x2.add(n45, f64x2.mul(n67, y2));
  return f64x2.add(f64x2.add(n03, f64x2.mul(n47, y4)), f64x2.mul(f64x2.splat(1.0765576773720192317e-8), y8));
}

// @ts-ignore: decorator
@inline
function middleDenV(y: v128, y2: v128, y4: v128, y8: v128): v128 {
  const d01 = f64x2.add(f64x2.splat(1.9685429676859990727e04), f64x2.mul(f64x2.splat(3.8912003286093271411e04), y));
  const d23 = f64x2.add(f64x2.splat(3.4900952721145977266e04), f64x2.mul(f64x2.splat(1.8615571640885098091e04), y));
  const d45 = f64x2.add(f64x2.splat(6.4855582982667607550e03), f64x2.mul(f64x2.splat(1.5193775994075548050e03), y));
  const d67 = f64x2.add(f64x2.splat(2.3538790178262499861e02), f64x2.mul(f64x2.splat(2.2266688044328115691e01), y));
  const d03 = f64x2.add(d01, f64x2.mul(d23, y2));
  const d47 = f64x2.add(d45, f64x2.mul(d67, y2));
  return f64x2.add(f64x2.add(d03, f64x2.mul(d47, y4)), y8);
}

/**
 * N(d)'s rational part per lane: Cody's central x P(x^2)/Q(x^2) where y <= THRSH (then
 * N = 0.5 + ratio), else the middle R(y) (tail = phi(y) R(y)). Only the forms some lane
 * needs are evaluated; the branches follow the data of one option, which seldom straddles
 * the boundary, so they predict well.
 */
// @ts-ignore: decorator
@inline
function cdfRatioV(d: v128, y: v128, central: v128): v128 {
  let num: v128;
  let den: v128;
  const lanes = i64x2.bitmask(central);
  if (lanes == 0) {
    const y2 = f64x2.mul(y, y);
    const y4 = f64x2.mul(y2, y2);
    const y8 = f64x2.mul(y4, y4);
    num = middleNumV(y, y2, y4, y8);
    den = middleDenV(y, y2, y4, y8);
  } else if (lanes == 3) {
    const z = f64x2.mul(d, d);
    const z2 = f64x2.mul(z, z);
    num = centralNumV(d, z, z2);
    den = centralDenV(z, z2);
  } else {
    const y2 = f64x2.mul(y, y);
    const y4 = f64x2.mul(y2, y2);
    const y8 = f64x2.mul(y4, y4);
    const z = f64x2.mul(d, d);
    const z2 = f64x2.mul(z, z);
    num = v128.bitselect(centralNumV(d, z, z2), middleNumV(y, y2, y4, y8), central);
    den = v128.bitselect(centralDenV(z, z2), middleDenV(y, y2, y4, y8), central);
  }
  return f64x2.div(num, den);
}

/**
 * Value of the option in two scenarios (lanes), from the log-returns x and spots S.
 * shareMode 0: phi(d2) from the BSM identity; 1: its own exp; 2: per lane, own where
 * sq > SQ_SHARE_MAX (the general path, where sq varies by scenario).
 */
// @ts-ignore: decorator
@inline
function bsmPairV(isCall: bool, shareMode: i32, a: v128, inv: v128, sq: v128, x: v128, S: v128, Kdf: v128): v128 {
  const ymax = f64x2.splat(Y_MAX);
  const th = f64x2.splat(THRSH);
  const zero = f64x2.splat(0.0);
  const half = f64x2.splat(0.5);
  const d1 = f64x2.mul(f64x2.add(a, x), inv);
  const d2 = f64x2.sub(d1, sq);
  const y1 = f64x2.pmin(f64x2.abs(d1), ymax);
  const y2 = f64x2.pmin(f64x2.abs(d2), ymax);
  const A1 = f64x2.mul(S, expGaussV(y1));
  let A2 = A1;
  if (shareMode == 1) {
    A2 = f64x2.mul(Kdf, expGaussV(y2));
  } else if (shareMode == 2) {
    const own = f64x2.gt(sq, f64x2.splat(SQ_SHARE_MAX)); // false for NaN, like the twin
    if (v128.any_true(own)) A2 = v128.bitselect(f64x2.mul(Kdf, expGaussV(y2)), A1, own);
  }
  const c1 = f64x2.le(y1, th);
  const c2 = f64x2.le(y2, th);
  const r1 = cdfRatioV(d1, y1, c1);
  const r2 = cdfRatioV(d2, y2, c2);
  const t1 = f64x2.mul(A1, r1); // S' x upper tail of |d1|
  const t2 = f64x2.mul(A2, r2); // Kdf x upper tail of |d2|
  const p1 = f64x2.gt(d1, zero);
  const p2 = f64x2.gt(d2, zero);
  if (isCall) {
    // S' N(d1) - Kdf N(d2)
    const u1 = v128.bitselect(f64x2.mul(S, f64x2.add(half, r1)), v128.bitselect(f64x2.sub(S, t1), t1, p1), c1);
    const u2 = v128.bitselect(f64x2.mul(Kdf, f64x2.add(half, r2)), v128.bitselect(f64x2.sub(Kdf, t2), t2, p2), c2);
    return f64x2.sub(u1, u2);
  }
  // Kdf N(-d2) - S' N(-d1)
  const l1 = v128.bitselect(f64x2.mul(S, f64x2.sub(half, r1)), v128.bitselect(t1, f64x2.sub(S, t1), p1), c1);
  const l2 = v128.bitselect(f64x2.mul(Kdf, f64x2.sub(half, r2)), v128.bitselect(t2, f64x2.sub(Kdf, t2), p2), c2);
  return f64x2.sub(l2, l1);
}

/** Options at tau <= 0: intrinsic value max(S' - K, 0) or max(K - S', 0), as pmax (NaN stays). */
// @ts-ignore: decorator
@inline
function intrinsicRow(isCall: bool, K: f64, v0: f64, m: f64, spotRow: usize, C: i32, dst: usize): void {
  const Kv = f64x2.splat(K);
  const v0v = f64x2.splat(v0);
  const mv = f64x2.splat(m);
  const zero = f64x2.splat(0.0);
  for (let s = 0; s < C; s += 2) {
    const at = <usize>s << 3;
    const S = s + 1 < C ? v128.load(spotRow + at) : f64x2.splat(load<f64>(spotRow + at));
    const V = f64x2.pmax(isCall ? f64x2.sub(S, Kv) : f64x2.sub(Kv, S), zero);
    const out = f64x2.mul(mv, f64x2.sub(V, v0v));
    if (s + 1 < C) v128.store(dst + at, out);
    else v128.store64_lane(dst + at, out, 0);
  }
}

/** One option row with the per-option terms hoisted (fixed vol). */
// @ts-ignore: decorator
@inline
function fixedRow(
  isCall: bool, shareMode: i32, a: f64, inv: f64, sq: f64, Kdf: f64, v0: f64, m: f64,
  retRow: usize, spotRow: usize, C: i32, dst: usize,
): void {
  const av = f64x2.splat(a);
  const invv = f64x2.splat(inv);
  const sqv = f64x2.splat(sq);
  const Kv = f64x2.splat(Kdf);
  const v0v = f64x2.splat(v0);
  const mv = f64x2.splat(m);
  const cEven = C & ~1;
  const cQuad = C & ~3;
  let s = 0;
  // Two pairs per iteration: the exp's dependency chain of one pair overlaps the other's.
  for (; s < cQuad; s += 4) {
    const at = <usize>s << 3;
    const Va = bsmPairV(isCall, shareMode, av, invv, sqv, v128.load(retRow + at), v128.load(spotRow + at), Kv);
    const Vb = bsmPairV(isCall, shareMode, av, invv, sqv, v128.load(retRow + at, 16), v128.load(spotRow + at, 16), Kv);
    v128.store(dst + at, f64x2.mul(mv, f64x2.sub(Va, v0v)));
    v128.store(dst + at, f64x2.mul(mv, f64x2.sub(Vb, v0v)), 16);
  }
  for (; s < cEven; s += 2) {
    const at = <usize>s << 3;
    const V = bsmPairV(isCall, shareMode, av, invv, sqv, v128.load(retRow + at), v128.load(spotRow + at), Kv);
    v128.store(dst + at, f64x2.mul(mv, f64x2.sub(V, v0v)));
  }
  if (s < C) {
    const at = <usize>s << 3;
    const x = f64x2.splat(load<f64>(retRow + at));
    const V = bsmPairV(isCall, shareMode, av, invv, sqv, x, f64x2.splat(load<f64>(spotRow + at)), Kv);
    v128.store64_lane(dst + at, f64x2.mul(mv, f64x2.sub(V, v0v)), 0);
  }
}

/** d1's terms for two scenarios with their own vol shifts: (a, 1 / sq, sq) as in fixedRow. */
// @ts-ignore: decorator
@inline
function shiftedPairV(
  isCall: bool, ivv: v128, stv: v128, lnv: v128, rv: v128, tv: v128, Kv: v128, x: v128, S: v128, sh: v128,
): v128 {
  const sig = f64x2.pmax(f64x2.add(ivv, sh), f64x2.splat(SIG_FLOOR));
  const sq = f64x2.mul(sig, stv);
  const inv = f64x2.div(f64x2.splat(1.0), sq);
  const a = f64x2.add(lnv, f64x2.mul(f64x2.add(rv, f64x2.mul(f64x2.mul(f64x2.splat(0.5), sig), sig)), tv));
  return bsmPairV(isCall, 2, a, inv, sq, x, S, Kv);
}

/** One option row with a per-scenario vol shift. */
// @ts-ignore: decorator
@inline
function shiftedRow(
  isCall: bool, iv: f64, sqrtTau: f64, lnSK: f64, rate: f64, tau: f64, Kdf: f64, v0: f64, m: f64,
  retRow: usize, spotRow: usize, ivShiftPtr: usize, C: i32, dst: usize,
): void {
  const ivv = f64x2.splat(iv);
  const stv = f64x2.splat(sqrtTau);
  const lnv = f64x2.splat(lnSK);
  const rv = f64x2.splat(rate);
  const tv = f64x2.splat(tau);
  const Kv = f64x2.splat(Kdf);
  const v0v = f64x2.splat(v0);
  const mv = f64x2.splat(m);
  const cEven = C & ~1;
  const cQuad = C & ~3;
  let s = 0;
  // Two pairs per iteration, as in fixedRow.
  for (; s < cQuad; s += 4) {
    const at = <usize>s << 3;
    const Va = shiftedPairV(isCall, ivv, stv, lnv, rv, tv, Kv, v128.load(retRow + at), v128.load(spotRow + at), v128.load(ivShiftPtr + at));
    const Vb = shiftedPairV(isCall, ivv, stv, lnv, rv, tv, Kv, v128.load(retRow + at, 16), v128.load(spotRow + at, 16), v128.load(ivShiftPtr + at, 16));
    v128.store(dst + at, f64x2.mul(mv, f64x2.sub(Va, v0v)));
    v128.store(dst + at, f64x2.mul(mv, f64x2.sub(Vb, v0v)), 16);
  }
  for (; s < cEven; s += 2) {
    const at = <usize>s << 3;
    const V = shiftedPairV(isCall, ivv, stv, lnv, rv, tv, Kv, v128.load(retRow + at), v128.load(spotRow + at), v128.load(ivShiftPtr + at));
    v128.store(dst + at, f64x2.mul(mv, f64x2.sub(V, v0v)));
  }
  if (s < C) {
    const at = <usize>s << 3;
    const V = shiftedPairV(isCall, ivv, stv, lnv, rv, tv, Kv, f64x2.splat(load<f64>(retRow + at)),
      f64x2.splat(load<f64>(spotRow + at)), f64x2.splat(load<f64>(ivShiftPtr + at)));
    v128.store64_lane(dst + at, f64x2.mul(mv, f64x2.sub(V, v0v)), 0);
  }
}

/**
 * Black–Scholes–Merton P&L per unit of European options (no dividend), implied vol
 * iv[j] + ivShift[s] floored at 1e-4 per scenario. Moneyness comes from lnSK + x (x = the
 * scenario's log-return, spot = S0 e^x) rather than ln(S'/K). At tau = 0: intrinsic value.
 * Bit for bit the same as revalueOptionsFixedIv where the shift is the same, which it calls
 * when every shift of the block has the same bits.
 */
export function revalueOptions(
  nOpt: i32, undPtr: usize, isCallPtr: usize, strikePtr: usize, lnSKPtr: usize, ivPtr: usize,
  tauPtr: usize, value0Ptr: usize, multPtr: usize, rate: f64, retPtr: usize, spotPtr: usize,
  ivShiftPtr: usize, C: i32, outPtr: usize,
): void {
  // One shift for the whole block (every Monte Carlo set): the fixed-vol kernel, same bits.
  if (C > 0) {
    const first = load<i64>(ivShiftPtr);
    let uniform = true;
    for (let s = 1; s < C; s++) {
      if (load<i64>(ivShiftPtr + (<usize>s << 3)) != first) {
        uniform = false;
        break;
      }
    }
    if (uniform) {
      revalueOptionsFixedIv(
        nOpt, undPtr, isCallPtr, strikePtr, lnSKPtr, ivPtr, tauPtr, value0Ptr, multPtr, rate, retPtr, spotPtr,
        load<f64>(ivShiftPtr), C, outPtr,
      );
      return;
    }
  }
  for (let j = 0; j < nOpt; j++) {
    const u = load<i32>(undPtr + (<usize>j << 2));
    const isCall = load<i32>(isCallPtr + (<usize>j << 2)) != 0;
    const K = load<f64>(strikePtr + (<usize>j << 3));
    const lnSK = load<f64>(lnSKPtr + (<usize>j << 3));
    const iv = load<f64>(ivPtr + (<usize>j << 3));
    const tau = load<f64>(tauPtr + (<usize>j << 3));
    const v0 = load<f64>(value0Ptr + (<usize>j << 3));
    const m = load<f64>(multPtr + (<usize>j << 3));
    const spotRow = spotPtr + (<usize>(u * C) << 3);
    const retRow = retPtr + (<usize>(u * C) << 3);
    const dst = outPtr + (<usize>(j * C) << 3);
    if (tau <= 0.0) {
      intrinsicRow(isCall, K, v0, m, spotRow, C, dst);
      continue;
    }
    const sqrtTau = Math.sqrt(tau);
    const Kdf = K * expSplit(-rate * tau, 0.0);
    if (isCall) shiftedRow(true, iv, sqrtTau, lnSK, rate, tau, Kdf, v0, m, retRow, spotRow, ivShiftPtr, C, dst);
    else shiftedRow(false, iv, sqrtTau, lnSK, rate, tau, Kdf, v0, m, retRow, spotRow, ivShiftPtr, C, dst);
  }
}

/**
 * revalueOptions for a block whose scenarios all shift the implied vol by the same ivShift
 * (Monte Carlo sets): vol, sqrt(tau), 1/(sig sqrt tau), the drift and K e^{-r tau} are
 * computed once per option, so the cell loop has no division but the CDFs' and no sqrt or
 * log. Same bits as revalueOptions with ivShift[s] = ivShift for every s.
 */
export function revalueOptionsFixedIv(
  nOpt: i32, undPtr: usize, isCallPtr: usize, strikePtr: usize, lnSKPtr: usize, ivPtr: usize,
  tauPtr: usize, value0Ptr: usize, multPtr: usize, rate: f64, retPtr: usize, spotPtr: usize,
  ivShift: f64, C: i32, outPtr: usize,
): void {
  for (let j = 0; j < nOpt; j++) {
    const u = load<i32>(undPtr + (<usize>j << 2));
    const isCall = load<i32>(isCallPtr + (<usize>j << 2)) != 0;
    const K = load<f64>(strikePtr + (<usize>j << 3));
    const lnSK = load<f64>(lnSKPtr + (<usize>j << 3));
    const iv = load<f64>(ivPtr + (<usize>j << 3));
    const tau = load<f64>(tauPtr + (<usize>j << 3));
    const v0 = load<f64>(value0Ptr + (<usize>j << 3));
    const m = load<f64>(multPtr + (<usize>j << 3));
    const spotRow = spotPtr + (<usize>(u * C) << 3);
    const retRow = retPtr + (<usize>(u * C) << 3);
    const dst = outPtr + (<usize>(j * C) << 3);
    if (tau <= 0.0) {
      intrinsicRow(isCall, K, v0, m, spotRow, C, dst);
      continue;
    }
    const sqrtTau = Math.sqrt(tau);
    const Kdf = K * expSplit(-rate * tau, 0.0);
    // Lane-wise pmax with the floor is Math.max here: NaN stays NaN, the floor is positive.
    let sig = iv + ivShift;
    sig = sig < SIG_FLOOR ? SIG_FLOOR : sig;
    const sq = sig * sqrtTau;
    const inv = 1.0 / sq;
    const a = lnSK + (rate + 0.5 * sig * sig) * tau;
    // sq > SQ_SHARE_MAX is false for NaN: a NaN vol shares, and every value is NaN anyway.
    const shared = !(sq > SQ_SHARE_MAX);
    if (isCall) {
      if (shared) fixedRow(true, 0, a, inv, sq, Kdf, v0, m, retRow, spotRow, C, dst);
      else fixedRow(true, 1, a, inv, sq, Kdf, v0, m, retRow, spotRow, C, dst);
    } else {
      if (shared) fixedRow(false, 0, a, inv, sq, Kdf, v0, m, retRow, spotRow, C, dst);
      else fixedRow(false, 1, a, inv, sq, Kdf, v0, m, retRow, spotRow, C, dst);
    }
  }
}
