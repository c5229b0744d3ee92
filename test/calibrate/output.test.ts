// What `xmargin calibrate` prints and writes: a readable summary by default, the market file with
// --json, the same document in a file with --out (JSON, or YAML for .yaml/.yml).
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import YAML from 'yaml';
import { describe, expect, it } from 'vitest';
import { xmarginInProcess } from '../helpers/cli.js';
import { loadMarket } from '../../src/model/load.js';
import { expectClose, expectValidCorrelation, fixture, reference, tempDir } from './helpers.js';

const P4 = fixture('prices-4x40.csv');

describe('xmargin calibrate output', () => {
  it('--json prints the market file: numpy-equal numbers, calibration record, validated', async () => {
    const r = await xmarginInProcess(['calibrate', '--prices', P4, '--json']);
    expect(r.code, r.stderr).toBe(0);
    const m = JSON.parse(r.stdout);
    expect(Object.keys(m)).toEqual(['asOf', 'currency', 'rate', 'daysPerYear', 'underlyings', 'correlation', 'calibration']);
    expect(m).toMatchObject({ asOf: '2020-02-09', currency: 'USD', rate: 0, daysPerYear: 365 });
    expect(m.underlyings.map((u: { id: string }) => u.id)).toEqual(['A', 'B', 'C', 'D']);
    expectClose(
      m.underlyings.map((u: { vol: number }) => u.vol),
      reference['prices-4x40.csv'].sample.vols,
      1e-11,
    );
    expectValidCorrelation(m.correlation);
    expect(m.calibration).toEqual({
      method: 'sample',
      source: P4,
      from: '2020-01-01',
      to: '2020-02-09',
      observations: 39,
      dropped: 0,
      daysPerYear: 365,
      columns: ['A', 'B', 'C', 'D'],
      minEigenvalue: expect.any(Number),
    });
  });

  it('records lambda for ewma and shrinkage for ledoit-wolf, and --currency/--rate/--days-per-year', async () => {
    const e = JSON.parse(
      (await xmarginInProcess(['calibrate', '--prices', P4, '--method', 'ewma', '--lambda', '0.8', '--json'])).stdout,
    );
    expect(e.calibration).toMatchObject({ method: 'ewma', lambda: 0.8 });
    expect(e.calibration.shrinkage).toBeUndefined();
    const l = JSON.parse(
      (
        await xmarginInProcess([
          'calibrate',
          '--prices',
          P4,
          '--method',
          'ledoit-wolf',
          '--currency',
          'CHF',
          '--rate',
          '0.025',
          '--days-per-year',
          '252',
          '--json',
        ])
      ).stdout,
    );
    expect(l).toMatchObject({ currency: 'CHF', rate: 0.025, daysPerYear: 252 });
    expect(l.calibration.shrinkage).toBeCloseTo(reference['prices-4x40.csv']['ledoit-wolf'].shrinkage!, 12);
    expect(l.calibration.lambda).toBeUndefined();
    // vol scales with sqrt(daysPerYear)
    expectClose(
      l.underlyings.map((u: { vol: number }) => u.vol),
      reference['prices-4x40.csv']['ledoit-wolf'].vols.map((v) => v * Math.sqrt(252 / 365)),
      1e-11,
    );
  });

  it('--out writes the same document (JSON, or YAML for .yaml), and it loads as a market', async () => {
    const dir = tempDir();
    const json = JSON.parse((await xmarginInProcess(['calibrate', '--prices', P4, '--columns', 'B,D', '--json'])).stdout);
    for (const name of ['m.json', 'sub/m.yaml', 'm.yml']) {
      const file = path.join(dir, name);
      const r = await xmarginInProcess(['calibrate', '--prices', P4, '--columns', 'B,D', '--out', file]);
      expect(r.code, r.stderr).toBe(0);
      expect(r.stdout).toContain(`wrote ${file}`);
      const text = readFileSync(file, 'utf8');
      expect(name.endsWith('json') ? JSON.parse(text) : YAML.parse(text)).toEqual(json);
      expect(loadMarket(file).underlyings.map((u) => u.id)).toEqual(['B', 'D']);
    }
  });

  it('without --json or --out prints a readable summary and writes nothing', async () => {
    // In-process the working folder is the repository's (it was an empty one for a child process):
    // nothing may appear in it, nor in the fixtures' folder.
    const folders = [process.cwd(), path.dirname(P4)];
    const before = folders.map((f) => readdirSync(f).sort());
    const r = await xmarginInProcess(['calibrate', '--prices', P4, '--columns', 'A,C', '--from', '2020-01-10']);
    expect(r.code, r.stderr).toBe(0);
    expect(folders.map((f) => readdirSync(f).sort())).toEqual(before);
    expect(r.stdout).toContain('method sample');
    expect(r.stdout).toContain('window 2020-01-10 to 2020-02-09: 31 price rows in the window, 0 dropped for gaps, 30 returns');
    expect(r.stdout).toMatch(/underlying\s+spot\s+vol/);
    expect(r.stdout).toMatch(/correlation \(smallest eigenvalue/);
    expect(r.stdout).toMatch(/^A\s+1\.0000\s+-?0\.\d{4}$/m);
    expect(r.stdout).toContain('--json');
    expect(readFileSync(P4, 'utf8')).toContain('date,A,B,C,D');
  });
});
