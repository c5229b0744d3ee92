import type { WasmKernels } from '../kernels/wasm.js';
import type { KernelPlan } from './plan.js';

/** The option rows' instruments in kernel memory (an evaluator's, or a one-off table's: a pass's used rows, an inline instrument). */
export interface OptionTable {
  optUnd: number;
  optIsCall: number;
  optStrike: number;
  optLnSK: number;
  optIv: number;
  optTau: number;
  optValue0: number;
  optMult: number;
}

/**
 * Where a scenario evaluator's data lives in its WASM memory: byte offsets of the plan's arrays
 * (copied in once), the scratch for one chunk of scenarios, and the tail buffers of a range task.
 * The evaluator, the range task and the kernel benchmarks all lay memory out through here, so the
 * benches measure the kernels on exactly the engine's layout.
 */
export interface EvaluatorLayout extends OptionTable {
  spot0: number;
  linUnd: number;
  linMult: number;
  accOffsets: number;
  accRows: number;
  accQty: number;
  grpOffsets: number;
  grpMembers: number;
  grpWeight: number;
  factors: number[];
  scales: number[];
  /** Scratch for one chunk: returns and spots (underlyings x chunk), iv shifts, rows, series. */
  ret: number;
  spot: number;
  ivShift: number;
  rows: number;
  series: number;
  /** The scenario indices of a listed evaluation (chunk u32). */
  listIdx: number;
  /**
   * Tail buffers for up to `tailSeries` series (all of them, or a group when a set's tails are
   * run in groups to fit a memory budget): tailSeries x tailCap losses and scenario indices,
   * sizes and bars per series.
   */
  tailSeries: number;
  tailCap: number;
  heapVal: number;
  heapIdx: number;
  heapSize: number;
  threshold: number;
}

/**
 * Allocates and fills the memory for `p` with scratch for `chunk` scenarios and tail buffers of
 * `tailCap` for `tailSeries` series, once; views are taken only after the last allocation.
 */
export function layoutEvaluator(
  k: WasmKernels,
  p: KernelPlan,
  chunk: number,
  tailCap: number,
  tailSeries: number = p.holdings.nSeries,
): EvaluatorLayout {
  const ins = p.instruments;
  const h = p.holdings;
  const C = chunk;
  const nRows = ins.nLinear + ins.nOptions;
  const f64 = (n: number) => k.alloc(Math.max(n, 1) * 8);
  const i32 = (n: number) => k.alloc(Math.max(n, 1) * 4);
  const l: EvaluatorLayout = {
    spot0: f64(ins.n),
    linUnd: i32(ins.nLinear),
    linMult: f64(ins.nLinear),
    optUnd: i32(ins.nOptions),
    optIsCall: i32(ins.nOptions),
    optStrike: f64(ins.nOptions),
    optLnSK: f64(ins.nOptions),
    optIv: f64(ins.nOptions),
    optTau: f64(ins.nOptions),
    optValue0: f64(ins.nOptions),
    optMult: f64(ins.nOptions),
    accOffsets: i32(h.accountOffsets.length),
    accRows: i32(h.accountRows.length),
    accQty: f64(h.accountQty.length),
    grpOffsets: i32(h.groupOffsets.length),
    grpMembers: i32(h.groupMembers.length),
    grpWeight: f64(h.groupWeight.length),
    factors: p.sets.map((s) => (s.source.kind === 'montecarlo' ? f64(s.source.factor.length) : 0)),
    scales: p.sets.map((s) => (s.source.kind === 'montecarlo' ? f64(s.source.scale.length) : 0)),
    ret: f64(ins.n * C),
    spot: f64(ins.n * C),
    ivShift: f64(C),
    rows: f64(nRows * C),
    series: f64(h.nSeries * C),
    listIdx: i32(C),
    tailSeries,
    tailCap,
    heapVal: f64(tailSeries * tailCap),
    heapIdx: f64(tailSeries * tailCap),
    heapSize: i32(tailSeries),
    threshold: f64(tailSeries),
  };
  // Views only after the last allocation: growing memory detaches every earlier view.
  k.f64(l.spot0, ins.n).set(ins.spot0);
  k.i32(l.linUnd, ins.nLinear).set(ins.linUnd);
  k.f64(l.linMult, ins.nLinear).set(ins.linMult);
  k.i32(l.optUnd, ins.nOptions).set(ins.optUnd);
  k.i32(l.optIsCall, ins.nOptions).set(ins.optIsCall);
  k.f64(l.optStrike, ins.nOptions).set(ins.optStrike);
  k.f64(l.optLnSK, ins.nOptions).set(ins.optLnSK);
  k.f64(l.optIv, ins.nOptions).set(ins.optIv);
  k.f64(l.optTau, ins.nOptions).set(ins.optTau);
  k.f64(l.optValue0, ins.nOptions).set(ins.optValue0);
  k.f64(l.optMult, ins.nOptions).set(ins.optMult);
  k.i32(l.accOffsets, h.accountOffsets.length).set(h.accountOffsets);
  k.i32(l.accRows, h.accountRows.length).set(h.accountRows);
  k.f64(l.accQty, h.accountQty.length).set(h.accountQty);
  k.i32(l.grpOffsets, h.groupOffsets.length).set(h.groupOffsets);
  k.i32(l.grpMembers, h.groupMembers.length).set(h.groupMembers);
  k.f64(l.grpWeight, h.groupWeight.length).set(h.groupWeight);
  p.sets.forEach((s, i) => {
    if (s.source.kind !== 'montecarlo') return;
    k.f64(l.factors[i], s.source.factor.length).set(s.source.factor);
    k.f64(l.scales[i], s.source.scale.length).set(s.source.scale);
  });
  return l;
}
