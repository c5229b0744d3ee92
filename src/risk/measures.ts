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
export function tailMeasures(tails: ExactTails, r: number, scratch = tailScratch(tails.k)): TailMeasures {
  const { k } = tails;
  const { losses, scenarios } = scratch;
  tails.read(r, losses, scenarios);
  let sum = 0;
  let comp = 0;
  for (let t = 0; t < k; t++) {
    const v = losses[t];
    const s2 = sum + v;
    comp += Math.abs(sum) >= Math.abs(v) ? sum - s2 + v : v - s2 + sum;
    sum = s2;
  }
  return {
    var: losses[k - 1],
    es: (sum + comp) / k,
    worst: losses[0],
    worstScenario: scenarios[0],
    varScenario: scenarios[k - 1],
  };
}

/** Scratch for reading one series' tail. */
export function tailScratch(k: number): { losses: Float64Array; scenarios: Float64Array } {
  return { losses: new Float64Array(k), scenarios: new Float64Array(k) };
}

/** The measures of every series of a set. */
export function seriesMeasures(tails: ExactTails): TailMeasures[] {
  const scratch = tailScratch(tails.k);
  return Array.from({ length: tails.nSeries }, (_, r) => tailMeasures(tails, r, scratch));
}

/**
 * seriesMeasures in slices of series, yielding to the event loop between them: a coordinator that
 * computes one set's measures while the next set runs keeps handing tasks to its workers.
 */
export async function seriesMeasuresAsync(tails: ExactTails, slice = 256): Promise<TailMeasures[]> {
  const scratch = tailScratch(tails.k);
  const out: TailMeasures[] = [];
  for (let r = 0; r < tails.nSeries; r++) {
    if (r > 0 && r % slice === 0) await new Promise<void>((done) => setImmediate(done));
    out.push(tailMeasures(tails, r, scratch));
  }
  return out;
}
