// isPsd accepts by a shifted Cholesky and decides by the eigenvalue only when that fails: it
// must agree with minEigenvalue >= -tol everywhere, the borderline included.
import { describe, expect, it } from 'vitest';
import { isPsd, minEigenvalue, PSD_TOLERANCE, type Matrix } from '../../src/math/linalg.js';

/** Q diag(lambda) Q^T with Q a Householder reflection (orthogonal): eigenvalues exactly lambda, up to rounding. */
function withEigenvalues(lambda: number[], seed: number): Matrix {
  const n = lambda.length;
  const v = lambda.map((_, i) => Math.sin(seed + 1.7 * i) + 0.1);
  const vv = v.reduce((s, x) => s + x * x, 0);
  const q = (i: number, j: number) => (i === j ? 1 : 0) - (2 * v[i] * v[j]) / vv;
  return Array.from({ length: n }, (_, i) =>
    Array.from({ length: n }, (_, j) => lambda.reduce((s, l, k) => s + q(i, k) * l * q(j, k), 0)),
  );
}

describe('isPsd', () => {
  const tol = PSD_TOLERANCE;
  it.each([
    ['positive definite', [0.2, 0.5, 1, 1.3, 2], true],
    ['singular (rank 3 of 5)', [0, 0, 0.7, 1.8, 2.5], true],
    ['smallest eigenvalue -0.4 tol: the Cholesky of a + tol/2 accepts it', [-0.4 * tol, 0.5, 1, 1.5, 2], true],
    ['smallest eigenvalue -0.8 tol: Cholesky fails, the eigenvalue accepts it', [-0.8 * tol, 0.5, 1, 1.5, 2], true],
    ['smallest eigenvalue -2 tol', [-2 * tol, 0.5, 1, 1.5, 2], false],
    ['indefinite', [-0.3, 0.3, 1, 1.5, 2.5], false],
  ])('%s', (_, lambda, want) => {
    const a = withEigenvalues(lambda as number[], 3);
    expect(isPsd(a, tol)).toBe(want);
    expect(minEigenvalue(a) >= -tol).toBe(want);
  });

  it('agrees with minEigenvalue on perfect correlation and on the empty matrix', () => {
    const ones = Array.from({ length: 6 }, () => Array(6).fill(1));
    expect(isPsd(ones, tol)).toBe(true);
    expect(isPsd([], tol)).toBe(true);
    // Higham (2002)'s example, not PSD: smallest eigenvalue 1 - sqrt(2).
    const higham = [
      [1, 1, 0],
      [1, 1, 1],
      [0, 1, 1],
    ];
    expect(isPsd(higham, tol)).toBe(false);
  });
});
