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
} as const;

/** Scenarios per kernel pass: as many as fit the scratch budget, a multiple of 16 for SIMD. */
export function chunkFor(rows: number, series: number, underlyings: number): number {
  const perScenario = 8 * (rows + series + 2 * underlyings + 1);
  const fit = Math.floor(engineDefaults.scratchBytes / perScenario);
  const c = Math.min(engineDefaults.maxChunk, Math.max(engineDefaults.minChunk, fit));
  return c - (c % 16);
}
