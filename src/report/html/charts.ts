// The report's charts: Vega-Lite specifications rendered to SVG here, in Node, when the HTML is
// built, so the page needs no charting script and no network. Vega is loaded on first use only:
// the CLI's other commands and the library's run() do not pay for it.
import type { TopLevelSpec } from 'vega-lite';

/**
 * Okabe & Ito's palette (2008), distinguishable with every common colour-vision deficiency. The
 * report never relies on colour alone: bars carry value labels and legends name each colour.
 */
export const OKABE_ITO = ['#0072B2', '#E69F00', '#009E73', '#CC79A7', '#56B4E9', '#D55E00', '#F0E442', '#000000'] as const;
export const BLUE = OKABE_ITO[0];
export const ORANGE = OKABE_ITO[1];
export const GREEN = OKABE_ITO[2];
export const VERMILLION = OKABE_ITO[5];
export const GREY = '#6b6b6b';

/** A chart to draw: its Vega-Lite specification and what a screen reader says for it. */
export interface Chart {
  title: string;
  spec: TopLevelSpec;
}

// No ARIA attributes per mark (they would double a large chart's size): each chart is one image
// with a label, and the tables beside it hold its figures. The font is the page's (style.ts).
const CONFIG = {
  aria: false,
  font: 'sans-serif',
  background: 'white',
  view: { stroke: null },
  axis: { labelFontSize: 11, titleFontSize: 11, titleFontWeight: 'normal', gridColor: '#e6e6e6' },
  axisQuantitative: { tickCount: 6 },
  legend: { labelFontSize: 11, titleFontSize: 11, orient: 'bottom' },
  title: { fontSize: 13, anchor: 'start' },
} as const;

/**
 * Vega-Lite's warnings on a specification are kept here, not printed: the specifications are this
 * module's own, and the CLI's stderr is for the user. The tests read them (takeChartWarnings): a
 * warning is a chart that does not draw what it says.
 */
const warnings: string[] = [];
const quiet = {
  level: () => quiet,
  error: (...m: unknown[]) => (warnings.push(m.join(' ')), quiet),
  warn: (...m: unknown[]) => (warnings.push(m.join(' ')), quiet),
  info: () => quiet,
  debug: () => quiet,
};

/** The warnings Vega-Lite gave since the last call, and none kept after. */
export function takeChartWarnings(): string[] {
  return warnings.splice(0);
}

type Vega = typeof import('vega');
type VegaLite = typeof import('vega-lite');
let libraries: Promise<[Vega, VegaLite]> | undefined;
const load = () => (libraries ??= Promise.all([import('vega'), import('vega-lite')]));

/**
 * The charts as inline SVG elements, in order. Each chart's element ids (clip paths) are
 * `${idPrefix}-${i}-<n>`: Vega numbers them per process, and two charts of one page must not share one.
 */
export async function renderCharts(charts: readonly Chart[], idPrefix: string): Promise<string[]> {
  if (charts.length === 0) return [];
  const [vega, vl] = await load();
  const out: string[] = [];
  for (const [i, chart] of charts.entries()) {
    const spec = {
      ...(withoutPrototypeKeys(chart.spec) as object),
      config: { ...CONFIG, ...(chart.spec.config ?? {}) },
    } as TopLevelSpec;
    const view = new vega.View(vega.parse(vl.compile(spec, { logger: quiet }).spec), { renderer: 'none', logLevel: vega.None });
    try {
      const svg = await view.toSVG();
      out.push(labelled(localIds(lean(svg), `${idPrefix}-${i}`), chart.title));
    } finally {
      view.finalize();
    }
  }
  return out;
}

/**
 * The specification with every string that names a property of Object.prototype (`__proto__`,
 * `constructor`: ids from users' books) followed by a zero-width space. Vega keeps categories in
 * plain objects and fails on those keys; the label reads the same.
 */
function withoutPrototypeKeys(v: unknown): unknown {
  if (typeof v === 'string') return v === '__proto__' || v in Object.prototype ? `${v}\u200b` : v;
  if (Array.isArray(v)) return v.map(withoutPrototypeKeys);
  if (v && typeof v === 'object') return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, withoutPrototypeKeys(x)]));
  return v;
}

/**
 * Vega's SVG without what a static image does not use: interaction and ARIA hints of its scene
 * graph, default opacities, empty backgrounds and hidden foregrounds. A third of the bytes; the
 * drawing is the same.
 */
function lean(svg: string): string {
  return svg
    .replace(/ (?:aria-hidden|aria-roledescription|role|pointer-events|class)="[^"]*"/g, '')
    .replace(/ (?:opacity|fill-opacity|stroke-opacity)="1"/g, '')
    .replace(/<path d="M0,0h0v0h0Z"\/>/g, '')
    .replace(/<path d="" display="none"\/>/g, '');
}

function localIds(svg: string, prefix: string): string {
  // Renumbered in order of appearance, so the same report gives the same page in any process.
  const ids = new Map<string, string>();
  const local = (id: string) => ids.get(id) ?? (ids.set(id, `${prefix}-${ids.size}`), ids.get(id)!);
  return svg
    .replace(/\bid="([^"]+)"/g, (_, id: string) => `id="${local(id)}"`)
    .replace(/url\(#([^)]+)\)/g, (_, id: string) => `url(#${local(id)})`);
}

function labelled(svg: string, title: string): string {
  const text = title.replace(/[&<>"]/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;' })[c]!);
  return svg.replace(/^<svg /, `<svg role="img" aria-label="${text}" `);
}

const axisAmount = (currency: string, title: string) => ({ title: `${title} (${currency})`, format: ',.0f' });
const rowHeight = (rows: number) => Math.max(40, rows * 22);

/** Cross against segregated IM, one pair of bars per portfolio. */
export function crossVsSegregatedChart(
  rows: readonly { id: string; cross: number; segregated: number }[],
  currency: string,
): Chart {
  const values = rows.flatMap((r) => [
    { portfolio: r.id, basis: 'cross', im: r.cross },
    { portfolio: r.id, basis: 'segregated', im: r.segregated },
  ]);
  return {
    title: 'Initial margin per portfolio, cross against segregated',
    spec: {
      width: 560,
      height: { step: 11 },
      data: { values },
      encoding: {
        y: { field: 'portfolio', type: 'nominal', sort: null, title: null },
        yOffset: { field: 'basis', sort: ['cross', 'segregated'] },
        x: { field: 'im', type: 'quantitative', axis: axisAmount(currency, 'initial margin') },
        color: {
          field: 'basis',
          type: 'nominal',
          title: 'margined',
          scale: { domain: ['cross', 'segregated'], range: [BLUE, ORANGE] },
        },
      },
      layer: [
        { mark: { type: 'bar' } },
        {
          mark: { type: 'text', align: 'left', dx: 3, fontSize: 9, color: '#333' },
          encoding: { text: { field: 'im', type: 'quantitative', format: ',.0f' }, color: { value: '#333' } },
        },
      ],
    } as TopLevelSpec,
  };
}

/** Cross IM per portfolio, coloured by the set that binds it (with the set named on each bar). */
export function bindingSetChart(
  rows: readonly { id: string; im: number; set: string }[],
  sets: readonly string[],
  currency: string,
): Chart {
  return {
    title: 'Cross initial margin per portfolio and the scenario set that sets it',
    spec: {
      width: 560,
      height: rowHeight(rows.length),
      data: { values: rows.map((r) => ({ portfolio: r.id, im: r.im, set: r.set })) },
      encoding: {
        y: { field: 'portfolio', type: 'nominal', sort: null, title: null },
        x: { field: 'im', type: 'quantitative', axis: axisAmount(currency, 'cross initial margin') },
      },
      layer: [
        {
          mark: { type: 'bar' },
          encoding: {
            color: {
              field: 'set',
              type: 'nominal',
              title: 'binding set',
              scale: { domain: [...sets], range: OKABE_ITO.slice(0, Math.max(1, sets.length)) },
            },
          },
        },
        { mark: { type: 'text', align: 'left', dx: 3, fontSize: 10, color: '#333' }, encoding: { text: { field: 'set' } } },
      ],
    } as TopLevelSpec,
  };
}

/**
 * A waterfall: each step a bar from the running total before it to the one after, in order, then
 * the total. Steps that add are orange, steps that take off (hedges) blue, the total grey; the
 * legend and the signed labels say so too.
 */
export function waterfallChart(
  title: string,
  steps: readonly { label: string; value: number }[],
  total: { label: string; value: number },
  currency: string,
  axisTitle: string,
): Chart {
  let at = 0;
  const values = steps.map((s) => {
    const row = { label: s.label, start: at, end: at + s.value, value: s.value, kind: s.value >= 0 ? 'adds' : 'takes off' };
    at += s.value;
    return row;
  });
  values.push({ label: total.label, start: 0, end: total.value, value: total.value, kind: 'total' });
  return {
    title,
    spec: {
      width: 520,
      height: rowHeight(values.length),
      data: { values },
      encoding: {
        y: { field: 'label', type: 'nominal', sort: null, title: null },
      },
      layer: [
        {
          mark: { type: 'bar' },
          encoding: {
            x: { field: 'start', type: 'quantitative', axis: axisAmount(currency, axisTitle) },
            x2: { field: 'end' },
            color: {
              field: 'kind',
              type: 'nominal',
              title: null,
              scale: { domain: ['adds', 'takes off', 'total'], range: [ORANGE, BLUE, GREY] },
            },
          },
        },
        {
          mark: { type: 'text', align: 'left', dx: 4, fontSize: 10, color: '#333' },
          encoding: {
            x: { field: 'right', type: 'quantitative' },
            text: { field: 'value', type: 'quantitative', format: '+,.0f' },
          },
          transform: [{ calculate: 'max(datum.start, datum.end)', as: 'right' }],
        },
      ],
    } as TopLevelSpec,
  };
}

/** Signed horizontal bars, one per label (exposure delta by underlying). */
export function signedBarChart(
  title: string,
  rows: readonly { label: string; value: number }[],
  axisTitle: string,
  format: { axis: string; label: string } = { axis: ',.0f', label: '+,.0f' },
  sides: [positive: string, negative: string] = ['long', 'short'],
): Chart {
  return {
    title,
    spec: {
      width: 520,
      height: rowHeight(rows.length),
      data: { values: rows.map((r) => ({ ...r, side: r.value >= 0 ? sides[0] : sides[1] })) },
      encoding: {
        y: { field: 'label', type: 'nominal', sort: null, title: null },
        // Room at both ends for the labels beyond the bars.
        x: { field: 'value', type: 'quantitative', axis: { title: axisTitle, format: format.axis }, scale: { padding: 48 } },
      },
      layer: [
        {
          mark: { type: 'bar' },
          encoding: {
            color: { field: 'side', type: 'nominal', title: null, scale: { domain: [...sides], range: [BLUE, ORANGE] } },
          },
        },
        // Each label beyond its bar's end: right of a positive bar, left of a negative one.
        {
          mark: { type: 'text', align: 'left', dx: 4, fontSize: 10, color: '#333' },
          encoding: { text: { field: 'value', type: 'quantitative', format: format.label } },
          transform: [{ filter: 'datum.value >= 0' }],
        },
        {
          mark: { type: 'text', align: 'right', dx: -4, fontSize: 10, color: '#333' },
          encoding: { text: { field: 'value', type: 'quantitative', format: format.label } },
          transform: [{ filter: 'datum.value < 0' }],
        },
      ],
    } as TopLevelSpec,
  };
}

/**
 * How far the market may move before equity falls below maintenance: a bar from today (0) to the
 * fall and to the rise that reach it, on a percentage axis cut at ±100% (a rise of up to +400%
 * is searched; one beyond +100% is drawn to the edge and labelled).
 */
export function distanceChart(down: number | null, up: number | null): Chart {
  const label = (v: number | null, side: 'fall' | 'rise') =>
    v === null ? (side === 'fall' ? 'none down to −99%' : 'none up to +400%') : v === 0 ? 'already below maintenance' : '';
  const values = [
    { side: 'fall', move: down ?? -0.99, note: label(down, 'fall') },
    { side: 'rise', move: Math.min(up ?? 1, 1), note: label(up, 'rise') },
  ];
  return {
    title: 'Distance to liquidation: the move of every underlying at once that takes equity below maintenance',
    spec: {
      width: 520,
      height: 60,
      data: { values },
      encoding: {
        y: { field: 'side', type: 'nominal', sort: ['fall', 'rise'], title: null },
      },
      layer: [
        {
          mark: { type: 'bar', color: BLUE, opacity: 0.45 },
          encoding: {
            x: {
              field: 'move',
              type: 'quantitative',
              axis: { title: 'move of every underlying, instantly', format: '+.0%' },
              scale: { domain: [-1, 1] },
            },
            x2: { datum: 0 },
          },
        },
        { mark: { type: 'rule', color: '#333' }, encoding: { x: { datum: 0, type: 'quantitative' } } },
        {
          mark: { type: 'text', align: 'left', dx: 4, fontSize: 10, color: '#333' },
          encoding: { x: { datum: 0, type: 'quantitative' }, text: { field: 'text' } },
          transform: [{ calculate: "datum.note != '' ? datum.note : format(datum.move, '+.1%')", as: 'text' }],
        },
      ],
    } as TopLevelSpec,
  };
}

/** Grouped bars: one group per category, one bar per series (Cover-1 and Cover-2 per set). */
export function groupedBarChart(
  title: string,
  rows: readonly { category: string; series: string; value: number }[],
  series: readonly string[],
  axisTitle: string,
): Chart {
  return {
    title,
    spec: {
      width: 520,
      height: { step: 12 },
      data: { values: rows },
      encoding: {
        y: { field: 'category', type: 'nominal', sort: null, title: null },
        yOffset: { field: 'series', sort: [...series] },
        x: { field: 'value', type: 'quantitative', axis: { title: axisTitle, format: ',.0f' } },
        color: {
          field: 'series',
          type: 'nominal',
          title: null,
          scale: { domain: [...series], range: OKABE_ITO.slice(0, series.length) },
        },
      },
      layer: [
        { mark: { type: 'bar' } },
        {
          mark: { type: 'text', align: 'left', dx: 3, fontSize: 9 },
          encoding: { text: { field: 'value', type: 'quantitative', format: ',.0f' }, color: { value: '#333' } },
        },
      ],
    } as TopLevelSpec,
  };
}

/**
 * A portfolio × set heat map of ES (a sequential palette, viridis, that reads in grey too), each
 * cell labelled with its figure.
 */
export function tailHeatmap(
  rows: readonly { portfolio: string; set: string; es: number }[],
  sets: readonly string[],
  currency: string,
): Chart {
  return {
    title: 'Expected shortfall per portfolio (cross) and scenario set',
    spec: {
      width: { step: 124 },
      height: { step: 20 },
      data: { values: rows },
      encoding: {
        x: {
          field: 'set',
          type: 'nominal',
          sort: [...sets],
          title: null,
          axis: { orient: 'top', labelAngle: 0, labelLimit: 120 },
        },
        y: { field: 'portfolio', type: 'nominal', sort: null, title: null },
      },
      layer: [
        {
          mark: { type: 'rect' },
          encoding: {
            color: {
              field: 'es',
              type: 'quantitative',
              title: `ES (${currency})`,
              scale: { scheme: 'viridis', reverse: true },
              legend: { format: ',.0f', orient: 'right' },
            },
          },
        },
        {
          mark: { type: 'text', fontSize: 9 },
          encoding: {
            text: { field: 'es', type: 'quantitative', format: ',.0f' },
            color: { condition: { test: 'datum.share > 0.5', value: 'white' }, value: 'black' },
          },
          transform: [
            { joinaggregate: [{ op: 'max', field: 'es', as: 'top' }] },
            { calculate: 'datum.top > 0 ? datum.es / datum.top : 0', as: 'share' },
          ],
        },
      ],
    } as TopLevelSpec,
  };
}
