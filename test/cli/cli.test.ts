// The CLI as a function: cli(argv, io) writes only to io and returns the exit code; help and
// version go to stdout with exit 0, and yargs never exits the process.
import { existsSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { cli } from '../../src/cli/cli.js';
import { VERSION } from '../../src/version.js';
import { xmarginInProcess } from '../helpers/cli.js';

describe('cli()', () => {
  it('prints the version and the help on stdout, exit 0, and runs nothing', async () => {
    expect(await xmarginInProcess(['--version'])).toEqual({ code: 0, stdout: `${VERSION}\n`, stderr: '' });
    const help = await xmarginInProcess(['--help']);
    expect(help.code).toBe(0);
    expect(help.stderr).toBe('');
    for (const command of ['run', 'calibrate', 'nearcorr', 'explain', 'synth', 'sweep'])
      expect(help.stdout).toMatch(new RegExp(`^  xmargin ${command} `, 'm'));
    // `run --help` runs nothing: ./xmargin-report is neither made nor touched (a developer's
    // `npm start` may have left one there: its state before is what it must be after).
    const report = join(process.cwd(), 'xmargin-report', 'report.json');
    const before = existsSync(report) ? statSync(report).mtimeMs : undefined;
    const run = await xmarginInProcess(['run', '--help']);
    expect(run.code).toBe(0);
    expect(run.stdout).toContain('--market');
    expect(run.stdout).toContain('[default: ./xmargin-report]');
    expect(existsSync(report) ? statSync(report).mtimeMs : undefined).toBe(before);
  });

  it('wraps the help to the width it is given, at most 110', async () => {
    const lines = async (columns?: number) => {
      let out = '';
      const code = await cli(['calibrate', '--help'], {
        stdout: { write: (t) => (out += t) },
        stderr: { write: () => {} },
        columns,
      });
      expect(code).toBe(0);
      return Math.max(...out.split('\n').map((l) => l.length));
    };
    expect(await lines(60)).toBeLessThanOrEqual(60);
    expect(await lines(500)).toBeLessThanOrEqual(110);
    expect(await lines()).toBeGreaterThan(60);
  });

  it('exits 2 on a command-line mistake, pointing to --help', async () => {
    expect(await xmarginInProcess(['run', '--bogus'])).toEqual({
      code: 2,
      stdout: '',
      stderr: 'xmargin: Unknown argument: --bogus\nRun "xmargin --help" for usage.\n',
    });
    expect(await xmarginInProcess([])).toEqual({
      code: 2,
      stdout: '',
      stderr:
        'xmargin: name a command: run, report, calibrate, nearcorr, sweep, synth, explain, serve, worker\nRun "xmargin --help" for usage.\n',
    });
  });

  it("names the flag when the library refuses an argument's value, quoting a value with spaces", async () => {
    const sweep = ['sweep', '--market', 'examples/crypto/market.json', '--book', 'examples/crypto/book.json'];
    const r = await xmarginInProcess([...sweep, '--suite', 'scenarios/overnight.yaml', '--set', 'no such', '--weights', '0']);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/^xmargin: --set "no such": the suite has no such set \(sets: mc-normal, /);
  });
});
