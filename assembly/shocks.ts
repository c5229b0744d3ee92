// Monte Carlo log-return shocks: correlated normals, optionally turned into a multivariate
// Student-t by one chi-square mixing variable per scenario.
import {
  philox10, philox10x2, philox10x4, philoxW0, philoxW1, philoxW2, philoxW3, philoxX, philoxX2, philoxY, philoxY2,
  uniform53, uniform53x2,
} from "./philox";
import { normCentralV, normInv, normTailMaskV, normTailV } from "./normal";
import { expV } from "./exp";
import { logd } from "./log";

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

// Scratch for a block of scenarios' independent normals, G[k * B + s] (k-major, so the factor
// product reads scenario pairs contiguously), their Student-t scales and the positions of
// normals that fall in a tail. Static, so that a kernel call never moves the heap (which
// would detach the caller's views); ranks above G_STATIC_VALUES / 2 borrow from the heap.
// @ts-ignore: decorator
@inline const G_STATIC_VALUES: i32 = 4096; // 32 KiB: a block's normals stay in L1
// @ts-ignore: decorator
@inline const B_MAX: i32 = 256;
const gStatic: usize = memory.data(G_STATIC_VALUES << 3, 16);
const tailStatic: usize = memory.data(G_STATIC_VALUES << 2, 16);
const tStatic: usize = memory.data(B_MAX << 3, 16);

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
    if (u2 < 1.0 - 0.0331 * (xx * xx) || logd(u2) < 0.5 * xx + d * (1.0 - v + logd(v))) {
      return 2.0 * d * v;
    }
  }
  return 2.0 * d;
}

/**
 * Shocks for scenarios start .. start+count-1 of one set. ret and spot are n x count,
 * underlying-major (ret[u*count + s]). factor is n x rank row-major (C' = F F^T).
 * dof = 0 gives normal shocks; dof > 2 a Student-t scaled to unit variance.
 *
 * Scenarios go in blocks of B (G holds B x rank normals), each in tight passes whose
 * iterations are independent, so the out-of-order core overlaps their long dependency
 * chains: (1) Philox, two counters per i32x4 state and two states per loop, to uniforms;
 * (2) normInv's central rational over all of them in f64x2, collecting the positions of
 * tail values branch-free; (3) the tail formula (logV, sqrt, rational) over those positions,
 * two at a time; (4) the Student-t scale per scenario (scalar chi-square draws); (5) the
 * factor product, four scenarios at a time; (6) spot = S0 e^x in f64x2. Every lane does
 * exactly the scalar twin's operations, so the two agree to the last bit.
 */
export function mcShocks(
  seedLo: u32, seedHi: u32, setId: u32, start: u32, count: i32, n: i32, rank: i32,
  factorPtr: usize, scalePtr: usize, dof: f64, spot0Ptr: usize, retPtr: usize, spotPtr: usize,
): void {
  shocks(seedLo, seedHi, setId, start, 0, count, n, rank, factorPtr, scalePtr, dof, spot0Ptr, retPtr, spotPtr);
}

/**
 * mcShocks for the listed scenarios (count u32 indices at indicesPtr, in any order): column s is
 * scenario indices[s], with the bits it has in any range (what attribution regenerates).
 */
export function mcShocksAt(
  seedLo: u32, seedHi: u32, setId: u32, indicesPtr: usize, count: i32, n: i32, rank: i32,
  factorPtr: usize, scalePtr: usize, dof: f64, spot0Ptr: usize, retPtr: usize, spotPtr: usize,
): void {
  shocks(seedLo, seedHi, setId, 0, indicesPtr, count, n, rank, factorPtr, scalePtr, dof, spot0Ptr, retPtr, spotPtr);
}

/** Scenario index of column s: start + s, or the s-th listed index. */
// @ts-ignore: decorator
@inline function scenarioAt(start: u32, indicesPtr: usize, s: i32): u32 {
  return indicesPtr != 0 ? load<u32>(indicesPtr + (<usize>s << 2)) : start + <u32>s;
}

function shocks(
  seedLo: u32, seedHi: u32, setId: u32, start: u32, indicesPtr: usize, count: i32, n: i32, rank: i32,
  factorPtr: usize, scalePtr: usize, dof: f64, spot0Ptr: usize, retPtr: usize, spotPtr: usize,
): void {
  if (count <= 0 || n <= 0) return;
  // Block length: even, G within G_STATIC_VALUES where the rank allows.
  let B = min(B_MAX, G_STATIC_VALUES / max(rank, 1)) & ~1;
  if (B < 2) B = 2;
  const heapScratch = B * rank > G_STATIC_VALUES;
  const g: usize = heapScratch ? heap.alloc(<usize>(B * rank) << 3) : gStatic;
  const tails: usize = heapScratch ? heap.alloc(<usize>(B * rank) << 2) : tailStatic;
  const tv: usize = tStatic;
  const studentT = dof > 0.0;
  const d = dof * 0.5 - 1.0 / 3.0;
  const c = 1.0 / Math.sqrt(9.0 * d);
  const pairs = rank >> 1;
  const rowBytes = <usize>B << 3;
  for (let s0 = 0; s0 < count; s0 += B) {
    const nb = min(B, count - s0);
    const nb2 = (nb + 1) & ~1; // an odd last scenario fills its pair with a duplicate
    // (1) uniforms: G[2b] and G[2b + 1] from block b of each scenario.
    for (let s = 0; s < nb2; s += 2) {
      const iA: u32 = scenarioAt(start, indicesPtr, s0 + s);
      const iB: u32 = s + 1 < nb ? scenarioAt(start, indicesPtr, s0 + s + 1) : iA;
      const col = g + (<usize>s << 3);
      let b = 0;
      for (; b + 2 <= pairs; b += 2) {
        philox10x4(iA, iB, <u32>b, setId, STREAM_NORMALS, seedLo, seedHi);
        const x = philoxX;
        const y = philoxY;
        const x2 = philoxX2;
        const y2 = philoxY2;
        const at = col + <usize>(b << 1) * rowBytes;
        v128.store(at, uniform53x2(x, y));
        v128.store(at + rowBytes, uniform53x2(i32x4.shuffle(x, x, 2, 3, 2, 3), i32x4.shuffle(y, y, 2, 3, 2, 3)));
        v128.store(at + 2 * rowBytes, uniform53x2(x2, y2));
        v128.store(at + 3 * rowBytes, uniform53x2(i32x4.shuffle(x2, x2, 2, 3, 2, 3), i32x4.shuffle(y2, y2, 2, 3, 2, 3)));
      }
      if (b < pairs) {
        philox10x2(iA, iB, <u32>b, setId, STREAM_NORMALS, seedLo, seedHi);
        const x = philoxX;
        const y = philoxY;
        const at = col + <usize>(b << 1) * rowBytes;
        v128.store(at, uniform53x2(x, y));
        v128.store(at + rowBytes, uniform53x2(i32x4.shuffle(x, x, 2, 3, 2, 3), i32x4.shuffle(y, y, 2, 3, 2, 3)));
      }
      if (rank & 1) {
        philox10x2(iA, iB, <u32>pairs, setId, STREAM_NORMALS, seedLo, seedHi);
        v128.store(col + <usize>(rank - 1) * rowBytes, uniform53x2(philoxX, philoxY));
      }
    }
    // (2) central rational everywhere; tail lanes keep their uniform and join the list.
    let nTail = 0;
    for (let k = 0; k < rank; k++) {
      const row = g + <usize>k * rowBytes;
      const rowIndex = k * B;
      for (let s = 0; s < nb2; s += 2) {
        const at = row + (<usize>s << 3);
        const p = v128.load(at);
        const tail = normTailMaskV(p);
        v128.store(at, v128.bitselect(p, normCentralV(p), tail));
        const bits = i64x2.bitmask(tail);
        store<i32>(tails + (<usize>nTail << 2), rowIndex + s);
        nTail += bits & 1;
        store<i32>(tails + (<usize>nTail << 2), rowIndex + s + 1);
        nTail += bits >> 1;
      }
    }
    // (3) tails, two positions at a time (an odd last one twice).
    for (let e = 0; e < nTail; e += 2) {
      const a0 = g + (<usize>load<i32>(tails + (<usize>e << 2)) << 3);
      const a1 = e + 1 < nTail ? g + (<usize>load<i32>(tails + (<usize>(e + 1) << 2)) << 3) : a0;
      const z = normTailV(f64x2.replace_lane(f64x2.splat(load<f64>(a0)), 1, load<f64>(a1)));
      v128.store64_lane(a1, z, 1);
      v128.store64_lane(a0, z, 0);
    }
    // (4) Student-t scales.
    if (studentT) {
      for (let s = 0; s < nb; s++) {
        store<f64>(tv + (<usize>s << 3), Math.sqrt((dof - 2.0) / chi2Draw(scenarioAt(start, indicesPtr, s0 + s), setId, seedLo, seedHi, d, c)));
      }
      if (nb < nb2) store<f64>(tv + (<usize>nb << 3), load<f64>(tv + (<usize>(nb - 1) << 3)));
    }
    // (5) x = scale[u] (y t), y = sum over k of factor[u][k] g[k], k ascending from 0.
    const nb4 = nb2 & ~3;
    for (let u = 0; u < n; u++) {
      const frow = factorPtr + (<usize>(u * rank) << 3);
      const sc = f64x2.splat(load<f64>(scalePtr + (<usize>u << 3)));
      const dst = retPtr + (<usize>(u * count + s0) << 3);
      let s = 0;
      for (; s < nb4; s += 4) {
        let y0 = f64x2.splat(0.0);
        let y1 = f64x2.splat(0.0);
        let col = g + (<usize>s << 3);
        for (let k = 0; k < rank; k++) {
          const f = f64x2.splat(load<f64>(frow + (<usize>k << 3)));
          y0 = f64x2.add(y0, f64x2.mul(f, v128.load(col)));
          y1 = f64x2.add(y1, f64x2.mul(f, v128.load(col, 16)));
          col += rowBytes;
        }
        if (studentT) {
          y0 = f64x2.mul(y0, v128.load(tv + (<usize>s << 3)));
          y1 = f64x2.mul(y1, v128.load(tv + (<usize>s << 3), 16));
        }
        const at = dst + (<usize>s << 3);
        if (s + 4 <= nb) {
          v128.store(at, f64x2.mul(sc, y0));
          v128.store(at, f64x2.mul(sc, y1), 16);
        } else { // nb odd: scenarios s, s + 1, s + 2 only
          v128.store(at, f64x2.mul(sc, y0));
          v128.store64_lane(at, f64x2.mul(sc, y1), 0, 16);
        }
      }
      if (s < nb2) {
        let y0 = f64x2.splat(0.0);
        let col = g + (<usize>s << 3);
        for (let k = 0; k < rank; k++) {
          y0 = f64x2.add(y0, f64x2.mul(f64x2.splat(load<f64>(frow + (<usize>k << 3))), v128.load(col)));
          col += rowBytes;
        }
        if (studentT) y0 = f64x2.mul(y0, v128.load(tv + (<usize>s << 3)));
        const at = dst + (<usize>s << 3);
        if (s + 2 <= nb) v128.store(at, f64x2.mul(sc, y0));
        else v128.store64_lane(at, f64x2.mul(sc, y0), 0);
      }
    }
    // (6) spot = S0 e^x.
    const nbEven = nb & ~1;
    for (let u = 0; u < n; u++) {
      const s0v = f64x2.splat(load<f64>(spot0Ptr + (<usize>u << 3)));
      const src = retPtr + (<usize>(u * count + s0) << 3);
      const dst = spotPtr + (<usize>(u * count + s0) << 3);
      let s = 0;
      for (; s < nbEven; s += 2) {
        const at = <usize>s << 3;
        v128.store(dst + at, f64x2.mul(s0v, expV(v128.load(src + at))));
      }
      if (s < nb) {
        const at = <usize>s << 3;
        v128.store64_lane(dst + at, f64x2.mul(s0v, expV(f64x2.splat(load<f64>(src + at)))), 0);
      }
    }
  }
  if (heapScratch) {
    heap.free(tails);
    heap.free(g);
  }
}
