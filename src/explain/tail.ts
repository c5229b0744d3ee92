// The scenarios behind a unit's expected shortfall: its k tail scenarios in one set (found by the
// engine, exactly as the run finds them), each regenerated on the twins with every component's
// loss, and the components' Euler contributions (risk/attribution.ts), which add up to the ES.
import { createEngine, type EngineConfig, type RunControl } from '../engine/engine.js';
import { TwinEvaluator } from '../engine/evaluator-twin.js';
import { kernelPlan, type RunPlan } from '../engine/plan.js';
import { ArgumentError } from '../errors.js';
import { noSuchSet, suggest } from '../model/issues.js';
import { componentsOf, contributions } from '../risk/attribution.js';
import { prepare, type RunInput } from '../run.js';

/** A portfolio (margined cross) or an account (margined alone), by id. */
export type TailUnit = { portfolio: string } | { account: string };

export interface TailExplanation {
  set: string;
  level: 'portfolio' | 'account';
  id: string;
  /** Scenarios in the tail, and the measures they make. */
  k: number;
  var: number;
  es: number;
  /** Each component and its contribution (its mean loss over the tail). */
  components: { account: string; instrument: string; underlying: string; contribution: number }[];
  /** The first `show` tail scenarios by rank (largest loss first), with each component's loss in them. */
  scenarios: { rank: number; scenario: number; label?: string; loss: number; components: number[] }[];
}

export interface TailOptions extends EngineConfig {
  /** Tail scenarios to list (default 10); the contributions always cover the whole tail. */
  show?: number;
}

export interface ExplainTailInput extends Pick<RunInput, 'market' | 'book' | 'suite' | 'baseDir'>, TailOptions {
  set: string;
  portfolio?: string;
  account?: string;
}

/** Validates the three inputs and explains one unit's tail in one set (see explainTailOf). */
export async function explainTail(input: ExplainTailInput, control: RunControl = {}): Promise<TailExplanation> {
  const { set, portfolio, account, show, workers, executor } = input;
  if ((portfolio === undefined) === (account === undefined)) {
    throw new ArgumentError('portfolio', String(portfolio ?? ''), 'give exactly one of portfolio and account');
  }
  const unit: TailUnit = portfolio !== undefined ? { portfolio } : { account: account! };
  return explainTailOf(prepare(input), set, unit, { show, workers, executor }, control);
}

/**
 * The k tail scenarios of a portfolio or an account in one set, the largest losses first, each
 * with every component's loss, and the components' contributions to the ES.
 */
export async function explainTailOf(
  plan: RunPlan,
  setName: string,
  unit: TailUnit,
  options: TailOptions = {},
  control: RunControl = {},
): Promise<TailExplanation> {
  const si = plan.sets.findIndex((s) => s.name === setName);
  if (si < 0)
    throw noSuchSet(
      setName,
      plan.sets.map((s) => s.name),
    );
  const h = plan.holdings;
  let level: TailExplanation['level'];
  let id: string;
  let accounts: number[];
  let series: number;
  if ('portfolio' in unit) {
    const p = h.portfolios.find((x) => x.id === unit.portfolio);
    if (!p)
      throw noSuch(
        'portfolio',
        unit.portfolio,
        h.portfolios.map((x) => x.id),
      );
    [level, id, accounts, series] = ['portfolio', p.id, p.accounts, p.series];
  } else {
    const a = h.accountIds.indexOf(unit.account);
    if (a < 0) throw noSuch('account', unit.account, h.accountIds);
    [level, id, accounts, series] = ['account', unit.account, [a], a];
  }
  const show = options.show ?? 10;
  if (!(Number.isInteger(show) && show >= 0)) throw new ArgumentError('show', show, 'expected a whole number of scenarios >= 0');

  // The tail exactly as a run finds it: the engine, on this set only.
  const engine = createEngine(plan, options);
  let tail;
  try {
    [tail] = await engine.run({ sets: [si] }, control);
  } finally {
    await engine.close();
  }
  const { losses, scenarios } = tail.series(series);
  const summary = tail.summary(series);
  const components = componentsOf(plan, accounts);
  const c = contributions(plan, si, scenarios, components);

  const listed = Array.from(scenarios.subarray(0, Math.min(show, tail.k)));
  const rows = listed.length ? new TwinEvaluator(kernelPlan(plan), listed.length).list(si, listed).rows : new Float64Array(0);
  const labels = plan.sets[si].labels;
  return {
    set: setName,
    level,
    id,
    k: tail.k,
    var: summary.kth,
    es: summary.sum / tail.k,
    components: components.map((x, j) => ({
      account: x.account,
      instrument: x.instrument,
      underlying: x.underlying,
      contribution: c[j],
    })),
    scenarios: listed.map((scenario, s) => ({
      rank: s + 1,
      scenario,
      ...(labels ? { label: labels[scenario] } : {}),
      loss: losses[s],
      components: components.map((x) => -x.quantity * rows[x.row * listed.length + s]),
    })),
  };
}

function noSuch(level: 'portfolio' | 'account', id: string, ids: string[]): ArgumentError {
  const near = suggest(id, ids);
  return new ArgumentError(level, id, `the book has no such ${level}${near ? `; did you mean "${near}"?` : ''}`);
}
