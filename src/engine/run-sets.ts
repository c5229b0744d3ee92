import { compileKernels, instantiateKernels } from '../kernels/wasm.js';
import { RunError } from '../model/errors.js';
import { chunkFor, engineDefaults, taskSizeFor } from './defaults.js';
import type { RunPlan } from './plan.js';
import { workerPlan } from './plan.js';
import { createPool } from './pool.js';
import { TailBook, type TailMeasures } from './tail-book.js';
import type { ScenarioTask } from './task.js';

export interface EngineOptions {
  workers?: number;
  /** Scenarios per kernel pass (results do not depend on it; memory and speed do). */
  chunk?: number;
  /** Scenarios per task (results do not depend on it either). */
  taskSize?: number;
  onProgress?: (event: ProgressEvent) => void;
}

export interface ProgressEvent {
  set: string;
  done: number;
  total: number;
  /** Scenarios done over all sets, and the total. */
  allDone: number;
  allTotal: number;
}

/** Tail measures per set, per series (accounts, then groups of two or more accounts). */
export type SetTails = TailMeasures[];

export function taskSizes(count: number, taskSize: number): { start: number; count: number }[] {
  const out: { start: number; count: number }[] = [];
  for (let start = 0; start < count; start += taskSize) out.push({ start, count: Math.min(taskSize, count - start) });
  return out;
}

/**
 * Runs every scenario set of the plan through the worker pool and returns exact tail measures.
 * Sets run one after another, each cut into tasks that the workers take as they free up; the
 * main thread merges tails as results arrive and hands each new task the current thresholds.
 */
export async function runScenarioSets(plan: RunPlan, options: EngineOptions = {}): Promise<SetTails[]> {
  const workers = Math.max(1, Math.floor(options.workers ?? engineDefaults.workers()));
  const ins = plan.instruments;
  const nSeries = plan.holdings.nSeries;
  const chunk = options.chunk ?? chunkFor(ins.nLinear + ins.nOptions, nSeries, ins.n);
  const sizeOf = (set: { scenarios: number; tailSize: number }) =>
    options.taskSize ?? taskSizeFor(set.scenarios, set.tailSize, nSeries, workers, chunk);
  const maxCap = Math.max(1, ...plan.sets.map((s) => Math.min(s.tailSize, sizeOf(s))));

  const module = compileKernels();
  const main = instantiateKernels(module);
  const pool = createPool(module, workerPlan(plan, chunk, maxCap), workers);
  const allTotal = plan.sets.reduce((a, s) => a + s.scenarios, 0);
  let allDone = 0;
  try {
    const results: SetTails[] = [];
    for (let si = 0; si < plan.sets.length; si++) {
      const set = plan.sets[si];
      const book = new TailBook(main, nSeries, set.tailSize);
      const queue = taskSizes(set.scenarios, sizeOf(set));
      let done = 0;
      let failure: unknown;
      const inFlight = new Set<Promise<void>>();
      const launch = (part: { start: number; count: number }) => {
        const task: ScenarioTask = { set: si, ...part, thresholds: book.thresholds() };
        const p: Promise<void> = pool.run(task).then(
          (packed: Float64Array) => {
            book.merge(packed);
            done += part.count;
            allDone += part.count;
            options.onProgress?.({ set: set.name, done, total: set.scenarios, allDone, allTotal });
          },
          (err: unknown) => {
            failure ??= err;
          },
        );
        const tracked = p.finally(() => inFlight.delete(tracked));
        inFlight.add(tracked);
      };
      let next = 0;
      while (next < queue.length || inFlight.size > 0) {
        // Until a first result of the set is merged there are no thresholds, and every task
        // returns full tails (cap per series: 170 MB at 10^6 scenarios and 10^3 series). So the
        // first wave is one task per worker; queueing starts once thresholds exist.
        const limit = done === 0 ? workers : workers * engineDefaults.inFlightPerWorker;
        while (failure === undefined && next < queue.length && inFlight.size < limit) {
          launch(queue[next++]);
        }
        if (inFlight.size === 0) break;
        await Promise.race(inFlight);
        if (failure !== undefined && inFlight.size === 0) break;
      }
      if (failure !== undefined) throw asRunError(failure, set.name);
      results.push(book.measures());
    }
    return results;
  } finally {
    await pool.destroy();
  }
}

function asRunError(err: unknown, setName: string): RunError {
  const message = err instanceof Error ? err.message : String(err);
  if (message.startsWith('NONFINITE: ')) return new RunError(message.slice('NONFINITE: '.length), { cause: err });
  if (err instanceof WebAssembly.RuntimeError || /RuntimeError|unreachable|out of bounds/.test(message)) {
    return new RunError(`a scenario kernel trapped while running set "${setName}": ${message}`, { cause: err });
  }
  return new RunError(`a worker failed while running set "${setName}": ${message}`, { cause: err });
}
