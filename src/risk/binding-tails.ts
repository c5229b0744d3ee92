// Each unit's tail in its binding set, kept while a run goes: what the Euler attribution of ES
// regenerates (contract section 7). The binding set of a series is the margin set with its
// largest ES, ties to the set listed first (margin/margin.ts marginOf), so as the sets' tail
// scenarios come out of the engine (EngineRunOptions.onTailScenarios) each series keeps the k
// scenarios of the best set so far and drops the rest. Memory: one tail of scenario indices per
// series, never one per set.
import type { TailScenarioSlice } from '../engine/engine.js';
import { SUMMARY_WIDTH } from '../engine/exact-tails.js';
import type { RunPlan } from '../engine/plan.js';

export class BindingTails {
  private readonly es: Float64Array;
  private readonly set: Int32Array;
  /** Every series' tail, series r at [r k, r k + k), k the largest margin set's tail size: one allocation, not one per series and set. */
  private readonly tails: Int32Array;
  private readonly k: number;

  constructor(private readonly plan: RunPlan) {
    const n = plan.holdings.nSeries;
    this.es = new Float64Array(n);
    this.set = new Int32Array(n).fill(-1);
    this.k = BindingTails.tailSize(plan);
    this.tails = new Int32Array(n * this.k);
  }

  /** Takes a slice of a set's tails: a series keeps it if the set binds it so far. Bound, so it can be handed to the engine as is. */
  readonly offer = (slice: TailScenarioSlice): void => {
    if (!this.plan.sets[slice.set].margin) return;
    const { k } = slice;
    for (let r = slice.from; r < slice.to; r++) {
      const j = r - slice.from;
      // The ES exactly as measures.ts computes it, so the comparison is marginOf's.
      const es = slice.summaries[j * SUMMARY_WIDTH + 4] / k;
      const cur = this.set[r];
      if (cur >= 0 && !(es > this.es[r] || (es === this.es[r] && slice.set < cur))) continue;
      this.es[r] = es;
      this.set[r] = slice.set;
      // A copy: the slice is the engine's, valid during the call only.
      this.tails.set(slice.scenarios.subarray(j * k, j * k + k), r * this.k);
    }
  };

  /** Series r's binding set (its index in the plan) and the k scenarios of its tail there, in rank order. */
  of(r: number): { set: number; es: number; tail: Int32Array } {
    const set = this.set[r];
    if (set < 0) throw new Error(`internal: no tail kept for series ${r}`);
    const k = this.plan.sets[set].tailSize;
    return { set, es: this.es[r], tail: this.tails.subarray(r * this.k, r * this.k + k) };
  }

  /** The bytes a run keeps for attribution at most: one tail of indices per series, of the largest margin set's size. */
  static bytes(plan: RunPlan): number {
    return plan.holdings.nSeries * BindingTails.tailSize(plan) * 4;
  }

  private static tailSize(plan: RunPlan): number {
    return Math.max(0, ...plan.sets.filter((s) => s.margin).map((s) => s.tailSize));
  }
}
