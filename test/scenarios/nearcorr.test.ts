// The nearest correlation matrix against Higham's published example, and its use by a suite set
// that asks for repair.
import { existsSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { InputError, run } from '../../src/index.js';
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

  // The red-team cases: entries that overflow the distance, and an asymmetric matrix that the
  // symmetric part would turn into the identity without a word.
  const huge = [
    [1, 1e308],
    [1e308, 1],
  ];
  const large = [
    [1, 1e200],
    [1e200, 1],
  ];
  const asymmetric = [
    [1, 0.9],
    [-0.9, 1],
  ];
  const matrixFile = (m: number[][]) => {
    const file = join(mkdtempSync(join(tmpdir(), 'xm-nc-')), 'm.json');
    writeFileSync(file, JSON.stringify({ correlation: m }));
    return file;
  };

  it('refuses entries that are not correlation-like, on the CLI (exit 2) and in the library', async () => {
    for (const [m, shown] of [
      [huge, '1e+308'],
      [large, '1e+200'],
    ] as const) {
      const file = matrixFile(m.map((r) => r.slice()));
      const r = await xmarginInProcess(['nearcorr', '--matrix', file, '--json']);
      expect(r.code).toBe(2);
      expect(r.stdout).toBe('');
      expect(r.stderr).toContain(`${file}: correlation[0][1]: expected a correlation-like entry in [-10, 10], got ${shown}`);
      expect(() => nearestCorrelation(m.map((row) => row.slice()))).toThrow(
        /^matrix\[0\]\[1\]: expected a correlation-like entry/,
      );
    }
    expect(() =>
      nearestCorrelation([
        [1, NaN],
        [NaN, 1],
      ]),
    ).toThrow(InputError);
  });

  it('refuses an asymmetric matrix unless asked to symmetrise it', async () => {
    const file = matrixFile(asymmetric);
    const r = await xmarginInProcess(['nearcorr', '--matrix', file, '--json']);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain(
      `${file}: correlation[1][0]: expected a symmetric matrix: -0.9 here but 0.9 at correlation[0][1]; fix the matrix, or pass --symmetrize`,
    );
    expect(() => nearestCorrelation(asymmetric)).toThrow(/matrix\[1\]\[0\]: expected a symmetric matrix.*symmetrize: true/);
    const s = await xmarginInProcess(['nearcorr', '--matrix', file, '--json', '--symmetrize']);
    expect(s.code, s.stderr).toBe(0);
    expect(JSON.parse(s.stdout).correlation).toEqual([
      [1, 0],
      [0, 1],
    ]);
    expect(nearestCorrelation(asymmetric, { symmetrize: true }).converged).toBe(true);
  });

  it('fails with exit 1, writing nothing, when it does not converge', async () => {
    expect(nearestCorrelation(higham, { maxIterations: 3 })).toMatchObject({ converged: false, iterations: 3 });
    const file = matrixFile(higham);
    const out = join(mkdtempSync(join(tmpdir(), 'xm-nc-')), 'fixed.json');
    const r = await xmarginInProcess(['nearcorr', '--matrix', file, '--max-iterations', '3', '--out', out]);
    expect(r.code).toBe(1);
    expect(r.stdout).toBe('');
    expect(r.stderr).toContain(`${file}: the nearest correlation matrix did not converge within 3 iterations`);
    expect(existsSync(out)).toBe(false);
    const ok = await xmarginInProcess(['nearcorr', '--matrix', file, '--json']);
    expect(ok.code).toBe(0);
    const bad = await xmarginInProcess(['nearcorr', '--matrix', file, '--max-iterations', '0']);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain('--max-iterations must be a whole number >= 1, got 0');
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
