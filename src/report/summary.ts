import Table from 'cli-table3';
import type { Report } from './report.js';

const money = (v: number) => v.toLocaleString('en-US', { maximumFractionDigits: 0 });
const pct = (v: number | null) => (v === null ? '-' : `${(100 * v).toFixed(1)}%`);
const ratio = (v: number | null) => (v === null ? '-' : v.toFixed(2));

/** The short human summary: one line per portfolio, the numbers a risk manager scans first. */
export function summaryTable(report: Report): string {
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
    ],
    colAligns: ['left', 'right', 'right', 'right', 'right', 'right', 'left', 'right', 'right'],
    style: { head: [], border: [], compact: true },
  });
  for (const p of report.portfolios) {
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
    ]);
  }
  const sets = report.sets
    .map(
      (s) =>
        `${s.name} (${s.type}, ${s.scenarios.toLocaleString('en-US')} scenarios${s.skipped ? `, ${s.skipped} skipped` : ''}${s.margin ? '' : ', not for margin'})`,
    )
    .join('; ');
  const tot = report.totals;
  return [
    `xmargin ${report.asOf}  ${report.currency}  horizon ${report.horizonDays}d  confidence ${report.confidence}  seed ${report.seed}`,
    `sets: ${sets}`,
    t.toString(),
    `total: cross IM ${money(tot.crossInitialMargin)} vs segregated ${money(tot.segregatedInitialMargin)} ` +
      `(efficiency ${pct(tot.capitalEfficiency)}); margin calls ${money(tot.marginCall)} in ${tot.portfoliosWithCall} portfolio(s)`,
  ].join('\n');
}
