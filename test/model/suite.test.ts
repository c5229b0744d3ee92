import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, test } from 'vitest';
import { loadSuite, parseMarket, parseSuite } from '../../src/model/load.js';
import type { Market } from '../../src/model/types.js';
import { expectIssue, fixture, inputError, tempFile } from './helpers.js';

const F = 'suite.yaml';
const market: Market = parseMarket(JSON.parse(readFileSync(fixture('market.json'), 'utf8')), 'market.json');

type Doc = Record<string, any>;
const grid = (patch: Doc = {}): Doc => ({ name: 'g', type: 'grid', priceMoves: [-0.1, 0.1], ...patch });
const mc = (patch: Doc = {}): Doc => ({ name: 'mc', type: 'montecarlo', count: 1000, ...patch });
const shocks = (patch: Doc = {}): Doc => ({ name: 's', type: 'shocks', shocks: [{ moves: { BTC: -0.2 } }], ...patch });
const hist = (patch: Doc = {}): Doc => ({ name: 'h', type: 'historical', prices: 'prices.csv', ...patch });
const suite = (sets: Doc[], patch: Doc = {}): Doc => ({ scenarioSets: sets, ...patch });
const parse = (doc: unknown) => parseSuite(doc, F, market);

describe('good suites', () => {
  test("the contract's YAML example loads, in the object form, with defaults", () => {
    const file = path.relative(process.cwd(), fixture('suite.yaml'));
    const s = loadSuite(file, market);
    expect(s.seed).toBe(7);
    expect(s.horizonDays).toBe(1);
    expect(s.confidence).toBe(0.99);
    expect(s.maintenanceRatio).toBe(0.8);
    expect(s.scenarioSets).toEqual([
      { name: 'mc-normal', type: 'montecarlo', margin: true, count: 100000, distribution: { type: 'normal' }, volMultiplier: 1 },
      {
        name: 'mc-t4-breakdown',
        type: 'montecarlo',
        margin: true,
        count: 100000,
        distribution: { type: 'student-t', dof: 4 },
        volMultiplier: 1.5,
        correlation: { target: 1, weight: 0.5 },
      },
      { name: 'span-grid', type: 'grid', margin: true, priceMoves: [-0.3, -0.15, 0, 0.15, 0.3], ivMoves: [-0.1, 0, 0.1] },
      {
        name: 'custom',
        type: 'shocks',
        margin: true,
        shocks: [{ moves: { BTC: -0.25, ETH: -0.35 }, ivMove: 0.2 }, { moves: { BTC: 0.2 } }],
      },
      {
        name: 'hist-2008',
        type: 'historical',
        margin: true,
        prices: fixture('data/prices.csv'),
        pricesDisplay: path.join(path.dirname(file), 'data/prices.csv'),
        from: '2008-09-01',
        to: '2008-10-17',
      },
    ]);
    expect(path.isAbsolute(s.scenarioSets[4].type === 'historical' ? s.scenarioSets[4].prices : '')).toBe(true);
  });

  test('the JSON contract example loads', () => {
    const s = loadSuite(fixture('suite.json'), market);
    expect(s.confidence).toBe(0.95);
    expect(s.scenarioSets.map((x) => [x.name, x.type, x.margin])).toEqual([
      ['grid', 'grid', true],
      ['crash', 'shocks', true],
      ['history', 'historical', true],
    ]);
    const h = s.scenarioSets[2];
    expect(h.type === 'historical' && h.prices).toBe(fixture('prices.csv'));
  });

  test('suite-level defaults: seed 0, horizon 1 day, confidence 0.99, maintenance 0.8', () => {
    const s = parse(suite([grid()]));
    expect(s).toEqual({
      seed: 0,
      horizonDays: 1,
      confidence: 0.99,
      maintenanceRatio: 0.8,
      scenarioSets: [{ name: 'g', type: 'grid', margin: true, priceMoves: [-0.1, 0.1], ivMoves: [0] }],
      attribution: { top: 10 },
    });
  });

  test('set defaults: margin true, normal distribution, volMultiplier 1, moves {}', () => {
    const s = parse(suite([mc(), shocks({ shocks: [{ ivMove: 0.1 }] }), grid({ margin: false, underlyings: ['ETH'] })]));
    expect(s.scenarioSets[0]).toEqual({
      name: 'mc',
      type: 'montecarlo',
      margin: true,
      count: 1000,
      distribution: { type: 'normal' },
      volMultiplier: 1,
    });
    expect(s.scenarioSets[1]).toEqual({ name: 's', type: 'shocks', margin: true, shocks: [{ moves: {}, ivMove: 0.1 }] });
    expect(s.scenarioSets[2]).toMatchObject({ margin: false, underlyings: ['ETH'] });
  });

  test('distribution: "normal" shorthand and object forms', () => {
    const s = parse(
      suite([
        mc({ distribution: 'normal' }),
        mc({ name: 'b', distribution: { type: 'normal' } }),
        mc({ name: 't', distribution: { type: 'student-t', dof: 2.5 } }),
      ]),
    );
    expect(s.scenarioSets.map((x) => x.type === 'montecarlo' && x.distribution)).toEqual([
      { type: 'normal' },
      { type: 'normal' },
      { type: 'student-t', dof: 2.5 },
    ]);
  });

  test('correlation overrides, ivMove, boundary values', () => {
    const s = parse(
      suite(
        [
          mc({
            correlation: {
              matrix: [
                [1, -1],
                [-1, 1],
              ],
            },
            ivMove: -0.05,
          }),
          mc({ name: 'w', correlation: { target: -1, weight: 0 } }),
          mc({ name: 'big', count: 4294967295 }),
        ],
        { seed: Number.MAX_SAFE_INTEGER, maintenanceRatio: 1, horizonDays: 0.5 },
      ),
    );
    expect(s.scenarioSets[0]).toMatchObject({
      correlation: {
        matrix: [
          [1, -1],
          [-1, 1],
        ],
      },
      ivMove: -0.05,
    });
    expect(s.scenarioSets[1]).toMatchObject({ correlation: { target: -1, weight: 0 } });
    expect(s.seed).toBe(Number.MAX_SAFE_INTEGER);
    expect(s.maintenanceRatio).toBe(1);
    expect(s.horizonDays).toBe(0.5);
  });

  test('a non-PSD set matrix is accepted with repair: true (the repair is done later)', () => {
    const m3 = parseMarket(
      {
        asOf: '2026-01-01',
        underlyings: [
          { id: 'A', spot: 1, vol: 0.1 },
          { id: 'B', spot: 1, vol: 0.1 },
          { id: 'C', spot: 1, vol: 0.1 },
        ],
      },
      'm.json',
    );
    const matrix = [
      [1, 0.9, 0.9],
      [0.9, 1, -0.9],
      [0.9, -0.9, 1],
    ];
    const s = parseSuite(suite([mc({ correlation: { matrix, repair: true } })]), F, m3);
    expect(s.scenarioSets[0]).toMatchObject({ correlation: { matrix, repair: true } });
    const line = expectIssue(
      () => parseSuite(suite([mc({ correlation: { matrix } })]), F, m3),
      F,
      'scenarioSets[0].correlation.matrix',
      'positive semi-definite',
    );
    expect(line).toContain('repair: true');
    expect(line).toContain('xmargin nearcorr --matrix FILE');
  });

  test('historical prices resolve against baseDir, or the folder of the suite file', () => {
    const doc = suite([hist({ prices: 'data/p.csv' }), hist({ name: 'abs', prices: '/srv/p.csv' })]);
    const s = parseSuite(doc, 'runs/suite.yaml', market);
    expect(s.scenarioSets[0]).toMatchObject({
      prices: path.resolve('runs/data/p.csv'),
      pricesDisplay: path.join('runs', 'data/p.csv'),
    });
    expect(s.scenarioSets[1]).toMatchObject({ prices: '/srv/p.csv', pricesDisplay: '/srv/p.csv' });
    const t = parseSuite(doc, '<suite>', market, '/base');
    expect(t.scenarioSets[0]).toMatchObject({ prices: '/base/data/p.csv' });
  });
});

describe('bad suite fields', () => {
  test('attribution.top: a positive whole number', () => {
    for (const [top, found] of [
      [0, 'found 0'],
      [-3, 'found -3'],
      [2.5, 'found 2.5'],
      ['10', 'found "10"'],
    ] as const) {
      expectIssue(
        () => parse(suite([grid()], { attribution: { top } })),
        F,
        'attribution.top',
        'expected a positive whole number of positions',
        found,
      );
    }
    expectIssue(() => parse(suite([grid()], { attribution: { tops: 3 } })), F, 'attribution.tops', 'unknown field');
    expect(parse(suite([grid()], { attribution: { top: 3 } })).attribution).toEqual({ top: 3 });
  });

  test('seed: a non-negative safe integer', () => {
    expectIssue(() => parse(suite([grid()], { seed: -1 })), F, 'seed', 'expected a non-negative integer seed', 'found -1');
    expectIssue(() => parse(suite([grid()], { seed: 1.5 })), F, 'seed', 'expected a non-negative integer seed', 'found 1.5');
    expectIssue(
      () => parse(suite([grid()], { seed: 2 ** 53 })),
      F,
      'seed',
      'expected a non-negative integer seed',
      'found 9007199254740992',
    );
    expectIssue(() => parse(suite([grid()], { seed: '7' })), F, 'seed', 'expected a non-negative integer seed', 'found "7"');
  });

  test('horizonDays > 0, confidence in (0, 1), maintenanceRatio in (0, 1]', () => {
    expectIssue(() => parse(suite([grid()], { horizonDays: 0 })), F, 'horizonDays', 'expected a horizon in days > 0', 'found 0');
    expectIssue(
      () => parse(suite([grid()], { confidence: 1 })),
      F,
      'confidence',
      'expected a confidence level in (0, 1)',
      'found 1',
    );
    expectIssue(() => parse(suite([grid()], { confidence: 0 })), F, 'confidence', 'in (0, 1)', 'found 0');
    expectIssue(
      () => parse(suite([grid()], { maintenanceRatio: 0 })),
      F,
      'maintenanceRatio',
      'expected a maintenance ratio in (0, 1]',
      'found 0',
    );
    expectIssue(() => parse(suite([grid()], { maintenanceRatio: 1.2 })), F, 'maintenanceRatio', 'in (0, 1]', 'found 1.2');
  });

  test('scenarioSets: a non-empty list of known types', () => {
    expectIssue(
      () => parse(suite([])),
      F,
      'scenarioSets',
      'expected a list of scenario sets with at least one item',
      'found an empty list',
    );
    expectIssue(() => parse({}), F, 'scenarioSets', 'expected a list of scenario sets', 'missing');
    expectIssue(
      () => parse(suite([grid(), { name: 'x', type: 'monte-carlo' }])),
      F,
      'scenarioSets[1].type',
      'expected "montecarlo", "grid", "shocks" or "historical"',
      'found "monte-carlo"',
    );
    expectIssue(
      () => parse(suite([{ name: 'x' }])),
      F,
      'scenarioSets[0].type',
      'expected "montecarlo", "grid", "shocks" or "historical"',
      'missing',
    );
    expectIssue(
      () => parse(suite([grid({ name: '' })])),
      F,
      'scenarioSets[0].name',
      'expected a set name (a non-empty string)',
      'found ""',
    );
    expectIssue(() => parse(suite([grid({ margin: 'yes' })])), F, 'scenarioSets[0].margin', 'true or false', 'found "yes"');
  });

  test('unknown fields in a set, with a suggestion', () => {
    expectIssue(
      () => parse(suite([mc({ counts: 5 })])),
      F,
      'scenarioSets[0].counts',
      'unknown field',
      'did you mean "count"?',
      'volMultiplier',
    );
    expectIssue(
      () => parse(suite([grid({ ivMove: 0.1 })])),
      F,
      'scenarioSets[0].ivMove',
      'unknown field',
      'did you mean "ivMoves"?',
    );
  });

  test('duplicate set names', () => {
    expectIssue(
      () => parse(suite([grid({ name: 'a' }), mc({ name: 'a' })])),
      F,
      'scenarioSets[1].name',
      'expected a unique set name',
      'found "a" again (first at scenarioSets[0])',
    );
  });

  test('at least one set must count toward margin', () => {
    expectIssue(
      () => parse(suite([grid({ margin: false }), mc({ margin: false })])),
      F,
      'scenarioSets',
      'expected at least one set that counts toward margin',
      'margin: false',
    );
  });
});

describe('bad montecarlo sets', () => {
  test('count: an integer in [1, 4294967295]', () => {
    for (const count of [0, 1.5, 4294967296]) {
      expectIssue(
        () => parse(suite([mc({ count })])),
        F,
        'scenarioSets[0].count',
        'expected an integer in [1, 4294967295]',
        `found ${count}`,
      );
    }
    expectIssue(
      () => parse(suite([mc({ count: undefined })])),
      F,
      'scenarioSets[0].count',
      'expected an integer in [1, 4294967295]',
      'missing',
    );
  });

  test('distribution forms and dof > 2', () => {
    const D = 'expected "normal", {type: normal} or {type: student-t, dof}';
    expectIssue(
      () => parse(suite([mc({ distribution: 'student-t' })])),
      F,
      'scenarioSets[0].distribution',
      D,
      'found "student-t"',
    );
    expectIssue(
      () => parse(suite([mc({ distribution: { type: 'cauchy' } })])),
      F,
      'scenarioSets[0].distribution.type',
      'expected "normal" or "student-t"',
      'found "cauchy"',
    );
    expectIssue(
      () => parse(suite([mc({ distribution: { type: 'student-t', dof: 2 } })])),
      F,
      'scenarioSets[0].distribution.dof',
      'expected degrees of freedom > 2',
      'found 2',
    );
    expectIssue(
      () => parse(suite([mc({ distribution: { type: 'student-t' } })])),
      F,
      'scenarioSets[0].distribution.dof',
      'degrees of freedom > 2',
      'missing',
    );
    expectIssue(
      () => parse(suite([mc({ distribution: { type: 'normal', dof: 4 } })])),
      F,
      'scenarioSets[0].distribution.dof',
      'unknown field',
    );
  });

  test('volMultiplier > 0, ivMove finite', () => {
    expectIssue(
      () => parse(suite([mc({ volMultiplier: 0 })])),
      F,
      'scenarioSets[0].volMultiplier',
      'expected a number > 0',
      'found 0',
    );
    expectIssue(
      () => parse(suite([mc({ ivMove: 'up' })])),
      F,
      'scenarioSets[0].ivMove',
      'expected a finite iv move',
      'found "up"',
    );
  });

  test('correlation {target, weight}', () => {
    expectIssue(
      () => parse(suite([mc({ correlation: { target: 1.5, weight: 0.5 } })])),
      F,
      'scenarioSets[0].correlation.target',
      'expected a target correlation in [-1, 1]',
      'found 1.5',
    );
    expectIssue(
      () => parse(suite([mc({ correlation: { target: 1, weight: 2 } })])),
      F,
      'scenarioSets[0].correlation.weight',
      'expected a weight in [0, 1]',
      'found 2',
    );
    expectIssue(
      () => parse(suite([mc({ correlation: { target: 1 } })])),
      F,
      'scenarioSets[0].correlation.weight',
      'expected a weight in [0, 1]',
      'missing',
    );
    expectIssue(
      () => parse(suite([mc({ correlation: {} })])),
      F,
      'scenarioSets[0].correlation',
      'expected {target, weight} or {matrix, repair}',
      'found an empty object',
    );
    expectIssue(
      () => parse(suite([mc({ correlation: 0.5 })])),
      F,
      'scenarioSets[0].correlation',
      'expected {target, weight} or {matrix, repair}',
      'found 0.5',
    );
  });

  test('correlation {matrix}: n x n, range, unit diagonal, symmetric', () => {
    const at = 'scenarioSets[0].correlation.matrix';
    expectIssue(
      () => parse(suite([mc({ correlation: { matrix: [[1]] } })])),
      F,
      at,
      'expected a 2 x 2 matrix',
      'BTC, ETH',
      'found 1 row',
    );
    expectIssue(
      () => parse(suite([mc({ correlation: { matrix: [[1, 0.5], [0.5]] } })])),
      F,
      `${at}[1]`,
      'expected 2 entries',
      'found 1',
    );
    expectIssue(
      () =>
        parse(
          suite([
            mc({
              correlation: {
                matrix: [
                  [1, -1.5],
                  [-1.5, 1],
                ],
              },
            }),
          ]),
        ),
      F,
      `${at}[0][1]`,
      'in [-1, 1]',
      'found -1.5',
    );
    expectIssue(
      () =>
        parse(
          suite([
            mc({
              correlation: {
                matrix: [
                  [2, 0.5],
                  [0.5, 1],
                ],
              },
            }),
          ]),
        ),
      F,
      `${at}[0][0]`,
      'expected 1 on the diagonal',
      'found 2',
    );
    expectIssue(
      () =>
        parse(
          suite([
            mc({
              correlation: {
                matrix: [
                  [1, 0.5],
                  [0.4, 1],
                ],
              },
            }),
          ]),
        ),
      F,
      `${at}[1][0]`,
      'expected a symmetric matrix',
      'found 0.4 here but 0.5',
    );
    // repair: true does not excuse a malformed matrix.
    expectIssue(
      () =>
        parse(
          suite([
            mc({
              correlation: {
                matrix: [
                  [1, 0.5],
                  [0.4, 1],
                ],
                repair: true,
              },
            }),
          ]),
        ),
      F,
      `${at}[1][0]`,
      'expected a symmetric matrix',
    );
    expectIssue(
      () =>
        parse(
          suite([
            mc({
              correlation: {
                matrix: [
                  [1, 0],
                  [0, 1],
                ],
                repair: 'yes',
              },
            }),
          ]),
        ),
      F,
      'scenarioSets[0].correlation.repair',
      'true or false',
      'found "yes"',
    );
  });
});

describe('bad grid, shocks and historical sets', () => {
  test('grid priceMoves: non-empty, each > -1', () => {
    expectIssue(
      () => parse(suite([grid({ priceMoves: [] })])),
      F,
      'scenarioSets[0].priceMoves',
      'expected a list of price moves with at least one item',
      'found an empty list',
    );
    expectIssue(
      () => parse(suite([grid({ priceMoves: [0.1, -1] })])),
      F,
      'scenarioSets[0].priceMoves[1]',
      'expected a simple return > -1',
      'found -1',
    );
    expectIssue(
      () => parse(suite([grid({ ivMoves: [] })])),
      F,
      'scenarioSets[0].ivMoves',
      'at least one item',
      'found an empty list',
    );
    expectIssue(
      () => parse(suite([grid({ ivMoves: [0, null] })])),
      F,
      'scenarioSets[0].ivMoves[1]',
      'expected a finite iv move',
      'found null',
    );
  });

  test('grid underlyings: non-empty, unique, market underlyings', () => {
    expectIssue(
      () => parse(suite([grid({ underlyings: [] })])),
      F,
      'scenarioSets[0].underlyings',
      'at least one item',
      'found an empty list',
    );
    expectIssue(
      () => parse(suite([grid({ underlyings: ['BTC', 'SOL'] })])),
      F,
      'scenarioSets[0].underlyings[1]',
      "expected one of the market's underlyings (BTC, ETH)",
      'found "SOL"',
    );
    expectIssue(
      () => parse(suite([grid({ underlyings: ['BTC', 'BTC'] })])),
      F,
      'scenarioSets[0].underlyings[1]',
      'expected each underlying once',
      'found "BTC" again',
    );
  });

  test('shocks: a non-empty list; moves of market underlyings, > -1', () => {
    expectIssue(
      () => parse(suite([shocks({ shocks: [] })])),
      F,
      'scenarioSets[0].shocks',
      'expected a list of shocks with at least one item',
      'found an empty list',
    );
    const sets = [grid(), mc(), shocks({ shocks: [{ moves: { BTC: -0.1, DOGE: -0.5 } }] })];
    expectIssue(
      () => parse(suite(sets)),
      F,
      'scenarioSets[2].shocks[0].moves.DOGE',
      "expected one of the market's underlyings (BTC, ETH)",
      'found "DOGE"',
    );
    expectIssue(
      () => parse(suite([shocks({ shocks: [{ moves: { BTC: -1.2 } }] })])),
      F,
      'scenarioSets[0].shocks[0].moves.BTC',
      'expected a simple return > -1',
      'found -1.2',
    );
    expectIssue(
      () => parse(suite([shocks({ shocks: [{ moves: ['BTC'] }] })])),
      F,
      'scenarioSets[0].shocks[0].moves',
      'expected an object of moves',
      'found a list of 1 item',
    );
    expectIssue(
      () => parse(suite([shocks({ shocks: [{ moves: {}, ivMove: Infinity }] })])),
      F,
      'scenarioSets[0].shocks[0].ivMove',
      'expected a finite iv move',
      'found Infinity',
    );
    expectIssue(
      () => parse(suite([shocks({ shocks: [{ move: { BTC: 0.1 } }] })])),
      F,
      'scenarioSets[0].shocks[0].move',
      'unknown field',
      'did you mean "moves"?',
    );
  });

  test('historical: prices path, real dates, from <= to', () => {
    expectIssue(
      () => parse(suite([hist({ prices: undefined })])),
      F,
      'scenarioSets[0].prices',
      'expected the path of a price CSV file',
      'missing',
    );
    expectIssue(
      () => parse(suite([hist({ prices: '' })])),
      F,
      'scenarioSets[0].prices',
      'expected the path of a price CSV file',
      'found ""',
    );
    expectIssue(
      () => parse(suite([hist({ from: '2026-02-30' })])),
      F,
      'scenarioSets[0].from',
      'expected a real calendar date YYYY-MM-DD',
      'found "2026-02-30"',
    );
    expectIssue(() => parse(suite([hist({ to: '10/17/2008' })])), F, 'scenarioSets[0].to', 'YYYY-MM-DD', 'found "10/17/2008"');
    expectIssue(
      () => parse(suite([hist({ from: '2008-10-17', to: '2008-09-01' })])),
      F,
      'scenarioSets[0].from',
      'expected a date on or before to (2008-09-01)',
      'found 2008-10-17',
    );
    expect(parse(suite([hist({ from: '2008-10-17', to: '2008-10-17' })])).scenarioSets[0]).toMatchObject({
      from: '2008-10-17',
      to: '2008-10-17',
    });
  });

  test('a historical set needs a whole number of days', () => {
    expectIssue(
      () => parse(suite([hist(), hist({ name: 'h2' })], { horizonDays: 1.5 })),
      F,
      'horizonDays',
      'expected a whole number of days',
      'historical',
      // A window is h steps, h + 1 rows: "windows of h rows" was wrong.
      'each window runs from a price row to the row h rows later',
      'found 1.5',
    );
    const err = inputError(() => parse(suite([hist(), hist({ name: 'h2' })], { horizonDays: 1.5 })));
    expect(err.issues).toHaveLength(1);
  });

  test('loadSuite: a missing price file is reported at the set', () => {
    const file = tempFile('suite.json', JSON.stringify(suite([grid(), hist({ prices: 'nowhere/p.csv' })])));
    expectIssue(
      () => loadSuite(file, market),
      file,
      'scenarioSets[1].prices',
      'expected a price CSV file',
      `found no file at ${path.join(path.dirname(file), 'nowhere/p.csv')}`,
    );
  });
});
