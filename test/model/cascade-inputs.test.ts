// The suite's `cascade` block (contract section 9): defaults, each bad input named by file and
// path, and the `adv` it needs from the market, end to end (exit 2, nothing written).
import { existsSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, test } from 'vitest';
import { parseMarket, parseSuite } from '../../src/model/load.js';
import { readDocument } from '../../src/model/read.js';
import { xmarginInProcess } from '../helpers/cli.js';
import { expectIssue, tempFile } from './helpers.js';

const F = 'suite.yaml';
const market = parseMarket(
  {
    asOf: '2026-11-20',
    underlyings: [
      { id: 'BTC', spot: 90_000, vol: 0.5, adv: 2e6 },
      { id: 'ETH', spot: 3000, vol: 0.65 },
    ],
  },
  'market.json',
);

type Doc = Record<string, any>;
const sets: Doc[] = [
  { name: 'grid', type: 'grid', priceMoves: [-0.2, 0.2] },
  { name: 'crash', type: 'shocks', shocks: [{ moves: { BTC: -0.3 } }] },
  { name: 'mc', type: 'montecarlo', count: 100 },
  { name: 'hist', type: 'historical', prices: 'prices.csv' },
];
const parse = (cascade: unknown) => parseSuite({ scenarioSets: sets, cascade }, F, market);

describe('cascade block', () => {
  test('defaults: impact 1, 10 rounds; absent, no cascade', () => {
    expect(parse({ sets: ['grid', 'hist'] }).cascade).toEqual({ sets: ['grid', 'hist'], impact: 1, maxRounds: 10 });
    expect(parse({ sets: ['crash'], impact: 0.5, maxRounds: 3 }).cascade).toEqual({
      sets: ['crash'],
      impact: 0.5,
      maxRounds: 3,
    });
    expect(parseSuite({ scenarioSets: sets }, F, market).cascade).toBeUndefined();
  });

  test('a name that is not a set of the suite, with a suggestion', () => {
    expectIssue(
      () => parse({ sets: ['grid', 'crsh'] }),
      F,
      'cascade.sets[1]',
      'expected the name of a scenario set of the suite',
      'found "crsh"',
      'did you mean "crash"?',
    );
  });

  test('a Monte Carlo set', () => {
    expectIssue(
      () => parse({ sets: ['mc'] }),
      F,
      'cascade.sets[0]',
      'expected a shocks, grid or historical set',
      '"mc", a montecarlo set (scenarioSets[2])',
    );
  });

  test('a set named twice', () => {
    expectIssue(() => parse({ sets: ['grid', 'grid'] }), F, 'cascade.sets[1]', 'expected each set once', 'found "grid" again');
  });

  test('no sets, or not a list', () => {
    expectIssue(() => parse({ sets: [] }), F, 'cascade.sets', 'at least one item');
    expectIssue(() => parse({ sets: 'grid' }), F, 'cascade.sets', 'expected a list of scenario set names');
    expectIssue(() => parse({}), F, 'cascade.sets', 'expected a list of scenario set names');
  });

  test('impact negative or not a finite number', () => {
    for (const [impact, found] of [
      [-0.5, 'found -0.5'],
      ['1', 'found "1"'],
    ] as const)
      expectIssue(() => parse({ sets: ['grid'], impact }), F, 'cascade.impact', 'expected a market impact factor >= 0', found);
    // YAML can write an infinity, which JSON cannot.
    const file = tempFile(
      'suite.yaml',
      'scenarioSets: [{ name: grid, type: grid, priceMoves: [-0.2] }]\ncascade: { sets: [grid], impact: .inf }\n',
    );
    expectIssue(
      () => parseSuite(readDocument(file), file, market),
      file,
      'cascade.impact',
      'expected a market impact factor >= 0',
    );
  });

  test('maxRounds not a positive whole number', () => {
    for (const [maxRounds, found] of [
      [0, 'found 0'],
      [-2, 'found -2'],
      [2.5, 'found 2.5'],
      ['3', 'found "3"'],
    ] as const)
      expectIssue(
        () => parse({ sets: ['grid'], maxRounds }),
        F,
        'cascade.maxRounds',
        'expected a positive whole number of rounds',
        found,
      );
  });

  test('an unknown field', () => {
    expectIssue(() => parse({ sets: ['grid'], rounds: 3 }), F, 'cascade.rounds', 'unknown field');
  });
});

describe('bad cascade input on the command line: exit 2 naming file and path, nothing written', () => {
  const dir = mkdtempSync(join(tmpdir(), 'xm-cascade-'));
  const write = (name: string, doc: unknown) => {
    const f = join(dir, name);
    writeFileSync(f, JSON.stringify(doc));
    return f;
  };
  const goodMarket = {
    asOf: '2026-11-20',
    underlyings: [
      { id: 'X', spot: 100, vol: 0.5, adv: 100_000 },
      { id: 'Y', spot: 10, vol: 0.5 },
    ],
  };
  // Y is held only as collateral: collateral is never sold, so Y needs no adv.
  const book = {
    instruments: [{ id: 'X-PERP', type: 'future', underlying: 'X' }],
    accounts: [
      {
        id: 'A',
        collateral: [{ asset: 'Y', amount: 100 }],
        positions: [{ instrument: 'X-PERP', quantity: 1 }],
      },
    ],
  };
  const moves = [
    { name: 'moves', type: 'shocks', shocks: [{ moves: { X: -0.1 } }] },
    { name: 'mc', type: 'montecarlo', count: 100 },
  ];
  const suite = (cascade: unknown) => ({ scenarioSets: moves, cascade });

  const cases: [string, { market?: unknown; suite?: unknown }, 'market' | 'suite', RegExp][] = [
    [
      'missing adv',
      { market: { ...goodMarket, underlyings: [{ id: 'X', spot: 100, vol: 0.5 }, goodMarket.underlyings[1]] } },
      'market',
      /underlyings\[0\]\.adv.*cascade is configured.*accounts\[0\]\.positions\[0\]/,
    ],
    ['unknown set', { suite: suite({ sets: ['move'] }) }, 'suite', /cascade\.sets\[0\].*"move".*did you mean "moves"/],
    ['montecarlo set', { suite: suite({ sets: ['mc'] }) }, 'suite', /cascade\.sets\[0\].*montecarlo/],
    ['negative impact', { suite: suite({ sets: ['moves'], impact: -1 }) }, 'suite', /cascade\.impact.*>= 0/],
    ['zero rounds', { suite: suite({ sets: ['moves'], maxRounds: 0 }) }, 'suite', /cascade\.maxRounds.*positive whole/],
  ];
  /** `xmargin run` on the three files into `out`, in-process. */
  const runOn = (files: { market: string; book: string; suite: string }, out: string, ...extra: string[]) =>
    xmarginInProcess(['run', '--market', files.market, '--book', files.book, '--suite', files.suite, '--out', out, ...extra]);
  for (const [name, docs, bad, pattern] of cases) {
    test(name, async () => {
      const files = {
        market: write(`${name}-market.json`, docs.market ?? goodMarket),
        book: write(`${name}-book.json`, book),
        suite: write(`${name}-suite.json`, docs.suite ?? suite({ sets: ['moves'] })),
      };
      const out = join(dir, `${name}-out`);
      const r = await runOn(files, out);
      expect(r.code).toBe(2);
      expect(r.stderr).toContain(files[bad]);
      expect(r.stderr).toMatch(pattern);
      expect(existsSync(join(out, 'report.json'))).toBe(false);
    });
  }

  test('the good inputs pass (adv on the held underlying only)', async () => {
    const files = {
      market: write('good-market.json', goodMarket),
      book: write('good-book.json', book),
      suite: write('good-suite.json', suite({ sets: ['moves'] })),
    };
    const r = await runOn(files, join(dir, 'good-out'), '--workers', '1');
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
  });
});
