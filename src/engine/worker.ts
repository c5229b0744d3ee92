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
import { isStoredPack, summarizeTails } from './exact-tails.js';
import { layoutComponentLosses, pairsPerPass, runComponentLossTask, type ComponentLossLayout } from './component-loss-task.js';
import { runCascadeTask } from './cascades.js';
import { runRowVectorTask } from './row-vectors.js';
import { runInstrumentVectorTask } from './instrument-vectors.js';
import {
  isCascadeTask,
  isRowVectorTask,
  isInstrumentVectorTask,
  isComponentLossBatch,
  isComponentLossTask,
  isSummaryTask,
  type ComponentLossTask,
  type EngineTask,
  type InjectedFault,
  type PlanRef,
} from './task.js';

const { module } = workerData as { module: WebAssembly.Module };
let kernels: WasmKernels = instantiateKernels(module);
let current: { planId: string; evaluator: WasmEvaluator } | undefined;
/** The component-loss pass laid out after the current evaluator, if any. */
let losses: ComponentLossLayout | undefined;

export default function runTask(task: EngineTask): Float64Array | TaskFailure {
  if (isSummaryTask(task)) {
    try {
      const { nSeries, k, from, to, withScenarios } = task;
      // Stored packs are the queue worker's to read (queue-worker.ts): here every pack is in memory.
      const packs = task.packs.map((p) => {
        if (isStoredPack(p)) throw new Error(`internal: a stored pack (${p.stored}) reached a thread`);
        return p;
      });
      return move(summarizeTails(packs, nSeries, k, from, to, withScenarios === true)) as unknown as Float64Array;
    } catch (err) {
      return { code: 'task-failed', message: err instanceof Error ? err.message : String(err) };
    }
  }
  try {
    if (isComponentLossBatch(task)) {
      const parts: Float64Array[] = [];
      for (const t of task.tasks) {
        const l = componentLossesFor(t);
        if (t.fault) injectFault(t.fault, l.evaluator);
        const part = runComponentLossTask(l.evaluator, l, t);
        if (!(part instanceof Float64Array)) return part;
        parts.push(part);
      }
      const out = new Float64Array(parts.reduce((a, p) => a + p.length, 0));
      let at = 0;
      for (const p of parts) {
        out.set(p, at);
        at += p.length;
      }
      return transfer(out, false);
    }
    if (isInstrumentVectorTask(task)) {
      return transfer(runInstrumentVectorTask(evaluatorFor(task.plan, task.chunk, 1, undefined), task), false);
    }
    if (isRowVectorTask(task)) {
      return transfer(runRowVectorTask(evaluatorFor(task.plan, task.chunk, 1, undefined), task), false);
    }
    if (isCascadeTask(task)) {
      return transfer(runCascadeTask(evaluatorFor(task.plan, task.chunk, 1, undefined), task), false);
    }
    if (isComponentLossTask(task)) {
      const l = componentLossesFor(task);
      if (task.fault) injectFault(task.fault, l.evaluator);
      return transfer(runComponentLossTask(l.evaluator, l, task), false);
    }
    const ev = evaluatorFor(task.plan, task.chunk, task.cap, task.series ? task.series.to - task.series.from : undefined);
    if (task.fault) injectFault(task.fault, ev);
    const out = runRangeTask(ev, task);
    // Transfer, not clone: the buffer is fresh and the coordinator only reads it (shared memory
    // needs neither).
    return transfer(out, task.sharedResult === true);
  } catch (err) {
    const message = err instanceof Error ? err.message : String(err);
    const one = isComponentLossBatch(task) ? task.tasks[0] : task;
    const name = one && current?.planId === one.plan?.id ? current.evaluator.plan.sets[one.set]?.name : undefined;
    if (err instanceof WebAssembly.RuntimeError) {
      // The instance's memory may be half-written: start the next task on a fresh one.
      kernels = instantiateKernels(module);
      current = undefined;
      losses = undefined;
      return { code: 'kernel-trap', message, set: name };
    }
    return { code: 'task-failed', message, set: name };
  }
}

/** A fresh buffer goes by transfer, not clone (the coordinator only reads it); shared memory needs neither. */
function transfer(out: Float64Array | TaskFailure, shared: boolean): Float64Array | TaskFailure {
  return out instanceof Float64Array && !shared ? (move(out) as unknown as Float64Array) : out;
}

/**
 * The evaluator for a plan, chunk and tail size (tails of `group` series, or all), reusing the
 * last one when it fits, or laying out a fresh one on an empty heap when `fresh`.
 */
function evaluatorFor(ref: PlanRef, taskChunk: number, taskCap: number, group: number | undefined, fresh = false): WasmEvaluator {
  const ev = current?.evaluator;
  const fits = (e: WasmEvaluator) =>
    e.chunk >= taskChunk && e.layout.tailCap >= taskCap && e.layout.tailSeries >= (group ?? e.plan.holdings.nSeries);
  if (!fresh && current?.planId === ref.id && ev && fits(ev)) return ev;
  // The same plan with a larger chunk or tail keeps its decoded arrays and grows to the larger of
  // both, so a pilot and its main pass do not lay memory out in turn.
  const same = current?.planId === ref.id && ev ? ev : undefined;
  const plan = same ? same.plan : decodePlan(ref.bytes);
  const chunk = Math.max(taskChunk, same?.chunk ?? 0);
  const cap = Math.max(taskCap, same?.layout.tailCap ?? 1);
  // A group of series needs tail buffers for the group only: that is what keeps a set in groups
  // within its memory budget (run-sets.ts).
  const tailSeries = Math.max(group ?? plan.holdings.nSeries, same?.layout.tailSeries ?? 1);
  // The stub runtime's heap only grows: a new layout starts from an empty heap.
  kernels.reset();
  const evaluator = new WasmEvaluator(kernels, plan, chunk, cap, tailSeries);
  current = { planId: ref.id, evaluator };
  losses = undefined;
  return evaluator;
}

/**
 * The evaluator and a component-loss layout for the task's pass. The bump heap cannot free, so
 * a pass whose table is not the one laid out (or whose pairs outgrow its buffer) lays the
 * evaluator out again on an empty heap first: a worker's memory stays one evaluator and one pass.
 */
function componentLossesFor(task: ComponentLossTask): ComponentLossLayout {
  const need = pairsPerPass(task);
  let ev = evaluatorFor(task.plan, task.chunk, 1, undefined);
  if (losses && losses.evaluator === ev && losses.tableId === task.table.id && losses.pairCap >= need) return losses;
  if (losses && losses.evaluator === ev) {
    ev = evaluatorFor(task.plan, task.chunk, 1, undefined, true);
  }
  // A new table's pair buffer starts at its first task's need, with room to grow, so that the
  // tasks of one pass rarely lay memory out twice.
  losses = layoutComponentLosses(ev, task.table, Math.ceil(need * 1.5));
  return losses;
}

/** Test-only: fail the way real failures do, so tests prove a run fails cleanly and never hangs. */
function injectFault(fault: InjectedFault, ev: WasmEvaluator): void {
  if (fault === 'exit') process.exit(70);
  if (fault === 'trap') {
    ev.kernels.exports.revalueLinear(1, 0x7ffffff0, ev.layout.linMult, ev.layout.spot0, ev.layout.spot, 1, ev.layout.rows);
  }
  if (fault === 'throw') throw new Error('injected fault');
}
