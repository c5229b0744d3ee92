// The portfolio table: one row per portfolio, every row in the page (the inline script sorts,
// filters and pages them), so each figure can be checked against report.json.
import type { Report } from '../report.js';
import { amount, distance, escapeHtml, integer, percent, ratio } from './format.js';
import { healthStatus, STATUS_LABEL } from './status.js';

/** Rows shown per page of the table; the rest are a click away. */
export const TABLE_PAGE_SIZE = 50;

const num = (v: number | null, text: string) => `<td class="num" data-v="${v === null ? '' : v}">${text}</td>`;

/** The table, its rows in `order` (indices into report.portfolios). */
export function portfolioTableSection(report: Report, order: readonly number[]): string {
  const rows = order
    .map((i, rank) => {
      const p = report.portfolios[i];
      const status = healthStatus(p.health, p.marginCall);
      return (
        // Rows past the first page start hidden, as the script would hide them: a browser then
        // lays out one page of a large book's table, not all of it, before the script runs.
        `<tr data-key="${escapeHtml(p.id.toLowerCase())}" data-status="${status}" class="${status}${rank >= TABLE_PAGE_SIZE ? ' paged-out' : ''}">` +
        `<td data-v="${escapeHtml(p.id)}"><a href="#p-${i}" data-open="p-${i}">${escapeHtml(p.id)}</a></td>` +
        num(p.accounts.length, integer(p.accounts.length)) +
        num(p.collateral, amount(p.collateral)) +
        `<td class="num im" data-v="${p.cross.initialMargin}">${amount(p.cross.initialMargin)}</td>` +
        num(p.cross.maintenanceMargin, amount(p.cross.maintenanceMargin)) +
        num(p.segregated.initialMargin, amount(p.segregated.initialMargin)) +
        num(p.capitalEfficiency, percent(p.capitalEfficiency)) +
        `<td data-v="${escapeHtml(p.cross.bindingSet)}">${escapeHtml(p.cross.bindingSet)}</td>` +
        `<td class="num health" data-v="${p.health ?? ''}"><span class="badge ${status}">${ratio(p.health)} <small>${STATUS_LABEL[status]}</small></span></td>` +
        `<td class="num call" data-v="${p.marginCall}">${p.marginCall > 0 ? `<strong>${amount(p.marginCall)}</strong>` : amount(0)}</td>` +
        num(p.distanceToLiquidation.down, distance(p.distanceToLiquidation.down)) +
        `</tr>`
      );
    })
    .join('');
  const c = escapeHtml(report.currency);
  const th = (label: string, type: 'text' | 'num', title = '') =>
    `<th class="${type === 'num' ? 'num' : ''}" data-sort="${type}"${title ? ` title="${title}"` : ''}><button type="button">${label}</button></th>`;
  return (
    `<section id="portfolios"><h2>Portfolios</h2>` +
    `<p>Amounts in ${c}. Margin calls first (largest first), then by cross initial margin; click a heading to sort, ` +
    `a portfolio to open its drill-down. Health is collateral / maintenance margin: ▼ call (below 1, a call applies), ` +
    `! watch (below 1.2), ✓ ok.</p>` +
    `<div class="controls"><label>Filter <input type="search" data-filter="portfolio-table" placeholder="portfolio id"></label>` +
    `<label><input type="checkbox" data-calls="portfolio-table"> margin calls only</label></div>` +
    `<div class="paged" id="portfolio-table" data-page-size="${TABLE_PAGE_SIZE}"><table class="portfolios sortable"><thead><tr>` +
    th('portfolio', 'text') +
    th('accounts', 'num') +
    th('collateral', 'num') +
    th('cross IM', 'num', 'initial margin on the portfolio net P&amp;L') +
    th('cross MM', 'num') +
    th('segregated IM', 'num', 'the sum of its accounts margined alone') +
    th('efficiency', 'num', '1 − cross IM / segregated IM') +
    th('binding set', 'text') +
    th('health', 'num') +
    th('margin call', 'num') +
    th('fall to liquidation', 'num', 'the fall of every underlying at once that takes equity below the cross MM') +
    `</tr></thead><tbody>${rows}</tbody></table></div></section>`
  );
}
