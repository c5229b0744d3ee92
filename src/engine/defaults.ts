import { availableParallelism } from 'node:os';

/** Engine defaults in one place. */
export const engineDefaults = {
  /** Worker threads: one per core; the kernels are CPU-bound. */
  workers: () => Math.max(1, availableParallelism()),
  /** Per-worker scratch for one kernel pass (instrument, account and portfolio rows x chunk). */
  scratchBytes: 32 * 1024 * 1024,
  minChunk: 16,
  maxChunk: 4096,
  /** Tasks per worker per set: enough to balance the load and let tail thresholds tighten,
   *  few enough that per-task tail buffers stay a small share of the work. */
  tasksPerWorker: 4,
  /** Tasks in flight per worker: one running, one queued, so no worker waits on the main thread. */
  inFlightPerWorker: 2,
  idleTimeoutMs: 60_000,
  /** Bytes of tail entries (loss + index, 16 bytes each) one task may return; see taskSizeFor. */
  taskResultBytes: 32 * 1024 * 1024,
  minTask: 256,
} as const;

/** Scenarios per kernel pass: as many as fit the scratch budget, a multiple of 16 for SIMD. */
export function chunkFor(rows: number, series: number, underlyings: number): number {
  const perScenario = 8 * (rows + series + 2 * underlyings + 1);
  const fit = Math.floor(engineDefaults.scratchBytes / perScenario);
  const c = Math.min(engineDefaults.maxChunk, Math.max(engineDefaults.minChunk, fit));
  return c - (c % 16);
}

/**
 * Scenarios per task. About `tasksPerWorker` tasks per worker balance the load, but a task
 * returns up to min(k, task) tail entries per series and its worker holds that many: with 10^6
 * scenarios (k = 10^4) and 10^3 series that is 170 MB per task. So when k is large the task is
 * cut to what fits `taskResultBytes`; the main thread then merges more, smaller results, and
 * once it knows k losses per series its thresholds keep later results small. Memory stays
 * bounded by the one exact tail the main thread must hold, whatever the scenario count.
 */
export function taskSizeFor(scenarios: number, tailSize: number, series: number, workers: number, chunk: number): number {
  const balanced = Math.max(chunk, Math.ceil(scenarios / (workers * engineDefaults.tasksPerWorker)));
  const capLimit = Math.floor(engineDefaults.taskResultBytes / (16 * Math.max(series, 1)));
  if (tailSize <= capLimit) return balanced;
  return Math.min(balanced, Math.max(engineDefaults.minTask, capLimit));
}
