// The final margin of every margined unit: each account alone, each portfolio cross, from its
// core margin (the binding set's ES, margin.ts) and, when the suite configures them, the add-ons
// of contract section 8 (addons.ts). One place for the report and the sweep, so a sweep's
// margins are the report's.
import type { RunPlan } from '../engine/plan.js';
import { shortOptionNotionals, unitMargin, withDiversificationFloor, type UnitAddOnInputs } from './addons.js';
import type { MarginResult } from './margin.js';

/** Per account, the notional of its short options (what the short option minimum charges); none without add-ons. */
export function shortOptionNotionalsOf(plan: Pick<RunPlan, 'market' | 'book' | 'suite'>): number[] {
  return plan.suite.addOns ? shortOptionNotionals(plan.market, plan.book) : [];
}

/**
 * Every account's margin alone and every portfolio's cross margin (holdings order), add-ons
 * applied when the suite has an addOns block: IM becomes core plus charges and at least the
 * minimums, MM follows it, and `components` says how. Without an addOns block each unit's core
 * margin is returned as it is, untouched. `positionDelta` is the units' delta from positions
 * alone (risk/exposure.ts), `seriesMargin` a series' core margin.
 */
export function unitMargins(
  plan: Pick<RunPlan, 'market' | 'book' | 'suite' | 'holdings'>,
  positionDelta: { accounts: number[][]; portfolios: number[][] },
  shortNotional: number[],
  seriesMargin: (series: number) => MarginResult,
): { accounts: MarginResult[]; portfolios: MarginResult[] } {
  const { market, book, suite, holdings } = plan;
  const addOns = suite.addOns;
  const ratio = suite.maintenanceRatio;
  const ratingOf = new Map(book.portfolios.map((p) => [p.id, p.rating]));
  const accountRating = new Map<number, string | undefined>();
  for (const p of holdings.portfolios) for (const a of p.accounts) accountRating.set(a, ratingOf.get(p.id));
  const withAddOns = (m: MarginResult, input: UnitAddOnInputs, segregatedIM?: number): MarginResult => {
    if (!addOns) return m;
    let unit = unitMargin(addOns, market, m.initialMargin, input);
    if (segregatedIM !== undefined) unit = withDiversificationFloor(addOns, unit, segregatedIM);
    const { sets, ...rest } = m;
    return {
      ...rest,
      initialMargin: unit.initialMargin,
      maintenanceMargin: ratio * unit.initialMargin,
      components: unit.components,
      sets,
    };
  };
  const accounts = holdings.accountIds.map((_, a) =>
    withAddOns(seriesMargin(a), {
      positionDelta: positionDelta.accounts[a],
      shortOptionNotional: shortNotional[a],
      rating: accountRating.get(a),
    }),
  );
  const portfolios = holdings.portfolios.map((p, i) =>
    withAddOns(
      seriesMargin(p.series),
      {
        positionDelta: positionDelta.portfolios[i],
        // Positions of different accounts are never netted in the short option minimum.
        shortOptionNotional: addOns ? p.accounts.reduce((s, a) => s + shortNotional[a], 0) : 0,
        rating: ratingOf.get(p.id),
      },
      p.accounts.reduce((s, a) => s + accounts[a].initialMargin, 0),
    ),
  );
  return { accounts, portfolios };
}
