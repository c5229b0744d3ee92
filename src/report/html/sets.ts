// What each scenario set says about the book: its tail measures over the portfolios, the default
// stress (Cover-1, Cover-2) and the liquidation cascade. A section whose figures the report does
// not have (a run with --no-stress, a suite without a cascade block) is left out.
import type { Report } from '../report.js';
import { groupedBarChart, renderCharts, signedBarChart, tailHeatmap } from './charts.js';
import { amount, escapeHtml, integer } from './format.js';
import { CHART_PORTFOLIOS } from './margin-charts.js';

const ids = (list: readonly string[]) => (list.length ? list.map(escapeHtml).join(', ') : '–');

export async function tailsSection(report: Report): Promise<string> {
  const ps = report.portfolios;
  const rows = report.sets
    .map((s) => {
      let sumVar = 0;
      let sumEs = 0;
      let top: { id: string; es: number } | undefined;
      let bound = 0;
      for (const p of ps) {
        const t = p.cross.sets[s.name];
        if (!t) continue;
        sumVar += t.var;
        sumEs += t.es;
        if (top === undefined || t.es > top.es) top = { id: p.id, es: t.es };
        if (p.cross.bindingSet === s.name) bound++;
      }
      return (
        `<tr><td>${escapeHtml(s.name)}</td><td class="num">${integer(s.scenarios)}</td><td class="num">${integer(s.tailSize)}</td>` +
        `<td>${s.margin ? 'margin' : 'reported only'}</td><td class="num">${s.margin ? integer(bound) : '–'}</td>` +
        `<td class="num">${amount(sumVar)}</td><td class="num">${amount(sumEs)}</td>` +
        `<td>${top ? `${escapeHtml(top.id)} <span class="num">${amount(top.es)}</span>` : '–'}</td></tr>`
      );
    })
    .join('');
  const drawn = ps
    .map((_, i) => i)
    .sort((a, b) => ps[b].cross.initialMargin - ps[a].cross.initialMargin || a - b)
    .slice(0, CHART_PORTFOLIOS);
  const names = report.sets.map((s) => s.name);
  const cells = drawn.flatMap((i) =>
    names.filter((n) => ps[i].cross.sets[n]).map((n) => ({ portfolio: ps[i].id, set: n, es: ps[i].cross.sets[n].es })),
  );
  const [heatmap] = cells.length ? await renderCharts([tailHeatmap(cells, names, report.currency)], 'tails') : [''];
  const c = escapeHtml(report.currency);
  return (
    `<section id="tails"><h2>Tail measures per set</h2>` +
    `<p>Each portfolio's loss in a set is its expected shortfall (ES), the mean of its k largest losses; VaR is the k-th. ` +
    `Sums over the portfolios, margined cross, in ${c}. Each portfolio's own figures are in its drill-down.</p>` +
    `<table><thead><tr><th>set</th><th class="num">scenarios</th><th class="num">k</th><th>counts for</th>` +
    `<th class="num">portfolios it binds</th><th class="num">Σ VaR</th><th class="num">Σ ES</th><th>largest ES</th></tr></thead>` +
    `<tbody>${rows}</tbody></table>` +
    (heatmap
      ? `<p>${drawn.length < ps.length ? `The ${integer(drawn.length)} largest portfolios by cross IM.` : ''}</p><figure class="chart">${heatmap}</figure>`
      : '') +
    `</section>`
  );
}

export async function stressSection(report: Report): Promise<string> {
  const sets = report.sets.filter((s) => s.stress);
  if (sets.length === 0) return '';
  const c = escapeHtml(report.currency);
  const rows = sets
    .map((s) => {
      const { cover1, cover2 } = s.stress!;
      return (
        `<tr><td>${escapeHtml(s.name)}</td><td class="num">${amount(cover1.value)}</td><td class="num">${integer(cover1.scenario)}</td>` +
        `<td>${ids(cover1.portfolios)}</td><td class="num">${amount(cover2.value)}</td><td class="num">${integer(cover2.scenario)}</td>` +
        `<td>${ids(cover2.portfolios)}</td></tr>`
      );
    })
    .join('');
  const [chart] = await renderCharts(
    [
      groupedBarChart(
        'Cover-1 and Cover-2 per scenario set',
        sets.flatMap((s) => [
          { category: s.name, series: 'Cover-1', value: s.stress!.cover1.value },
          { category: s.name, series: 'Cover-2', value: s.stress!.cover2.value },
        ]),
        ['Cover-1', 'Cover-2'],
        `loss beyond collateral (${report.currency})`,
      ),
    ],
    'stress',
  );
  return (
    `<section id="stress"><h2>Default stress: Cover-1 and Cover-2</h2>` +
    `<p>The loss beyond their collateral of the hardest-hit portfolio (Cover-1) and of the two hardest-hit together (Cover-2), ` +
    `in the worst scenario of each set, in ${c}: the default-fund question. Scenarios are numbered from 0 within the set.</p>` +
    `<table><thead><tr><th>set</th><th class="num">Cover-1</th><th class="num">scenario</th><th>portfolio</th>` +
    `<th class="num">Cover-2</th><th class="num">scenario</th><th>portfolios</th></tr></thead><tbody>${rows}</tbody></table>` +
    `<figure class="chart">${chart}</figure></section>`
  );
}

export async function cascadeSection(report: Report): Promise<string> {
  const sets = report.sets.filter((s) => s.cascade);
  if (sets.length === 0) return '';
  const c = escapeHtml(report.currency);
  const rows = sets
    .map((s) => {
      const k = s.cascade!;
      const w = k.worst;
      return (
        `<tr><td>${escapeHtml(s.name)}</td><td class="num">${integer(k.scenarios)}</td><td class="num">${integer(k.withLiquidation)}</td>` +
        `<td class="num">${integer(k.mostRounds)}</td><td class="num">${w ? integer(w.scenario) : '–'}</td>` +
        `<td class="num">${w ? integer(w.liquidatedByRound.reduce((n, r) => n + r.length, 0)) : '–'}</td>` +
        `<td class="num">${w ? amount(w.shortfall) : '–'}</td></tr>`
      );
    })
    .join('');
  // The worst cascade of all: the largest shortfall, then the most liquidations, then suite order.
  let worst: (typeof sets)[number] | undefined;
  const liquidations = (s: (typeof sets)[number]) => s.cascade!.worst!.liquidatedByRound.reduce((n, r) => n + r.length, 0);
  for (const s of sets) {
    if (!s.cascade!.worst) continue;
    if (
      worst === undefined ||
      s.cascade!.worst.shortfall > worst.cascade!.worst!.shortfall ||
      (s.cascade!.worst.shortfall === worst.cascade!.worst!.shortfall && liquidations(s) > liquidations(worst))
    )
      worst = s;
  }
  let detail = '';
  if (worst) {
    const w = worst.cascade!.worst!;
    const moves = Object.entries(w.priceMoves);
    const [chart] = await renderCharts(
      [
        signedBarChart(
          `Price moves after the worst cascade (${worst.name}, scenario ${w.scenario})`,
          moves.map(([u, m]) => ({ label: u, value: m })),
          'final price / today − 1',
          { axis: '+.0%', label: '+.2%' },
          ['rise', 'fall'],
        ),
      ],
      'cascade',
    );
    const rounds = w.liquidatedByRound
      .map((r, i) => `<li>round ${i + 1}: ${integer(r.length)} portfolio${r.length === 1 ? '' : 's'}: ${ids(r)}</li>`)
      .join('');
    detail =
      `<h3>The worst cascade: ${escapeHtml(worst.name)}, scenario ${integer(w.scenario)}</h3>` +
      `<p>${integer(w.rounds)} round${w.rounds === 1 ? '' : 's'}, shortfall ${amount(w.shortfall)} ${c} ` +
      `(what the liquidated portfolios' collateral did not cover). <code>xmargin explain --set ${escapeHtml(worst.name)} ` +
      `--scenario ${w.scenario} --cascade</code> plays it out round by round.</p><ol class="rounds">${rounds}</ol>` +
      (moves.length ? `<figure class="chart">${chart}</figure>` : '');
  }
  return (
    `<section id="cascade"><h2>Liquidation cascade</h2>` +
    `<p>Every portfolio below maintenance is liquidated, its deltas sold into the market with price impact, and everyone is ` +
    `checked again at the new prices. Shortfall in ${c}.</p>` +
    `<table><thead><tr><th>set</th><th class="num">scenarios</th><th class="num">with a liquidation</th>` +
    `<th class="num">most rounds</th><th class="num">worst scenario</th><th class="num">portfolios liquidated</th>` +
    `<th class="num">shortfall</th></tr></thead><tbody>${rows}</tbody></table>${detail}</section>`
  );
}
