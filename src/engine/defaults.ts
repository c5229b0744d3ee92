import { availableParallelism } from 'node:os';

/** Engine defaults in one place. */
export const engineDefaults = {
  /** Worker threads: one per core; the kernels are CPU-bound. */
  workers: () => Math.max(1, availableParallelism()),
  /**
   * The most worker threads a pool may have: more than the cores buys nothing, and each thread
   * costs about 9 MB idle and up to `scratchBytes` at work (1,000 threads took 8.8 GB).
   */
  maxWorkers: () => Math.max(64, 4 * availableParallelism()),
  /**
   * The memory a run may use (resident, all threads), by default. When a set's exact tails would
   * not fit it beside what the run already holds, the set runs in groups of series (run-sets.ts),
   * each pass regenerating the scenarios exactly.
   */
  maxMemory: 1024 * 1024 * 1024,
  /**
   * Bytes a set's tails take per series and per tail loss (a loss and its scenario index, 16
   * bytes, times the copies alive at once): the coordinator's packs (a pilot's list beside the
   * main pass's) and, per worker, its tail buffers and the pack it is building. Measured on L at
   * 100,000 and 400,000 scenarios per set, 2 workers: 3.7 copies.
   */
  tailCopies: { coordinator: 1.5, perWorker: 1.25 },
  /** Per-worker scratch for one kernel pass (instrument, account and portfolio rows x chunk). */
  scratchBytes: 64 * 1024 * 1024,
  minChunk: 16,
  maxChunk: 4096,
  /**
   * Tasks per worker per pass over a set: enough to balance the load and to move the progress
   * bar, few enough that the tasks' results (each sorted, packed and merged on its own) stay a
   * small part of the work.
   */
  tasksPerWorker: 4,
  /**
   * A pilot's tasks per worker: every pilot task hands back a full buffer of its top `rank` per
   * series and starts cold, so a pilot is best cut into as few tasks as there are workers.
   */
  pilotTasksPerWorker: 1,
  /** Tasks in flight per worker: one running, one queued, so no worker waits on the main thread. */
  inFlightPerWorker: 2,
  idleTimeoutMs: 60_000,
  /**
   * Summary tasks (a set's last merge, run-sets.ts tailsOf) per worker: two, so a slow slice
   * does not leave a thread idle; and only for tails of at least this many losses over all
   * series, below which one thread merges them faster than a task's round trip.
   */
  summaryTasksPerWorker: 2,
  summaryTaskMinLosses: 65_536,
  /**
   * (scenario, unit) pairs, and scenarios, per component-loss task (component-losses.ts), at
   * most: about 60 ms of work on L for either. The cut must not
   * depend on the workers (the tasks' totals are merged in task order, so it sets the bits), and
   * each task hands back a total per slot, so tasks are few and large.
   */
  componentLossPairsPerTask: 262_144,
  componentLossScenariosPerTask: 4096,
  /**
   * Scenarios per kernel pass of a component-loss task, at most. The kernel reads, for each
   * scenario, the rows of the units whose tail holds it, and the next scenario's units are
   * others: with the run's chunk (1,024 on L) the rows (used rows x chunk) are megabytes and
   * nearly every read misses the cache; at 64 they fit it and the kernel takes half the time
   * (L, 2026-11-30). The bits do not depend on it: each slot's sum runs across passes.
   */
  componentLossMaxChunk: 64,
  /** The most bytes of tail scenarios one summary task hands back, when a run asks for them. */
  tailScenarioSliceBytes: 16 * 1024 * 1024,
  /** Tail losses the coordinator summarises between two turns of its event loop, where it does. */
  summarySliceLosses: 262_144,
  /**
   * The pilot pass of a large set (see pilot.ts): only for tails of at least `minTail`; about
   * `expectedAbove` pilot losses above the final VaR, the pilot at most `maxFraction` of the set;
   * its bar `sigmas` standard deviations (plus as many losses) below that estimate.
   */
  pilot: { minTail: 256, expectedAbove: 64, maxFraction: 1 / 8, sigmas: 5 },
} as const;

/** A worker's scratch per scenario of a chunk: returns, spots, instrument rows, series, iv shift. */
export function scratchPerScenario(rows: number, series: number, underlyings: number): number {
  return 8 * (rows + series + 2 * underlyings + 1);
}

/** Scenarios per kernel pass: as many as fit the scratch budget, a multiple of 16 for SIMD. */
export function chunkFor(rows: number, series: number, underlyings: number): number {
  const fit = Math.floor(engineDefaults.scratchBytes / scratchPerScenario(rows, series, underlyings));
  const c = Math.min(engineDefaults.maxChunk, Math.max(engineDefaults.minChunk, fit));
  return c - (c % 16);
}

/** The largest chunk a caller may ask for: what fits the scratch budget, and never below the smallest chunk. */
export function maxChunkFor(rows: number, series: number, underlyings: number): number {
  const fit = Math.floor(engineDefaults.scratchBytes / scratchPerScenario(rows, series, underlyings));
  return Math.max(engineDefaults.minChunk, fit);
}

/** Scenarios per task: about `tasksPerWorker` tasks per worker, and never less than a chunk. */
export function taskSizeFor(
  scenarios: number,
  workers: number,
  chunk: number,
  perWorker: number = engineDefaults.tasksPerWorker,
): number {
  return Math.max(chunk, Math.ceil(scenarios / (workers * perWorker)));
}
