import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { spawnSync } from 'node:child_process';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { run } from '../src/index.js';
import { xmargin, fixture, root } from './helpers/cli.js';
import { compareReports } from './helpers/compare.js';

const ex = (f: string) => fixture('contract-example', f);
const expected = JSON.parse(readFileSync(ex('expected-report.json'), 'utf8'));

describe('the contract example', () => {
  it('reproduces expected-report.json through the library API', async () => {
    const report = await run({ market: ex('market.json'), book: ex('book.json'), suite: ex('suite.json'), workers: 1 });
    const { checked, problems } = compareReports(expected, report);
    expect(problems).toEqual([]);
    expect(checked).toBeGreaterThan(100);
  });

  it('reproduces it through the CLI with --json, and the shared compare tool agrees', () => {
    const r = xmargin([
      'run',
      '--market',
      ex('market.json'),
      '--book',
      ex('book.json'),
      '--suite',
      ex('suite.json'),
      '--json',
      '--workers',
      '2',
    ]);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    const actual = JSON.parse(r.stdout);
    expect(compareReports(expected, actual).problems).toEqual([]);
    const tool = join(root, '..', 'shared', 'tools', 'compare-report.mjs');
    if (existsSync(tool)) {
      const dir = mkdtempSync(join(tmpdir(), 'xm-'));
      const file = join(dir, 'r.json');
      writeFileSync(file, r.stdout);
      const c = spawnSync(process.execPath, [tool, ex('expected-report.json'), file], { encoding: 'utf8' });
      expect(c.stdout).toMatch(/ 0 failed/);
      expect(c.status).toBe(0);
    }
  });
});

const ex2 = (f: string) => fixture('contract-example-2', f);
const expected2 = JSON.parse(readFileSync(ex2('expected-report.json'), 'utf8'));

describe('the second contract example (sections 7-9: exposure, attribution, limits, add-ons, stress, cascade)', () => {
  it('reproduces its whole expected-report.json through the library API', async () => {
    const report = await run({ market: ex2('market.json'), book: ex2('book.json'), suite: ex2('suite.json'), workers: 1 });
    const { checked, problems } = compareReports(expected2, report);
    expect(problems).toEqual([]);
    expect(checked).toBeGreaterThan(400);
  });

  it('reproduces it through the CLI on 3 workers, and the shared compare tool agrees', () => {
    const dir = mkdtempSync(join(tmpdir(), 'xm-'));
    const r = xmargin([
      'run',
      '--market',
      ex2('market.json'),
      '--book',
      ex2('book.json'),
      '--suite',
      ex2('suite.json'),
      '--out',
      dir,
      '--workers',
      '3',
      '--chunk',
      '16',
    ]);
    expect(r.code).toBe(0);
    const file = join(dir, 'report.json');
    expect(compareReports(expected2, JSON.parse(readFileSync(file, 'utf8'))).problems).toEqual([]);
    const tool = join(root, '..', 'shared', 'tools', 'compare-report.mjs');
    if (existsSync(tool)) {
      const c = spawnSync(process.execPath, [tool, ex2('expected-report.json'), file], { encoding: 'utf8' });
      expect(c.stdout).toMatch(/ 0 failed/);
      expect(c.status).toBe(0);
    }
  });
});
