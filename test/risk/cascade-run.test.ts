// Liquidation cascades in a run (contract section 9): the workers' tasks, cut into ranges and
// merged, against the TypeScript twins playing each whole set out in one range on the report's
// own maintenance margins; the same for any workers and chunk; and the bundled example's
// liquidation spiral, a cascade of two rounds.
import { describe, expect, it } from 'vitest';
import { bundledExample, prepare, run } from '../../src/index.js';
import { TwinEvaluator } from '../../src/engine/evaluator-twin.js';
import { kernelPlan } from '../../src/engine/plan.js';
import { buildCascadeTable, cascadeRange, cascadeReport } from '../../src/risk/cascade.js';
import { example2 } from '../helpers/example2.js';

describe('liquidation cascades in a run', () => {
  it('equal the twins playing each set out in one range, for 1 and 3 workers and any chunk', async () => {
    const { expected: _e, ...input } = example2();
    // More grid points, so that a set is cut into several tasks on 3 workers.
    const grid = input.suite.scenarioSets.find((s: { name: string }) => s.name === 'grid');
    grid.priceMoves = [-0.3, -0.25, -0.2, -0.15, -0.1, -0.05, 0, 0.05, 0.1];
    const reports = [await run({ ...input, workers: 1 }), await run({ ...input, workers: 3, chunk: 16 })];
    const plan = prepare(input);
    const table = buildCascadeTable(
      plan,
      reports[0].portfolios.map((p) => p.cross.maintenanceMargin),
      plan.suite.cascade,
    );
    const ev = new TwinEvaluator(kernelPlan(plan), 7);
    let checked = 0;
    for (const name of plan.suite.cascade!.sets) {
      const si = plan.sets.findIndex((s) => s.name === name);
      const want = cascadeReport(plan, cascadeRange(ev, table, si, 0, plan.sets[si].scenarios));
      for (const r of reports) expect(r.sets[si].cascade).toEqual(want);
      checked += want.withLiquidation;
    }
    expect(checked).toBeGreaterThan(10);
    // Sets the block does not name have none.
    expect(reports[0].sets.find((s) => s.name === 'history')!.cascade).toBeUndefined();
  });

  it("the bundled example's liquidation spiral runs two rounds: three portfolios, then alpha-fund", async () => {
    const report = await run({ ...bundledExample, workers: 2, attribution: false });
    const spiral = report.sets.find((s) => s.name === 'liquidation-spiral')!;
    expect(spiral.cascade).toMatchObject({
      scenarios: 1,
      withLiquidation: 1,
      mostRounds: 2,
      worst: { scenario: 0, rounds: 2, liquidatedByRound: [['treasury', 'helix-directional', 'retail-sol'], ['alpha-fund']] },
    });
    // The sale moves every price a little further than the shock's -25.9%, SOL (thinnest) most.
    const moves = spiral.cascade!.worst!.priceMoves;
    for (const u of ['BTC', 'ETH', 'SOL']) expect(moves[u]).toBeLessThan(-0.259);
    expect(moves.SOL).toBeLessThan(moves.BTC);
  });
});
