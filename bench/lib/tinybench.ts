// tinybench 6 glue: every task must end 'completed'; anything else fails the bench run.
import type { Bench } from 'tinybench';

export interface TaskStats {
  /** Latency statistics in ms (p50 = the median sample). */
  latency: { p50: number; mean: number; min: number; max: number; rme: number; samplesCount: number };
}

export class BenchFailure extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'BenchFailure';
  }
}

/** The statistics of every task by name; throws BenchFailure if any task did not complete. */
export function completedTasks(bench: Bench): Map<string, TaskStats> {
  const out = new Map<string, TaskStats>();
  for (const task of bench.tasks) {
    const r = task.result;
    if (r.state !== 'completed') {
      const why = r.state === 'errored' ? `: ${r.error?.message ?? r.error}` : '';
      throw new BenchFailure(`bench task "${task.name}" ended in state "${r.state}"${why}`, {
        cause: r.state === 'errored' ? r.error : undefined,
      });
    }
    const l = r.latency;
    out.set(task.name, {
      latency: { p50: l.p50, mean: l.mean, min: l.min, max: l.max, rme: l.rme, samplesCount: l.samplesCount },
    });
  }
  return out;
}
