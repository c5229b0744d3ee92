// Shared fixtures for the kernel tests: one WASM instance per test file and a small
// deterministic PRNG for random inputs (independent of the Philox under test).
import { instantiateKernels, type WasmKernels } from '../../src/kernels/wasm.js';

export function kernels(): WasmKernels {
  return instantiateKernels();
}

/** mulberry32: tiny seeded PRNG for test inputs only. */
export function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export function randomF64(n: number, next: () => number, lo = -1, hi = 1): Float64Array {
  const out = new Float64Array(n);
  for (let k = 0; k < n; k++) out[k] = lo + (hi - lo) * next();
  return out;
}

/** Largest |a - b| / max(|b|, floor) over two arrays of equal length. */
export function maxRelDiff(a: ArrayLike<number>, b: ArrayLike<number>, floor = 1e-300): number {
  if (a.length !== b.length) throw new Error(`length ${a.length} != ${b.length}`);
  let worst = 0;
  for (let k = 0; k < a.length; k++) {
    if (Number.isNaN(a[k]) || Number.isNaN(b[k])) return Infinity;
    const d = Math.abs(a[k] - b[k]) / Math.max(Math.abs(b[k]), floor);
    if (d > worst) worst = d;
  }
  return worst;
}
