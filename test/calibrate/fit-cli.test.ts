// `xmargin calibrate --calm --stress`: the fit printed as JSON is consistent with the two plain
// calibrations and with the closed form; the readable comparison and the emitted suite record it.
import { readFileSync } from 'node:fs';
import path from 'node:path';
import YAML from 'yaml';
import { beforeAll, describe, expect, it } from 'vitest';
import { xmarginInProcess, type CliResult } from '../helpers/cli.js';
import { expectClose, expectMatrixClose, SWISS, tempDir } from './helpers.js';

const COLS = 'FINA,HLTH,INDU,UTIL';
const base = ['calibrate', '--prices', SWISS, '--columns', COLS, '--days-per-year', '252'];
const CALM = ['2005-01-01', '2007-06-30'];
const STRESS = ['2008-01-01', '2008-10-17'];
const fitArgs = [...base, '--calm', CALM.join(':'), '--stress', STRESS.join(':')];

describe('xmargin calibrate --calm --stress', () => {
  let r: CliResult;
  let fit: ReturnType<typeof JSON.parse>; // the fit as printed
  beforeAll(async () => {
    r = await xmarginInProcess([...fitArgs, '--json']);
    fit = JSON.parse(r.stdout);
  });

  it('prints the fit as JSON with both periods as the plain calibrations give them', async () => {
    expect(r.code, r.stderr).toBe(0);
    for (const [key, [from, to]] of [
      ['calm', CALM],
      ['stress', STRESS],
    ] as const) {
      const m = JSON.parse((await xmarginInProcess([...base, '--from', from, '--to', to, '--json'])).stdout);
      expect(fit[key]).toMatchObject({
        from: m.calibration.from,
        to: m.calibration.to,
        observations: m.calibration.observations,
        dropped: 0,
      });
      expect(Object.values(fit[key].vols)).toEqual(m.underlyings.map((u: { vol: number }) => u.vol));
      expect(fit[key].correlation).toEqual(m.correlation);
    }
    expect(fit.calm).toMatchObject({ from: '2005-01-03', to: '2007-06-29' });
    expect(fit.stress).toMatchObject({ from: '2008-01-03', to: '2008-10-17' });
  });

  it('has the closed-form weight, residual and vol multipliers', async () => {
    const C: number[][] = fit.calm.correlation;
    const S: number[][] = fit.stress.correlation;
    let num = 0;
    let den = 0;
    for (let i = 0; i < 4; i++)
      for (let j = 0; j < 4; j++)
        if (i !== j) {
          num += (1 - C[i][j]) * (S[i][j] - C[i][j]);
          den += (1 - C[i][j]) ** 2;
        }
    const w = Math.min(1, Math.max(0, num / den));
    expect(fit.weight).toBeCloseTo(w, 14);
    expect(fit.weight).toBeGreaterThan(0);
    let res = 0;
    for (let i = 0; i < 4; i++) for (let j = 0; j < 4; j++) if (i !== j) res += ((1 - w) * C[i][j] + w - S[i][j]) ** 2;
    expect(fit.residual).toBeCloseTo(Math.sqrt(res), 14);
    expect(fit.residual).toBeLessThan(fit.distanceCalm);
    const ids = COLS.split(',');
    expectClose(
      ids.map((id) => fit.volMultipliers[id]),
      ids.map((id) => fit.stress.vols[id] / fit.calm.vols[id]),
      1e-14,
    );
    const sumSq = (v: Record<string, number>) => ids.reduce((s, id) => s + v[id] ** 2, 0);
    expect(fit.volMultiplier).toBeCloseTo(Math.sqrt(sumSq(fit.stress.vols) / sumSq(fit.calm.vols)), 14);
    expect(fit.jumps).toHaveLength(5);
    expectMatrixClose(
      fit.fitted,
      C.map((row, i) => row.map((v, j) => (i === j ? 1 : (1 - w) * v + w))),
      1e-14,
    );
    expect(fit.set).toEqual({
      name: 'breakdown-fit',
      type: 'montecarlo',
      count: 100000,
      distribution: 'normal',
      volMultiplier: fit.volMultiplier,
      correlation: { target: 1, weight: fit.weight },
    });
  });

  it('prints a readable comparison, and --emit-set writes a suite with the fit in its header', async () => {
    const dir = tempDir();
    const set = path.join(dir, 'set.yaml');
    const t = await xmarginInProcess([...fitArgs, '--emit-set', set, '--target', '0.9']);
    expect(t.code, t.stderr).toBe(0);
    for (const s of [
      'calm correlation',
      'stress correlation',
      'largest correlation jumps',
      'pooled vol multiplier',
      'residual',
      `wrote ${set}`,
    ])
      expect(t.stdout).toContain(s);
    expect(t.stdout).toMatch(/^calm\s+2005-01-03 to 2007-06-29: \d+ price rows in the window, 0 dropped for gaps, \d+ returns$/m);
    expect(t.stdout).toMatch(/fitted correlation: weight 0\.\d{4} toward target 0\.9/);
    const text = readFileSync(set, 'utf8');
    const header = text
      .split('\n')
      .filter((l) => l.startsWith('#'))
      .join('\n');
    expect(header).toContain('calm   2005-01-03 to 2007-06-29');
    expect(header).toContain('stress 2008-01-03 to 2008-10-17');
    expect(header).toContain('method sample');
    expect(header).toMatch(/weight 0\.\d{4} toward target 0\.9/);
    expect(header).toMatch(/residual \d\.\d{4}/);
    expect(header).toMatch(/FINA\s+\d\.\d{4}/);
    const suite = YAML.parse(text);
    expect(suite.scenarioSets).toHaveLength(1);
    expect(suite.scenarioSets[0]).toMatchObject({
      name: 'breakdown-fit',
      type: 'montecarlo',
      distribution: 'normal',
      correlation: { target: 0.9 },
    });
  });
});
