// The engine's lifecycle: one warm pool serves run after run (and plan after plan), a run can be
// cancelled, and a failing task (a worker that exits, a kernel that traps, a task that throws)
// fails the run cleanly, leaves the engine idle, and the next run still gives the right answer.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  createEngine,
  createThreadExecutor,
  prepare,
  reportOf,
  reportOn,
  run,
  RunError,
  type Engine,
  type ExactTails,
} from '../../src/index.js';
import { kernelPlan } from '../../src/engine/plan.js';
import { decodePlan, encodePlan, planId } from '../../src/engine/plan-codec.js';
import { synthesize } from '../../src/synth/index.js';
import { fixture } from '../helpers/cli.js';
import { suite } from '../helpers/inputs.js';
import { results } from '../helpers/report.js';

const ex = (f: string) => fixture('contract-example', f);
/** Tails as plain data, to compare runs (an ExactTails reads its series from the packs it keeps). */
const flat = (tails: ExactTails[]) => tails.map((t) => ({ set: t.set, k: t.k, nSeries: t.nSeries, ...t.toArrays() }));
const small = {
  market: ex('market.json'),
  book: ex('book.json'),
  suite: suite([
    { name: 'normal', type: 'montecarlo', count: 20_000, distribution: 'normal' },
    { name: 'grid', type: 'grid', priceMoves: [-0.2, 0, 0.2], ivMoves: [0, 0.1] },
  ]) as Record<string, unknown>,
};

describe('a warm engine', () => {
  let engine: Engine;
  const plan = prepare(small);
  beforeAll(() => {
    engine = createEngine(plan, { workers: 2 });
  });
  afterAll(() => engine.close());

  it('runs the same plan again to the same bits, and matches a one-off run', async () => {
    const first = await reportOn(engine);
    const second = await reportOn(engine, { chunk: 64 });
    expect(second).toEqual(first);
    expect(results(await run({ ...small, workers: 1 }))).toEqual(first);
    // Without the engine, the margins alone: the same, less the attribution.
    const margins = reportOf(plan, await engine.run());
    expect(margins.portfolios[0].cross.attribution).toBeUndefined();
    expect(margins).toEqual(await reportOn(engine, { attribution: false }));
    expect(engine.pending()).toBe(0);
  });

  it('runs two runs at once on one pool, and a subset of the sets', async () => {
    const [a, b] = await Promise.all([engine.run(), engine.run({ pilot: false, taskSize: 1000 })]);
    expect(flat(b)).toEqual(flat(a));
    const [grid] = await engine.run({ sets: [1] });
    expect(flat([grid])).toEqual(flat([a[1]]));
  });

  it('serves engines of different plans over one executor', async () => {
    const executor = createThreadExecutor(2);
    try {
      const other = prepare({
        ...small,
        suite: suite([{ name: 'normal', type: 'montecarlo', count: 5_000, distribution: 'normal' }], { seed: 7 }),
      });
      const e1 = createEngine(plan, { executor });
      const e2 = createEngine(other, { executor });
      expect(e1.planId).not.toBe(e2.planId);
      // Interleaved on the same workers: each task names its plan, so none can use the other's arrays.
      const [r1, r2] = await Promise.all([e1.run(), e2.run()]);
      expect(reportOf(plan, r1)).toEqual(reportOf(plan, await engine.run()));
      expect(await reportOn(e2)).toEqual(
        results(
          await run({
            ...small,
            suite: suite([{ name: 'normal', type: 'montecarlo', count: 5_000, distribution: 'normal' }], { seed: 7 }),
            workers: 1,
          }),
        ),
      );
      await e1.close();
      await e2.close();
      expect(executor.pending()).toBe(0);
    } finally {
      await executor.close();
    }
  });

  for (const [fault, code] of [
    ['exit', 'worker-exit'],
    ['trap', 'kernel-trap'],
    ['throw', 'task-failed'],
  ] as const) {
    it(`fails a run whose worker ${fault}s mid-set with a RunError (${code}), then runs the next one right`, async () => {
      const good = await engine.run();
      // Task 2 is in the middle of the first set (20,000 scenarios in tasks of 1,250).
      const failed = engine.run({ taskSize: 1_250, inject: { fault, task: 2 } });
      await expect(failed).rejects.toBeInstanceOf(RunError);
      await expect(failed).rejects.toMatchObject({ code, exitCode: 1 });
      await expect(failed).rejects.toThrow(/set "normal"/);
      expect(engine.pending()).toBe(0);
      expect(flat(await engine.run())).toEqual(flat(good));
    });
  }
});

describe('cancellation', () => {
  it('cancels a running L-sized set: the run rejects, the pool is idle, and the engine runs on', async () => {
    const w = synthesize('L', 1);
    const plan = prepare({ market: w.market, book: w.book, suite: w.suite });
    const engine = createEngine(plan, { workers: 2 });
    try {
      const controller = new AbortController();
      let progressAfterAbort = 0;
      // The main pass is one task of 93,600 scenarios (seconds of work): cancelled 100 ms in, it
      // must stop at its next chunk and hand back no tails, or the run would report its progress.
      const running = engine.run(
        {
          sets: [0],
          chunk: 256,
          taskSize: 1_000_000,
          onPass: (e) => {
            if (e.stage === 'pilot') setTimeout(() => controller.abort(), 100);
          },
          onProgress: () => {
            if (controller.signal.aborted) progressAfterAbort++;
          },
        },
        { signal: controller.signal },
      );
      await expect(running).rejects.toMatchObject({ name: 'RunError', code: 'aborted' });
      expect(controller.signal.aborted).toBe(true);
      expect(progressAfterAbort).toBe(0);
      expect(engine.pending()).toBe(0);
      // Aborted before it starts: nothing runs.
      const pre = new AbortController();
      pre.abort();
      await expect(engine.run({}, { signal: pre.signal })).rejects.toMatchObject({ code: 'aborted' });
      // The same pool still serves a run to completion (the grid set, 21 scenarios).
      const [grid] = await engine.run({ sets: [2] });
      expect(grid.k).toBe(1);
      expect(engine.pending()).toBe(0);
    } finally {
      await engine.close();
    }
  });
});

describe('the plan as bytes', () => {
  it('round-trips through the codec, and its id is a content hash', () => {
    const plan = prepare(small);
    const kp = kernelPlan(plan);
    const bytes = encodePlan(kp);
    const back = decodePlan(bytes);
    expect(back).toEqual(kp);
    expect(back.instruments.optIv).toBeInstanceOf(Float64Array);
    expect(back.holdings.accountRows).toBeInstanceOf(Int32Array);
    expect(planId(encodePlan(kernelPlan(prepare(small))))).toBe(planId(bytes));
    const reseeded = prepare({ ...small, suite: { ...(small.suite as object), seed: 43 } });
    expect(planId(encodePlan(kernelPlan(reseeded)))).not.toBe(planId(bytes));
    // Numbers JSON would not carry exactly, and bytes that do not start 8-aligned.
    const odd = { ...kp, instruments: { ...kp.instruments, rate: -0 }, extra: [Infinity, -Infinity, NaN] };
    const unaligned = new Uint8Array(encodePlan(odd as typeof kp).length + 3).subarray(3);
    unaligned.set(encodePlan(odd as typeof kp));
    const oddBack = decodePlan(unaligned) as typeof odd;
    expect(Object.is(oddBack.instruments.rate, -0)).toBe(true);
    expect(oddBack.extra).toEqual([Infinity, -Infinity, NaN]);
    expect(oddBack.instruments.optIv).toEqual(kp.instruments.optIv);
  });
});
