// The correlation-breakdown fit: the one-parameter move of the contract's Monte Carlo sets,
// C_ij -> (1 - w) C_ij + w rho (i != j), that best carries a calm correlation into a stressed one.

import type { Matrix } from '../math/linalg.js';

export interface BreakdownFit {
  target: number;
  /** The fitted weight, clipped to [0, 1]. */
  weight: number;
  /** The least-squares weight before clipping (null when calm is already at the target). */
  weightUnclipped: number | null;
  /** Frobenius distance over the off-diagonal entries between the fitted matrix and stress. */
  residual: number;
  /** The same distance with no move (w = 0): calm against stress. */
  distanceCalm: number;
  /** The fitted matrix (1 - w) C + w rho off the diagonal, 1 on it. */
  fitted: Matrix;
}

/**
 * Least squares over the off-diagonal entries (both triangles):
 *   minimise_w  sum_{i != j} ((1 - w) C_ij + w rho - S_ij)^2
 * Writing D_ij = rho - C_ij and E_ij = S_ij - C_ij, the residual is w D - E, so
 *   w* = sum D_ij E_ij / sum D_ij^2,
 * then clipped to [0, 1] (the objective is a parabola in w, so the clipped value is the
 * constrained minimum). When every D_ij is 0 (calm already at the target, or one column) the
 * move does nothing and w = 0.
 */
export function fitBreakdown(calm: Matrix, stress: Matrix, target: number): BreakdownFit {
  const n = calm.length;
  let num = 0;
  let den = 0;
  let d0 = 0;
  for (let i = 0; i < n; i++)
    for (let j = 0; j < n; j++) {
      if (i === j) continue;
      const d = target - calm[i][j];
      const e = stress[i][j] - calm[i][j];
      num += d * e;
      den += d * d;
      d0 += e * e;
    }
  const weightUnclipped = den > 0 ? num / den : null;
  const weight = weightUnclipped === null ? 0 : Math.min(1, Math.max(0, weightUnclipped));
  const fitted = calm.map((row, i) => row.map((v, j) => (i === j ? 1 : (1 - weight) * v + weight * target)));
  let r = 0;
  for (let i = 0; i < n; i++)
    for (let j = 0; j < n; j++) {
      if (i === j) continue;
      r += (fitted[i][j] - stress[i][j]) ** 2;
    }
  return { target, weight, weightUnclipped, residual: Math.sqrt(r), distanceCalm: Math.sqrt(d0), fitted };
}

/** Per underlying stressed vol / calm vol. */
export function volMultipliers(calmVols: ReadonlyArray<number>, stressVols: ReadonlyArray<number>): number[] {
  return calmVols.map((c, i) => stressVols[i] / c);
}

/**
 * One multiplier for all underlyings: sqrt(sum of stressed variances / sum of calm variances), the
 * factor that, applied to every calm vol, reproduces the stressed total variance (the trace of
 * the covariance). It leans toward the most volatile underlyings.
 */
export function pooledVolMultiplier(calmVols: ReadonlyArray<number>, stressVols: ReadonlyArray<number>): number {
  let c = 0;
  let s = 0;
  calmVols.forEach((v, i) => {
    c += v * v;
    s += stressVols[i] * stressVols[i];
  });
  return Math.sqrt(s / c);
}

export interface CorrelationJump {
  pair: [string, string];
  calm: number;
  stress: number;
  /** stress - calm */
  change: number;
  /** The fitted (1 - w) calm + w rho. */
  fitted: number;
}

/** The `count` pairs whose correlation moved most from calm to stress (by |change|, then in matrix order). */
export function largestJumps(
  ids: ReadonlyArray<string>,
  calm: Matrix,
  stress: Matrix,
  fitted: Matrix,
  count = 5,
): CorrelationJump[] {
  const jumps: CorrelationJump[] = [];
  for (let i = 0; i < ids.length; i++)
    for (let j = i + 1; j < ids.length; j++)
      jumps.push({
        pair: [ids[i], ids[j]],
        calm: calm[i][j],
        stress: stress[i][j],
        change: stress[i][j] - calm[i][j],
        fitted: fitted[i][j],
      });
  return jumps
    .map((j, k) => ({ j, k }))
    .sort((a, b) => Math.abs(b.j.change) - Math.abs(a.j.change) || a.k - b.k)
    .slice(0, count)
    .map(({ j }) => j);
}
