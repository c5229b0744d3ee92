// Bad input and bad flags: exit 2, a message naming the file (or flag) and what was expected,
// and no output file written.
import { existsSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { xmarginInProcess } from '../helpers/cli.js';
import { fixture, SWISS, tempDir, tempFile } from './helpers.js';

const P4 = fixture('prices-4x40.csv');

async function fails(args: string[], ...fragments: Array<string | RegExp>) {
  const dir = tempDir();
  const out = path.join(dir, 'market.json');
  const r = await xmarginInProcess(['calibrate', ...args, '--out', out]);
  expect(r.code, r.stderr).toBe(2);
  expect(r.stdout).toBe('');
  for (const f of fragments) expect(r.stderr).toMatch(f);
  expect(existsSync(out)).toBe(false);
  return r.stderr;
}

describe('xmargin calibrate: bad input exits 2', () => {
  it('an unknown column, listing the available ones', async () => {
    await fails(
      ['--prices', SWISS, '--columns', 'FINA,BANKS'],
      SWISS,
      '"BANKS"',
      'SPI, BASI, INDU, CONG, HLTH, CONS, TELE, UTIL, FINA, TECH',
    );
  });

  it('prices too far apart for a finite return, named by row and column (not "zero variance")', async () => {
    const prices = tempFile('far.csv', 'date,X,Y\n2026-01-01,1e300,10\n2026-01-02,1e-300,11\n2026-01-05,5,12\n2026-01-06,6,11\n');
    const err = await fails(
      ['--prices', prices],
      `${prices}: row 2026-01-02, column "X": the log return from 1e+300 (2026-01-01) to 1e-300 is not a finite number`,
    );
    expect(err).not.toContain('zero variance');
  });

  it('an empty window', async () => {
    await fails(
      ['--prices', P4, '--from', '2021-01-01', '--to', '2021-12-31'],
      P4,
      'no price rows dated within',
      '2020-01-01 to 2020-02-09',
    );
  });

  it('a window with fewer than 2 usable rows (one row; or every row with a gap)', async () => {
    await fails(
      ['--prices', P4, '--from', '2020-01-05', '--to', '2020-01-05', '--method', 'ewma'],
      P4,
      'at least 2 price rows',
      'found 1',
    );
    const gaps = tempFile('g.csv', 'date,A,B\n2020-01-01,1,NA\n2020-01-02,2,3\n2020-01-03,NA,4\n');
    await fails(['--prices', gaps, '--method', 'ledoit-wolf'], gaps, 'found 1', '2 dropped for gaps');
  });

  it('fewer returns than columns (or as many) for sample: singular', async () => {
    // prices-6x5: 4 returns, 6 columns; 4 columns of 5 returns would pass, 5 of 4 fail.
    const six = fixture('prices-6x5.csv');
    await fails(['--prices', six], six, 'needs more returns than columns', 'found 4 returns', 'ledoit-wolf');
    await fails(['--prices', P4, '--to', '2020-01-05'], P4, 'found 4 returns');
    expect((await xmarginInProcess(['calibrate', '--prices', P4, '--to', '2020-01-06', '--json'])).code).toBe(0);
  });

  it('bad dates and from after to', async () => {
    await fails(['--prices', P4, '--from', '2020-02-30'], '--from 2020-02-30', 'YYYY-MM-DD');
    await fails(['--prices', P4, '--to', '20200105'], '--to', 'YYYY-MM-DD');
    await fails(['--prices', P4, '--from', '2020-02-01', '--to', '2020-01-01'], '--from 2020-02-01', 'after to (2020-01-01)');
  });

  it('malformed --calm/--stress, one without the other, or mixed with --from/--to', async () => {
    await fails(['--prices', P4, '--calm', '2020-01-01-2020-01-20', '--stress', '2020-01-21:2020-02-09'], '--calm', 'FROM:TO');
    await fails(['--prices', P4, '--calm', '2020-01-01:2020-01-20', '--stress', '2020-01-21:2020-02-31'], '--stress', 'FROM:TO');
    await fails(['--prices', P4, '--calm', '2020-01-20:2020-01-01', '--stress', '2020-01-21:2020-02-09'], '--calm', 'after');
    await fails(['--prices', P4, '--calm', '2020-01-01:2020-01-20'], 'both --calm', '--stress');
    await fails(
      ['--prices', P4, '--calm', '2020-01-01:2020-01-20', '--stress', '2020-01-21:', '--from', '2020-01-01'],
      '--from/--to',
    );
  });

  it('lambda outside (0, 1), or given without ewma', async () => {
    await fails(['--prices', P4, '--method', 'ewma', '--lambda', '1'], '--lambda', '(0, 1)');
    await fails(['--prices', P4, '--method', 'ewma', '--lambda', '0'], '--lambda', '(0, 1)');
    await fails(['--prices', P4, '--method', 'ewma', '--lambda', 'x'], '--lambda');
    await fails(['--prices', P4, '--lambda', '0.9'], '--lambda 0.9: only applies to the method ewma');
  });

  it('days-per-year <= 0', async () => {
    await fails(['--prices', P4, '--days-per-year', '0'], '--days-per-year', '> 0');
    await fails(['--prices', P4, '--days-per-year', '-252'], '--days-per-year');
  });

  it('an unknown method, an unknown flag, a missing or bad price file', async () => {
    await fails(['--prices', P4, '--method', 'shrink'], /method/);
    await fails(['--prices', P4, '--lamda', '0.9'], /lamda/);
    await fails(['--prices', '/no/such/prices.csv'], '/no/such/prices.csv', 'file not found');
    const bad = tempFile('bad.csv', 'date,A\n2020-01-01,100\n2020-01-02,-3\n');
    await fails(['--prices', bad], bad, 'line 3', 'price > 0');
  });

  it('breakdown-fit flags: a target outside [-1, 1], --emit-set not YAML or without a fit, bad --count/--dof', async () => {
    const fit = ['--prices', P4, '--calm', '2020-01-01:2020-01-20', '--stress', '2020-01-21:'];
    await fails([...fit, '--target', '1.5'], '--target', '[-1, 1]');
    await fails([...fit, '--emit-set', path.join(tempDir(), 'set.json')], '--emit-set', '.yaml');
    await fails(['--prices', P4, '--emit-set', path.join(tempDir(), 'set.yaml')], '--emit-set', '--calm');
    await fails([...fit, '--count', '0'], '--count');
    await fails([...fit, '--dof', '2'], '--dof', '> 2');
  });

  it('a currency that is also a calibrated column', async () => {
    await fails(['--prices', P4, '--currency', 'A'], '--currency', 'A');
  });
});
