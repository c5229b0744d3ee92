import { symmetricEigen, type Matrix } from '../math/linalg.js';

export interface NearestCorrelation {
  correlation: Matrix;
  iterations: number;
  /** Frobenius distance from the input to the returned matrix. */
  distance: number;
  converged: boolean;
}

/**
 * The nearest correlation matrix in the Frobenius norm (N. J. Higham, "Computing the nearest
 * correlation matrix - a problem from finance", IMA J. Numer. Anal. 22, 2002): alternating
 * projections onto the PSD cone and onto the unit-diagonal matrices, with Dykstra's correction on
 * the PSD step (without it, plain alternation converges to a point of the intersection that is
 * not the nearest one).
 *
 * The last PSD iterate is rescaled to a unit diagonal rather than returning the unit-diagonal
 * iterate: the latter can keep eigenvalues of -1e-12 that a strict PSD check would reject, and
 * the rescaling moves the answer by far less than the tolerance.
 */
export function nearestCorrelation(a: Matrix, options: { tolerance?: number; maxIterations?: number } = {}): NearestCorrelation {
  const tol = options.tolerance ?? 1e-12;
  const maxIterations = options.maxIterations ?? 10000;
  const n = a.length;
  const sym = a.map((row, i) => row.map((v, j) => 0.5 * (v + a[j][i])));
  let y = sym.map((r) => r.slice());
  let x = y;
  const ds: Matrix = sym.map((r) => r.map(() => 0));
  let iterations = 0;
  let converged = false;
  for (; iterations < maxIterations;) {
    iterations++;
    const r = y.map((row, i) => row.map((v, j) => v - ds[i][j]));
    x = projectPsd(r);
    for (let i = 0; i < n; i++) for (let j = 0; j < n; j++) ds[i][j] = x[i][j] - r[i][j];
    const yNext = x.map((row, i) => row.map((v, j) => (i === j ? 1 : v)));
    const change = frobenius(yNext, y) / Math.max(frobenius(yNext), 1e-300);
    y = yNext;
    if (change <= tol) {
      converged = true;
      break;
    }
  }
  const d = x.map((row, i) => Math.sqrt(Math.max(row[i], 1e-300)));
  const corr = x.map((row, i) => row.map((v, j) => (i === j ? 1 : Math.max(-1, Math.min(1, v / (d[i] * d[j]))))));
  for (let i = 0; i < n; i++)
    for (let j = i + 1; j < n; j++) {
      const v = 0.5 * (corr[i][j] + corr[j][i]);
      corr[i][j] = v;
      corr[j][i] = v;
    }
  return { correlation: corr, iterations, distance: frobenius(corr, sym), converged };
}

function projectPsd(m: Matrix): Matrix {
  const { values, vectors } = symmetricEigen(m);
  const n = m.length;
  const out: Matrix = Array.from({ length: n }, () => new Array<number>(n).fill(0));
  for (let k = 0; k < n; k++) {
    const lambda = values[k];
    if (lambda <= 0) continue;
    for (let i = 0; i < n; i++) {
      const vi = vectors[i][k] * lambda;
      for (let j = 0; j < n; j++) out[i][j] += vi * vectors[j][k];
    }
  }
  for (let i = 0; i < n; i++)
    for (let j = i + 1; j < n; j++) {
      const v = 0.5 * (out[i][j] + out[j][i]);
      out[i][j] = v;
      out[j][i] = v;
    }
  return out;
}

function frobenius(a: Matrix, b?: Matrix): number {
  let s = 0;
  for (let i = 0; i < a.length; i++)
    for (let j = 0; j < a.length; j++) {
      const d = a[i][j] - (b ? b[i][j] : 0);
      s += d * d;
    }
  return Math.sqrt(s);
}
