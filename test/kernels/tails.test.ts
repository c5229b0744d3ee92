import { describe, expect, it } from 'vitest';
import { tailsPush, tailsSort, tailsSorted } from '../../src/kernels/tails.js';
import { kernels, rng } from './helpers.js';

type K = ReturnType<typeof kernels>;

/** Twin-side tail state for nSeries series of capacity cap. */
class TwinTails {
  val: Float64Array;
  idx: Float64Array;
  size: Int32Array;
  constructor(
    readonly nSeries: number,
    readonly cap: number,
  ) {
    this.val = new Float64Array(nSeries * cap);
    this.idx = new Float64Array(nSeries * cap);
    this.size = new Int32Array(nSeries);
  }
}

/** The same state inside a WASM instance; pointers stay valid, views are taken fresh. */
class WasmTails {
  valPtr: number;
  idxPtr: number;
  sizePtr: number;
  thPtr: number;
  rowsPtr: number;
  constructor(
    private k: K,
    readonly nSeries: number,
    readonly cap: number,
    maxC: number,
    threshold: Float64Array,
  ) {
    this.valPtr = k.alloc(nSeries * cap * 8);
    this.idxPtr = k.alloc(nSeries * cap * 8);
    this.sizePtr = k.alloc(nSeries * 4);
    k.i32(this.sizePtr, nSeries).fill(0);
    this.thPtr = k.putF64(threshold);
    this.rowsPtr = k.alloc(nSeries * maxC * 8);
  }
  push(rows: Float64Array, C: number, start: number, sign: number): number {
    this.k.f64(this.rowsPtr, rows.length).set(rows);
    return this.k.exports.tailsPush(
      this.nSeries,
      this.rowsPtr,
      C,
      start,
      sign,
      this.cap,
      this.valPtr,
      this.idxPtr,
      this.sizePtr,
      this.thPtr,
    );
  }
  state(): TwinTails {
    const t = new TwinTails(this.nSeries, this.cap);
    t.val.set(this.k.f64(this.valPtr, this.nSeries * this.cap));
    t.idx.set(this.k.f64(this.idxPtr, this.nSeries * this.cap));
    t.size.set(this.k.i32(this.sizePtr, this.nSeries));
    return t;
  }
}

/** Brute force: all (loss, index) of series r, filtered by threshold, sorted, first cap. */
function bruteForce(pnl: Float64Array, nSeries: number, S: number, r: number, sign: number, cap: number, th: number) {
  const all: Array<[number, number]> = [];
  for (let i = 0; i < S; i++) {
    const L = sign * pnl[r * S + i];
    if (L >= th) all.push([L, i]);
  }
  all.sort((a, b) => (a[0] !== b[0] ? b[0] - a[0] : a[1] - b[1]));
  const kept = all.slice(0, cap);
  return { values: kept.map((e) => e[0]), indices: kept.map((e) => e[1]) };
}

/** Columns [a, b) of an nSeries x S matrix as an nSeries x (b - a) block. */
function block(pnl: Float64Array, nSeries: number, S: number, a: number, b: number): Float64Array {
  const out = new Float64Array(nSeries * (b - a));
  for (let r = 0; r < nSeries; r++) out.set(pnl.subarray(r * S + a, r * S + b), r * (b - a));
  return out;
}

function sameState(a: TwinTails, b: TwinTails): void {
  expect(Array.from(a.size)).toEqual(Array.from(b.size));
  for (let q = 0; q < a.val.length; q++) {
    const r = Math.floor(q / a.cap);
    if (q % a.cap >= a.size[r]) continue; // slots past the size are never written
    if (!Object.is(a.val[q], b.val[q]) || a.idx[q] !== b.idx[q]) throw new Error(`heap slot ${q} differs`);
  }
}

describe('tailsPush', () => {
  const k = kernels();
  const S = 1000;
  const nSeries = 4;
  // Losses with heavy ties: P&L drawn from 25 integer levels (plus -0 and 0 together).
  const next = rng(2024);
  const pnl = Float64Array.from({ length: nSeries * S }, () => {
    const v = Math.floor(next() * 25) - 12;
    return v === 0 && next() < 0.5 ? -0 : v;
  });
  const chunkings = [
    [0, S],
    [0, 1, 300, 301, 777, S],
    [0, 128, 256, 384, 512, 640, 768, 896, S],
  ];
  const caps = [1, 5, 37, 200, 1500];
  const thresholds = [
    new Float64Array(nSeries).fill(-Infinity),
    new Float64Array([3, -Infinity, 11, 13]), // 13 exceeds every loss: series 3 stays empty
  ];

  for (const cap of caps) {
    for (const [ci, cuts] of chunkings.entries()) {
      for (const [ti, th] of thresholds.entries()) {
        it(`cap ${cap}, chunking ${ci}, thresholds ${ti}: wasm = twin = brute force`, () => {
          k.reset();
          const twin = new TwinTails(nSeries, cap);
          const wasm = new WasmTails(k, nSeries, cap, S, th);
          for (let c = 0; c + 1 < cuts.length; c++) {
            const [a, b] = [cuts[c], cuts[c + 1]];
            const rows = block(pnl, nSeries, S, a, b);
            expect(tailsPush(nSeries, rows, b - a, a, -1, cap, twin.val, twin.idx, twin.size, th)).toBe(-1);
            expect(wasm.push(rows, b - a, a, -1)).toBe(-1);
          }
          sameState(wasm.state(), twin);
          for (let r = 0; r < nSeries; r++) {
            const want = bruteForce(pnl, nSeries, S, r, -1, cap, th[r]);
            const got = tailsSorted(twin.val, twin.idx, twin.size, r, cap);
            expect(Array.from(got.values)).toEqual(want.values);
            expect(Array.from(got.indices)).toEqual(want.indices);
          }
        });
      }
    }
  }

  // Long rows and large capacities exercise every path of the batch resolution: one-by-one
  // offers, pooled quickselect + heapify, several batches per row (rows longer than a batch),
  // and capacities too large to pool (always one by one).
  it.each([
    [1, 9000, 7],
    [40, 9000, 7],
    [500, 9000, 3],
    [3000, 9000, 3],
    [13000, 30000, 2],
    [64, 100, 5],
  ])('cap %i, %i scenarios in chunks of ~S/%i: wasm = twin slot for slot = brute force', (cap, S2, parts) => {
    const next2 = rng(cap + S2);
    const ns = 3;
    // Continuous losses, a few ties, rising drift so late scenarios keep entering the heap.
    const pnl2 = Float64Array.from({ length: ns * S2 }, (_, q) => {
      const i = q % S2;
      return next2() < 0.01 ? -7 : -(next2() * 1000 + i * 0.01);
    });
    const th = new Float64Array([-Infinity, -Infinity, 600]);
    k.reset();
    const twin = new TwinTails(ns, cap);
    const wasm = new WasmTails(k, ns, cap, S2, th);
    const cuts = [0];
    for (let p = 1; p < parts; p++) cuts.push(Math.floor((S2 * p) / parts) + p);
    cuts.push(S2);
    for (let c = 0; c + 1 < cuts.length; c++) {
      const [a, b] = [cuts[c], cuts[c + 1]];
      const rows = block(pnl2, ns, S2, a, b);
      expect(tailsPush(ns, rows, b - a, a, -1, cap, twin.val, twin.idx, twin.size, th)).toBe(-1);
      expect(wasm.push(rows, b - a, a, -1)).toBe(-1);
      sameState(wasm.state(), twin);
    }
    for (let r = 0; r < ns; r++) {
      const want = bruteForce(pnl2, ns, S2, r, -1, cap, th[r]);
      const got = tailsSorted(twin.val, twin.idx, twin.size, r, cap);
      expect(Array.from(got.values)).toEqual(want.values);
      expect(Array.from(got.indices)).toEqual(want.indices);
    }
  });

  it('sign: with sign +1 the rows themselves are the losses', () => {
    const cap = 3;
    const rows = new Float64Array([5, -2, 9, 9, 1]);
    const t = new TwinTails(1, cap);
    tailsPush(1, rows, 5, 100, 1, cap, t.val, t.idx, t.size, new Float64Array([-Infinity]));
    const got = tailsSorted(t.val, t.idx, t.size, 0, cap);
    expect(Array.from(got.values)).toEqual([9, 9, 5]);
    expect(Array.from(got.indices)).toEqual([102, 103, 100]);
  });

  it.each([
    [NaN, 2, 5],
    [Infinity, 1, 0],
    [-Infinity, 3, 7],
    [NaN, 0, 9],
  ])('non-finite %d in series %i (column %i) is reported before any threshold test', (bad, series, col) => {
    const C = 10;
    const rows = new Float64Array(nSeries * C).fill(1);
    rows[series * C + col] = bad;
    // A later series holds a NaN too: the first one must be reported.
    if (series < nSeries - 1) rows[(nSeries - 1) * C + 2] = NaN;
    // Thresholds above every loss: nothing would be kept, the check must still fire.
    const th = new Float64Array(nSeries).fill(1e300);
    const t = new TwinTails(nSeries, 4);
    expect(tailsPush(nSeries, rows, C, 0, -1, 4, t.val, t.idx, t.size, th)).toBe(series);
    k.reset();
    const w = new WasmTails(k, nSeries, 4, C, th);
    expect(w.push(rows, C, 0, -1)).toBe(series);
  });

  it('tailsSorted orders by loss descending then index ascending', () => {
    const val = new Float64Array([1, 3, 3, 2, 99]);
    const idx = new Float64Array([4, 9, 2, 7, 99]);
    const got = tailsSorted(val, idx, 4, 0, 5);
    expect(Array.from(got.values)).toEqual([3, 3, 2, 1]);
    expect(Array.from(got.indices)).toEqual([2, 9, 7, 4]);
  });
});

describe('tailsSort', () => {
  const k = kernels();

  // Full buffers (heaps), partial ones (arrival order), empty ones and a capacity of 1, with
  // heavy ties: the sort must order each series' slots by rank, in place, as the twin does.
  it.each([
    [1, 50],
    [7, 200],
    [64, 1000],
    [300, 1000],
    [2000, 1500],
    // Beyond the WASM kernel's pool (16,384 records): its heapsort path.
    [17000, 20000],
  ])('cap %i over %i scenarios: wasm = twin slot for slot = the reference order', (cap, S) => {
    const ns = 5;
    const next = rng(cap * 7 + S);
    const pnl = Float64Array.from({ length: ns * S }, () => (next() < 0.3 ? -Math.floor(next() * 10) : -next() * 100));
    // Series 3 keeps nothing (its threshold is above every loss). Series 4's later P&L are
    // large gains, losses below its threshold: it keeps only its first cap / 2 scenarios, so
    // its buffer stays partial, in arrival order.
    const th = new Float64Array([-Infinity, -Infinity, 50, 1e9, -1e8]);
    k.reset();
    const twin = new TwinTails(ns, cap);
    const wasm = new WasmTails(k, ns, cap, S, th);
    const rows = pnl.slice();
    for (let i = Math.max(1, cap >> 1); i < S; i++) rows[4 * S + i] = 1e9;
    expect(tailsPush(ns, rows, S, 0, -1, cap, twin.val, twin.idx, twin.size, th)).toBe(-1);
    expect(wasm.push(rows, S, 0, -1)).toBe(-1);
    const before = wasm.state();
    const want = Array.from({ length: ns }, (_, r) => tailsSorted(before.val, before.idx, before.size, r, cap));
    tailsSort(ns, cap, twin.val, twin.idx, twin.size);
    k.exports.tailsSort(ns, cap, wasm.valPtr, wasm.idxPtr, wasm.sizePtr);
    const after = wasm.state();
    sameState(after, twin);
    for (let r = 0; r < ns; r++) {
      const n = after.size[r];
      expect(Array.from(after.val.subarray(r * cap, r * cap + n))).toEqual(Array.from(want[r].values));
      expect(Array.from(after.idx.subarray(r * cap, r * cap + n))).toEqual(Array.from(want[r].indices));
    }
    expect(after.size[3]).toBe(0);
    expect(after.size[4]).toBe(Math.max(1, cap >> 1));
  });
});
