import type { MarginComponents } from '../margin/addons.js';
import type { Attribution } from '../risk/attribution.js';
import type { Exposure } from '../risk/exposure.js';
import type { Report } from './report.js';
import { piecesText, type TextPiece, type TextSink } from '../io/text-sink.js';
import { csvField, UnitSpeller } from './unit-text.js';

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

/**
 * One row per unit and underlying it holds: every portfolio (report order), then every account
 * (grouped by portfolio, as in accounts.csv), each with its underlyings in market order. An
 * underlying the unit holds nothing in (every figure 0) has no row: a large book's units each
 * hold a few of many underlyings (on L, 90% of the 275,000 unit-underlying pairs are empty), and
 * a row of zeros says nothing report.json does not.
 */
export function exposureCsv(report: Report): string {
  return piecesText(exposureCsvPieces(report));
}

/** exposureCsv as pieces, spelled as the file is written (io/atomic.ts FileData). */
export function exposureCsvPieces(report: Report, speller = new UnitSpeller()): TextPiece[] {
  // A report without exposure is one from outside this build (an older report, a test's sketch).
  const add = (level: string, id: string, e: Exposure | undefined, out: TextSink) => {
    if (e !== undefined) speller.exposureLines(e, `${level},${field(id)},`, out);
  };
  return [
    'level,id,underlying,delta,gamma,vega,theta,grossNotional\n',
    (out) => {
      for (const p of report.portfolios) add('portfolio', p.id, p.exposure, out);
      for (const p of report.portfolios) for (const a of p.segregated.accounts) add('account', a.id, a.exposure, out);
    },
  ];
}

/**
 * One row per unit and reported component of its ES attribution (contract section 7): for every
 * portfolio (report order) its accounts, underlyings and top positions, then every account
 * (as in accounts.csv) its underlyings and top positions. A report without attribution has the
 * header only. A contribution's share of the ES is contribution / es (left to the reader: it
 * would double the numbers a large book's file spells out).
 */
export function attributionCsv(report: Report): string {
  return piecesText(attributionCsvPieces(report));
}

/** attributionCsv as pieces, spelled as the file is written (io/atomic.ts FileData). */
export function attributionCsvPieces(report: Report, speller = new UnitSpeller()): TextPiece[] {
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
  const add = (level: string, id: string, a: Attribution | undefined, out: TextSink) => {
    if (a !== undefined) speller.attributionLines(a, `${level},${field(id)},${field(a.set)},${field(a.es)}`, out);
  };
  return [
    header.join(',') + '\n',
    (out) => {
      for (const p of report.portfolios) add('portfolio', p.id, p.cross.attribution, out);
      for (const p of report.portfolios) for (const a of p.segregated.accounts) add('account', a.id, a.attribution, out);
    },
  ];
}
