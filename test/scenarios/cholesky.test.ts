// The factor the Monte Carlo sets draw with must reproduce the correlation, also when it is
// singular (perfect correlation, breakdown weight 1), where a plain Cholesky divides by zero.
import { describe, expect, it } from 'vitest';
import { minEigenvalue, multiplyTransposed, pivotedCholesky, symmetricEigen } from '../../src/math/linalg.js';

const close = (a: number[][], b: number[][], tol: number) =>
  a.forEach((row, i) => row.forEach((v, j) => expect(Math.abs(v - b[i][j])).toBeLessThan(tol)));

describe('pivoted Cholesky', () => {
  it('factors a full-rank correlation exactly', () => {
    const c = [
      [1, 0.8, 0.3],
      [0.8, 1, 0.5],
      [0.3, 0.5, 1],
    ];
    const { factor, rank } = pivotedCholesky(c);
    expect(rank).toBe(3);
    close(multiplyTransposed(factor), c, 1e-14);
  });

  it('factors singular PSD matrices and reveals their rank', () => {
    const ones = [
      [1, 1, 1],
      [1, 1, 1],
      [1, 1, 1],
    ];
    const r1 = pivotedCholesky(ones);
    expect(r1.rank).toBe(1);
    close(multiplyTransposed(r1.factor), ones, 1e-14);
    // Rank 2: C = V V^T for two unit-length factor rows.
    const v = [
      [1, 0],
      [0.6, 0.8],
      [0, 1],
      [0.8, 0.6],
    ];
    const c = multiplyTransposed(v);
    const r2 = pivotedCholesky(c);
    expect(r2.rank).toBe(2);
    close(multiplyTransposed(r2.factor), c, 1e-14);
  });

  it('eigenvalues by Jacobi match a closed form', () => {
    // [[2,1],[1,2]] has eigenvalues 1 and 3; the all-rho 3x3 matrix has 1 - rho (twice) and 1 + 2 rho.
    expect(
      symmetricEigen([
        [2, 1],
        [1, 2],
      ]).values.map((x) => +x.toFixed(14)),
    ).toEqual([1, 3]);
    const rho = 0.4;
    const vals = symmetricEigen([
      [1, rho, rho],
      [rho, 1, rho],
      [rho, rho, 1],
    ]).values;
    expect(vals[0]).toBeCloseTo(1 - rho, 13);
    expect(vals[1]).toBeCloseTo(1 - rho, 13);
    expect(vals[2]).toBeCloseTo(1 + 2 * rho, 13);
    expect(
      minEigenvalue([
        [1, 0.9, -0.9],
        [0.9, 1, 0.9],
        [-0.9, 0.9, 1],
      ]),
    ).toBeCloseTo(-0.8, 12);
  });
});
