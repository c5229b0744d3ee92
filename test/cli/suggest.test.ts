// "Did you mean": a mistyped flag, command or set name gets the nearest one, as a mistyped field
// of an input file does (model/issues.ts suggest); the exit code stays 2.
import { describe, expect, it } from 'vitest';
import { prepare } from '../../src/index.js';
import { sweep } from '../../src/sweep/sweep.js';
import { fixture, xmarginInProcess } from '../helpers/cli.js';
import { suite } from '../helpers/inputs.js';

const ex = (f: string) => fixture('contract-example', f);
const inputs = ['--market', ex('market.json'), '--book', ex('book.json'), '--suite', ex('suite.json')];
const HELP = 'Run "xmargin --help" for usage.\n';

async function refused(args: string[]): Promise<string> {
  const r = await xmarginInProcess(args);
  expect(r.code, r.stderr).toBe(2);
  expect(r.stdout).toBe('');
  return r.stderr;
}

describe('did you mean, on the command line', () => {
  it('suggests the flag of the command being parsed for an unknown flag', async () => {
    expect(await refused(['run', ...inputs, '--wrokers', '2'])).toBe(
      `xmargin: Unknown argument: --wrokers (did you mean --workers?)\n${HELP}`,
    );
    expect(await refused(['run', '--markt', 'm', '--boook=b'])).toBe(
      `xmargin: Unknown arguments: --markt (did you mean --market?), --boook (did you mean --book?)\n${HELP}`,
    );
    // Named once, as typed, though yargs also lists its camelCase alias.
    expect(await refused(['calibrate', '--prices', ex('prices.csv'), '--days-per-yeer', '252'])).toBe(
      `xmargin: Unknown argument: --days-per-yeer (did you mean --days-per-year?)\n${HELP}`,
    );
    expect(await refused(['run', ...inputs, '--no-progres'])).toBe(
      `xmargin: Unknown argument: --no-progres (did you mean --no-progress?)\n${HELP}`,
    );
  });

  it('names an unknown flag with no near match as it is', async () => {
    expect(await refused(['run', ...inputs, '--bogus'])).toBe(`xmargin: Unknown argument: --bogus\n${HELP}`);
  });

  it('counts a swap of two neighbouring letters as one typo', async () => {
    expect(await refused(['run', ...inputs, '--jsno'])).toBe(`xmargin: Unknown argument: --jsno (did you mean --json?)\n${HELP}`);
  });

  it('suggests a command for an unknown command', async () => {
    expect(await refused(['rn'])).toBe(`xmargin: Unknown argument: rn (did you mean "run"?)\n${HELP}`);
    expect(await refused(['calibrat', '--prices', 'x.csv'])).toContain('calibrat (did you mean "calibrate"?)');
    expect(await refused(['frobnicate'])).toBe(`xmargin: Unknown argument: frobnicate\n${HELP}`);
  });

  it('names a mistyped required flag with the missing ones (yargs reports those first)', async () => {
    expect(await refused(['synth', '--sise', 'S', '--out', '/tmp/never'])).toBe(
      `xmargin: Missing required argument: size\nUnknown argument: --sise (did you mean --size?)\n${HELP}`,
    );
  });
});

describe('did you mean, for a set name', () => {
  it('explain --set suggests the nearest set of the suite', async () => {
    expect(await refused(['explain', ...inputs, '--set', 'crahs', '--scenario', '0'])).toBe(
      'xmargin: --set crahs: the suite has no such set; did you mean "crash"? (sets: grid, crash, history)\n',
    );
  });

  it('sweep (the library) suggests it in its own words', async () => {
    const plan = prepare({
      market: ex('market.json'),
      book: ex('book.json'),
      suite: suite([{ name: 'mc-normal', type: 'montecarlo', count: 1000, distribution: 'normal' }]) as Record<string, unknown>,
    });
    await expect(sweep(plan, 'mc-norml', { parameter: 'weight', values: [0, 1], target: 1 }, 'set')).rejects.toMatchObject({
      name: 'ArgumentError',
      parameter: 'set',
      message: 'set "mc-norml": the suite has no such set; did you mean "mc-normal"? (sets: mc-normal)',
    });
  });
});
