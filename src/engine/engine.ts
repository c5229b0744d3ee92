// The engine: a plan, an executor (a warm worker pool by default), and runs over them. A run
// cuts each scenario set into range tasks, hands them to the executor, and merges the results
// into the set's exact tails. Everything a run needs lives in the run (its passes, shared bars,
// cancel flag); the engine holds only the plan, so it serves many runs, one after another or
// at once, until it is closed.
import { runFailure, type TaskFailure } from '../errors.js';
import { chunkFor, engineDefaults, taskSizeFor } from './defaults.js';
import { ExactTails, mergeToPack, type PackedTails } from './exact-tails.js';
import type { TaskExecutor } from './executor.js';
import { coverage, pilotBars, pilotFor, type PilotSpec } from './pilot.js';
import { kernelPlan, type RunPlan } from './plan.js';
import { encodePlan, planId } from './plan-codec.js';
import { SharedBars } from './shared-bars.js';
import { createThreadExecutor } from './thread-executor.js';
import type { InjectedFault, PlanRef, RangeTask } from './task.js';

export interface EngineConfig {
  /** Worker threads of the engine's own pool; default one per core. Results never depend on it. */
  workers?: number;
  /** Run tasks on this executor instead of a pool of the engine's own (which close() then leaves open). */
  executor?: TaskExecutor;
}

export interface EngineRunOptions {
  /** Scenarios per kernel pass (results do not depend on it; memory and speed do). */
  chunk?: number;
  /** Scenarios per task (results do not depend on it either). */
  taskSize?: number;
  /**
   * The pilot pass of each Monte Carlo set (pilot.ts): by default `pilotFor` decides; false
   * turns it off; a spec forces one (tests). Results never depend on it, only speed does.
   */
  pilot?: false | PilotSpec;
  /** Which sets to run, by index into the plan's sets (default: all, in order). */
  sets?: number[];
  onProgress?: (event: ProgressEvent) => void;
  /** After each pass over a set: which pass, over how many scenarios. */
  onPass?: (event: PassEvent) => void;
  /**
   * A set's exact tails as soon as they are ready: while the next set runs (the last set's at the
   * end), so a caller's work on them overlaps the workers'. `index` is the position in the result.
   */
  onSetTails?: (tails: ExactTails, index: number) => void;
  /** Test-only: the `task`-th task of the run (0-based) fails in this way. */
  inject?: { fault: InjectedFault; task: number };
}

export interface RunControl {
  /** Cancels the run: running tasks stop at their next chunk, and the run rejects with a RunError ('aborted'). */
  signal?: AbortSignal;
}

export interface ProgressEvent {
  set: string;
  done: number;
  total: number;
  /** Scenarios done over all sets, and the total. Totals grow when scenarios must be run again (pilot.ts). */
  allDone: number;
  allTotal: number;
}

/** A pass over (part of) a set: the pilot, the main pass, and when the pilot's bar fails its check the pilot's scenarios in full or the whole set again (pilot.ts). */
export type PassStage = 'pilot' | 'main' | 'pilot-full' | 'rerun';

export interface PassEvent {
  set: string;
  stage: PassStage;
  scenarios: number;
  /** Tail capacity per series. */
  cap: number;
  /**
   * After a main pass that followed a pilot: how many series the kept losses failed to cover
   * (pilot.ts `coverage`): `tied` ones need the pilot's scenarios again, `short` ones the set.
   */
  coverage?: { tied: number; short: number };
}

export interface Engine {
  readonly plan: RunPlan;
  /** The plan's identity (a content hash), as tasks name it. */
  readonly planId: string;
  /** The exact tails of each set run, in the order of `options.sets` (default: every set). */
  run(options?: EngineRunOptions, control?: RunControl): Promise<ExactTails[]>;
  /** Tasks submitted to the executor and not yet settled: 0 when the engine is idle. */
  pending(): number;
  close(): Promise<void>;
}

/** Scenarios [from, to) cut into ranges of at most taskSize. */
export function taskRanges(from: number, to: number, taskSize: number): { start: number; count: number }[] {
  const out: { start: number; count: number }[] = [];
  for (let start = from; start < to; start += taskSize) out.push({ start, count: Math.min(taskSize, to - start) });
  return out;
}

export function createEngine(plan: RunPlan, config: EngineConfig = {}): Engine {
  const executor = config.executor ?? createThreadExecutor(config.workers ?? engineDefaults.workers());
  const owned = config.executor === undefined;
  const encoded = encodePlan(kernelPlan(plan));
  const id = planId(encoded);
  // Between threads the plan's bytes live in shared memory: every task carries a view, none a copy.
  const bytes = executor.sharesMemory ? shareBytes(encoded) : encoded;
  const ref: PlanRef = { id, bytes };
  let closed = false;
  return {
    plan,
    planId: id,
    run(options = {}, control = {}) {
      if (closed) return Promise.reject(new Error('internal: run on a closed engine'));
      return runSets(plan, ref, executor, options, control.signal);
    },
    pending: () => executor.pending(),
    async close() {
      if (closed) return;
      closed = true;
      if (owned) await executor.close();
    },
  };
}

function shareBytes(bytes: Uint8Array): Uint8Array {
  const shared = new Uint8Array(new SharedArrayBuffer(bytes.byteLength));
  shared.set(bytes);
  return shared;
}

/**
 * One run: sets one after another, each cut into range tasks; a large Monte Carlo set runs as
 * a pilot and a main pass (pilot.ts). The tasks' packs are kept as they arrive (with a bar, each
 * holds only the few losses that can still enter the tail) and merged once per set.
 */
async function runSets(
  plan: RunPlan,
  ref: PlanRef,
  executor: TaskExecutor,
  options: EngineRunOptions,
  signal: AbortSignal | undefined,
): Promise<ExactTails[]> {
  const ins = plan.instruments;
  const nSeries = plan.holdings.nSeries;
  const slots = executor.concurrency;
  const chunk = options.chunk ?? chunkFor(ins.nLinear + ins.nOptions, nSeries, ins.n);
  const sizeOf = (scenarios: number, stage: PassStage) =>
    options.taskSize ??
    taskSizeFor(scenarios, slots, chunk, stage === 'pilot' ? engineDefaults.pilotTasksPerWorker : engineDefaults.tasksPerWorker);
  const which = options.sets ?? plan.sets.map((_, i) => i);
  for (const si of which)
    if (!(Number.isInteger(si) && si >= 0 && si < plan.sets.length)) throw new Error(`internal: no set ${si}`);
  let allTotal = which.reduce((a, si) => a + plan.sets[si].scenarios, 0);
  let allDone = 0;
  let taskCount = 0;

  // Cancellation reaches running tasks through shared memory, between chunks; an executor that
  // cannot share memory stops taking new tasks and lets the running ones finish.
  const cancel = executor.sharesMemory ? new SharedArrayBuffer(4) : undefined;
  const onAbort = () => {
    if (cancel) Atomics.store(new Int32Array(cancel), 0, 1);
  };
  if (signal?.aborted) throw runFailure({ code: 'aborted', message: 'cancelled' });
  signal?.addEventListener('abort', onAbort, { once: true });

  /**
   * The packs of one set that hold its exact tail; `whileRunning` is called once the set's
   * longest pass is under way (the previous set's tails are merged then).
   */
  async function runSet(si: number, whileRunning: () => void): Promise<PackedTails[]> {
    const set = plan.sets[si];
    const k = set.tailSize;
    let done = 0;
    let total = set.scenarios;

    /** Scenarios [from, to) in range tasks keeping `cap` losses per series: the tasks' packs. */
    async function pass(stage: PassStage, from: number, to: number, cap: number, bar?: Float64Array, during?: () => void) {
      // A pilot keeps fewer than k losses per series: its tasks' worst is no bound on the set's
      // k-th largest, so it shares no bars.
      const sharedBars = stage !== 'pilot' && executor.sharesMemory ? SharedBars.create(nSeries) : undefined;
      if (sharedBars && bar) {
        const bars = new SharedBars(sharedBars, nSeries);
        for (let r = 0; r < nSeries; r++) bars.raise(r, bar[r]);
      }
      const packs: PackedTails[] = [];
      const tasks = taskRanges(from, to, sizeOf(to - from, stage)).map((range): RangeTask => {
        const n = taskCount++;
        return {
          plan: ref,
          set: si,
          ...range,
          chunk,
          cap,
          ...(bar ? { bar } : {}),
          ...(sharedBars ? { sharedBars } : {}),
          ...(cancel ? { cancel } : {}),
          ...(options.inject && options.inject.task === n ? { fault: options.inject.fault } : {}),
        };
      });
      const running = runTasks(executor, tasks, signal, set.name, (task, tails) => {
        packs.push({ data: tails, start: 0 });
        done += task.count;
        allDone += task.count;
        options.onProgress?.({ set: set.name, done, total, allDone, allTotal });
      });
      during?.();
      await running;
      return packs;
    }

    // Only a Monte Carlo set's first scenarios are a random sample of it.
    const pilot =
      set.source.kind !== 'montecarlo' || options.pilot === false ? undefined : (options.pilot ?? pilotFor(set.scenarios, k));
    if (pilot === undefined || pilot.rank > k || pilot.scenarios >= set.scenarios) {
      const packs = await pass('main', 0, set.scenarios, k, undefined, whileRunning);
      options.onPass?.({ set: set.name, stage: 'main', scenarios: set.scenarios, cap: k });
      return packs;
    }
    // The pilot's tasks' top `rank`s, merged into one list per series: its bar is the last of it.
    const pilotTop = mergeToPack(await pass('pilot', 0, pilot.scenarios, pilot.rank), nSeries, pilot.rank);
    const pilotPacks = [{ data: pilotTop, start: 0 }];
    options.onPass?.({ set: set.name, stage: 'pilot', scenarios: pilot.scenarios, cap: pilot.rank });
    const bar = pilotBars(pilotPacks, nSeries, pilot.rank);
    const mainPacks = await pass('main', pilot.scenarios, set.scenarios, k, bar, whileRunning);
    const { tied, short } = coverage([...pilotPacks, ...mainPacks], nSeries, bar, k);
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
    const results: ExactTails[] = [];
    // A set's packs are merged into its exact tails while the next set's tasks run, so the
    // workers do not wait on the main thread at set boundaries.
    let finishPrevious: (() => void) | undefined;
    for (const si of which) {
      const set = plan.sets[si];
      const previous = finishPrevious;
      finishPrevious = undefined;
      const packs = await runSet(si, () => previous?.());
      finishPrevious = () => {
        const tails = new ExactTails(set.name, packs, nSeries, set.tailSize);
        results.push(tails);
        options.onSetTails?.(tails, results.length - 1);
      };
    }
    finishPrevious?.();
    return results;
  } finally {
    signal?.removeEventListener('abort', onAbort);
  }
}

/**
 * Runs the tasks with at most `inFlightPerWorker` per executor slot in flight, so no worker
 * waits on the main thread and the queue never holds the whole set. On the first failure or a
 * cancel no new task starts; the ones in flight are awaited (never left running), then the
 * failure is thrown.
 */
async function runTasks(
  executor: TaskExecutor,
  tasks: RangeTask[],
  signal: AbortSignal | undefined,
  setName: string,
  onTails: (task: RangeTask, tails: Float64Array) => void,
): Promise<void> {
  let failure: TaskFailure | undefined;
  const inFlight = new Set<Promise<void>>();
  let next = 0;
  const limit = executor.concurrency * engineDefaults.inFlightPerWorker;
  while (next < tasks.length || inFlight.size > 0) {
    if (signal?.aborted) failure ??= { code: 'aborted', message: 'cancelled' };
    while (failure === undefined && next < tasks.length && inFlight.size < limit) {
      const task = tasks[next++];
      const p: Promise<void> = executor.run(task).then(
        (outcome) => {
          if (outcome.ok) onTails(task, outcome.tails);
          // A cancel shows up as an 'aborted' task; any real failure that came first wins.
          else if (failure === undefined || failure.code === 'aborted') failure = outcome.failure;
        },
        (err: unknown) => {
          failure ??= { code: 'task-failed', message: err instanceof Error ? err.message : String(err) };
        },
      );
      const tracked = p.finally(() => inFlight.delete(tracked));
      inFlight.add(tracked);
    }
    if (inFlight.size === 0) break;
    await Promise.race(inFlight);
  }
  if (signal?.aborted && failure === undefined) failure = { code: 'aborted', message: 'cancelled' };
  if (failure !== undefined) throw runFailure(failure, setName);
}
