import { describe, expect, it } from 'vitest';
import { aggregateRows } from '../../src/kernels/aggregate.js';
import { kernels, randomF64, rng } from './helpers.js';

type K = ReturnType<typeof kernels>;

function wasmAggregate(
  k: K,
  offsets: Int32Array,
  index: Int32Array,
  weight: Float64Array,
  rowsIn: Float64Array,
  C: number,
): Float64Array {
  k.reset();
  const nOut = offsets.length - 1;
  const out = k.alloc(nOut * C * 8);
  // Poison the output: the kernel must overwrite, not accumulate into, what is there.
  k.f64(out, nOut * C).fill(12345);
  k.exports.aggregateRows(nOut, k.putI32(offsets), k.putI32(index), k.putF64(weight), k.putF64(rowsIn), C, out);
  return k.f64(out, nOut * C).slice();
}

function twinAggregate(
  offsets: Int32Array,
  index: Int32Array,
  weight: Float64Array,
  rowsIn: Float64Array,
  C: number,
): Float64Array {
  const nOut = offsets.length - 1;
  const out = new Float64Array(nOut * C).fill(-999);
  aggregateRows(nOut, offsets, index, weight, rowsIn, C, out);
  return out;
}

describe('aggregateRows', () => {
  const k = kernels();

  it('hand-computed: two accounts from three instruments, odd C exercises the scalar tail', () => {
    // Instrument rows (C = 3): i0 = [1, 2, 3], i1 = [10, 20, 30], i2 = [-1, 0, 0.5]
    const rowsIn = new Float64Array([1, 2, 3, 10, 20, 30, -1, 0, 0.5]);
    // Account 0 = 2*i0 - 1*i2; account 1 = 0.5*i1 + 3*i0; account 2 holds nothing.
    const offsets = new Int32Array([0, 2, 4, 4]);
    const index = new Int32Array([0, 2, 1, 0]);
    const weight = new Float64Array([2, -1, 0.5, 3]);
    const want = [3, 4, 5.5, 8, 16, 24, 0, 0, 0];
    expect(Array.from(twinAggregate(offsets, index, weight, rowsIn, 3))).toEqual(want);
    expect(Array.from(wasmAggregate(k, offsets, index, weight, rowsIn, 3))).toEqual(want);
  });

  it('sums in ascending h from 0.0 (order matters in floating point)', () => {
    // 1e16 + 1 - 1e16 = 0 in this order, but 1 in another: the kernel must follow CSR order.
    const rowsIn = new Float64Array([1e16, 1, -1e16, 7, 7, 7]); // C = 2: rows [1e16,1], [-1e16,7], [7,7]
    const offsets = new Int32Array([0, 3]);
    const index = new Int32Array([0, 2, 1]);
    const weight = new Float64Array([1, 1 / 7, 1]);
    const want = [1e16 + 1 + -1e16, 1 + 1 + 7];
    expect(Array.from(twinAggregate(offsets, index, weight, rowsIn, 2))).toEqual(want);
    expect(Array.from(wasmAggregate(k, offsets, index, weight, rowsIn, 2))).toEqual(want);
    expect(want[0]).toBe(0);
  });

  it.each([1, 2, 7, 12, 25, 64, 513])(
    'wasm equals twin bit for bit on random CSR (C = %i: blocks of 12, pairs, a single)',
    (C) => {
      const next = rng(C);
      const nIn = 50,
        nOut = 20;
      const counts = Array.from({ length: nOut }, () => Math.floor(next() * 8));
      const offsets = new Int32Array(nOut + 1);
      for (let a = 0; a < nOut; a++) offsets[a + 1] = offsets[a] + counts[a];
      const nnz = offsets[nOut];
      const index = Int32Array.from({ length: nnz }, () => Math.floor(next() * nIn));
      const weight = Float64Array.from({ length: nnz }, () => (next() - 0.5) * 10 ** Math.floor(next() * 8));
      const rowsIn = Float64Array.from({ length: nIn * C }, () => (next() - 0.5) * 10 ** Math.floor(next() * 12));
      const a = wasmAggregate(k, offsets, index, weight, rowsIn, C);
      const b = twinAggregate(offsets, index, weight, rowsIn, C);
      for (let q = 0; q < a.length; q++) {
        if (!Object.is(a[q], b[q])) throw new Error(`cell ${q}: ${a[q]} != ${b[q]}`);
      }
      // And against a naive reference written independently of both.
      for (let r = 0; r < nOut; r++) {
        for (let s = 0; s < C; s++) {
          let acc = 0;
          for (let h = offsets[r]; h < offsets[r + 1]; h++) acc += weight[h] * rowsIn[index[h] * C + s];
          expect(a[r * C + s]).toBe(acc);
        }
      }
    },
  );

  it('portfolio from accounts with unit weights equals the plain sum', () => {
    const next = rng(3);
    const C = 11;
    const rowsIn = randomF64(3 * C, next, -100, 100);
    const out = wasmAggregate(k, new Int32Array([0, 3]), new Int32Array([0, 1, 2]), new Float64Array([1, 1, 1]), rowsIn, C);
    for (let s = 0; s < C; s++) expect(out[s]).toBe(0 + rowsIn[s] + rowsIn[C + s] + rowsIn[2 * C + s]);
  });
});
