// tailComponentLosses: the WASM kernel against its TypeScript twin (bit for bit), and both
// against a hand-computed case and an exact sum (BigInt rationals are overkill: the compensated
// sum of a few terms of known value is exact).
import { describe, expect, it } from 'vitest';
import { tailComponentLosses } from '../../src/kernels/attribution.js';
import { mcShocks } from '../../src/kernels/shocks.js';
import { kernels, randomF64, rng } from './helpers.js';

type K = ReturnType<typeof kernels>;

interface Case {
  count: number;
  rows: Float64Array;
  pairOff: Int32Array;
  pairBase: number;
  pairUnit: Int32Array;
  unitOff: Int32Array;
  slotRow: Int32Array;
  slotQty: Float64Array;
  sum: Float64Array;
  comp: Float64Array;
}

function wasm(k: K, c: Case): { sum: Float64Array; comp: Float64Array } {
  k.reset();
  const n = c.sum.length;
  const sum = k.putF64(c.sum);
  const comp = k.putF64(c.comp);
  k.exports.tailComponentLosses(
    c.count,
    k.putF64(c.rows),
    k.putI32(c.pairOff),
    c.pairBase,
    k.putI32(c.pairUnit),
    k.putI32(c.unitOff),
    k.putI32(c.slotRow),
    k.putF64(c.slotQty),
    sum,
    comp,
  );
  return { sum: k.f64(sum, n).slice(), comp: k.f64(comp, n).slice() };
}

function twin(c: Case): { sum: Float64Array; comp: Float64Array } {
  const sum = c.sum.slice();
  const comp = c.comp.slice();
  tailComponentLosses(c.count, c.rows, c.pairOff, c.pairBase, c.pairUnit, c.unitOff, c.slotRow, c.slotQty, sum, comp);
  return { sum, comp };
}

describe('tailComponentLosses', () => {
  const k = kernels();

  it('hand-computed: two units, three scenarios, a scenario in both tails', () => {
    // rows (2 x 3): row 0 = [1, 2, 3], row 1 = [10, 20, 30]
    const c: Case = {
      count: 3,
      rows: new Float64Array([1, 2, 3, 10, 20, 30]),
      // scenario 0: unit 0; scenario 1: none; scenario 2: units 0 and 1 (offsets from a base of 5)
      pairOff: new Int32Array([5, 6, 6, 8]),
      pairBase: 5,
      pairUnit: new Int32Array([0, 0, 1]),
      // unit 0: slots 0 (row 0, qty 2), 1 (row 1, qty -1); unit 1: slot 2 (row 1, qty 4)
      unitOff: new Int32Array([0, 2, 3]),
      slotRow: new Int32Array([0, 1, 1]),
      slotQty: new Float64Array([2, -1, 4]),
      sum: new Float64Array([100, 0, 0]),
      comp: new Float64Array(3),
    };
    const want = [100 - 2 * 1 - 2 * 3, 10 + 30, -4 * 30];
    for (const got of [wasm(k, c), twin(c)]) {
      expect(Array.from(got.sum)).toEqual(want);
      expect(Array.from(got.comp)).toEqual([0, 0, 0]);
    }
  });

  it('compensates: 1e16 + 1 + 1 - 1e16 comes out as 2', () => {
    const c: Case = {
      count: 4,
      rows: new Float64Array([-1e16, -1, -1, 1e16]),
      pairOff: new Int32Array([0, 1, 2, 3, 4]),
      pairBase: 0,
      pairUnit: new Int32Array([0, 0, 0, 0]),
      unitOff: new Int32Array([0, 1]),
      slotRow: new Int32Array([0]),
      slotQty: new Float64Array([1]),
      sum: new Float64Array(1),
      comp: new Float64Array(1),
    };
    for (const got of [wasm(k, c), twin(c)]) expect(got.sum[0] + got.comp[0]).toBe(2);
  });

  it('random books: the same bits as the twin', () => {
    const next = rng(17);
    for (let trial = 0; trial < 20; trial++) {
      const count = 1 + Math.floor(next() * 40);
      const nRows = 1 + Math.floor(next() * 30);
      const nUnits = 1 + Math.floor(next() * 12);
      const unitOff = new Int32Array(nUnits + 1);
      for (let u = 0; u < nUnits; u++) unitOff[u + 1] = unitOff[u] + Math.floor(next() * 9);
      const nSlots = unitOff[nUnits];
      const slotRow = Int32Array.from({ length: nSlots }, () => Math.floor(next() * nRows));
      const pairs: number[] = [];
      const pairOff = [0];
      for (let s = 0; s < count; s++) {
        for (let u = 0; u < nUnits; u++) if (next() < 0.4) pairs.push(u);
        pairOff.push(pairs.length);
      }
      const c: Case = {
        count,
        rows: randomF64(nRows * count, next, -1e6, 1e6),
        pairOff: Int32Array.from(pairOff),
        pairBase: 0,
        pairUnit: Int32Array.from(pairs),
        unitOff,
        slotRow,
        slotQty: randomF64(nSlots, next, -50, 50),
        sum: randomF64(nSlots, next, -1e3, 1e3),
        comp: randomF64(nSlots, next, -1e-10, 1e-10),
      };
      const w = wasm(k, c);
      const t = twin(c);
      expect(Array.from(w.sum), `trial ${trial}`).toEqual(Array.from(t.sum));
      expect(Array.from(w.comp), `trial ${trial}`).toEqual(Array.from(t.comp));
    }
  });
});

describe('mcShocksAt', () => {
  const k = kernels();

  it('gives each listed scenario the bits it has in a range, normal and Student-t', () => {
    const n = 3;
    const rank = 3;
    const factor = new Float64Array([1, 0, 0, 0.5, 0.8, 0, 0.2, 0.3, 0.9]);
    const scale = new Float64Array([0.02, 0.03, 0.05]);
    const spot0 = new Float64Array([100, 10, 1]);
    for (const dof of [0, 4]) {
      const count = 40;
      const ret = new Float64Array(n * count);
      const spot = new Float64Array(n * count);
      mcShocks(7, 0, 3, 1000, count, n, rank, factor, scale, dof, spot0, ret, spot);
      const picks = [39, 0, 7, 7, 20];
      k.reset();
      const idx = k.putI32(picks);
      const f = k.putF64(factor);
      const sc = k.putF64(scale);
      const s0 = k.putF64(spot0);
      const r = k.alloc(n * picks.length * 8);
      const sp = k.alloc(n * picks.length * 8);
      k.exports.mcShocksAt(7, 0, 3, idx, picks.length, n, rank, f, sc, dof, s0, r, sp);
      // The listed scenarios are 1000 + pick: shift the picks into the set's indices.
      const listed = k.f64(r, n * picks.length).slice();
      k.reset();
      const idx2 = k.putI32(picks.map((p) => 1000 + p));
      const f2 = k.putF64(factor);
      const sc2 = k.putF64(scale);
      const s02 = k.putF64(spot0);
      const r2 = k.alloc(n * picks.length * 8);
      const sp2 = k.alloc(n * picks.length * 8);
      k.exports.mcShocksAt(7, 0, 3, idx2, picks.length, n, rank, f2, sc2, dof, s02, r2, sp2);
      const got = k.f64(r2, n * picks.length).slice();
      const gotSpot = k.f64(sp2, n * picks.length).slice();
      picks.forEach((p, s) => {
        for (let u = 0; u < n; u++) {
          expect(got[u * picks.length + s], `dof ${dof} scenario ${p} underlying ${u}`).toBe(ret[u * count + p]);
          expect(gotSpot[u * picks.length + s]).toBe(spot[u * count + p]);
        }
      });
      // Scenarios 0..44 listed from 0 are not those from 1000.
      expect(listed[0]).not.toBe(got[0]);
    }
  });
});
