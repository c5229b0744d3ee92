// Valuation through the whole engine (plan, kernels, aggregation), checked against
// Black-Scholes-Merton written out here and hand-computed linear and collateral P&L.
import { describe, expect, it } from 'vitest';
import { run } from '../../src/index.js';
import { normCdf } from '../../src/kernels/normal.js';
import { market, suite } from '../helpers/inputs.js';

function bsm(call: boolean, s: number, k: number, t: number, r: number, v: number): number {
  if (t <= 0) return call ? Math.max(s - k, 0) : Math.max(k - s, 0);
  const d1 = (Math.log(s / k) + (r + (v * v) / 2) * t) / (v * Math.sqrt(t));
  const d2 = d1 - v * Math.sqrt(t);
  return call ? s * normCdf(d1) - k * Math.exp(-r * t) * normCdf(d2) : k * Math.exp(-r * t) * normCdf(-d2) - s * normCdf(-d1);
}

const asOf = '2026-11-20';
const option = (id: string, right: 'call' | 'put', strike: number, expiry: string, iv: number, multiplier = 1) => ({
  id,
  type: 'option',
  underlying: 'BTC',
  right,
  strike,
  expiry,
  iv,
  multiplier,
});
const single = async (instrument: Record<string, unknown>, sets: Record<string, unknown>[], horizonDays = 1, quantity = 1) => {
  const r = await run({
    market: market([{ id: 'BTC', spot: 90000, vol: 0.5 }], undefined, { rate: 0.04 }),
    book: {
      instruments: [instrument],
      accounts: [{ id: 'x', collateral: 0, positions: [{ instrument: instrument.id, quantity }] }],
    },
    suite: suite(sets, { horizonDays, confidence: 0.5 }),
    workers: 1,
  });
  return r.portfolios[0].cross.sets;
};

describe('option valuation in scenarios', () => {
  it('charges time decay over the horizon: an unshocked long call loses V(T) - V(T - h/365)', async () => {
    const T = 36 / 365;
    const sets = await single(
      option('C', 'call', 95000, '2026-12-26', 0.6),
      [{ name: 'flat', type: 'shocks', shocks: [{ moves: {} }] }],
      5,
    );
    const expected = bsm(true, 90000, 95000, T, 0.04, 0.6) - bsm(true, 90000, 95000, T - 5 / 365, 0.04, 0.6);
    expect(expected).toBeGreaterThan(100);
    expect(sets.flat.worst).toBeCloseTo(expected, 8);
  });

  it('revalues at the shocked spot and the shifted iv (BSM), with the multiplier', async () => {
    const T = 36 / 365;
    const sets = await single(
      option('P', 'put', 85000, '2026-12-26', 0.55, 10),
      [{ name: 'crash', type: 'shocks', shocks: [{ moves: { BTC: -0.2 }, ivMove: 0.25 }] }],
      1,
      -3,
    );
    const v0 = bsm(false, 90000, 85000, T, 0.04, 0.55);
    const v1 = bsm(false, 90000 * 0.8, 85000, T - 1 / 365, 0.04, 0.8);
    expect(sets.crash.worst).toBeCloseTo(3 * 10 * (v1 - v0), 6);
  });

  it('floors iv at 1e-4 when an ivMove would take it below', async () => {
    const sets = await single(option('C', 'call', 80000, '2026-12-26', 0.3), [
      { name: 'g', type: 'grid', priceMoves: [0], ivMoves: [-0.5] },
    ]);
    const T = 36 / 365;
    const expected = bsm(true, 90000, 80000, T, 0.04, 0.3) - bsm(true, 90000, 80000, T - 1 / 365, 0.04, 1e-4);
    expect(sets.g.worst).toBeCloseTo(expected, 6);
  });

  it('values an option that expires within the horizon at its intrinsic value', async () => {
    const T = 2 / 365; // expires 2026-11-22, horizon 3 days
    const sets = await single(
      option('C', 'call', 88000, '2026-11-22', 0.5),
      [{ name: 's', type: 'shocks', shocks: [{ moves: { BTC: -0.05 } }, { moves: { BTC: 0.05 } }] }],
      3,
    );
    const v0 = bsm(true, 90000, 88000, T, 0.04, 0.5);
    // down 5%: worthless at expiry; up 5%: 94500 - 88000.
    expect(sets.s.worst).toBeCloseTo(v0 - 0, 8);
    expect(sets.s.var).toBeCloseTo(v0 - 0, 8);
    const up = await single(
      option('C', 'call', 88000, '2026-11-22', 0.5),
      [{ name: 's', type: 'shocks', shocks: [{ moves: { BTC: 0.05 } }] }],
      3,
    );
    expect(up.s.worst).toBeCloseTo(v0 - (94500 - 88000), 8);
  });

  it('values an already expired option at intrinsic today and in every scenario', async () => {
    const sets = await single(option('P', 'put', 95000, '2026-11-01', 0.5), [
      { name: 'g', type: 'grid', priceMoves: [-0.1, 0.1] },
    ]);
    // today: 5000; down 10%: 14000 (gain 9000); up 10%: 0 (loss 5000).
    expect(sets.g.worst).toBeCloseTo(5000, 8);
  });
});

describe('collateral and linear positions', () => {
  it("revalues non-cash collateral in every scenario (wrong-way risk), haircut only on today's value", async () => {
    const r = await run({
      market: market([
        { id: 'BTC', spot: 90000, vol: 0.5 },
        { id: 'ETH', spot: 3000, vol: 0.7 },
      ]),
      book: {
        instruments: [{ id: 'ETH-PERP', type: 'future', underlying: 'ETH', multiplier: 2 }],
        accounts: [
          {
            id: 'x',
            collateral: [
              { asset: 'USD', amount: 1000 },
              { asset: 'BTC', amount: 2, haircut: 0.25 },
            ],
            positions: [{ instrument: 'ETH-PERP', quantity: -10 }],
          },
        ],
      },
      suite: suite([{ name: 's', type: 'shocks', shocks: [{ moves: { BTC: -0.3, ETH: -0.1 } }] }]),
      workers: 1,
    });
    const p = r.portfolios[0];
    expect(p.collateral).toBeCloseTo(1000 + 2 * 90000 * 0.75, 9);
    // collateral loses 2 x 27000; the short ETH future gains 10 x 2 x 300.
    expect(p.cross.sets.s.worst).toBeCloseTo(54000 - 6000, 6);
    expect(p.cross.initialMargin).toBeCloseTo(48000, 6);
    expect(p.cross.maintenanceMargin).toBeCloseTo(0.8 * 48000, 6);
    expect(p.health).toBeCloseTo(136000 / 38400, 9);
    expect(p.marginCall).toBe(0);
  });
});
