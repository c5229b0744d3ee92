import type { MarginComponents } from '../margin/addons.js';
import type { Attribution } from '../risk/attribution.js';
import type { Exposure } from '../risk/exposure.js';
import type { Report } from './report.js';

/** RFC 4180 quoting: a field with a comma, quote or newline is quoted, quotes doubled. */
function field(v: unknown): string {
  if (v === null || v === undefined) return '';
  // A number never needs quoting; a large book's CSVs are mostly numbers.
  if (typeof v === 'number') return String(v);
  const s = String(v);
  return /[",\r\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}

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
 * (grouped by portfolio, as in accounts.csv), each with its underlyings in market order.
 */
export function exposureCsv(report: Report): string {
  const lines = ['level,id,underlying,delta,gamma,vega,theta,grossNotional'];
  // Built as text, a unit's leading cells once. An underlying the unit holds nothing in (every
  // figure 0) has no row: a large book's units each hold a few of many underlyings (on L, 45% of
  // the 275,000 unit-underlying pairs), and a row of zeros says nothing report.json does not.
  const add = (level: string, id: string, exposure: Exposure) => {
    const head = `${level},${field(id)},`;
    for (const u of exposure.byUnderlying)
      if (u.delta !== 0 || u.gamma !== 0 || u.vega !== 0 || u.theta !== 0 || u.grossNotional !== 0)
        lines.push(
          `${head}${field(u.id)},${field(u.delta)},${field(u.gamma)},${field(u.vega)},${field(u.theta)},${field(u.grossNotional)}`,
        );
  };
  for (const p of report.portfolios) add('portfolio', p.id, p.exposure);
  for (const p of report.portfolios) for (const a of p.segregated.accounts) add('account', a.id, a.exposure);
  return lines.join('\n') + '\n';
}

/**
 * One row per unit and reported component of its ES attribution (contract section 7): for every
 * portfolio (report order) its accounts, underlyings and top positions, then every account
 * (as in accounts.csv) its underlyings and top positions. A report without attribution has the
 * header only. A contribution's share of the ES is contribution / es (left to the reader: it
 * would double the numbers a large book's file spells out).
 */
export function attributionCsv(report: Report): string {
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
  const lines = [header.join(',')];
  // Rows are built as text: each unit's leading cells once, then one number per row (a large
  // book has hundreds of thousands of rows, and spelling a double is most of a row's cost).
  const add = (level: string, id: string, a: Attribution | undefined) => {
    if (a === undefined) return;
    const head = `${level},${field(id)},${field(a.set)},${field(a.es)}`;
    for (const x of a.byAccount ?? [])
      lines.push(`${head},account,${field(x.id)},,,${field(x.contribution)},${field(x.standalone)},${field(x.diversification)}`);
    for (const x of a.byUnderlying) lines.push(`${head},underlying,,,${field(x.id)},${field(x.contribution)},,`);
    for (const x of a.topPositions)
      lines.push(`${head},position,${field(x.account)},${field(x.instrument)},,${field(x.contribution)},,`);
  };
  for (const p of report.portfolios) add('portfolio', p.id, p.cross.attribution);
  for (const p of report.portfolios) for (const a of p.segregated.accounts) add('account', a.id, a.attribution);
  return lines.join('\n') + '\n';
}
