import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, test } from 'vitest';
import { loadBook, parseBook, parseMarket } from '../../src/model/load.js';
import type { Market } from '../../src/model/types.js';
import { xmarginInProcess } from '../helpers/cli.js';
import { expectIssue, fixture, inputError } from './helpers.js';

const F = 'book.json';
const market: Market = parseMarket(JSON.parse(readFileSync(fixture('market.json'), 'utf8')), 'market.json');
const example = JSON.parse(readFileSync(fixture('book.json'), 'utf8'));

function book(patch: Record<string, unknown> = {}): Record<string, any> {
  return { ...structuredClone(example), ...patch };
}

/** Four accounts so that paths like accounts[3].positions[0] exist. */
function fourAccounts(): Record<string, any> {
  const b = book();
  b.accounts.push({ id: 'desk-d', collateral: 100, positions: [{ instrument: 'BTC-PERP', quantity: 1 }] });
  return b;
}

describe('good books', () => {
  test('a book of collateral only may leave out its instruments (docs/inputs.md: default [])', () => {
    const b = parseBook({ accounts: [{ id: 'cash', collateral: 1000, positions: [] }] }, F, market);
    expect(b.instruments).toEqual([]);
    expect(b.accounts.map((a) => a.id)).toEqual(['cash']);
  });

  test('the contract example loads with defaults applied', () => {
    const b = loadBook(fixture('book.json'), market);
    expect(b.instruments.map((i) => i.multiplier)).toEqual([1, 1, 1, 1]);
    expect(b.instruments[2]).toEqual({
      id: 'BTC-26DEC26-85000-P',
      type: 'option',
      underlying: 'BTC',
      right: 'put',
      strike: 85000,
      expiry: '2026-12-26',
      iv: 0.55,
      multiplier: 1,
    });
    expect(b.instruments[0]).toEqual({ id: 'BTC-PERP', type: 'future', underlying: 'BTC', multiplier: 1 });
    // A number is cash in the market currency; a list keeps its assets, haircut default 0.
    expect(b.accounts[0].collateral).toEqual([{ asset: 'USD', amount: 40000, haircut: 0 }]);
    expect(b.accounts[1].collateral).toEqual([
      { asset: 'USD', amount: 10000, haircut: 0 },
      { asset: 'BTC', amount: 0.5, haircut: 0.2 },
    ]);
    expect(b.accounts[1].positions).toEqual([
      { instrument: 'BTC-26DEC26-85000-P', quantity: 3 },
      { instrument: 'ETH-26DEC26-3200-C', quantity: -25 },
    ]);
    expect(b.portfolios).toEqual([{ id: 'fund', accounts: ['desk-a', 'desk-b'] }]);
  });

  test('cash collateral takes the market currency; portfolios default to none', () => {
    const eur = { ...market, currency: 'EUR' };
    const doc = book();
    delete doc.portfolios;
    doc.accounts[1].collateral[0].asset = 'EUR';
    const b = parseBook(doc, F, eur);
    expect(b.accounts[0].collateral).toEqual([{ asset: 'EUR', amount: 40000, haircut: 0 }]);
    expect(b.accounts[1].collateral[0]).toEqual({ asset: 'EUR', amount: 10000, haircut: 0 });
    // USD is just an unknown asset in a EUR market.
    expectIssue(() => parseBook(book(), F, eur), F, 'accounts[1].collateral[0].asset', '(EUR, BTC, ETH)', 'found "USD"');
    expect(b.portfolios).toEqual([]);
  });

  test('a spot instrument, an explicit multiplier, an empty position list', () => {
    const b = parseBook(
      {
        instruments: [{ id: 'ETH', type: 'spot', underlying: 'ETH', multiplier: 10 }],
        accounts: [
          { id: 'X', collateral: 0, positions: [] },
          { id: 'Y', collateral: [], positions: [{ instrument: 'ETH', quantity: 2 }] },
        ],
      },
      F,
      market,
    );
    expect(b.instruments).toEqual([{ id: 'ETH', type: 'spot', underlying: 'ETH', multiplier: 10 }]);
    expect(b.accounts[0]).toEqual({ id: 'X', collateral: [{ asset: 'USD', amount: 0, haircut: 0 }], positions: [] });
    expect(b.accounts[1].collateral).toEqual([]);
  });

  test('a portfolio may share its id with an account it contains', () => {
    const b = parseBook(book({ portfolios: [{ id: 'desk-a', accounts: ['desk-a', 'desk-b'] }] }), F, market);
    expect(b.portfolios[0].id).toBe('desk-a');
  });
});

describe('bad instruments', () => {
  test('unknown type', () => {
    const b = book();
    b.instruments[0].type = 'fut';
    expectIssue(() => parseBook(b, F, market), F, 'instruments[0].type', 'expected "spot", "future" or "option"', 'found "fut"');
    delete b.instruments[0].type;
    expectIssue(() => parseBook(b, F, market), F, 'instruments[0].type', 'expected "spot", "future" or "option"', 'missing');
  });

  test('option fields: right, strike, expiry, iv', () => {
    const b = book();
    b.instruments[2].right = 'Call';
    b.instruments[2].strike = 0;
    b.instruments[2].expiry = '2026-12-32';
    delete b.instruments[2].iv;
    expectIssue(() => parseBook(b, F, market), F, 'instruments[2].right', 'expected "call" or "put"', 'found "Call"');
    expectIssue(() => parseBook(b, F, market), F, 'instruments[2].strike', 'expected a strike > 0', 'found 0');
    expectIssue(
      () => parseBook(b, F, market),
      F,
      'instruments[2].expiry',
      'expected a real calendar date YYYY-MM-DD',
      'found "2026-12-32"',
    );
    expectIssue(() => parseBook(b, F, market), F, 'instruments[2].iv', 'expected an implied volatility > 0', 'but it is missing');
  });

  test('multiplier must be > 0', () => {
    const b = book();
    b.instruments[1].multiplier = 0;
    expectIssue(() => parseBook(b, F, market), F, 'instruments[1].multiplier', 'expected a number > 0', 'found 0');
  });

  test('option fields on a future are unknown fields', () => {
    const b = book();
    b.instruments[0].strike = 100;
    expectIssue(
      () => parseBook(b, F, market),
      F,
      'instruments[0].strike',
      'unknown field',
      'expected only id, type, underlying, multiplier',
    );
  });

  test('the underlying must be a market underlying', () => {
    const b = book();
    b.instruments[1].underlying = 'DOGE';
    expectIssue(
      () => parseBook(b, F, market),
      F,
      'instruments[1].underlying',
      "expected one of the market's underlyings (BTC, ETH)",
      'found "DOGE"',
    );
  });

  test('duplicate instrument ids', () => {
    const b = book();
    b.instruments[3].id = 'BTC-PERP';
    b.accounts[1].positions[1].instrument = 'BTC-PERP';
    expectIssue(
      () => parseBook(b, F, market),
      F,
      'instruments[3].id',
      'expected a unique instrument id',
      'found "BTC-PERP" again (first at index 0)',
    );
  });
});

describe('bad accounts', () => {
  test('a position must name a book instrument', () => {
    const b = fourAccounts();
    b.accounts[3].positions[0].instrument = 'SOL-PERP';
    expectIssue(
      () => parseBook(b, F, market),
      F,
      'accounts[3].positions[0].instrument',
      "expected one of the book's instruments",
      'BTC-PERP',
      'found "SOL-PERP"',
    );
  });

  test('quantity must be a finite number', () => {
    const b = fourAccounts();
    b.accounts[3].positions[0].quantity = '2';
    expectIssue(() => parseBook(b, F, market), F, 'accounts[3].positions[0].quantity', 'expected a finite quantity', 'found "2"');
    b.accounts[3].positions[0].quantity = -Infinity;
    expectIssue(
      () => parseBook(b, F, market),
      F,
      'accounts[3].positions[0].quantity',
      'expected a finite quantity',
      'found -Infinity',
    );
    delete b.accounts[3].positions[0].quantity;
    expectIssue(() => parseBook(b, F, market), F, 'accounts[3].positions[0].quantity', 'expected a finite quantity', 'missing');
  });

  test('collateral: a number >= 0 or a list of assets', () => {
    const b = book();
    b.accounts[0].collateral = 'lots';
    expectIssue(
      () => parseBook(b, F, market),
      F,
      'accounts[0].collateral',
      'expected a cash amount (a number >= 0) or a list of {asset, amount, haircut}',
      'found "lots"',
    );
    b.accounts[0].collateral = -5;
    expectIssue(() => parseBook(b, F, market), F, 'accounts[0].collateral', 'expected a cash amount >= 0', 'found -5');
  });

  test('collateral assets: amount, haircut in [0, 1), known asset, no unknown fields', () => {
    const b = book();
    b.accounts[1].collateral[1].haircut = 1;
    expectIssue(() => parseBook(b, F, market), F, 'accounts[1].collateral[1].haircut', 'expected a haircut in [0, 1)', 'found 1');
    b.accounts[1].collateral[1].haircut = -0.1;
    expectIssue(
      () => parseBook(b, F, market),
      F,
      'accounts[1].collateral[1].haircut',
      'expected a haircut in [0, 1)',
      'found -0.1',
    );
    b.accounts[1].collateral[1].haircut = 0.1;
    b.accounts[1].collateral[0].amount = 'many';
    expectIssue(() => parseBook(b, F, market), F, 'accounts[1].collateral[0].amount', 'expected an amount >= 0', 'found "many"');
    b.accounts[1].collateral[0].amount = 1;
    b.accounts[1].collateral[0].hair = 0.1;
    expectIssue(() => parseBook(b, F, market), F, 'accounts[1].collateral[0].hair', 'unknown field', 'did you mean "haircut"?');
    delete b.accounts[1].collateral[0].hair;
    b.accounts[1].collateral[1].asset = 'DOGE';
    expectIssue(
      () => parseBook(b, F, market),
      F,
      'accounts[1].collateral[1].asset',
      'expected the market currency or an underlying id (USD, BTC, ETH)',
      'found "DOGE"',
    );
  });

  test('duplicate account ids', () => {
    const b = book();
    b.accounts[2].id = 'desk-a';
    expectIssue(() => parseBook(b, F, market), F, 'accounts[2].id', 'expected a unique account id', 'found "desk-a" again');
  });

  test('a book needs accounts', () => {
    expectIssue(
      () => parseBook(book({ accounts: [] }), F, market),
      F,
      'accounts',
      'expected a list of accounts with at least one item',
      'found an empty list',
    );
    // Positions without instruments still fail: each names an instrument the book must have.
    const b = book();
    delete b.instruments;
    expectIssue(() => parseBook(b, F, market), F, 'accounts[0].positions[0].instrument', 'BTC-PERP');
  });
});

describe('bad portfolios', () => {
  test('an unknown account', () => {
    const b = book({ portfolios: [{ id: 'fund', accounts: ['desk-a', 'desk-z'] }] });
    expectIssue(
      () => parseBook(b, F, market),
      F,
      'portfolios[0].accounts[1]',
      'expected the id of an account in the book',
      'found "desk-z"',
    );
  });

  test('an account in two portfolios', () => {
    const b = book({
      portfolios: [
        { id: 'fund', accounts: ['desk-a', 'desk-b'] },
        { id: 'other', accounts: ['solo', 'desk-b'] },
      ],
    });
    expectIssue(
      () => parseBook(b, F, market),
      F,
      'portfolios[1].accounts[1]',
      'expected an account in at most one portfolio',
      'found "desk-b" already in portfolio "fund" (portfolios[0])',
    );
  });

  test('an account twice in one portfolio', () => {
    const b = book({ portfolios: [{ id: 'fund', accounts: ['desk-a', 'desk-a'] }] });
    expectIssue(
      () => parseBook(b, F, market),
      F,
      'portfolios[0].accounts[1]',
      'expected each account once',
      '"desk-a" listed twice',
    );
  });

  test('a portfolio id equal to an account margined on its own is ambiguous', () => {
    const b = book({ portfolios: [{ id: 'solo', accounts: ['desk-a', 'desk-b'] }] });
    expectIssue(
      () => parseBook(b, F, market),
      F,
      'portfolios[0].id',
      'different from the ids of accounts margined on their own',
      'found "solo"',
    );
  });

  test('duplicate portfolio ids, empty portfolios', () => {
    const b = book({
      portfolios: [
        { id: 'fund', accounts: ['desk-a'] },
        { id: 'fund', accounts: ['desk-b'] },
      ],
    });
    expectIssue(() => parseBook(b, F, market), F, 'portfolios[1].id', 'expected a unique portfolio id', 'found "fund" again');
    const e = book({ portfolios: [{ id: 'fund', accounts: [] }] });
    expectIssue(
      () => parseBook(e, F, market),
      F,
      'portfolios[0].accounts',
      'expected a list of account ids with at least one item',
      'found an empty list',
    );
  });

  test('every cross-check problem is listed', () => {
    const b = book({
      portfolios: [
        { id: 'fund', accounts: ['desk-a', 'nobody'] },
        { id: 'solo', accounts: ['desk-a'] },
      ],
    });
    b.instruments[0].underlying = 'SOL';
    const err = inputError(() => parseBook(b, F, market));
    expect(err.message.split('\n')).toEqual([
      `${F}: instruments[0].underlying: expected one of the market's underlyings (BTC, ETH), found "SOL"`,
      `${F}: portfolios[0].accounts[1]: expected the id of an account in the book, found "nobody", which no account has`,
      `${F}: portfolios[1].accounts[0]: expected an account in at most one portfolio, found "desk-a" already in portfolio "fund" (portfolios[0])`,
      `${F}: portfolios[1].id: expected a portfolio id different from the ids of accounts margined on their own, found "solo": account "solo" is in no portfolio, so it is reported as a portfolio "solo" too`,
    ]);
  });
});

describe('collateral that overflows when summed', () => {
  // Each amount is valid; their sums are not representable. The engine would only find out
  // after the run, as "internal: non-finite value at $.portfolios.0.collateral".
  test("an account's own entries", () => {
    const b = book();
    b.accounts[1].collateral = [
      { asset: 'USD', amount: 1e308 },
      { asset: 'BTC', amount: 1e304 },
    ];
    expectIssue(
      () => parseBook(b, F, market),
      F,
      'accounts[1].collateral',
      'expected collateral worth a finite amount',
      '1.80e+308',
    );
  });

  test('the accounts of one portfolio', () => {
    const b = book();
    b.accounts[0].collateral = 1e308;
    b.accounts[1].collateral = 1e308;
    expectIssue(() => parseBook(b, F, market), F, 'portfolios[0].accounts', 'collateral adds up to a finite amount');
  });

  test('the whole book, over portfolios each finite', () => {
    const b = book();
    b.accounts[0].collateral = 1e308;
    b.accounts[2].collateral = 1e308;
    expectIssue(() => parseBook(b, F, market), F, 'accounts', 'over the whole book');
  });

  test('xmargin run refuses it up front: exit 2, naming the file and the path, no report', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'xm-coll-'));
    const b = book();
    b.accounts[0].collateral = 1e308;
    b.accounts[1].collateral = 1e308;
    const file = join(dir, 'book.json');
    writeFileSync(file, JSON.stringify(b));
    const out = join(dir, 'out');
    const r = await xmarginInProcess([
      'run',
      '--market',
      fixture('market.json'),
      '--book',
      file,
      '--suite',
      fixture('suite.json'),
      '--out',
      out,
    ]);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain(`${file}: portfolios[0].accounts: expected accounts whose collateral adds up to a finite amount`);
    expect(r.stderr).not.toContain('internal');
  });

  test('a book just below the limit loads', () => {
    const b = book();
    b.accounts[0].collateral = 8e307;
    b.accounts[1].collateral = 8e307;
    b.accounts[2].collateral = 1e307;
    expect(parseBook(b, F, market).accounts[2].collateral[0].amount).toBe(1e307);
  });
});
