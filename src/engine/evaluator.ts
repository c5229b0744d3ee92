// One scenario evaluator: (plan, set, scenarios) -> underlying moves, instrument-row P&L and
// account and portfolio P&L. Two backends compute it, the same way and to the same bits: WASM
// (evaluator-wasm.ts) for the workers and the benches, the TypeScript twins
// (evaluator-twin.ts) for explain and as the tests' oracle. Anything that needs per-scenario
// values (tails, component losses in tail scenarios, reductions over portfolios) is a small
// kernel or loop over what an evaluator returns, never a fifth copy of the pipeline.
import type { ExplicitSource } from '../scenarios/types.js';
import type { KernelPlan } from './plan.js';

/**
 * What one evaluation gives, for `count` scenarios; arrays are row-major with stride `count`.
 * A WASM evaluator's arrays are views into its memory: valid until its next evaluation.
 */
export interface EvaluatedScenarios {
  count: number;
  /** underlyings x count: log return and shocked spot. */
  ret: Float64Array;
  spot: Float64Array;
  /** count: the absolute iv shift of each scenario. */
  ivShift: Float64Array;
  /** revaluation rows (linear, then options) x count: P&L per unit. */
  rows: Float64Array;
  /** series (accounts, then groups of two or more accounts) x count: P&L. */
  series: Float64Array;
}

export interface ScenarioEvaluator {
  readonly plan: KernelPlan;
  /** The most scenarios one call evaluates. */
  readonly chunk: number;
  /** Scenarios [start, start + count) of set `set`, count <= chunk. */
  range(set: number, start: number, count: number): EvaluatedScenarios;
  /**
   * The listed scenarios of set `set` (at most chunk), in the order given. With `aggregate`
   * false only the rows are computed (`series` is left as it was): what attribution needs.
   */
  list(set: number, indices: ArrayLike<number>, aggregate?: boolean): EvaluatedScenarios;
  /**
   * `count` scenarios of no set (at most chunk): the given spots (underlyings x count, stride
   * count) and iv shifts, revalued and aggregated as a set's scenarios are. For prices that a
   * computation makes up as it goes (a liquidation cascade's rounds).
   */
  atPrices(spot: Float64Array, ivShift: Float64Array, count: number): EvaluatedScenarios;
}

/**
 * How many scenarios set `set` has for a task that lists or ranges over them: an explicit set's
 * are its columns; a Monte Carlo set's scenario i exists for any i (a pure function of seed, set
 * and i), up to 2^31. Throws (internal) for a set the plan does not have.
 */
export function scenarioBound(plan: KernelPlan, set: number): number {
  const src = plan.sets[set]?.source;
  if (src === undefined) throw new Error(`internal: no set ${set} in the plan`);
  return src.kind === 'montecarlo' ? 2 ** 31 : src.count;
}

/** Checks a task's scenarios [start, start + count) against its set (internal, as checkRequest). */
export function checkScenarioRange(plan: KernelPlan, set: number, start: number, count: number): void {
  const bound = scenarioBound(plan, set);
  if (!(Number.isInteger(start) && start >= 0 && count >= 1 && start + count <= bound))
    throw new Error(`internal: scenarios ${start}+${count} of ${bound}`);
}

/** Checks a request against the plan; the messages are internal (callers validate user input first). */
export function checkRequest(plan: KernelPlan, chunk: number, set: number, count: number): void {
  if (!(set >= 0 && set < plan.sets.length)) throw new Error(`internal: no set ${set} in the plan`);
  checkCount(chunk, count);
}

/** Checks a number of scenarios against an evaluator's chunk (internal, as checkRequest). */
export function checkCount(chunk: number, count: number): void {
  if (!(count >= 1 && count <= chunk)) throw new Error(`internal: ${count} scenarios for an evaluator of chunk ${chunk}`);
}

/**
 * For an explicit set, whether a run of scenarios shares one iv shift (Object.is, so -0 and 0
 * differ): the option kernel then hoists the per-option terms. Both kernels give the same bits,
 * so the choice, which may depend on the chunking, never changes a result.
 */
export function commonShift(shifts: Float64Array): number | undefined {
  const first = shifts[0];
  for (let i = 1; i < shifts.length; i++) if (!Object.is(shifts[i], first)) return undefined;
  return first;
}

/**
 * Both backends' stage 1 for an explicit set: scenarios [start, start + count) copied from the
 * plan into ret, spot (underlyings x count) and ivShift. Returns the shift they share, if any.
 */
export function copyExplicitRange(
  src: ExplicitSource,
  n: number,
  start: number,
  count: number,
  ret: Float64Array,
  spot: Float64Array,
  ivShift: Float64Array,
): number | undefined {
  for (let u = 0; u < n; u++) {
    ret.set(src.ret.subarray(u * src.count + start, u * src.count + start + count), u * count);
    spot.set(src.spot.subarray(u * src.count + start, u * src.count + start + count), u * count);
  }
  ivShift.set(src.ivShift.subarray(start, start + count));
  return commonShift(ivShift);
}

/** The same for the listed scenarios of an explicit set, in the order given. */
export function gatherExplicit(
  src: ExplicitSource,
  n: number,
  indices: ArrayLike<number>,
  ret: Float64Array,
  spot: Float64Array,
  ivShift: Float64Array,
): number | undefined {
  const count = indices.length;
  for (let s = 0; s < count; s++) {
    const i = indices[s];
    for (let u = 0; u < n; u++) {
      ret[u * count + s] = src.ret[u * src.count + i];
      spot[u * count + s] = src.spot[u * src.count + i];
    }
    ivShift[s] = src.ivShift[i];
  }
  return commonShift(ivShift);
}

/** One scenario's returns and spots (n each) into column s of blocks of stride `count`. */
export function putColumn(
  oneRet: Float64Array,
  oneSpot: Float64Array,
  ret: Float64Array,
  spot: Float64Array,
  count: number,
  s: number,
): void {
  for (let u = 0; u < oneRet.length; u++) {
    ret[u * count + s] = oneRet[u];
    spot[u * count + s] = oneSpot[u];
  }
}

/**
 * Both backends' stage 1 for given prices: the spots and iv shifts copied in, and the log
 * returns the option kernels take computed here, once, so both backends get the same bits.
 * Returns the shift the scenarios share, if any.
 */
export function copyPrices(
  spot0: Float64Array,
  count: number,
  fromSpot: Float64Array,
  fromIvShift: Float64Array,
  ret: Float64Array,
  spot: Float64Array,
  ivShift: Float64Array,
): number | undefined {
  for (let u = 0; u < spot0.length; u++)
    for (let s = 0; s < count; s++) {
      const x = fromSpot[u * count + s];
      spot[u * count + s] = x;
      ret[u * count + s] = Math.log(x / spot0[u]);
    }
  ivShift.set(fromIvShift.subarray(0, count));
  return commonShift(ivShift);
}
