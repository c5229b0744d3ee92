// Instruments' P&L per unit over all of a set's scenarios, computed from their definitions alone:
// instruments the plan does not have (a what-if that trades an instrument defined in the request),
// or rows of the plan that a service did not keep (a what-if on a book whose rows exceed the
// service's memory, src/service/row-store.ts). The scenarios are regenerated on the workers
// (scenario i is a pure function of seed, set and i) and the instruments revalued by the same
// kernels as every row, laid out as a small table of their own: the same bits as the plan's rows.
import { runTasks } from './dispatch.js';
import { engineDefaults, taskSizeFor } from './defaults.js';
import { revalueOptionRows, type OptionTable, type WasmEvaluator } from './evaluator-wasm.js';
import { checkScenarioRange } from './evaluator.js';
import type { TaskExecutor } from './executor.js';
import { taskRanges } from './run-sets.js';
import type { RunPlan } from './plan.js';
import type { InstrumentSpec, InstrumentVectorTask, PlanRef } from './task.js';
import type { InstrumentTable } from './instruments.js';

/** The spec of row r of an instrument table (linear rows first, then options). */
export function rowSpec(table: InstrumentTable, r: number): InstrumentSpec {
  if (!(Number.isInteger(r) && r >= 0 && r < table.nLinear + table.nOptions)) throw new Error(`internal: no row ${r}`);
  if (r < table.nLinear) return { linear: true, und: table.linUnd[r], mult: table.linMult[r] };
  const o = r - table.nLinear;
  return {
    linear: false,
    und: table.optUnd[o],
    mult: table.optMult[o],
    isCall: table.optIsCall[o],
    strike: table.optStrike[o],
    lnSK: table.optLnSK[o],
    iv: table.optIv[o],
    tau: table.optTau[o],
    value0: table.optValue0[o],
  };
}

/** The spec of a one-instrument table (buildInstrumentTable on a book of that instrument alone). */
export function instrumentSpec(table: InstrumentTable): InstrumentSpec {
  if (table.nLinear + table.nOptions !== 1) throw new Error('internal: an instrument spec needs a table of one row');
  return rowSpec(table, 0);
}

interface SmallTableLayout extends OptionTable {
  linUnd: number;
  linMult: number;
  out: number;
  /** Rows and scenarios the buffers hold. */
  rows: number;
  chunk: number;
}

// Per evaluator, after its layout: a new evaluator lays out a fresh heap (worker.ts), and this
// with it. The heap is a bump allocator that never frees, so a layout is replaced only by one at
// least twice its size: what a worker ever allocates here stays under four times its largest task.
const layouts = new WeakMap<WasmEvaluator, SmallTableLayout>();

function layoutOf(ev: WasmEvaluator, rows: number, chunk: number): SmallTableLayout {
  const known = layouts.get(ev);
  if (known && known.rows >= rows && known.chunk >= chunk) return known;
  const cap = Math.max(rows, 2 * (known?.rows ?? 0));
  const k = ev.kernels;
  const f64 = () => k.alloc(cap * 8);
  const i32 = () => k.alloc(cap * 4);
  const l: SmallTableLayout = {
    linUnd: i32(),
    linMult: f64(),
    optUnd: i32(),
    optIsCall: i32(),
    optStrike: f64(),
    optLnSK: f64(),
    optIv: f64(),
    optTau: f64(),
    optValue0: f64(),
    optMult: f64(),
    out: k.alloc(cap * chunk * 8),
    rows: cap,
    chunk,
  };
  layouts.set(ev, l);
  return l;
}

/**
 * The body of a worker for an instrument-vector task: each instrument's P&L per unit over
 * scenarios [start, start + count), instruments x count (instrument j at [j count, j count + count)).
 */
export function runInstrumentVectorTask(ev: WasmEvaluator, task: InstrumentVectorTask): Float64Array {
  checkScenarioRange(ev.plan, task.set, task.start, task.count);
  const specs = task.instruments;
  for (const s of specs)
    if (!(Number.isInteger(s.und) && s.und >= 0 && s.und < ev.plan.instruments.n))
      throw new Error(`internal: underlying ${s.und}`);
  const linear = specs.flatMap((s, j) => (s.linear ? [j] : []));
  const options = specs.flatMap((s, j) => (s.linear ? [] : [j]));
  const k = ev.kernels;
  const l = layoutOf(ev, specs.length, task.chunk);
  const e = ev.layout;
  // Views only after the last allocation: growing memory detaches every earlier view.
  const linUnd = k.i32(l.linUnd, l.rows);
  const linMult = k.f64(l.linMult, l.rows);
  linear.forEach((j, i) => {
    linUnd[i] = specs[j].und;
    linMult[i] = specs[j].mult;
  });
  const optUnd = k.i32(l.optUnd, l.rows);
  const optMult = k.f64(l.optMult, l.rows);
  const optIsCall = k.i32(l.optIsCall, l.rows);
  const optStrike = k.f64(l.optStrike, l.rows);
  const optLnSK = k.f64(l.optLnSK, l.rows);
  const optIv = k.f64(l.optIv, l.rows);
  const optTau = k.f64(l.optTau, l.rows);
  const optValue0 = k.f64(l.optValue0, l.rows);
  options.forEach((j, i) => {
    const s = specs[j];
    if (s.linear) return;
    optUnd[i] = s.und;
    optMult[i] = s.mult;
    optIsCall[i] = s.isCall;
    optStrike[i] = s.strike;
    optLnSK[i] = s.lnSK;
    optIv[i] = s.iv;
    optTau[i] = s.tau;
    optValue0[i] = s.value0;
  });
  const out = new Float64Array(specs.length * task.count);
  for (let c0 = 0; c0 < task.count; c0 += task.chunk) {
    const c = Math.min(task.chunk, task.count - c0);
    const shift = ev.shock(task.set, task.start + c0, c);
    // Linear rows then option rows, each row-major over the chunk, as the plan's own table.
    if (linear.length) k.exports.revalueLinear(linear.length, l.linUnd, l.linMult, e.spot0, e.spot, c, l.out);
    if (options.length)
      revalueOptionRows(k, l, options.length, ev.plan.instruments.rate, e, shift, c, l.out + linear.length * c * 8);
    const values = k.f64(l.out, specs.length * c);
    [...linear, ...options].forEach((j, i) => out.set(values.subarray(i * c, i * c + c), j * task.count + c0));
  }
  return out;
}

/**
 * The instruments' P&L per unit over all of set `set`'s scenarios, instruments x scenarios
 * (instrument j at [j N, j N + N)); the tasks are dispatched before this returns.
 */
export function instrumentVectors(
  plan: RunPlan,
  ref: PlanRef,
  executor: TaskExecutor,
  set: number,
  instruments: InstrumentSpec[],
  chunk: number,
  signal?: AbortSignal,
): Promise<Float64Array> {
  const s = plan.sets[set];
  if (s === undefined) throw new Error(`internal: no set ${set}`);
  if (instruments.length === 0) return Promise.resolve(new Float64Array(0));
  const n = s.scenarios;
  const m = instruments.length;
  const out = new Float64Array(m * n);
  const size = taskSizeFor(n, executor.concurrency, chunk, engineDefaults.tasksPerWorker);
  const tasks = taskRanges(0, n, size).map((range): InstrumentVectorTask => ({
    kind: 'instrument-vector',
    plan: ref,
    set,
    ...range,
    chunk,
    instruments,
  }));
  return runTasks(executor, tasks, signal, s.name, (task, block) => {
    if (block.length !== m * task.count) throw new Error(`internal: ${block.length} values for ${m} x ${task.count}`);
    for (let j = 0; j < m; j++) out.set(block.subarray(j * task.count, (j + 1) * task.count), j * n + task.start);
  }).then(() => out);
}
