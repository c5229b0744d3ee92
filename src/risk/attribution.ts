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
  const c = componentColumns(plan, accounts).columns;
  return Array.from({ length: c.rows.length }, (_, j) => componentAt(plan, c, j));
}

/**
 * Components as columns, what a run computes with: a large book has a component per position
 * (100,000 on L), and as objects, each with its strings, they were a good part of the
 * coordinator's time and garbage during the run. componentAt makes one an object.
 */
export interface ComponentColumns {
  /** Each component's account (its index in the book). */
  accounts: Int32Array;
  rows: Int32Array;
  quantities: Float64Array;
  /** Each component's underlying (its index in the market). */
  underlyings: Int32Array;
  /** The instrument's index in the book, or -1 - the market index of a collateral asset. */
  sources: Int32Array;
}

/** Columns for n components, zeroed. */
function newColumns(n: number): ComponentColumns {
  return {
    accounts: new Int32Array(n),
    rows: new Int32Array(n),
    quantities: new Float64Array(n),
    underlyings: new Int32Array(n),
    sources: new Int32Array(n),
  };
}

/** Components [from, to) of the columns: views, not copies. */
function columnsSlice(c: ComponentColumns, from: number, to: number): ComponentColumns {
  return {
    accounts: c.accounts.subarray(from, to),
    rows: c.rows.subarray(from, to),
    quantities: c.quantities.subarray(from, to),
    underlyings: c.underlyings.subarray(from, to),
    sources: c.sources.subarray(from, to),
  };
}

/** Component j of the columns as an object. */
export function componentAt(plan: RunPlan, c: ComponentColumns, j: number): Component {
  const s = c.sources[j];
  const underlyings = plan.market.underlyings;
  return {
    account: plan.book.accounts[c.accounts[j]].id,
    instrument: s >= 0 ? plan.book.instruments[s].id : `collateral:${underlyings[-1 - s].id}`,
    underlying: underlyings[c.underlyings[j]].id,
    quantity: c.quantities[j],
    row: c.rows[j],
  };
}

/** The components of `accounts` (componentsOf's order) as columns; account accounts[i]'s at [offsets[i], offsets[i + 1]). */
export function componentColumns(plan: RunPlan, accounts: readonly number[]): { offsets: Int32Array; columns: ComponentColumns } {
  const { book, market, instruments } = plan;
  const nInstruments = book.instruments.length;
  const indexOf = new Map(book.instruments.map((x, i) => [x.id, i]));
  const marketIndex = new Map(market.underlyings.map((u, k) => [u.id, k]));
  const rowOf = Int32Array.from(book.instruments, (x) => instruments.rowOf.get(x.id)!);
  const underlyingOf = Int32Array.from(book.instruments, (x) => marketIndex.get(x.underlying)!);
  let most = 0;
  for (const a of accounts) most += book.accounts[a].positions.length + book.accounts[a].collateral.length;
  const out = newColumns(most);
  const offsets = new Int32Array(accounts.length + 1);
  // Per instrument: the net quantity of the account at hand, and the last account (+ 1) that held it.
  const net = new Float64Array(nInstruments);
  const seen = new Int32Array(nInstruments);
  const held: number[] = [];
  let n = 0;
  accounts.forEach((a, i) => {
    const account = book.accounts[a];
    held.length = 0;
    for (const p of account.positions) {
      const x = indexOf.get(p.instrument)!;
      if (seen[x] !== i + 1) {
        seen[x] = i + 1;
        net[x] = 0;
        held.push(x);
      }
      net[x] += p.quantity;
    }
    for (const x of held) {
      out.accounts[n] = a;
      out.rows[n] = rowOf[x];
      out.quantities[n] = net[x];
      out.underlyings[n] = underlyingOf[x];
      out.sources[n++] = x;
    }
    for (const c of account.collateral) {
      const u = marketIndex.get(c.asset);
      if (u === undefined) continue;
      out.accounts[n] = a;
      out.rows[n] = instruments.collateralRow.get(u)!;
      out.quantities[n] = c.amount;
      out.underlyings[n] = u;
      out.sources[n++] = -1 - u;
    }
    offsets[i + 1] = n;
  });
  return { offsets, columns: columnsSlice(out, 0, n) };
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
  /** The series' components as columns. */
  unit: SeriesComponents;
  /** The same components as objects (unit.components). */
  readonly components: Component[];
  contribution: Float64Array;
}

/** The accounts behind each series: an account alone, or a portfolio's (holdings order). */
export function seriesAccounts(plan: RunPlan): number[][] {
  const h = plan.holdings;
  const out: number[][] = h.accountIds.map((_, a) => [a]);
  for (const p of h.portfolios) out[p.series] ??= [...p.accounts];
  return out;
}

/** A series' components as a component-loss pass takes them (columns), and as componentsOf gives them. */
export interface SeriesComponents extends ComponentColumns {
  /** The components as objects, made when first read: a run needs the columns only. */
  readonly components: Component[];
}

class UnitComponents implements SeriesComponents {
  readonly accounts: Int32Array;
  readonly rows: Int32Array;
  readonly quantities: Float64Array;
  readonly underlyings: Int32Array;
  readonly sources: Int32Array;
  private made: Component[] | undefined;

  constructor(
    private readonly plan: RunPlan,
    c: ComponentColumns,
  ) {
    this.accounts = c.accounts;
    this.rows = c.rows;
    this.quantities = c.quantities;
    this.underlyings = c.underlyings;
    this.sources = c.sources;
  }

  get components(): Component[] {
    return (this.made ??= Array.from({ length: this.rows.length }, (_, j) => componentAt(this.plan, this, j)));
  }
}

/**
 * The components of every series (accounts, then groups: seriesAccounts). Pure work on the plan,
 * so a run builds it while its first set runs (run.ts reportOn), not after.
 */
export function seriesComponents(plan: RunPlan): SeriesComponents[] {
  return runSteps(seriesComponentSteps(plan));
}

/**
 * seriesComponents as steps (util/turns.ts): every account's columns at once, then a step per
 * group of accounts (its accounts' columns one after another), what a run computes between its
 * tasks. An account's columns are views of the one table, not copies.
 */
export function* seriesComponentSteps(plan: RunPlan): Steps<SeriesComponents[]> {
  const all = plan.book.accounts.map((_, a) => a);
  const { offsets, columns: c } = componentColumns(plan, all);
  yield;
  const series = seriesAccounts(plan);
  // The groups' columns in one allocation of each, every group a view of its part: an array
  // apiece outside the heap costs more to allocate than to fill.
  let grouped = 0;
  for (const accounts of series) if (accounts.length > 1) for (const a of accounts) grouped += offsets[a + 1] - offsets[a];
  const room = newColumns(grouped);
  let next = 0;
  const out: SeriesComponents[] = [];
  for (const accounts of series) {
    if (accounts.length === 1) {
      out.push(new UnitComponents(plan, columnsSlice(c, offsets[accounts[0]], offsets[accounts[0] + 1])));
      continue;
    }
    const n = accounts.reduce((sum, a) => sum + offsets[a + 1] - offsets[a], 0);
    const unit = new UnitComponents(plan, columnsSlice(room, next, next + n));
    next += n;
    let at = 0;
    for (const a of accounts) {
      for (let j = offsets[a]; j < offsets[a + 1]; j++, at++) {
        unit.accounts[at] = c.accounts[j];
        unit.rows[at] = c.rows[j];
        unit.quantities[at] = c.quantities[j];
        unit.underlyings[at] = c.underlyings[j];
        unit.sources[at] = c.sources[j];
      }
    }
    out.push(unit);
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
        const unit = units[r];
        // In place: the sums are this pass's alone (views of one array, component-losses.ts).
        const contribution = sums[i][j];
        for (let c = 0; c < contribution.length; c++) contribution[c] /= k;
        out[r] = {
          set,
          unit,
          get components() {
            return unit.components;
          },
          contribution,
        };
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
  const market = new Map(plan.market.underlyings.map((u, k) => [u.id, k]));
  const ids = standalone ? [...standalone.keys()] : [];
  const key = new Map(ids.map((id, i) => [id, i]));
  return grouped(plan, setName, es, contribution, top, {
    underlying: (j) => market.get(components[j].underlying)!,
    named: (j) => components[j],
    ...(standalone
      ? { byAccount: { ids, standalone: ids.map((id) => standalone.get(id)!), of: (j) => key.get(components[j].account) ?? -1 } }
      : {}),
  });
}

/**
 * attribution of a series from its columns (seriesComponents): what a run reports. `standalone`,
 * for a portfolio, is each of its accounts (book indices, in order) with its segregated IM.
 */
export function seriesAttribution(
  plan: RunPlan,
  setName: string,
  es: number,
  unit: SeriesComponents,
  contribution: Float64Array,
  top: number,
  standalone?: { accounts: number[]; initialMargins: number[] },
): Attribution {
  const key = standalone ? new Map(standalone.accounts.map((a, i) => [a, i])) : undefined;
  return grouped(plan, setName, es, contribution, top, {
    underlying: (j) => unit.underlyings[j],
    named: (j) => componentAt(plan, unit, j),
    ...(standalone
      ? {
          byAccount: {
            ids: standalone.accounts.map((a) => plan.book.accounts[a].id),
            standalone: standalone.initialMargins,
            of: (j) => key!.get(unit.accounts[j]) ?? -1,
          },
        }
      : {}),
  });
}

/** How grouped reads a unit's components: by index, each one's underlying (market index), and its names. */
interface ComponentLookup {
  underlying: (j: number) => number;
  named: (j: number) => { account: string; instrument: string };
  /** Portfolios: the accounts to report (ids), their standalone IMs, and each component's place among them (-1: none). */
  byAccount?: { ids: string[]; standalone: number[]; of: (j: number) => number };
}

/**
 * The one grouping behind attribution and seriesAttribution. Sums are in component order from
 * +0, so a group's total has the same bits whichever way the components were given.
 */
function grouped(
  plan: RunPlan,
  setName: string,
  es: number,
  contribution: Float64Array,
  top: number,
  c: ComponentLookup,
): Attribution {
  const n = contribution.length;
  const underlyings = plan.market.underlyings;
  // Scratch for every unit (a run groups 5,500 on L): zeroed here, read before the next call.
  if (scratch.byUnderlying.length < underlyings.length) {
    scratch.byUnderlying = new Float64Array(underlyings.length);
    scratch.held = new Uint8Array(underlyings.length);
  }
  const byUnderlying = scratch.byUnderlying.fill(0, 0, underlyings.length);
  const held = scratch.held.fill(0, 0, underlyings.length);
  for (let j = 0; j < n; j++) {
    const u = c.underlying(j);
    held[u] = 1;
    byUnderlying[u] += contribution[j];
  }
  let accounts: Attribution['byAccount'];
  if (c.byAccount) {
    const { ids, standalone, of } = c.byAccount;
    const sums = new Float64Array(ids.length);
    for (let j = 0; j < n; j++) {
      const k = of(j);
      if (k >= 0) sums[k] += contribution[j];
    }
    accounts = ids.map((id, k) => ({
      id,
      contribution: sums[k],
      standalone: standalone[k],
      diversification: standalone[k] - sums[k],
    }));
  }
  // The underlyings the unit holds (positions or collateral), in market order.
  const heldUnderlyings: Attribution['byUnderlying'] = [];
  for (let k = 0; k < underlyings.length; k++)
    if (held[k]) heldUnderlyings.push({ id: underlyings[k].id, contribution: byUnderlying[k] });
  return {
    set: setName,
    es,
    ...(accounts ? { byAccount: accounts } : {}),
    byUnderlying: heldUnderlyings,
    topPositions: largest(contribution, top).map((j) => {
      const { account, instrument } = c.named(j);
      return { account, instrument, contribution: contribution[j] };
    }),
  };
}

const scratch = { byUnderlying: new Float64Array(0), held: new Uint8Array(0) };

/** The indices of the `top` largest values, largest first, ties in index order. */
function largest(values: Float64Array, top: number): number[] {
  const n = values.length;
  const before = (x: number, y: number) => values[x] > values[y] || (values[x] === values[y] && x < y);
  if (top <= 0) return [];
  if (top >= n || top > 64) {
    return Array.from({ length: n }, (_, j) => j)
      .sort((x, y) => (before(x, y) ? -1 : before(y, x) ? 1 : 0))
      .slice(0, top);
  }
  // Few wanted of many: kept in order as they come, each new one placed by insertion.
  const out: number[] = [];
  for (let j = 0; j < n; j++) {
    if (out.length === top && !before(j, out[top - 1])) continue;
    let at = out.length === top ? top - 1 : out.length;
    while (at > 0 && before(j, out[at - 1])) {
      out[at] = out[at - 1];
      at--;
    }
    out[at] = j;
  }
  return out;
}
