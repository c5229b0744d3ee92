// Cover-1 and Cover-2 of a set (contract section 9), the default-fund sizing of CCP practice:
// the loss beyond the collateral of the one or two worst-hit portfolios, in the set's worst
// scenario for each. Range tasks reduce their scenarios over the portfolios (the coverScan
// kernel) and hand back a state of COVER_WIDTH numbers; states merge associatively (the larger
// value, ties to the lower scenario), so a set's cover is the same for any workers, chunks,
// tasks or pilot, and a scenario seen twice (a pilot rerun) changes nothing.
import { COVER_WIDTH, emptyCoverState } from '../kernels/stress.js';
import type { RunPlan } from './plan.js';
import type { CoverTable } from './task.js';

export { COVER_WIDTH, emptyCoverState };

/** One of the two measures: its value, the scenario (0-based in its set) and the portfolios (indices in report order) behind it. */
export interface CoverValue {
  value: number;
  scenario: number;
  /** Those with an uncovered loss above 0, the largest first. */
  portfolios: number[];
}

export interface SetCover {
  cover1: CoverValue;
  cover2: CoverValue;
}

/** The plan's portfolios as the kernel reads them; collateral summed as the report sums it (report.ts). */
export function coverTable(plan: Pick<RunPlan, 'holdings'>): CoverTable {
  const h = plan.holdings;
  return {
    series: Int32Array.from(h.portfolios, (p) => p.series),
    collateral: Float64Array.from(h.portfolios, (p) => p.accounts.reduce((s, a) => s + h.collateral[a], 0)),
  };
}

/** Folds state `from` into `into`: each measure keeps the larger value, ties to the lower scenario. */
export function mergeCoverState(into: Float64Array, from: ArrayLike<number>): void {
  const better = (at: number) => from[at] > into[at] || (from[at] === into[at] && from[at + 1] < into[at + 1]);
  if (better(0)) for (let i = 0; i < 3; i++) into[i] = from[i];
  if (better(3)) for (let i = 3; i < 7; i++) into[i] = from[i];
}

/** A merged state as the report's measures; undefined when no scenario was reduced. */
export function setCover(state: Float64Array): SetCover | undefined {
  if (state[0] < 0) return undefined;
  const named = (...ports: number[]) => ports.filter((p) => p >= 0);
  return {
    cover1: { value: state[0], scenario: state[1], portfolios: named(state[2]) },
    cover2: { value: state[3], scenario: state[4], portfolios: named(state[5], state[6]) },
  };
}
