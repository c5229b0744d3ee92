// Exposure in today's market, no scenario (contract section 7): what an account or a portfolio
// holds, per underlying, as delta, gamma, vega, theta and gross notional, and the totals a risk
// manager reads first (leverage, concentration). Computed from the resolved plan, never from the
// engine's scenario rows: those merge instruments and collateral that move alike, and exposure
// must keep positions (gross notional) and collateral (delta only) apart.
import { yearsToExpiry } from '../engine/instruments.js';
import type { RunPlan } from '../engine/plan.js';
import type { Account, Instrument, Market } from '../model/types.js';
import { optionGreeks } from './greeks.js';

export interface UnderlyingExposure {
  id: string;
  /** Sum of q * m * Delta * S, in currency; non-cash collateral counts as a spot position. */
  delta: number;
  /** Sum of q * m * Gamma * S^2 / 100: the change of `delta` for a 1% move. */
  gamma: number;
  /** Sum of q * m * dV/dsigma / 100: the value change for +1 vol point. */
  vega: number;
  /** Sum of q * m * (-dV/dT) / 365: the value change over one calendar day. */
  theta: number;
  /** Sum of |q| * m * S over positions (collateral excluded), each account's positions apart. */
  grossNotional: number;
}

export interface Exposure {
  /** Every market underlying, in market order. */
  byUnderlying: UnderlyingExposure[];
  grossNotional: number;
  /** Sum of the underlyings' `delta`. */
  netDelta: number;
  /** grossNotional / collateral; null when collateral is 0. */
  leverage: number | null;
  /** Herfindahl index of |delta| shares; null when every delta is 0. */
  concentration: number | null;
  /** The underlying with the largest |delta| share (first in market order on a tie); null when every delta is 0. */
  largestUnderlying: { id: string; share: number } | null;
}

/** The exposures of a plan's accounts (book order) and portfolios (holdings order). */
export interface PlanExposures {
  accounts: Exposure[];
  portfolios: Exposure[];
  /**
   * The same units' `delta` per underlying (market order) from positions alone, collateral
   * excluded: what the liquidity add-on must unwind (contract section 8). Collateral is posted,
   * not traded out of, so it is not part of what a default manager would have to sell.
   */
  positionDelta: { accounts: number[][]; portfolios: number[][] };
}

type Sums = Omit<UnderlyingExposure, 'id'>;

const zero = (): Sums => ({ delta: 0, gamma: 0, vega: 0, theta: 0, grossNotional: 0 });

/**
 * An account's per-underlying sums, in market order (`index`: underlying id -> market index), and
 * the positions' delta alone, taken before the collateral is added.
 */
function accountSums(
  market: Market,
  index: Map<string, number>,
  instruments: Map<string, Instrument>,
  account: Account,
): { sums: Sums[]; positionDelta: number[] } {
  const sums = market.underlyings.map(zero);
  // A position is the account's net quantity in one instrument: an instrument listed twice in an
  // account is one position in gross notional, as it is one holding to whoever settles it.
  const net = new Map<string, number>();
  for (const p of account.positions) net.set(p.instrument, (net.get(p.instrument) ?? 0) + p.quantity);
  for (const [id, q] of net) {
    const inst = instruments.get(id)!;
    const u = index.get(inst.underlying)!;
    const s = market.underlyings[u].spot;
    const qm = q * inst.multiplier;
    const row = sums[u];
    row.grossNotional += Math.abs(q) * inst.multiplier * s;
    if (inst.type !== 'option') {
      row.delta += qm * s;
      continue;
    }
    const t = yearsToExpiry(market.asOf, inst.expiry);
    const g = optionGreeks(inst.right === 'call', s, inst.strike, t, market.rate, inst.iv);
    row.delta += qm * g.delta * s;
    row.gamma += (qm * g.gamma * s * s) / 100;
    row.vega += (qm * g.vega) / 100;
    row.theta += (qm * g.theta) / 365;
  }
  const positionDelta = sums.map((x) => x.delta);
  // Collateral in an underlying moves like a spot position of multiplier 1 (it is in every
  // scenario's P&L, section 3), but it is not a position: no gross notional.
  for (const c of account.collateral) {
    const u = index.get(c.asset);
    if (u !== undefined) sums[u].delta += c.amount * market.underlyings[u].spot;
  }
  return { sums, positionDelta };
}

/** The totals of a unit from its per-underlying sums and its effective collateral. */
function exposureOf(market: Market, sums: Sums[], collateral: number): Exposure {
  const byUnderlying = sums.map((x, u) => ({ id: market.underlyings[u].id, ...x }));
  const grossNotional = sums.reduce((acc, x) => acc + x.grossNotional, 0);
  const netDelta = sums.reduce((acc, x) => acc + x.delta, 0);
  const absTotal = sums.reduce((acc, x) => acc + Math.abs(x.delta), 0);
  let concentration: number | null = null;
  let largestUnderlying: Exposure['largestUnderlying'] = null;
  if (absTotal > 0) {
    let herfindahl = 0;
    let largest = -1;
    let largestShare = -1;
    for (let u = 0; u < sums.length; u++) {
      const w = Math.abs(sums[u].delta) / absTotal;
      herfindahl += w * w;
      // Strictly larger only, so a tie keeps the underlying listed first in the market.
      if (w > largestShare) {
        largest = u;
        largestShare = w;
      }
    }
    concentration = herfindahl;
    largestUnderlying = { id: market.underlyings[largest].id, share: largestShare };
  }
  return {
    byUnderlying,
    grossNotional,
    netDelta,
    leverage: collateral === 0 ? null : grossNotional / collateral,
    concentration,
    largestUnderlying,
  };
}

/**
 * Every account's exposure and every portfolio's. A portfolio's per-underlying figures are the
 * sums of its accounts' (in book order): delta nets across accounts, gross notional never does,
 * since each account's positions are already gross.
 */
export function planExposures(plan: Pick<RunPlan, 'market' | 'book' | 'holdings'>): PlanExposures {
  const { market, book, holdings } = plan;
  const instruments = new Map(book.instruments.map((i) => [i.id, i]));
  const index = new Map(market.underlyings.map((u, i) => [u.id, i]));
  const perAccount = book.accounts.map((a) => accountSums(market, index, instruments, a));
  const sums = perAccount.map((x) => x.sums);
  const accounts = sums.map((s, a) => exposureOf(market, s, holdings.collateral[a]));
  const accountDelta = perAccount.map((x) => x.positionDelta);
  const portfolioDelta = holdings.portfolios.map((p) => {
    const total = market.underlyings.map(() => 0);
    for (const a of p.accounts) accountDelta[a].forEach((d, u) => (total[u] += d));
    return total;
  });
  const portfolios = holdings.portfolios.map((p) => {
    const total = market.underlyings.map(zero);
    let collateral = 0;
    for (const a of p.accounts) {
      collateral += holdings.collateral[a];
      sums[a].forEach((x, u) => {
        const t = total[u];
        t.delta += x.delta;
        t.gamma += x.gamma;
        t.vega += x.vega;
        t.theta += x.theta;
        t.grossNotional += x.grossNotional;
      });
    }
    return exposureOf(market, total, collateral);
  });
  return { accounts, portfolios, positionDelta: { accounts: accountDelta, portfolios: portfolioDelta } };
}
