// An executor that keeps range tasks' packs (a queue's workers and Redis) hands the coordinator
// only digests, and merges the packs in its own summary tasks from slices of them. The run's
// summaries and tail scenarios must be the bits of a run whose packs all came back.
import { describe, expect, it } from 'vitest';
import { bundledExample, createEngine, createThreadExecutor, prepare } from '../../src/index.js';
import { COVER_WIDTH } from '../../src/engine/cover.js';
import {
  isStoredPack,
  packCounts,
  packSlice,
  sliceBounds,
  summarizeTails,
  type PackedTails,
} from '../../src/engine/exact-tails.js';
import type { TaskExecutor } from '../../src/engine/executor.js';
import { coverage, coverageOfCounts } from '../../src/engine/pilot.js';
import type { TailScenarioSlice } from '../../src/engine/engine.js';
import { isSummaryTask, type EngineTask, type RangeTask } from '../../src/engine/task.js';
import { synthesize } from '../../src/synth/index.js';

/** Packs of random sorted lists, with ties at the bars. */
function randomPacks(nSeries: number, count: number, seed: number): PackedTails[] {
  let s = seed;
  const rnd = () => (s = (s * 1103515245 + 12345) % 2 ** 31) / 2 ** 31;
  const packs: PackedTails[] = [];
  let scenario = 0;
  for (let p = 0; p < count; p++) {
    const lists = Array.from({ length: nSeries }, () =>
      Array.from({ length: Math.floor(rnd() * 6) }, () => [Math.round(rnd() * 8), scenario++] as const).sort(
        (a, b) => b[0] - a[0] || a[1] - b[1],
      ),
    );
    const total = lists.reduce((a, l) => a + l.length, 0);
    const head = p % 2 === 0 ? COVER_WIDTH : 0;
    const data = new Float64Array(head + nSeries + 2 * total);
    let v = head + nSeries;
    lists.forEach((l, r) => {
      data[head + r] = l.length;
      l.forEach(([loss, sc], i) => {
        data[v + i] = loss;
        data[v + total + i] = sc;
      });
      v += l.length;
    });
    packs.push({ data, start: head });
  }
  return packs;
}

describe('packs left with the executor', () => {
  it('counts against the bars add up to the coverage of the packs themselves', () => {
    const nSeries = 12;
    const packs = randomPacks(nSeries, 5, 7);
    const bars = Float64Array.from({ length: nSeries }, (_, r) => r % 5);
    for (const k of [1, 3, 6, 10]) {
      const counts = packs.map((p) => packCounts(p.data, p.start, nSeries, bars));
      expect(coverageOfCounts(counts, nSeries, k)).toEqual(coverage(packs, nSeries, bars, k));
    }
    // Without a bar every loss counts.
    const all = packCounts(packs[0].data, packs[0].start, nSeries, undefined);
    for (let r = 0; r < nSeries; r++) {
      expect(all[r]).toBe(packs[0].data[packs[0].start + r]);
      expect(all[nSeries + r]).toBe(all[r]);
    }
  });

  it('summaries of slices of the packs have the bits of summaries of the whole packs', () => {
    const nSeries = 40;
    const packs = randomPacks(nSeries, 6, 11);
    // Only series with at least k losses can be summarised.
    const k = 2;
    const enough = (r: number) => packs.reduce((a, p) => a + p.data[p.start + r], 0) >= k;
    let checked = 0;
    for (const [from, to] of [
      [0, 40],
      [3, 17],
      [39, 40],
      [20, 20],
    ]) {
      if (![...Array(to - from).keys()].every((i) => enough(from + i))) continue;
      const slices = packs.map((p) => ({ data: packSlice(p.data, p.start, nSeries, from, to), start: 0 }));
      expect(summarizeTails(slices, to - from, k, 0, to - from, true)).toEqual(summarizeTails(packs, nSeries, k, from, to, true));
      // The bounds say where the slice lies; a slice written into a given array is the same.
      const p = packs[1];
      const { count } = sliceBounds(p.data.subarray(p.start, p.start + nSeries), p.start, from, to);
      const into = new Float64Array(to - from + 2 * count);
      expect(packSlice(p.data, p.start, nSeries, from, to, into)).toBe(into);
      expect(into).toEqual(slices[1].data);
      checked++;
    }
    expect(checked).toBeGreaterThanOrEqual(3);
  });

  /**
   * What a queue's workers do (queue-worker.ts), in this process: packs kept by name, digests
   * handed back, summary tasks run on slices.
   */
  function storingExecutor(threads: TaskExecutor, nSeries: number) {
    const kept = new Map<string, Float64Array>();
    const seen = { stored: 0, summaries: 0 };
    const executor: TaskExecutor = {
      concurrency: threads.concurrency,
      sharesMemory: false,
      storesResults: true,
      async run(task: EngineTask) {
        if (isSummaryTask(task)) {
          seen.summaries++;
          const n = task.to - task.from;
          const packs = task.packs.map((p) => {
            const data = isStoredPack(p) ? kept.get(p.stored)! : p.data;
            const sliced = packSlice(data, p.start, task.nSeries, task.from, task.to);
            const shared = new Float64Array(new SharedArrayBuffer(sliced.byteLength));
            shared.set(sliced);
            return { data: shared, start: 0 };
          });
          return threads.run({ ...task, packs, nSeries: n, from: 0, to: n });
        }
        if ('kind' in task || !task.stored) return threads.run(task);
        seen.stored++;
        const outcome = await threads.run({ ...task, stored: false } as RangeTask);
        if (!outcome.ok) return outcome;
        const pack = outcome.tails;
        const head = task.cover ? COVER_WIDTH : 0;
        const n = task.series ? task.series.to - task.series.from : nSeries;
        const name = `pack-${kept.size}`;
        kept.set(name, pack);
        const digest = new Float64Array(head + 2 * n);
        digest.set(pack.subarray(0, head));
        digest.set(packCounts(pack, head, n, task.bar), head);
        return { ok: true, tails: digest, stored: name };
      },
      pending: () => threads.pending(),
      close: async () => {},
    };
    return { executor, seen };
  }

  /** Runs `plan` on threads and through a storing executor: the tails and tail scenarios must be the same. */
  async function compareRuns(plan: ReturnType<typeof prepare>) {
    const nSeries = plan.holdings.nSeries;
    const threads = createThreadExecutor(2);
    const storing = storingExecutor(threads, nSeries);
    const runWith = async (executor: TaskExecutor) => {
      const slices: TailScenarioSlice[] = [];
      const passes: string[] = [];
      const engine = createEngine(plan, { executor });
      try {
        const tails = await engine.run({
          keepTails: false,
          onPass: (e) => passes.push(`${e.set}:${e.stage}`),
          onTailScenarios: (s) => slices.push({ ...s, summaries: s.summaries.slice(), scenarios: s.scenarios.slice() }),
        });
        return { tails, slices, passes };
      } finally {
        await engine.close();
      }
    };
    try {
      const here = await runWith(threads);
      const there = await runWith(storing.executor);
      // The same passes: a pilot's bar is found as low enough either way (no set run again).
      expect(there.passes).toEqual(here.passes);
      expect(there.tails.length).toBe(here.tails.length);
      for (let i = 0; i < here.tails.length; i++) {
        expect(there.tails[i].cover).toEqual(here.tails[i].cover);
        for (let r = 0; r < nSeries; r++) expect(there.tails[i].summary(r)).toEqual(here.tails[i].summary(r));
      }
      // The tail scenarios attribution regenerates, series by series, in any slicing.
      const bySeries = (slices: TailScenarioSlice[]) => {
        const out = new Map<string, number[]>();
        for (const s of slices)
          for (let r = s.from; r < s.to; r++)
            out.set(`${s.index}:${r}`, Array.from(s.scenarios.subarray((r - s.from) * s.k, (r - s.from + 1) * s.k)));
        return out;
      };
      expect(bySeries(there.slices)).toEqual(bySeries(here.slices));
      return { seen: storing.seen, passes: here.passes };
    } finally {
      await threads.close();
    }
  }

  it('a run through an executor that keeps them has the summaries and tail scenarios of one that does not', async () => {
    const w = synthesize('M', 5);
    const plan = prepare({ market: w.market, book: w.book, suite: w.suite } as unknown as Parameters<typeof prepare>[0]);
    const { seen } = await compareRuns(plan);
    expect(seen.stored).toBeGreaterThan(0);
    expect(seen.summaries).toBeGreaterThan(0);
  });

  it('small sets with a pilot come back whole through such an executor, with the same passes and tails', async () => {
    // The bundled example: Monte Carlo sets with a pilot, too few series for their tails to be
    // merged by tasks, so nothing is stored and coverage counts the packs that came back.
    const plan = prepare(bundledExample);
    const { seen, passes } = await compareRuns(plan);
    expect(passes.some((p) => p.endsWith(':pilot'))).toBe(true);
    expect(seen).toEqual({ stored: 0, summaries: 0 });
  });
});
