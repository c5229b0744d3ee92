import { InputError } from '../errors.js';
import type { Market, MonteCarloSet } from '../model/types.js';
import { isPsd, pivotedCholesky, PSD_TOLERANCE, type Matrix } from '../math/linalg.js';
import { nearestCorrelation } from './nearcorr.js';

/**
 * The correlation a Monte Carlo set draws from: the market's, moved toward a target by the
 * breakdown weight, or replaced by the set's own matrix (repaired to the nearest correlation
 * matrix only when the set asks for it).
 */
export function setCorrelation(
  market: Market,
  set: MonteCarloSet,
  suiteFile: string,
  setPath: string,
): {
  matrix: Matrix;
  repairedDistance?: number;
} {
  const c = set.correlation;
  if (!c) return { matrix: market.correlation };
  if ('matrix' in c) {
    if (c.repair && !isPsd(c.matrix, PSD_TOLERANCE)) {
      const near = nearestCorrelation(c.matrix);
      if (!near.converged)
        throw new InputError(
          `repair: the nearest correlation matrix did not converge within ${near.iterations} iterations; repair the matrix with xmargin nearcorr first`,
          suiteFile,
          `${setPath}.correlation.matrix`,
        );
      return { matrix: near.correlation, repairedDistance: near.distance };
    }
    return { matrix: c.matrix };
  }
  const { target, weight } = c;
  const matrix = market.correlation.map((row, i) => row.map((v, j) => (i === j ? 1 : (1 - weight) * v + weight * target)));
  // Both ends are PSD only when the target is >= -1/(n-1); a negative target can break it.
  if (!isPsd(matrix, PSD_TOLERANCE)) {
    throw new InputError(
      `moving the market correlation toward target ${target} with weight ${weight} gives a matrix that is not positive semi-definite; ` +
        `with ${matrix.length} underlyings the target must be at least ${(-1 / Math.max(matrix.length - 1, 1)).toFixed(4)}`,
      suiteFile,
      `${setPath}.correlation`,
    );
  }
  return { matrix };
}

/** A factor of the correlation that also works when it is singular (perfect correlation). */
export function correlationFactor(matrix: Matrix): { factor: Float64Array; rank: number } {
  const n = matrix.length;
  const { factor, rank } = pivotedCholesky(matrix, 1e-12);
  const flat = new Float64Array(n * rank);
  for (let i = 0; i < n; i++) for (let k = 0; k < rank; k++) flat[i * rank + k] = factor[i][k];
  return { factor: flat, rank };
}
