import { compileKernels } from '../kernels/wasm.js';
import { RunError } from '../errors.js';
import { chunkFor, engineDefaults, taskSizeFor } from './defaults.js';
import type { RunPlan } from './plan.js';
import { workerPlan } from './plan.js';
import { createPool } from './pool.js';
import { SharedBars } from './shared-bars.js';
import { coverage, pilotBars, pilotFor, type PilotSpec } from './pilot.js';
import { tailMeasures, type PackedTails, type TailMeasures } from './tail-book.js';
import {
  passesPerSet,
  passKey,
  type FlushTask,
  type PassStage,
  type ScenarioTask,
  type TaskResult,
  type WorkerTask,
} from './task.js';
import type { Piscina } from 'piscina';

export interface EngineOptions {
  workers?: number;
  /** Scenarios per kernel pass (results do not depend on it; memory and speed do). */
  chunk?: number;
  /** Scenarios per task (results do not depend on it either). */
  taskSize?: number;
  /**
   * The pilot pass of each Monte Carlo set (pilot.ts): by default `pilotFor` decides; false
   * turns it off; a spec forces one (tests). Results never depend on it, only speed does.
   */
  pilot?: false | PilotSpec;
  onProgress?: (event: ProgressEvent) => void;
  /** After each pass over a set: which pass, over how many scenarios. */
  onPass?: (event: PassEvent) => void;
}

export interface ProgressEvent {
  set: string;
  done: number;
  total: number;
  /** Scenarios done over all sets, and the total. Totals grow when scenarios must be run again (pilot.ts). */
  allDone: number;
  allTotal: number;
}

export interface PassEvent {
  set: string;
  stage: PassStage;
  scenarios: number;
  /** Tail buffer capacity per series. */
  cap: number;
  /**
   * After a main pass that followed a pilot: how many series the kept losses failed to cover
   * (pilot.ts `coverage`): `tied` ones need the pilot's scenarios again, `short` ones the set.
   */
  coverage?: { tied: number; short: number };
}

/** Tail measures per set, per series (accounts, then groups of two or more accounts). */
export type SetTails = TailMeasures[];

/** Scenarios [from, to) cut into tasks of at most taskSize. */
export function taskSizes(from: number, to: number, taskSize: number): { start: number; count: number }[] {
  const out: { start: number; count: number }[] = [];
  for (let start = from; start < to; start += taskSize) out.push({ start, count: Math.min(taskSize, to - start) });
  return out;
}

/**
 * Runs every scenario set of the plan through the worker pool and returns exact tail measures.
 * Sets run one after another. A set is cut into tasks that the workers take as they free up;
 * each worker keeps the exact top k of every series over all the scenarios it ran, so a task
 * returns only its thread id. At the end of a pass every worker that ran a task is flushed:
 * it sends its tails once and the main thread merges them into the set's exact top k. A large
 * Monte Carlo set runs as a pilot and a main pass (pilot.ts).
 */
export async function runScenarioSets(plan: RunPlan, options: EngineOptions = {}): Promise<SetTails[]> {
  const workers = Math.max(1, Math.floor(options.workers ?? engineDefaults.workers()));
  const ins = plan.instruments;
  const nSeries = plan.holdings.nSeries;
  const chunk = options.chunk ?? chunkFor(ins.nLinear + ins.nOptions, nSeries, ins.n);
  const sizeOf = (scenarios: number) => options.taskSize ?? taskSizeFor(scenarios, workers, chunk);
  const maxCap = Math.max(1, ...plan.sets.map((s) => s.tailSize));

  const module = compileKernels();
  const barsBuffer = SharedBars.create(plan.sets.length * passesPerSet, nSeries);
  const sharedBars = new SharedBars(barsBuffer, nSeries);
  const pool = createPool(module, workerPlan(plan, chunk, maxCap), workers, barsBuffer);
  let allTotal = plan.sets.reduce((a, s) => a + s.scenarios, 0);
  let allDone = 0;

  /** The tails of one set, exact; `whileRunning` is called once its longest pass is under way. */
  async function runSet(si: number, whileRunning: () => void): Promise<PackedTails[]> {
    const set = plan.sets[si];
    const k = set.tailSize;
    let done = 0;
    let total = set.scenarios;

    async function pass(stage: PassStage, from: number, to: number, cap: number, during?: () => void) {
      const key = passKey(si, stage);
      const worked = new Set<number>();
      const running = runAll(pool, workers, taskSizes(from, to, sizeOf(to - from)), set.name, (part) => ({
        task: { kind: 'scenarios', set: si, pass: key, cap, shareBars: stage !== 'pilot', ...part } satisfies ScenarioTask,
        onResult: (r: TaskResult) => {
          worked.add(r[0]);
          done += part.count;
          allDone += part.count;
          options.onProgress?.({ set: set.name, done, total, allDone, allTotal });
        },
      }));
      during?.();
      await running;
      return flushAll(pool, workers, key, cap, worked, set.name);
    }

    // Only a Monte Carlo set's first scenarios are a random sample of it.
    const pilot =
      set.source.kind !== 'montecarlo' || options.pilot === false ? undefined : (options.pilot ?? pilotFor(set.scenarios, k));
    if (pilot === undefined || pilot.rank > k || pilot.scenarios >= set.scenarios) {
      const packs = await pass('main', 0, set.scenarios, k, whileRunning);
      options.onPass?.({ set: set.name, stage: 'main', scenarios: set.scenarios, cap: k });
      return packs;
    }
    const pilotPacks = await pass('pilot', 0, pilot.scenarios, pilot.rank);
    options.onPass?.({ set: set.name, stage: 'pilot', scenarios: pilot.scenarios, cap: pilot.rank });
    const floor = pilotBars(pilotPacks, nSeries, pilot.rank);
    const mainKey = passKey(si, 'main');
    for (let r = 0; r < nSeries; r++) sharedBars.raise(mainKey, r, floor[r]);
    const mainPacks = await pass('main', pilot.scenarios, set.scenarios, k, whileRunning);
    const { tied, short } = coverage([...pilotPacks, ...mainPacks], nSeries, floor, k);
    options.onPass?.({
      set: set.name,
      stage: 'main',
      scenarios: set.scenarios - pilot.scenarios,
      cap: k,
      coverage: { tied: tied.length, short: short.length },
    });
    if (tied.length === 0 && short.length === 0) return [...pilotPacks, ...mainPacks];
    if (short.length === 0) {
      // Ties at a bar: the main pass is complete, the pilot's scenarios need their full top k.
      allTotal += pilot.scenarios;
      total += pilot.scenarios;
      const pilotFull = await pass('pilot-full', 0, pilot.scenarios, k);
      options.onPass?.({ set: set.name, stage: 'pilot-full', scenarios: pilot.scenarios, cap: k });
      return [...pilotFull, ...mainPacks];
    }
    // A bar above the set's k-th largest loss: run the whole set again without a pilot.
    allTotal += set.scenarios;
    total += set.scenarios;
    const rerun = await pass('rerun', 0, set.scenarios, k);
    options.onPass?.({ set: set.name, stage: 'rerun', scenarios: set.scenarios, cap: k });
    return rerun;
  }

  try {
    const results: SetTails[] = [];
    // A set's measures are computed while the next set's tasks run, so the workers do not wait
    // on the main thread at set boundaries.
    let finishPrevious: (() => void) | undefined;
    for (let si = 0; si < plan.sets.length; si++) {
      const set = plan.sets[si];
      const previous = finishPrevious;
      finishPrevious = undefined;
      const packs = await runSet(si, () => previous?.());
      finishPrevious = () => results.push(tailMeasures(packs, nSeries, set.tailSize));
    }
    finishPrevious?.();
    return results;
  } finally {
    await pool.destroy();
  }
}

/**
 * Runs the tasks with at most `inFlightPerWorker` per worker queued, so no worker waits on the
 * main thread and the queue never holds the whole set. On the first failure no new task starts;
 * the ones in flight are awaited (never left running), then the failure is thrown.
 */
async function runAll<T>(
  pool: Piscina,
  workers: number,
  parts: T[],
  setName: string,
  make: (part: T) => { task: WorkerTask; onResult: (r: TaskResult) => void },
): Promise<void> {
  let failure: unknown;
  const inFlight = new Set<Promise<void>>();
  let next = 0;
  while (next < parts.length || inFlight.size > 0) {
    while (failure === undefined && next < parts.length && inFlight.size < workers * engineDefaults.inFlightPerWorker) {
      const { task, onResult } = make(parts[next++]);
      const p: Promise<void> = pool.run(task).then(onResult, (err: unknown) => {
        failure ??= err;
      });
      const tracked = p.finally(() => inFlight.delete(tracked));
      inFlight.add(tracked);
    }
    if (inFlight.size === 0) break;
    await Promise.race(inFlight);
  }
  if (failure !== undefined) throw asRunError(failure, setName);
}

/**
 * Collects a pass's tails from every worker that worked on it. Piscina cannot address a worker,
 * but every worker is idle now, and one flush task per worker submitted in the same tick gives
 * each idle worker one (a busy worker takes no second task). A worker that holds nothing (it
 * never worked on the pass, or already handed over) answers with its id alone. Rounds repeat, in
 * case a worker was not idle yet, until every worker that worked has handed over its tails.
 */
async function flushAll(
  pool: Piscina,
  workers: number,
  pass: number,
  cap: number,
  worked: Set<number>,
  setName: string,
): Promise<PackedTails[]> {
  const packs: PackedTails[] = [];
  const pending = new Set(worked);
  for (let round = 0; pending.size > 0; round++) {
    if (round === engineDefaults.maxFlushRounds) {
      throw new RunError(`could not collect the tails of set "${setName}" from ${pending.size} worker(s) after ${round} rounds`);
    }
    await runAll(
      pool,
      workers,
      Array.from({ length: workers }, () => null),
      setName,
      () => ({
        task: { kind: 'flush', pass, cap } satisfies FlushTask,
        onResult: (r: TaskResult) => {
          if (r.length > 1 && pending.delete(r[0])) packs.push({ data: r, start: 1 });
        },
      }),
    );
  }
  return packs;
}

function asRunError(err: unknown, setName: string): RunError {
  const message = err instanceof Error ? err.message : String(err);
  if (message.startsWith('NONFINITE: ')) return new RunError(message.slice('NONFINITE: '.length), { cause: err });
  if (err instanceof WebAssembly.RuntimeError || /RuntimeError|unreachable|out of bounds/.test(message)) {
    return new RunError(`a scenario kernel trapped while running set "${setName}": ${message}`, { cause: err });
  }
  return new RunError(`a worker failed while running set "${setName}": ${message}`, { cause: err });
}
