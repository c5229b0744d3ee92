// TypeScript twin of assembly/revalue.ts: full revaluation under a block of C scenarios,
// underlying-major (spot[u*C + s]).
import { normCdf } from "./normal.js";

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

/**
 * Black–Scholes–Merton P&L per unit of European options (no dividend). Moneyness comes from
 * lnSK + x (x = the scenario's log-return) rather than ln(S'/K). At tau = 0: intrinsic value.
 */
export function revalueOptions(
  nOpt: number, und: Int32Array, isCall: Int32Array, strike: Float64Array, lnSK: Float64Array,
  iv: Float64Array, tau: Float64Array, value0: Float64Array, mult: Float64Array, rate: number,
  ret: Float64Array, spot: Float64Array, ivShift: Float64Array, C: number, out: Float64Array,
): void {
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
      for (let s = 0; s < C; s++) {
        const S = spot[row + s];
        const V = call ? Math.max(S - K, 0.0) : Math.max(K - S, 0.0);
        out[dst + s] = m * (V - v0);
      }
      continue;
    }
    const sqrtTau = Math.sqrt(tauj);
    const df = Math.exp(-rate * tauj);
    const Kdf = K * df;
    for (let s = 0; s < C; s++) {
      const S = spot[row + s];
      const x = ret[row + s];
      const sig = Math.max(ivj + ivShift[s], 1e-4);
      const sq = sig * sqrtTau;
      const d1 = (lnSKj + x + (rate + 0.5 * sig * sig) * tauj) / sq;
      const d2 = d1 - sq;
      // Calls and puts share N(d1), N(d2) so that put-call parity holds cell by cell.
      const n1 = normCdf(d1);
      const n2 = normCdf(d2);
      const V = call ? S * n1 - Kdf * n2 : Kdf * (1.0 - n2) - S * (1.0 - n1);
      out[dst + s] = m * (V - v0);
    }
  }
}
