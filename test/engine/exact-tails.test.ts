// A set's exact tails from its tasks' packs, and the measures from them: exact top-k VaR, ES and
// worst, and the scenarios behind them, whatever the number and order of the packs and however
// they were merged on the way, with heavy ties.
import { describe, expect, it } from 'vitest';
import { ExactTails, mergeToPack, packTails, type PackedTails } from '../../src/engine/exact-tails.js';
import { seriesMeasures } from '../../src/risk/measures.js';

const measures = (packs: PackedTails[], nSeries: number, k: number) => seriesMeasures(new ExactTails('s', packs, nSeries, k));

function lcg(seed: number) {
  let s = seed >>> 0;
  return () => (s = (Math.imul(s, 1664525) + 1013904223) >>> 0) / 2 ** 32;
}

/** A task's pack: the exact top `k` of the scenarios it saw, sorted by rank as tailsSort leaves it, after a leading slot. */
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

describe('exact tails and their measures', () => {
  it('gives the exact top-k measures from any split of the scenarios over tasks, and any merge order', () => {
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
    let first: ReturnType<typeof seriesMeasures> | undefined;
    for (const split of splits) {
      const packs = split.map((scenarios) => ({ data: pack(nSeries, k, losses, scenarios), start: 1 }));
      const m = measures(packs.reverse(), nSeries, k);
      // The associative merge: pairwise in either grouping, then measured, gives the same.
      if (packs.length === 3) {
        const left = mergeToPack([packs[0], { data: mergeToPack([packs[1], packs[2]], nSeries, k), start: 0 }], nSeries, k);
        const right = mergeToPack([{ data: mergeToPack([packs[0], packs[1]], nSeries, k), start: 0 }, packs[2]], nSeries, k);
        expect(left).toEqual(right);
        expect(measures([{ data: left, start: 0 }], nSeries, k)).toEqual(m);
      }
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
    expect(measures([{ data: sorted, start: 1 }], 1, 3)).toEqual([{ var: 5, es: 7, worst: 9, worstScenario: 1, varScenario: 0 }]);
    // Swap the first two losses (and their indices): 5 before 9.
    const bad = sorted.slice();
    [bad[2], bad[3]] = [bad[3], bad[2]];
    [bad[6], bad[7]] = [bad[7], bad[6]];
    expect(() => measures([{ data: bad, start: 1 }], 1, 3)).toThrow(/not sorted/);
  });

  it('merges many uneven lists (a heap of their heads) to the same tails as a sort of everything', () => {
    const nSeries = 3;
    const k = 50;
    const n = 2_000;
    const rnd = lcg(5);
    const losses = Array.from({ length: nSeries }, () => Array.from({ length: n }, () => Math.round(50 * rnd())));
    const all = Array.from({ length: n }, (_, i) => i);
    // 13 uneven lists, some shorter than others by far, one with a single loss.
    const cuts = [0, 10, 11, 150, 400, 401, 700, 900, 1200, 1201, 1500, 1800, 1999, 2000];
    const packs = cuts.slice(1).map((end, j) => ({ data: pack(nSeries, k, losses, all.slice(cuts[j], end)), start: 1 }));
    const tails = new ExactTails('s', packs, nSeries, k);
    losses.forEach((row, r) => {
      const top = row
        .map((v, i) => [v, i])
        .sort((a, b) => b[0] - a[0] || a[1] - b[1])
        .slice(0, k);
      const { losses, scenarios } = tails.series(r);
      expect(Array.from(losses)).toEqual(top.map(([v]) => v));
      expect(Array.from(scenarios)).toEqual(top.map(([, i]) => i));
    });
  });
});
