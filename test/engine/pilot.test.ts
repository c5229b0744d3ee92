// The pilot pass puts each tail bar near its final value before the main pass. It must never
// change a result: a bar that turns out too high is detected and the set is run again.
import { describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { coverage, pilotBars, pilotFor } from '../../src/engine/pilot.js';
import type { PassEvent } from '../../src/engine/engine.js';
import { packTails } from '../../src/engine/exact-tails.js';
import { run, type ProgressEvent } from '../../src/index.js';
import { fixture } from '../helpers/cli.js';
import { suite } from '../helpers/inputs.js';
import { results } from '../helpers/report.js';

function lcg(seed: number) {
  let s = seed >>> 0;
  return () => (s = (Math.imul(s, 1664525) + 1013904223) >>> 0) / 2 ** 32;
}

/** A pack holding the given losses per series (indices are irrelevant to the pilot's checks). */
function pack(series: number[][]): { data: Float64Array; start: number } {
  const cap = Math.max(1, ...series.map((s) => s.length));
  const size = Int32Array.from(series, (s) => s.length);
  const val = new Float64Array(series.length * cap);
  const idx = new Float64Array(series.length * cap);
  series.forEach((s, r) =>
    s.forEach((v, i) => {
      val[r * cap + i] = v;
      idx[r * cap + i] = r * 1000 + i;
    }),
  );
  return { data: packTails(series.length, cap, size, val, idx, 1), start: 1 };
}

describe('pilotFor', () => {
  it('sizes the pilot so that about 64 of its losses lie above the final VaR', () => {
    // L: k = 1,000 of 100,000: a 6.4% pilot, m = 64, rank = ceil(64 + 5 x 8 + 5) = 109.
    expect(pilotFor(100_000, 1_000)).toEqual({ scenarios: 6_400, rank: 109 });
    // 1,000,000 scenarios, k = 10,000: the pilot stays at 6,400 scenarios.
    expect(pilotFor(1_000_000, 10_000)).toEqual({ scenarios: 6_400, rank: 109 });
    // M: k = 500 of 50,000: capped at 1/8 of the set, m = 62.5, rank = ceil(62.5 + 5 sqrt(62.5) + 5) = 108.
    expect(pilotFor(50_000, 500)).toEqual({ scenarios: 6_250, rank: 108 });
  });

  it('skips small tails, where the running bar is already cheap', () => {
    expect(pilotFor(20_000, 200)).toBeUndefined();
    expect(pilotFor(25_500, 255)).toBeUndefined();
    expect(pilotFor(25_600, 256)).toBeDefined();
    // An 85% tail of 2,000: the pilot (250) would hold too few losses per rank.
    expect(pilotFor(2_000, 300)).toBeUndefined();
  });
});

describe('pilotBars and coverage', () => {
  it("take the rank-th largest of the workers' pilot losses, as a full sort would", () => {
    const rnd = lcg(3);
    const rank = 7;
    const all = Array.from({ length: 5 }, () => Array.from({ length: 40 }, () => Math.round(100 * rnd()) - 30));
    // Two tasks, each holding the top `rank` of its half.
    const top = (xs: number[]) => [...xs].sort((a, b) => b - a).slice(0, rank);
    const packs = [pack(all.map((s) => top(s.slice(0, 20)))), pack(all.map((s) => top(s.slice(20))))];
    const bars = pilotBars(packs, 5, rank);
    all.forEach((s, r) => expect(bars[r]).toBe([...s].sort((a, b) => b - a)[rank - 1]));
  });

  it('tell series covered strictly above the bar from series covered only with ties at it, and from short ones', () => {
    const bars = Float64Array.of(5, 5, 5, 5);
    const packs = [
      pack([
        [9, 8, 5],
        [9, 5, 5],
        [6, 7, 8],
        [5, 1, 2],
      ]),
      pack([[7], [5], [1], [0]]),
    ];
    // k = 3: series 0 has 9, 8, 7 above 5; series 1 only 9 above, but 9, 5, 5, 5 at or above;
    // series 2 has 6, 7, 8; series 3 one loss at 5 and nothing above. k = 4: series 0 has
    // 9, 8, 7 above and 5 at the bar.
    expect(coverage(packs, 4, bars, 3)).toEqual({ tied: [1], short: [3] });
    expect(coverage(packs, 4, bars, 4)).toEqual({ tied: [0, 1], short: [2, 3] });
  });
});

describe('the pilot in a run', () => {
  const ex = (f: string) => fixture('contract-example', f);
  // Tails of 300 and 360: large enough for a pilot.
  const big = suite(
    [
      { name: 'normal', type: 'montecarlo', count: 30_000, distribution: 'normal' },
      {
        name: 't-breakdown',
        type: 'montecarlo',
        count: 36_000,
        distribution: { type: 'student-t', dof: 4 },
        volMultiplier: 1.5,
        correlation: { target: 1, weight: 0.5 },
        ivMove: 0.1,
      },
      { name: 'grid', type: 'grid', priceMoves: [-0.2, 0, 0.2], ivMoves: [0, 0.1] },
    ],
    { confidence: 0.99 },
  );
  const inputs = { market: ex('market.json'), book: ex('book.json'), suite: big as Record<string, unknown> };

  it('runs a pilot and a main pass on large Monte Carlo sets and changes no number', async () => {
    const passes: PassEvent[] = [];
    const withPilot = await run({ ...inputs, workers: 2, onPass: (e) => passes.push(e) });
    const without = await run({ ...inputs, workers: 1, pilot: false });
    expect(results(withPilot)).toEqual(results(without));
    expect(passes).toEqual([
      { set: 'normal', stage: 'pilot', scenarios: 3_750, cap: 74 },
      { set: 'normal', stage: 'main', scenarios: 26_250, cap: 300, coverage: { tied: 0, short: 0 } },
      { set: 't-breakdown', stage: 'pilot', scenarios: 4_500, cap: 84 },
      { set: 't-breakdown', stage: 'main', scenarios: 31_500, cap: 360, coverage: { tied: 0, short: 0 } },
      { set: 'grid', stage: 'main', scenarios: 6, cap: 1 },
    ]);
    const oneWorker = await run({ ...inputs, workers: 1, chunk: 256, taskSize: 1000 });
    expect(results(oneWorker)).toEqual(results(without));
  });

  it('detects a pilot bar above the final VaR and runs the set again, with the same result', async () => {
    const passes: PassEvent[] = [];
    const progress: ProgressEvent[] = [];
    // Rank 1: the bar is the pilot's largest loss, far above the 300th of 30,000.
    const forced = await run({
      ...inputs,
      workers: 2,
      pilot: { scenarios: 2_000, rank: 1 },
      onPass: (e) => passes.push(e),
      onProgress: (e) => progress.push(e),
    });
    const without = await run({ ...inputs, workers: 2, pilot: false });
    expect(results(forced)).toEqual(results(without));
    const normal = passes.filter((p) => p.set === 'normal');
    expect(normal.map((p) => p.stage)).toEqual(['pilot', 'main', 'rerun']);
    expect(normal[1].coverage?.short).toBeGreaterThan(0);
    expect(normal[2]).toEqual({ set: 'normal', stage: 'rerun', scenarios: 30_000, cap: 300 });
    // The grid set never has a pilot: its scenarios are not a random sample.
    expect(passes.filter((p) => p.set === 'grid').map((p) => p.stage)).toEqual(['main']);
    // Both reruns (every Monte Carlo set fails with rank 1) grow the totals, and the bar ends full.
    const last = progress[progress.length - 1];
    expect(last.allTotal).toBe(30_000 + 36_000 + 6 + 30_000 + 36_000);
    expect(last.allDone).toBe(last.allTotal);
    for (const e of progress) expect(e.done).toBeLessThanOrEqual(e.total);
  });

  it('keeps a bar that covers the tail, with the pilot forced to a small rank', async () => {
    const passes: PassEvent[] = [];
    // 10,000 pilot scenarios expect 100 above the VaR; the 150th largest is safely below it.
    const forced = await run({ ...inputs, workers: 2, pilot: { scenarios: 10_000, rank: 150 }, onPass: (e) => passes.push(e) });
    const without = await run({ ...inputs, workers: 2, pilot: false });
    expect(results(forced)).toEqual(results(without));
    expect(passes.filter((p) => p.stage === 'rerun')).toEqual([]);
  });

  it("keeps the pilot's scenarios in full when a series ties at its bar (a constant P&L)", async () => {
    // An account without positions: its loss is 0 in every scenario, so its pilot bar is 0 and
    // the pilot kept only 74 of the 300 zero losses that rank first (the lowest indices).
    const book = JSON.parse(readFileSync(ex('book.json'), 'utf8'));
    book.accounts.push({ id: 'flat', collateral: 100, positions: [] });
    const withFlat = { ...inputs, book };
    const passes: PassEvent[] = [];
    const piloted = await run({ ...withFlat, workers: 2, onPass: (e) => passes.push(e) });
    const without = await run({ ...withFlat, workers: 1, pilot: false });
    expect(results(piloted)).toEqual(results(without));
    const normal = passes.filter((p) => p.set === 'normal');
    expect(normal.map((p) => p.stage)).toEqual(['pilot', 'main', 'pilot-full']);
    expect(normal[1].coverage).toEqual({ tied: 1, short: 0 });
    expect(normal[2]).toEqual({ set: 'normal', stage: 'pilot-full', scenarios: 3_750, cap: 300 });
    const flat = piloted.portfolios.flatMap((p) => p.segregated.accounts).find((a) => a.id === 'flat');
    // Every loss is zero (a zero P&L negated), so the tail is the 300 lowest scenario indices.
    const normalSet = flat!.sets.normal;
    expect([normalSet.var + 0, normalSet.es + 0, normalSet.worst + 0]).toEqual([0, 0, 0]);
    expect(normalSet).toMatchObject({ varScenario: 299, worstScenario: 0 });
  });
});
