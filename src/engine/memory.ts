// How a run stays within its memory budget. What grows with a set's scenario count is its exact
// tail: k = (1 - confidence) x scenarios losses per series, held by the coordinator and, while a
// pass runs, in every worker's tail buffers. When those would not fit beside what the run holds
// already, the set runs in groups of series: each group is a full pass over the set's scenarios
// (regenerated exactly: scenario i is a pure function of the seed, the set and i) that keeps the
// tails of its own series only. Results do not depend on the grouping; time grows with it.
import { ArgumentError } from '../errors.js';
import { engineDefaults, scratchPerScenario } from './defaults.js';
import type { RunPlan } from './plan.js';

/** Series [from, to) of a set whose tails one pass keeps. */
export interface SeriesGroup {
  from: number;
  to: number;
}

/** Bytes a set's tails take per series while it runs: k losses with their indices, in every copy alive at once. */
export function tailBytesPerSeries(k: number, workers: number): number {
  const { coordinator, perWorker } = engineDefaults.tailCopies;
  return 16 * k * (coordinator + workers * perWorker);
}

/** Bytes the run holds before any tail: this process as it is, and every worker's chunk scratch. */
export function baseBytes(plan: RunPlan, workers: number, chunk: number): number {
  const ins = plan.instruments;
  const scratch = chunk * scratchPerScenario(ins.nLinear + ins.nOptions, plan.holdings.nSeries, ins.n);
  return process.memoryUsage().rss + workers * scratch;
}

/**
 * The groups of series each set runs in, so that its tails fit `budget` beside `base` bytes: one
 * group of every series when they fit, else as few equal groups as fit. Refuses a budget in
 * which not even one series' tail fits, before anything runs. With `keepTails`, the tails of the
 * sets before (those that ran whole and so are kept) count against the budget of the sets after.
 */
export function planGroups(
  plan: RunPlan,
  sets: number[],
  workers: number,
  budget: number,
  base: number,
  keepTails = false,
): SeriesGroup[][] {
  const nSeries = plan.holdings.nSeries;
  let kept = 0;
  return sets.map((si) => {
    const free = budget - base - kept;
    const set = plan.sets[si];
    const perSeries = tailBytesPerSeries(set.tailSize, workers);
    const need = nSeries * perSeries;
    if (need <= free) {
      if (keepTails) kept += nSeries * 16 * set.tailSize;
      return [{ from: 0, to: nSeries }];
    }
    if (perSeries > free) {
      const least = Math.ceil((base + kept + perSeries) / 2 ** 20);
      throw new ArgumentError(
        'maxMemory',
        budget,
        `too small for set "${set.name}": the run holds ${mib(base + kept)} MiB before its tails, and one series' ` +
          `tail of ${set.tailSize} losses needs ${mib(perSeries)} MiB more with ${workers} worker${workers === 1 ? '' : 's'}; ` +
          `give at least ${least} MiB, or fewer workers`,
      );
    }
    return equalSlices(nSeries, Math.ceil(need / free));
  });
}

/** Series [0, n) cut into `count` contiguous slices whose sizes differ by at most one. */
export function equalSlices(n: number, count: number): SeriesGroup[] {
  return Array.from({ length: count }, (_, g) => ({
    from: Math.floor((g * n) / count),
    to: Math.floor(((g + 1) * n) / count),
  }));
}

function mib(bytes: number): string {
  return (bytes / 2 ** 20).toFixed(bytes < 2 ** 24 ? 1 : 0);
}
