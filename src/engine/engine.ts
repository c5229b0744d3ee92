// The engine: a plan, an executor (a warm worker pool by default), and runs over them. A run
// cuts each scenario set into range tasks, hands them to the executor, and merges the results
// into the set's exact tails. Everything a run needs lives in the run (its passes, shared bars,
// cancel flag); the engine holds only the plan, so it serves many runs, one after another or
// at once, until it is closed. How a run goes, set by set and pass by pass, is run-sets.ts.
import { engineDefaults } from './defaults.js';
import type { ExactTails } from './exact-tails.js';
import type { TaskExecutor } from './executor.js';
import type { PilotSpec } from './pilot.js';
import { kernelPlan, type RunPlan } from './plan.js';
import { encodePlan, planId } from './plan-codec.js';
import { chunkOf, runSets } from './run-sets.js';
import { componentTailLosses, type ComponentLossPass } from './component-losses.js';
import { runCascades, type CascadeRequest } from './cascades.js';
import { rowVectors } from './row-vectors.js';
import { instrumentVectors } from './instrument-vectors.js';
import type { InstrumentSpec } from './task.js';
import type { CascadePartial } from '../risk/cascade.js';
import { createThreadExecutor } from './thread-executor.js';
import type { InjectedFault, PlanRef } from './task.js';

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
  /**
   * Bytes the run may hold (resident, all threads; default 1 GiB, defaults.ts maxMemory). A set
   * whose tails would not fit runs in groups of series (memory.ts): same results, more time, and
   * its ExactTails keep the summaries only.
   */
  maxMemory?: number;
  /** Bytes of the budget that the caller holds beside the run (what onTailScenarios keeps). */
  reservedMemory?: number;
  /**
   * Keep every set's exact tails (default true): false keeps their summaries only, enough for
   * the measures, and frees each set's tails as soon as they are summarised.
   */
  keepTails?: boolean;
  onProgress?: (event: ProgressEvent) => void;
  /** After each pass over a set: which pass, over how many scenarios. */
  onPass?: (event: PassEvent) => void;
  /**
   * A set's exact tails as soon as they are ready: while the next set runs (the last set's at the
   * end), so a caller's work on them overlaps the workers'. `index` is the position in the result.
   */
  onSetTails?: (tails: ExactTails, index: number) => void;
  /**
   * Every set's tail scenarios, slice of series by slice, as its tails are summarised (whether
   * or not the tails are kept): what attribution regenerates (src/risk/binding-tails.ts). The
   * arrays are the engine's and valid during the call only; a caller keeps what it needs.
   */
  onTailScenarios?: (slice: TailScenarioSlice) => void;
  /**
   * Reduce every scenario over the portfolios for Cover-1 and Cover-2 (default true): each set's
   * ExactTails then carry `cover` (cover.ts). false skips the reduction.
   */
  cover?: boolean;
  /** Test-only: the `task`-th task of the run (0-based) fails in this way. */
  inject?: { fault: InjectedFault; task: number };
}

/** Series [from, to) of a set's tails: summaries (exact-tails.ts SUMMARY_WIDTH each) and k scenarios each, in rank order. */
export interface TailScenarioSlice {
  /** Position of the set in the run's result (as onSetTails), and its index in the plan. */
  index: number;
  set: number;
  from: number;
  to: number;
  k: number;
  summaries: Float64Array;
  scenarios: Int32Array;
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
  /**
   * For each pass (a set, and units with their tails in it: tail scenarios and components), each
   * unit's components' losses summed over its tail, regenerated on the executor
   * (component-losses.ts); a pass's units' sums are views of one array, the caller's to keep or
   * change. The tasks are dispatched before this returns.
   */
  componentTailLosses(passes: ComponentLossPass[], options?: { chunk?: number }, control?: RunControl): Promise<Float64Array[][]>;
  /**
   * For each request (an explicit set, and a cascade table: the portfolios with their maintenance
   * margins), the set's liquidation cascades, scenario by scenario on the executor, merged into
   * one partial per request (cascades.ts). The tasks are dispatched before this returns.
   */
  cascades(requests: CascadeRequest[], options?: { chunk?: number }, control?: RunControl): Promise<CascadePartial[]>;
  /**
   * Every revaluation row's P&L over all of set `set`'s scenarios, rows x scenarios (row r at
   * [r N, r N + N)): what a what-if service keeps warm (row-vectors.ts).
   */
  rowVectors(set: number, options?: { chunk?: number }, control?: RunControl): Promise<Float64Array>;
  /**
   * Instruments from their specs (ones the plan does not have, or rows of its own): their P&L per
   * unit over all of set `set`'s scenarios, instruments x scenarios (instrument-vectors.ts).
   */
  instrumentVectors(
    set: number,
    instruments: InstrumentSpec[],
    options?: { chunk?: number },
    control?: RunControl,
  ): Promise<Float64Array>;
  /** Tasks submitted to the executor and not yet settled: 0 when the engine is idle. */
  pending(): number;
  close(): Promise<void>;
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
  /**
   * Starts work on the executor now (its tasks go out before this returns), or says why not: a
   * closed engine, or a request the planning refuses, as a rejected promise, never a throw.
   */
  const dispatched = <T>(start: () => Promise<T>): Promise<T> => {
    if (closed) return Promise.reject(new Error('internal: run on a closed engine'));
    try {
      return start();
    } catch (err) {
      return Promise.reject(err);
    }
  };
  return {
    plan,
    planId: id,
    run(options = {}, control = {}) {
      return dispatched(() => runSets(plan, ref, executor, options, control.signal));
    },
    componentTailLosses(passes, options = {}, control = {}) {
      return dispatched(() => {
        for (const { set } of passes)
          if (!(Number.isInteger(set) && set >= 0 && set < plan.sets.length)) throw new Error(`internal: no set ${set}`);
        const chunk = Math.min(chunkOf(plan, options.chunk), engineDefaults.componentLossMaxChunk);
        return componentTailLosses(plan, ref, executor, passes, chunk, control.signal);
      });
    },
    pending: () => executor.pending(),
    instrumentVectors(set, instruments, options = {}, control = {}) {
      return dispatched(() =>
        instrumentVectors(plan, ref, executor, set, instruments, chunkOf(plan, options.chunk), control.signal),
      );
    },
    rowVectors(set, options = {}, control = {}) {
      return dispatched(() => rowVectors(plan, ref, executor, set, chunkOf(plan, options.chunk), control.signal));
    },
    cascades(requests, options = {}, control = {}) {
      return dispatched(() => runCascades(plan, ref, executor, requests, chunkOf(plan, options.chunk), control.signal));
    },
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
