// report.html of the bundled example, opened in a real headless Chromium: self-contained (no
// request, no console error), its figures those of report.json, its table sortable and
// filterable, its drill-downs drawn from the page's own data, and a first screen that is not blank.
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Report } from '../../src/report/report.js';
import { launchBrowser, openReport, parseFigure, watchedPage, type PageWatch } from '../helpers/browser.js';
import { xmarginInProcess } from '../helpers/cli.js';

let browser: Browser;
let page: Page;
let watch: PageWatch;
let dir: string;
let report: Report;
const html = () => join(dir, 'report.html');

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'xmargin-html-'));
  const [launched, run] = await Promise.all([launchBrowser(), xmarginInProcess(['run', '--out', dir, '--no-progress'])]);
  browser = launched;
  expect(run.code, run.stderr).toBe(0);
  expect(run.stdout).toContain(`${join(dir, 'report.html')}\n`);
  report = JSON.parse(readFileSync(join(dir, 'report.json'), 'utf8')) as Report;
  ({ page, watch } = await watchedPage(browser));
  await openReport(page, html());
}, 120_000);

afterAll(async () => {
  await browser?.close();
});

/** The portfolio table's rows as the page shows them, every page of it. */
async function tableRows(p: Page) {
  return p.$$eval('#portfolio-table tbody tr', (rows) =>
    rows.map((r) => {
      const cells = Array.from(r.querySelectorAll('td')).map((c) => c.textContent ?? '');
      return { id: cells[0], im: cells[3], health: cells[8], call: cells[9], hidden: getComputedStyle(r).display === 'none' };
    }),
  );
}

const cents = (v: number) => Math.round(v * 100) / 100;

describe("the bundled example's report.html in Chromium", () => {
  it('opens with no console error, no script error and no request (not even a file beside it)', async () => {
    expect(watch.errors).toEqual([]);
    expect(watch.requests).toEqual([]);
    const resources = await page.evaluate(() => performance.getEntriesByType('resource').length);
    expect(resources).toBe(0);
    // Nothing in the file even names a remote or relative resource.
    const text = readFileSync(html(), 'utf8');
    expect(text).not.toMatch(/\b(?:src|href)="(?!#)/);
    expect(text).not.toMatch(/@import|url\((?!#)/);
  });

  it('shows the run: as-of date, currency, horizon, confidence, seed, sets and engine', async () => {
    const meta = await page.$$eval('[data-meta]', (els) =>
      Object.fromEntries(els.map((e) => [e.getAttribute('data-meta'), e.textContent])),
    );
    expect(meta['as of']).toBe(report.asOf);
    expect(meta.currency).toBe(report.currency);
    expect(meta.horizon).toBe(`${report.horizonDays} day`);
    expect(meta.confidence).toBe('99%');
    expect(meta.seed).toBe(String(report.seed));
    expect(meta.engine).toBe(`xmargin ${report.engine.version}`);
    const sets = await page.$$eval('table.sets tbody tr', (rows) =>
      rows.map((r) => Array.from(r.cells).map((c) => c.textContent)),
    );
    expect(sets.map((s) => s[0])).toEqual(report.sets.map((s) => s.name));
    expect(sets.map((s) => parseFigure(s[2]!))).toEqual(report.sets.map((s) => s.scenarios));
    expect(sets.map((s) => parseFigure(s[3]!))).toEqual(report.sets.map((s) => s.skipped));
  });

  it('headline figures are the totals of report.json', async () => {
    const figure = (key: string) => page.$eval(`[data-figure="${key}"] .value`, (e) => e.textContent ?? '');
    const t = report.totals;
    expect(parseFigure(await figure('crossInitialMargin'))).toBe(Math.round(t.crossInitialMargin));
    expect(parseFigure(await figure('segregatedInitialMargin'))).toBe(Math.round(t.segregatedInitialMargin));
    expect(parseFigure(await figure('collateral'))).toBe(Math.round(t.collateral));
    expect(parseFigure(await figure('marginCall'))).toBe(Math.round(t.marginCall));
    expect(parseFigure(await figure('capitalEfficiency'))).toBe(Number((t.capitalEfficiency! * 100).toFixed(1)));
    expect(parseFigure(await page.$eval('[data-figure="portfoliosWithCall"]', (e) => e.textContent ?? ''))).toBe(
      t.portfoliosWithCall,
    );
    // The example has a call: its figure is flagged, in words as well as colour.
    expect(t.portfoliosWithCall).toBeGreaterThan(0);
    expect(await page.$eval('[data-figure="marginCall"]', (e) => e.className)).toContain('call');
  });

  it("every portfolio's cross IM, health and margin call on the page are report.json's", async () => {
    const rows = await tableRows(page);
    expect(rows.map((r) => r.id).sort()).toEqual(report.portfolios.map((p) => p.id).sort());
    for (const p of report.portfolios) {
      const row = rows.find((r) => r.id === p.id)!;
      expect(parseFigure(row.im), p.id).toBe(cents(p.cross.initialMargin));
      expect(parseFigure(row.call), p.id).toBe(cents(p.marginCall));
      expect(parseFigure(row.health), p.id).toBe(p.health === null ? null : cents(p.health));
      // Health in words too, not by colour alone.
      expect(row.health, p.id).toContain(p.marginCall > 0 ? '▼ call' : p.health! < 1.2 ? '! watch' : '✓ ok');
    }
    // Calls first, the largest first: the example's one call heads the table.
    const called = report.portfolios.filter((p) => p.marginCall > 0).sort((a, b) => b.marginCall - a.marginCall);
    expect(rows.slice(0, called.length).map((r) => r.id)).toEqual(called.map((p) => p.id));
  });

  it('sorts by a column, both ways, and filters by id and by calls', async () => {
    const sortBy = async (label: string) => page.click(`#portfolio-table th button:text-is("${label}")`);
    await sortBy('cross IM');
    let ims = (await tableRows(page)).map((r) => parseFigure(r.im)!);
    expect(ims).toEqual([...ims].sort((a, b) => b - a));
    expect(ims).toEqual(report.portfolios.map((p) => cents(p.cross.initialMargin)).sort((a, b) => b - a));
    await sortBy('cross IM');
    ims = (await tableRows(page)).map((r) => parseFigure(r.im)!);
    expect(ims).toEqual([...ims].sort((a, b) => a - b));
    await sortBy('portfolio');
    const ids = (await tableRows(page)).map((r) => r.id);
    expect(ids).toEqual([...ids].sort((a, b) => a.localeCompare(b)));
    await sortBy('health');
    const healths = (await tableRows(page)).map((r) => parseFigure(r.health)!);
    expect(healths).toEqual([...healths].sort((a, b) => b - a));

    await page.fill('[data-filter="portfolio-table"]', 'fund');
    let shown = (await tableRows(page)).filter((r) => !r.hidden).map((r) => r.id);
    expect(shown).toEqual(report.portfolios.filter((p) => p.id.includes('fund')).map((p) => p.id));
    await page.fill('[data-filter="portfolio-table"]', '');
    await page.check('[data-calls="portfolio-table"]');
    shown = (await tableRows(page)).filter((r) => !r.hidden).map((r) => r.id);
    expect(shown.sort()).toEqual(
      report.portfolios
        .filter((p) => p.marginCall > 0)
        .map((p) => p.id)
        .sort(),
    );
    await page.uncheck('[data-calls="portfolio-table"]');
    expect((await tableRows(page)).filter((r) => !r.hidden)).toHaveLength(report.portfolios.length);
  });

  it("a portfolio's link opens its drill-down: accounts, attribution and exposure as in report.json", async () => {
    const p = report.portfolios.find((x) => x.id === 'alpha-fund')!;
    const i = report.portfolios.indexOf(p);
    await page.click(`#portfolio-table a[data-open="p-${i}"]`);
    const dd = page.locator(`#p-${i}`);
    expect(await dd.evaluate((d) => (d as HTMLDetailsElement).open)).toBe(true);
    const part = async (key: string) =>
      dd
        .locator(`.dd-part[data-part="${key}"] tbody tr`)
        .evaluateAll((rows) => rows.map((r) => Array.from((r as HTMLTableRowElement).cells).map((c) => c.textContent ?? '')));
    const accounts = await part('accounts');
    expect(accounts.map((r) => r[0])).toEqual(p.segregated.accounts.map((a) => a.id));
    for (const [k, a] of p.segregated.accounts.entries()) {
      expect(parseFigure(accounts[k][1])).toBe(cents(a.collateral));
      expect(parseFigure(accounts[k][2])).toBe(cents(a.initialMargin));
      expect(parseFigure(accounts[k][5])).toBe(cents(a.marginCall));
    }
    const byAccount = await part('attribution-accounts');
    expect(byAccount.map((r) => [r[0], parseFigure(r[1]), parseFigure(r[3])])).toEqual(
      p.cross.attribution!.byAccount!.map((a) => [a.id, cents(a.contribution), cents(a.diversification)]),
    );
    const top = await part('attribution-positions');
    expect(top.map((r) => [r[0], r[1], parseFigure(r[2])])).toEqual(
      p.cross.attribution!.topPositions.map((t) => [t.account, t.instrument, cents(t.contribution)]),
    );
    const exposure = await part('exposure');
    const held = p.exposure.byUnderlying.filter((u) => u.grossNotional !== 0 || u.delta !== 0);
    expect(exposure.map((r) => [r[0], parseFigure(r[1]), parseFigure(r[5])])).toEqual(
      held.map((u) => [u.id, Math.round(u.delta), Math.round(u.grossNotional)]),
    );
    const components = await part('components');
    expect(parseFigure(components[0][0])).toBe(cents(p.cross.components!.core));
    const tails = await part('tails');
    expect(tails.map((r) => [r[0], parseFigure(r[2])])).toEqual(report.sets.map((s) => [s.name, cents(p.cross.sets[s.name].es)]));
    // Its charts are there, drawn as SVG with labelled axes.
    const charts = await dd.locator('figure.dd-chart svg').count();
    expect(charts).toBeGreaterThanOrEqual(4);
    expect(await dd.locator('figure.dd-chart svg text', { hasText: 'contribution to ES (USD)' }).count()).toBeGreaterThan(0);
    expect(watch.errors).toEqual([]);
  });

  it('has every section the report carries, in order, and the stress and cascade figures', async () => {
    const sections = await page.$$eval('body > header, body > section', (els) => els.map((e) => e.id));
    expect(sections).toEqual([
      'header',
      'totals',
      'portfolios',
      'cross-vs-segregated',
      'binding-sets',
      'drill-downs',
      'tails',
      'stress',
      'cascade',
    ]);
    // No breaches section: the example's suite sets no limits.
    expect(report.breaches).toBeUndefined();
    const stress = await page.$$eval('#stress tbody tr', (rows) =>
      rows.map((r) => Array.from(r.cells).map((c) => c.textContent ?? '')),
    );
    expect(stress.map((r) => [r[0], parseFigure(r[1]), parseFigure(r[4])])).toEqual(
      report.sets.map((s) => [s.name, cents(s.stress!.cover1.value), cents(s.stress!.cover2.value)]),
    );
    const cascade = await page.$$eval('#cascade tbody tr', (rows) =>
      rows.map((r) => Array.from(r.cells).map((c) => c.textContent ?? '')),
    );
    const withCascade = report.sets.filter((s) => s.cascade);
    expect(cascade.map((r) => [r[0], parseFigure(r[6])])).toEqual(
      withCascade.map((s) => [s.name, cents(s.cascade!.worst!.shortfall)]),
    );
    // Charts carry their unit on the axis, with thousands separators.
    const axis = await page.$$eval('#cross-vs-segregated svg text', (t) => t.map((x) => x.textContent));
    expect(axis).toContain('initial margin (USD)');
    expect(axis.some((x) => /^\d{1,3}(,\d{3})+$/.test(x ?? ''))).toBe(true);
  });

  it('the first screen is drawn, not blank', async () => {
    const shot = await page.screenshot({ type: 'png' });
    // The browser decodes its own screenshot: the share of non-white pixels and the colours seen.
    const { ink, colours } = await page.evaluate(async (b64) => {
      const img = new Image();
      img.src = `data:image/png;base64,${b64}`;
      await img.decode();
      const canvas = document.createElement('canvas');
      canvas.width = img.width;
      canvas.height = img.height;
      const ctx = canvas.getContext('2d')!;
      ctx.drawImage(img, 0, 0);
      const d = ctx.getImageData(0, 0, img.width, img.height).data;
      let dark = 0;
      const seen = new Set<number>();
      for (let i = 0; i < d.length; i += 4) {
        if (d[i] + d[i + 1] + d[i + 2] < 600) dark++;
        seen.add((d[i] >> 4) * 256 + (d[i + 1] >> 4) * 16 + (d[i + 2] >> 4));
      }
      return { ink: dark / (d.length / 4), colours: seen.size };
    }, shot.toString('base64'));
    expect(ink).toBeGreaterThan(0.02);
    expect(colours).toBeGreaterThan(20);
  });

  it('prints: the controls are hidden on paper, and Chromium makes a PDF of it', async () => {
    await page.emulateMedia({ media: 'print' });
    expect(await page.locator('.controls').first().isVisible()).toBe(false);
    await page.emulateMedia({ media: 'screen' });
    expect(await page.locator('.controls').first().isVisible()).toBe(true);
    const pdf = await page.pdf({ format: 'A4' });
    expect(pdf.subarray(0, 5).toString()).toBe('%PDF-');
    expect(pdf.length).toBeGreaterThan(50_000);
  });
});
