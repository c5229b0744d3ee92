// A piscina worker: one WASM instance, and the evaluator of the plan it last ran. A task names
// its plan by id and carries its bytes; the worker decodes and lays out a plan only when the id
// (or the chunk, or a larger tail) changes, so a warm pool serves run after run, and runs of
// different plans, with no state a task could see. Everything else is the range task itself.
import { move, workerData } from 'piscina';
import type { TaskFailure } from '../errors.js';
import { instantiateKernels, type WasmKernels } from '../kernels/wasm.js';
import { WasmEvaluator } from './evaluator-wasm.js';
import { decodePlan } from './plan-codec.js';
import { runRangeTask } from './range-task.js';
import { summarizeTails } from './exact-tails.js';
import { isSummaryTask, type EngineTask, type InjectedFault, type RangeTask } from './task.js';

const { module } = workerData as { module: WebAssembly.Module };
let kernels: WasmKernels = instantiateKernels(module);
let current: { planId: string; evaluator: WasmEvaluator } | undefined;

export default function runTask(task: EngineTask): Float64Array | TaskFailure {
  if (isSummaryTask(task)) {
    try {
      const { packs, nSeries, k, from, to } = task;
      return move(summarizeTails(packs, nSeries, k, from, to)) as unknown as Float64Array;
    } catch (err) {
      return { code: 'task-failed', message: err instanceof Error ? err.message : String(err) };
    }
  }
  try {
    const ev = evaluatorFor(task);
    if (task.fault) injectFault(task.fault, ev);
    const out = runRangeTask(ev, task);
    // Transfer, not clone: the buffer is fresh and the coordinator only reads it (shared memory
    // needs neither).
    return out instanceof Float64Array && !task.sharedResult ? (move(out) as unknown as Float64Array) : out;
  } catch (err) {
    const message = err instanceof Error ? err.message : String(err);
    const name = current?.planId === task.plan?.id ? current.evaluator.plan.sets[task.set]?.name : undefined;
    if (err instanceof WebAssembly.RuntimeError) {
      // The instance's memory may be half-written: start the next task on a fresh one.
      kernels = instantiateKernels(module);
      current = undefined;
      return { code: 'kernel-trap', message, set: name };
    }
    return { code: 'task-failed', message, set: name };
  }
}

/** The evaluator for the task's plan, chunk and tail size, reusing the last one when it fits. */
function evaluatorFor(task: RangeTask): WasmEvaluator {
  const ev = current?.evaluator;
  const group = task.series ? task.series.to - task.series.from : undefined;
  const fits = (e: WasmEvaluator) =>
    e.chunk >= task.chunk && e.layout.tailCap >= task.cap && e.layout.tailSeries >= (group ?? e.plan.holdings.nSeries);
  if (current?.planId === task.plan.id && ev && fits(ev)) return ev;
  // The same plan with a larger chunk or tail keeps its decoded arrays and grows to the larger of
  // both, so a pilot and its main pass do not lay memory out in turn.
  const same = current?.planId === task.plan.id && ev ? ev : undefined;
  const plan = same ? same.plan : decodePlan(task.plan.bytes);
  const chunk = Math.max(task.chunk, same?.chunk ?? 0);
  const cap = Math.max(task.cap, same?.layout.tailCap ?? 1);
  // A group of series needs tail buffers for the group only: that is what keeps a set in groups
  // within its memory budget (run-sets.ts).
  const tailSeries = Math.max(group ?? plan.holdings.nSeries, same?.layout.tailSeries ?? 1);
  // The stub runtime's heap only grows: a new layout starts from an empty heap.
  kernels.reset();
  const evaluator = new WasmEvaluator(kernels, plan, chunk, cap, tailSeries);
  current = { planId: task.plan.id, evaluator };
  return evaluator;
}

/** Test-only: fail the way real failures do, so tests prove a run fails cleanly and never hangs. */
function injectFault(fault: InjectedFault, ev: WasmEvaluator): void {
  if (fault === 'exit') process.exit(70);
  if (fault === 'trap') {
    ev.kernels.exports.revalueLinear(1, 0x7ffffff0, ev.layout.linMult, ev.layout.spot0, ev.layout.spot, 1, ev.layout.rows);
  }
  if (fault === 'throw') throw new Error('injected fault');
}
