// Shared helpers for the calibrate tests: fixtures, temp files, matrix checks.

import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { expect } from 'vitest';
import { minEigenvalue } from '../../src/math/linalg.js';

export const fixture = (name: string) => fileURLToPath(new URL(`./fixtures/${name}`, import.meta.url));
export const SWISS = fileURLToPath(new URL('../../examples/data/spi_sectors_1999_2008.csv', import.meta.url));

/**
 * Independent reference numbers, produced with numpy only by
 *   python3 test/calibrate/fixtures/reference.py > test/calibrate/fixtures/reference.json
 * (vols annualised with daysPerYear 365; see the script for each estimator's formula).
 */
export interface Reference {
  vols: number[];
  correlation: number[][];
  shrinkage?: number;
}
export const reference: Record<string, Record<string, Reference>> = JSON.parse(readFileSync(fixture('reference.json'), 'utf8'));

export function tempDir(): string {
  return mkdtempSync(path.join(tmpdir(), 'xmargin-calibrate-'));
}

export function tempFile(name: string, text: string, dir = tempDir()): string {
  const file = path.join(dir, name);
  writeFileSync(file, text);
  return file;
}

/** Every entry within `rel` relative (or `abs` absolute, for entries near 0) of the expected. */
export function expectClose(actual: ReadonlyArray<number>, expected: ReadonlyArray<number>, rel = 1e-10, abs = 1e-13): void {
  expect(actual.length).toBe(expected.length);
  actual.forEach((a, i) => {
    const e = expected[i];
    expect(Math.abs(a - e), `entry ${i}: ${a} vs ${e}`).toBeLessThanOrEqual(Math.max(abs, rel * Math.abs(e)));
  });
}

export function expectMatrixClose(actual: number[][], expected: number[][], rel = 1e-10, abs = 1e-13): void {
  expect(actual.length).toBe(expected.length);
  actual.forEach((row, i) => expectClose(row, expected[i], rel, abs));
}

/**
 * A correlation matrix as the market file needs it: exactly symmetric, exactly 1 on the diagonal,
 * in [-1, 1], PSD to machine precision (a singular matrix's zero eigenvalues come out as +-1e-16).
 */
export function expectValidCorrelation(c: number[][]): void {
  const n = c.length;
  for (let i = 0; i < n; i++) {
    expect(c[i].length).toBe(n);
    expect(c[i][i]).toBe(1);
    for (let j = 0; j < n; j++) {
      expect(c[i][j]).toBe(c[j][i]);
      expect(Math.abs(c[i][j])).toBeLessThanOrEqual(1);
    }
  }
  expect(minEigenvalue(c)).toBeGreaterThanOrEqual(-1e-14);
}
