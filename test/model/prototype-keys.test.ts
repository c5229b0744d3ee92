// Ids are any strings, JavaScript's prototype keys included: a set, an underlying, an account, a
// portfolio or an instrument called `__proto__`, `constructor` or `toString` is data like any
// other, and a document passed to the library is read for its own fields only.
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { InputError, run } from '../../src/index.js';
import { xmarginInProcess } from '../helpers/cli.js';

// JSON.parse makes `__proto__` an own field, as a file read from disk does; an object literal
// would set the prototype instead.
const market = () =>
  JSON.parse(`{"asOf": "2026-11-20", "currency": "USD", "rate": 0, "underlyings": [
    {"id": "__proto__", "spot": 100, "vol": 0.5}, {"id": "constructor", "spot": 50, "vol": 0.4}]}`);
const book = () =>
  JSON.parse(`{"instruments": [
      {"id": "__proto__", "type": "future", "underlying": "__proto__"},
      {"id": "toString", "type": "future", "underlying": "constructor"}],
    "accounts": [
      {"id": "__proto__", "collateral": 1000, "positions": [{"instrument": "__proto__", "quantity": 1}]},
      {"id": "hasOwnProperty", "collateral": 1000, "positions": [{"instrument": "toString", "quantity": -1}]}],
    "portfolios": [{"id": "constructor", "accounts": ["__proto__", "hasOwnProperty"]}]}`);
const suite = () =>
  JSON.parse(`{"seed": 42, "horizonDays": 1, "confidence": 0.99, "maintenanceRatio": 0.8, "scenarioSets": [
    {"name": "__proto__", "type": "montecarlo", "count": 1000, "distribution": "normal"},
    {"name": "valueOf", "type": "shocks", "shocks": [{"moves": {"__proto__": -0.5}}]},
    {"name": "toString", "type": "shocks", "shocks": [{"moves": {"constructor": 0.2}}]}]}`);

type Sets = Record<string, { es: number }>;
const own = (o: object) => Object.keys(o);

describe('ids that are prototype keys', () => {
  it('run: sets, underlyings, accounts, portfolios and instruments named __proto__, constructor, ... all count', async () => {
    const r = await run({ market: market(), book: book(), suite: suite(), workers: 1 });
    const [p] = r.portfolios;
    expect(p.id).toBe('constructor');
    expect(p.accounts).toEqual(['__proto__', 'hasOwnProperty']);
    expect(own(p.cross.sets)).toEqual(['__proto__', 'valueOf', 'toString']);
    const [a, b] = p.segregated.accounts;
    expect(own(a.sets)).toEqual(['__proto__', 'valueOf', 'toString']);
    expect(own(b.sets)).toEqual(['__proto__', 'valueOf', 'toString']);
    // The `__proto__` move of -50% costs the long account 50; the short one does not hold it.
    expect((a.sets as Sets).valueOf.es).toBe(50);
    expect(Math.abs((b.sets as Sets).valueOf.es)).toBe(0);
    // `constructor` +20% on 50 costs the short account 10; a shock that leaves an underlying out moves it by 0.
    expect((b.sets as Sets).toString.es).toBeCloseTo(10, 12);
    expect(Math.abs((a.sets as Sets).toString.es)).toBe(0);
    expect((a.sets as Sets)['__proto__'].es).toBeGreaterThan(0);
    expect(a.bindingSet).toBe('valueOf');
    // The report written as JSON keeps the `__proto__` set as a field.
    const again = JSON.parse(JSON.stringify(r));
    expect(own(again.portfolios[0].cross.sets)).toEqual(['__proto__', 'valueOf', 'toString']);
  });

  it('a move under __proto__ is checked like any other', async () => {
    const s = suite();
    s.scenarioSets[1].shocks[0].moves = JSON.parse('{"__proto__": -2}');
    const err = await run({ market: market(), book: book(), suite: s, workers: 1 }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(InputError);
    expect((err as Error).message).toContain(
      '<suite>: scenarioSets[1].shocks[0].moves.__proto__: expected a simple return > -1, found -2',
    );
  });

  it('CLI: report.json and the CSV files show the __proto__ set for the portfolio and its accounts', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'xm-proto-'));
    writeFileSync(join(dir, 'market.json'), JSON.stringify(market()));
    writeFileSync(join(dir, 'book.json'), JSON.stringify(book()));
    // YAML too keeps `__proto__` as a key.
    writeFileSync(
      join(dir, 'suite.yaml'),
      [
        'seed: 42',
        'horizonDays: 1',
        'confidence: 0.99',
        'maintenanceRatio: 0.8',
        'scenarioSets:',
        '  - { name: __proto__, type: shocks, shocks: [{ moves: { __proto__: -0.5 } }] }',
        '  - { name: constructor, type: shocks, shocks: [{ moves: { constructor: 0.2 } }] }',
        '',
      ].join('\n'),
    );
    const out = join(dir, 'out');
    const args = ['--market', join(dir, 'market.json'), '--book', join(dir, 'book.json'), '--suite', join(dir, 'suite.yaml')];
    const r = await xmarginInProcess(['run', ...args, '--out', out, '--workers', '1']);
    expect(r.code, r.stderr).toBe(0);
    const report = JSON.parse(readFileSync(join(out, 'report.json'), 'utf8'));
    const p = report.portfolios[0];
    expect(own(p.cross.sets)).toEqual(['__proto__', 'constructor']);
    expect(p.cross.sets['__proto__'].es).toBe(50);
    expect(p.segregated.accounts.map((a: { sets: object }) => own(a.sets))).toEqual([
      ['__proto__', 'constructor'],
      ['__proto__', 'constructor'],
    ]);
    expect(p.segregated.accounts[0].sets['__proto__'].es).toBe(50);
    expect(readFileSync(join(out, 'accounts.csv'), 'utf8')).toMatch(/__proto__/);
  });

  it('a library document is read for its own fields, never for inherited ones', async () => {
    const inherited = Object.assign(Object.create({ currency: 'EUR', rate: 0.5 }) as object, market());
    const r = await run({ market: inherited, book: book(), suite: suite(), workers: 1 });
    expect(r.currency).toBe('USD');
    const onlyInherited = Object.create(suite()) as Record<string, unknown>;
    await expect(run({ market: market(), book: book(), suite: onlyInherited, workers: 1 })).rejects.toThrow(
      /<suite>: scenarioSets: .*missing/,
    );
    const cyclic = market();
    cyclic.calibration = { note: 'x' };
    cyclic.calibration.self = cyclic.calibration;
    await expect(run({ market: cyclic, book: book(), suite: suite(), workers: 1 })).rejects.toThrow(
      /^<market>: expected plain data nested at most 64 levels deep \(does the document contain a cycle\?\)$/,
    );
  });
});
