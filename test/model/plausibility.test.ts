// Values in the wrong unit pass validation but not unnoticed: a vol of 32 (meant: 0.32) gave a
// segregated IM of 1.2e33 and "efficiency 100%" without a word. Each is a warning naming the file,
// the path, the value and the likely intended value; strict (--strict) makes them errors.
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { InputError, prepare, run, type InputWarning } from '../../src/index.js';
import { fixture, xmarginInProcess } from '../helpers/cli.js';
import { market, suite } from '../helpers/inputs.js';

const ex = (f: string) => fixture('contract-example', f);
const read = (f: string) => JSON.parse(readFileSync(ex(f), 'utf8'));

function withVol32(): { dir: string; args: string[] } {
  const dir = mkdtempSync(join(tmpdir(), 'xm-plaus-'));
  const m = read('market.json');
  m.underlyings[0].vol = 32;
  writeFileSync(join(dir, 'market.json'), JSON.stringify(m));
  return { dir, args: ['--market', join(dir, 'market.json'), '--book', ex('book.json'), '--suite', ex('suite.json')] };
}

describe('implausible values', () => {
  it('xmargin run warns on stderr, naming file, path, value and the likely value, and runs', async () => {
    const { dir, args } = withVol32();
    const r = await xmarginInProcess(['run', ...args, '--out', join(dir, 'out')]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toBe(
      `xmargin: warning: ${join(dir, 'market.json')}: underlyings[0].vol: an annualised volatility of 32 is implausible ` +
        '(above 5 in absolute value); it looks like a percentage: did you mean 0.32? (--strict makes this an error)\n',
    );
    expect(existsSync(join(dir, 'out', 'report.json'))).toBe(true);
  });

  it('--strict makes the warning an error: exit 2, nothing written', async () => {
    const { dir, args } = withVol32();
    const r = await xmarginInProcess(['run', ...args, '--out', join(dir, 'out'), '--strict']);
    expect(r.code).toBe(2);
    expect(r.stderr).toBe(
      `xmargin: ${join(dir, 'market.json')}: underlyings[0].vol: an annualised volatility of 32 is implausible ` +
        '(above 5 in absolute value); it looks like a percentage: did you mean 0.32?\n',
    );
    expect(existsSync(join(dir, 'out'))).toBe(false);
  });

  it('xmargin sweep warns too, and takes --strict', async () => {
    const { dir, args } = withVol32();
    const mcSuite = join(dir, 'suite.json');
    writeFileSync(mcSuite, JSON.stringify(suite([{ name: 'mc', type: 'montecarlo', count: 200, distribution: 'normal' }])));
    const sweepArgs = [
      'sweep',
      ...args.slice(0, 4),
      '--suite',
      mcSuite,
      '--set',
      'mc',
      '--weights',
      '0,1',
      '--workers',
      '1',
      '--json',
    ];
    const strict = await xmarginInProcess([...sweepArgs, '--strict']);
    expect(strict.code).toBe(2);
    expect(strict.stdout).toBe('');
    expect(strict.stderr).toContain('underlyings[0].vol: an annualised volatility of 32 is implausible');
    const r = await xmarginInProcess(sweepArgs);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toBe(
      `xmargin: warning: ${join(dir, 'market.json')}: underlyings[0].vol: an annualised volatility of 32 is implausible ` +
        '(above 5 in absolute value); it looks like a percentage: did you mean 0.32? (--strict makes this an error)\n',
    );
  });

  it('the library returns them from prepare, passes them to onWarning, and throws under strict', async () => {
    const m = market([{ id: 'A', spot: 100, vol: 32 }], undefined, { rate: 5 });
    const book = {
      instruments: [
        { id: 'A-F', type: 'future', underlying: 'A' },
        { id: 'A-C', type: 'option', underlying: 'A', right: 'call', strike: 100, expiry: '2026-12-26', iv: 55 },
      ],
      accounts: [{ id: 'x', collateral: 1000, positions: [{ instrument: 'A-F', quantity: 1 }] }],
    };
    const s = suite([
      { name: 'mc', type: 'montecarlo', count: 100, distribution: 'normal', volMultiplier: 150, ivMove: 10 },
      { name: 'grid', type: 'grid', priceMoves: [-0.2, 20], ivMoves: [0, -8] },
      { name: 'shock', type: 'shocks', shocks: [{ moves: { A: 30 }, ivMove: 0.1 }] },
    ]);
    const plan = prepare({ market: m, book, suite: s });
    expect(plan.warnings.map((w) => [w.file, w.path, w.value, w.likely])).toEqual([
      ['<market>', 'rate', 5, 0.05],
      ['<market>', 'underlyings[0].vol', 32, 0.32],
      ['<book>', 'instruments[1].iv', 55, 0.55],
      ['<suite>', 'scenarioSets[0].volMultiplier', 150, 1.5],
      ['<suite>', 'scenarioSets[0].ivMove', 10, 0.1],
      ['<suite>', 'scenarioSets[1].priceMoves[1]', 20, 0.2],
      ['<suite>', 'scenarioSets[1].ivMoves[1]', -8, -0.08],
      ['<suite>', 'scenarioSets[2].shocks[0].moves.A', 30, 0.3],
    ]);
    expect(plan.warnings[1].message).toBe(
      '<market>: underlyings[0].vol: an annualised volatility of 32 is implausible (above 5 in absolute value); it looks like a percentage: did you mean 0.32?',
    );

    const seen: InputWarning[] = [];
    await run({ market: m, book, suite: s, workers: 1, onWarning: (w) => seen.push(w) });
    expect(seen.map((w) => w.path)).toEqual(plan.warnings.map((w) => w.path));

    const err = await run({ market: m, book, suite: s, workers: 1, strict: true }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(InputError);
    // The first file with implausible values, all of its lines.
    expect((err as InputError).file).toBe('<market>');
    expect((err as InputError).issues.map((i) => i.path)).toEqual(['rate', 'underlyings[0].vol']);
  });

  it("warns on the add-ons' spreads, short option minimum and credit surcharges typed as percentages", () => {
    const m = market([
      { id: 'A', spot: 100, vol: 0.5, adv: 1e9, spread: 4 },
      { id: 'B', spot: 10, vol: 0.5, adv: 1e9, spread: 0.5 },
    ]);
    const book = {
      instruments: [{ id: 'A-F', type: 'future', underlying: 'A' }],
      accounts: [{ id: 'x', collateral: 1000, positions: [{ instrument: 'A-F', quantity: 1 }] }],
      portfolios: [{ id: 'p', accounts: ['x'], rating: 'B' }],
    };
    const s = suite([{ name: 'g', type: 'grid', priceMoves: [-0.1] }], {
      addOns: { liquidity: { impact: 1 }, shortOptionMinimum: 10, credit: { A: 2, B: 15 } },
    });
    const plan = prepare({ market: m, book, suite: s });
    // B's spread and the A surcharge sit at their limits: no warning.
    expect(plan.warnings.map((w) => [w.file, w.path, w.value, w.likely])).toEqual([
      ['<market>', 'underlyings[0].spread', 4, 0.04],
      ['<suite>', 'addOns.shortOptionMinimum', 10, 0.1],
      ['<suite>', 'addOns.credit.B', 15, 0.15],
    ]);
    expect(() => prepare({ market: m, book, suite: s, strict: true })).toThrow(
      /<market>: underlyings\[0\]\.spread: a relative bid-ask spread of 4/,
    );
  });

  it('values at the limits are no warning; a haircut outside [0, 1) is already an error', () => {
    const m = market([{ id: 'A', spot: 100, vol: 5 }], undefined, { rate: -1 });
    const book = (haircut: number) => ({
      instruments: [{ id: 'A-F', type: 'future', underlying: 'A' }],
      accounts: [{ id: 'x', collateral: [{ asset: 'A', amount: 1, haircut }], positions: [] }],
    });
    const s = suite([{ name: 'g', type: 'grid', priceMoves: [5], ivMoves: [-5] }]);
    expect(prepare({ market: m, book: book(0.2), suite: s, strict: true }).warnings).toEqual([]);
    expect(() => prepare({ market: m, book: book(20), suite: s })).toThrow(
      /<book>: accounts\[0\]\.collateral\[0\]\.haircut: expected a haircut in \[0, 1\), found 20/,
    );
  });
});
