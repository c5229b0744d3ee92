// The pilot pass: a bar near the set's final VaR before the main pass starts, with a check that
// keeps the result exact.
//
// Why. A worker that streams n scenarios past its own running k-th largest loss accepts about
// k (1 + ln(n / k)) candidates per series: its bar starts low and rises slowly. On L (k = 1,000 of
// 100,000, 5,500 series) that is about 60 million heap operations, half the run. A bar that
// starts near the k-th largest cuts it to about 1.7 k candidates per series, over all workers.
//
// How. Scenario i is a pure function of (seed, set, i), so the first P scenarios are a random
// sample of the set like any other. The pilot runs [0, P) keeping only the top j per series
// (j small, cheap), and takes the j-th largest pilot loss as the bar b. Since the pilot expects
// m = k P / n of its losses above the set's k-th largest, j = m + 5 sqrt(m) + 5 puts b below it
// in all but about 1e-7 of series. The main pass runs [P, n) with every loss below b skipped.
//
// Exactness does not rest on that probability: it is checked (`coverage`). If the kept losses
// include at least k strictly above b, the set's k-th largest is above b, so nothing skipped
// (below b in the main pass, ranked after the pilot's j-th in the pilot) can be in the top k;
// the union of the pilot's and the main pass's tails then holds the exact top k. If only at
// least k at or above b: the k-th largest is at least b, so the main pass skipped nothing of
// the top k, but the pilot may have dropped losses equal to b (a series with a constant P&L
// ties everywhere); the pilot's scenarios are then run again keeping their full top k, about 6%
// of the set. If fewer than k: the whole set is run again without a pilot. The outcome never
// depends on the number of workers or on which branch was taken; only the speed does.
import { engineDefaults } from './defaults.js';
import { packCounts, SeriesMerger, type PackedTails } from './exact-tails.js';

/** The pilot of one set: scenarios [0, scenarios), keeping the top `rank` losses per series. */
export interface PilotSpec {
  scenarios: number;
  rank: number;
}

/**
 * The pilot for a set of `scenarios` with tail size k, or undefined when it would not pay: a
 * small k (its tails are cheap anyway) or too few scenarios per tail entry.
 */
export function pilotFor(scenarios: number, k: number): PilotSpec | undefined {
  const d = engineDefaults.pilot;
  if (k < d.minTail) return undefined;
  const p = Math.ceil(scenarios * Math.min(d.maxFraction, d.expectedAbove / k));
  const m = (k * p) / scenarios;
  const rank = Math.ceil(m + d.sigmas * Math.sqrt(m) + d.sigmas);
  // The main pass accepts about k rank / m candidates: worth it only if that is well under k ln(n / k).
  if (rank >= k / 2 || p < 4 * rank) return undefined;
  return { scenarios: p, rank };
}

/** Per series, the rank-th largest loss over the pilot's packs (each a task's top `rank`, sorted). */
export function pilotBars(packs: PackedTails[], nSeries: number, rank: number): Float64Array {
  const bars = new Float64Array(nSeries);
  const merger = new SeriesMerger(packs, nSeries);
  const vals = new Float64Array(rank);
  const idxs = new Float64Array(rank);
  for (let r = 0; r < nSeries; r++) {
    const n = merger.merge(r, rank, vals, idxs);
    if (n < rank) throw new Error(`internal: ${n} pilot losses for rank ${rank} in series ${r}`);
    bars[r] = vals[rank - 1];
  }
  return bars;
}

/**
 * Which series the kept losses fail to cover, after a main pass that started from the pilot's
 * bars. `tied`: at least k kept losses at or above the bar, but fewer than k strictly above it
 * (a constant P&L, for one): the main pass missed nothing, but the pilot may have dropped a loss
 * equal to the bar, so the pilot's scenarios must be kept in full. `short`: fewer than k at or
 * above it: the bar was above the set's k-th largest, and the set must be run again.
 */
export function coverage(
  packs: PackedTails[],
  nSeries: number,
  bars: Float64Array,
  k: number,
): { tied: number[]; short: number[] } {
  return coverageOfCounts(
    packs.map(({ data, start }) => packCounts(data, start, nSeries, bars)),
    nSeries,
    k,
  );
}

/** `coverage` from each pack's counts against the bars (exact-tails.ts packCounts), wherever they were counted. */
export function coverageOfCounts(counts: Float64Array[], nSeries: number, k: number): { tied: number[]; short: number[] } {
  const tied: number[] = [];
  const short: number[] = [];
  for (let r = 0; r < nSeries; r++) {
    let above = 0;
    let atOrAbove = 0;
    for (const c of counts) {
      above += c[r];
      atOrAbove += c[nSeries + r];
    }
    if (atOrAbove < k) short.push(r);
    else if (above < k) tied.push(r);
  }
  return { tied, short };
}
