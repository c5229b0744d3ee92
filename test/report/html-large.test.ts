// report.html of the L workload (5,000 accounts in 500 portfolios): under 3 MB, open in Chromium
// within 2 s, every portfolio in its table (paged), and re-rendered by `xmargin report` from the
// report.json alone, to the same bytes. The Monte Carlo sets are cut to 1,000 scenarios: the
// page's size and weight depend on the book, not on the scenario count, and the full count
// would cost a minute of CI for nothing.
import { mkdtempSync, readFileSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Report } from '../../src/report/report.js';
import { synthesize, writeSynthFiles } from '../../src/synth/index.js';
import { launchBrowser, openReport, parseFigure, watchedPage } from '../helpers/browser.js';
import { xmarginInProcess } from '../helpers/cli.js';

/** The budget for a large book's page. */
const MAX_BYTES = 3 * 2 ** 20;
const MAX_OPEN_MS = 2_000;

let browser: Browser;
let dir: string;
let report: Report;

beforeAll(async () => {
  const work = mkdtempSync(join(tmpdir(), 'xmargin-html-l-'));
  const files = writeSynthFiles(join(work, 'in'), synthesize('L', 1, { mcCount: 1_000 }));
  dir = join(work, 'out');
  const [launched, run] = await Promise.all([
    launchBrowser(),
    xmarginInProcess([
      'run',
      '--market',
      files.market,
      '--book',
      files.book,
      '--suite',
      files.suite,
      '--out',
      dir,
      '--no-progress',
    ]),
  ]);
  browser = launched;
  expect(run.code, run.stderr).toBe(0);
  report = JSON.parse(readFileSync(join(dir, 'report.json'), 'utf8')) as Report;
}, 180_000);

afterAll(async () => {
  await browser?.close();
});

describe('report.html of the L workload', () => {
  it('is the L book: 5,000 accounts in 500 portfolios', () => {
    expect(report.portfolios).toHaveLength(500);
    expect(report.portfolios.reduce((n, p) => n + p.accounts.length, 0)).toBe(5_000);
  });

  it('stays under 3 MB and opens in Chromium within 2 s, with no error and no request', async () => {
    const bytes = statSync(join(dir, 'report.html')).size;
    expect(bytes).toBeLessThan(MAX_BYTES);
    const { page, watch } = await watchedPage(browser);
    // The first opening in a new page: the start of a renderer for it included.
    const ms = await openReport(page, join(dir, 'report.html'));
    console.log(`L report.html: ${(bytes / 2 ** 20).toFixed(2)} MiB, opened in ${ms.toFixed(0)} ms`);
    expect(ms).toBeLessThan(MAX_OPEN_MS);
    expect(watch.errors).toEqual([]);
    expect(watch.requests).toEqual([]);

    // Every portfolio is in the table, 50 to a page, with report.json's IM and call.
    const rows = await page.$$eval('#portfolio-table tbody tr', (rs) =>
      rs.map((r) => {
        const c = Array.from(r.querySelectorAll('td')).map((x) => x.textContent ?? '');
        return { id: c[0], im: c[3], call: c[9], shown: getComputedStyle(r).display !== 'none' };
      }),
    );
    expect(rows).toHaveLength(500);
    expect(rows.filter((r) => r.shown)).toHaveLength(50);
    const byId = new Map(report.portfolios.map((p) => [p.id, p]));
    for (const r of rows) {
      const p = byId.get(r.id)!;
      expect(parseFigure(r.im), r.id).toBe(Math.round(p.cross.initialMargin * 100) / 100);
      expect(parseFigure(r.call), r.id).toBe(Math.round(p.marginCall * 100) / 100);
    }
    // The next page shows the next 50.
    await page.click('#portfolio-table + nav.pager button[data-step="1"]');
    const second = await page.$$eval('#portfolio-table tbody tr', (rs) =>
      rs.map((r, i) => (getComputedStyle(r).display !== 'none' ? i : -1)).filter((i) => i >= 0),
    );
    expect(second).toEqual(Array.from({ length: 50 }, (_, i) => 50 + i));

    // A drill-down beyond the charted ones still has its tables, from the page's data.
    const last = report.portfolios.length - 1;
    await page.evaluate((i) => {
      const d = document.getElementById(`p-${i}`) as HTMLDetailsElement;
      d.open = true;
    }, last);
    const accounts = await page.$$eval(`#p-${last} .dd-part[data-part="accounts"] tbody tr`, (rs) =>
      rs.map((r) => (r as HTMLTableRowElement).cells[2].textContent ?? ''),
    );
    expect(accounts.map(parseFigure)).toEqual(
      report.portfolios[last].segregated.accounts.map((a) => Math.round(a.initialMargin * 100) / 100),
    );
    await page.close();
  });

  it('xmargin report --from renders the same page again from report.json alone', async () => {
    const out = mkdtempSync(join(tmpdir(), 'xmargin-html-again-'));
    const r = await xmarginInProcess(['report', '--from', dir, '--out', out]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toBe(`wrote ${join(out, 'report.html')}\n`);
    expect(readFileSync(join(out, 'report.html'), 'utf8')).toBe(readFileSync(join(dir, 'report.html'), 'utf8'));
  });
});
