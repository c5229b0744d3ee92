// TypeScript twin of assembly/revalue.ts: full revaluation under a block of C scenarios,
// underlying-major (spot[u*C + s]). Every cell performs the operations of one WASM f64x2
// lane in the same order, so the two agree bit for bit. See the WASM file for the method.
import { expGauss, expSplit } from "./exp.js";

/** Linear P&L per unit: out[j*C + s] = mult[j] * (spot[und[j]*C + s] - spot0[und[j]]). */
export function revalueLinear(
  nInst: number, und: Int32Array, mult: Float64Array, spot0: Float64Array, spot: Float64Array,
  C: number, out: Float64Array,
): void {
  for (let j = 0; j < nInst; j++) {
    const u = und[j];
    const m = mult[j];
    const s0 = spot0[u];
    const src = u * C;
    const dst = j * C;
    for (let s = 0; s < C; s++) out[dst + s] = m * (spot[src + s] - s0);
  }
}

const THRSH = 0.66291;
const Y_MAX = 37.0;
const SQ_SHARE_MAX = 20.0;
/** The floor of iv + ivMove (contract section 2); the WASM kernels floor at the same value. */
export const SIG_FLOOR = 1e-4;

/** |d| clamped at Y_MAX; NaN stays NaN (the WASM pmin). */
function clampY(d: number): number {
  const y = Math.abs(d);
  return Y_MAX < y ? Y_MAX : y;
}

/**
 * N(d)'s rational part: Cody's central x P(x^2)/Q(x^2) for y <= THRSH, else the middle R(y),
 * both by Estrin's scheme exactly as the WASM lanes evaluate them.
 */
function cdfRatio(d: number, y: number): number {
  if (y <= THRSH) {
    const z = d * d;
    const z2 = z * z;
    const z4 = z2 * z2;
    const n01 = 1.8154981253343561249e04 + 1.0676894854603709582e03 * z;
    const n23 = 1.6102823106855587881e02 + 2.2352520354606839287e00 * z;
    const num = d * ((n01 + n23 * z2) + 6.5682337918207449113e-2 * z4);
    const d01 = 4.5507789335026729956e04 + 1.0260932208618978205e04 * z;
    const d23 = 9.7609855173777669322e02 + 4.7202581904688241870e01 * z;
    return num / ((d01 + d23 * z2) + z4);
  }
  const y2 = y * y;
  const y4 = y2 * y2;
  const y8 = y4 * y4;
  const n01 = 9.8427148383839780218e03 + 1.1602651437647350124e04 * y;
  const n23 = 6.8481904505362823326e03 + 2.4945375852903726711e03 * y;
  const n45 = 5.9727027639480026226e02 + 9.3506656132177855979e01 * y;
  const n67 = 8.8831497943883759412e00 + 3.9894151208813466764e-1 * y;
  const num = ((n01 + n23 * y2) + (n45 + n67 * y2) * y4) + 1.0765576773720192317e-8 * y8;
  const d01 = 1.9685429676859990727e04 + 3.8912003286093271411e04 * y;
  const d23 = 3.4900952721145977266e04 + 1.8615571640885098091e04 * y;
  const d45 = 6.4855582982667607550e03 + 1.5193775994075548050e03 * y;
  const d67 = 2.3538790178262499861e02 + 2.2266688044328115691e01 * y;
  return num / (((d01 + d23 * y2) + (d45 + d67 * y2) * y4) + y8);
}

/** One cell's value; A1 = S' phi(d1), A2 = Kdf phi(d2) (the same number when shared). */
function bsmValue(call: boolean, d1: number, d2: number, S: number, Kdf: number, A1: number, A2: number): number {
  const y1 = clampY(d1);
  const y2 = clampY(d2);
  const c1 = y1 <= THRSH;
  const c2 = y2 <= THRSH;
  const r1 = cdfRatio(d1, y1);
  const r2 = cdfRatio(d2, y2);
  const t1 = A1 * r1;
  const t2 = A2 * r2;
  if (call) {
    const u1 = c1 ? S * (0.5 + r1) : d1 > 0.0 ? S - t1 : t1;
    const u2 = c2 ? Kdf * (0.5 + r2) : d2 > 0.0 ? Kdf - t2 : t2;
    return u1 - u2;
  }
  const l1 = c1 ? S * (0.5 - r1) : d1 > 0.0 ? t1 : S - t1;
  const l2 = c2 ? Kdf * (0.5 - r2) : d2 > 0.0 ? t2 : Kdf - t2;
  return l2 - l1;
}

function intrinsicRow(call: boolean, K: number, v0: number, m: number, spot: Float64Array, row: number, C: number, out: Float64Array, dst: number): void {
  for (let s = 0; s < C; s++) {
    const S = spot[row + s];
    const d = call ? S - K : K - S;
    const V = d < 0.0 ? 0.0 : d;
    out[dst + s] = m * (V - v0);
  }
}

/**
 * Black–Scholes–Merton P&L per unit of European options (no dividend), implied vol
 * iv[j] + ivShift[s] floored at 1e-4. Moneyness comes from lnSK + x (x = the scenario's
 * log-return, spot = S0 e^x). At tau = 0: intrinsic value.
 */
export function revalueOptions(
  nOpt: number, und: Int32Array, isCall: Int32Array, strike: Float64Array, lnSK: Float64Array,
  iv: Float64Array, tau: Float64Array, value0: Float64Array, mult: Float64Array, rate: number,
  ret: Float64Array, spot: Float64Array, ivShift: Float64Array, C: number, out: Float64Array,
): void {
  // One shift for the whole block: the fixed-vol kernel (same bits), as the WASM kernel does.
  if (C > 0) {
    let uniform = true;
    for (let s = 1; s < C; s++) {
      if (!Object.is(ivShift[s], ivShift[0])) {
        uniform = false;
        break;
      }
    }
    if (uniform) {
      revalueOptionsFixedIv(nOpt, und, isCall, strike, lnSK, iv, tau, value0, mult, rate, ret, spot, ivShift[0], C, out);
      return;
    }
  }
  for (let j = 0; j < nOpt; j++) {
    const u = und[j];
    const call = isCall[j] !== 0;
    const K = strike[j];
    const lnSKj = lnSK[j];
    const ivj = iv[j];
    const tauj = tau[j];
    const v0 = value0[j];
    const m = mult[j];
    const row = u * C;
    const dst = j * C;
    if (tauj <= 0.0) {
      intrinsicRow(call, K, v0, m, spot, row, C, out, dst);
      continue;
    }
    const sqrtTau = Math.sqrt(tauj);
    const Kdf = K * expSplit(-rate * tauj, 0.0);
    for (let s = 0; s < C; s++) {
      const x = ret[row + s];
      const S = spot[row + s];
      let sig = ivj + ivShift[s];
      sig = sig < SIG_FLOOR ? SIG_FLOOR : sig;
      const sq = sig * sqrtTau;
      const inv = 1.0 / sq;
      const a = lnSKj + (rate + 0.5 * sig * sig) * tauj;
      const d1 = (a + x) * inv;
      const d2 = d1 - sq;
      const A1 = S * expGauss(clampY(d1));
      const A2 = sq > SQ_SHARE_MAX ? Kdf * expGauss(clampY(d2)) : A1;
      out[dst + s] = m * (bsmValue(call, d1, d2, S, Kdf, A1, A2) - v0);
    }
  }
}

/**
 * revalueOptions with the same ivShift for every scenario of the block (Monte Carlo sets):
 * the per-option terms are hoisted out of the cell loop. Same bits as revalueOptions.
 */
export function revalueOptionsFixedIv(
  nOpt: number, und: Int32Array, isCall: Int32Array, strike: Float64Array, lnSK: Float64Array,
  iv: Float64Array, tau: Float64Array, value0: Float64Array, mult: Float64Array, rate: number,
  ret: Float64Array, spot: Float64Array, ivShift: number, C: number, out: Float64Array,
): void {
  for (let j = 0; j < nOpt; j++) {
    const u = und[j];
    const call = isCall[j] !== 0;
    const K = strike[j];
    const tauj = tau[j];
    const v0 = value0[j];
    const m = mult[j];
    const row = u * C;
    const dst = j * C;
    if (tauj <= 0.0) {
      intrinsicRow(call, K, v0, m, spot, row, C, out, dst);
      continue;
    }
    const sqrtTau = Math.sqrt(tauj);
    const Kdf = K * expSplit(-rate * tauj, 0.0);
    let sig = iv[j] + ivShift;
    sig = sig < SIG_FLOOR ? SIG_FLOOR : sig;
    const sq = sig * sqrtTau;
    const inv = 1.0 / sq;
    const a = lnSK[j] + (rate + 0.5 * sig * sig) * tauj;
    const shared = !(sq > SQ_SHARE_MAX);
    for (let s = 0; s < C; s++) {
      const x = ret[row + s];
      const S = spot[row + s];
      const d1 = (a + x) * inv;
      const d2 = d1 - sq;
      const A1 = S * expGauss(clampY(d1));
      const A2 = shared ? A1 : Kdf * expGauss(clampY(d2));
      out[dst + s] = m * (bsmValue(call, d1, d2, S, Kdf, A1, A2) - v0);
    }
  }
}
