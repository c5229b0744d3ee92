// A warm engine against a cold run, in one process and one tinybench run: `run()` prepares the
// plan, starts a pool, runs and closes it every time; a held engine (createEngine) runs the same
// plan again on its warm pool. The difference is what a long-lived engine (a service, a sweep of
// runs) saves per run: pool start-up, WASM instantiation and plan layout in the workers.
import { Bench } from 'tinybench';
import { createEngine, prepare, reportOn, run } from '../../src/index.js';
import { synthesize, type SynthSize } from '../../src/synth/index.js';
import { sig } from './stats.js';
import { completedTasks } from './tinybench.js';

export interface WarmFigure {
  size: SynthSize;
  workers: number;
  /** Median ms of a whole run() (validate, plan, pool start, run, close). */
  coldMs: number;
  /** Median ms of engine.run() + report on an engine held warm. */
  warmMs: number;
  /** coldMs - warmMs: what holding the engine saves per run. */
  savedMs: number;
  /** warmMs / coldMs, from the same bench run. */
  ratio: number;
}

export async function runWarmBench(size: SynthSize, workers: number, iterations: number): Promise<WarmFigure> {
  const w = synthesize(size, 1);
  const input = { market: w.market, book: w.book, suite: w.suite } as unknown as Parameters<typeof prepare>[0];
  const plan = prepare(input);
  const engine = createEngine(plan, { workers });
  try {
    // The first run pays the pool's start-up; the bench measures the runs after it.
    await engine.run();
    const bench = new Bench({ iterations, time: 0, warmup: false, throws: true });
    bench.add('cold', async () => {
      await run({ ...input, workers });
    });
    bench.add('warm', async () => {
      await reportOn(engine);
    });
    await bench.run();
    const stats = completedTasks(bench);
    const coldMs = stats.get('cold')!.latency.p50;
    const warmMs = stats.get('warm')!.latency.p50;
    return {
      size,
      workers,
      coldMs: sig(coldMs, 5),
      warmMs: sig(warmMs, 5),
      savedMs: sig(coldMs - warmMs, 4),
      ratio: sig(warmMs / coldMs, 4),
    };
  } finally {
    await engine.close();
  }
}
