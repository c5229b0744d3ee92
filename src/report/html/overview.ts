// The top of the page: what the run was (header), limits broken (breaches), and the book's
// headline figures (totals).
import type { Report } from '../report.js';
import { amount, escapeHtml, integer, percent, ratio, wholeAmount } from './format.js';

/** As-of date, currency, horizon, confidence, seed, the sets with their scenario counts, and the engine. */
export function headerSection(report: Report): string {
  const meta: [string, string][] = [
    ['as of', report.asOf],
    ['currency', report.currency],
    ['horizon', `${report.horizonDays} day${report.horizonDays === 1 ? '' : 's'}`],
    ['confidence', percent(report.confidence, 2).replace(/\.?0+%$/, '%')],
    ['maintenance ratio', String(report.maintenanceRatio)],
    ['seed', String(report.seed)],
    ['engine', `${report.engine.name} ${report.engine.version}`],
  ];
  if (report.run) meta.push(['run', `${report.run.finishedAt.replace('T', ' ').replace(/\.\d+Z$/, ' UTC')} (${report.run.id})`]);
  const windowsOf = (s: Report['sets'][number]) => s.windows as { first?: unknown; last?: unknown } | undefined;
  // Only historical sets have windows; a suite without one has no column for them.
  const hasWindows = report.sets.some((s) => windowsOf(s)?.first !== undefined);
  const sets = report.sets
    .map((s) => {
      const w = windowsOf(s);
      return (
        `<tr><td>${escapeHtml(s.name)}</td><td>${escapeHtml(s.type)}</td><td class="num">${integer(s.scenarios)}</td>` +
        `<td class="num">${integer(s.skipped)}</td><td class="num">${integer(s.tailSize)}</td>` +
        `<td>${s.margin ? 'margin' : 'reported only'}</td>` +
        (hasWindows
          ? `<td>${w?.first !== undefined ? `first ${escapeHtml(String(w.first))}, last ${escapeHtml(String(w.last))}` : ''}</td>`
          : '') +
        `</tr>`
      );
    })
    .join('');
  return (
    `<header id="header"><h1>Margin report <span class="asof">${escapeHtml(report.asOf)}</span></h1>` +
    `<dl class="meta">${meta.map(([k, v]) => `<div><dt>${k}</dt><dd data-meta="${k}">${escapeHtml(v)}</dd></div>`).join('')}</dl>` +
    `<table class="sets"><caption>Scenario sets</caption><thead><tr><th>set</th><th>type</th><th class="num">scenarios</th>` +
    `<th class="num">skipped windows</th><th class="num">tail size k</th><th>counts for</th>${hasWindows ? '<th>windows</th>' : ''}</tr></thead>` +
    `<tbody>${sets}</tbody></table></header>`
  );
}

/** The limit breaches, when the suite sets limits and any is broken; nothing otherwise. */
export function breachesSection(report: Report): string {
  const breaches = report.breaches ?? [];
  if (breaches.length === 0) return '';
  const value = (limit: string, v: number) => (limit === 'maxDelta' ? amount(v) : ratio(v));
  const rows = breaches
    .map(
      (b) =>
        `<tr data-key="${escapeHtml(b.id)}"><td>${b.level}</td><td>${escapeHtml(b.id)}</td><td>${escapeHtml(b.limit)}</td>` +
        `<td>${b.underlying === undefined ? '' : escapeHtml(b.underlying)}</td>` +
        `<td class="num">${value(b.limit, b.value)}</td><td class="num">${value(b.limit, b.threshold)}</td></tr>`,
    )
    .join('');
  return (
    `<section id="breaches" class="alert"><h2>⚠ Limit breaches <span class="count">${integer(breaches.length)}</span></h2>` +
    `<p>Units over the suite's limits (minHealth: under). Delta in ${escapeHtml(report.currency)}; leverage, shares and health as ratios.</p>` +
    `<div class="paged" data-page-size="25"><table><thead><tr><th>level</th><th>id</th><th>limit</th><th>underlying</th>` +
    `<th class="num">value</th><th class="num">threshold</th></tr></thead><tbody>${rows}</tbody></table></div></section>`
  );
}

/** The headline figures: cross against segregated IM, the saving, collateral and calls. */
export function totalsSection(report: Report): string {
  const t = report.totals;
  const c = escapeHtml(report.currency);
  const figure = (key: string, label: string, value: string, unit: string, note = '', cls = '') =>
    `<div class="figure ${cls}" data-figure="${key}"><div class="label">${label}</div>` +
    `<div><span class="value">${value}</span> <span class="unit">${unit}</span></div><div class="note">${note}</div></div>`;
  const saving = t.segregatedInitialMargin - t.crossInitialMargin;
  return (
    `<section id="totals"><h2>Totals</h2><div class="figures">` +
    figure(
      'crossInitialMargin',
      'Cross initial margin',
      wholeAmount(t.crossInitialMargin),
      c,
      `${integer(report.portfolios.length)} portfolios`,
    ) +
    figure(
      'segregatedInitialMargin',
      'Segregated initial margin',
      wholeAmount(t.segregatedInitialMargin),
      c,
      'every account margined alone',
    ) +
    figure(
      'capitalEfficiency',
      'Capital efficiency',
      percent(t.capitalEfficiency),
      '',
      `cross margin saves ${wholeAmount(saving)} ${c}`,
    ) +
    figure('collateral', 'Collateral', wholeAmount(t.collateral), c, 'after haircuts') +
    figure(
      'marginCall',
      'Margin calls',
      wholeAmount(t.marginCall),
      c,
      `<span data-figure="portfoliosWithCall">${integer(t.portfoliosWithCall)}</span> portfolio${t.portfoliosWithCall === 1 ? '' : 's'} called`,
      t.portfoliosWithCall > 0 ? 'call' : '',
    ) +
    `</div></section>`
  );
}
