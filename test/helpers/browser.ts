// A real browser for the HTML report's tests: Debian's chromium, driven by playwright-core (which
// downloads no browser of its own). .ci/run installs the package when it is missing; a machine
// without it fails these tests, with a message that says how to get it, rather than skip them.
import { existsSync } from 'node:fs';
import { chromium, type Browser, type Page } from 'playwright-core';

export const CHROMIUM = process.env.XMARGIN_CHROMIUM ?? '/usr/bin/chromium';

/**
 * One headless Chromium. Without these flags it reaches for the network at start (component
 * updates, sync, first-run pages), and as root it needs --no-sandbox.
 */
export async function launchBrowser(): Promise<Browser> {
  if (!existsSync(CHROMIUM))
    throw new Error(`no browser at ${CHROMIUM}: apt-get install -y chromium (or set XMARGIN_CHROMIUM), as .ci/run does`);
  return chromium.launch({
    executablePath: CHROMIUM,
    args: [
      '--no-sandbox',
      '--disable-gpu',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
      '--no-first-run',
    ],
  });
}

/** What a page did that a self-contained report must not: errors on its console or in its script, and requests. */
export interface PageWatch {
  errors: string[];
  requests: string[];
}

/**
 * A new page that records console errors, uncaught exceptions and every request other than the
 * file it was opened from.
 */
export async function watchedPage(
  browser: Browser,
  viewport = { width: 1280, height: 900 },
): Promise<{ page: Page; watch: PageWatch }> {
  const page = await browser.newPage({ viewport });
  const watch: PageWatch = { errors: [], requests: [] };
  page.on('console', (m) => {
    if (m.type() === 'error') watch.errors.push(m.text());
  });
  page.on('pageerror', (e) => watch.errors.push(String(e)));
  page.on('request', (r) => {
    // Opening the report itself is the one request expected.
    if (!(r.isNavigationRequest() && r.frame() === page.mainFrame())) watch.requests.push(r.url());
  });
  return { page, watch };
}

/** Opens a report.html and waits for its script to have run; the milliseconds it took. */
export async function openReport(page: Page, file: string): Promise<number> {
  const start = performance.now();
  await page.goto(`file://${file}`, { waitUntil: 'load' });
  await page.waitForSelector('html[data-ready]', { state: 'attached' });
  return performance.now() - start;
}

/** A figure as the page prints it ("1,234,567.89", "−11.7%", "0.65 ▼ call") as a number; null for a dash. */
export function parseFigure(text: string): number | null {
  const m = /[−-]?[\d,]+(?:\.\d+)?/.exec(text.replace(/\u2212/g, '-'));
  if (!m) return null;
  return Number(m[0].replace(/,/g, '').replace('−', '-'));
}
