// What collateral is worth today, in the market currency. One function for the engine (which
// margins with it) and for validation (which refuses a book whose sums cannot be represented).

import type { CollateralAsset } from './types.js';

/**
 * An account's effective collateral: cash at face value, an underlying at its spot less the
 * haircut. `spotOf` gives an underlying's spot, undefined for the market currency.
 */
export function effectiveCollateral(
  collateral: ReadonlyArray<CollateralAsset>,
  spotOf: (asset: string) => number | undefined,
): number {
  let value = 0;
  for (const c of collateral) {
    const spot = spotOf(c.asset);
    value += spot === undefined ? c.amount : c.amount * spot * (1 - c.haircut);
  }
  return value;
}
