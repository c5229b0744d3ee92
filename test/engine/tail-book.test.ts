// The main thread's merge of worker tails: exact top-k whatever the order and grouping of the
// partial results, and whatever the staging size (merging in batches of series).
import { describe, expect, it } from 'vitest';
import { TailBook } from '../../src/engine/tail-book.js';
import { packTails } from '../../src/engine/task.js';
import { instantiateKernels } from '../../src/kernels/wasm.js';

function lcg(seed: number) {
  let s = seed >>> 0;
  return () => ((s = (Math.imul(s, 1664525) + 1013904223) >>> 0) / 2 ** 32);
}

/** A worker-like partial result: the top `cap` of `losses` (with their global indices) per series. */
function partial(nSeries: number, cap: number, losses: number[][], start: number): Float64Array {
  const size = new Int32Array(nSeries);
  const val = new Float64Array(nSeries * cap);
  const idx = new Float64Array(nSeries * cap);
  losses.forEach((row, r) => {
    const top = row.map((v, i) => [v, start + i]).sort((a, b) => b[0] - a[0] || a[1] - b[1]).slice(0, cap);
    size[r] = top.length;
    top.forEach(([v, i], j) => {
      val[r * cap + j] = v;
      idx[r * cap + j] = i;
    });
  });
  return packTails(nSeries, cap, size, val, idx);
}

describe('TailBook', () => {
  it('merges partial tails into the exact top-k, in any order and any staging size', () => {
    const nSeries = 7;
    const k = 25;
    const n = 400;
    const rnd = lcg(9);
    // Rounded losses: many ties, which the index order must break.
    const losses = Array.from({ length: nSeries }, () => Array.from({ length: n }, () => Math.round(50 * (rnd() - 0.3))));
    const cuts = [0, 90, 200, 260, 400];
    const parts = cuts.slice(0, -1).map((start, i) => partial(nSeries, k, losses.map((row) => row.slice(start, cuts[i + 1])), start));
    const expected = losses.map((row) => {
      const top = row.map((v, i) => [v, i]).sort((a, b) => b[0] - a[0] || a[1] - b[1]).slice(0, k);
      const es = top.reduce((s, [v]) => s + v, 0) / k;
      return { var: top[k - 1][0], worst: top[0][0], worstScenario: top[0][1], varScenario: top[k - 1][1], es };
    });
    for (const staging of [k, 3 * k, 1 << 18]) {
      for (const order of [[0, 1, 2, 3], [3, 1, 0, 2]]) {
        const book = new TailBook(instantiateKernels(), nSeries, k, staging);
        for (const o of order) book.merge(parts[o]);
        const m = book.measures();
        m.forEach((x, r) => {
          expect(x.var).toBe(expected[r].var);
          expect(x.worst).toBe(expected[r].worst);
          expect(x.worstScenario).toBe(expected[r].worstScenario);
          expect(x.varScenario).toBe(expected[r].varScenario);
          expect(x.es).toBeCloseTo(expected[r].es, 12);
        });
      }
    }
  });
});
