// Every revaluation row's P&L per unit over all of a set's scenarios: what a service keeps warm
// to answer what-if questions exactly (src/service/what-if.ts). A position's P&L is its quantity
// times its row's, so with the rows at hand a unit's P&L vector is a weighted sum, and a trade
// adds one more term. Computed by row-vector tasks over ranges of the set's scenarios, each
// returning its block of rows (row-major, stride = its scenario count), placed into one array
// per set: rows x scenarios, row r at [r N, r N + N). The same bits as in a run: a row's value
// depends on its instrument and the scenario only.
import { runTasks } from './dispatch.js';
import { engineDefaults, taskSizeFor } from './defaults.js';
import type { TaskExecutor } from './executor.js';
import type { WasmEvaluator } from './evaluator-wasm.js';
import { checkScenarioRange } from './evaluator.js';
import { taskRanges } from './run-sets.js';
import type { RunPlan } from './plan.js';
import type { PlanRef, RowVectorTask } from './task.js';

/** The body of a worker for a row-vector task: every row of scenarios [start, start + count), rows x count. */
export function runRowVectorTask(ev: WasmEvaluator, task: RowVectorTask): Float64Array {
  checkScenarioRange(ev.plan, task.set, task.start, task.count);
  const nRows = ev.plan.instruments.nLinear + ev.plan.instruments.nOptions;
  const out = new Float64Array(nRows * task.count);
  for (let c0 = 0; c0 < task.count; c0 += task.chunk) {
    const c = Math.min(task.chunk, task.count - c0);
    const shift = ev.shock(task.set, task.start + c0, c);
    ev.revalue(c, shift);
    const { rows } = ev.views(c);
    for (let r = 0; r < nRows; r++) out.set(rows.subarray(r * c, r * c + c), r * task.count + c0);
  }
  return out;
}

/** The bytes rowVectors holds for a set: rows x scenarios doubles. */
export function rowVectorBytes(plan: RunPlan, set: number): number {
  return (plan.instruments.nLinear + plan.instruments.nOptions) * plan.sets[set].scenarios * 8;
}

/** Every row of a set over all its scenarios, rows x scenarios; the tasks are dispatched before this returns. */
export function rowVectors(
  plan: RunPlan,
  ref: PlanRef,
  executor: TaskExecutor,
  set: number,
  chunk: number,
  signal?: AbortSignal,
): Promise<Float64Array> {
  const s = plan.sets[set];
  if (s === undefined) throw new Error(`internal: no set ${set}`);
  const n = s.scenarios;
  const nRows = plan.instruments.nLinear + plan.instruments.nOptions;
  const out = new Float64Array(nRows * n);
  const size = taskSizeFor(n, executor.concurrency, chunk, engineDefaults.tasksPerWorker);
  const tasks = taskRanges(0, n, size).map((range): RowVectorTask => ({ kind: 'row-vectors', plan: ref, set, ...range, chunk }));
  return runTasks(executor, tasks, signal, s.name, (task, block) => {
    if (block.length !== nRows * task.count) throw new Error(`internal: ${block.length} row values for ${nRows} x ${task.count}`);
    for (let r = 0; r < nRows; r++) out.set(block.subarray(r * task.count, (r + 1) * task.count), r * n + task.start);
  }).then(() => out);
}
