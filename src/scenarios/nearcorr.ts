import { InputError, formatPath } from '../errors.js';
import { symmetricEigen, type Matrix } from '../math/linalg.js';
import type { Issue, PathPart } from '../model/issues.js';
import { SYMMETRY_TOLERANCE } from '../model/validate.js';

export interface NearestCorrelation {
  correlation: Matrix;
  iterations: number;
  /** Frobenius distance from the input (its symmetric part, with `symmetrize`) to the returned matrix. */
  distance: number;
  converged: boolean;
}

export interface NearestCorrelationOptions {
  /** Stop when successive iterates differ by at most this, relative (default 1e-12). */
  tolerance?: number;
  /** Give up after this many iterations (default 10000); the result then says `converged: false`. */
  maxIterations?: number;
  /** Replace an asymmetric input by (A + A')/2 instead of refusing it (default false). */
  symmetrize?: boolean;
}

/**
 * The largest magnitude accepted for an entry. A correlation lies in [-1, 1]; a matrix averaged
 * or estimated pairwise strays somewhat beyond (Higham's own example has 2 on the diagonal).
 * Entries far larger are not a correlation-like matrix (a covariance, correlations in percent)
 * and, near 1e154 and above, their squares overflow the distance to Infinity.
 */
export const MAX_CORRELATION_ENTRY = 10;

/**
 * What makes a matrix unfit for nearestCorrelation, with paths under `at` (`[...at, 1, 0]`): not
 * square, an entry that is not a finite number in [-MAX_CORRELATION_ENTRY, MAX_CORRELATION_ENTRY],
 * or (unless `symmetrize`) an entry that differs from its mirror image. An asymmetric matrix is
 * refused rather than averaged, since averaging [[1, 0.9], [-0.9, 1]] gives the identity, far
 * from either reading of what was meant.
 */
export function correlationLikeIssues(
  m: unknown,
  options: { symmetrize?: boolean; at?: PathPart[]; symmetrizeHint?: string } = {},
): Issue[] {
  const at = options.at ?? [];
  const hint = options.symmetrizeHint ?? 'pass `symmetrize: true`';
  if (!Array.isArray(m) || m.length === 0) return [{ path: at, message: 'expected a non-empty square matrix (a list of rows)' }];
  const issues: Issue[] = [];
  m.forEach((row: unknown, i) => {
    if (!Array.isArray(row) || row.length !== m.length) {
      issues.push({ path: [...at, i], message: `expected a row of ${m.length} numbers (the matrix must be square)` });
      return;
    }
    row.forEach((v: unknown, j) => {
      if (typeof v !== 'number' || !Number.isFinite(v))
        issues.push({ path: [...at, i, j], message: `expected a finite number, got ${JSON.stringify(v) ?? String(v)}` });
      else if (Math.abs(v) > MAX_CORRELATION_ENTRY)
        issues.push({
          path: [...at, i, j],
          message: `expected a correlation-like entry in [-${MAX_CORRELATION_ENTRY}, ${MAX_CORRELATION_ENTRY}], got ${v}`,
        });
    });
  });
  if (issues.length || options.symmetrize) return issues;
  const a = m as Matrix;
  for (let i = 0; i < a.length; i++)
    for (let j = 0; j < i; j++)
      if (Math.abs(a[i][j] - a[j][i]) > SYMMETRY_TOLERANCE)
        issues.push({
          path: [...at, i, j],
          message: `expected a symmetric matrix: ${a[i][j]} here but ${a[j][i]} at ${formatPath([...at, j, i])}; fix the matrix, or ${hint} to start from its symmetric part (A + A')/2`,
        });
  return issues;
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
 *
 * An input that is not correlation-like (correlationLikeIssues) is an InputError whose paths
 * start at `matrix`. Running out of iterations is not an error here: the result says
 * `converged: false`, and each caller decides (the CLI fails with exit code 1).
 */
export function nearestCorrelation(matrix: Matrix, options: NearestCorrelationOptions = {}): NearestCorrelation {
  const issues = correlationLikeIssues(matrix, { symmetrize: options.symmetrize, at: ['matrix'] });
  if (issues.length)
    throw InputError.fromIssues(
      undefined,
      issues.map((i) => ({ path: formatPath(i.path), message: i.message })),
    );
  const a = matrix;
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
