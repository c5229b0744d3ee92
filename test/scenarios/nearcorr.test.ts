// The nearest correlation matrix against Higham's published example, and its use by a suite set
// that asks for repair.
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { run } from '../../src/index.js';
import { minEigenvalue } from '../../src/math/linalg.js';
import { nearestCorrelation } from '../../src/scenarios/nearcorr.js';
import { xmarginInProcess } from '../helpers/cli.js';
import { futures, market, suite } from '../helpers/inputs.js';

// N. J. Higham (2002), section 4: A = tridiag(-1, 2, -1) of order 4; the nearest correlation
// matrix is at Frobenius distance 2.1337 and is printed to four decimals in the paper.
const higham = [
  [2, -1, 0, 0],
  [-1, 2, -1, 0],
  [0, -1, 2, -1],
  [0, 0, -1, 2],
];
const highamNearest = [
  [1.0, -0.8084, 0.1916, 0.1068],
  [-0.8084, 1.0, -0.6562, 0.1916],
  [0.1916, -0.6562, 1.0, -0.8084],
  [0.1068, 0.1916, -0.8084, 1.0],
];

describe('nearest correlation matrix', () => {
  it("reproduces Higham's 2002 example", () => {
    const r = nearestCorrelation(higham);
    expect(r.converged).toBe(true);
    expect(r.distance).toBeCloseTo(2.1337, 4);
    r.correlation.forEach((row, i) => row.forEach((v, j) => expect(v).toBeCloseTo(highamNearest[i][j], 4)));
    expect(minEigenvalue(r.correlation)).toBeGreaterThan(-1e-12);
  });

  it('returns a valid correlation matrix unchanged', () => {
    const c = [
      [1, 0.5, 0.2],
      [0.5, 1, 0.3],
      [0.2, 0.3, 1],
    ];
    const r = nearestCorrelation(c);
    expect(r.distance).toBeLessThan(1e-10);
  });

  it('is reachable from the CLI with --json, and writes a market-ready matrix with --out', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'xm-nc-'));
    const file = join(dir, 'm.json');
    writeFileSync(file, JSON.stringify({ correlation: higham }));
    const r = await xmarginInProcess(['nearcorr', '--matrix', file, '--json', '--out', join(dir, 'fixed.json')]);
    expect(r.code).toBe(0);
    const out = JSON.parse(r.stdout);
    expect(Object.keys(out).sort()).toEqual(['correlation', 'distance', 'iterations']);
    expect(out.distance).toBeCloseTo(2.1337, 4);
    const bad = join(dir, 'bad.json');
    writeFileSync(
      bad,
      JSON.stringify({
        correlation: [
          [1, 0.5],
          [0.5, 1, 0.2],
        ],
      }),
    );
    const e = await xmarginInProcess(['nearcorr', '--matrix', bad]);
    expect(e.code).toBe(2);
    expect(e.stderr).toContain('correlation[1]');
  });

  it('repairs a non-PSD set matrix only when the set says repair: true', async () => {
    const notPsd = [
      [1, 0.9, -0.9],
      [0.9, 1, 0.9],
      [-0.9, 0.9, 1],
    ];
    expect(minEigenvalue(notPsd)).toBeLessThan(-0.5);
    const base = {
      market: market([
        { id: 'A', spot: 100, vol: 0.5 },
        { id: 'B', spot: 100, vol: 0.5 },
        { id: 'C', spot: 100, vol: 0.5 },
      ]),
      book: {
        instruments: futures('A', 'B', 'C'),
        accounts: [{ id: 'x', collateral: 0, positions: [{ instrument: 'A-PERP', quantity: 1 }] }],
      },
      workers: 1,
    };
    const set = { name: 'm', type: 'montecarlo', count: 1000, distribution: 'normal', correlation: { matrix: notPsd } };
    await expect(run({ ...base, suite: suite([set]) })).rejects.toThrow(/nearcorr/);
    const r = await run({ ...base, suite: suite([{ ...set, correlation: { matrix: notPsd, repair: true } }]) });
    expect(r.sets[0].correlationRepairDistance).toBeCloseTo(nearestCorrelation(notPsd).distance, 12);
    expect(r.sets[0].correlationRepairDistance).toBeGreaterThan(0.1);
  });
});
