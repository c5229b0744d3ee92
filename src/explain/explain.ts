import type { RunPlan } from '../engine/plan.js';
import { kernelPlan } from '../engine/plan.js';
import { TwinEvaluator } from '../engine/evaluator-twin.js';
import { ArgumentError } from '../errors.js';
import { noSuchSet } from '../model/issues.js';

export interface ScenarioExplanation {
  set: string;
  type: string;
  scenario: number;
  /** For a historical set, the window's dates. */
  label?: string;
  ivShift: number;
  underlyings: { id: string; spot: number; shockedSpot: number; move: number; logReturn: number }[];
  /** P&L per unit of each revaluation row (book instruments that share a row are listed together). */
  instruments: { ids: string[]; pnlPerUnit: number }[];
  accounts: { id: string; pnl: number; loss: number }[];
  portfolios: { id: string; accounts: string[]; pnl: number; loss: number }[];
}

/**
 * Regenerates scenario i of a set and shows what it did: the underlying moves, the P&L of every
 * instrument, account and portfolio. Because scenario i is a pure function of (seed, set, i),
 * this is the same scenario the run saw; the twin evaluator computes it (the TypeScript twins of
 * the kernels, the tests' oracle), so it also cross-checks the WASM numbers in the report.
 */
export function explainScenario(plan: RunPlan, setName: string, i: number): ScenarioExplanation {
  const setIndex = plan.sets.findIndex((s) => s.name === setName);
  if (setIndex < 0)
    throw noSuchSet(
      setName,
      plan.sets.map((s) => s.name),
    );
  const set = plan.sets[setIndex];
  if (!(Number.isInteger(i) && i >= 0 && i < set.scenarios)) {
    throw new ArgumentError('scenario', i, `expected a whole number in [0, ${set.scenarios - 1}] for set "${setName}"`);
  }
  // The twins, not WASM: an explanation recomputes the scenario independently of the workers.
  const e = new TwinEvaluator(kernelPlan(plan), 1).list(setIndex, [i]);
  const { spot, ret, rows, series } = e;
  const ivShift = e.ivShift[0];
  const ins = plan.instruments;
  const h = plan.holdings;

  return {
    set: set.name,
    type: set.type,
    scenario: i,
    ...(set.labels ? { label: set.labels[i] } : {}),
    ivShift,
    underlyings: plan.market.underlyings.map((u, k) => ({
      id: u.id,
      spot: u.spot,
      shockedSpot: spot[k],
      move: spot[k] / u.spot - 1,
      logReturn: ret[k],
    })),
    instruments: ins.rowNames.map((ids, r) => ({ ids, pnlPerUnit: rows[r] })),
    accounts: h.accountIds.map((id, a) => ({ id, pnl: series[a], loss: -series[a] })),
    portfolios: h.portfolios.map((p) => ({
      id: p.id,
      accounts: p.accounts.map((a) => h.accountIds[a]),
      pnl: series[p.series],
      loss: -series[p.series],
    })),
  };
}
