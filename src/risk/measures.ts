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

/** The measures of series r, from its tail's summary (exact-tails.ts TailSummary). */
export function tailMeasures(tails: ExactTails, r: number): TailMeasures {
  const s = tails.summary(r);
  return {
    var: s.kth,
    es: s.sum / tails.k,
    worst: s.largest,
    worstScenario: s.largestScenario,
    varScenario: s.kthScenario,
  };
}

/** The measures of every series of a set. */
export function seriesMeasures(tails: ExactTails): TailMeasures[] {
  return Array.from({ length: tails.nSeries }, (_, r) => tailMeasures(tails, r));
}
