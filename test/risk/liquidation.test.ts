// Distance to liquidation (contract section 9) against the second contract example's figures, against
// closed forms on linear books, and as a property: below MM at the reported x, not a hair nearer 0.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { optionValue, yearsToExpiry } from '../../src/engine/instruments.js';
import { parseBook, parseMarket } from '../../src/model/load.js';
import type { Book, Market } from '../../src/model/types.js';
import {
  distancesToLiquidation,
  equityAt,
  liquidationModel,
  type DistanceToLiquidation,
  type LiquidationUnit,
} from '../../src/risk/liquidation.js';
import { fixture } from '../helpers/cli.js';

const json = (f: string) => JSON.parse(readFileSync(fixture('contract-example-2', f), 'utf8'));

/** The example's market and book, as shipped. */
function example2(): { market: Market; book: Book } {
  const market = parseMarket(json('market.json'), 'market.json');
  return { market, book: parseBook(json('book.json'), 'book.json', market) };
}

function market(spots: Record<string, number>, rate = 0): Market {
  return parseMarket(
    { asOf: '2026-11-20', rate, underlyings: Object.entries(spots).map(([id, spot]) => ({ id, spot, vol: 0.5 })) },
    'market.json',
  );
}

describe('distance to liquidation', () => {
  it('reproduces the second contract example for every portfolio and account, given its MM and collateral', () => {
    const expected = json('expected-report.json');
    const { market: mk, book } = example2();
    const model = liquidationModel(mk, book);
    const h = model.holdings;
    const units: LiquidationUnit[] = [];
    const want: DistanceToLiquidation[] = [];
    for (const p of expected.portfolios) {
      const group = h.portfolios.find((g) => g.id === p.id)!;
      units.push({ series: group.series, collateral: p.collateral, maintenanceMargin: p.cross.maintenanceMargin });
      want.push(p.distanceToLiquidation);
      for (const a of p.segregated.accounts) {
        units.push({ series: h.accountIds.indexOf(a.id), collateral: a.collateral, maintenanceMargin: a.maintenanceMargin });
        want.push(a.distanceToLiquidation);
      }
    }
    const got = distancesToLiquidation(model, units);
    // Every case the contract names is in the example: a crossing, already below (0), never (null).
    expect(want.flatMap((d) => [d.down, d.up])).toEqual(expect.arrayContaining([null, 0]));
    got.forEach((d, i) => {
      for (const side of ['down', 'up'] as const) {
        const w = want[i][side];
        if (w === null || w === 0) expect(d[side], `unit ${i} ${side}`).toBe(w);
        else expect(Math.abs(d[side]! - w), `unit ${i} ${side}: ${d[side]} vs ${w}`).toBeLessThan(1e-9);
      }
    });
  });

  it('a single future crosses where the closed form says: collateral + q m S x = MM', () => {
    const mk = market({ BTC: 90000 });
    const book = parseBook(
      {
        instruments: [{ id: 'F', type: 'future', underlying: 'BTC', multiplier: 0.5 }],
        accounts: [
          { id: 'long', collateral: 50000, positions: [{ instrument: 'F', quantity: 3 }] },
          { id: 'short', collateral: 50000, positions: [{ instrument: 'F', quantity: -3 }] },
        ],
        portfolios: [],
      },
      'book.json',
      mk,
    );
    const model = liquidationModel(mk, book);
    const mm = 20000;
    const [long, short] = distancesToLiquidation(model, [
      { series: 0, collateral: 50000, maintenanceMargin: mm },
      { series: 1, collateral: 50000, maintenanceMargin: mm },
    ]);
    // Equity is linear: 50000 + 3 * 0.5 * 90000 * x = 20000 at x = -30000 / 135000.
    expect(Math.abs(long.down! - -30000 / 135000)).toBeLessThan(1e-9);
    expect(long.up).toBeNull();
    expect(Math.abs(short.up! - 30000 / 135000)).toBeLessThan(1e-9);
    expect(short.down).toBeNull();
  });

  it('gives 0 on both sides to an account already below MM', () => {
    const mk = market({ BTC: 90000 });
    const book = parseBook(
      {
        instruments: [{ id: 'F', type: 'future', underlying: 'BTC' }],
        accounts: [{ id: 'a', collateral: 1000, positions: [{ instrument: 'F', quantity: 1 }] }],
        portfolios: [],
      },
      'book.json',
      mk,
    );
    const [d] = distancesToLiquidation(liquidationModel(mk, book), [{ series: 0, collateral: 1000, maintenanceMargin: 1000.01 }]);
    expect(d).toEqual({ down: 0, up: 0 });
  });

  it('gives null where no move on the side breaches: a long call cannot lose more than its premium', () => {
    const mk = market({ BTC: 90000 }, 0.03);
    const book = parseBook(
      {
        instruments: [
          { id: 'C', type: 'option', underlying: 'BTC', right: 'call', strike: 100000, expiry: '2026-12-27', iv: 0.6 },
        ],
        accounts: [{ id: 'a', collateral: 100000, positions: [{ instrument: 'C', quantity: 2 }] }],
        portfolios: [],
      },
      'book.json',
      mk,
    );
    // Two calls are worth a few thousand; losing all of it leaves equity far above 50000.
    const [d] = distancesToLiquidation(liquidationModel(mk, book), [{ series: 0, collateral: 100000, maintenanceMargin: 50000 }]);
    expect(d).toEqual({ down: null, up: null });
  });

  it('revalues non-cash collateral in the moving underlying, haircut on today only', () => {
    // Effective collateral 10 BTC * 50000 * 0.8 = 400000; a short future of 4 BTC hedges part of it.
    // equity(x) = 400000 + 10 * 50000 x - 4 * 50000 x = 400000 + 300000 x = MM 100000 at x = -1.
    // With MM 250000: x = -0.5. Upward, the equity only grows: null.
    const mk = market({ BTC: 50000 });
    const book = parseBook(
      {
        instruments: [{ id: 'F', type: 'future', underlying: 'BTC' }],
        accounts: [
          {
            id: 'a',
            collateral: [{ asset: 'BTC', amount: 10, haircut: 0.2 }],
            positions: [{ instrument: 'F', quantity: -4 }],
          },
        ],
        portfolios: [],
      },
      'book.json',
      mk,
    );
    const model = liquidationModel(mk, book);
    expect(model.holdings.collateral[0]).toBe(400000);
    const [d] = distancesToLiquidation(model, [{ series: 0, collateral: 400000, maintenanceMargin: 250000 }]);
    expect(Math.abs(d.down! - -0.5)).toBeLessThan(1e-9);
    expect(d.up).toBeNull();
    // Below -0.99 the contract stops looking: MM 100000 would need x = -1.
    const [far] = distancesToLiquidation(model, [{ series: 0, collateral: 400000, maintenanceMargin: 100000 }]);
    expect(far.down).toBeNull();
  });

  it('an option book agrees with an independent scan on the reference BSM (normCdf), to 1e-8', () => {
    // Short 10 puts and short 10 calls (a short strangle) on BTC, with a long future: equity falls on
    // both sides, bending. The independent side values each option with optionValue, not the kernels.
    const mk = market({ BTC: 90000 }, 0.03);
    const put = { strike: 80000, expiry: '2026-12-27', iv: 0.55 };
    const call = { strike: 100000, expiry: '2027-01-29', iv: 0.6 };
    const book = parseBook(
      {
        instruments: [
          { id: 'P', type: 'option', underlying: 'BTC', right: 'put', ...put },
          { id: 'C', type: 'option', underlying: 'BTC', right: 'call', ...call },
          { id: 'F', type: 'future', underlying: 'BTC' },
        ],
        accounts: [
          {
            id: 'a',
            collateral: 300000,
            positions: [
              { instrument: 'P', quantity: -10 },
              { instrument: 'C', quantity: -10 },
              { instrument: 'F', quantity: 2 },
            ],
          },
        ],
        portfolios: [],
      },
      'book.json',
      mk,
    );
    const S = 90000;
    const v = (isCall: boolean, o: typeof put, s: number) =>
      optionValue(isCall, s, o.strike, yearsToExpiry('2026-11-20', o.expiry), 0.03, o.iv);
    const pnl = (x: number) =>
      -10 * (v(false, put, S * (1 + x)) - v(false, put, S)) - 10 * (v(true, call, S * (1 + x)) - v(true, call, S)) + 2 * S * x;
    const collateral = 300000;
    const mm = 150000;
    const reference = (sign: -1 | 1, steps: number): number | null => {
      for (let k = 1; k <= steps; k++) {
        if (collateral + pnl((sign * k) / 1000) < mm) {
          let [safe, breached] = [(sign * (k - 1)) / 1000, (sign * k) / 1000];
          while (Math.abs(breached - safe) > 1e-12) {
            const mid = 0.5 * (safe + breached);
            if (collateral + pnl(mid) < mm) breached = mid;
            else safe = mid;
          }
          return breached;
        }
      }
      return null;
    };
    const want = { down: reference(-1, 990), up: reference(1, 4000) };
    expect(want.down).toBeLessThan(-0.05);
    expect(want.up).toBeGreaterThan(0.05);
    const [d] = distancesToLiquidation(liquidationModel(mk, book), [{ series: 0, collateral, maintenanceMargin: mm }]);
    expect(Math.abs(d.down! - want.down!)).toBeLessThan(1e-8);
    expect(Math.abs(d.up! - want.up!)).toBeLessThan(1e-8);
  });

  it('property: equity is below MM at the reported x and at least MM 1e-6 nearer 0 (option books, portfolios)', () => {
    const { market: mk, book } = example2();
    const model = liquidationModel(mk, book);
    const h = model.holdings;
    // A ladder of MMs around each unit's equity today, so that both sides cross at many places.
    const units: LiquidationUnit[] = [];
    const series = [...h.accountIds.map((_, a) => a), ...h.portfolios.map((p) => p.series)];
    for (const s of series) {
      const collateral = 60000;
      for (const mm of [5000, 20000, 40000, 55000, 59000]) units.push({ series: s, collateral, maintenanceMargin: mm });
    }
    const got = distancesToLiquidation(model, units);
    let crossings = 0;
    got.forEach((d, i) => {
      const u = units[i];
      for (const [x, towardZero] of [
        [d.down, 1e-6],
        [d.up, -1e-6],
      ] as const) {
        if (x === null || x === 0) continue;
        crossings++;
        expect(equityAt(model, u, x), `unit ${i} at ${x}`).toBeLessThan(u.maintenanceMargin);
        expect(equityAt(model, u, x + towardZero), `unit ${i} at ${x} + ${towardZero}`).toBeGreaterThanOrEqual(
          u.maintenanceMargin,
        );
      }
    });
    expect(crossings).toBeGreaterThan(10);
    // The scan on the TypeScript twins gives the same bits as on the WASM kernels (the default).
    expect(distancesToLiquidation(model, units, 'twin')).toEqual(got);
  });
});
