// A run within its memory budget: a set whose exact tails would not fit runs in groups of
// series, each a full pass over the set's scenarios (regenerated exactly), and gives the same
// report to the bit; a budget in which not one series fits, too many workers or a chunk past the
// scratch budget are refused before anything runs, in the library's words and in the CLI's.
import { describe, expect, it } from 'vitest';
import { createEngine, prepare, reportOf, run, ArgumentError } from '../../src/index.js';
import { chunkFor, maxChunkFor, scratchPerScenario, engineDefaults } from '../../src/engine/defaults.js';
import { planGroups, tailBytesPerSeries } from '../../src/engine/memory.js';
import { synthesize } from '../../src/synth/index.js';
import { xmarginInProcess } from '../helpers/cli.js';
import { results } from '../helpers/report.js';

const w = synthesize('S', 7);
const input = { market: w.market, book: w.book, suite: w.suite } as unknown as Parameters<typeof run>[0];
const plan = prepare(input);
const nSeries = plan.holdings.nSeries;
const ins = plan.instruments;

describe('the memory budget', () => {
  it('cuts a set into equal groups of series only when its tails do not fit beside the base', () => {
    const k = plan.sets[0].tailSize;
    const per = tailBytesPerSeries(k, 2);
    expect(per).toBe(16 * k * (engineDefaults.tailCopies.coordinator + 2 * engineDefaults.tailCopies.perWorker));
    const base = 100e6;
    expect(planGroups(plan, [0], 2, base + nSeries * per, base)).toEqual([[{ from: 0, to: nSeries }]]);
    const [groups] = planGroups(plan, [0], 2, base + nSeries * per - 1, base);
    expect(groups.length).toBe(2);
    const third = planGroups(plan, [0], 2, base + Math.ceil((nSeries * per) / 3), base)[0];
    expect(third.length).toBe(3);
    // Contiguous, covering every series once, sizes within one of each other.
    expect(third[0].from).toBe(0);
    expect(third.at(-1)!.to).toBe(nSeries);
    for (let g = 1; g < third.length; g++) expect(third[g].from).toBe(third[g - 1].to);
    const sizes = third.map((g) => g.to - g.from);
    expect(Math.max(...sizes) - Math.min(...sizes)).toBeLessThanOrEqual(1);
    expect(() => planGroups(plan, [0], 2, base + per - 1, base)).toThrow(ArgumentError);
    // Kept tails of an earlier set count against the next one's room: set 0 fits whole and keeps
    // its tails (16 bytes a loss), which leaves set 1 (the same size) one series short.
    const k1 = plan.sets[1].tailSize;
    const room = base + nSeries * tailBytesPerSeries(k1, 2) + nSeries * 16 * k - 1;
    expect(planGroups(plan, [0, 1], 2, room, base, true).map((g) => g.length)).toEqual([1, 2]);
    expect(planGroups(plan, [0, 1], 2, room, base, false).map((g) => g.length)).toEqual([1, 1]);
  });

  it('gives the same report to the bit when the Monte Carlo sets run in groups of series, and keeps their summaries only', async () => {
    const m = synthesize('M', 7);
    const mPlan = prepare({ market: m.market, book: m.book, suite: m.suite } as unknown as Parameters<typeof prepare>[0]);
    const n = mPlan.holdings.nSeries;
    const mIns = mPlan.instruments;
    const engine = createEngine(mPlan, { workers: 2 });
    try {
      // Warm first, so that the process's memory is what it will be when the grouped run starts.
      const whole = await engine.run();
      const chunk = chunkFor(mIns.nLinear + mIns.nOptions, n, mIns.n);
      const base = process.memoryUsage().rss + 2 * chunk * scratchPerScenario(mIns.nLinear + mIns.nOptions, n, mIns.n);
      const need = Math.max(...mPlan.sets.map((s) => n * tailBytesPerSeries(s.tailSize, 2)));
      const totals = new Map<string, number>();
      // A budget that leaves the Monte Carlo sets' tails about a third of the room they need.
      const grouped = await engine.run({ maxMemory: Math.floor(base + need / 3), onProgress: (e) => totals.set(e.set, e.total) });
      expect(reportOf(mPlan, grouped)).toEqual(reportOf(mPlan, whole));
      for (const [i, s] of mPlan.sets.entries()) {
        if (s.source.kind !== 'montecarlo') continue;
        // Its scenarios ran once per group (progress counts them all), and only the summaries stay.
        expect(totals.get(s.name)! / s.scenarios, s.name).toBeGreaterThanOrEqual(2);
        expect(grouped[i].kept).toBe(false);
        expect(() => grouped[i].series(0)).toThrow(/were not kept/);
        for (let r = 0; r < n; r += 7) expect(grouped[i].summary(r)).toEqual(whole[i].summary(r));
        // Cover-1 and Cover-2 ride on the first group's tasks, which aggregate every series for them.
        expect(whole[i].cover).toBeDefined();
        expect(grouped[i].cover).toEqual(whole[i].cover);
      }
      expect(whole[0].kept).toBe(true);
    } finally {
      await engine.close();
    }
  });

  it('refuses a budget too small for one series, before anything runs', async () => {
    const engine = createEngine(plan, { workers: 1 });
    try {
      await expect(engine.run({ maxMemory: 1024 })).rejects.toThrow(/maxMemory 1024: too small for set "mc-normal"/);
      expect(engine.pending()).toBe(0);
    } finally {
      await engine.close();
    }
    const r = await xmarginInProcess(['run', '--max-memory', '1MiB', '--json']);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/--max-memory 1048576: too small for set "[^"]+": the run holds \d+ MiB before its tails/);
    const bad = await xmarginInProcess(['run', '--max-memory', 'lots']);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/--max-memory "lots": expected a size such as 1GiB/);
  });
});

describe('workers and chunk', () => {
  it('refuses a worker count past the bound, with the bound, before any thread starts', async () => {
    const max = engineDefaults.maxWorkers();
    for (const workers of ['1e9', String(max + 1), '0', '1.5']) {
      const r = await xmarginInProcess(['run', '--workers', workers, '--json']);
      expect(r.code, workers).toBe(2);
      expect(r.stderr).toMatch(new RegExp(`^xmargin: --workers [^:]+: expected a whole number of threads from 1 to ${max}`));
    }
    await expect(run({ ...input, workers: 1e9 })).rejects.toThrow(/^workers 1000000000: expected a whole number/);
  });

  it('refuses a chunk whose scratch does not fit the budget, naming the largest that does', async () => {
    const max = maxChunkFor(ins.nLinear + ins.nOptions, nSeries, ins.n);
    await expect(run({ ...input, workers: 1, chunk: max + 1 })).rejects.toThrow(
      new RegExp(`^chunk ${max + 1}: expected a whole number of scenarios from 1 to ${max}`),
    );
    const r = await xmarginInProcess(['run', '--chunk', '1000000', '--json']);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(
      /^xmargin: --chunk 1000000: expected a whole number of scenarios from 1 to \d+: a chunk's scratch for this book must fit 64 MiB per worker/,
    );
    // The largest chunk runs, to the same report.
    expect(results(await run({ ...input, workers: 1, chunk: max }))).toEqual(results(await run({ ...input, workers: 1 })));
  });
});
