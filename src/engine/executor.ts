import type { EngineTask, TaskOutcome } from './task.js';

/**
 * Whatever runs the engine's tasks (range tasks, and summary tasks where memory is shared): worker threads here (thread-executor.ts), processes on other
 * machines through a job queue later. An executor never rejects for a task's own failure: it
 * resolves to the failure as a value (a worker that exits included), so the coordinator maps
 * every failure in one place (errors.ts runFailure).
 */
export interface TaskExecutor {
  /** Tasks that run at once; the coordinator keeps about twice as many in flight. */
  readonly concurrency: number;
  /**
   * Whether tasks may carry SharedArrayBuffers (shared bars, a cancel flag) that the executor's
   * workers see live. A remote executor gets neither and loses nothing but speed.
   */
  readonly sharesMemory: boolean;
  /**
   * Whether range tasks may leave their packs with the executor (RangeTask.stored), for its own
   * summary tasks to read: a remote executor's results then never cross to the coordinator,
   * only their digests and the summaries do.
   */
  readonly storesResults?: boolean;
  run(task: EngineTask): Promise<TaskOutcome>;
  /** Tasks submitted and not yet settled. */
  pending(): number;
  close(): Promise<void>;
}
