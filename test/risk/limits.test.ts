// Limits (contract section 7) against the worked example of sections 7-9: its expected breaches
// follow from its expected exposures and healths, and its suite's limits, overrides included.
import { copyFileSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseMarket, parseSuite } from '../../src/model/load.js';
import { checkLimits, limitsFor, type LimitUnit } from '../../src/risk/limits.js';
import { prepare } from '../../src/index.js';
import { fixture, xmarginInProcess } from '../helpers/cli.js';
import { example2 } from '../helpers/example2.js';

/** The worked example, as shipped in ../shared/contract-example-2 (copied into the fixtures). */
const read = (f: string) => JSON.parse(readFileSync(fixture('contract-example-2', f), 'utf8'));

/** The example's inputs (test/helpers/example2.ts). */
function inputs() {
  const { market, book, suite } = example2();
  return { market, book, suite };
}

type Exposure = {
  leverage: number | null;
  largestUnderlying: { share: number } | null;
  byUnderlying: { id: string; delta: number }[];
};
const unit = (level: 'portfolio' | 'account', x: { id: string; health: number | null; exposure: Exposure }): LimitUnit => ({
  level,
  id: x.id,
  leverage: x.exposure.leverage,
  largestShare: x.exposure.largestUnderlying?.share ?? null,
  delta: x.exposure.byUnderlying,
  health: x.health,
});

describe('limits', () => {
  it("give the worked example's breaches, in its order, from its exposures and healths", () => {
    const { market, suite } = inputs();
    const m = parseMarket(market, 'market.json');
    const s = parseSuite(suite, 'suite.json', m);
    const expected = read('expected-report.json');
    const units = [
      ...expected.portfolios.map((p: any) => unit('portfolio', p)),
      ...expected.portfolios.flatMap((p: any) => p.segregated.accounts.map((a: any) => unit('account', a))),
    ];
    expect(checkLimits(s.limits!, units)).toEqual(expected.breaches);
  });

  it('override single limits, merge maxDelta per underlying, and never breach on a null', () => {
    const m = parseMarket(JSON.parse(readFileSync(fixture('contract-example', 'market.json'), 'utf8')), 'market.json');
    const s = parseSuite(
      {
        scenarioSets: [{ name: 'g', type: 'grid', priceMoves: [0] }],
        limits: {
          maxLeverage: 10,
          maxDelta: { BTC: 100, ETH: 50 },
          minHealth: 1.2,
          overrides: { x: { maxLeverage: 2, maxDelta: { ETH: 500 } } },
        },
      },
      'suite.json',
      m,
    );
    const l = s.limits!;
    expect(limitsFor(l, 'x')).toEqual({
      maxLeverage: 2,
      maxConcentration: undefined,
      maxDelta: { BTC: 100, ETH: 500 },
      minHealth: 1.2,
    });
    expect(limitsFor(l, 'y')).toBe(l);
    const base = {
      level: 'account' as const,
      largestShare: null,
      delta: [
        { id: 'BTC', delta: -150 },
        { id: 'ETH', delta: 400 },
      ],
    };
    expect(checkLimits(l, [{ ...base, id: 'x', leverage: 3, health: null }])).toEqual([
      { level: 'account', id: 'x', limit: 'maxLeverage', value: 3, threshold: 2 },
      { level: 'account', id: 'x', limit: 'maxDelta', underlying: 'BTC', value: 150, threshold: 100 },
    ]);
    expect(checkLimits(l, [{ ...base, id: 'y', leverage: null, health: 1.2 }])).toEqual([
      { level: 'account', id: 'y', limit: 'maxDelta', underlying: 'BTC', value: 150, threshold: 100 },
      { level: 'account', id: 'y', limit: 'maxDelta', underlying: 'ETH', value: 400, threshold: 50 },
    ]);
  });

  it('refuse bad limits naming the file and the path', () => {
    const m = parseMarket(JSON.parse(readFileSync(fixture('contract-example', 'market.json'), 'utf8')), 'market.json');
    const bad = (limits: unknown) => () =>
      parseSuite({ scenarioSets: [{ name: 'g', type: 'grid', priceMoves: [0] }], limits }, 'suite.json', m);
    expect(bad({ maxConcentration: 1.5 })).toThrow(/^suite\.json: limits\.maxConcentration: expected a bound in \[0, 1\]/);
    expect(bad({ maxDelta: { DOGE: 5 } })).toThrow(
      /^suite\.json: limits\.maxDelta\.DOGE: expected one of the market's underlyings/,
    );
    expect(bad({ overrides: { a: { maxLeverage: -1 } } })).toThrow(
      /^suite\.json: limits\.overrides\.a\.maxLeverage: expected a leverage bound >= 0/,
    );
    expect(bad({ maxLeverag: 3 })).toThrow(/limits/);
    const ex = (f: string) => fixture('contract-example', f);
    expect(() =>
      prepare({
        market: ex('market.json'),
        book: ex('book.json'),
        suite: {
          scenarioSets: [{ name: 'g', type: 'grid', priceMoves: [0] }],
          limits: { overrides: { 'desk-aa': { maxLeverage: 1 } } },
        },
      }),
    ).toThrow(
      /^<suite>: limits\.overrides\.desk-aa: expected an account or portfolio id of the book, found "desk-aa" \(did you mean "desk-a"\?\)/,
    );
  });

  it('are in the report, the summary and the exit code (3 with --fail-on-breach, after the report is written)', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'xmargin-limits-'));
    for (const [name, doc] of Object.entries(inputs())) writeFileSync(join(dir, `${name}.json`), JSON.stringify(doc));
    // The suite's historical set reads prices.csv beside it.
    copyFileSync(fixture('contract-example-2', 'prices.csv'), join(dir, 'prices.csv'));
    const at = (f: string) => join(dir, `${f}.json`);
    const args = ['run', '--market', at('market'), '--book', at('book'), '--suite', at('suite')];
    const failing = await xmarginInProcess([...args, '--out', join(dir, 'a'), '--fail-on-breach']);
    expect(failing.code, failing.stderr).toBe(3);
    expect(failing.stderr).toMatch(
      /^xmargin: \d+ limit breaches \(see the report's breaches\); failing as --fail-on-breach asks/,
    );
    const report = JSON.parse(readFileSync(join(dir, 'a', 'report.json'), 'utf8'));
    // Without section 8's add-ons the healths differ from the worked example's; the exposure limits do not.
    const exposureBreaches = (b: { limit: string }[]) => b.filter((x) => x.limit !== 'minHealth');
    expect(exposureBreaches(report.breaches)).toEqual(exposureBreaches(read('expected-report.json').breaches));
    expect(failing.stdout).toContain(`limits: ${report.breaches.length} breaches`);
    expect(failing.stdout).toContain('  portfolio fund: maxConcentration 0.76 > 0.70');
    const passing = await xmarginInProcess([...args, '--out', join(dir, 'b')]);
    expect(passing.code).toBe(0);
    // No limits in the suite, no breaches field.
    const plain = await xmarginInProcess(['run', '--json', '--fail-on-breach']);
    expect(plain.code).toBe(0);
    expect(JSON.parse(plain.stdout).breaches).toBeUndefined();
  });
});
