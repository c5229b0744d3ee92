// The HTML view as a document, without a browser: what it shows for which report (a section the
// report has no figures for is left out, breaches come first), that ids from a book cannot inject
// markup, and that every chart specification draws without a warning from Vega-Lite.
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { beforeAll, describe, expect, it } from 'vitest';
import { reportHtml } from '../../src/report/html/page.js';
import { takeChartWarnings } from '../../src/report/html/charts.js';
import { readReport } from '../../src/report/read.js';
import type { Report } from '../../src/report/report.js';
import { fixture, xmarginInProcess } from '../helpers/cli.js';

/** report.json of the second contract example (limits, add-ons, cascade, a historical set), as run writes it. */
let example2: string;

beforeAll(async () => {
  const dir = mkdtempSync(join(tmpdir(), 'xmargin-html-render-'));
  const ex = (f: string) => fixture('contract-example-2', f);
  const r = await xmarginInProcess([
    'run',
    ...['--market', ex('market.json'), '--book', ex('book.json'), '--suite', ex('suite.json'), '--out', dir, '--no-html'],
  ]);
  expect(r.code, r.stderr).toBe(0);
  example2 = join(dir, 'report.json');
});

const sectionIds = (html: string) => [...html.matchAll(/<(?:section|header) id="([^"]+)"/g)].map((m) => m[1]);
/** The page's data block, inflated as its script does. */
const dataOf = (html: string) =>
  JSON.parse(
    gunzipSync(
      Buffer.from(/<script type="application\/octet-stream" id="xm-data"[^>]*>(.*?)<\/script>/s.exec(html)![1], 'base64'),
    ).toString('utf8'),
  );

describe('report.html as a document', () => {
  it("puts the second contract example's limit breaches at the top, each one listed", async () => {
    const report = readReport(example2);
    const html = await reportHtml(report);
    expect(sectionIds(html)).toEqual([
      'header',
      'breaches',
      'totals',
      'portfolios',
      'cross-vs-segregated',
      'binding-sets',
      'drill-downs',
      'tails',
      'stress',
      'cascade',
    ]);
    const breaches = /<section id="breaches".*?<\/section>/s.exec(html)![0];
    const rows = [...breaches.matchAll(/<tr data-key[^>]*>(.*?)<\/tr>/gs)].map((m) =>
      [...m[1].matchAll(/<td[^>]*>(.*?)<\/td>/g)].map((c) => c[1]),
    );
    expect(rows).toHaveLength(report.breaches!.length);
    expect(rows.map((r) => [r[0], r[1], r[2], r[3]])).toEqual(
      report.breaches!.map((b) => [b.level, b.id, b.limit, b.underlying ?? '']),
    );
    // maxDelta in currency to the cent, the ratios to two decimals.
    expect(rows[1][4]).toBe('152,564.50');
    expect(rows[0][4]).toBe('0.76');
    // The historical set's windows are in the header.
    expect(html).toContain('<td>history</td>');
    expect(html).toMatch(/<th>windows<\/th>/);
    expect(takeChartWarnings()).toEqual([]);
  });

  it('leaves out what the report does not carry: no stress, cascade, breaches, attribution or add-ons', async () => {
    const dir = (await import('node:fs')).mkdtempSync(`${(await import('node:os')).tmpdir()}/xmargin-html-bare-`);
    const ex = (f: string) => fixture('contract-example', f);
    const r = await xmarginInProcess([
      'run',
      ...['--market', ex('market.json'), '--book', ex('book.json'), '--suite', ex('suite.json')],
      ...['--out', dir, '--no-stress', '--no-attribution'],
    ]);
    expect(r.code, r.stderr).toBe(0);
    const html = readFileSync(`${dir}/report.html`, 'utf8');
    const report = JSON.parse(readFileSync(`${dir}/report.json`, 'utf8')) as Report;
    expect(report.sets.some((s) => s.stress || s.cascade)).toBe(false);
    expect(sectionIds(html)).toEqual([
      'header',
      'totals',
      'portfolios',
      'cross-vs-segregated',
      'binding-sets',
      'drill-downs',
      'tails',
    ]);
    const data = dataOf(html);
    expect(data.p).toHaveLength(report.portfolios.length);
    for (const p of data.p) {
      expect(p.attr).toBeUndefined();
      expect(p.comp).toBeUndefined();
    }
    // Its drill-down charts: no attribution or add-on chart where there is nothing to draw.
    const parts = Object.values(data.charts as Record<string, [string, string][]>).flatMap((c) => c.map((x) => x[0]));
    expect(new Set(parts)).toEqual(new Set(['exposure', 'distance']));
    expect(takeChartWarnings()).toEqual([]);
  });

  it('escapes ids and names from the book: markup in an id is shown, never run', async () => {
    const report = readReport(example2);
    const evil = '<img src=x onerror=alert(1)></script><!--';
    report.portfolios[0].id = evil;
    report.portfolios[0].segregated.accounts[0].id = evil;
    report.sets[0].name = evil;
    const html = await reportHtml(report);
    // As markup nowhere: the data block is base64, which has no "<" to end its element with.
    const block = /<script type="application\/octet-stream" id="xm-data"[^>]*>(.*?)<\/script>/s.exec(html)!;
    expect(block[1]).toMatch(/^[A-Za-z0-9+/=]+$/);
    expect(html).not.toContain('<img src=x');
    expect(html).toContain('&lt;img src=x onerror=alert(1)&gt;&lt;/script&gt;&lt;!--');
    // The page's script reads it back as text, and escapes it where it shows it.
    expect(dataOf(html).p[0].acc[0][0]).toBe(evil);
    expect(takeChartWarnings()).toEqual([]);
  });

  it('is the same page for the same report (no ids that depend on the process)', async () => {
    const report = readReport(example2);
    const [a, b] = [await reportHtml(report), await reportHtml(report)];
    expect(a).toBe(b);
  });
});
