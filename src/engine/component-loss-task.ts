// A component-loss task run on a WASM scenario evaluator (the body of a worker for attribution,
// contract section 7): regenerate the listed scenarios' shocks, revalue the rows the pass's
// slots use (no other row, and no aggregation: the units' tails are given), and add each slot's
// losses with the tailComponentLosses kernel. A row's revaluation depends on its instrument and
// the scenario only, so the rows used, revalued on their own, have the bits they have in a run.
import type { TaskFailure } from '../errors.js';
import { revalueOptionRows, type OptionTable, type WasmEvaluator } from './evaluator-wasm.js';
import { scenarioBound } from './evaluator.js';
import type { ComponentLossTask, ComponentTable } from './task.js';

/** Where a pass's table, accumulators and pair buffers lie in a worker's kernel memory, after its evaluator's own layout. */
export interface ComponentLossLayout extends OptionTable {
  /** The evaluator this layout was allocated after: a new evaluator means a new heap. */
  evaluator: WasmEvaluator;
  tableId: string;
  nSlots: number;
  unitOff: number;
  slotRow: number;
  slotQty: number;
  sum: number;
  comp: number;
  pairOff: number;
  pairUnit: number;
  pairCap: number;
  /** The used rows' instruments, compacted (linear, then options: OptionTable), and their rows x chunk. */
  nLinear: number;
  nOptions: number;
  linUnd: number;
  linMult: number;
  rows: number;
}

/** The most (scenario, unit) pairs any kernel pass of the task holds: what its pair buffer needs. */
export function pairsPerPass(task: ComponentLossTask): number {
  const n = task.scenarios.length;
  let most = 0;
  for (let j0 = 0; j0 < n; j0 += task.chunk) {
    const j1 = Math.min(n, j0 + task.chunk);
    most = Math.max(most, task.pairOffsets[j1] - task.pairOffsets[j0]);
  }
  return most;
}

/** Allocates (after the evaluator's layout) and fills a pass's table; pair buffers for `pairCap` pairs. */
export function layoutComponentLosses(ev: WasmEvaluator, table: ComponentTable, pairCap: number): ComponentLossLayout {
  const k = ev.kernels;
  const ins = ev.plan.instruments;
  const nUnits = table.unitOffsets.length - 1;
  const nSlots = table.slotRow.length;
  let nLinear = 0;
  while (nLinear < table.rows.length && table.rows[nLinear] < ins.nLinear) nLinear++;
  const nOptions = table.rows.length - nLinear;
  const f64 = (n: number) => k.alloc(Math.max(1, n) * 8);
  const i32 = (n: number) => k.alloc(Math.max(1, n) * 4);
  const l: ComponentLossLayout = {
    evaluator: ev,
    tableId: table.id,
    nSlots,
    unitOff: i32(nUnits + 1),
    slotRow: i32(nSlots),
    slotQty: f64(nSlots),
    sum: f64(nSlots),
    comp: f64(nSlots),
    pairOff: i32(ev.chunk + 1),
    pairUnit: i32(pairCap),
    pairCap,
    nLinear,
    nOptions,
    linUnd: i32(nLinear),
    linMult: f64(nLinear),
    optUnd: i32(nOptions),
    optIsCall: i32(nOptions),
    optStrike: f64(nOptions),
    optLnSK: f64(nOptions),
    optIv: f64(nOptions),
    optTau: f64(nOptions),
    optValue0: f64(nOptions),
    optMult: f64(nOptions),
    rows: f64(table.rows.length * ev.chunk),
  };
  // Views only after the last allocation: growing memory detaches every earlier view.
  k.i32(l.unitOff, nUnits + 1).set(table.unitOffsets);
  k.i32(l.slotRow, nSlots).set(table.slotRow);
  k.f64(l.slotQty, nSlots).set(table.slotQty);
  const gather = <T extends Int32Array | Float64Array>(
    to: T,
    from: ArrayLike<number>,
    base: number,
    first: number,
    n: number,
  ) => {
    for (let j = 0; j < n; j++) to[j] = from[table.rows[first + j] - base];
  };
  gather(k.i32(l.linUnd, nLinear), ins.linUnd, 0, 0, nLinear);
  gather(k.f64(l.linMult, nLinear), ins.linMult, 0, 0, nLinear);
  const o = ins.nLinear;
  gather(k.i32(l.optUnd, nOptions), ins.optUnd, o, nLinear, nOptions);
  gather(k.i32(l.optIsCall, nOptions), ins.optIsCall, o, nLinear, nOptions);
  gather(k.f64(l.optStrike, nOptions), ins.optStrike, o, nLinear, nOptions);
  gather(k.f64(l.optLnSK, nOptions), ins.optLnSK, o, nLinear, nOptions);
  gather(k.f64(l.optIv, nOptions), ins.optIv, o, nLinear, nOptions);
  gather(k.f64(l.optTau, nOptions), ins.optTau, o, nLinear, nOptions);
  gather(k.f64(l.optValue0, nOptions), ins.optValue0, o, nLinear, nOptions);
  gather(k.f64(l.optMult, nOptions), ins.optMult, o, nLinear, nOptions);
  return l;
}

/** The used rows of `count` listed scenarios, shocked already, as WasmEvaluator.revalue does for all rows. */
function revalueUsedRows(ev: WasmEvaluator, l: ComponentLossLayout, count: number, shift: number | undefined): void {
  const e = ev.layout;
  ev.kernels.exports.revalueLinear(l.nLinear, l.linUnd, l.linMult, e.spot0, e.spot, count, l.rows);
  revalueOptionRows(ev.kernels, l, l.nOptions, ev.plan.instruments.rate, e, shift, count, l.rows + l.nLinear * count * 8);
}

/**
 * Every slot's losses over the task's scenarios that lie in its unit's tail, summed in the
 * order listed: one total per slot. Or a failure value (a cancel). Checks its inputs' shape, as
 * a task may come from another machine.
 */
export function runComponentLossTask(
  ev: WasmEvaluator,
  l: ComponentLossLayout,
  task: ComponentLossTask,
): Float64Array | TaskFailure {
  const k = ev.kernels;
  const n = task.scenarios.length;
  if (task.pairOffsets.length !== n + 1 || task.pairOffsets[0] !== 0 || task.pairOffsets[n] !== task.pairUnits.length) {
    throw new Error(`internal: ${task.pairOffsets.length} pair offsets for ${n} scenarios and ${task.pairUnits.length} pairs`);
  }
  if (task.chunk > ev.chunk) throw new Error(`internal: chunk ${task.chunk} exceeds the evaluator's ${ev.chunk}`);
  const nUnits = task.table.unitOffsets.length - 1;
  for (const u of task.pairUnits) if (!(u >= 0 && u < nUnits)) throw new Error(`internal: unit ${u} of ${nUnits}`);
  const bound = scenarioBound(ev.plan, task.set);
  for (const s of task.scenarios) if (!(s >= 0 && s < bound)) throw new Error(`internal: scenario ${s} of ${bound}`);
  const cancel = task.cancel ? new Int32Array(task.cancel) : undefined;
  k.f64(l.sum, l.nSlots).fill(0);
  k.f64(l.comp, l.nSlots).fill(0);
  for (let j0 = 0; j0 < n; j0 += task.chunk) {
    if (cancel && Atomics.load(cancel, 0) !== 0)
      return { code: 'aborted', message: 'cancelled', set: ev.plan.sets[task.set].name };
    const c = Math.min(task.chunk, n - j0);
    const base = task.pairOffsets[j0];
    const end = task.pairOffsets[j0 + c];
    if (end - base > l.pairCap) throw new Error(`internal: ${end - base} pairs for a buffer of ${l.pairCap}`);
    const shift = ev.shockList(task.set, task.scenarios.subarray(j0, j0 + c));
    revalueUsedRows(ev, l, c, shift);
    k.i32(l.pairOff, c + 1).set(task.pairOffsets.subarray(j0, j0 + c + 1));
    k.i32(l.pairUnit, end - base).set(task.pairUnits.subarray(base, end));
    k.exports.tailComponentLosses(c, l.rows, l.pairOff, base, l.pairUnit, l.unitOff, l.slotRow, l.slotQty, l.sum, l.comp);
  }
  const sum = k.f64(l.sum, l.nSlots);
  const comp = k.f64(l.comp, l.nSlots);
  const out = new Float64Array(l.nSlots);
  for (let i = 0; i < l.nSlots; i++) out[i] = sum[i] + comp[i];
  return out;
}
