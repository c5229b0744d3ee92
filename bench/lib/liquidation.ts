// What section 9 costs beside a run, in-process on a held engine (so neither pool start-up nor
// the run itself is in the figure): the distances to liquidation of every portfolio and account,
// and the liquidation cascades of a 100-scenario crash ladder (synth crashLadder), each timed
// on its own after one run has given the margins. Normalised by the calibration loop measured
// just before, like the end-to-end figures.
import { Bench } from 'tinybench';
import { createEngine, prepare } from '../../src/index.js';
import { reportOf } from '../../src/run.js';
import { buildCascadeTable } from '../../src/risk/cascade.js';
import { distancesToLiquidation, liquidationModel } from '../../src/risk/liquidation.js';
import { synthesize, type SynthSize } from '../../src/synth/index.js';
import { measureCalibration, calibrationTasks } from './calibrate.js';
import { sig } from './stats.js';
import { completedTasks } from './tinybench.js';

export interface LiquidationFigure {
  size: SynthSize;
  workers: number;
  units: number;
  /** Median ms of every unit's distance to liquidation (main thread, as a run computes them). */
  distancesMs: number;
  /** Median ms of the crash ladder's cascades on the engine's workers. */
  cascadeMs: number;
  cascadeScenarios: number;
  /** The most rounds a ladder scenario ran, and how many liquidated anyone. */
  mostRounds: number;
  withLiquidation: number;
  /** The two in multiples of the calibration loop (unitMs). */
  distancesNormalised: number;
  cascadeNormalised: number;
}

export async function runLiquidationBench(size: SynthSize, workers: number, iterations: number): Promise<LiquidationFigure> {
  const w = synthesize(size, 1, { crashLadder: 'cascade' });
  const plan = prepare({ market: w.market, book: w.book, suite: w.suite } as unknown as Parameters<typeof prepare>[0]);
  const engine = createEngine(plan, { workers });
  try {
    const report = reportOf(plan, await engine.run({ keepTails: false }));
    const h = plan.holdings;
    const units = [
      ...report.portfolios
        .flatMap((p) => p.segregated.accounts)
        .map((a) => ({
          series: h.accountIds.indexOf(a.id),
          collateral: a.collateral,
          maintenanceMargin: a.maintenanceMargin,
        })),
      ...report.portfolios.map((p, i) => ({
        series: h.portfolios[i].series,
        collateral: p.collateral,
        maintenanceMargin: p.cross.maintenanceMargin,
      })),
    ];
    const model = liquidationModel(plan.market, plan.book);
    const table = buildCascadeTable(
      plan,
      report.portfolios.map((p) => p.cross.maintenanceMargin),
      plan.suite.cascade,
    );
    const set = plan.sets.findIndex((s) => s.name === 'crash-ladder');
    let partial = { withLiquidation: 0, mostRounds: 0 };
    const bench = new Bench({ iterations, time: 0, warmup: true, warmupIterations: 1, throws: true });
    bench.add('distances', () => {
      distancesToLiquidation(model, units);
    });
    bench.add('cascades', async () => {
      [partial] = await engine.cascades([{ set, table }]);
    });
    const calib = await measureCalibration(calibrationTasks(), 100);
    await bench.run();
    const stats = completedTasks(bench);
    const distancesMs = stats.get('distances')!.latency.p50;
    const cascadeMs = stats.get('cascades')!.latency.p50;
    return {
      size,
      workers,
      units: units.length,
      distancesMs: sig(distancesMs, 4),
      cascadeMs: sig(cascadeMs, 4),
      cascadeScenarios: plan.sets[set].scenarios,
      mostRounds: partial.mostRounds,
      withLiquidation: partial.withLiquidation,
      distancesNormalised: sig(distancesMs / calib.unitMs, 5),
      cascadeNormalised: sig(cascadeMs / calib.unitMs, 5),
    };
  } finally {
    await engine.close();
  }
}
