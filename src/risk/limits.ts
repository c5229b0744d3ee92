// Limits (contract section 7): bounds on a unit's leverage, its largest underlying's share of
// |delta|, |delta| per underlying and its health, from the suite, with overrides by id. A breach
// is a value past its bound; a value that does not exist (null: no collateral, no delta, no
// maintenance margin) never breaches.
import { ownValue } from '../model/records.js';
import type { LimitSet, Limits } from '../model/types.js';

/** What the limits are checked on, for one portfolio (cross) or one account (segregated). */
export interface LimitUnit {
  level: 'portfolio' | 'account';
  id: string;
  leverage: number | null;
  /** The largest underlying's share of |delta| (exposure's `largestUnderlying.share`). */
  largestShare: number | null;
  /** delta per underlying, in market order. */
  delta: ReadonlyArray<{ id: string; delta: number }>;
  health: number | null;
}

export type LimitName = 'maxLeverage' | 'maxConcentration' | 'maxDelta' | 'minHealth';

export interface Breach {
  level: 'portfolio' | 'account';
  id: string;
  limit: LimitName;
  /** For maxDelta: the underlying. */
  underlying?: string;
  value: number;
  threshold: number;
}

/**
 * The limits in force for one id: an override replaces the limits it names, one by one, except
 * maxDelta, which it merges per underlying (an override of one underlying keeps the others').
 */
export function limitsFor(limits: Limits, id: string): LimitSet {
  const o = limits.overrides ? ownValue(limits.overrides, id) : undefined;
  if (!o) return limits;
  const maxDelta = limits.maxDelta || o.maxDelta ? Object.assign(Object.create(null), limits.maxDelta, o.maxDelta) : undefined;
  return {
    maxLeverage: o.maxLeverage ?? limits.maxLeverage,
    maxConcentration: o.maxConcentration ?? limits.maxConcentration,
    ...(maxDelta ? { maxDelta } : {}),
    minHealth: o.minHealth ?? limits.minHealth,
  };
}

/**
 * Every breach, in the contract's order: units as given (portfolios first, then accounts, each in
 * report order), and per unit the limits in the order maxLeverage, maxConcentration, maxDelta
 * (underlyings in the unit's order), minHealth.
 */
export function checkLimits(limits: Limits, units: ReadonlyArray<LimitUnit>): Breach[] {
  const out: Breach[] = [];
  for (const unit of units) {
    const l = limitsFor(limits, unit.id);
    const at = { level: unit.level, id: unit.id };
    if (l.maxLeverage !== undefined && unit.leverage !== null && unit.leverage > l.maxLeverage) {
      out.push({ ...at, limit: 'maxLeverage', value: unit.leverage, threshold: l.maxLeverage });
    }
    if (l.maxConcentration !== undefined && unit.largestShare !== null && unit.largestShare > l.maxConcentration) {
      out.push({ ...at, limit: 'maxConcentration', value: unit.largestShare, threshold: l.maxConcentration });
    }
    if (l.maxDelta) {
      for (const { id, delta } of unit.delta) {
        const bound = ownValue(l.maxDelta, id);
        if (bound !== undefined && Math.abs(delta) > bound) {
          out.push({ ...at, limit: 'maxDelta', underlying: id, value: Math.abs(delta), threshold: bound });
        }
      }
    }
    // Health breaches from below: too little collateral for the maintenance margin.
    if (l.minHealth !== undefined && unit.health !== null && unit.health < l.minHealth) {
      out.push({ ...at, limit: 'minHealth', value: unit.health, threshold: l.minHealth });
    }
  }
  return out;
}
