// Tail measures from the engine's exact tails (contract section 4): VaR is the k-th largest loss,
// ES the mean of the k largest, worst the largest, with the scenarios behind them.
import type { ExactTails } from '../engine/exact-tails.js';

/** VaR, ES and worst loss of one series over one set, with the scenarios behind them. */
export interface TailMeasures {
  var: number;
  es: number;
  worst: number;
  /** Scenario index of the worst loss and of the VaR loss (regenerate it to explain the number). */
  worstScenario: number;
  varScenario: number;
}

/**
 * The measures of series r. ES is a Neumaier sum in rank order, largest loss first (k can be 10^4
 * losses of mixed sign and size); the order is the tails' own, so the bits do not depend on how
 * the engine found them.
 */
export function tailMeasures(tails: ExactTails, r: number): TailMeasures {
  const { k, losses, scenarios } = tails;
  if (!(r >= 0 && r < tails.nSeries)) throw new Error(`internal: no series ${r} in the tails of set "${tails.set}"`);
  const base = r * k;
  let sum = 0;
  let comp = 0;
  for (let t = 0; t < k; t++) {
    const v = losses[base + t];
    const s2 = sum + v;
    comp += Math.abs(sum) >= Math.abs(v) ? sum - s2 + v : v - s2 + sum;
    sum = s2;
  }
  return {
    var: losses[base + k - 1],
    es: (sum + comp) / k,
    worst: losses[base],
    worstScenario: scenarios[base],
    varScenario: scenarios[base + k - 1],
  };
}

/** The measures of every series of a set. */
export function seriesMeasures(tails: ExactTails): TailMeasures[] {
  return Array.from({ length: tails.nSeries }, (_, r) => tailMeasures(tails, r));
}
