// The liquidation cascade (contract section 9), one scenario at a time. Round 0 is the scenario
// itself, evaluated as the run evaluates it; in each later round every portfolio whose equity is
// below its maintenance margin is liquidated: its positions' cash deltas are sold, the sale moves
// each underlying by the square-root impact law, and the whole book is revalued at the new
// prices through the same evaluator (every revaluation row once, then the holdings' sums), so
// that the next round sees everyone's equity after the sale.
//
// Cost of one round: one evaluation (O(rows + holdings entries)), one pass over the portfolios,
// and the liquidated portfolios' positions for the order flow; never portfolios x portfolios.
//
// Summation orders are fixed so that a result does not depend on how a set is cut into tasks:
// the order flow of an underlying adds the round's liquidated portfolios in portfolio order,
// each one's positions in slot order (accounts in book order, positions as first listed); the
// total shortfall adds the rounds in order and, within a round, the portfolios in portfolio order.
import type { EvaluatedScenarios, ScenarioEvaluator } from '../engine/evaluator.js';
import type { RunPlan } from '../engine/plan.js';
import type { Cascade } from '../model/types.js';
import { idRecord } from '../model/records.js';
import { optionGreeks, scenarioVol } from './greeks.js';

/** The contract's defaults when a suite names no cascade parameters. */
export const CASCADE_DEFAULTS = { impact: 1, maxRounds: 10 } as const;

/**
 * Everything a cascade needs besides the evaluator's plan, as flat arrays: it travels to a
 * worker with a task once. Portfolios are in the report's order (holdings.portfolios).
 */
export interface CascadeTable {
  nPortfolios: number;
  /** Per portfolio: its holdings series (P&L row of the evaluator). */
  series: Int32Array;
  /** Per portfolio: effective collateral after haircuts, summed over its accounts in order. */
  collateral: Float64Array;
  maintenanceMargin: Float64Array;
  /** CSR over portfolios: the positions sold on liquidation (collateral is never sold). */
  slotOffsets: Int32Array;
  /** Revaluation row of each slot (linear rows, then options, as the plan's instrument table). */
  slotRow: Int32Array;
  slotQuantity: Float64Array;
  /** Per underlying (market order). */
  vol: Float64Array;
  /** Average daily traded value; Infinity where the market gives none (no impact). */
  adv: Float64Array;
  impact: number;
  daysPerYear: number;
  maxRounds: number;
}

/**
 * The cascade table of a plan, given each portfolio's maintenance margin (in holdings.portfolios
 * order; in a run, `cross.maintenanceMargin` with add-ons). A slot is one account's net quantity
 * in one instrument (positions in the same instrument netted, zero nets dropped), ordered as
 * attribution orders components: accounts in book order, instruments as first listed.
 */
export function buildCascadeTable(
  plan: RunPlan,
  maintenanceMargins: ArrayLike<number>,
  config: Pick<Cascade, 'impact' | 'maxRounds'> = plan.suite.cascade ?? CASCADE_DEFAULTS,
): CascadeTable {
  const { holdings: h, book, instruments, market } = plan;
  const nPortfolios = h.portfolios.length;
  if (maintenanceMargins.length !== nPortfolios)
    throw new Error(`internal: ${maintenanceMargins.length} maintenance margins for ${nPortfolios} portfolios`);
  const offsets = [0];
  const rows: number[] = [];
  const quantities: number[] = [];
  const collateral = new Float64Array(nPortfolios);
  h.portfolios.forEach((p, i) => {
    // As the report sums a portfolio's collateral: from 0, accounts in order.
    collateral[i] = p.accounts.reduce((s, a) => s + h.collateral[a], 0);
    for (const a of p.accounts) {
      const net = new Map<string, number>();
      for (const pos of book.accounts[a].positions) net.set(pos.instrument, (net.get(pos.instrument) ?? 0) + pos.quantity);
      for (const [id, q] of net) {
        if (q === 0) continue;
        rows.push(instruments.rowOf.get(id)!);
        quantities.push(q);
      }
    }
    offsets.push(rows.length);
  });
  return {
    nPortfolios,
    series: Int32Array.from(h.portfolios, (p) => p.series),
    collateral,
    maintenanceMargin: Float64Array.from(maintenanceMargins),
    slotOffsets: Int32Array.from(offsets),
    slotRow: Int32Array.from(rows),
    slotQuantity: Float64Array.from(quantities),
    vol: Float64Array.from(market.underlyings, (u) => u.vol),
    adv: Float64Array.from(market.underlyings, (u) => u.adv ?? Infinity),
    impact: config.impact,
    daysPerYear: market.daysPerYear,
    maxRounds: config.maxRounds,
  };
}

/** One round that liquidated someone, for `explain --cascade`. */
export interface CascadeRound {
  /** 1, 2, ... */
  round: number;
  /** S^(r-1), per underlying. */
  spotBefore: Float64Array;
  /** Every portfolio's equity at S^(r-1); NaN for those liquidated in an earlier round. */
  equity: Float64Array;
  /** Portfolio indices liquidated in this round, in portfolio order. */
  liquidated: number[];
  /** Q_u: minus the liquidated positions' cash deltas at S^(r-1), per underlying. */
  orderFlow: Float64Array;
  /** S^r, per underlying. */
  spot: Float64Array;
  /** Each liquidated portfolio's shortfall max(0, -equity at S^r), as `liquidated`. */
  shortfall: number[];
}

export interface CascadeTrace {
  /** S^0: the scenario's own prices. */
  spot0: Float64Array;
  ivShift: number;
  rounds: CascadeRound[];
  /** Every portfolio's equity at the final prices (NaN for none: liquidated ones included). */
  finalEquity: Float64Array;
  /** Why the cascade stopped: a round found no one below MM, or maxRounds rounds ran. */
  stoppedBy: 'no liquidation' | 'maxRounds';
}

/** One scenario's cascade. */
export interface ScenarioCascade {
  scenario: number;
  /** Rounds that liquidated someone. */
  rounds: number;
  /** Portfolio indices per round, in portfolio order. */
  liquidatedByRound: number[][];
  liquidations: number;
  /** Total shortfall: rounds in order, portfolios in order within a round. */
  shortfall: number;
  /** Final prices S^final, per underlying. */
  spot: Float64Array;
  trace?: CascadeTrace;
}

/**
 * A set's cascades over a range of its scenarios, mergeable with the partials of other ranges
 * (cascadeMerge is associative and commutative). `worst` is the largest total shortfall, then
 * the most liquidations, then the lower scenario index; null when no scenario liquidates anyone.
 */
export interface CascadePartial {
  scenarios: number;
  withLiquidation: number;
  mostRounds: number;
  worst: CascadeWorst | null;
}

export interface CascadeWorst {
  scenario: number;
  rounds: number;
  liquidatedByRound: number[][];
  liquidations: number;
  shortfall: number;
  /** Final prices per underlying. */
  spot: number[];
}

export const emptyCascadePartial = (): CascadePartial => ({ scenarios: 0, withLiquidation: 0, mostRounds: 0, worst: null });

/** Whether a is worse than b: the contract's order, total for distinct scenarios. */
function worse(a: CascadeWorst, b: CascadeWorst): boolean {
  if (a.shortfall !== b.shortfall) return a.shortfall > b.shortfall;
  if (a.liquidations !== b.liquidations) return a.liquidations > b.liquidations;
  return a.scenario < b.scenario;
}

export function cascadeMerge(a: CascadePartial, b: CascadePartial): CascadePartial {
  return {
    scenarios: a.scenarios + b.scenarios,
    withLiquidation: a.withLiquidation + b.withLiquidation,
    mostRounds: Math.max(a.mostRounds, b.mostRounds),
    worst: a.worst === null ? b.worst : b.worst === null ? a.worst : worse(b.worst, a.worst) ? b.worst : a.worst,
  };
}

/** Runs cascades on one evaluator, with scratch reused across scenarios. */
export class CascadeRunner {
  private readonly n: number;
  private readonly liquidated: Uint8Array;
  private readonly equity: Float64Array;
  private readonly spot: Float64Array;
  private readonly flow: Float64Array;
  private readonly ivShift = new Float64Array(1);
  private readonly due: Int32Array;

  constructor(
    readonly evaluator: ScenarioEvaluator,
    readonly table: CascadeTable,
  ) {
    this.n = evaluator.plan.instruments.n;
    this.liquidated = new Uint8Array(table.nPortfolios);
    this.equity = new Float64Array(table.nPortfolios);
    this.spot = new Float64Array(this.n);
    this.flow = new Float64Array(this.n);
    this.due = new Int32Array(evaluator.chunk);
  }

  /** Scenario `scenario` of set `set`, round 0 from `range(set, scenario, 1)`. */
  scenario(set: number, scenario: number, options: { trace?: boolean } = {}): ScenarioCascade {
    const e = this.evaluator.range(set, scenario, 1);
    this.spot.set(e.spot.subarray(0, this.n));
    this.equitiesFrom(e, 0, this.equity);
    return this.rounds(scenario, e.ivShift[0], options.trace === true);
  }

  /**
   * Scenarios [start, start + count) of set `set`. Round 0 is evaluated a chunk at a time to find
   * the scenarios where someone is below MM at the scenario's own prices; only those run their
   * rounds, each from its own `range(set, s, 1)` (the same bits: an evaluator gives a scenario
   * the same bits in any chunk), which costs one evaluation more per such scenario and no
   * memory per chunk.
   */
  range(set: number, start: number, count: number): CascadePartial {
    const t = this.table;
    const nP = t.nPortfolios;
    const out = emptyCascadePartial();
    out.scenarios = count;
    for (let from = start; from < start + count; from += this.evaluator.chunk) {
      const c = Math.min(this.evaluator.chunk, start + count - from);
      const e = this.evaluator.range(set, from, c);
      let due = 0;
      for (let s = 0; s < c; s++) {
        let below = false;
        for (let p = 0; p < nP && !below; p++) below = t.collateral[p] + e.series[t.series[p] * c + s] < t.maintenanceMargin[p];
        if (below) this.due[due++] = from + s;
      }
      for (let k = 0; k < due; k++) {
        const r = this.scenario(set, this.due[k]);
        if (r.rounds === 0) continue; // cannot happen while chunks give the same bits; counted as the contract counts
        out.withLiquidation++;
        out.mostRounds = Math.max(out.mostRounds, r.rounds);
        const candidate: CascadeWorst = {
          scenario: r.scenario,
          rounds: r.rounds,
          liquidatedByRound: r.liquidatedByRound,
          liquidations: r.liquidations,
          shortfall: r.shortfall,
          spot: Array.from(r.spot),
        };
        if (out.worst === null || worse(candidate, out.worst)) out.worst = candidate;
      }
    }
    return out;
  }

  /** Equity = collateral + P&L (collateral revaluation included) of every portfolio, scenario s. */
  private equitiesFrom(e: EvaluatedScenarios, s: number, out: Float64Array): void {
    const t = this.table;
    for (let p = 0; p < t.nPortfolios; p++) out[p] = t.collateral[p] + e.series[t.series[p] * e.count + s];
  }

  /** The rounds from the state in `spot` and `equity` (S^0 and the equities there). */
  private rounds(scenario: number, ivShift: number, tracing: boolean): ScenarioCascade {
    const t = this.table;
    const nP = t.nPortfolios;
    const n = this.n;
    const { liquidated, equity, spot, flow } = this;
    const trace: CascadeTrace | undefined = tracing
      ? { spot0: spot.slice(), ivShift, rounds: [], finalEquity: new Float64Array(0), stoppedBy: 'no liquidation' }
      : undefined;
    this.ivShift[0] = ivShift;
    const byRound: number[][] = [];
    let liquidations = 0;
    let shortfall = 0;
    // The impact's scale per unit of sqrt(|Q| / adv), in the contract's order of factors.
    const daily = Math.sqrt(1 / t.daysPerYear);
    for (let r = 1; r <= t.maxRounds; r++) {
      const now: number[] = [];
      for (let p = 0; p < nP; p++) if (liquidated[p] === 0 && equity[p] < t.maintenanceMargin[p]) now.push(p);
      if (now.length === 0) break;
      const before = tracing ? { spot: spot.slice(), equity: equity.map((x, p) => (liquidated[p] ? NaN : x)) } : undefined;
      for (const p of now) liquidated[p] = 1;
      // The sold deltas, summed, then negated: Q_u = -sum (the same bits as subtracting each).
      flow.fill(0);
      for (const p of now)
        for (let k = t.slotOffsets[p]; k < t.slotOffsets[p + 1]; k++) this.addCashDelta(t.slotRow[k], t.slotQuantity[k]);
      let moved = false;
      for (let u = 0; u < n; u++) {
        const q = 0 - flow[u]; // -sum, with no flow 0 rather than -0
        flow[u] = q;
        if (q === 0) continue;
        const next = spot[u] * Math.exp(Math.sign(q) * t.impact * t.vol[u] * daily * Math.sqrt(Math.abs(q) / t.adv[u]));
        if (next !== spot[u]) moved = true;
        spot[u] = next;
      }
      // Unmoved prices keep the last evaluation: re-evaluating would recompute the returns from
      // the spots and could differ in the last bit from the scenario's own.
      if (moved) this.equitiesFrom(this.evaluator.atPrices(spot, this.ivShift, 1), 0, equity);
      const shortfalls = now.map((p) => Math.max(0, -equity[p]));
      for (const x of shortfalls) shortfall = shortfall + x;
      liquidations += now.length;
      byRound.push(now);
      if (trace)
        trace.rounds.push({
          round: r,
          spotBefore: before!.spot,
          equity: before!.equity,
          liquidated: now,
          orderFlow: flow.slice(),
          spot: spot.slice(),
          shortfall: shortfalls,
        });
    }
    if (trace) {
      trace.finalEquity = equity.slice();
      if (byRound.length === t.maxRounds) {
        // The last allowed round ran; whether anyone else was below MM is what it cut short.
        let more = false;
        for (let p = 0; p < nP && !more; p++) more = liquidated[p] === 0 && equity[p] < t.maintenanceMargin[p];
        if (more) trace.stoppedBy = 'maxRounds';
      }
    }
    for (const round of byRound) for (const p of round) liquidated[p] = 0;
    return {
      scenario,
      rounds: byRound.length,
      liquidatedByRound: byRound,
      liquidations,
      shortfall,
      spot: spot.slice(),
      ...(trace ? { trace } : {}),
    };
  }

  /**
   * Adds one slot's cash delta at the current spot to the flow: q * m * S for a linear row,
   * q * m * Delta * S for an option, Delta from the Greeks' BSM code at iv + ivMove (floored as
   * the kernels floor it) and the horizon's T'.
   */
  private addCashDelta(row: number, q: number): void {
    const ins = this.evaluator.plan.instruments;
    if (row < ins.nLinear) {
      const u = ins.linUnd[row];
      this.flow[u] = this.flow[u] + q * ins.linMult[row] * this.spot[u];
      return;
    }
    const j = row - ins.nLinear;
    const u = ins.optUnd[j];
    const s = this.spot[u];
    const sigma = scenarioVol(ins.optIv[j], this.ivShift[0]);
    const delta = optionGreeks(ins.optIsCall[j] !== 0, s, ins.optStrike[j], ins.optTau[j], ins.rate, sigma).delta;
    this.flow[u] = this.flow[u] + q * ins.optMult[j] * delta * s;
  }
}

/** The cascade of one scenario (see CascadeRunner.scenario). */
export function cascadeScenario(
  ev: ScenarioEvaluator,
  table: CascadeTable,
  set: number,
  scenario: number,
  options: { trace?: boolean } = {},
): ScenarioCascade {
  return new CascadeRunner(ev, table).scenario(set, scenario, options);
}

/** A worker task's work: the cascades of scenarios [start, start + count) of a set, as a partial. */
export function cascadeRange(
  ev: ScenarioEvaluator,
  table: CascadeTable,
  set: number,
  start: number,
  count: number,
): CascadePartial {
  return new CascadeRunner(ev, table).range(set, start, count);
}

/** `sets[i].cascade` as the contract writes it (contract section 9). */
export interface CascadeReport {
  scenarios: number;
  withLiquidation: number;
  mostRounds: number;
  worst: {
    scenario: number;
    rounds: number;
    liquidatedByRound: string[][];
    shortfall: number;
    priceMoves: Record<string, number>;
  } | null;
}

/** A set's merged partial with ids and price moves S^final / S - 1 for every market underlying. */
export function cascadeReport(plan: RunPlan, partial: CascadePartial): CascadeReport {
  const w = partial.worst;
  return {
    scenarios: partial.scenarios,
    withLiquidation: partial.withLiquidation,
    mostRounds: partial.mostRounds,
    worst:
      w === null
        ? null
        : {
            scenario: w.scenario,
            rounds: w.rounds,
            liquidatedByRound: w.liquidatedByRound.map((round) => round.map((p) => plan.holdings.portfolios[p].id)),
            shortfall: w.shortfall,
            priceMoves: priceMoves(plan, w.spot),
          },
  };
}

/** S / S_today - 1 for every market underlying, by id. */
export function priceMoves(plan: RunPlan, spot: ArrayLike<number>): Record<string, number> {
  const out = idRecord<number>();
  plan.market.underlyings.forEach((u, k) => (out[u.id] = spot[k] / u.spot - 1));
  return out;
}
