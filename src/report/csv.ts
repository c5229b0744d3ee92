import type { MarginComponents } from '../margin/addons.js';
import type { Attribution } from '../risk/attribution.js';
import type { Exposure } from '../risk/exposure.js';
import type { Report } from './report.js';
import { csvField, UnitTexts, type UnitText } from './unit-text.js';

const field = csvField;

function table(header: string[], rows: unknown[][]): string {
  return [header, ...rows].map((r) => r.map(field).join(',')).join('\n') + '\n';
}

/**
 * The add-on columns (contract section 8), present only when the suite configures add-ons, so
 * that a run without them writes the same files as before add-ons existed.
 */
const COMPONENT_COLUMNS = ['core', 'liquidity', 'credit', 'shortOptionMinimum', 'diversificationFloor', 'bindingComponent'];

const hasComponents = (report: Report) => report.portfolios.some((p) => p.cross.components !== undefined);

const componentCells = (c: MarginComponents | undefined) =>
  c
    ? [c.core, c.liquidity, c.credit, c.shortOptionMinimum, c.diversificationFloor, c.binding]
    : COMPONENT_COLUMNS.map(() => null);

/** One row per portfolio: cross against segregated, health and call, and each set's cross ES. */
export function portfoliosCsv(report: Report): string {
  const sets = report.sets.map((s) => s.name);
  const components = hasComponents(report);
  const header = [
    'portfolio',
    'accounts',
    'collateral',
    'crossInitialMargin',
    'crossMaintenanceMargin',
    'bindingSet',
    'segregatedInitialMargin',
    'capitalEfficiency',
    'health',
    'marginCall',
    'distanceDown',
    'distanceUp',
    ...(components ? COMPONENT_COLUMNS : []),
    ...sets.map((s) => `es:${s}`),
  ];
  const rows = report.portfolios.map((p) => [
    p.id,
    p.accounts.join(';'),
    p.collateral,
    p.cross.initialMargin,
    p.cross.maintenanceMargin,
    p.cross.bindingSet,
    p.segregated.initialMargin,
    p.capitalEfficiency,
    p.health,
    p.marginCall,
    p.distanceToLiquidation.down,
    p.distanceToLiquidation.up,
    ...(components ? componentCells(p.cross.components) : []),
    ...sets.map((s) => p.cross.sets[s].es),
  ]);
  return table(header, rows);
}

/** One row per account, margined alone (segregated), with the portfolio it belongs to. */
export function accountsCsv(report: Report): string {
  const sets = report.sets.map((s) => s.name);
  const components = hasComponents(report);
  const header = [
    'portfolio',
    'account',
    'collateral',
    'initialMargin',
    'maintenanceMargin',
    'bindingSet',
    'health',
    'marginCall',
    'distanceDown',
    'distanceUp',
    ...(components ? COMPONENT_COLUMNS : []),
    ...sets.map((s) => `es:${s}`),
  ];
  const rows = report.portfolios.flatMap((p) =>
    p.segregated.accounts.map((a) => [
      p.id,
      a.id,
      a.collateral,
      a.initialMargin,
      a.maintenanceMargin,
      a.bindingSet,
      a.health,
      a.marginCall,
      a.distanceToLiquidation.down,
      a.distanceToLiquidation.up,
      ...(components ? componentCells(a.components) : []),
      ...sets.map((s) => a.sets[s].es),
    ]),
  );
  return table(header, rows);
}

/** Every unit's exposure and attribution as text (unit-text.ts), in report order: built once for the JSON and the CSVs. */
export interface ReportUnitTexts {
  portfolios: { exposure?: UnitText; attribution?: UnitText }[];
  /** Every account, grouped by portfolio (as in accounts.csv). */
  accounts: { exposure?: UnitText; attribution?: UnitText }[];
}

export function unitTextsOf(report: Report): ReportUnitTexts {
  const t = new UnitTexts();
  // A report without exposure is one from outside this build (an older report, a test's sketch).
  const of = (exposure: Exposure | undefined, attribution: Attribution | undefined) => ({
    ...(exposure ? { exposure: t.exposure(exposure) } : {}),
    ...(attribution ? { attribution: t.attribution(attribution) } : {}),
  });
  return {
    portfolios: report.portfolios.map((p) => of(p.exposure, p.cross.attribution)),
    accounts: report.portfolios.flatMap((p) => p.segregated.accounts.map((a) => of(a.exposure, a.attribution))),
  };
}

/**
 * One row per unit and underlying it holds: every portfolio (report order), then every account
 * (grouped by portfolio, as in accounts.csv), each with its underlyings in market order. An
 * underlying the unit holds nothing in (every figure 0) has no row: a large book's units each
 * hold a few of many underlyings (on L, 90% of the 275,000 unit-underlying pairs are empty), and
 * a row of zeros says nothing report.json does not.
 */
export function exposureCsv(report: Report, texts: ReportUnitTexts = unitTextsOf(report)): string {
  return exposureCsvLines(report, texts).join('');
}

/** exposureCsv as its lines, each ending in a newline: for a file written piece by piece (io/atomic.ts). */
export function exposureCsvLines(report: Report, texts: ReportUnitTexts = unitTextsOf(report)): string[] {
  const lines = ['level,id,underlying,delta,gamma,vega,theta,grossNotional\n'];
  const add = (level: string, id: string, text: UnitText | undefined) => {
    const head = `${level},${field(id)},`;
    for (const row of text?.rows ?? []) lines.push(head + row + '\n');
  };
  report.portfolios.forEach((p, i) => add('portfolio', p.id, texts.portfolios[i].exposure));
  let at = 0;
  for (const p of report.portfolios) for (const a of p.segregated.accounts) add('account', a.id, texts.accounts[at++].exposure);
  return lines;
}

/**
 * One row per unit and reported component of its ES attribution (contract section 7): for every
 * portfolio (report order) its accounts, underlyings and top positions, then every account
 * (as in accounts.csv) its underlyings and top positions. A report without attribution has the
 * header only. A contribution's share of the ES is contribution / es (left to the reader: it
 * would double the numbers a large book's file spells out).
 */
export function attributionCsv(report: Report, texts: ReportUnitTexts = unitTextsOf(report)): string {
  return attributionCsvLines(report, texts).join('');
}

/** attributionCsv as its lines, each ending in a newline: for a file written piece by piece (io/atomic.ts). */
export function attributionCsvLines(report: Report, texts: ReportUnitTexts = unitTextsOf(report)): string[] {
  const header = [
    'level',
    'id',
    'set',
    'es',
    'component',
    'account',
    'instrument',
    'underlying',
    'contribution',
    'standalone',
    'diversification',
  ];
  const lines = [header.join(',') + '\n'];
  const add = (level: string, id: string, a: Attribution | undefined, text: UnitText | undefined) => {
    if (a === undefined || text === undefined) return;
    const head = `${level},${field(id)},${field(a.set)},${field(a.es)}`;
    for (const row of text.rows) lines.push(head + row + '\n');
  };
  report.portfolios.forEach((p, i) => add('portfolio', p.id, p.cross.attribution, texts.portfolios[i].attribution));
  let at = 0;
  for (const p of report.portfolios)
    for (const a of p.segregated.accounts) {
      add('account', a.id, a.attribution, texts.accounts[at++].attribution);
    }
  return lines;
}
