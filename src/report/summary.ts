import Table from 'cli-table3';
import type { PortfolioReport, Report } from './report.js';

/** How many portfolios the summary lists unless told otherwise (the report and CSVs hold them all). */
export const SUMMARY_TOP = 20;

const money = (v: number) => v.toLocaleString('en-US', { maximumFractionDigits: 0 });
const pct = (v: number | null) => (v === null ? '-' : `${(100 * v).toFixed(1)}%`);
const ratio = (v: number | null) => (v === null ? '-' : v.toFixed(2));

/**
 * The order a risk manager works through portfolios in: margin calls first, largest call first,
 * then the rest by cross IM, largest first; ties keep the report's (book) order.
 */
export function byUrgency(portfolios: ReadonlyArray<PortfolioReport>): PortfolioReport[] {
  return portfolios
    .map((p, i) => ({ p, i }))
    .sort((a, b) => b.p.marginCall - a.p.marginCall || b.p.cross.initialMargin - a.p.cross.initialMargin || a.i - b.i)
    .map((x) => x.p);
}

export interface SummaryOptions {
  /** List at most this many portfolios (default SUMMARY_TOP); Infinity lists all. The totals always cover all. */
  top?: number;
}

/**
 * The short human summary: the portfolios a risk manager scans first (calls, then the largest
 * margins), one line each, and the totals over all of them. A book of hundreds of portfolios
 * would bury the calls in a long table; the CSV files hold every one.
 */
export function summaryTable(report: Report, options: SummaryOptions = {}): string {
  const top = options.top ?? SUMMARY_TOP;
  const all = report.portfolios.length;
  const shown = byUrgency(report.portfolios).slice(0, top);
  // Attribution's column only where the report has it (a margins-only report, reportOf's, has not).
  const attributed = report.portfolios.some((p) => p.cross.attribution !== undefined);
  const t = new Table({
    head: [
      'portfolio',
      'accounts',
      'collateral',
      'cross IM',
      'segregated IM',
      'efficiency',
      'binding set',
      'health',
      'margin call',
      ...(attributed ? ['largest contributor (share of ES)'] : []),
    ],
    colAligns: ['left', 'right', 'right', 'right', 'right', 'right', 'left', 'right', 'right', 'left'],
    style: { head: [], border: [], compact: true },
  });
  for (const p of shown) {
    t.push([
      p.id,
      p.accounts.length,
      money(p.collateral),
      money(p.cross.initialMargin),
      money(p.segregated.initialMargin),
      pct(p.capitalEfficiency),
      p.cross.bindingSet,
      ratio(p.health),
      p.marginCall > 0 ? money(p.marginCall) : '-',
      ...(attributed ? [largestContributor(p)] : []),
    ]);
  }
  const sets = report.sets
    .map(
      (s) =>
        `${s.name} (${s.type}, ${s.scenarios.toLocaleString('en-US')} scenario${s.scenarios === 1 ? '' : 's'}${s.skipped ? `, ${s.skipped} skipped` : ''}${s.margin ? '' : ', not for margin'})`,
    )
    .join('; ');
  const tot = report.totals;
  return [
    `xmargin ${report.asOf}  ${report.currency}  horizon ${report.horizonDays}d  confidence ${report.confidence}  seed ${report.seed}`,
    `sets: ${sets}`,
    shown.length < all
      ? `${shown.length} of ${all} portfolios, margin calls first, then largest cross IM; --all for all`
      : `${all} portfolio${all === 1 ? '' : 's'}, margin calls first, then largest cross IM`,
    t.toString(),
    `total: cross IM ${money(tot.crossInitialMargin)} vs segregated ${money(tot.segregatedInitialMargin)} ` +
      `(efficiency ${pct(tot.capitalEfficiency)}); margin calls ${money(tot.marginCall)} in ${tot.portfoliosWithCall} portfolio(s)`,
    ...addOnLines(report, top),
    liquidationLine(report.portfolios),
    ...stressLines(report),
    ...cascadeLines(report),
    ...breachLines(report, top),
  ].join('\n');
}

/**
 * Default-fund stress (contract section 9): the set with the largest Cover-2, the loss beyond
 * the collateral of the two worst-hit portfolios, with its Cover-1 beside it. One line: the
 * report's `sets[].stress` has every set's.
 */
export function stressLines(report: Report): string[] {
  let worst: { set: string; stress: NonNullable<Report['sets'][number]['stress']> } | undefined;
  for (const s of report.sets)
    if (s.stress && (worst === undefined || s.stress.cover2.value > worst.stress.cover2.value))
      worst = { set: s.name, stress: s.stress };
  if (worst === undefined) return [];
  const { cover1, cover2 } = worst.stress;
  if (cover2.value === 0) return ["default stress: no scenario of any set leaves a loss beyond a portfolio's collateral"];
  return [
    `default stress (worst set ${worst.set}): Cover-2 ${money(cover2.value)} (${cover2.portfolios.join(', ')}, scenario ${cover2.scenario}); ` +
      `Cover-1 ${money(cover1.value)} (${cover1.portfolios.join(', ')}, scenario ${cover1.scenario})`,
  ];
}

/**
 * The position with the largest contribution to a portfolio's cross ES, and its share of it:
 * what carries the margin. Shares of an ES at or below 0 mean nothing and are left out.
 */
export function largestContributor(p: PortfolioReport): string {
  const a = p.cross.attribution;
  const first = a?.topPositions[0];
  if (a === undefined || first === undefined) return '-';
  const what = p.accounts.length > 1 ? `${first.account} ${first.instrument}` : first.instrument;
  return a.es > 0 ? `${what} ${pct(first.contribution / a.es)}` : what;
}

/** How many portfolios the liquidation line names: the few a risk manager calls first. */
export const LIQUIDATION_TOP = 5;

/** A portfolio's nearer side: the move of smallest size that takes it below MM, null when none does. */
function nearestMove(p: PortfolioReport): number | null {
  const { down, up } = p.distanceToLiquidation;
  if (down === null) return up;
  if (up === null) return down;
  return -down <= up ? down : up;
}

/** A move as a signed percentage; below 1% with two decimals, so a 0.04% move does not read as 0. */
function movePct(x: number): string {
  if (x === 0) return 'below MM';
  const digits = Math.abs(x) < 0.01 ? 2 : 1;
  return `${x > 0 ? '+' : ''}${(100 * x).toFixed(digits)}%`;
}

/**
 * The portfolios closest to liquidation, nearest first (ties in book order): each with the move
 * of every underlying at once that takes it below its maintenance margin, on its nearer side.
 */
export function liquidationLine(portfolios: ReadonlyArray<PortfolioReport>, top = LIQUIDATION_TOP): string {
  const near = portfolios
    .map((p, i) => ({ p, i, x: nearestMove(p) }))
    .filter((e): e is { p: PortfolioReport; i: number; x: number } => e.x !== null)
    .sort((a, b) => Math.abs(a.x) - Math.abs(b.x) || a.i - b.i);
  if (near.length === 0) return 'closest to liquidation: none below MM for any move of -99% to +400%';
  const shown = near.slice(0, top).map((e) => `${e.p.id} ${movePct(e.x)}`);
  return `closest to liquidation (all underlyings at once): ${shown.join(', ')}${near.length > top ? `; ${near.length - top} more` : ''}`;
}

const COMPONENT_NAMES = { shortOptionMinimum: 'short option minimum', diversificationFloor: 'diversification floor' };

/**
 * Add-ons, when the suite configures them: what they add to cross IM over all portfolios, and
 * the portfolios whose IM a minimum or the floor sets rather than the core with its charges.
 */
function addOnLines(report: Report, top: number): string[] {
  const withComponents = report.portfolios.filter((p) => p.cross.components !== undefined);
  if (withComponents.length === 0) return [];
  let core = 0;
  let liquidity = 0;
  let credit = 0;
  // What minimums and floors add, per portfolio (0 exactly where the core binds), not the
  // difference of the totals, which rounding would show as "-0".
  let raised = 0;
  for (const p of withComponents) {
    const c = p.cross.components!;
    core += c.core;
    liquidity += c.liquidity;
    credit += c.credit;
    if (c.binding !== 'core') raised += p.cross.initialMargin - (c.core + c.liquidity + c.credit);
  }
  const total = report.totals.crossInitialMargin;
  const overridden = byUrgency(withComponents).filter((p) => p.cross.components!.binding !== 'core');
  const shown = overridden.slice(0, top).map((p) => {
    const c = p.cross.components!;
    const binding = c.binding as keyof typeof COMPONENT_NAMES;
    return `  ${p.id}: ${COMPONENT_NAMES[binding]} binds, IM ${money(p.cross.initialMargin)} > core with charges ${money(c.core + c.liquidity + c.credit)}`;
  });
  const more = overridden.length - shown.length;
  return [
    `add-ons: cross IM ${money(total)} = core ${money(core)} + liquidity ${money(liquidity)} + credit ${money(credit)}` +
      ` + minimums and floors ${money(raised)}`,
    ...shown,
    ...(more > 0 ? [`  ... and ${more} more (portfolios.csv: bindingComponent)`] : []),
  ];
}

/** Limit breaches, when the suite sets limits: how many, and the first `top` of them. */
function breachLines(report: Report, top: number): string[] {
  const b = report.breaches;
  if (b === undefined) return [];
  if (b.length === 0) return ['limits: no breach'];
  const shown = b.slice(0, top).map((x) => {
    const what = x.limit === 'maxDelta' ? `maxDelta ${x.underlying}` : x.limit;
    const value = x.limit === 'maxDelta' ? money(x.value) : ratio(x.value);
    const bound = x.limit === 'maxDelta' ? money(x.threshold) : ratio(x.threshold);
    return `  ${x.level} ${x.id}: ${what} ${value} ${x.limit === 'minHealth' ? '<' : '>'} ${bound}`;
  });
  const more = b.length - shown.length;
  return [
    `limits: ${b.length} breach${b.length === 1 ? '' : 'es'}`,
    ...shown,
    ...(more > 0 ? [`  ... and ${more} more (report.json: breaches)`] : []),
  ];
}

/**
 * One line per cascade set (contract section 9): how many scenarios liquidate anyone, and the
 * worst one's rounds, who falls in each (a round's portfolios, then the next round's), and what
 * their collateral did not cover.
 */
/** Ids a summary line names per round; the report has them all. */
export const CASCADE_IDS_SHOWN = 5;

const fewIds = (ids: string[]) =>
  ids.length <= CASCADE_IDS_SHOWN
    ? ids.join(', ')
    : `${ids.slice(0, CASCADE_IDS_SHOWN).join(', ')} and ${ids.length - CASCADE_IDS_SHOWN} more`;

export function cascadeLines(report: Report): string[] {
  const out: string[] = [];
  for (const s of report.sets) {
    const c = s.cascade;
    if (!c) continue;
    const head = `cascade ${s.name}: liquidations in ${c.withLiquidation} of ${c.scenarios} scenario${c.scenarios === 1 ? '' : 's'}`;
    const w = c.worst;
    if (w === null) {
      out.push(`cascade ${s.name}: no scenario takes a portfolio below maintenance`);
      continue;
    }
    const who =
      w.rounds === 1
        ? `${w.liquidatedByRound[0].length} portfolio${w.liquidatedByRound[0].length === 1 ? '' : 's'} in 1 round`
        : `${w.rounds} rounds (${w.liquidatedByRound.map(fewIds).join('; then ')})`;
    out.push(`${head}; worst scenario ${w.scenario}: ${who}, shortfall ${money(w.shortfall)}`);
  }
  return out;
}
