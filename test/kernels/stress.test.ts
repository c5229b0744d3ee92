// coverScan (Cover-1 and Cover-2 per chunk): the WASM kernel against its TypeScript twin, bit for
// bit on random chunks with ties, and both against a hand-computed case and a brute force that
// sorts every scenario's uncovered losses.
import { describe, expect, it } from 'vitest';
import { coverScan, COVER_WIDTH, emptyCoverState } from '../../src/kernels/stress.js';
import { kernels, rng } from './helpers.js';

type K = ReturnType<typeof kernels>;

interface Case {
  nPort: number;
  portSeries: Int32Array;
  collateral: Float64Array;
  series: Float64Array;
  C: number;
  start: number;
}

function wasm(k: K, c: Case, state: Float64Array): Float64Array {
  k.reset();
  const s = k.putF64(state);
  k.exports.coverScan(
    c.nPort,
    k.putI32(c.portSeries),
    k.putF64(c.collateral),
    k.putF64(c.series),
    c.C,
    c.start,
    k.alloc(c.C * 8),
    k.alloc(c.C * 4),
    k.alloc(c.C * 8),
    k.alloc(c.C * 4),
    s,
  );
  return k.f64(s, COVER_WIDTH).slice();
}

function twin(c: Case, state: Float64Array): Float64Array {
  const out = state.slice();
  coverScan(
    c.nPort,
    c.portSeries,
    c.collateral,
    c.series,
    c.C,
    c.start,
    new Float64Array(c.C),
    new Int32Array(c.C),
    new Float64Array(c.C),
    new Int32Array(c.C),
    out,
  );
  return out;
}

/** Every scenario's uncovered losses sorted (largest first, ties to the portfolio listed first); the best scenario by the contract's rule. */
function bruteForce(c: Case, state: Float64Array): Float64Array {
  const out = state.slice();
  for (let s = 0; s < c.C; s++) {
    const u = Array.from({ length: c.nPort }, (_, p) => ({
      p,
      v: Math.max(0, -c.series[c.portSeries[p] * c.C + s] - c.collateral[p]),
    }))
      .filter((x) => x.v > 0)
      .sort((a, b) => b.v - a.v || a.p - b.p);
    const v1 = u[0]?.v ?? 0;
    const v2 = v1 + (u[1]?.v ?? 0);
    if (v1 > out[0]) out.set([v1, c.start + s, u[0]?.p ?? -1], 0);
    if (v2 > out[3]) out.set([v2, c.start + s, u[0]?.p ?? -1, u[1]?.p ?? -1], 3);
  }
  return out;
}

describe('coverScan', () => {
  const k = kernels();

  it('hand-computed: three portfolios, three scenarios', () => {
    // Series rows (P&L) of 4 series x 3 scenarios; the portfolios are series 3, 1 and 2 with
    // collateral 10, 5 and 0. Uncovered = max(0, -P&L - collateral):
    //   scenario 0: P&L -30, -8, -1  -> 20, 3, 1      cover1 20, cover2 23
    //   scenario 1: P&L -40, -5, -25 -> 30, 0, 25     cover1 30, cover2 55 (portfolios 0, 2)
    //   scenario 2: P&L 0, -40, -10  -> 0, 35, 10     cover1 35 (portfolio 1), cover2 45
    const c: Case = {
      nPort: 3,
      portSeries: Int32Array.of(3, 1, 2),
      collateral: Float64Array.of(10, 5, 0),
      series: Float64Array.of(9, 9, 9, /* 1 */ -8, -5, -40, /* 2 */ -1, -25, -10, /* 3 */ -30, -40, 0),
      C: 3,
      start: 100,
    };
    const want = Float64Array.of(35, 102, 1, 55, 101, 0, 2, 0);
    expect(twin(c, emptyCoverState())).toEqual(want);
    expect(wasm(k, c, emptyCoverState())).toEqual(want);
  });

  it('nothing uncovered: value 0 at the first scenario, no portfolio', () => {
    const c: Case = {
      nPort: 2,
      portSeries: Int32Array.of(0, 1),
      collateral: Float64Array.of(100, 100),
      series: new Float64Array(8),
      C: 4,
      start: 7,
    };
    const want = Float64Array.of(0, 7, -1, 0, 7, -1, -1, 0);
    expect(twin(c, emptyCoverState())).toEqual(want);
    expect(wasm(k, c, emptyCoverState())).toEqual(want);
  });

  it('random chunks with ties, carried across calls: WASM = twin = brute force', () => {
    const next = rng(11);
    for (let trial = 0; trial < 40; trial++) {
      const nSeries = 1 + Math.floor(next() * 12);
      const nPort = Math.floor(next() * (nSeries + 1));
      const C = 1 + Math.floor(next() * 70);
      // Few distinct values, so that ties between portfolios and scenarios are common.
      const series = Float64Array.from({ length: nSeries * C }, () => -Math.floor(next() * 6) * 10);
      const c: Case = {
        nPort,
        portSeries: Int32Array.from({ length: nPort }, () => Math.floor(next() * nSeries)),
        collateral: Float64Array.from({ length: nPort }, () => Math.floor(next() * 4) * 10),
        series,
        C,
        start: Math.floor(next() * 1000),
      };
      const before = trial % 2 === 0 ? emptyCoverState() : Float64Array.of(20, 3, 1, 30, 3, 1, 0, 0);
      const w = wasm(k, c, before);
      expect(twin(c, before)).toEqual(w);
      expect(w).toEqual(bruteForce(c, before));
    }
  });
});
