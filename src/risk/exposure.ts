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

/**
 * A unit's per-underlying sums, flat: underlying u's delta, gamma, vega, theta and gross notional
 * at [5u, 5u + 5). Flat, because a large book has a unit per account and portfolio times every
 * market underlying (275,000 on L), and as objects their garbage took most of the time.
 */
const DELTA = 0;
const GAMMA = 1;
const VEGA = 2;
const THETA = 3;
const GROSS = 4;
const WIDTH = 5;

/**
 * An account's per-underlying sums, in market order (`index`: underlying id -> market index), and
 * the positions' delta alone, taken before the collateral is added.
 */
function accountSums(
  market: Market,
  index: Map<string, number>,
  instruments: Map<string, Instrument>,
  greeksOf: (inst: Instrument) => ReturnType<typeof optionGreeks>,
  account: Account,
): { sums: Float64Array; positionDelta: number[] } {
  const nU = market.underlyings.length;
  const sums = new Float64Array(nU * WIDTH);
  // A position is the account's net quantity in one instrument: an instrument listed twice in an
  // account is one position in gross notional, as it is one holding to whoever settles it.
  const net = new Map<string, number>();
  for (const p of account.positions) net.set(p.instrument, (net.get(p.instrument) ?? 0) + p.quantity);
  for (const [id, q] of net) {
    const inst = instruments.get(id)!;
    const u = index.get(inst.underlying)!;
    const s = market.underlyings[u].spot;
    const qm = q * inst.multiplier;
    const at = u * WIDTH;
    sums[at + GROSS] += Math.abs(q) * inst.multiplier * s;
    if (inst.type !== 'option') {
      sums[at + DELTA] += qm * s;
      continue;
    }
    const g = greeksOf(inst);
    sums[at + DELTA] += qm * g.delta * s;
    sums[at + GAMMA] += (qm * g.gamma * s * s) / 100;
    sums[at + VEGA] += (qm * g.vega) / 100;
    sums[at + THETA] += (qm * g.theta) / 365;
  }
  const positionDelta = Array.from({ length: nU }, (_, u) => sums[u * WIDTH + DELTA]);
  // Collateral in an underlying moves like a spot position of multiplier 1 (it is in every
  // scenario's P&L, section 3), but it is not a position: no gross notional.
  for (const c of account.collateral) {
    const u = index.get(c.asset);
    if (u !== undefined) sums[u * WIDTH + DELTA] += c.amount * market.underlyings[u].spot;
  }
  return { sums, positionDelta };
}

/** The totals of a unit from its per-underlying sums and its effective collateral. */
function exposureOf(market: Market, sums: Float64Array, collateral: number): Exposure {
  const nU = market.underlyings.length;
  const byUnderlying: UnderlyingExposure[] = new Array(nU);
  let grossNotional = 0;
  let netDelta = 0;
  let absTotal = 0;
  for (let u = 0; u < nU; u++) {
    const at = u * WIDTH;
    byUnderlying[u] = {
      id: market.underlyings[u].id,
      delta: sums[at + DELTA],
      gamma: sums[at + GAMMA],
      vega: sums[at + VEGA],
      theta: sums[at + THETA],
      grossNotional: sums[at + GROSS],
    };
    grossNotional += sums[at + GROSS];
    netDelta += sums[at + DELTA];
    absTotal += Math.abs(sums[at + DELTA]);
  }
  let concentration: number | null = null;
  let largestUnderlying: Exposure['largestUnderlying'] = null;
  if (absTotal > 0) {
    let herfindahl = 0;
    let largest = -1;
    let largestShare = -1;
    for (let u = 0; u < nU; u++) {
      const w = Math.abs(sums[u * WIDTH + DELTA]) / absTotal;
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
  // An option's Greeks depend on the instrument alone: computed once each, not once per position.
  const greeks = new Map<string, ReturnType<typeof optionGreeks>>();
  const greeksOf = (inst: Instrument) => {
    let g = greeks.get(inst.id);
    if (g === undefined) {
      if (inst.type !== 'option') throw new Error(`internal: Greeks of ${inst.id}, not an option`);
      const s = market.underlyings[index.get(inst.underlying)!].spot;
      const t = yearsToExpiry(market.asOf, inst.expiry);
      g = optionGreeks(inst.right === 'call', s, inst.strike, t, market.rate, inst.iv);
      greeks.set(inst.id, g);
    }
    return g;
  };
  const perAccount = book.accounts.map((a) => accountSums(market, index, instruments, greeksOf, a));
  const sums = perAccount.map((x) => x.sums);
  const accounts = sums.map((s, a) => exposureOf(market, s, holdings.collateral[a]));
  const accountDelta = perAccount.map((x) => x.positionDelta);
  const portfolioDelta = holdings.portfolios.map((p) => {
    const total = market.underlyings.map(() => 0);
    for (const a of p.accounts) accountDelta[a].forEach((d, u) => (total[u] += d));
    return total;
  });
  const portfolios = holdings.portfolios.map((p) => {
    const total = new Float64Array(market.underlyings.length * WIDTH);
    let collateral = 0;
    for (const a of p.accounts) {
      collateral += holdings.collateral[a];
      const x = sums[a];
      for (let i = 0; i < total.length; i++) total[i] += x[i];
    }
    return exposureOf(market, total, collateral);
  });
  return { accounts, portfolios, positionDelta: { accounts: accountDelta, portfolios: portfolioDelta } };
}
