// Dispatch of a pass's tasks to an executor: a bounded number in flight, and on a failure or a
// cancel no new task, the running ones awaited, then one RunError (errors.ts runFailure).
import { runFailure, type TaskFailure } from '../errors.js';
import { engineDefaults } from './defaults.js';
import type { TaskExecutor } from './executor.js';
import type { EngineTask } from './task.js';

/**
 * Runs the tasks with at most `inFlightPerWorker` per executor slot in flight, so no worker
 * waits on the main thread and the queue never holds the whole set. On the first failure or a
 * cancel no new task starts; the ones in flight are awaited (never left running), then the
 * failure is thrown.
 */
export async function runTasks<T extends EngineTask>(
  executor: TaskExecutor,
  tasks: T[],
  signal: AbortSignal | undefined,
  setName: string,
  onTails: (task: T, tails: Float64Array, stored: string | undefined) => void,
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
          if (outcome.ok) onTails(task, outcome.tails, outcome.stored);
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
