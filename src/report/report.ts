import type { RunPlan } from '../engine/plan.js';
import type { CoverValue, SetCover } from '../engine/cover.js';
import type { CascadeReport } from '../risk/cascade.js';
import { shortOptionNotionalsOf, unitMargins } from '../margin/unit-margins.js';
import { capitalEfficiency, healthOf, marginOf, type MarginResult } from '../margin/margin.js';
import { seriesAttribution, type Attribution, type SeriesContributions } from '../risk/attribution.js';
import { planExposures, type Exposure, type PlanExposures } from '../risk/exposure.js';
import { distancesToLiquidation, liquidationModel, type DistanceToLiquidation } from '../risk/liquidation.js';
import { checkLimits, type Breach, type LimitUnit } from '../risk/limits.js';
import type { TailMeasures } from '../risk/measures.js';
import { VERSION } from '../version.js';
import type { RunInfo } from './run-info.js';

export interface SetReport {
  name: string;
  type: string;
  scenarios: number;
  skipped: number;
  margin: boolean;
  tailSize: number;
  /** Cover-1 and Cover-2 (contract section 9), when the run reduced the set over its portfolios. */
  stress?: SetStress;
  /** The liquidation cascade (contract section 9), on the sets the suite's `cascade` block names. */
  cascade?: CascadeReport;
  [extra: string]: unknown;
}

/** One default-stress measure: value, its scenario (0-based in the set) and the portfolio ids behind it, largest first. */
export interface StressValue {
  value: number;
  scenario: number;
  portfolios: string[];
}

export interface SetStress {
  cover1: StressValue;
  cover2: StressValue;
}

export interface AccountReport extends MarginResult {
  id: string;
  collateral: number;
  health: number | null;
  marginCall: number;
  /** The account's exposure in today's market (risk/exposure.ts). */
  exposure: Exposure;
  /** Euler attribution of its ES in its binding set (risk/attribution.ts); absent from a report built without it. */
  attribution?: Attribution;
  /** The instant move of every underlying that takes the account below its MM (risk/liquidation.ts). */
  distanceToLiquidation: DistanceToLiquidation;
}

export interface PortfolioReport {
  id: string;
  accounts: string[];
  collateral: number;
  health: number | null;
  marginCall: number;
  capitalEfficiency: number | null;
  /** `attribution`: Euler attribution of the cross ES, by account, underlying and position. */
  cross: MarginResult & { attribution?: Attribution };
  segregated: { initialMargin: number; accounts: AccountReport[] };
  /** The portfolio's exposure in today's market, its accounts' positions together. */
  exposure: Exposure;
  /** The same for the portfolio: its pooled collateral and net P&L against its cross MM. */
  distanceToLiquidation: DistanceToLiquidation;
}

export interface Report {
  asOf: string;
  currency: string;
  seed: number;
  horizonDays: number;
  confidence: number;
  maintenanceRatio: number;
  sets: SetReport[];
  portfolios: PortfolioReport[];
  totals: {
    collateral: number;
    crossInitialMargin: number;
    segregatedInitialMargin: number;
    capitalEfficiency: number | null;
    marginCall: number;
    portfoliosWithCall: number;
  };
  /** Limit breaches (contract section 7), when the suite sets limits: portfolios first, then accounts. */
  breaches?: Breach[];
  engine: { name: 'xmargin'; version: string };
  /**
   * Which run made the report, when, with which settings and from which inputs (run-info.ts).
   * Set by run(); a report assembled from tails by hand (reportOf) has none.
   */
  run?: RunInfo;
}

/**
 * Turns the sets' tail measures (per set, per series: risk/measures.ts) into the contract's
 * report: margin, health and calls, cross and segregated; with each series' contributions in
 * its binding set (risk/attribution.ts seriesContributions), the attribution of every ES too.
 */
export function buildReport(
  plan: RunPlan,
  tails: TailMeasures[][],
  contributions?: SeriesContributions[],
  exposures: PlanExposures = planExposures(plan),
): Report {
  const report = buildMargins(plan, tails, exposures);
  if (contributions) attachAttribution(plan, report, contributions);
  return report;
}

/**
 * Adds each set's Cover-1 and Cover-2 (engine/cover.ts, one per set in plan order, undefined for
 * a set the run did not reduce) to a report of the plan, as `sets[i].stress`, portfolios by id.
 */
export function attachStress(plan: RunPlan, report: Report, covers: (SetCover | undefined)[]): void {
  if (covers.length !== report.sets.length)
    throw new Error(`internal: covers of ${covers.length} sets for ${report.sets.length}`);
  const ids = plan.holdings.portfolios.map((p) => p.id);
  const named = (v: CoverValue): StressValue => ({
    value: v.value,
    scenario: v.scenario,
    portfolios: v.portfolios.map((p) => ids[p]),
  });
  covers.forEach((c, i) => {
    if (c) report.sets[i].stress = { cover1: named(c.cover1), cover2: named(c.cover2) };
  });
}

/**
 * Adds the attribution of every ES to a report of the plan (contract section 7): on every
 * portfolio's `cross` and every segregated account, from each series' contributions in its
 * binding set (risk/attribution.ts seriesContributions). In place, fields where the contract
 * puts them: last in `cross`, before `distanceToLiquidation` on an account.
 */
export function attachAttribution(plan: RunPlan, report: Report, contributions: SeriesContributions[]): void {
  const h = plan.holdings;
  const top = plan.suite.attribution.top;
  const attributionOf = (
    series: number,
    m: MarginResult,
    standalone?: { accounts: number[]; initialMargins: number[] },
  ): Attribution => {
    const c = contributions[series];
    if (c === undefined) throw new Error(`internal: no contributions for series ${series}`);
    const set = plan.sets[c.set].name;
    // The binding set was chosen twice, here from the measures and during the run from the tails
    // kept for attribution (risk/binding-tails.ts): they must agree.
    if (set !== m.bindingSet) throw new Error(`internal: attribution in set "${set}", binding set "${m.bindingSet}"`);
    return seriesAttribution(plan, set, m.sets[set].es, c.unit, c.contribution, top, standalone);
  };
  const accountIndex = new Map(h.accountIds.map((id, a) => [id, a]));
  report.portfolios.forEach((p, i) => {
    const standalone = {
      accounts: p.segregated.accounts.map((a) => accountIndex.get(a.id)!),
      initialMargins: p.segregated.accounts.map((a) => a.initialMargin),
    };
    p.cross.attribution = attributionOf(h.portfolios[i].series, p.cross, standalone);
    for (const a of p.segregated.accounts) {
      const { distanceToLiquidation } = a;
      delete (a as Partial<AccountReport>).distanceToLiquidation;
      a.attribution = attributionOf(accountIndex.get(a.id)!, a);
      a.distanceToLiquidation = distanceToLiquidation;
    }
  });
}

/** buildReport without attribution: margins, health, calls, exposure, distances, breaches. */
function buildMargins(plan: RunPlan, tails: TailMeasures[][], exposures: PlanExposures): Report {
  const { market, suite, holdings } = plan;
  if (tails.length !== plan.sets.length) throw new Error(`internal: measures of ${tails.length} sets for ${plan.sets.length}`);
  const meta = plan.sets.map((s) => ({ name: s.name, margin: s.margin }));
  const ratio = suite.maintenanceRatio;
  const seriesMargin = (series: number) =>
    marginOf(
      meta,
      tails.map((t) => t[series]),
      ratio,
    );
  // Today's market only: no scenario is behind `exposures`, so they come from the plan (and may
  // be computed before the run ends: run.ts reportOn).

  // Add-ons (section 8): IM becomes core plus charges, and MM follows it (unit-margins.ts).
  const { accounts: accountMargins, portfolios: crossMargins } = unitMargins(
    plan,
    exposures.positionDelta,
    shortOptionNotionalsOf(plan),
    seriesMargin,
  );
  // Against the final maintenance margins (add-ons included). Accounts first, then portfolios:
  // one scan serves both (a standalone account is scanned twice, as both).
  const distances = distancesToLiquidation(liquidationModel(market, plan.book), [
    ...accountMargins.map((m, a) => ({ series: a, collateral: holdings.collateral[a], maintenanceMargin: m.maintenanceMargin })),
    ...holdings.portfolios.map((p, i) => ({
      series: p.series,
      collateral: p.accounts.reduce((s, a) => s + holdings.collateral[a], 0),
      maintenanceMargin: crossMargins[i].maintenanceMargin,
    })),
  ]);
  const nAccounts = holdings.accountIds.length;
  const accountReports = holdings.accountIds.map((id, a): AccountReport => {
    const m = accountMargins[a];
    return {
      id,
      ...healthOf(holdings.collateral[a], m),
      ...m,
      exposure: exposures.accounts[a],
      distanceToLiquidation: distances[a],
    };
  });

  const portfolios = holdings.portfolios.map((p, i): PortfolioReport => {
    const cross = crossMargins[i];
    const accounts = p.accounts.map((a) => accountReports[a]);
    const collateral = accounts.reduce((s, a) => s + a.collateral, 0);
    const segregatedIM = accounts.reduce((s, a) => s + a.initialMargin, 0);
    return {
      id: p.id,
      accounts: accounts.map((a) => a.id),
      ...healthOf(collateral, cross),
      capitalEfficiency: capitalEfficiency(cross.initialMargin, segregatedIM),
      cross,
      segregated: { initialMargin: segregatedIM, accounts },
      exposure: exposures.portfolios[i],
      distanceToLiquidation: distances[nAccounts + i],
    };
  });

  const crossIM = portfolios.reduce((s, p) => s + p.cross.initialMargin, 0);
  const segIM = portfolios.reduce((s, p) => s + p.segregated.initialMargin, 0);
  return {
    asOf: market.asOf,
    currency: market.currency,
    seed: suite.seed,
    horizonDays: suite.horizonDays,
    confidence: suite.confidence,
    maintenanceRatio: ratio,
    sets: plan.sets.map((s): SetReport => {
      const out: SetReport = {
        name: s.name,
        type: s.type,
        scenarios: s.scenarios,
        skipped: s.skipped,
        margin: s.margin,
        tailSize: s.tailSize,
      };
      if (s.labels && s.labels.length) out.windows = { first: s.labels[0], last: s.labels[s.labels.length - 1] };
      if (s.info) Object.assign(out, s.info);
      return out;
    }),
    portfolios,
    totals: {
      collateral: portfolios.reduce((s, p) => s + p.collateral, 0),
      crossInitialMargin: crossIM,
      segregatedInitialMargin: segIM,
      capitalEfficiency: capitalEfficiency(crossIM, segIM),
      marginCall: portfolios.reduce((s, p) => s + p.marginCall, 0),
      portfoliosWithCall: portfolios.filter((p) => p.marginCall > 0).length,
    },
    ...(suite.limits ? { breaches: checkLimits(suite.limits, limitUnits(portfolios)) } : {}),
    engine: { name: 'xmargin', version: VERSION },
  };
}

/**
 * What the limits are checked on, in the contract's order: portfolios (cross), then accounts
 * (segregated) as the report lists them. A standalone account is both.
 */
function limitUnits(portfolios: PortfolioReport[]): LimitUnit[] {
  const unit = (level: LimitUnit['level'], x: { id: string; health: number | null; exposure: Exposure }): LimitUnit => ({
    level,
    id: x.id,
    leverage: x.exposure.leverage,
    largestShare: x.exposure.largestUnderlying?.share ?? null,
    delta: x.exposure.byUnderlying,
    health: x.health,
  });
  const seen = new Set<string>();
  const accounts = portfolios.flatMap((p) => p.segregated.accounts).filter((a) => !seen.has(a.id) && seen.add(a.id));
  return [...portfolios.map((p) => unit('portfolio', p)), ...accounts.map((a) => unit('account', a))];
}

/** Every number in a report must be finite; the engine guarantees it, this proves it before writing. */
export function assertFinite(report: Report): void {
  // A fast pass first: a large book's report has millions of numbers, and a path string built
  // for each cost more than the check. Only when one is not finite is the report walked again,
  // with paths, to name it.
  if (allFinite(report, new WeakSet())) return;
  const walk = (v: unknown, path: string): void => {
    if (typeof v === 'number' && !Number.isFinite(v)) throw new Error(`internal: non-finite value at ${path}`);
    if (v && typeof v === 'object') for (const [k, x] of Object.entries(v)) walk(x, `${path}.${k}`);
  };
  walk(report, '$');
}

/**
 * `seen`: frozen objects found finite. A frozen object cannot change, and a large book's report
 * holds the same frozen ones again and again (an underlying a unit holds nothing in: 250,000
 * times on L, risk/exposure.ts), so each is checked once.
 */
function allFinite(v: unknown, seen: WeakSet<object>): boolean {
  if (typeof v === 'number') return Number.isFinite(v);
  if (v === null || typeof v !== 'object') return true;
  if (Array.isArray(v)) {
    for (let i = 0; i < v.length; i++) if (!allFinite(v[i], seen)) return false;
    return true;
  }
  const frozen = Object.isFrozen(v);
  if (frozen && seen.has(v)) return true;
  const o = v as Record<string, unknown>;
  for (const k in o) if (!allFinite(o[k], seen)) return false;
  if (frozen) seen.add(v);
  return true;
}
