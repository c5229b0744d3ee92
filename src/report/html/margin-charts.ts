// The book at a glance: cross against segregated margin per portfolio, and the scenario set that
// binds each. On a large book only the largest portfolios are drawn (a chart of 500 bars reads as
// noise); the table lists them all.
import type { Report } from '../report.js';
import { bindingSetChart, crossVsSegregatedChart, renderCharts } from './charts.js';
import { escapeHtml, integer } from './format.js';

/** Portfolios drawn in the book-level charts: the largest by segregated (resp. cross) IM. */
export const CHART_PORTFOLIOS = 25;

const largest = (report: Report, key: (i: number) => number, n: number) =>
  report.portfolios
    .map((_, i) => i)
    .sort((a, b) => key(b) - key(a) || a - b)
    .slice(0, n);

export async function marginChartsSections(report: Report): Promise<string> {
  const ps = report.portfolios;
  if (ps.length === 0) return '';
  const bySegregated = largest(report, (i) => ps[i].segregated.initialMargin, CHART_PORTFOLIOS);
  const byCross = largest(report, (i) => ps[i].cross.initialMargin, CHART_PORTFOLIOS);
  const marginSets = report.sets.filter((s) => s.margin).map((s) => s.name);
  const [crossSeg, binding] = await renderCharts(
    [
      crossVsSegregatedChart(
        bySegregated.map((i) => ({ id: ps[i].id, cross: ps[i].cross.initialMargin, segregated: ps[i].segregated.initialMargin })),
        report.currency,
      ),
      bindingSetChart(
        byCross.map((i) => ({ id: ps[i].id, im: ps[i].cross.initialMargin, set: ps[i].cross.bindingSet })),
        marginSets,
        report.currency,
      ),
    ],
    'book',
  );
  const shown = (n: number, by: string) =>
    n < ps.length ? `The ${integer(n)} largest of ${integer(ps.length)} portfolios by ${by}; the table lists every one.` : '';
  const bound = new Map<string, number>();
  for (const p of ps) bound.set(p.cross.bindingSet, (bound.get(p.cross.bindingSet) ?? 0) + 1);
  const counts = [...bound].map(([set, n]) => `${escapeHtml(set)} ${integer(n)}`).join(', ');
  return (
    `<section id="cross-vs-segregated"><h2>Cross against segregated margin</h2>` +
    `<p>What pooling each portfolio's accounts saves: the gap between its segregated and cross initial margin. ` +
    `${shown(bySegregated.length, 'segregated IM')}</p><figure class="chart">${crossSeg}</figure></section>` +
    `<section id="binding-sets"><h2>Binding set</h2><p>The scenario set whose loss sets each portfolio's cross IM ` +
    `(portfolios per set: ${counts}). ${shown(byCross.length, 'cross IM')}</p><figure class="chart">${binding}</figure></section>`
  );
}
