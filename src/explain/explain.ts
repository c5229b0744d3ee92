import type { RunPlan } from '../engine/plan.js';
import { workerPlan } from '../engine/plan.js';
import { aggregateRows } from '../kernels/aggregate.js';
import { revalueLinear, revalueOptions } from '../kernels/revalue.js';
import { mcShocks } from '../kernels/shocks.js';
import { ArgumentError } from '../errors.js';

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
 * this is the same scenario the run saw; it is computed by the TypeScript twins of the kernels
 * (the tests' oracle), so it also cross-checks the WASM numbers in the report.
 */
export function explainScenario(plan: RunPlan, setName: string, i: number): ScenarioExplanation {
  const setIndex = plan.sets.findIndex((s) => s.name === setName);
  if (setIndex < 0)
    throw new ArgumentError('set', setName, `the suite has no such set (sets: ${plan.sets.map((s) => s.name).join(', ')})`);
  const set = plan.sets[setIndex];
  if (!(Number.isInteger(i) && i >= 0 && i < set.scenarios)) {
    throw new ArgumentError('scenario', i, `expected a whole number in [0, ${set.scenarios - 1}] for set "${setName}"`);
  }
  const w = workerPlan(plan, 1, 1);
  const ins = plan.instruments;
  const n = ins.n;
  const ret = new Float64Array(n);
  const spot = new Float64Array(n);
  let ivShift: number;
  const src = set.source;
  if (src.kind === 'montecarlo') {
    mcShocks(w.seedLo, w.seedHi, src.setId, i, 1, n, src.rank, src.factor, src.scale, src.dof, ins.spot0, ret, spot);
    ivShift = src.ivShift;
  } else {
    for (let u = 0; u < n; u++) {
      ret[u] = src.ret[u * src.count + i];
      spot[u] = src.spot[u * src.count + i];
    }
    ivShift = src.ivShift[i];
  }
  const nRows = ins.nLinear + ins.nOptions;
  const rows = new Float64Array(nRows);
  revalueLinear(ins.nLinear, ins.linUnd, ins.linMult, ins.spot0, spot, 1, rows);
  revalueOptions(
    ins.nOptions,
    ins.optUnd,
    ins.optIsCall,
    ins.optStrike,
    ins.optLnSK,
    ins.optIv,
    ins.optTau,
    ins.optValue0,
    ins.optMult,
    ins.rate,
    ret,
    spot,
    Float64Array.of(ivShift),
    1,
    rows.subarray(ins.nLinear),
  );
  const h = plan.holdings;
  const nAccounts = h.accountIds.length;
  const series = new Float64Array(h.nSeries);
  aggregateRows(nAccounts, h.accountOffsets, h.accountRows, h.accountQty, rows, 1, series);
  if (h.nGroups > 0)
    aggregateRows(
      h.nGroups,
      h.groupOffsets,
      h.groupMembers,
      h.groupWeight,
      series.subarray(0, nAccounts),
      1,
      series.subarray(nAccounts),
    );

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
