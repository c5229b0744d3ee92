// Full revaluation of instruments under a block of C scenarios. Scenario blocks are
// underlying-major (spot[u*C + s]) so that the inner loop over scenarios is contiguous.
import { normCdf } from "./normal";

/** Linear P&L per unit: out[j*C + s] = mult[j] * (spot[und[j]*C + s] - spot0[und[j]]). */
export function revalueLinear(
  nInst: i32, undPtr: usize, multPtr: usize, spot0Ptr: usize, spotPtr: usize, C: i32, outPtr: usize,
): void {
  for (let j = 0; j < nInst; j++) {
    const u = load<i32>(undPtr + (<usize>j << 2));
    const m = load<f64>(multPtr + (<usize>j << 3));
    const s0 = load<f64>(spot0Ptr + (<usize>u << 3));
    const src = spotPtr + (<usize>(u * C) << 3);
    const dst = outPtr + (<usize>(j * C) << 3);
    for (let s = 0; s < C; s++) {
      const at = <usize>s << 3;
      store<f64>(dst + at, m * (load<f64>(src + at) - s0));
    }
  }
}

/**
 * Black–Scholes–Merton P&L per unit of European options (no dividend). The moneyness of a
 * scenario comes from lnSK + x rather than ln(S'/K), which saves a log per cell and keeps
 * the log-return exact. At tau = 0 the option is worth its intrinsic value.
 */
export function revalueOptions(
  nOpt: i32, undPtr: usize, isCallPtr: usize, strikePtr: usize, lnSKPtr: usize, ivPtr: usize,
  tauPtr: usize, value0Ptr: usize, multPtr: usize, rate: f64, retPtr: usize, spotPtr: usize,
  ivShiftPtr: usize, C: i32, outPtr: usize,
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
      for (let s = 0; s < C; s++) {
        const at = <usize>s << 3;
        const S = load<f64>(spotRow + at);
        const V = isCall ? Math.max(S - K, 0.0) : Math.max(K - S, 0.0);
        store<f64>(dst + at, m * (V - v0));
      }
      continue;
    }
    const sqrtTau = Math.sqrt(tau);
    const df = Math.exp(-rate * tau);
    const Kdf = K * df;
    for (let s = 0; s < C; s++) {
      const at = <usize>s << 3;
      const S = load<f64>(spotRow + at);
      const x = load<f64>(retRow + at);
      const sig = Math.max(iv + load<f64>(ivShiftPtr + at), 1e-4);
      const sq = sig * sqrtTau;
      const d1 = (lnSK + x + (rate + 0.5 * sig * sig) * tau) / sq;
      const d2 = d1 - sq;
      // Calls and puts share N(d1), N(d2) so that put-call parity holds cell by cell.
      const n1 = normCdf(d1);
      const n2 = normCdf(d2);
      const V = isCall ? S * n1 - Kdf * n2 : Kdf * (1.0 - n2) - S * (1.0 - n1);
      store<f64>(dst + at, m * (V - v0));
    }
  }
}
