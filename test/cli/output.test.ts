// Where reports go, and that they never get lost or mixed: every output path is checked before
// any work (exit 2), a report folder is replaced all or none and always holds one report, and
// nothing of the write (a staging folder) is left behind, not even after a signal or a kill.
import { spawn, spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, watch, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { decode } from '@msgpack/msgpack';
import { describe, expect, it } from 'vitest';
import type { Report } from '../../src/report/report.js';
import { writeReport } from '../../src/report/write.js';
import { cliPath, fixture, xmargin, xmarginInProcess } from '../helpers/cli.js';

const ex = (f: string) => fixture('contract-example', f);
const exampleArgs = ['--market', ex('market.json'), '--book', ex('book.json'), '--suite', ex('suite.json')];
const missingInputs = ['--market', '/nonexistent/m.json', '--book', '/nonexistent/b.json', '--suite', '/nonexistent/s.json'];
const tmp = () => mkdtempSync(join(tmpdir(), 'xmargin-output-'));
const REPORT = ['accounts.csv', 'attribution.csv', 'exposure.csv', 'portfolios.csv', 'report.json'];
/** What `xmargin run` writes: the report's files and, unless --no-html, report.html. */
const RUN_REPORT = [...REPORT, 'report.html'].sort();
/** Every file of a folder with its bytes, to compare a folder before and after. */
const snapshot = (dir: string) => Object.fromEntries(readdirSync(dir).map((f) => [f, readFileSync(join(dir, f), 'utf8')]));

/** A folder holding the example's JSON report, and that report. */
async function exampleReport(): Promise<{ dir: string; report: Report }> {
  const dir = tmp();
  const r = await xmarginInProcess(['run', ...exampleArgs, '--out', dir]);
  expect(r.code, r.stderr).toBe(0);
  return { dir, report: JSON.parse(readFileSync(join(dir, 'report.json'), 'utf8')) as Report };
}

describe('output paths are checked before any work (exit 2)', () => {
  // A real process: before the check, Node 20's recursive mkdir looped under /proc at full CPU
  // after the whole run, and a test in this process would hang with it.
  it('--out under /proc, for run, sweep, calibrate and synth, fails at once', () => {
    const sweep = ['sweep', ...exampleArgs, '--set', 'mc-normal', '--weights', '0:1:0.5'];
    const calibrate = ['calibrate', '--prices', fixture('../calibrate/fixtures/prices-6x5.csv')];
    for (const [args, flag] of [
      [['run', ...exampleArgs, '--out', '/proc/xmargin-out'], '--out /proc/xmargin-out'],
      [[...sweep, '--out', '/proc/xmargin-out'], '--out /proc/xmargin-out'],
      [[...calibrate, '--out', '/proc/xmargin-out/market.json'], '--out /proc/xmargin-out/market.json'],
      [
        [...calibrate, '--calm', '2000-01-01:', '--stress', ':2001-01-01', '--emit-set', '/sys/x/set.yaml'],
        '--emit-set /sys/x/set.yaml',
      ],
      [['synth', '--size', 'S', '--out', '/proc/xmargin-out'], '--out /proc/xmargin-out'],
    ] as const) {
      const r = xmargin([...args], { timeout: 20_000 });
      expect(r.code, `${args.join(' ')}: ${r.stderr}`).toBe(2);
      expect(r.stderr).toMatch(new RegExp(`^xmargin: ${flag}: cannot be created: /(proc|sys) is a system folder`));
      expect(r.stdout).toBe('');
    }
  });

  it('--out that is a file, or lies under one, is refused before the inputs are read', async () => {
    const dir = tmp();
    const file = join(dir, 'a-file');
    writeFileSync(file, 'mine\n');
    const asFile = await xmarginInProcess(['run', ...missingInputs, '--out', file]);
    expect(asFile.code).toBe(2);
    expect(asFile.stderr).toBe(`xmargin: --out ${file}: is a file, not a folder\n`);
    const under = await xmarginInProcess(['run', ...missingInputs, '--json', '--out', join(file, 'report')]);
    expect(under.code).toBe(2);
    expect(under.stderr).toBe(`xmargin: --out ${join(file, 'report')}: lies under ${file}, which is a file, not a folder\n`);
    expect(under.stdout).toBe('');
    const sweep = await xmarginInProcess([
      'sweep',
      ...missingInputs,
      '--set',
      'x',
      '--weights',
      '0:1:0.5',
      '--out',
      join(file, 'sweep'),
    ]);
    expect(sweep.code).toBe(2);
    expect(sweep.stderr).toMatch(/--out .*: lies under .*a-file, which is a file/);
    const calibrate = await xmarginInProcess(['calibrate', '--prices', '/nonexistent/p.csv', '--out', dir]);
    expect(calibrate.code).toBe(2);
    expect(calibrate.stderr).toBe(`xmargin: --out ${dir}: is a folder (or other non-file), not a file\n`);
    const synth = await xmarginInProcess(['synth', '--size', 'S', '--out', file]);
    expect(synth.code).toBe(2);
    expect(synth.stderr).toBe(`xmargin: --out ${file}: is a file, not a folder\n`);
    expect(readdirSync(dir)).toEqual(['a-file']);
    expect(readFileSync(file, 'utf8')).toBe('mine\n');
  });

  it('a report folder that holds a folder where a report file goes is refused before the run', async () => {
    const { dir } = await exampleReport();
    const before = snapshot(dir);
    mkdirSync(join(dir, 'report.msgpack'));
    const r = await xmarginInProcess(['run', ...missingInputs, '--out', dir, '--format', 'msgpack']);
    expect(r.code).toBe(2);
    expect(r.stderr).toBe(`xmargin: --out ${dir}: holds a folder (or other non-file) named report.msgpack where a file goes\n`);
    expect(readdirSync(dir).sort()).toEqual([...RUN_REPORT, 'report.msgpack'].sort());
    for (const f of RUN_REPORT) expect(readFileSync(join(dir, f), 'utf8')).toBe(before[f]);
  });

  it('an empty --out is a usage error, not the current folder', async () => {
    const r = await xmarginInProcess(['run', ...exampleArgs, '--out', '']);
    expect(r.code).toBe(2);
    expect(r.stderr).toBe('xmargin: --out needs a folder\n');
  });
});

describe('a report folder is replaced all or none', () => {
  it('with accounts.csv blocked (a folder of that name), the previous report stays complete and untouched', async () => {
    const { dir, report } = await exampleReport();
    const before = snapshot(dir);
    const blocked = tmp();
    for (const f of ['report.json', 'portfolios.csv', 'exposure.csv', 'attribution.csv'])
      writeFileSync(join(blocked, f), before[f]);
    mkdirSync(join(blocked, 'accounts.csv'));
    writeFileSync(join(blocked, 'accounts.csv', 'notes.txt'), 'mine\n');
    const changed = { ...report, portfolios: report.portfolios.slice(1) };
    expect(() => writeReport(blocked, changed)).toThrow(/accounts\.csv is a folder .*nothing was replaced/);
    // report.json and portfolios.csv were swapped first, and swapped back.
    expect(readdirSync(blocked).sort()).toEqual(REPORT);
    expect(readFileSync(join(blocked, 'report.json'), 'utf8')).toBe(before['report.json']);
    expect(readFileSync(join(blocked, 'portfolios.csv'), 'utf8')).toBe(before['portfolios.csv']);
    // exposure.csv and attribution.csv come after accounts.csv: the swap stopped before them.
    expect(readFileSync(join(blocked, 'exposure.csv'), 'utf8')).toBe(before['exposure.csv']);
    expect(readFileSync(join(blocked, 'attribution.csv'), 'utf8')).toBe(before['attribution.csv']);
    expect(statSync(join(blocked, 'accounts.csv')).isDirectory()).toBe(true);
    expect(readFileSync(join(blocked, 'accounts.csv', 'notes.txt'), 'utf8')).toBe('mine\n');
  });

  it('a report of the other format is removed in the same swap; other files are left alone', async () => {
    const { dir } = await exampleReport();
    writeFileSync(join(dir, 'notes.txt'), 'mine\n');
    mkdirSync(join(dir, 'charts'));
    const packed = await xmarginInProcess(['run', ...exampleArgs, '--out', dir, '--format', 'msgpack']);
    expect(packed.code, packed.stderr).toBe(0);
    expect(readdirSync(dir).sort()).toEqual([
      'accounts.csv',
      'attribution.csv',
      'charts',
      'exposure.csv',
      'notes.txt',
      'portfolios.csv',
      'report.html',
      'report.msgpack',
    ]);
    const json = await xmarginInProcess(['run', ...exampleArgs, '--out', dir]);
    expect(json.code, json.stderr).toBe(0);
    expect(readdirSync(dir).sort()).toEqual([
      'accounts.csv',
      'attribution.csv',
      'charts',
      'exposure.csv',
      'notes.txt',
      'portfolios.csv',
      'report.html',
      'report.json',
    ]);
    expect(readFileSync(join(dir, 'notes.txt'), 'utf8')).toBe('mine\n');
  });

  it('--no-html writes no report.html, and removes the one of an earlier run (it shows another report)', async () => {
    const { dir } = await exampleReport();
    expect(readdirSync(dir).sort()).toEqual(RUN_REPORT);
    const json = readFileSync(join(dir, 'report.json'), 'utf8');
    const r = await xmarginInProcess(['run', ...exampleArgs, '--out', dir, '--no-html']);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).not.toContain('report.html');
    expect(readdirSync(dir).sort()).toEqual(REPORT);
    // The report itself is the same with or without its HTML view, but for the run's own record.
    const strip = (text: string) => JSON.stringify({ ...JSON.parse(text), run: undefined });
    expect(strip(readFileSync(join(dir, 'report.json'), 'utf8'))).toBe(strip(json));
  });

  it('a failed swap into a msgpack folder keeps the old report.msgpack and writes no report.json', async () => {
    const { dir, report } = await exampleReport();
    writeReport(dir, report, 'msgpack');
    const packed = readFileSync(join(dir, 'report.msgpack'));
    const portfolios = readFileSync(join(dir, 'portfolios.csv'), 'utf8');
    // A folder where accounts.csv goes, as after the check: the swap meets it and undoes itself,
    // the removal of report.msgpack included.
    writeFileSync(join(dir, 'accounts.csv'), '');
    rmSync(join(dir, 'accounts.csv'));
    mkdirSync(join(dir, 'accounts.csv'));
    expect(() => writeReport(dir, report, 'json')).toThrow(/accounts\.csv is a folder/);
    expect(readdirSync(dir).sort()).toEqual([
      'accounts.csv',
      'attribution.csv',
      'exposure.csv',
      'portfolios.csv',
      'report.msgpack',
    ]);
    expect(readFileSync(join(dir, 'report.msgpack'))).toEqual(packed);
    expect(decode(packed)).toEqual(report);
    expect(readFileSync(join(dir, 'portfolios.csv'), 'utf8')).toBe(portfolios);
  });
});

describe('nothing of a write is left behind', () => {
  it('a staging folder left by a killed run is removed by the next run into the folder', async () => {
    const { dir } = await exampleReport();
    const dead = spawnSync(process.execPath, ['-e', '']).pid!;
    const left = `.xmargin-${dead}-q1W2e3`;
    mkdirSync(join(dir, left, 'new'), { recursive: true });
    writeFileSync(join(dir, left, 'new', 'report.json'), '{"half":');
    const r = await xmarginInProcess(['run', ...exampleArgs, '--out', dir]);
    expect(r.code, r.stderr).toBe(0);
    expect(readdirSync(dir).sort()).toEqual(RUN_REPORT);
  });

  // A real process, since the bin's own handlers are under test: the first signal cancels, the
  // second exits at once. The write is synchronous, so a signal that arrives during it is handled
  // after it: the report is whole and no staging folder remains.
  it('SIGINT then SIGTERM while the report is written leave a whole report and no staging folder', async () => {
    const { dir, report } = await exampleReport();
    const child = spawn(process.execPath, [cliPath, 'run', ...exampleArgs, '--out', dir, '--no-progress'], {
      stdio: 'ignore',
    });
    let signalled = false;
    const watcher = watch(dir, (_event, name) => {
      if (signalled || !name?.startsWith('.xmargin-')) return;
      signalled = true;
      child.kill('SIGINT');
      child.kill('SIGTERM');
    });
    const code = await new Promise<number | null>((done) => child.on('exit', (c) => done(c)));
    watcher.close();
    expect(signalled).toBe(true);
    expect([0, 130, 143]).toContain(code);
    expect(readdirSync(dir).sort()).toEqual(RUN_REPORT);
    expect(JSON.parse(readFileSync(join(dir, 'report.json'), 'utf8')).sets).toEqual(report.sets);
  });
});
