import { idRecord } from '../model/records.js';
import type { TailMeasures } from '../risk/measures.js';
import type { MarginComponents } from './addons.js';

/** The margin of one margined unit (an account alone, or a portfolio on its net P&L). */
export interface MarginResult {
  initialMargin: number;
  maintenanceMargin: number;
  /** The margin set with the largest loss: the one that sets IM when IM > 0. */
  bindingSet: string;
  /** By set name; a record without prototype, as a set may be called `__proto__` (model/records.ts). */
  sets: Record<string, { var: number; es: number; worst: number; worstScenario: number; varScenario: number }>;
  /** How IM is made up, when the suite configures add-ons (margin/addons.ts); absent otherwise. */
  components?: MarginComponents;
}

export interface HealthResult {
  collateral: number;
  health: number | null;
  marginCall: number;
}

export interface MarginSetMeta {
  name: string;
  margin: boolean;
}

/**
 * IM = max(0, the largest loss over the sets that count toward margin), where a set's loss is its
 * ES; ties go to the set listed first. MM = maintenanceRatio x IM.
 */
export function marginOf(sets: MarginSetMeta[], measures: TailMeasures[], maintenanceRatio: number): MarginResult {
  let binding = -1;
  const out: MarginResult['sets'] = idRecord();
  sets.forEach((set, i) => {
    const m = measures[i];
    out[set.name] = { var: m.var, es: m.es, worst: m.worst, worstScenario: m.worstScenario, varScenario: m.varScenario };
    if (set.margin && (binding < 0 || m.es > measures[binding].es)) binding = i;
  });
  if (binding < 0) throw new Error('internal: no set counts toward margin (validation should have refused the suite)');
  const im = Math.max(0, measures[binding].es);
  return { initialMargin: im, maintenanceMargin: maintenanceRatio * im, bindingSet: sets[binding].name, sets: out };
}

/** health = collateral / MM (null when MM is 0); a call of IM - collateral when collateral < MM. */
export function healthOf(collateral: number, margin: Pick<MarginResult, 'initialMargin' | 'maintenanceMargin'>): HealthResult {
  const mm = margin.maintenanceMargin;
  return {
    collateral,
    health: mm === 0 ? null : collateral / mm,
    marginCall: collateral < mm ? margin.initialMargin - collateral : 0,
  };
}

/**
 * A shortfall of cross IM below segregated IM smaller than this, relative, is rounding: far above
 * the few ulps that summing in two orders costs, far below any real difference in margin.
 */
export const EFFICIENCY_ROUNDING = 1e-9;

/**
 * 1 - cross / segregated: the share of segregated margin that netting saves (null when nothing to
 * save from). Cross IM never exceeds segregated IM in exact arithmetic (ES is subadditive,
 * docs/model.md), but the two are summed in different orders (a portfolio's P&L scenario by
 * scenario and then its tail mean; each account's tail mean and then their sum), so where they
 * are equal the ratio can exceed 1 by an ulp and give -2.2e-16, printed "-0.0%". That, and only
 * that, is 0 exactly; every other value is left as computed.
 */
export function capitalEfficiency(crossIM: number, segregatedIM: number): number | null {
  if (segregatedIM === 0) return null;
  const efficiency = 1 - crossIM / segregatedIM;
  return efficiency < 0 && efficiency > -EFFICIENCY_ROUNDING ? 0 : efficiency;
}
