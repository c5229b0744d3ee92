// A piscina worker: one WASM instance, its scratch memory laid out once, then scenario tasks.
// Each task generates (or copies) its scenarios chunk by chunk, revalues every distinct
// instrument, aggregates accounts and portfolios, and keeps the exact top-k losses per series.
import { threadId } from 'node:worker_threads';
import { move, workerData } from 'piscina';
import { instantiateKernels, type WasmKernels } from '../kernels/wasm.js';
import type { WorkerPlan } from './plan.js';
import type { FlushTask, ScenarioTask, TaskResult, WorkerTask } from './task.js';
import { packTails } from './task.js';
import { SharedBars } from './shared-bars.js';
import { layoutWorker } from './layout.js';

const {
  module,
  plan,
  bars: barsBuffer,
} = workerData as { module: WebAssembly.Module; plan: WorkerPlan; bars: SharedArrayBuffer };
const bars = new SharedBars(barsBuffer, plan.holdings.nSeries);
const k: WasmKernels = instantiateKernels(module);
const layout = layoutWorker(k, plan);
/** The pass (passKey) whose tails the buffers hold (-1: none). They persist across its tasks. */
let heldPass = -1;

export default function runTask(task: WorkerTask): TaskResult {
  return task.kind === 'flush' ? flush(task) : runScenarios(task);
}

/**
 * Runs scenarios [start, start + count) of one set into this worker's tail buffers, which keep
 * the exact top k (k = the pass's capacity) of every scenario this worker has seen in the pass.
 * Keeping them across tasks is what makes the tails cheap: a full buffer's own bar screens out
 * almost every loss, and the main thread merges one buffer per worker per pass, not one per task.
 */
function runScenarios(task: ScenarioTask): TaskResult {
  const x = k.exports;
  const l = layout;
  const p = plan;
  const ins = p.instruments;
  const h = p.holdings;
  const set = p.sets[task.set];
  const src = set.source;
  const nSeries = h.nSeries;
  const cap = task.cap;
  if (cap > p.maxCap) throw new Error(`internal: tail capacity ${cap} exceeds the worker's ${p.maxCap}`);
  if (heldPass !== task.pass) {
    if (heldPass !== -1) throw new Error(`internal: pass ${task.pass} started before pass ${heldPass} was flushed`);
    k.i32(l.heapSize, nSeries).fill(0);
    heldPass = task.pass;
  }

  injectFault();
  const end = task.start + task.count;
  for (let c0 = task.start; c0 < end; c0 += p.chunk) {
    const c = Math.min(p.chunk, end - c0);
    // The vol shift shared by every scenario of the chunk, if there is one (always for a
    // Monte Carlo set; for explicit sets, when the chunk's shifts happen to be equal).
    let fixedShift: number | undefined;
    if (src.kind === 'montecarlo') {
      x.mcShocks(
        p.seedLo,
        p.seedHi,
        src.setId,
        c0,
        c,
        ins.n,
        src.rank,
        l.factors[task.set],
        l.scales[task.set],
        src.dof,
        l.spot0,
        l.ret,
        l.spot,
      );
      fixedShift = src.ivShift;
    } else {
      const ret = k.f64(l.ret, ins.n * c);
      const spot = k.f64(l.spot, ins.n * c);
      for (let u = 0; u < ins.n; u++) {
        ret.set(src.ret.subarray(u * src.count + c0, u * src.count + c0 + c), u * c);
        spot.set(src.spot.subarray(u * src.count + c0, u * src.count + c0 + c), u * c);
      }
      const shifts = src.ivShift.subarray(c0, c0 + c);
      k.f64(l.ivShift, c).set(shifts);
      if (shifts.every((v) => Object.is(v, shifts[0]))) fixedShift = shifts[0];
    }
    x.revalueLinear(ins.nLinear, l.linUnd, l.linMult, l.spot0, l.spot, c, l.rows);
    // One vol shift for the whole chunk: the fixed-vol kernel hoists the per-option terms out
    // of the cell loop. It gives the same bits as revalueOptions, so the choice (which may
    // depend on the chunking for an explicit set) never changes a result.
    if (fixedShift !== undefined) {
      x.revalueOptionsFixedIv(
        ins.nOptions,
        l.optUnd,
        l.optIsCall,
        l.optStrike,
        l.optLnSK,
        l.optIv,
        l.optTau,
        l.optValue0,
        l.optMult,
        ins.rate,
        l.ret,
        l.spot,
        fixedShift,
        c,
        l.rows + ins.nLinear * c * 8,
      );
    } else {
      x.revalueOptions(
        ins.nOptions,
        l.optUnd,
        l.optIsCall,
        l.optStrike,
        l.optLnSK,
        l.optIv,
        l.optTau,
        l.optValue0,
        l.optMult,
        ins.rate,
        l.ret,
        l.spot,
        l.ivShift,
        c,
        l.rows + ins.nLinear * c * 8,
      );
    }
    const nAccounts = h.accountOffsets.length - 1;
    x.aggregateRows(nAccounts, l.accOffsets, l.accRows, l.accQty, l.rows, c, l.series);
    if (h.nGroups > 0) {
      x.aggregateRows(h.nGroups, l.grpOffsets, l.grpMembers, l.grpWeight, l.series, c, l.series + nAccounts * c * 8);
    }
    // The other workers' bars, then this worker's own once its buffer is full (slot 0 holds its
    // worst kept loss): exact, see shared-bars.ts.
    if (task.shareBars) bars.read(task.pass, k.f64(l.threshold, nSeries));
    else k.f64(l.threshold, nSeries).fill(-Infinity);
    const bad = x.tailsPush(nSeries, l.series, c, c0, -1, cap, l.heapVal, l.heapIdx, l.heapSize, l.threshold);
    if (bad >= 0) throw nonFinite(task.set, c0, c);
    if (task.shareBars) {
      const size = k.i32(l.heapSize, nSeries);
      const kept = k.f64(l.heapVal, nSeries * cap);
      for (let r = 0; r < nSeries; r++) if (size[r] === cap) bars.raise(task.pass, r, kept[r * cap]);
    }
  }
  return Float64Array.of(threadId);
}

/** Hands the pass's tails to the main thread and forgets them; nothing if this worker holds none. */
function flush(task: FlushTask): TaskResult {
  if (heldPass !== task.pass) return Float64Array.of(threadId);
  const nSeries = plan.holdings.nSeries;
  const cap = task.cap;
  // Sorted here, in WASM and in parallel with the other workers, so that the main thread only
  // has to merge the workers' lists.
  k.exports.tailsSort(nSeries, cap, layout.heapVal, layout.heapIdx, layout.heapSize);
  const packed = packTails(
    nSeries,
    cap,
    k.i32(layout.heapSize, nSeries),
    k.f64(layout.heapVal, nSeries * cap),
    k.f64(layout.heapIdx, nSeries * cap),
    1,
  );
  packed[0] = threadId;
  heldPass = -1;
  // Transfer, not clone: the buffer is fresh and the main thread only reads it.
  return move(packed) as unknown as Float64Array;
}

/** Names the instrument behind a non-finite P&L, so the user can see which input to fix. */
function nonFinite(setIndex: number, c0: number, c: number): Error {
  const ins = plan.instruments;
  const rows = k.f64(layout.rows, (ins.nLinear + ins.nOptions) * c);
  for (let r = 0; r < ins.nLinear + ins.nOptions; r++)
    for (let s = 0; s < c; s++)
      if (!Number.isFinite(rows[r * c + s])) {
        return new Error(
          `NONFINITE: set "${plan.sets[setIndex].name}", scenario ${c0 + s}: the revaluation of ${ins.rowNames[r].join(', ')} ` +
            `is not a finite number (${rows[r * c + s]}); check the shock sizes, vols and quantities of that set`,
        );
      }
  return new Error(
    `NONFINITE: set "${plan.sets[setIndex].name}", scenarios ${c0}..${c0 + c - 1}: a P&L is not finite (overflow in aggregation)`,
  );
}

/**
 * Test hook: XMARGIN_FAULT=exit|trap|throw makes the next task die the way real failures do (the
 * thread exits, the kernel traps, the task throws), so tests can prove a run fails cleanly and
 * never hangs or writes a partial report. Unset, it costs one property read per task.
 */
function injectFault(): void {
  const fault = process.env.XMARGIN_FAULT;
  if (!fault) return;
  if (fault === 'exit') process.exit(70);
  if (fault === 'trap') k.exports.revalueLinear(1, 0x7ffffff0, layout.linMult, layout.spot0, layout.spot, 1, layout.rows);
  if (fault === 'throw') throw new Error('injected fault');
}
