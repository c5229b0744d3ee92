// Exposure (contract section 7) against independent references: the exact expected report of the
// contract's second worked example, central finite differences of the engine's own option pricer
// (the TypeScript twin of the WASM kernel), and hand-computed edge cases.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { revalueOptions } from '../../src/kernels/revalue.js';
import { optionGreeks } from '../../src/risk/greeks.js';
import { planExposures, planExposureSteps, type Exposure } from '../../src/risk/exposure.js';
import { runStepsInTurns } from '../../src/util/turns.js';
import { exposureCsv } from '../../src/report/csv.js';
import { prepare, run } from '../../src/run.js';
import { fixture } from '../helpers/cli.js';
import { compareReports } from '../helpers/compare.js';
import { example2 } from '../helpers/example2.js';
import { futures, market, suite } from '../helpers/inputs.js';

const ex2 = (f: string) => fixture('contract-example-2', f);
const json = (f: string) => JSON.parse(readFileSync(ex2(f), 'utf8'));

/** The second example's inputs (test/helpers/example2.ts). */
function example2Inputs() {
  const { expected: _expected, ...inputs } = example2();
  return inputs;
}

interface ExpectedUnit {
  id: string;
  exposure: Exposure;
  segregated?: { accounts: ExpectedUnit[] };
}

describe('exposure: the contract example 2', () => {
  const expected = json('expected-report.json') as { portfolios: ExpectedUnit[] };

  it('gives every portfolio and account exposure of expected-report.json to 1e-9 relative', () => {
    const plan = prepare(example2Inputs());
    const exposures = planExposures(plan);
    let units = 0;
    let checked = 0;
    for (const p of expected.portfolios) {
      const i = plan.holdings.portfolios.findIndex((q) => q.id === p.id);
      const got = compareReports(p.exposure, exposures.portfolios[i], 1e-9, 0);
      expect(got.problems, p.id).toEqual([]);
      checked += got.checked;
      units++;
      for (const a of p.segregated!.accounts) {
        const ai = plan.holdings.accountIds.indexOf(a.id);
        const ga = compareReports(a.exposure, exposures.accounts[ai], 1e-9, 0);
        expect(ga.problems, `${p.id}/${a.id}`).toEqual([]);
        checked += ga.checked;
        units++;
      }
    }
    expect(units).toBe(5); // fund, desk-a, desk-b, solo (portfolio) and solo (account)
    expect(checked).toBe(units * 18); // 2 x 6 per underlying, 4 totals, largestUnderlying's 2
  });

  it('is in the report of a run, on portfolios and segregated accounts, and in exposure.csv', async () => {
    const report = await run({ ...example2Inputs(), workers: 1 });
    for (const p of expected.portfolios) {
      const rp = report.portfolios.find((q) => q.id === p.id)!;
      expect(compareReports(p.exposure, rp.exposure, 1e-9, 0).problems).toEqual([]);
      for (const a of p.segregated!.accounts) {
        const ra = rp.segregated.accounts.find((q) => q.id === a.id)!;
        expect(compareReports(a.exposure, ra.exposure, 1e-9, 0).problems).toEqual([]);
      }
    }
    const lines = exposureCsv(report).trim().split('\n');
    expect(lines[0]).toBe('level,id,underlying,delta,gamma,vega,theta,grossNotional');
    // 2 portfolios then 3 accounts, each with the underlyings it holds (solo holds no BTC: no row).
    expect(lines.slice(1).map((l) => l.split(',').slice(0, 3).join(','))).toEqual([
      'portfolio,fund,BTC',
      'portfolio,fund,ETH',
      'portfolio,solo,ETH',
      'account,desk-a,BTC',
      'account,desk-a,ETH',
      'account,desk-b,BTC',
      'account,desk-b,ETH',
      'account,solo,ETH',
    ]);
    const solo = report.portfolios[1].exposure.byUnderlying[0];
    expect([solo.id, solo.delta, solo.gamma, solo.vega, solo.theta, solo.grossNotional]).toEqual(['BTC', 0, 0, 0, 0, 0]);
    const deskB = lines[6].split(',').slice(3).map(Number);
    const b = report.portfolios[0].segregated.accounts[1].exposure.byUnderlying[0];
    expect(deskB).toEqual([b.delta, b.gamma, b.vega, b.theta, b.grossNotional]);
  });
});

/** The engine's pricer: the TypeScript twin of the WASM revaluation kernel, one option, one cell. */
function twinValue(isCall: boolean, s: number, k: number, t: number, rate: number, iv: number): number {
  const out = new Float64Array(1);
  revalueOptions(
    1,
    Int32Array.of(0),
    Int32Array.of(isCall ? 1 : 0),
    Float64Array.of(k),
    Float64Array.of(Math.log(s / k)),
    Float64Array.of(iv),
    Float64Array.of(t),
    Float64Array.of(0), // value today 0: the cell is then the value itself
    Float64Array.of(1),
    rate,
    Float64Array.of(0),
    Float64Array.of(s),
    Float64Array.of(0),
    1,
    out,
  );
  return out[0];
}

describe('optionGreeks: closed forms against finite differences of the engine pricer', () => {
  const cases = [
    { s: 90000, k: 85000, t: 36 / 365, rate: 0.04, iv: 0.55 },
    { s: 3000, k: 3200, t: 36 / 365, rate: 0.04, iv: 0.7 },
    { s: 100, k: 100, t: 1, rate: 0.03, iv: 0.2 },
    { s: 100, k: 60, t: 2.5, rate: 0.05, iv: 0.35 },
    { s: 100, k: 140, t: 0.1, rate: 0, iv: 0.8 },
    { s: 50, k: 55, t: 3 / 365, rate: -0.01, iv: 1.2 },
  ];
  for (const c of cases)
    for (const isCall of [true, false]) {
      it(`${isCall ? 'call' : 'put'} S=${c.s} K=${c.k} T=${c.t.toFixed(4)} r=${c.rate} iv=${c.iv}`, () => {
        const g = optionGreeks(isCall, c.s, c.k, c.t, c.rate, c.iv);
        const v = (s: number, t: number, iv: number) => twinValue(isCall, s, c.k, t, c.rate, iv);
        const hs = c.s * 1e-4;
        const delta = (v(c.s + hs, c.t, c.iv) - v(c.s - hs, c.t, c.iv)) / (2 * hs);
        // A step well inside one standard deviation of the move to expiry, as Gamma's curvature scales so.
        const hg = c.s * c.iv * Math.sqrt(c.t) * 5e-3;
        const gamma = (v(c.s + hg, c.t, c.iv) - 2 * v(c.s, c.t, c.iv) + v(c.s - hg, c.t, c.iv)) / (hg * hg);
        const hv = 1e-5;
        const vega = (v(c.s, c.t, c.iv + hv) - v(c.s, c.t, c.iv - hv)) / (2 * hv);
        const ht = c.t * 1e-4;
        const theta = -(v(c.s, c.t + ht, c.iv) - v(c.s, c.t - ht, c.iv)) / (2 * ht);
        // Relative to each Greek's natural scale, so that a Greek near 0 is not held to 1e-7 of itself.
        expect(Math.abs(g.delta - delta)).toBeLessThan(1e-7);
        expect(Math.abs(g.gamma - gamma) * c.s).toBeLessThan(1e-5 * Math.max(1, Math.abs(g.gamma * c.s)));
        expect(Math.abs(g.vega - vega)).toBeLessThan(1e-7 * c.s);
        expect(Math.abs(g.theta - theta)).toBeLessThan(1e-6 * Math.max(1, Math.abs(g.theta)));
      });
    }

  it('puts and calls agree by parity: same Gamma and Vega, Deltas 1 apart, Thetas r K e^(-rT) apart', () => {
    const [s, k, t, r, iv] = [100, 110, 0.75, 0.04, 0.3];
    const call = optionGreeks(true, s, k, t, r, iv);
    const put = optionGreeks(false, s, k, t, r, iv);
    expect(call.delta - put.delta).toBeCloseTo(1, 15);
    expect(call.gamma).toBe(put.gamma);
    expect(call.vega).toBe(put.vega);
    expect(call.theta - put.theta).toBeCloseTo(-r * k * Math.exp(-r * t), 12);
  });

  it('at T = 0: a call has Delta 1 when S > K, else 0; a put -1 when S < K, else 0; no Gamma, Vega or Theta', () => {
    const at = (isCall: boolean, s: number) => optionGreeks(isCall, s, 100, 0, 0.05, 0.5);
    expect([at(true, 101).delta, at(true, 100).delta, at(true, 99).delta]).toEqual([1, 0, 0]);
    expect([at(false, 101).delta, at(false, 100).delta, at(false, 99).delta]).toEqual([0, 0, -1]);
    for (const g of [at(true, 101), at(true, 99), at(false, 99), at(false, 101)]) {
      expect([g.gamma, g.vega, g.theta]).toEqual([0, 0, 0]);
    }
  });
});

/** Prepares an in-memory book on a market with BTC at 100 and ETH at 50 (rate 0). */
function exposuresOf(
  book: Record<string, unknown>,
  underlyings = [
    { id: 'BTC', spot: 100, vol: 0.5 },
    { id: 'ETH', spot: 50, vol: 0.7 },
  ],
) {
  const plan = prepare({
    market: market(underlyings),
    book,
    suite: suite([{ name: 'g', type: 'grid', priceMoves: [-0.1, 0.1] }]),
  });
  const byId = (ids: string[], list: Exposure[]) => Object.fromEntries(ids.map((id, i) => [id, list[i]]));
  const e = planExposures(plan);
  return {
    accounts: byId(plan.holdings.accountIds, e.accounts),
    portfolios: byId(
      plan.holdings.portfolios.map((p) => p.id),
      e.portfolios,
    ),
  };
}

describe('exposure: edge cases', () => {
  it('leverage is null when collateral is 0, and gross notional / collateral otherwise', () => {
    const { accounts } = exposuresOf({
      instruments: futures('BTC'),
      accounts: [
        { id: 'none', collateral: 0, positions: [{ instrument: 'BTC-PERP', quantity: 2 }] },
        { id: 'some', collateral: 400, positions: [{ instrument: 'BTC-PERP', quantity: 2 }] },
      ],
      portfolios: [],
    });
    expect(accounts.none.leverage).toBeNull();
    expect(accounts.none.grossNotional).toBe(200);
    expect(accounts.some.leverage).toBe(0.5);
  });

  it('all deltas 0: concentration and largestUnderlying are null, gross notional is not netted across accounts', () => {
    const { accounts, portfolios } = exposuresOf({
      instruments: futures('BTC', 'ETH'),
      accounts: [
        { id: 'long', collateral: 100, positions: [{ instrument: 'BTC-PERP', quantity: 3 }] },
        { id: 'short', collateral: 100, positions: [{ instrument: 'BTC-PERP', quantity: -3 }] },
        { id: 'empty', collateral: 100, positions: [] },
      ],
      portfolios: [{ id: 'flat', accounts: ['long', 'short'] }],
    });
    const flat = portfolios.flat;
    expect(flat.byUnderlying.map((u) => [u.id, u.delta, u.grossNotional])).toEqual([
      ['BTC', 0, 600],
      ['ETH', 0, 0],
    ]);
    expect(flat.netDelta).toBe(0);
    expect(flat.grossNotional).toBe(600);
    expect(flat.leverage).toBe(3);
    expect(flat.concentration).toBeNull();
    expect(flat.largestUnderlying).toBeNull();
    expect(accounts.empty).toMatchObject({
      grossNotional: 0,
      netDelta: 0,
      leverage: 0,
      concentration: null,
      largestUnderlying: null,
    });
    expect(portfolios.empty).toEqual(accounts.empty);
    expect(accounts.long.largestUnderlying).toEqual({ id: 'BTC', share: 1 });
  });

  it("an underlying a unit holds nothing in is a shared, frozen entry of zeros; held ones are the unit's own", () => {
    const plan = prepare({
      market: market([
        { id: 'BTC', spot: 100, vol: 0.5 },
        { id: 'ETH', spot: 10, vol: 0.6 },
      ]),
      book: {
        instruments: futures('BTC', 'ETH'),
        accounts: [
          { id: 'a', collateral: 100, positions: [{ instrument: 'BTC-PERP', quantity: 3 }] },
          { id: 'b', collateral: 100, positions: [{ instrument: 'BTC-PERP', quantity: -1 }] },
        ],
        portfolios: [{ id: 'p', accounts: ['a', 'b'] }],
      },
      suite: suite([{ name: 'grid', type: 'grid', priceMoves: [-0.1, 0.1] }]),
    });
    const { accounts, portfolios } = planExposures(plan);
    const [ethA, ethB, ethP] = [accounts[0], accounts[1], portfolios[0]].map((e) => e.byUnderlying[1]);
    expect(ethA).toEqual({ id: 'ETH', delta: 0, gamma: 0, vega: 0, theta: 0, grossNotional: 0 });
    expect(ethB).toBe(ethA);
    expect(ethP).toBe(ethA);
    expect(Object.isFrozen(ethA)).toBe(true);
    expect(accounts[0].byUnderlying[0]).not.toBe(accounts[1].byUnderlying[0]);
    expect(portfolios[0].byUnderlying[0]).toMatchObject({ delta: 200, grossNotional: 400 });
  });

  it('the steps a run spreads over event-loop turns give what planExposures gives at once', async () => {
    const plan = prepare({
      market: json('market.json'),
      book: json('book.json'),
      suite: example2Inputs().suite,
      baseDir: ex2('.'),
    });
    const inTurns = await runStepsInTurns(planExposureSteps(plan), 0);
    expect(inTurns).toEqual(planExposures(plan));
  });

  it('a tie goes to the underlying listed first in the market', () => {
    const book = {
      instruments: futures('BTC', 'ETH'),
      accounts: [
        {
          id: 'A',
          collateral: 100,
          positions: [
            { instrument: 'ETH-PERP', quantity: -2 },
            { instrument: 'BTC-PERP', quantity: 1 },
          ],
        },
      ],
      portfolios: [],
    };
    const btcFirst = exposuresOf(book).accounts.A;
    expect(btcFirst.byUnderlying.map((u) => u.delta)).toEqual([100, -100]);
    expect(btcFirst.largestUnderlying).toEqual({ id: 'BTC', share: 0.5 });
    expect(btcFirst.concentration).toBe(0.5);
    expect(btcFirst.netDelta).toBe(0);
    const ethFirst = exposuresOf(book, [
      { id: 'ETH', spot: 50, vol: 0.7 },
      { id: 'BTC', spot: 100, vol: 0.5 },
    ]).accounts.A;
    expect(ethFirst.byUnderlying.map((u) => u.id)).toEqual(['ETH', 'BTC']);
    expect(ethFirst.largestUnderlying).toEqual({ id: 'ETH', share: 0.5 });
  });

  it('non-cash collateral counts in delta (amount units, haircut ignored) but not in gross notional', () => {
    const { accounts } = exposuresOf({
      instruments: [...futures('BTC'), { id: 'BTC-SPOT', type: 'spot', underlying: 'BTC', multiplier: 10 }],
      accounts: [
        {
          id: 'A',
          collateral: [
            { asset: 'USD', amount: 1000 },
            { asset: 'BTC', amount: 4, haircut: 0.5 },
            { asset: 'ETH', amount: 2 },
          ],
          positions: [{ instrument: 'BTC-SPOT', quantity: -1 }],
        },
      ],
      portfolios: [],
    });
    const a = accounts.A;
    // BTC: -1 x 10 x 100 + 4 x 100; ETH: 2 x 50 (collateral only).
    expect(a.byUnderlying.map((u) => [u.id, u.delta, u.grossNotional])).toEqual([
      ['BTC', -600, 1000],
      ['ETH', 100, 0],
    ]);
    expect(a.grossNotional).toBe(1000);
    expect(a.netDelta).toBe(-500);
    // Collateral: 1000 + 4 x 100 x 0.5 + 2 x 50 = 1300.
    expect(a.leverage).toBe(1000 / 1300);
    expect(a.largestUnderlying).toEqual({ id: 'BTC', share: 600 / 700 });
    expect(a.concentration).toBeCloseTo((6 / 7) ** 2 + (1 / 7) ** 2, 15);
  });

  it('one account listing an instrument twice holds one net position; multipliers scale every figure', () => {
    const opt = { type: 'option', underlying: 'BTC', strike: 100, expiry: '2027-11-20', iv: 0.5 };
    const { accounts } = exposuresOf({
      instruments: [...futures('BTC'), { id: 'C', right: 'call', multiplier: 10, ...opt }],
      accounts: [
        {
          id: 'A',
          collateral: 100,
          positions: [
            { instrument: 'BTC-PERP', quantity: 3 },
            { instrument: 'BTC-PERP', quantity: -1 },
            { instrument: 'C', quantity: -2 },
          ],
        },
      ],
      portfolios: [],
    });
    const g = optionGreeks(true, 100, 100, 1, 0, 0.5);
    const btc = accounts.A.byUnderlying[0];
    expect(btc.grossNotional).toBe(2 * 100 + 2 * 10 * 100);
    expect(btc.delta).toBeCloseTo(2 * 100 - 20 * g.delta * 100, 9);
    expect(btc.gamma).toBeCloseTo((-20 * g.gamma * 100 * 100) / 100, 9);
    expect(btc.vega).toBeCloseTo((-20 * g.vega) / 100, 9);
    expect(btc.theta).toBeCloseTo((-20 * g.theta) / 365, 9);
    expect(btc.theta).toBeGreaterThan(0); // a short option earns its decay
  });

  it('expired options (T = 0): Delta by moneyness, no Gamma, Vega or Theta, full gross notional', () => {
    const opt = { type: 'option', underlying: 'BTC', expiry: '2026-11-01', iv: 0.5 };
    const { accounts } = exposuresOf({
      instruments: [
        { id: 'C-ITM', right: 'call', strike: 90, ...opt },
        { id: 'C-ATM', right: 'call', strike: 100, ...opt },
        { id: 'P-ITM', right: 'put', strike: 120, ...opt },
        { id: 'P-OTM', right: 'put', strike: 80, ...opt },
      ],
      accounts: [
        {
          id: 'A',
          collateral: 100,
          positions: [
            { instrument: 'C-ITM', quantity: 2 },
            { instrument: 'C-ATM', quantity: 5 },
            { instrument: 'P-ITM', quantity: -3 },
            { instrument: 'P-OTM', quantity: 7 },
          ],
        },
      ],
      portfolios: [],
    });
    const btc = accounts.A.byUnderlying[0];
    // 2 x 1 x 100 (call in the money) + 5 x 0 (at the money) - 3 x (-1) x 100 (put in the money) + 0.
    expect(btc).toEqual({ id: 'BTC', delta: 500, gamma: 0, vega: 0, theta: 0, grossNotional: (2 + 5 + 3 + 7) * 100 });
  });
});
