// Each portfolio's drill-down: its accounts, add-on components, attribution, exposure, distance to
// liquidation and tail measures. The tables are drawn by the page's script when a drill-down is
// opened, from one compact data block (figures rounded as shown, zero rows left out): drawn
// as HTML up front, a book of 500 portfolios and 5,000 accounts would not fit in a few MB. The
// charts are drawn here, as SVG, for the first DETAILED_PORTFOLIOS in the page's order only, for
// the same reason, and kept in the same block until their drill-down opens.
import { gzipSync } from 'node:zlib';
import type { PortfolioReport, Report } from '../report.js';
import { distanceChart, renderCharts, signedBarChart, waterfallChart, type Chart } from './charts.js';
import { amount, escapeHtml, integer, ratio } from './format.js';
import { healthStatus, STATUS_LABEL } from './status.js';

/** Portfolios, first in the page's order, whose drill-downs carry charts. */
export const DETAILED_PORTFOLIOS = 12;
/** Bars per chart of a list (accounts, underlyings): the largest; the rest are summed into one bar. */
export const CHART_BARS = 12;
/** Drill-downs listed per page. */
export const DRILL_DOWN_PAGE_SIZE = 25;

/** An amount or a ratio rounded to the cent, as the tables show it (rounded once, here). */
const c2 = (v: number) => Math.round(v * 100) / 100;
const c2n = (v: number | null) => (v === null ? null : c2(v));
/** An exposure figure in whole currency units, as the exposure table shows it. */
const c0 = (v: number) => Math.round(v);
/** A move (distance to liquidation) to a hundredth of a percent; the table shows a tenth. */
const m4 = (v: number | null) => (v === null ? null : Math.round(v * 10_000) / 10_000);

/**
 * Ids repeat across a portfolio's tables (an account in its accounts, its attribution and its
 * positions; an underlying in every portfolio): a repeated one is its index in `acc`, or in
 * DrillDownData.u, or in DrillDownData.sets. An id not in that list stays a string.
 */
type Ref = number | string;

type AccountRow = [
  id: string,
  collateral: number,
  im: number,
  mm: number,
  health: number | null,
  call: number,
  set: Ref,
  down: number | null,
  up: number | null,
];

/** One portfolio's drill-down figures, as the page's script reads them (DrillDownData.p). */
export interface PortfolioData {
  acc: AccountRow[];
  comp?: [
    core: number,
    liquidity: number,
    credit: number,
    shortOptionMinimum: number,
    diversificationFloor: number | null,
    binding: string,
  ];
  dist: [down: number | null, up: number | null];
  /** Per set of report.sets, in order: the portfolio's cross VaR, ES and worst loss. */
  tails: ([number, number, number] | null)[];
  attr?: {
    set: Ref;
    es: number;
    /** byAccount, in the order of `acc` (the portfolio's): its standalone IM is the account's IM there. */
    acc: [contribution: number, diversification: number][];
    und: [underlying: Ref, contribution: number][];
    top: [account: Ref, instrument: string, contribution: number][];
  };
  exp: {
    und: [underlying: Ref, delta: number, gamma: number, vega: number, theta: number, grossNotional: number][];
    gross: number;
    net: number;
    lev: number | null;
    conc: number | null;
    largest: [underlying: Ref, share: number] | null;
  };
}

export interface DrillDownData {
  currency: string;
  sets: string[];
  /** The market's underlyings, in market order. */
  u: string[];
  p: PortfolioData[];
  /**
   * The drill-down charts, SVG by portfolio index and part, put in place when a drill-down opens:
   * as markup in closed drill-downs they would be parsed into thousands of elements before the
   * page could show anything.
   */
  charts: Record<number, [part: string, svg: string][]>;
}

const indexer = (ids: readonly string[]) => {
  const at = new Map(ids.map((id, i) => [id, i]));
  return (id: string): Ref => at.get(id) ?? id;
};

export function portfolioData(report: Report, p: PortfolioReport, underlyings: readonly string[]): PortfolioData {
  const comp = p.cross.components;
  const attr = p.cross.attribution;
  const e = p.exposure;
  const set = indexer(report.sets.map((s) => s.name));
  const und = indexer(underlyings);
  const acc = indexer(p.segregated.accounts.map((a) => a.id));
  const byAccount = new Map((attr?.byAccount ?? []).map((a) => [a.id, a]));
  return {
    acc: p.segregated.accounts.map((a) => [
      a.id,
      c2(a.collateral),
      c2(a.initialMargin),
      c2(a.maintenanceMargin),
      c2n(a.health),
      c2(a.marginCall),
      set(a.bindingSet),
      m4(a.distanceToLiquidation.down),
      m4(a.distanceToLiquidation.up),
    ]),
    ...(comp
      ? {
          comp: [
            c2(comp.core),
            c2(comp.liquidity),
            c2(comp.credit),
            c2(comp.shortOptionMinimum),
            c2n(comp.diversificationFloor),
            comp.binding,
          ],
        }
      : {}),
    dist: [m4(p.distanceToLiquidation.down), m4(p.distanceToLiquidation.up)],
    tails: report.sets.map((s) => {
      const t = p.cross.sets[s.name];
      return t ? [c2(t.var), c2(t.es), c2(t.worst)] : null;
    }),
    ...(attr
      ? {
          attr: {
            set: set(attr.set),
            es: c2(attr.es),
            acc: byAccount.size
              ? p.segregated.accounts.map((a): [number, number] => {
                  const b = byAccount.get(a.id);
                  return b ? [c2(b.contribution), c2(b.diversification)] : [0, 0];
                })
              : [],
            und: attr.byUnderlying.filter((u) => u.contribution !== 0).map((u) => [und(u.id), c2(u.contribution)]),
            top: attr.topPositions.map((t) => [acc(t.account), t.instrument, c2(t.contribution)]),
          },
        }
      : {}),
    exp: {
      und: e.byUnderlying
        .filter((u) => u.delta !== 0 || u.gamma !== 0 || u.vega !== 0 || u.theta !== 0 || u.grossNotional !== 0)
        .map((u) => [und(u.id), c0(u.delta), c0(u.gamma), c0(u.vega), c0(u.theta), c0(u.grossNotional)]),
      gross: c0(e.grossNotional),
      net: c0(e.netDelta),
      lev: c2n(e.leverage),
      conc: c2n(e.concentration),
      largest: e.largestUnderlying ? [und(e.largestUnderlying.id), m4(e.largestUnderlying.share)!] : null,
    },
  };
}

/** The largest CHART_BARS items by |value|, in their order, and the rest summed as one. */
function largestBars(items: readonly { label: string; value: number }[]): { label: string; value: number }[] {
  if (items.length <= CHART_BARS) return [...items];
  const keep = new Set(
    items
      .map((_, i) => i)
      .sort((a, b) => Math.abs(items[b].value) - Math.abs(items[a].value) || a - b)
      .slice(0, CHART_BARS - 1),
  );
  const rest = items.filter((_, i) => !keep.has(i));
  return [
    ...items.filter((_, i) => keep.has(i)),
    { label: `${rest.length} others`, value: rest.reduce((s, x) => s + x.value, 0) },
  ];
}

/** The charts of one portfolio's drill-down, each with the part of the drill-down it belongs to. */
function portfolioCharts(p: PortfolioReport, currency: string): { part: string; chart: Chart }[] {
  const out: { part: string; chart: Chart }[] = [];
  const comp = p.cross.components;
  if (comp) {
    out.push({
      part: 'components',
      chart: waterfallChart(
        `${p.id}: core margin and add-ons`,
        [
          { label: 'core', value: comp.core },
          { label: 'liquidity', value: comp.liquidity },
          { label: 'credit', value: comp.credit },
        ],
        { label: 'core + add-ons', value: comp.core + comp.liquidity + comp.credit },
        currency,
        'margin',
      ),
    });
  }
  const attr = p.cross.attribution;
  if (attr?.byAccount?.length) {
    out.push({
      part: 'attribution-accounts',
      chart: waterfallChart(
        `${p.id}: expected shortfall in ${attr.set} by account`,
        largestBars(attr.byAccount.map((a) => ({ label: a.id, value: a.contribution }))),
        { label: 'ES', value: attr.es },
        currency,
        'contribution to ES',
      ),
    });
  }
  if (attr && attr.byUnderlying.length) {
    out.push({
      part: 'attribution-underlyings',
      chart: waterfallChart(
        `${p.id}: expected shortfall in ${attr.set} by underlying`,
        largestBars(attr.byUnderlying.filter((u) => u.contribution !== 0).map((u) => ({ label: u.id, value: u.contribution }))),
        { label: 'ES', value: attr.es },
        currency,
        'contribution to ES',
      ),
    });
  }
  const held = p.exposure.byUnderlying.filter((u) => u.delta !== 0);
  if (held.length) {
    out.push({
      part: 'exposure',
      chart: signedBarChart(
        `${p.id}: delta by underlying`,
        largestBars(held.map((u) => ({ label: u.id, value: u.delta }))),
        `delta (${currency})`,
      ),
    });
  }
  out.push({ part: 'distance', chart: distanceChart(p.distanceToLiquidation.down, p.distanceToLiquidation.up) });
  return out;
}

/**
 * The data block's content: its JSON, gzipped, in base64. A browser's HTML parser takes about as
 * long per byte of a script element's text as of markup: as plain JSON the block of a book of 500
 * portfolios (1.7 MB) took a third of the page's opening time; gzipped it is a quarter of that,
 * and the page's script inflates it with the browser's own DecompressionStream. Base64 has no
 * "<", so nothing in it can end the element.
 */
export function packData(data: DrillDownData): string {
  return gzipSync(JSON.stringify(data), { level: 9 }).toString('base64');
}

/** The drill-downs, in `order`; charts for the first DETAILED_PORTFOLIOS. And the data block the script draws their tables from. */
export async function drillDownSection(report: Report, order: readonly number[]): Promise<string> {
  if (report.portfolios.length === 0) return '';
  const c = escapeHtml(report.currency);
  const items: string[] = [];
  const charts: Record<number, [part: string, svg: string][]> = {};
  for (const [rank, i] of order.entries()) {
    const p = report.portfolios[i];
    const status = healthStatus(p.health, p.marginCall);
    if (rank < DETAILED_PORTFOLIOS) {
      const parts = portfolioCharts(p, report.currency);
      const svgs = await renderCharts(
        parts.map((x) => x.chart),
        `p${i}`,
      );
      charts[i] = parts.map((x, k) => [x.part, svgs[k]]);
    }
    items.push(
      `<details class="drill ${status}${rank >= DRILL_DOWN_PAGE_SIZE ? ' paged-out' : ''}" id="p-${i}" data-i="${i}" data-key="${escapeHtml(p.id.toLowerCase())}" data-status="${status}">` +
        `<summary><span class="pid">${escapeHtml(p.id)}</span> <span class="sum">cross IM ${amount(p.cross.initialMargin)} ${c} · ` +
        `${integer(p.accounts.length)} account${p.accounts.length === 1 ? '' : 's'} · health ` +
        `<span class="badge ${status}">${ratio(p.health)} <small>${STATUS_LABEL[status]}</small></span>` +
        `${p.marginCall > 0 ? ` · <strong>call ${amount(p.marginCall)} ${c}</strong>` : ''}</span></summary>` +
        `<div class="dd-body"></div></details>`,
    );
  }
  // Every exposure lists every market underlying in market order: the first one gives the market's.
  const underlyings = report.portfolios[0].exposure.byUnderlying.map((u) => u.id);
  const data: DrillDownData = {
    currency: report.currency,
    sets: report.sets.map((s) => s.name),
    u: underlyings,
    p: report.portfolios.map((p) => portfolioData(report, p, underlyings)),
    charts,
  };
  const detailed = Math.min(DETAILED_PORTFOLIOS, order.length);
  return (
    `<section id="drill-downs"><h2>Portfolio drill-downs</h2>` +
    `<p>In the table's order. Open one for its accounts (each margined alone), add-on components, the attribution of its ` +
    `expected shortfall by account, underlying and position, its exposure by underlying, its distance to liquidation and ` +
    `its tail measures per set. Amounts in ${c}.` +
    (detailed < order.length ? ` Charts are drawn for the first ${integer(detailed)}; every drill-down has the tables.` : '') +
    `</p><div class="controls"><label>Filter <input type="search" data-filter="drill-list" placeholder="portfolio id"></label>` +
    `<label><input type="checkbox" data-calls="drill-list"> margin calls only</label>` +
    `<button type="button" data-expand="drill-list">open all on this page</button></div>` +
    `<div class="paged" id="drill-list" data-page-size="${DRILL_DOWN_PAGE_SIZE}">${items.join('')}</div>` +
    `<noscript><p>The drill-down tables are drawn by the page's script; portfolios.csv, accounts.csv, exposure.csv and ` +
    `attribution.csv hold the same figures.</p></noscript>` +
    `<script type="application/octet-stream" id="xm-data" data-encoding="gzip+base64">${packData(data)}</script></section>`
  );
}
