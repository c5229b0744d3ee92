// Monte Carlo log-return shocks: correlated normals, optionally turned into a multivariate
// Student-t by one chi-square mixing variable per scenario.
import { philox10, philoxW0, philoxW1, philoxW2, philoxW3, uniform53 } from "./philox";
import { normInv } from "./normal";

// Third counter word tells the two streams of a scenario apart, so adding a Student-t mix
// never changes the normals a scenario draws.
// @ts-ignore: decorator
@inline const STREAM_NORMALS: u32 = 0;
// @ts-ignore: decorator
@inline const STREAM_CHI2: u32 = 1;
// Marsaglia–Tsang accepts ~98% of proposals for shape > 1; 256 rejections in a row is
// beyond any realistic run, and the fallback (the mode of the gamma) is still finite.
// @ts-ignore: decorator
@inline const MT_MAX_ITER: u32 = 256;

// Scratch for one scenario's independent normals, static so that a kernel call never moves
// the heap (which would detach the caller's views); larger ranks borrow from the heap.
// @ts-ignore: decorator
@inline const G_STATIC_CAP: i32 = 2048;
const gStatic: usize = memory.data(G_STATIC_CAP << 3);

/**
 * chi2(dof) draw for scenario i: 2 * Gamma(dof / 2) by Marsaglia & Tsang (2000), "A simple
 * method for generating gamma variables". Needs dof / 2 > 1 (callers guarantee dof > 2).
 */
// @ts-ignore: decorator
@inline
function chi2Draw(i: u32, setId: u32, seedLo: u32, seedHi: u32, d: f64, c: f64): f64 {
  for (let j: u32 = 0; j < MT_MAX_ITER; j++) {
    philox10(i, j, setId, STREAM_CHI2, seedLo, seedHi);
    const x = normInv(uniform53(philoxW0, philoxW1));
    const u2 = uniform53(philoxW2, philoxW3);
    let v = 1.0 + c * x;
    if (v <= 0.0) continue;
    v = v * v * v;
    const xx = x * x;
    if (u2 < 1.0 - 0.0331 * (xx * xx) || Math.log(u2) < 0.5 * xx + d * (1.0 - v + Math.log(v))) {
      return 2.0 * d * v;
    }
  }
  return 2.0 * d;
}

/**
 * Shocks for scenarios start .. start+count-1 of one set. ret and spot are n x count,
 * underlying-major (ret[u*count + s]). factor is n x rank row-major (C' = F F^T).
 * dof = 0 gives normal shocks; dof > 2 a Student-t scaled to unit variance.
 */
export function mcShocks(
  seedLo: u32, seedHi: u32, setId: u32, start: u32, count: i32, n: i32, rank: i32,
  factorPtr: usize, scalePtr: usize, dof: f64, spot0Ptr: usize, retPtr: usize, spotPtr: usize,
): void {
  if (count <= 0 || n <= 0) return;
  const heapScratch = rank > G_STATIC_CAP;
  const g: usize = heapScratch ? heap.alloc(<usize>rank << 3) : gStatic;
  const studentT = dof > 0.0;
  const d = dof * 0.5 - 1.0 / 3.0;
  const c = 1.0 / Math.sqrt(9.0 * d);
  const pairs = rank >> 1;
  for (let s = 0; s < count; s++) {
    const i: u32 = start + <u32>s;
    for (let b = 0; b < pairs; b++) {
      philox10(i, <u32>b, setId, STREAM_NORMALS, seedLo, seedHi);
      store<f64>(g + (<usize>(b << 1) << 3), normInv(uniform53(philoxW0, philoxW1)));
      store<f64>(g + (<usize>((b << 1) + 1) << 3), normInv(uniform53(philoxW2, philoxW3)));
    }
    if (rank & 1) {
      philox10(i, <u32>pairs, setId, STREAM_NORMALS, seedLo, seedHi);
      store<f64>(g + (<usize>(rank - 1) << 3), normInv(uniform53(philoxW0, philoxW1)));
    }
    let t: f64 = 1.0;
    if (studentT) {
      const w = chi2Draw(i, setId, seedLo, seedHi, d, c);
      t = Math.sqrt((dof - 2.0) / w);
    }
    for (let u = 0; u < n; u++) {
      const row = factorPtr + (<usize>(u * rank) << 3);
      let y: f64 = 0.0;
      for (let k = 0; k < rank; k++) {
        y += load<f64>(row + (<usize>k << 3)) * load<f64>(g + (<usize>k << 3));
      }
      const z = studentT ? y * t : y;
      const x = load<f64>(scalePtr + (<usize>u << 3)) * z;
      const at = <usize>(u * count + s) << 3;
      store<f64>(retPtr + at, x);
      store<f64>(spotPtr + at, load<f64>(spot0Ptr + (<usize>u << 3)) * Math.exp(x));
    }
  }
  if (heapScratch) heap.free(g);
}
