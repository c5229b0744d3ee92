// Exposure in today's market, no scenario (contract section 7): what an account or a portfolio
// holds, per underlying, as delta, gamma, vega, theta and gross notional, and the totals a risk
// manager reads first (leverage, concentration). Computed from the resolved plan, never from the
// engine's scenario rows: those merge instruments and collateral that move alike, and exposure
// must keep positions (gross notional) and collateral (delta only) apart.
import { yearsToExpiry } from '../engine/instruments.js';
import type { RunPlan } from '../engine/plan.js';
import type { Account, Instrument, Market } from '../model/types.js';
import { optionGreeks } from './greeks.js';
import { runSteps, type Steps } from '../util/turns.js';

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
 * The book resolved for exposure once, by the instrument's place in the book: its market index,
 * multiplier and spot, and (options) its Greeks, computed on first use: they depend on the
 * instrument alone, so once each, not once per position.
 */
interface ResolvedInstruments {
  indexOf: Map<string, number>;
  underlying: Int32Array;
  multiplier: Float64Array;
  spot: Float64Array;
  greeksOf: (i: number) => ReturnType<typeof optionGreeks> | undefined;
}

function resolveInstruments(market: Market, instruments: Instrument[]): ResolvedInstruments {
  const index = new Map(market.underlyings.map((u, i) => [u.id, i]));
  const n = instruments.length;
  const underlying = new Int32Array(n);
  const multiplier = new Float64Array(n);
  const spot = new Float64Array(n);
  instruments.forEach((inst, i) => {
    underlying[i] = index.get(inst.underlying)!;
    multiplier[i] = inst.multiplier;
    spot[i] = market.underlyings[underlying[i]].spot;
  });
  const greeks = new Array<ReturnType<typeof optionGreeks> | undefined>(n);
  return {
    indexOf: new Map(instruments.map((inst, i) => [inst.id, i])),
    underlying,
    multiplier,
    spot,
    greeksOf: (i) => {
      const inst = instruments[i];
      if (inst.type !== 'option') return undefined;
      return (greeks[i] ??= optionGreeks(
        inst.right === 'call',
        spot[i],
        inst.strike,
        yearsToExpiry(market.asOf, inst.expiry),
        market.rate,
        inst.iv,
      ));
    },
  };
}

/**
 * An account's per-underlying sums, in market order, into `sums` (zero on entry), and the
 * positions' delta alone, taken before the collateral is added. `net` is scratch of one entry per
 * instrument, zero on entry and on exit.
 */
function accountSums(
  market: Market,
  index: Map<string, number>,
  r: ResolvedInstruments,
  net: Float64Array,
  account: Account,
  sums: Float64Array,
): number[] {
  const nU = market.underlyings.length;
  // A position is the account's net quantity in one instrument: an instrument listed twice in an
  // account is one position in gross notional, as it is one holding to whoever settles it.
  const held: number[] = [];
  for (const p of account.positions) {
    const i = r.indexOf.get(p.instrument)!;
    if (net[i] === 0 && !held.includes(i)) held.push(i);
    net[i] += p.quantity;
  }
  for (const i of held) {
    const q = net[i];
    net[i] = 0;
    const s = r.spot[i];
    const qm = q * r.multiplier[i];
    const at = r.underlying[i] * WIDTH;
    sums[at + GROSS] += Math.abs(q) * r.multiplier[i] * s;
    const g = r.greeksOf(i);
    if (g === undefined) {
      sums[at + DELTA] += qm * s;
      continue;
    }
    sums[at + DELTA] += qm * g.delta * s;
    sums[at + GAMMA] += (qm * g.gamma * s * s) / 100;
    sums[at + VEGA] += (qm * g.vega) / 100;
    sums[at + THETA] += (qm * g.theta) / 365;
  }
  const positionDelta = new Array<number>(nU);
  for (let u = 0; u < nU; u++) positionDelta[u] = sums[u * WIDTH + DELTA];
  // Collateral in an underlying moves like a spot position of multiplier 1 (it is in every
  // scenario's P&L, section 3), but it is not a position: no gross notional.
  for (const c of account.collateral) {
    const u = index.get(c.asset);
    if (u !== undefined) sums[u * WIDTH + DELTA] += c.amount * market.underlyings[u].spot;
  }
  return positionDelta;
}

/**
 * An underlying's entry for a unit holding nothing in it, one per underlying, shared by every
 * such unit and frozen so that no caller can change them all at once: a large book's units each
 * hold a few of many underlyings (on L, 45% of the 275,000 entries are empty), and as an object
 * each, with its numbers boxed, they were a good part of the exposures' time and garbage.
 */
function emptyEntries(market: Market): readonly UnderlyingExposure[] {
  return market.underlyings.map((u) => Object.freeze({ id: u.id, delta: 0, gamma: 0, vega: 0, theta: 0, grossNotional: 0 }));
}

/** The totals of a unit from its per-underlying sums and its effective collateral. */
function exposureOf(market: Market, empty: readonly UnderlyingExposure[], sums: Float64Array, collateral: number): Exposure {
  const nU = market.underlyings.length;
  const byUnderlying: UnderlyingExposure[] = new Array(nU);
  let grossNotional = 0;
  let netDelta = 0;
  let absTotal = 0;
  for (let u = 0; u < nU; u++) {
    const at = u * WIDTH;
    // Sums start at +0 and adding to +0 never gives -0, so an empty entry is exactly the shared one.
    const held =
      sums[at + DELTA] !== 0 ||
      sums[at + GAMMA] !== 0 ||
      sums[at + VEGA] !== 0 ||
      sums[at + THETA] !== 0 ||
      sums[at + GROSS] !== 0;
    if (!held) {
      byUnderlying[u] = empty[u];
      continue;
    }
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
  return runSteps(planExposureSteps(plan));
}

/** planExposures as steps (util/turns.ts), one per account and per portfolio: what a run computes between its tasks. */
export function* planExposureSteps(plan: Pick<RunPlan, 'market' | 'book' | 'holdings'>): Steps<PlanExposures> {
  const { market, book, holdings } = plan;
  const nU = market.underlyings.length;
  const index = new Map(market.underlyings.map((u, i) => [u.id, i]));
  const resolved = resolveInstruments(market, book.instruments);
  const net = new Float64Array(book.instruments.length);
  const empty = emptyEntries(market);
  // Two buffers for every unit: an account's sums, then added into its portfolio's. A typed array
  // per unit was 5,500 allocations outside the heap on L, most of the exposures' time.
  const sums = new Float64Array(nU * WIDTH);
  const total = new Float64Array(nU * WIDTH);
  const accounts = new Array<Exposure>(book.accounts.length);
  const accountDelta = new Array<number[]>(book.accounts.length);
  const account = (a: number): void => {
    sums.fill(0);
    const delta = accountSums(market, index, resolved, net, book.accounts[a], sums);
    if (accounts[a] !== undefined) return;
    accountDelta[a] = delta;
    accounts[a] = exposureOf(market, empty, sums, holdings.collateral[a]);
  };
  const portfolios: Exposure[] = [];
  const portfolioDelta: number[][] = [];
  // Each portfolio's accounts, then the portfolio: its figures are its accounts' added in its order.
  for (const p of holdings.portfolios) {
    const delta = new Array<number>(nU).fill(0);
    total.fill(0);
    let collateral = 0;
    for (const a of p.accounts) {
      account(a);
      collateral += holdings.collateral[a];
      const d = accountDelta[a];
      for (let u = 0; u < nU; u++) delta[u] += d[u];
      for (let i = 0; i < total.length; i++) total[i] += sums[i];
      yield;
    }
    portfolioDelta.push(delta);
    portfolios.push(exposureOf(market, empty, total, collateral));
    yield;
  }
  // Accounts in no portfolio (holdings give every account one; a plan made otherwise may not).
  for (let a = 0; a < book.accounts.length; a++) if (accounts[a] === undefined) account(a);
  return { accounts, portfolios, positionDelta: { accounts: accountDelta, portfolios: portfolioDelta } };
}
