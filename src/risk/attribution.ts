// Euler attribution of expected shortfall (contract section 7): a unit's ES is the mean loss over
// T, its k tail scenarios in its binding set, so the contribution of a component c (a position,
// or a non-cash collateral holding) is its mean loss over the same T, and the contributions add
// up to the ES. A run computes the contributions on the engine's workers (`seriesContributions`:
// each unit's tail kept as the run goes, binding-tails.ts, then its scenarios regenerated in
// component-loss tasks); `contributions` is the reference, regenerating a tail one scenario at
// a time on the TypeScript twins (as `explain` does), which the tests hold the engine to.
import type { Engine, RunControl } from '../engine/engine.js';
import { TwinEvaluator } from '../engine/evaluator-twin.js';
import { kernelPlan, type RunPlan } from '../engine/plan.js';
import type { BindingTails } from './binding-tails.js';
import { runSteps, type Steps } from '../util/turns.js';

/** One component of a unit: an account's net position in one instrument, or its holding of one collateral asset. */
export interface Component {
  account: string;
  /** The instrument id, or `collateral:<asset>`. */
  instrument: string;
  underlying: string;
  /** Quantity (or collateral amount) times the P&L per unit of its revaluation row is its P&L. */
  quantity: number;
  row: number;
}

export interface Attribution {
  set: string;
  es: number;
  /** Portfolios only: `standalone` is the account's segregated IM, add-ons included. */
  byAccount?: { id: string; contribution: number; standalone: number; diversification: number }[];
  byUnderlying: { id: string; contribution: number }[];
  topPositions: { account: string; instrument: string; contribution: number }[];
}

/**
 * The components of the given accounts, in the contract's order: accounts as given (book order),
 * each account's positions as first listed (one per instrument, quantities netted), then its
 * non-cash collateral holdings (cash moves with no scenario and contributes nothing).
 */
export function componentsOf(plan: RunPlan, accounts: number[]): Component[] {
  return componentLists(plan)(accounts);
}

/**
 * componentsOf for many units of one plan: the maps from ids are built once, and each
 * account's components once (a portfolio's are its accounts').
 */
export function componentLists(plan: RunPlan): (accounts: number[]) => Component[] {
  const { book, market, instruments } = plan;
  const underlyingOf = new Map(book.instruments.map((i) => [i.id, i.underlying]));
  const marketIndex = new Map(market.underlyings.map((u, k) => [u.id, k]));
  const byAccount = new Map<number, Component[]>();
  const ofAccount = (a: number): Component[] => {
    const known = byAccount.get(a);
    if (known) return known;
    const account = book.accounts[a];
    const out: Component[] = [];
    const net = new Map<string, number>();
    for (const p of account.positions) net.set(p.instrument, (net.get(p.instrument) ?? 0) + p.quantity);
    for (const [id, quantity] of net) {
      out.push({
        account: account.id,
        instrument: id,
        underlying: underlyingOf.get(id)!,
        quantity,
        row: instruments.rowOf.get(id)!,
      });
    }
    for (const c of account.collateral) {
      const u = marketIndex.get(c.asset);
      if (u === undefined) continue;
      out.push({
        account: account.id,
        instrument: `collateral:${c.asset}`,
        underlying: c.asset,
        quantity: c.amount,
        row: instruments.collateralRow.get(u)!,
      });
    }
    byAccount.set(a, out);
    return out;
  };
  return (accounts) => accounts.flatMap(ofAccount);
}

/**
 * Each component's mean loss over the scenarios `tail` of set `set` (the unit's tail: its k
 * largest losses there). Scenarios are regenerated in batches of `batch` on the twins.
 */
export function contributions(
  plan: RunPlan,
  set: number,
  tail: ArrayLike<number>,
  components: Component[],
  batch = 256,
): Float64Array {
  const ev = new TwinEvaluator(kernelPlan(plan), Math.max(1, Math.min(batch, tail.length)));
  const sum = new Float64Array(components.length);
  const comp = new Float64Array(components.length);
  for (let s0 = 0; s0 < tail.length; s0 += ev.chunk) {
    const indices = Array.from({ length: Math.min(ev.chunk, tail.length - s0) }, (_, j) => tail[s0 + j]);
    const { rows, count } = ev.list(set, indices);
    components.forEach((c, j) => {
      for (let s = 0; s < count; s++) {
        // Neumaier: k can be 10^4 losses of mixed sign.
        const v = -c.quantity * rows[c.row * count + s];
        const t = sum[j] + v;
        comp[j] += Math.abs(sum[j]) >= Math.abs(v) ? sum[j] - t + v : v - t + sum[j];
        sum[j] = t;
      }
    });
  }
  const k = tail.length;
  return sum.map((s, j) => (s + comp[j]) / k);
}

/** A series' components and their contributions in its binding set (`set`, an index into the plan's sets). */
export interface SeriesContributions {
  set: number;
  components: Component[];
  contribution: Float64Array;
}

/** The accounts behind each series: an account alone, or a portfolio's (holdings order). */
export function seriesAccounts(plan: RunPlan): number[][] {
  const h = plan.holdings;
  const out: number[][] = h.accountIds.map((_, a) => [a]);
  for (const p of h.portfolios) out[p.series] ??= [...p.accounts];
  return out;
}

/** Every series' components, as componentsOf gives them and as a component-loss pass takes them. */
export interface SeriesComponents {
  components: Component[];
  rows: Int32Array;
  quantities: Float64Array;
}

/**
 * The components of every series (accounts, then groups: seriesAccounts). Pure work on the plan,
 * so a run builds it while its first set runs (run.ts reportOn), not after.
 */
export function seriesComponents(plan: RunPlan): SeriesComponents[] {
  return runSteps(seriesComponentSteps(plan));
}

/** seriesComponents as steps (util/turns.ts), one per series: what a run computes between its tasks. */
export function* seriesComponentSteps(plan: RunPlan): Steps<SeriesComponents[]> {
  const componentsOf = componentLists(plan);
  const out: SeriesComponents[] = [];
  for (const accounts of seriesAccounts(plan)) {
    const components = componentsOf(accounts);
    const rows = new Int32Array(components.length);
    const quantities = new Float64Array(components.length);
    components.forEach((c, j) => {
      rows[j] = c.row;
      quantities[j] = c.quantity;
    });
    out.push({ components, rows, quantities });
    yield;
  }
  return out;
}

/**
 * Every series' contributions in its binding set, on the engine: the units bound to a set share
 * one component-loss pass over the union of their tails (component-losses.ts). The passes are
 * dispatched before this returns, so the caller may work on this thread while they run.
 */
export function seriesContributions(
  engine: Engine,
  tails: BindingTails,
  options: { chunk?: number; components?: SeriesComponents[] } = {},
  control: RunControl = {},
): Promise<SeriesContributions[]> {
  const plan = engine.plan;
  const units = options.components ?? seriesComponents(plan);
  const bySet = new Map<number, number[]>();
  units.forEach((_, r) => {
    const { set } = tails.of(r);
    const series = bySet.get(set);
    if (series) series.push(r);
    else bySet.set(set, [r]);
  });
  const sets = [...bySet.keys()].sort((x, y) => x - y);
  const passes = sets.map((set) => ({
    set,
    units: bySet.get(set)!.map((r) => ({ tail: tails.of(r).tail, rows: units[r].rows, quantities: units[r].quantities })),
  }));
  return engine.componentTailLosses(passes, { chunk: options.chunk }, control).then((sums) => {
    const out = new Array<SeriesContributions>(units.length);
    sets.forEach((set, i) => {
      const k = plan.sets[set].tailSize;
      bySet.get(set)!.forEach((r, j) => {
        out[r] = { set, components: units[r].components, contribution: sums[i][j].map((x) => x / k) };
      });
    });
    return out;
  });
}

/**
 * A unit's attribution from its components' contributions: by account (portfolios, with each
 * account's `standalone` IM), by underlying (those the unit holds, in market order; collateral
 * under its asset), and the `top` largest contributions, largest signed first, ties in
 * component order.
 */
export function attribution(
  plan: RunPlan,
  setName: string,
  es: number,
  components: Component[],
  contribution: Float64Array,
  top: number,
  standalone?: Map<string, number>,
): Attribution {
  const sumBy = (key: (c: Component) => string, keys: string[]) => {
    const total = new Map(keys.map((k) => [k, 0]));
    components.forEach((c, j) => total.set(key(c), total.get(key(c))! + contribution[j]));
    return keys.map((id) => ({ id, contribution: total.get(id)! }));
  };
  const held = new Set(components.map((c) => c.underlying));
  const order = components.map((_, j) => j).sort((x, y) => contribution[y] - contribution[x] || x - y);
  return {
    set: setName,
    es,
    ...(standalone
      ? {
          byAccount: sumBy((c) => c.account, [...standalone.keys()]).map(({ id, contribution }) => ({
            id,
            contribution,
            standalone: standalone.get(id)!,
            diversification: standalone.get(id)! - contribution,
          })),
        }
      : {}),
    // The underlyings the unit holds (positions or collateral), in market order.
    byUnderlying: sumBy(
      (c) => c.underlying,
      plan.market.underlyings.map((u) => u.id).filter((id) => held.has(id)),
    ),
    topPositions: order.slice(0, top).map((j) => ({
      account: components[j].account,
      instrument: components[j].instrument,
      contribution: contribution[j],
    })),
  };
}
