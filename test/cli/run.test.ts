import { existsSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { decode } from '@msgpack/msgpack';
import { describe, expect, it } from 'vitest';
import { synthesize, writeSynthFiles } from '../../src/synth/index.js';
import { fixture, xmargin, xmarginInProcess } from '../helpers/cli.js';

const ex = (f: string) => fixture('contract-example', f);
const exampleArgs = ['--market', ex('market.json'), '--book', ex('book.json'), '--suite', ex('suite.json')];
const tmp = () => mkdtempSync(join(tmpdir(), 'xmargin-cli-'));

// Most checks run the CLI in-process (xmarginInProcess); a few run the built executable
// (xmargin) end to end: no inputs in a fresh folder, a bad input.
describe('xmargin run', () => {
  it('runs the bundled crypto example with no inputs, into ./xmargin-report (end to end)', () => {
    const cwd = tmp();
    const r = xmargin(['run'], { cwd });
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toBe('');
    const dir = join(cwd, 'xmargin-report');
    expect(readdirSync(cwd)).toEqual(['xmargin-report']);
    expect(readdirSync(dir).sort()).toEqual([
      'accounts.csv',
      'attribution.csv',
      'exposure.csv',
      'portfolios.csv',
      'report.html',
      'report.json',
    ]);
    expect(r.stdout).toMatch(/cross IM/);
    expect(r.stdout).toContain(
      `wrote ${join(dir, 'report.json')}, ${join(dir, 'portfolios.csv')}, ${join(dir, 'accounts.csv')}, ${join(dir, 'exposure.csv')}, ${join(dir, 'attribution.csv')}, ${join(dir, 'report.html')}`,
    );
    const report = JSON.parse(readFileSync(join(dir, 'report.json'), 'utf8'));
    expect(report.sets.map((s: { name: string }) => s.name)).toEqual([
      'mc-normal',
      'mc-t4-breakdown',
      'vol-grid',
      'crash',
      'sol-ladder',
      'liquidation-spiral',
    ]);
    expect(report.sets[0].scenarios).toBe(100000);
    expect(report.portfolios.length).toBeGreaterThanOrEqual(4);
    const funds = report.portfolios.filter((p: { accounts: string[] }) => p.accounts.length > 1);
    expect(funds.length).toBeGreaterThanOrEqual(2);
    for (const p of funds) expect(p.capitalEfficiency).toBeGreaterThan(0);
    expect(report.portfolios.some((p: { marginCall: number }) => p.marginCall > 0)).toBe(true);
  });

  it('writes report.json, the four CSVs and report.html, and prints a summary', async () => {
    const dir = tmp();
    const r = await xmarginInProcess(['run', ...exampleArgs, '--out', dir]);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/fund/);
    expect(r.stdout).toMatch(/cross IM/);
    expect(readdirSync(dir).sort()).toEqual([
      'accounts.csv',
      'attribution.csv',
      'exposure.csv',
      'portfolios.csv',
      'report.html',
      'report.json',
    ]);
    const csv = readFileSync(join(dir, 'portfolios.csv'), 'utf8').trim().split('\n');
    expect(csv[0].split(',').slice(0, 4)).toEqual(['portfolio', 'accounts', 'collateral', 'crossInitialMargin']);
    expect(csv[1].startsWith('fund,desk-a;desk-b,86000,43925.508')).toBe(true);
    const accounts = readFileSync(join(dir, 'accounts.csv'), 'utf8').trim().split('\n');
    expect(accounts).toHaveLength(4);
    expect(accounts[3]).toMatch(/^solo,solo,2000,6000,4800,crash,/);
  });

  it('writes msgpack with --format msgpack, decoding to the JSON report', async () => {
    const dir = tmp();
    expect((await xmarginInProcess(['run', ...exampleArgs, '--out', dir, '--format', 'msgpack'])).code).toBe(0);
    const { run: packedRun, ...packed } = decode(readFileSync(join(dir, 'report.msgpack'))) as Record<string, unknown>;
    const { run: jsonRun, ...json } = JSON.parse((await xmarginInProcess(['run', ...exampleArgs, '--json'])).stdout);
    expect(packed).toEqual(json);
    // Each run has its own record (id, times), in the same shape.
    expect(Object.keys(packedRun as object)).toEqual(Object.keys(jsonRun));
  });

  it('exits 2 with file, path and expectation on bad input, and leaves the previous report alone (end to end)', async () => {
    const dir = tmp();
    expect((await xmarginInProcess(['run', ...exampleArgs, '--out', dir])).code).toBe(0);
    const before = readFileSync(join(dir, 'report.json'), 'utf8');
    const bad = join(tmp(), 'book.json');
    const book = JSON.parse(readFileSync(ex('book.json'), 'utf8'));
    book.accounts[1].positions[0].quantity = 'three';
    writeFileSync(bad, JSON.stringify(book));
    const r = xmargin(['run', '--market', ex('market.json'), '--book', bad, '--suite', ex('suite.json'), '--out', dir]);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain(bad);
    expect(r.stderr).toContain('accounts[1].positions[0].quantity');
    expect(r.stderr).toMatch(/expected a finite quantity, found "three"/);
    expect(r.stderr).not.toMatch(/\n\s+at /); // no stack trace
    expect(r.stdout).toBe('');
    expect(readFileSync(join(dir, 'report.json'), 'utf8')).toBe(before);
    expect(readdirSync(dir).sort()).toEqual([
      'accounts.csv',
      'attribution.csv',
      'exposure.csv',
      'portfolios.csv',
      'report.html',
      'report.json',
    ]);
  });

  it('exits 2 on usage errors', async () => {
    expect((await xmarginInProcess(['run', '--market', ex('market.json')])).code).toBe(2);
    expect((await xmarginInProcess(['run', '--bogus'])).code).toBe(2);
    expect((await xmarginInProcess(['run', ...exampleArgs, '--workers', '0'])).code).toBe(2);
    expect((await xmarginInProcess(['frobnicate'])).code).toBe(2);
    expect((await xmarginInProcess([])).code).toBe(2);
    const missing = await xmarginInProcess([
      'run',
      '--market',
      '/nonexistent/m.json',
      '--book',
      ex('book.json'),
      '--suite',
      ex('suite.json'),
    ]);
    expect(missing.code).toBe(2);
    expect(missing.stderr).toContain('/nonexistent/m.json');
  });
});

describe('failure is clean', () => {
  // Worker exits, kernel traps and throwing tasks: test/engine/lifecycle.test.ts injects them
  // through the engine's test-only option and checks the engine is idle and right after.
  it('a cancelled run (SIGINT in the executable) exits 1, says so, and writes no report', async () => {
    const w = synthesize('L', 1);
    const files = writeSynthFiles(join(tmp(), 'L'), w);
    const dir = join(tmp(), 'out');
    const controller = new AbortController();
    setTimeout(() => controller.abort(), 1_500);
    const r = await xmarginInProcess(
      ['run', '--market', files.market, '--book', files.book, '--suite', files.suite, '--out', dir, '--workers', '2'],
      { signal: controller.signal },
    );
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/^xmargin: the run was cancelled/);
    expect(r.stdout).toBe('');
    expect(existsSync(dir)).toBe(false);
  });

  it('a non-finite P&L is an error naming the instrument and the set', async () => {
    const dir = tmp();
    const suite = join(dir, 'suite.yaml');
    writeFileSync(
      suite,
      'seed: 1\nscenarioSets:\n  - { name: blow-up, type: montecarlo, count: 2000, distribution: normal, volMultiplier: 100000 }\n',
    );
    const r = await xmarginInProcess([
      'run',
      '--market',
      ex('market.json'),
      '--book',
      ex('book.json'),
      '--suite',
      suite,
      '--json',
    ]);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('set "blow-up"');
    expect(r.stderr).toMatch(/BTC-PERP|ETH-PERP|collateral|-C|-P/);
    expect(r.stderr).toMatch(/not a finite number/);
    expect(r.stdout).toBe('');
  });
});
