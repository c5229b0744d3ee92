// The Swiss worked example in docs/calibration.md ships its outputs in the repository; the
// documented command must regenerate them byte for byte, and they must run.
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { xmargin, xmarginInProcess } from '../helpers/cli.js';

describe('the Swiss breakdown worked example', () => {
  // End to end: the executable, run from the repository root as the documentation says.
  it('is reproduced by the documented command', () => {
    const dir = mkdtempSync(join(tmpdir(), 'xm-worked-'));
    const r = xmargin([
      'calibrate',
      '--prices',
      'examples/data/spi_sectors_1999_2008.csv',
      '--columns',
      'BASI,INDU,CONG,HLTH,CONS,TELE,UTIL,FINA,TECH',
      '--calm',
      '2005-01-01:2007-06-30',
      '--stress',
      '2008-01-01:2008-10-17',
      '--days-per-year',
      '252',
      '--currency',
      'CHF',
      '--rate',
      '0.025',
      '--dof',
      '4',
      '--horizon-days',
      '10',
      '--seed',
      '2008',
      '--count',
      '50000',
      '--out',
      join(dir, 'calm-market.json'),
      '--emit-set',
      join(dir, 'fit.yaml'),
    ]);
    expect(r.code).toBe(0);
    expect(readFileSync(join(dir, 'calm-market.json'), 'utf8')).toBe(
      readFileSync('examples/swiss-2008/calm-market.json', 'utf8'),
    );
    const strip = (t: string) => t.replace(/^#.*(calm-market\.json).*$/gm, '');
    expect(strip(readFileSync(join(dir, 'fit.yaml'), 'utf8'))).toBe(
      strip(readFileSync('scenarios/swiss-breakdown-fit.yaml', 'utf8')),
    );
    expect(readFileSync('scenarios/swiss-breakdown-fit.yaml', 'utf8')).toMatch(/horizonDays: 10\nconfidence: 0.99/);
  });

  it('runs the fitted set on the Swiss book', async () => {
    const r = await xmarginInProcess([
      'run',
      '--market',
      'examples/swiss-2008/calm-market.json',
      '--book',
      'examples/swiss-2008/book.json',
      '--suite',
      'scenarios/swiss-breakdown-fit.yaml',
      '--json',
    ]);
    expect(r.code).toBe(0);
    const report = JSON.parse(r.stdout);
    expect(report.horizonDays).toBe(10);
    expect(report.sets[0]).toMatchObject({ name: 'breakdown-fit', scenarios: 50000 });
    expect(report.portfolios.find((p: { id: string }) => p.id === 'limmat-capital').capitalEfficiency).toBeGreaterThan(0.3);
  });
});
