// A set's last merge (its tails' summaries: largest, k-th, and the sum the ES is made of) runs in
// slices of series on the workers when they share memory with the coordinator. Sliced or whole,
// on a worker or on the coordinator, it must give the same bits.
import { describe, expect, it } from 'vitest';
import { createEngine, createThreadExecutor, prepare } from '../../src/index.js';
import { engineDefaults } from '../../src/engine/defaults.js';
import { ExactTails, summarizeTails, SUMMARY_WIDTH } from '../../src/engine/exact-tails.js';
import type { TaskExecutor } from '../../src/engine/executor.js';
import { isSummaryTask } from '../../src/engine/task.js';
import { synthesize } from '../../src/synth/index.js';

describe("a set's tail summaries", () => {
  it('are the same computed by the workers in slices as by the coordinator from the tails themselves', async () => {
    const w = synthesize('M', 3);
    const plan = prepare({ market: w.market, book: w.book, suite: w.suite } as unknown as Parameters<typeof prepare>[0]);
    const threads = createThreadExecutor(2);
    const slices: { from: number; to: number }[] = [];
    // The pool as it is, watched: which summary tasks the run hands it.
    const watched: TaskExecutor = {
      concurrency: threads.concurrency,
      sharesMemory: true,
      run: (task) => {
        if (isSummaryTask(task)) slices.push({ from: task.from, to: task.to });
        return threads.run(task);
      },
      pending: () => threads.pending(),
      close: () => threads.close(),
    };
    const engine = createEngine(plan, { executor: watched });
    try {
      const tails = await engine.run();
      const big = plan.sets.filter((s) => plan.holdings.nSeries * s.tailSize >= engineDefaults.summaryTaskMinLosses);
      expect(big.length).toBeGreaterThan(1);
      // The last large set only: its packs lie in shared memory (run-sets.ts says why only it).
      expect(slices.length).toBe(2 * engineDefaults.summaryTasksPerWorker);
      expect(tails.filter((t) => t.packs!.some((p) => p.data.buffer instanceof SharedArrayBuffer)).length).toBe(1);
      for (const t of tails) {
        // The same packs without summaries: every series merged and summed here, on this thread.
        const here = new ExactTails(t.set, t.packs, t.nSeries, t.k);
        for (let r = 0; r < t.nSeries; r++) {
          const s = here.summary(r);
          expect(t.summary(r)).toEqual(s);
          if (r % 16 !== 0) continue;
          // And what they summarise: the series' tail, read in full.
          const { losses, scenarios } = here.series(r);
          expect([s.largest, s.largestScenario, s.kth, s.kthScenario]).toEqual([
            losses[0],
            scenarios[0],
            losses[t.k - 1],
            scenarios[t.k - 1],
          ]);
          const naive = losses.reduce((a, b) => a + b, 0);
          expect(Math.abs(s.sum - naive)).toBeLessThanOrEqual(1e-9 * Math.abs(naive));
        }
        // Any slicing of the series gives the same values.
        const cut = Math.floor(t.nSeries / 3);
        const sliced = new Float64Array(t.nSeries * SUMMARY_WIDTH);
        sliced.set(summarizeTails(t.packs, t.nSeries, t.k, 0, cut), 0);
        sliced.set(summarizeTails(t.packs, t.nSeries, t.k, cut, t.nSeries), cut * SUMMARY_WIDTH);
        expect(sliced).toEqual(summarizeTails(t.packs, t.nSeries, t.k, 0, t.nSeries));
      }
    } finally {
      await engine.close();
      await threads.close();
    }
  });
});
