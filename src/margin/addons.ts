// Add-ons (contract section 8): the charges clearing houses put on top of expected shortfall for
// what a scenario loss does not see: a position too large to sell in a day (liquidity), a
// counterparty's credit (credit), short options far out of the money whose scenario losses are
// small (short option minimum), and netting across accounts that looks too good (diversification
// floor). Per margined unit, from today's market; no scenario is involved, so they cost nothing
// per scenario.
import type { AddOns, Book, Market } from '../model/types.js';

/** Which part of the formula sets IM; on a tie, the one listed first. */
export type BindingComponent = 'core' | 'shortOptionMinimum' | 'diversificationFloor';

export interface MarginComponents {
  /** max(0, the binding set's loss): IM as section 4 computes it without add-ons. */
  core: number;
  liquidity: number;
  credit: number;
  shortOptionMinimum: number;
  /** (1 - b) x segregated IM, for portfolios when maxDiversificationBenefit b is set; else null. */
  diversificationFloor: number | null;
  binding: BindingComponent;
}

/** What a unit's add-ons are computed from, besides its core margin. */
export interface UnitAddOnInputs {
  /** The positions' delta per underlying (market order), collateral excluded (risk/exposure.ts). */
  positionDelta: number[];
  /** Sum of |q| * m * S over the unit's short option positions, each account's apart. */
  shortOptionNotional: number;
  /** The portfolio's rating (an account takes its portfolio's); none: no credit charge. */
  rating?: string;
}

/**
 * The cost of unwinding |D_u| of underlying u: half the spread, plus a market impact that grows
 * with the square root of the share of a day's volume to trade (the square-root impact law),
 * scaled by one day's volatility. Underlyings with no position cost nothing.
 */
export function liquidityCharge(market: Market, impact: number, positionDelta: number[]): number {
  const oneDay = Math.sqrt(1 / market.daysPerYear);
  let total = 0;
  market.underlyings.forEach((u, i) => {
    const d = Math.abs(positionDelta[i]);
    if (d === 0) return;
    // validate.ts refuses a liquidity add-on on a book holding an underlying without adv.
    const adv = u.adv!;
    total += d * ((u.spread ?? 0) / 2 + impact * u.vol * oneDay * Math.sqrt(d / adv));
  });
  return total;
}

/**
 * Per account (book order), sum of |q| * m * S over its short option positions (net quantity per
 * instrument below 0), expired options included: a short option is a promise whatever its model
 * value. One pass over the book, so that it costs nothing next to the scenarios.
 */
export function shortOptionNotionals(market: Market, book: Pick<Book, 'instruments' | 'accounts'>): number[] {
  const instruments = new Map(book.instruments.map((i) => [i.id, i]));
  const spot = new Map(market.underlyings.map((u) => [u.id, u.spot]));
  return book.accounts.map((account) => {
    const net = new Map<string, number>();
    for (const p of account.positions) net.set(p.instrument, (net.get(p.instrument) ?? 0) + p.quantity);
    let total = 0;
    for (const [id, q] of net) {
      const inst = instruments.get(id)!;
      if (inst.type === 'option' && q < 0) total += -q * inst.multiplier * spot.get(inst.underlying)!;
    }
    return total;
  });
}

/**
 * A unit's IM before any diversification floor: max(core + liquidity + credit, short option
 * minimum). The core binds unless the minimum is strictly larger (the earlier one on a tie).
 */
export function unitMargin(
  addOns: AddOns,
  market: Market,
  core: number,
  input: UnitAddOnInputs,
): { initialMargin: number; components: MarginComponents } {
  const liquidity = addOns.liquidity ? liquidityCharge(market, addOns.liquidity.impact, input.positionDelta) : 0;
  const surcharge = addOns.credit && input.rating !== undefined ? addOns.credit[input.rating] : undefined;
  const credit = surcharge === undefined ? 0 : surcharge * core;
  const shortOptionMinimum = addOns.shortOptionMinimum === undefined ? 0 : input.shortOptionNotional * addOns.shortOptionMinimum;
  const charged = core + liquidity + credit;
  const minimumBinds = shortOptionMinimum > charged;
  return {
    initialMargin: minimumBinds ? shortOptionMinimum : charged,
    components: {
      core,
      liquidity,
      credit,
      shortOptionMinimum,
      diversificationFloor: null,
      binding: minimumBinds ? 'shortOptionMinimum' : 'core',
    },
  };
}

/**
 * A portfolio's IM under maxDiversificationBenefit b: at least (1 - b) x its segregated IM (the
 * accounts' IMs with their own add-ons), so that netting saves at most the share b. Without b,
 * the unit is returned as it is.
 */
export function withDiversificationFloor(
  addOns: AddOns,
  unit: { initialMargin: number; components: MarginComponents },
  segregatedIM: number,
): { initialMargin: number; components: MarginComponents } {
  const b = addOns.maxDiversificationBenefit;
  if (b === undefined) return unit;
  const floor = (1 - b) * segregatedIM;
  const floorBinds = floor > unit.initialMargin;
  return {
    initialMargin: floorBinds ? floor : unit.initialMargin,
    components: {
      ...unit.components,
      diversificationFloor: floor,
      binding: floorBinds ? 'diversificationFloor' : unit.components.binding,
    },
  };
}
