import { createEngine, type EngineConfig, type EngineRunOptions, type RunControl } from '../engine/engine.js';
import type { RunPlan } from '../engine/plan.js';
import { capitalEfficiency, marginOf } from '../margin/margin.js';
import { shortOptionNotionalsOf, unitMargins } from '../margin/unit-margins.js';
import { planExposures } from '../risk/exposure.js';
import { seriesMeasures } from '../risk/measures.js';
import { ArgumentError, InputError, UsageError } from '../errors.js';
import { noSuchSet } from '../model/issues.js';
import type { MonteCarloSet } from '../model/types.js';
import { resolveSets } from '../scenarios/resolve.js';
import { prepare, type RunInput } from '../run.js';

export type SweepAxis =
  { parameter: 'weight'; values: number[]; target: number } | { parameter: 'volMultiplier'; values: number[] };

export interface SweepPoint {
  value: number;
  crossInitialMargin: number;
  segregatedInitialMargin: number;
  capitalEfficiency: number | null;
  bindingSet: string;
}

export interface SweepResult {
  set: string;
  parameter: SweepAxis['parameter'];
  target?: number;
  values: number[];
  /** 'set': margin from the swept set alone; 'suite': from it and the suite's other margin sets. */
  scope: 'set' | 'suite';
  portfolios: { id: string; accounts: string[]; points: SweepPoint[] }[];
}

/** The points each axis accepts, as the library and the CLI both check them. */
export const AXIS_RULES = {
  weights: { valid: (v: number) => v >= 0 && v <= 1, expected: 'in [0, 1]' },
  volMultipliers: { valid: (v: number) => v > 0, expected: '> 0' },
} as const;

/** At most this many points on one axis. */
export const MAX_AXIS_POINTS = 1000;

export interface SweepInput
  extends
    Pick<RunInput, 'market' | 'book' | 'suite' | 'baseDir' | 'onWarning' | 'strict'>,
    Omit<EngineRunOptions, 'sets' | 'onSetTails'>,
    EngineConfig {
  /** The Monte Carlo set to sweep. */
  set: string;
  /** Breakdown weights in [0, 1] toward `target`; or else vol multipliers > 0 (exactly one of the two). */
  weights?: number[];
  volMultipliers?: number[];
  /** The breakdown target correlation in [-1, 1], for `weights`; default 1. */
  target?: number;
  /** Margin from the swept set alone (`set`, the default), or with the suite's other margin sets (`suite`). */
  scope?: 'set' | 'suite';
}

/**
 * Validates the three inputs and sweeps one Monte Carlo set of the suite over breakdown weights
 * or vol multipliers (see sweepPlan). A bad argument throws an ArgumentError naming it.
 */
export async function sweep(input: SweepInput, control: RunControl = {}): Promise<SweepResult> {
  const {
    set,
    weights,
    volMultipliers,
    target = 1,
    scope = 'set',
    market,
    book,
    suite,
    baseDir,
    onWarning,
    strict,
    ...options
  } = input;
  if ((weights === undefined) === (volMultipliers === undefined))
    throw new UsageError('sweep: give exactly one of weights and volMultipliers');
  if (typeof target !== 'number' || !(target >= -1 && target <= 1))
    throw new ArgumentError(
      'target',
      typeof target === 'number' ? target : String(target),
      'expected a target correlation in [-1, 1]',
    );
  if (scope !== 'set' && scope !== 'suite') throw new ArgumentError('scope', String(scope), 'expected "set" or "suite"');
  const parameter = weights !== undefined ? 'weights' : 'volMultipliers';
  const values = weights ?? volMultipliers!;
  if (!Array.isArray(values) || values.length === 0 || values.length > MAX_AXIS_POINTS)
    throw new ArgumentError(parameter, String(values), `expected a list of 1 to ${MAX_AXIS_POINTS} numbers`);
  const rule = AXIS_RULES[parameter];
  for (const v of values)
    if (typeof v !== 'number' || !Number.isFinite(v) || !rule.valid(v))
      throw new ArgumentError(parameter, typeof v === 'number' ? v : String(v), `every point must be ${rule.expected}`);
  const axis: SweepAxis =
    parameter === 'weights' ? { parameter: 'weight', values, target } : { parameter: 'volMultiplier', values };
  return sweepPlan(prepare({ market, book, suite, baseDir, onWarning, strict }), set, axis, scope, options, control);
}

/**
 * Reruns one Monte Carlo set over a range of breakdown weights (or vol multipliers) and reports,
 * per portfolio, cross and segregated IM and capital efficiency at each point.
 *
 * Every point keeps the set's own name for its random stream, so all points see the *same*
 * scenarios (common random numbers): the curve moves only because the parameter moves, not
 * because of sampling noise. All points run in one pool, as sets of one plan.
 */
export async function sweepPlan(
  base: RunPlan,
  setName: string,
  axis: SweepAxis,
  scope: 'set' | 'suite',
  options: EngineRunOptions & EngineConfig = {},
  control: RunControl = {},
): Promise<SweepResult> {
  const index = base.suite.scenarioSets.findIndex((s) => s.name === setName);
  if (index < 0)
    throw noSuchSet(
      setName,
      base.suite.scenarioSets.map((s) => s.name),
    );
  const set = base.suite.scenarioSets[index];
  if (set.type !== 'montecarlo')
    throw new ArgumentError('set', setName, `only a montecarlo set can be swept (it is a ${set.type} set)`);

  const variants = axis.values.map((value) => {
    const variant: MonteCarloSet = { ...set, margin: true };
    if (axis.parameter === 'weight') variant.correlation = { target: axis.target, weight: value };
    else variant.volMultiplier = value;
    let resolved;
    try {
      [resolved] = resolveSets({
        market: base.market,
        suite: { ...base.suite, scenarioSets: [variant] },
        suiteFile: `set "${setName}" at ${axis.parameter} ${value}`,
      });
    } catch (err) {
      // The set itself resolved when the plan was prepared: only the point (with the target) can be at fault.
      if (!(err instanceof InputError)) throw err;
      const problem = err.issues.map((i) => i.message).join('; ');
      throw new ArgumentError(axis.parameter === 'weight' ? 'weights' : 'volMultipliers', value, problem);
    }
    return { ...resolved, name: `${setName}@${axis.parameter}=${value}` };
  });
  const others = scope === 'suite' ? base.sets.filter((s, i) => i !== index && s.margin) : [];
  const plan: RunPlan = { ...base, sets: [...variants, ...others] };
  const engine = createEngine(plan, options);
  let tails;
  try {
    tails = (await engine.run({ ...options, keepTails: false }, control)).map(seriesMeasures);
  } finally {
    await engine.close();
  }

  const ratio = base.suite.maintenanceRatio;
  const pick = (j: number) => [j, ...others.map((_, o) => variants.length + o)];
  // The report's margins (add-ons included when the suite has them: unit-margins.ts), point by point.
  const positionDelta = base.suite.addOns ? planExposures(base).positionDelta : { accounts: [], portfolios: [] };
  const shortNotional = shortOptionNotionalsOf(base);
  const points = axis.values.map((_, j) => {
    const sets = pick(j);
    const meta = sets.map((s) => ({ name: plan.sets[s].name, margin: true }));
    const core = (series: number) =>
      marginOf(
        meta,
        sets.map((s) => tails[s][series]),
        ratio,
      );
    return unitMargins(base, positionDelta, shortNotional, core);
  });
  return {
    set: setName,
    parameter: axis.parameter,
    ...(axis.parameter === 'weight' ? { target: axis.target } : {}),
    values: axis.values,
    scope,
    portfolios: base.holdings.portfolios.map((p, i) => ({
      id: p.id,
      accounts: p.accounts.map((a) => base.holdings.accountIds[a]),
      points: axis.values.map((value, j): SweepPoint => {
        const cross = points[j].portfolios[i];
        const seg = p.accounts.reduce((s, a) => s + points[j].accounts[a].initialMargin, 0);
        return {
          value,
          crossInitialMargin: cross.initialMargin,
          segregatedInitialMargin: seg,
          capitalEfficiency: capitalEfficiency(cross.initialMargin, seg),
          bindingSet: cross.bindingSet.startsWith(`${setName}@`) ? setName : cross.bindingSet,
        };
      }),
    })),
  };
}

export function sweepCsv(r: SweepResult): string {
  const lines = ['portfolio,parameter,value,crossInitialMargin,segregatedInitialMargin,capitalEfficiency,bindingSet'];
  for (const p of r.portfolios)
    for (const pt of p.points)
      lines.push(
        [
          p.id,
          r.parameter,
          pt.value,
          pt.crossInitialMargin,
          pt.segregatedInitialMargin,
          pt.capitalEfficiency ?? '',
          pt.bindingSet,
        ].join(','),
      );
  return lines.join('\n') + '\n';
}
