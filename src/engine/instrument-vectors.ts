// One instrument's P&L per unit over all of a set's scenarios, for an instrument the plan does not
// have (a what-if that trades an instrument defined in the request). The scenarios are regenerated
// on the workers (scenario i is a pure function of seed, set and i) and the instrument revalued
// by the same kernels as every row, laid out as a table of one row.
import { runTasks } from './dispatch.js';
import { engineDefaults, taskSizeFor } from './defaults.js';
import { revalueOptionRows, type OptionTable, type WasmEvaluator } from './evaluator-wasm.js';
import { checkScenarioRange } from './evaluator.js';
import type { TaskExecutor } from './executor.js';
import { taskRanges } from './run-sets.js';
import type { RunPlan } from './plan.js';
import type { InstrumentSpec, InstrumentVectorTask, PlanRef } from './task.js';
import type { InstrumentTable } from './instruments.js';

/** The spec of a one-instrument table (buildInstrumentTable on a book of that instrument alone). */
export function instrumentSpec(table: InstrumentTable): InstrumentSpec {
  if (table.nLinear + table.nOptions !== 1) throw new Error('internal: an instrument spec needs a table of one row');
  if (table.nLinear === 1) return { linear: true, und: table.linUnd[0], mult: table.linMult[0] };
  return {
    linear: false,
    und: table.optUnd[0],
    mult: table.optMult[0],
    isCall: table.optIsCall[0],
    strike: table.optStrike[0],
    lnSK: table.optLnSK[0],
    iv: table.optIv[0],
    tau: table.optTau[0],
    value0: table.optValue0[0],
  };
}

interface OneRowLayout extends OptionTable {
  linUnd: number;
  linMult: number;
  out: number;
  chunk: number;
}

// Per evaluator, after its layout: a new evaluator lays out a fresh heap (worker.ts), and this with it.
const layouts = new WeakMap<WasmEvaluator, OneRowLayout>();

function layoutOf(ev: WasmEvaluator, chunk: number): OneRowLayout {
  const known = layouts.get(ev);
  if (known && known.chunk >= chunk) return known;
  const k = ev.kernels;
  const f64 = () => k.alloc(8);
  const i32 = () => k.alloc(4);
  const l: OneRowLayout = {
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
    out: k.alloc(chunk * 8),
    chunk,
  };
  layouts.set(ev, l);
  return l;
}

/** The body of a worker for an instrument-vector task: the instrument's P&L per unit over scenarios [start, start + count). */
export function runInstrumentVectorTask(ev: WasmEvaluator, task: InstrumentVectorTask): Float64Array {
  checkScenarioRange(ev.plan, task.set, task.start, task.count);
  const s = task.instrument;
  if (!(Number.isInteger(s.und) && s.und >= 0 && s.und < ev.plan.instruments.n)) throw new Error(`internal: underlying ${s.und}`);
  const k = ev.kernels;
  const l = layoutOf(ev, task.chunk);
  const e = ev.layout;
  // Views only after the last allocation: growing memory detaches every earlier view.
  k.i32(l.linUnd, 1)[0] = s.und;
  k.f64(l.linMult, 1)[0] = s.mult;
  k.i32(l.optUnd, 1)[0] = s.und;
  k.f64(l.optMult, 1)[0] = s.mult;
  if (!s.linear) {
    k.i32(l.optIsCall, 1)[0] = s.isCall;
    k.f64(l.optStrike, 1)[0] = s.strike;
    k.f64(l.optLnSK, 1)[0] = s.lnSK;
    k.f64(l.optIv, 1)[0] = s.iv;
    k.f64(l.optTau, 1)[0] = s.tau;
    k.f64(l.optValue0, 1)[0] = s.value0;
  }
  const out = new Float64Array(task.count);
  for (let c0 = 0; c0 < task.count; c0 += task.chunk) {
    const c = Math.min(task.chunk, task.count - c0);
    const shift = ev.shock(task.set, task.start + c0, c);
    if (s.linear) k.exports.revalueLinear(1, l.linUnd, l.linMult, e.spot0, e.spot, c, l.out);
    else revalueOptionRows(k, l, 1, ev.plan.instruments.rate, e, shift, c, l.out);
    out.set(k.f64(l.out, c), c0);
  }
  return out;
}

/** The instrument's P&L per unit over all of set `set`'s scenarios; the tasks are dispatched before this returns. */
export function instrumentVector(
  plan: RunPlan,
  ref: PlanRef,
  executor: TaskExecutor,
  set: number,
  instrument: InstrumentSpec,
  chunk: number,
  signal?: AbortSignal,
): Promise<Float64Array> {
  const s = plan.sets[set];
  if (s === undefined) throw new Error(`internal: no set ${set}`);
  const n = s.scenarios;
  const out = new Float64Array(n);
  const size = taskSizeFor(n, executor.concurrency, chunk, engineDefaults.tasksPerWorker);
  const tasks = taskRanges(0, n, size).map((range): InstrumentVectorTask => ({
    kind: 'instrument-vector',
    plan: ref,
    set,
    ...range,
    chunk,
    instrument,
  }));
  return runTasks(executor, tasks, signal, s.name, (task, part) => out.set(part, task.start)).then(() => out);
}
