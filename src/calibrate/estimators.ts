// Covariance estimators for `xmargin calibrate`: sample, EWMA and Ledoit-Wolf (2004). Each one
// takes the log returns as rows (returns[t][i]: return t, column i; rows in date order, oldest
// first) and gives a covariance of one-period returns; the caller annualises it.

import type { Matrix } from '../math/linalg.js';

export type Method = 'sample' | 'ewma' | 'ledoit-wolf';
export const METHODS: ReadonlyArray<Method> = ['sample', 'ewma', 'ledoit-wolf'];

export interface Estimate {
  covariance: Matrix;
  /** Ledoit-Wolf only: the weight delta in [0, 1] on the target mu * I. */
  shrinkage?: number;
}

function zeros(n: number): Matrix {
  return Array.from({ length: n }, () => new Array<number>(n).fill(0));
}

function columnMeans(returns: ReadonlyArray<ReadonlyArray<number>>, n: number): number[] {
  const mean = new Array<number>(n).fill(0);
  for (const r of returns) for (let i = 0; i < n; i++) mean[i] += r[i];
  return mean.map((s) => s / returns.length);
}

function demeaned(returns: ReadonlyArray<ReadonlyArray<number>>, n: number): number[][] {
  const mean = columnMeans(returns, n);
  return returns.map((r) => r.map((v, i) => v - mean[i]));
}

/** Sum over rows of weight(t) * x_t x_t^T, filled symmetric. */
function weightedOuter(x: ReadonlyArray<ReadonlyArray<number>>, n: number, weight: (t: number) => number): Matrix {
  const s = zeros(n);
  x.forEach((r, t) => {
    const w = weight(t);
    for (let i = 0; i < n; i++) {
      const wi = w * r[i];
      for (let j = 0; j <= i; j++) s[i][j] += wi * r[j];
    }
  });
  for (let i = 0; i < n; i++) for (let j = 0; j < i; j++) s[j][i] = s[i][j];
  return s;
}

/** The unbiased sample covariance: demeaned, divisor n - 1 (needs n >= 2 returns). */
export function sampleCovariance(returns: ReadonlyArray<ReadonlyArray<number>>, columns: number): Estimate {
  const n = returns.length;
  if (n < 2) throw new Error('sampleCovariance: needs at least 2 returns');
  return { covariance: weightedOuter(demeaned(returns, columns), columns, () => 1 / (n - 1)) };
}

/**
 * The exponentially weighted covariance, zero mean (RiskMetrics): weight (1 - lambda) lambda^i on
 * the i-th most recent return (i = 0 the latest), normalised so the weights sum to 1 over the
 * returns there are, i.e. lambda^i (1 - lambda) / (1 - lambda^n).
 */
export function ewmaCovariance(returns: ReadonlyArray<ReadonlyArray<number>>, columns: number, lambda: number): Estimate {
  const n = returns.length;
  if (n < 1) throw new Error('ewmaCovariance: needs at least 1 return');
  const raw = Array.from({ length: n }, (_, t) => (1 - lambda) * Math.pow(lambda, n - 1 - t));
  // Summed from the smallest weight up, for accuracy.
  let total = 0;
  for (const w of raw) total += w;
  return { covariance: weightedOuter(returns, columns, (t) => raw[t] / total) };
}

/**
 * O. Ledoit and M. Wolf, "A well-conditioned estimator for large-dimensional covariance
 * matrices", J. Multivariate Anal. 88 (2004) 365-411: S* = delta * mu * I + (1 - delta) * S, with
 * S the 1/n covariance of the demeaned returns and, in the paper's normalised Frobenius norm
 * ||A||^2 = tr(A A^T) / N:
 *   mu    = tr(S) / N
 *   d^2   = ||S - mu I||^2
 *   b^2   = min(d^2, (1/n^2) sum_t ||x_t x_t^T - S||^2)     (x_t the demeaned return t)
 *   delta = b^2 / d^2                                      (0 when d^2 = 0: S is already mu I)
 */
export function ledoitWolfCovariance(returns: ReadonlyArray<ReadonlyArray<number>>, columns: number): Estimate {
  const n = returns.length;
  if (n < 1) throw new Error('ledoitWolfCovariance: needs at least 1 return');
  const N = columns;
  const x = demeaned(returns, N);
  const s = weightedOuter(x, N, () => 1 / n);
  let trace = 0;
  for (let i = 0; i < N; i++) trace += s[i][i];
  const mu = trace / N;
  let d2 = 0;
  for (let i = 0; i < N; i++) for (let j = 0; j < N; j++) d2 += (s[i][j] - (i === j ? mu : 0)) ** 2;
  d2 /= N;
  let bBar2 = 0;
  for (const r of x) {
    let norm = 0;
    for (let i = 0; i < N; i++) for (let j = 0; j < N; j++) norm += (r[i] * r[j] - s[i][j]) ** 2;
    bBar2 += norm / N;
  }
  bBar2 /= n * n;
  const b2 = Math.min(bBar2, d2);
  const delta = d2 > 0 ? b2 / d2 : 0;
  const covariance = s.map((row, i) => row.map((v, j) => (1 - delta) * v + (i === j ? delta * mu : 0)));
  return { covariance, shrinkage: delta };
}

export function estimate(
  method: Method,
  returns: ReadonlyArray<ReadonlyArray<number>>,
  columns: number,
  lambda: number,
): Estimate {
  switch (method) {
    case 'sample':
      return sampleCovariance(returns, columns);
    case 'ewma':
      return ewmaCovariance(returns, columns, lambda);
    case 'ledoit-wolf':
      return ledoitWolfCovariance(returns, columns);
  }
}

/**
 * The correlation of a covariance: c_ij = s_ij / sqrt(s_ii s_jj), computed once per pair and
 * mirrored (exactly symmetric), exactly 1 on the diagonal, clamped to [-1, 1] against rounding.
 * Every variance must be > 0.
 */
export function correlationOf(covariance: Matrix): Matrix {
  const n = covariance.length;
  const sd = covariance.map((row, i) => Math.sqrt(row[i]));
  const c = zeros(n);
  for (let i = 0; i < n; i++) {
    c[i][i] = 1;
    for (let j = 0; j < i; j++) {
      const v = Math.max(-1, Math.min(1, covariance[i][j] / (sd[i] * sd[j])));
      c[i][j] = v;
      c[j][i] = v;
    }
  }
  return c;
}
