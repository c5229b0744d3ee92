import { aggregateRows } from '../kernels/aggregate.js';
import { revalueLinear, revalueOptions, revalueOptionsFixedIv } from '../kernels/revalue.js';
import { mcShocks } from '../kernels/shocks.js';
import {
  checkCount,
  checkRequest,
  copyExplicitRange,
  copyPrices,
  gatherExplicit,
  putColumn,
  type EvaluatedScenarios,
  type ScenarioEvaluator,
} from './evaluator.js';
import type { KernelPlan } from './plan.js';

/**
 * The scenario evaluator on the TypeScript twins of the kernels: the same stages, in the same
 * order, on plain typed arrays. It is the tests' oracle for the WASM evaluator and what
 * `explain` uses, so an explanation cross-checks the numbers the workers computed.
 */
export class TwinEvaluator implements ScenarioEvaluator {
  private readonly ret: Float64Array;
  private readonly spot: Float64Array;
  private readonly ivShift: Float64Array;
  private readonly rows: Float64Array;
  private readonly series: Float64Array;
  private readonly oneRet: Float64Array;
  private readonly oneSpot: Float64Array;
  private readonly nRows: number;
  private readonly nAccounts: number;

  constructor(
    readonly plan: KernelPlan,
    readonly chunk: number,
  ) {
    const ins = plan.instruments;
    this.nRows = ins.nLinear + ins.nOptions;
    this.nAccounts = plan.holdings.accountOffsets.length - 1;
    this.ret = new Float64Array(ins.n * chunk);
    this.spot = new Float64Array(ins.n * chunk);
    this.ivShift = new Float64Array(chunk);
    this.rows = new Float64Array(this.nRows * chunk);
    this.series = new Float64Array(plan.holdings.nSeries * chunk);
    this.oneRet = new Float64Array(ins.n);
    this.oneSpot = new Float64Array(ins.n);
  }

  range(set: number, start: number, count: number): EvaluatedScenarios {
    checkRequest(this.plan, this.chunk, set, count);
    const shift = this.shock(set, start, count);
    this.revalue(count, shift);
    this.aggregate(count);
    return this.views(count);
  }

  list(set: number, indices: ArrayLike<number>, aggregate = true): EvaluatedScenarios {
    const count = indices.length;
    checkRequest(this.plan, this.chunk, set, count);
    const n = this.plan.instruments.n;
    const src = this.plan.sets[set].source;
    const { ret, spot, ivShift } = this.views(count);
    let shift: number | undefined;
    if (src.kind === 'montecarlo') {
      for (let s = 0; s < count; s++) {
        this.mcShocks(set, indices[s], 1, this.oneRet, this.oneSpot);
        putColumn(this.oneRet, this.oneSpot, ret, spot, count, s);
      }
      ivShift.fill(src.ivShift);
      shift = src.ivShift;
    } else {
      shift = gatherExplicit(src, n, indices, ret, spot, ivShift);
    }
    this.revalue(count, shift);
    if (aggregate) this.aggregate(count);
    return this.views(count);
  }

  atPrices(spot: Float64Array, ivShift: Float64Array, count: number): EvaluatedScenarios {
    checkCount(this.chunk, count);
    const v = this.views(count);
    const shift = copyPrices(this.plan.instruments.spot0, count, spot, ivShift, v.ret, v.spot, v.ivShift);
    this.revalue(count, shift);
    this.aggregate(count);
    return this.views(count);
  }

  /** Stage 1, as WasmEvaluator.shock. */
  shock(set: number, start: number, count: number): number | undefined {
    const n = this.plan.instruments.n;
    const src = this.plan.sets[set].source;
    const { ret, spot, ivShift } = this.views(count);
    if (src.kind === 'montecarlo') {
      this.mcShocks(set, start, count, ret, spot);
      ivShift.fill(src.ivShift);
      return src.ivShift;
    }
    return copyExplicitRange(src, n, start, count, ret, spot, ivShift);
  }

  /** Stage 2, as WasmEvaluator.revalue. */
  revalue(count: number, shift: number | undefined): void {
    this.revalueLinear(count);
    this.revalueOptions(count, shift);
  }

  revalueLinear(count: number): void {
    const ins = this.plan.instruments;
    const { spot, rows } = this.views(count);
    revalueLinear(ins.nLinear, ins.linUnd, ins.linMult, ins.spot0, spot, count, rows);
  }

  revalueOptions(count: number, shift: number | undefined): void {
    const ins = this.plan.instruments;
    const { ret, spot, ivShift, rows } = this.views(count);
    const optRows = rows.subarray(ins.nLinear * count);
    if (shift !== undefined) {
      revalueOptionsFixedIv(
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
        shift,
        count,
        optRows,
      );
    } else {
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
        ivShift,
        count,
        optRows,
      );
    }
  }

  /** Stage 3, as WasmEvaluator.aggregate. */
  aggregate(count: number): void {
    const h = this.plan.holdings;
    const { rows, series } = this.views(count);
    aggregateRows(this.nAccounts, h.accountOffsets, h.accountRows, h.accountQty, rows, count, series);
    if (h.nGroups > 0) {
      aggregateRows(
        h.nGroups,
        h.groupOffsets,
        h.groupMembers,
        h.groupWeight,
        series.subarray(0, this.nAccounts * count),
        count,
        series.subarray(this.nAccounts * count),
      );
    }
  }

  /** The last evaluation's arrays, trimmed to `count` scenarios (the stride is `count`). */
  views(count: number): EvaluatedScenarios {
    const n = this.plan.instruments.n;
    return {
      count,
      ret: this.ret.subarray(0, n * count),
      spot: this.spot.subarray(0, n * count),
      ivShift: this.ivShift.subarray(0, count),
      rows: this.rows.subarray(0, this.nRows * count),
      series: this.series.subarray(0, this.plan.holdings.nSeries * count),
    };
  }

  private mcShocks(set: number, start: number, count: number, ret: Float64Array, spot: Float64Array): void {
    const p = this.plan;
    const src = p.sets[set].source;
    if (src.kind !== 'montecarlo') throw new Error('internal: mcShocks on an explicit set');
    mcShocks(
      p.seedLo,
      p.seedHi,
      src.setId,
      start,
      count,
      p.instruments.n,
      src.rank,
      src.factor,
      src.scale,
      src.dof,
      p.instruments.spot0,
      ret,
      spot,
    );
  }
}
