// explain --cascade: one scenario's liquidation cascade (contract section 9) round by round. The
// rounds need every portfolio's maintenance margin, which is the run's (the largest loss over
// the margin sets, with add-ons): `explainCascade` runs the suite for them; a caller that has a
// report already passes its margins to `explainCascadeOf` and runs nothing.
import { TwinEvaluator } from '../engine/evaluator-twin.js';
import type { EngineConfig, RunControl } from '../engine/engine.js';
import { kernelPlan, type RunPlan } from '../engine/plan.js';
import { ArgumentError } from '../errors.js';
import { noSuchSet, throwIfIssues } from '../model/issues.js';
import { validateSuiteNeeds } from '../model/validate.js';
import { buildCascadeTable, CASCADE_DEFAULTS, cascadeScenario, priceMoves } from '../risk/cascade.js';
import { prepare, run, type RunInput } from '../run.js';

export interface CascadeExplanation {
  set: string;
  type: string;
  scenario: number;
  label?: string;
  ivShift: number;
  impact: number;
  maxRounds: number;
  underlyings: { id: string; spot: number; vol: number; adv: number | null; scenarioSpot: number; finalSpot: number }[];
  /** In the report's order; equity at the scenario's own prices (round 0). */
  portfolios: { id: string; collateral: number; maintenanceMargin: number; equity: number }[];
  rounds: {
    round: number;
    /** Equity at the prices before the round, of the portfolios not yet liquidated. */
    equity: Record<string, number>;
    liquidated: string[];
    /** Q_u per underlying: minus the liquidated positions' cash deltas. */
    orderFlow: Record<string, number>;
    /** Prices after the round's sales. */
    spot: Record<string, number>;
    /** Per liquidated portfolio: max(0, -equity) at the prices after the round. */
    shortfall: Record<string, number>;
  }[];
  stoppedBy: 'no liquidation' | 'maxRounds';
  shortfall: number;
  priceMoves: Record<string, number>;
  /** Equity at the final prices, of every portfolio. */
  finalEquity: Record<string, number>;
}

export interface ExplainCascadeInput extends Pick<RunInput, 'market' | 'book' | 'suite' | 'baseDir'>, EngineConfig {
  set: string;
  scenario: number;
}

/** Validates the inputs, runs the suite for the maintenance margins, and explains one scenario's cascade. */
export async function explainCascade(input: ExplainCascadeInput, control: RunControl = {}): Promise<CascadeExplanation> {
  const plan = prepare(input);
  checkScenario(plan, input.set, input.scenario);
  const marketFile = typeof input.market === 'string' ? input.market : '<market>';
  if (!plan.suite.cascade) {
    // Without a cascade block the suite's validation did not ask for adv: ask as if it named this set.
    const issues = validateSuiteNeeds(
      { ...plan.suite, cascade: { sets: [input.set], ...CASCADE_DEFAULTS } },
      plan.market,
      plan.book,
    );
    throwIfIssues(marketFile, issues.market);
  }
  const report = await run(
    {
      market: input.market,
      book: input.book,
      suite: input.suite,
      baseDir: input.baseDir,
      workers: input.workers,
      executor: input.executor,
      // Only the maintenance margins are needed.
      attribution: false,
      cover: false,
    },
    control,
  );
  const mm = new Map(report.portfolios.map((p) => [p.id, p.cross.maintenanceMargin]));
  return explainCascadeOf(
    plan,
    input.set,
    input.scenario,
    plan.holdings.portfolios.map((p) => mm.get(p.id)!),
  );
}

/**
 * One scenario's cascade, given each portfolio's maintenance margin (holdings.portfolios order:
 * the report's). The suite's cascade parameters apply, or the contract's defaults. Computed on
 * the TypeScript twins, as `explain` computes, so it cross-checks the workers' figures.
 */
export function explainCascadeOf(
  plan: RunPlan,
  setName: string,
  scenario: number,
  maintenanceMargins: number[],
): CascadeExplanation {
  const si = checkScenario(plan, setName, scenario);
  const table = buildCascadeTable(plan, maintenanceMargins);
  const r = cascadeScenario(new TwinEvaluator(kernelPlan(plan), 1), table, si, scenario, { trace: true });
  const t = r.trace!;
  const ids = plan.holdings.portfolios.map((p) => p.id);
  const und = plan.market.underlyings;
  const byUnderlying = (v: ArrayLike<number>) => Object.fromEntries(und.map((u, k) => [u.id, v[k]]));
  const set = plan.sets[si];
  return {
    set: set.name,
    type: set.type,
    scenario,
    ...(set.labels ? { label: set.labels[scenario] } : {}),
    ivShift: t.ivShift,
    impact: table.impact,
    maxRounds: table.maxRounds,
    underlyings: und.map((u, k) => ({
      id: u.id,
      spot: u.spot,
      vol: u.vol,
      adv: u.adv ?? null,
      scenarioSpot: t.spot0[k],
      finalSpot: r.spot[k],
    })),
    portfolios: ids.map((id, p) => ({
      id,
      collateral: table.collateral[p],
      maintenanceMargin: table.maintenanceMargin[p],
      equity: t.rounds.length > 0 ? t.rounds[0].equity[p] : t.finalEquity[p],
    })),
    rounds: t.rounds.map((x) => ({
      round: x.round,
      equity: Object.fromEntries(ids.flatMap((id, p) => (Number.isNaN(x.equity[p]) ? [] : [[id, x.equity[p]]]))),
      liquidated: x.liquidated.map((p) => ids[p]),
      orderFlow: byUnderlying(x.orderFlow),
      spot: byUnderlying(x.spot),
      shortfall: Object.fromEntries(x.liquidated.map((p, j) => [ids[p], x.shortfall[j]])),
    })),
    stoppedBy: t.stoppedBy,
    shortfall: r.shortfall,
    priceMoves: { ...priceMoves(plan, r.spot) },
    finalEquity: Object.fromEntries(ids.map((id, p) => [id, t.finalEquity[p]])),
  };
}

/** The set's index, after checking that it exists, can cascade, and has that scenario. */
function checkScenario(plan: RunPlan, setName: string, scenario: number): number {
  const si = plan.sets.findIndex((s) => s.name === setName);
  if (si < 0)
    throw noSuchSet(
      setName,
      plan.sets.map((s) => s.name),
    );
  const set = plan.sets[si];
  if (set.type === 'montecarlo')
    throw new ArgumentError('set', setName, 'expected a shocks, grid or historical set for a cascade, found a montecarlo set');
  if (!(Number.isInteger(scenario) && scenario >= 0 && scenario < set.scenarios))
    throw new ArgumentError('scenario', scenario, `expected a whole number in [0, ${set.scenarios - 1}] for set "${setName}"`);
  return si;
}
