import type { WasmKernels } from '../kernels/wasm.js';
import {
  checkCount,
  checkRequest,
  copyExplicitRange,
  copyPrices,
  gatherExplicit,
  type EvaluatedScenarios,
  type ScenarioEvaluator,
} from './evaluator.js';
import { layoutEvaluator, type EvaluatorLayout, type OptionTable } from './layout.js';
import type { KernelPlan } from './plan.js';

/**
 * The scenario evaluator on the WASM kernels, in one instance's memory (layout.ts). Its stages
 * (`shock`, `revalue`, `aggregate`) are public so the kernel benches time each on the engine's
 * own layout; `range` and `list` run them in order.
 */
export class WasmEvaluator implements ScenarioEvaluator {
  readonly layout: EvaluatorLayout;
  private readonly nRows: number;
  private readonly nAccounts: number;

  constructor(
    readonly kernels: WasmKernels,
    readonly plan: KernelPlan,
    readonly chunk: number,
    tailCap = 1,
    tailSeries = plan.holdings.nSeries,
  ) {
    this.layout = layoutEvaluator(kernels, plan, chunk, tailCap, tailSeries);
    this.nRows = plan.instruments.nLinear + plan.instruments.nOptions;
    this.nAccounts = plan.holdings.accountOffsets.length - 1;
  }

  /**
   * Scenarios [start, start + count) of a set. With `series`, only those series need be right
   * (a range task keeping the tails of a group of series): accounts alone are then aggregated
   * alone, which is what makes a set run in groups cost less than one full pass per group.
   */
  range(set: number, start: number, count: number, series?: { from: number; to: number }): EvaluatedScenarios {
    checkRequest(this.plan, this.chunk, set, count);
    const shift = this.shock(set, start, count);
    this.revalue(count, shift);
    this.aggregate(count, series);
    return this.views(count);
  }

  list(set: number, indices: ArrayLike<number>, aggregate = true): EvaluatedScenarios {
    const count = indices.length;
    checkRequest(this.plan, this.chunk, set, count);
    const shift = this.shockList(set, indices);
    this.revalue(count, shift);
    if (aggregate) this.aggregate(count);
    return this.views(count);
  }

  atPrices(spot: Float64Array, ivShift: Float64Array, count: number): EvaluatedScenarios {
    checkCount(this.chunk, count);
    const { kernels: k, layout: l } = this;
    const n = this.plan.instruments.n;
    const shift = copyPrices(
      this.plan.instruments.spot0,
      count,
      spot,
      ivShift,
      k.f64(l.ret, n * count),
      k.f64(l.spot, n * count),
      k.f64(l.ivShift, count),
    );
    this.revalue(count, shift);
    this.aggregate(count);
    return this.views(count);
  }

  /**
   * Stage 1 for the listed scenarios of a set (at most chunk): their returns and shocked spots
   * into scratch. Returns the iv shift they share, if any (always for a Monte Carlo set).
   */
  shockList(set: number, indices: ArrayLike<number>): number | undefined {
    const count = indices.length;
    checkRequest(this.plan, this.chunk, set, count);
    const { kernels: k, layout: l } = this;
    const n = this.plan.instruments.n;
    const src = this.plan.sets[set].source;
    if (src.kind === 'montecarlo') {
      // Scenario i is a pure function of (seed, set, i): listed, it has the bits it has inside
      // any range.
      k.u32(l.listIdx, count).set(indices);
      this.mcShocks(set, 0, count, l.ret, l.spot, true);
      k.f64(l.ivShift, count).fill(src.ivShift);
      return src.ivShift;
    }
    return gatherExplicit(src, n, indices, k.f64(l.ret, n * count), k.f64(l.spot, n * count), k.f64(l.ivShift, count));
  }

  /**
   * Stage 1: the scenarios' returns and shocked spots into scratch. Returns the iv shift they
   * share, if any (always for a Monte Carlo set).
   */
  shock(set: number, start: number, count: number): number | undefined {
    const { kernels: k, layout: l } = this;
    const n = this.plan.instruments.n;
    const src = this.plan.sets[set].source;
    if (src.kind === 'montecarlo') {
      this.mcShocks(set, start, count, l.ret, l.spot);
      k.f64(l.ivShift, count).fill(src.ivShift);
      return src.ivShift;
    }
    return copyExplicitRange(src, n, start, count, k.f64(l.ret, n * count), k.f64(l.spot, n * count), k.f64(l.ivShift, count));
  }

  /** Stage 2: every revaluation row, linear then options; `shift` selects the fixed-iv kernel. */
  revalue(count: number, shift: number | undefined): void {
    this.revalueLinear(count);
    this.revalueOptions(count, shift);
  }

  revalueLinear(count: number): void {
    const l = this.layout;
    const ins = this.plan.instruments;
    this.kernels.exports.revalueLinear(ins.nLinear, l.linUnd, l.linMult, l.spot0, l.spot, count, l.rows);
  }

  revalueOptions(count: number, shift: number | undefined): void {
    const { layout: l } = this;
    const ins = this.plan.instruments;
    revalueOptionRows(this.kernels, l, ins.nOptions, ins.rate, l, shift, count, l.rows + ins.nLinear * count * 8);
  }

  /**
   * Stage 3: account rows from instrument rows, then group rows from account rows. `series`
   * within the accounts computes those accounts only (the others' rows are left as they were);
   * a group row needs every account.
   */
  aggregate(count: number, series?: { from: number; to: number }): void {
    const { layout: l } = this;
    const x = this.kernels.exports;
    const h = this.plan.holdings;
    if (series && series.to <= this.nAccounts) {
      // Account offsets index the shared rows and quantities absolutely: a block of accounts is
      // the same kernel from a later offset.
      const n = series.to - series.from;
      x.aggregateRows(n, l.accOffsets + series.from * 4, l.accRows, l.accQty, l.rows, count, l.series + series.from * count * 8);
      return;
    }
    x.aggregateRows(this.nAccounts, l.accOffsets, l.accRows, l.accQty, l.rows, count, l.series);
    if (h.nGroups > 0) {
      x.aggregateRows(h.nGroups, l.grpOffsets, l.grpMembers, l.grpWeight, l.series, count, l.series + this.nAccounts * count * 8);
    }
  }

  /** Fresh views of the last evaluation's scratch. */
  views(count: number): EvaluatedScenarios {
    const { kernels: k, layout: l } = this;
    const n = this.plan.instruments.n;
    return {
      count,
      ret: k.f64(l.ret, n * count),
      spot: k.f64(l.spot, n * count),
      ivShift: k.f64(l.ivShift, count),
      rows: k.f64(l.rows, this.nRows * count),
      series: k.f64(l.series, this.plan.holdings.nSeries * count),
    };
  }

  /**
   * Monte Carlo shocks into retPtr and spotPtr: scenarios [start, start + count), or with
   * `listed` the count scenarios whose indices lie at listIdx.
   */
  private mcShocks(set: number, start: number, count: number, retPtr: number, spotPtr: number, listed = false): void {
    const p = this.plan;
    const src = p.sets[set].source;
    if (src.kind !== 'montecarlo') throw new Error('internal: mcShocks on an explicit set');
    const l = this.layout;
    const x = this.kernels.exports;
    (listed ? x.mcShocksAt : x.mcShocks)(
      p.seedLo,
      p.seedHi,
      src.setId,
      listed ? l.listIdx : start,
      count,
      p.instruments.n,
      src.rank,
      l.factors[set],
      l.scales[set],
      src.dof,
      l.spot0,
      retPtr,
      spotPtr,
    );
  }
}

export type { OptionTable } from './layout.js';

/**
 * nOptions option rows of `count` scenarios into outPtr, from the shocks at `shocked` (returns,
 * spots and per-scenario iv shifts); `shift`, when the scenarios share one, selects the
 * fixed-iv kernel (the same bits).
 */
export function revalueOptionRows(
  k: WasmKernels,
  t: OptionTable,
  nOptions: number,
  rate: number,
  shocked: { ret: number; spot: number; ivShift: number },
  shift: number | undefined,
  count: number,
  outPtr: number,
): void {
  const x = k.exports;
  const head = [
    nOptions,
    t.optUnd,
    t.optIsCall,
    t.optStrike,
    t.optLnSK,
    t.optIv,
    t.optTau,
    t.optValue0,
    t.optMult,
    rate,
  ] as const;
  if (shift !== undefined) x.revalueOptionsFixedIv(...head, shocked.ret, shocked.spot, shift, count, outPtr);
  else x.revalueOptions(...head, shocked.ret, shocked.spot, shocked.ivShift, count, outPtr);
}
