// The set's measures from the workers' tails: exact top-k VaR, ES and worst, and the scenarios
// behind them, whatever the number and order of the workers' packs, with heavy ties.
import { describe, expect, it } from 'vitest';
import { tailMeasures } from '../../src/engine/tail-book.js';
import { packTails } from '../../src/engine/task.js';

function lcg(seed: number) {
  let s = seed >>> 0;
  return () => (s = (Math.imul(s, 1664525) + 1013904223) >>> 0) / 2 ** 32;
}

/** A worker's pack: the exact top `k` of the scenarios it saw, sorted by rank as tailsSort leaves it, after a thread-id slot. */
function pack(nSeries: number, k: number, losses: number[][], scenarios: number[]): Float64Array {
  const size = new Int32Array(nSeries);
  const val = new Float64Array(nSeries * k);
  const idx = new Float64Array(nSeries * k);
  losses.forEach((row, r) => {
    const top = scenarios
      .map((i) => [row[i], i])
      .sort((a, b) => b[0] - a[0] || a[1] - b[1])
      .slice(0, k);
    size[r] = top.length;
    top.forEach(([v, i], j) => {
      val[r * k + j] = v;
      idx[r * k + j] = i;
    });
  });
  const out = packTails(nSeries, k, size, val, idx, 1);
  out[0] = 99;
  return out;
}

describe('tailMeasures', () => {
  it('gives the exact top-k measures from any split of the scenarios over workers', () => {
    const nSeries = 6;
    const k = 20;
    const n = 300;
    const rnd = lcg(11);
    // Rounded losses: many ties, at the VaR level too, which the index order must break.
    const losses = Array.from({ length: nSeries }, () => Array.from({ length: n }, () => Math.round(30 * (rnd() - 0.3))));
    const expected = losses.map((row) => {
      const top = row
        .map((v, i) => [v, i])
        .sort((a, b) => b[0] - a[0] || a[1] - b[1])
        .slice(0, k);
      return {
        var: top[k - 1][0],
        worst: top[0][0],
        worstScenario: top[0][1],
        varScenario: top[k - 1][1],
        es: top.reduce((s, [v]) => s + v, 0) / k,
      };
    });
    const all = Array.from({ length: n }, (_, i) => i);
    const splits = [
      [all],
      [all.filter((i) => i % 2 === 0), all.filter((i) => i % 2 === 1)],
      [all.slice(0, 37), all.slice(37, 250), all.slice(250)],
    ];
    let first: ReturnType<typeof tailMeasures> | undefined;
    for (const split of splits) {
      const packs = split.map((scenarios) => ({ data: pack(nSeries, k, losses, scenarios), start: 1 }));
      const m = tailMeasures(packs.reverse(), nSeries, k);
      m.forEach((x, r) => {
        expect(x.var).toBe(expected[r].var);
        expect(x.worst).toBe(expected[r].worst);
        expect(x.worstScenario).toBe(expected[r].worstScenario);
        expect(x.varScenario).toBe(expected[r].varScenario);
        expect(x.es).toBeCloseTo(expected[r].es, 12);
      });
      // Bit-identical across splits, ES included.
      if (first) expect(m).toEqual(first);
      first = m;
    }
  });

  it('refuses a list that is not sorted by rank, rather than give a wrong tail', () => {
    const losses = [[5, 9, 7, 1]];
    const sorted = pack(1, 4, losses, [0, 1, 2, 3]);
    expect(tailMeasures([{ data: sorted, start: 1 }], 1, 3)).toEqual([
      { var: 5, es: 7, worst: 9, worstScenario: 1, varScenario: 0 },
    ]);
    // Swap the first two losses (and their indices): 5 before 9.
    const bad = sorted.slice();
    [bad[2], bad[3]] = [bad[3], bad[2]];
    [bad[6], bad[7]] = [bad[7], bad[6]];
    expect(() => tailMeasures([{ data: bad, start: 1 }], 1, 3)).toThrow(/not sorted/);
  });
});
