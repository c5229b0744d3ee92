import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { Piscina } from 'piscina';
import { fromRoot } from '../paths.js';
import { engineDefaults } from './defaults.js';
import type { WorkerPlan } from './plan.js';

/**
 * Workers must be compiled JavaScript (Node 20 cannot start a .ts worker). Compiled, this module
 * sits beside worker.js; run from source under vitest it does not, and the build's copy is used.
 */
function workerFile(): string {
  const beside = fileURLToPath(new URL('./worker.js', import.meta.url));
  if (existsSync(beside)) return beside;
  const built = fromRoot('dist', 'src', 'engine', 'worker.js');
  if (existsSync(built)) return built;
  throw new Error('xmargin: the worker is not built (dist/src/engine/worker.js); run `npm run build`');
}

export function createPool(module: WebAssembly.Module, plan: WorkerPlan, workers: number, bars: SharedArrayBuffer): Piscina {
  const pool = new Piscina({
    filename: workerFile(),
    workerData: { module, plan, bars },
    minThreads: workers,
    maxThreads: workers,
    idleTimeout: engineDefaults.idleTimeoutMs,
    concurrentTasksPerWorker: 1,
    // A queue bound would only turn back-pressure into errors; the orchestrator bounds in-flight work itself.
    maxQueue: 'auto',
  });
  // Without a listener a pool-level 'error' (a worker that fails to start) crashes the process;
  // the failing task is rejected too, and that rejection is what the run reports.
  pool.on('error', () => {});
  return pool;
}
