// TypeScript twin of assembly/shocks.ts: Monte Carlo log-return shocks, correlated normals
// optionally mixed into a multivariate Student-t by one chi-square draw per scenario.
import { philox4x32, uniform53 } from "./philox.js";
import { normInv } from "./normal.js";
import { expd } from "./exp.js";
import { logd } from "./log.js";

// Third counter word tells the two streams of a scenario apart, so adding a Student-t mix
// never changes the normals a scenario draws.
const STREAM_NORMALS = 0;
const STREAM_CHI2 = 1;
// Marsaglia–Tsang accepts ~98% of proposals for shape > 1; the cap only bounds the loop.
const MT_MAX_ITER = 256;

/**
 * chi2(dof) draw for scenario i: 2 * Gamma(dof / 2) by Marsaglia & Tsang (2000), with
 * d = dof/2 - 1/3 and c = 1/sqrt(9d) precomputed by the caller.
 */
function chi2Draw(
  i: number, setId: number, seedLo: number, seedHi: number, d: number, c: number, w: Uint32Array,
): number {
  for (let j = 0; j < MT_MAX_ITER; j++) {
    philox4x32(i, j, setId, STREAM_CHI2, seedLo, seedHi, w);
    const x = normInv(uniform53(w[0], w[1]));
    const u2 = uniform53(w[2], w[3]);
    let v = 1.0 + c * x;
    if (v <= 0.0) continue;
    v = v * v * v;
    const xx = x * x;
    if (u2 < 1.0 - 0.0331 * (xx * xx) || logd(u2) < 0.5 * xx + d * (1.0 - v + logd(v))) {
      return 2.0 * d * v;
    }
  }
  return 2.0 * d;
}

/**
 * Shocks for scenarios start .. start+count-1 of one set. ret and spot are n x count,
 * underlying-major (ret[u*count + s]); factor is n x rank row-major (C' = F F^T).
 * dof = 0 gives normal shocks; dof > 2 a Student-t scaled to unit variance. With `indices`,
 * the listed scenarios instead (start is then ignored).
 */
export function mcShocks(
  seedLo: number, seedHi: number, setId: number, start: number, count: number, n: number,
  rank: number, factor: Float64Array, scale: Float64Array, dof: number, spot0: Float64Array,
  ret: Float64Array, spot: Float64Array, indices?: ArrayLike<number>,
): void {
  if (count <= 0 || n <= 0) return;
  const w = new Uint32Array(4);
  const g = new Float64Array(rank);
  const studentT = dof > 0.0;
  const d = dof * 0.5 - 1.0 / 3.0;
  const c = 1.0 / Math.sqrt(9.0 * d);
  const pairs = rank >> 1;
  for (let s = 0; s < count; s++) {
    // With `indices`, column s is scenario indices[s] (the WASM kernel's mcShocksAt).
    const i = (indices ? indices[s] : start + s) >>> 0;
    for (let b = 0; b < pairs; b++) {
      philox4x32(i, b, setId, STREAM_NORMALS, seedLo, seedHi, w);
      g[2 * b] = normInv(uniform53(w[0], w[1]));
      g[2 * b + 1] = normInv(uniform53(w[2], w[3]));
    }
    if (rank & 1) {
      philox4x32(i, pairs, setId, STREAM_NORMALS, seedLo, seedHi, w);
      g[rank - 1] = normInv(uniform53(w[0], w[1]));
    }
    let t = 1.0;
    if (studentT) {
      t = Math.sqrt((dof - 2.0) / chi2Draw(i, setId, seedLo, seedHi, d, c, w));
    }
    for (let u = 0; u < n; u++) {
      const row = u * rank;
      let y = 0.0;
      for (let k = 0; k < rank; k++) y += factor[row + k] * g[k];
      const z = studentT ? y * t : y;
      const x = scale[u] * z;
      ret[u * count + s] = x;
      spot[u * count + s] = spot0[u] * expd(x);
    }
  }
}
