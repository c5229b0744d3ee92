import { readFileSync } from 'node:fs';
import { describe, expect, test } from 'vitest';
import { InputError, MAX_LISTED_ISSUES } from '../../src/errors.js';
import { loadMarket, parseMarket } from '../../src/model/load.js';
import { expectIssue, fixture, inputError, tempFile } from './helpers.js';

const F = 'market.json';
const example = JSON.parse(readFileSync(fixture('market.json'), 'utf8'));

function market(patch: Record<string, unknown> = {}): Record<string, unknown> {
  return { ...structuredClone(example), ...patch };
}

const three = [
  { id: 'A', spot: 10, vol: 0.2 },
  { id: 'B', spot: 20, vol: 0.3 },
  { id: 'C', spot: 30, vol: 0.4 },
];

describe('good markets', () => {
  test('the contract example loads as written', () => {
    const m = loadMarket(fixture('market.json'));
    expect(m.asOf).toBe('2026-11-20');
    expect(m.currency).toBe('USD');
    expect(m.rate).toBe(0.04);
    expect(m.daysPerYear).toBe(365);
    expect(m.underlyings).toEqual([
      { id: 'BTC', spot: 90000, vol: 0.5 },
      { id: 'ETH', spot: 3000, vol: 0.65 },
    ]);
    expect(m.correlation).toEqual([
      [1, 0.85],
      [0.85, 1],
    ]);
    expect(m.calibration).toBeUndefined();
  });

  test('defaults: currency USD, rate 0, daysPerYear 365, identity correlation', () => {
    const m = parseMarket({ asOf: '2026-01-02', underlyings: three }, F);
    expect(m.currency).toBe('USD');
    expect(m.rate).toBe(0);
    expect(m.daysPerYear).toBe(365);
    expect(m.correlation).toEqual([
      [1, 0, 0],
      [0, 1, 0],
      [0, 0, 1],
    ]);
  });

  test('calibration is free-form and kept', () => {
    const calibration = { method: 'ewma', observations: 250, dropped: 3, lambda: 0.94 };
    expect(parseMarket(market({ calibration }), F).calibration).toEqual(calibration);
  });

  test('a singular PSD matrix (perfect correlation) is valid', () => {
    const m = parseMarket(
      market({
        correlation: [
          [1, 1],
          [1, 1],
        ],
      }),
      F,
    );
    expect(m.correlation).toEqual([
      [1, 1],
      [1, 1],
    ]);
  });

  test('rounding noise below the tolerances is accepted', () => {
    const c = [
      [1, 0.5 + 1e-13, 0.5],
      [0.5, 1, 0.5],
      [0.5, 0.5, 1],
    ];
    expect(parseMarket({ asOf: '2026-01-02', underlyings: three, correlation: c }, F).correlation[0][1]).toBeCloseTo(0.5, 12);
    // Rank 1 (all correlations 1): the smallest eigenvalue is zero up to rounding.
    const ones = [
      [1, 1, 1],
      [1, 1, 1],
      [1, 1, 1],
    ];
    expect(parseMarket({ asOf: '2026-01-02', underlyings: three, correlation: ones }, F).correlation).toEqual(ones);
  });
});

describe('bad fields', () => {
  test('missing asOf', () => {
    const doc = market();
    delete doc.asOf;
    expectIssue(() => parseMarket(doc, F), F, 'asOf', 'expected a date YYYY-MM-DD', 'missing');
  });

  test('dates must exist on the calendar and be written YYYY-MM-DD', () => {
    expectIssue(
      () => parseMarket(market({ asOf: '2026-02-30' }), F),
      F,
      'asOf',
      'expected a real calendar date YYYY-MM-DD',
      'found "2026-02-30"',
    );
    expectIssue(() => parseMarket(market({ asOf: '2026-2-3' }), F), F, 'asOf', 'YYYY-MM-DD', 'found "2026-2-3"');
    expectIssue(() => parseMarket(market({ asOf: 20261120 }), F), F, 'asOf', 'expected a date YYYY-MM-DD', 'found 20261120');
    expect(parseMarket(market({ asOf: '2028-02-29' }), F).asOf).toBe('2028-02-29');
    expectIssue(() => parseMarket(market({ asOf: '2100-02-29' }), F), F, 'asOf', 'real calendar date');
  });

  test('numbers must be finite numbers', () => {
    expectIssue(() => parseMarket(market({ rate: 'x' }), F), F, 'rate', 'expected a finite rate', 'found "x"');
    expectIssue(() => parseMarket(market({ rate: Infinity }), F), F, 'rate', 'expected a finite rate', 'found Infinity');
    expectIssue(() => parseMarket(market({ rate: NaN }), F), F, 'rate', 'expected a finite rate', 'found NaN');
  });

  test('daysPerYear must be > 0', () => {
    expectIssue(() => parseMarket(market({ daysPerYear: 0 }), F), F, 'daysPerYear', 'expected a number > 0', 'found 0');
  });

  test('currency must be a non-empty id', () => {
    expectIssue(
      () => parseMarket(market({ currency: '' }), F),
      F,
      'currency',
      'expected a currency code (a non-empty string)',
      'found ""',
    );
  });

  test('underlyings: non-empty, spot > 0, vol >= 0, ids trimmed', () => {
    expectIssue(
      () => parseMarket(market({ underlyings: [] }), F),
      F,
      'underlyings',
      'expected a list of underlyings with at least one item',
      'found an empty list',
    );
    expectIssue(
      () => parseMarket(market({ underlyings: 'BTC' }), F),
      F,
      'underlyings',
      'expected a list of underlyings',
      'found "BTC"',
    );
    const bad = structuredClone(example.underlyings);
    bad[1].spot = 0;
    expectIssue(
      () => parseMarket(market({ underlyings: bad }), F),
      F,
      'underlyings[1].spot',
      'expected a spot price > 0',
      'found 0',
    );
    const neg = structuredClone(example.underlyings);
    neg[0].vol = -0.1;
    expectIssue(() => parseMarket(market({ underlyings: neg }), F), F, 'underlyings[0].vol', 'volatility >= 0', 'found -0.1');
    const spaced = structuredClone(example.underlyings);
    spaced[0].id = ' BTC';
    expectIssue(
      () => parseMarket(market({ underlyings: spaced, correlation: undefined }), F),
      F,
      'underlyings[0].id',
      'without leading or trailing spaces',
      'found " BTC"',
    );
    expectIssue(
      () => parseMarket(market({ underlyings: [{ id: 'X', spot: 1, vol: 0.1 }, 7], correlation: undefined }), F),
      F,
      'underlyings[1]',
      'expected an underlying {id, spot, vol}',
      'found 7',
    );
  });

  test('unknown fields are errors, with a suggestion for a typo', () => {
    const line = expectIssue(
      () => parseMarket(market({ dayPerYear: 360 }), F),
      F,
      'dayPerYear',
      'unknown field',
      'did you mean "daysPerYear"?',
    );
    expect(line).toContain('expected only asOf, currency, rate, daysPerYear, underlyings, correlation, calibration');
    const u = structuredClone(example.underlyings);
    u[0].volatility = 0.5;
    expectIssue(
      () => parseMarket(market({ underlyings: u }), F),
      F,
      'underlyings[0].volatility',
      'unknown field',
      'expected only id, spot, vol',
    );
  });

  test('the document must be an object', () => {
    expectIssue(() => parseMarket([1, 2], F), F, '(top level)', 'expected a market object', 'found a list of 2 items');
    expectIssue(() => parseMarket(null, F), F, '(top level)', 'expected a market object', 'found null');
  });

  test('several problems are listed one per line, up to the limit', () => {
    const underlyings = Array.from({ length: 12 }, (_, i) => ({ id: `U${i}`, spot: -1, vol: 0.1 }));
    const err = inputError(() => parseMarket({ asOf: '2026-01-01', underlyings }, F));
    const lines = err.message.split('\n');
    expect(lines).toHaveLength(MAX_LISTED_ISSUES + 1);
    expect(lines[0]).toBe(`${F}: underlyings[0].spot: expected a spot price > 0, found -1`);
    expect(lines[9]).toBe(`${F}: underlyings[9].spot: expected a spot price > 0, found -1`);
    expect(lines[10]).toBe(`${F}: ... and 2 more problems`);
    expect(err.issues).toHaveLength(12);
    expect(err.file).toBe(F);
    expect(err.path).toBe('underlyings[0].spot');
    expect(err.exitCode).toBe(2);
  });
});

describe('cross-checks', () => {
  test('duplicate underlying ids', () => {
    const u = [...structuredClone(example.underlyings), { id: 'BTC', spot: 1, vol: 0.1 }];
    expectIssue(
      () => parseMarket(market({ underlyings: u, correlation: undefined }), F),
      F,
      'underlyings[2].id',
      'expected a unique underlying id',
      'found "BTC" again (first at index 0)',
    );
  });

  test('the currency must not be an underlying id', () => {
    expectIssue(
      () => parseMarket(market({ currency: 'ETH' }), F),
      F,
      'currency',
      'different from every underlying id',
      'found "ETH"',
    );
  });

  test('correlation must be n x n in underlyings order', () => {
    expectIssue(
      () => parseMarket(market({ correlation: [[1]] }), F),
      F,
      'correlation',
      'expected a 2 x 2 matrix',
      'BTC, ETH',
      'found 1 row',
    );
    expectIssue(
      () =>
        parseMarket(
          market({
            correlation: [
              [1, 0.5],
              [0.5, 1, 0],
            ],
          }),
          F,
        ),
      F,
      'correlation[1]',
      'expected 2 entries',
      'found 3',
    );
    expectIssue(
      () => parseMarket(market({ correlation: [[1, 0.5], 'x'] }), F),
      F,
      'correlation[1]',
      'expected a row of numbers',
      'found "x"',
    );
    expectIssue(
      () =>
        parseMarket(
          market({
            correlation: [
              [1, '0.5'],
              [0.5, 1],
            ],
          }),
          F,
        ),
      F,
      'correlation[0][1]',
      'expected a finite number',
      'found "0.5"',
    );
  });

  test('entries in [-1, 1], unit diagonal, symmetric', () => {
    expectIssue(
      () =>
        parseMarket(
          market({
            correlation: [
              [1, 1.2],
              [1.2, 1],
            ],
          }),
          F,
        ),
      F,
      'correlation[0][1]',
      'expected a correlation in [-1, 1]',
      'found 1.2',
    );
    expectIssue(
      () =>
        parseMarket(
          market({
            correlation: [
              [1, 0.5],
              [0.5, 0.99],
            ],
          }),
          F,
        ),
      F,
      'correlation[1][1]',
      'expected 1 on the diagonal',
      'found 0.99',
    );
    expectIssue(
      () =>
        parseMarket(
          market({
            correlation: [
              [1, 0.5],
              [0.5 + 1e-9, 1],
            ],
          }),
          F,
        ),
      F,
      'correlation[1][0]',
      'expected a symmetric matrix',
      'at correlation[0][1]',
    );
  });

  test('a matrix that is not PSD is an error that points to xmargin nearcorr', () => {
    const c = [
      [1, 0.9, 0.9],
      [0.9, 1, -0.9],
      [0.9, -0.9, 1],
    ];
    const line = expectIssue(
      () => parseMarket({ asOf: '2026-01-02', underlyings: three, correlation: c }, F),
      F,
      'correlation',
      'not',
      'positive semi-definite',
    );
    expect(line).toContain('xmargin nearcorr --matrix FILE');
    expect(line).toMatch(/smallest eigenvalue -0\.8/);
  });
});

describe('loadMarket', () => {
  test('names the file as given, in YAML too', () => {
    const file = tempFile('m.yaml', 'asOf: 2026-01-02\nunderlyings:\n  - { id: BTC, spot: 1, vol: x }\n');
    const err = inputError(() => loadMarket(file));
    expect(err).toBeInstanceOf(InputError);
    expect(err.message).toBe(`${file}: underlyings[0].vol: expected an annualised volatility >= 0, found "x"`);
    const ok = tempFile('m.yml', 'asOf: 2026-01-02\nunderlyings:\n  - { id: BTC, spot: 100, vol: 0.5 }\n');
    expect(loadMarket(ok)).toEqual({
      asOf: '2026-01-02',
      currency: 'USD',
      rate: 0,
      daysPerYear: 365,
      underlyings: [{ id: 'BTC', spot: 100, vol: 0.5 }],
      correlation: [[1]],
    });
  });
});
