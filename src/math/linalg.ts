// Small dense symmetric linear algebra for correlation matrices (n up to a few hundred). These
// run once per run in the main thread, never in a hot loop, so clarity beats speed here.

export type Matrix = number[][];

/**
 * Eigenvalues and eigenvectors of a symmetric matrix by cyclic Jacobi rotations. Jacobi is slow
 * for big matrices but accurate to a few ulps for small ones, and it is deterministic: plain
 * IEEE arithmetic, no library, so every machine gets the same factor and the same scenarios.
 * Returns values ascending and the eigenvectors as the columns of `vectors`.
 */
export function symmetricEigen(a: Matrix): { values: number[]; vectors: Matrix } {
  const n = a.length;
  const m = a.map((row) => row.slice());
  const v: Matrix = Array.from({ length: n }, (_, i) => Array.from({ length: n }, (_, j) => (i === j ? 1 : 0)));
  for (let sweep = 0; sweep < 100; sweep++) {
    let off = 0;
    let diag = 0;
    for (let i = 0; i < n; i++) {
      diag += m[i][i] * m[i][i];
      for (let j = i + 1; j < n; j++) off += m[i][j] * m[i][j];
    }
    if (off <= 1e-30 * Math.max(diag, 1e-300)) break;
    for (let p = 0; p < n - 1; p++) {
      for (let q = p + 1; q < n; q++) {
        const apq = m[p][q];
        if (apq === 0) continue;
        const theta = (m[q][q] - m[p][p]) / (2 * apq);
        // The smaller root keeps the rotation angle below pi/4, which is what makes Jacobi stable.
        const t = Math.sign(theta || 1) / (Math.abs(theta) + Math.sqrt(theta * theta + 1));
        const c = 1 / Math.sqrt(t * t + 1);
        const s = t * c;
        for (let k = 0; k < n; k++) {
          const akp = m[k][p];
          const akq = m[k][q];
          m[k][p] = c * akp - s * akq;
          m[k][q] = s * akp + c * akq;
        }
        for (let k = 0; k < n; k++) {
          const apk = m[p][k];
          const aqk = m[q][k];
          m[p][k] = c * apk - s * aqk;
          m[q][k] = s * apk + c * aqk;
        }
        for (let k = 0; k < n; k++) {
          const vkp = v[k][p];
          const vkq = v[k][q];
          v[k][p] = c * vkp - s * vkq;
          v[k][q] = s * vkp + c * vkq;
        }
      }
    }
  }
  const order = Array.from({ length: n }, (_, i) => i).sort((i, j) => m[i][i] - m[j][j]);
  return {
    values: order.map((i) => m[i][i]),
    vectors: v.map((row) => order.map((i) => row[i])),
  };
}

export function minEigenvalue(a: Matrix): number {
  return a.length === 0 ? 0 : symmetricEigen(a).values[0];
}

/**
 * Tolerance below which a correlation matrix still counts as PSD. Matrices typed by hand or
 * rounded to a few decimals routinely have eigenvalues of -1e-16 from rounding alone; anything
 * below this is a real inconsistency the user must repair (xmargin nearcorr).
 */
export const PSD_TOLERANCE = 1e-10;

/**
 * Whether the smallest eigenvalue of symmetric `a` is at least -tol. A Cholesky factorisation of
 * a + (tol / 2) I that meets only positive pivots proves it in O(n^3 / 6) (that matrix is then
 * positive definite, so every eigenvalue of a exceeds -tol / 2); only when it fails is the
 * eigenvalue computed (Jacobi, some 50x the work), so a borderline matrix is decided exactly as
 * minEigenvalue decides it.
 */
export function isPsd(a: Matrix, tol: number): boolean {
  const n = a.length;
  const l = new Float64Array(n * n);
  let ok = true;
  for (let j = 0; j < n && ok; j++) {
    let d = a[j][j] + tol / 2;
    for (let k = 0; k < j; k++) d -= l[j * n + k] * l[j * n + k];
    if (!(d > 0)) ok = false;
    else {
      const ljj = Math.sqrt(d);
      l[j * n + j] = ljj;
      for (let i = j + 1; i < n; i++) {
        let v = a[i][j];
        for (let k = 0; k < j; k++) v -= l[i * n + k] * l[j * n + k];
        l[i * n + j] = v / ljj;
      }
    }
  }
  return ok || minEigenvalue(a) >= -tol;
}

/**
 * A factor A (n x rank) with A A^T = C for a PSD matrix C, by Cholesky with complete (diagonal)
 * pivoting. Plain Cholesky divides by a pivot that is exactly zero for a singular matrix (perfect
 * correlation, breakdown weight 1); pivoting on the largest remaining diagonal and stopping when
 * what is left is below tolerance handles rank-deficient matrices and reveals the rank. The factor
 * is returned in the original row order (rows permuted back), so y = A g directly gives the
 * correlated shock of underlying i in row i.
 */
export function pivotedCholesky(c: Matrix, tolerance = 1e-12): { factor: Matrix; rank: number } {
  const n = c.length;
  const a = c.map((row) => row.slice());
  const perm = Array.from({ length: n }, (_, i) => i);
  const l: Matrix = Array.from({ length: n }, () => new Array<number>(n).fill(0));
  let rank = 0;
  for (let k = 0; k < n; k++) {
    let piv = k;
    for (let i = k + 1; i < n; i++) if (a[perm[i]][perm[i]] > a[perm[piv]][perm[piv]]) piv = i;
    const dk = a[perm[piv]][perm[piv]];
    if (!(dk > tolerance)) break;
    [perm[k], perm[piv]] = [perm[piv], perm[k]];
    const pk = perm[k];
    const lkk = Math.sqrt(dk);
    l[pk][k] = lkk;
    for (let i = k + 1; i < n; i++) {
      const pi = perm[i];
      l[pi][k] = a[pi][pk] / lkk;
    }
    // Schur complement update of the trailing block.
    for (let i = k + 1; i < n; i++) {
      const pi = perm[i];
      for (let j = k + 1; j <= i; j++) {
        const pj = perm[j];
        const v = a[pi][pj] - l[pi][k] * l[pj][k];
        a[pi][pj] = v;
        a[pj][pi] = v;
      }
    }
    rank = k + 1;
  }
  return { factor: l.map((row) => row.slice(0, rank)), rank };
}

export function multiplyTransposed(a: Matrix): Matrix {
  const n = a.length;
  const r = n ? a[0].length : 0;
  const out: Matrix = Array.from({ length: n }, () => new Array<number>(n).fill(0));
  for (let i = 0; i < n; i++)
    for (let j = 0; j < n; j++) {
      let s = 0;
      for (let k = 0; k < r; k++) s += a[i][k] * a[j][k];
      out[i][j] = s;
    }
  return out;
}

export function identity(n: number): Matrix {
  return Array.from({ length: n }, (_, i) => Array.from({ length: n }, (_, j) => (i === j ? 1 : 0)));
}
