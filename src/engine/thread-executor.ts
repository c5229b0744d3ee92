import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { Piscina } from 'piscina';
import { ArgumentError, isTaskFailure, type TaskFailure } from '../errors.js';
import { compileKernels } from '../kernels/wasm.js';
import { fromRoot } from '../paths.js';
import { engineDefaults } from './defaults.js';
import type { TaskExecutor } from './executor.js';
import type { EngineTask, TaskOutcome } from './task.js';

/**
 * Workers must be compiled JavaScript (Node 20 cannot start a .ts worker). Compiled, this module
 * sits beside worker-entry.cjs; run from source under vitest it does not, and the build's copy is used.
 */
function workerFile(): string {
  const beside = fileURLToPath(new URL('./worker-entry.cjs', import.meta.url));
  if (existsSync(beside)) return beside;
  const built = fromRoot('dist', 'src', 'engine', 'worker-entry.cjs');
  if (existsSync(built)) return built;
  throw new Error('xmargin: the worker is not built (dist/src/engine/worker-entry.cjs); run `npm run build`');
}

/**
 * Range tasks on a piscina pool of worker threads, used as designed: tasks in, results out, no
 * worker addressed by the coordinator. The compiled WebAssembly.Module goes to the threads once,
 * in workerData; plans travel with the tasks (in shared memory, so never copied). The pool starts
 * its threads at once and keeps them until close, so one executor serves many runs warm.
 */
export function createThreadExecutor(workers: number = engineDefaults.workers()): TaskExecutor {
  const threads = checkedWorkers(workers);
  const pool = new Piscina({
    filename: workerFile(),
    workerData: { module: compileKernels() },
    minThreads: threads,
    maxThreads: threads,
    idleTimeout: engineDefaults.idleTimeoutMs,
    // One task per thread at a time: the next goes to whichever thread frees first, which keeps
    // the threads level at the end of a pass (the coordinator keeps its own work in short slices).
    concurrentTasksPerWorker: 1,
    // No bound: one would only turn back-pressure into errors when several runs share the pool.
    // Each run bounds its own tasks in flight.
    maxQueue: Infinity,
  });
  // Without a listener a pool-level 'error' (a worker that fails to start) crashes the process;
  // the failing task is rejected too, and that rejection is what the run reports.
  pool.on('error', () => {});
  let pending = 0;
  let closed = false;
  return {
    concurrency: threads,
    sharesMemory: true,
    async run(task: EngineTask): Promise<TaskOutcome> {
      if (closed) throw new Error('internal: task submitted to a closed executor');
      pending++;
      try {
        const r: unknown = await pool.run(task);
        if (r instanceof Float64Array) return { ok: true, tails: r };
        if (isTaskFailure(r)) return { ok: false, failure: r };
        return { ok: false, failure: { code: 'task-failed', message: 'a worker returned an unknown result' } };
      } catch (err) {
        // The worker function returns its failures as values, so a rejection means the thread
        // itself is gone (it exited, or could not start); piscina starts a replacement.
        const failure: TaskFailure = { code: 'worker-exit', message: err instanceof Error ? err.message : String(err) };
        return { ok: false, failure };
      } finally {
        pending--;
      }
    },
    pending: () => pending,
    async close() {
      closed = true;
      await pool.destroy();
    },
  };
}

/** Worker threads as asked, refused when not a whole number from 1 to the bound (defaults.ts maxWorkers). */
export function checkedWorkers(workers: number): number {
  const max = engineDefaults.maxWorkers();
  if (!(Number.isInteger(workers) && workers >= 1 && workers <= max)) {
    throw new ArgumentError(
      'workers',
      workers,
      `expected a whole number of threads from 1 to ${max} (this machine has ${engineDefaults.workers()} cores)`,
    );
  }
  return workers;
}
