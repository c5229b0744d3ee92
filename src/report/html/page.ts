// report.html: the report as one self-contained page, for the risk manager who wants to look
// rather than read JSON. Built from the typed report alone (report → HTML, never back), with its
// styles, script and charts inline, so it opens from file:// and asks no network for anything.
import type { Report } from '../report.js';
import { CLIENT_SCRIPT } from './client.js';
import { drillDownSection } from './drill-down.js';
import { escapeHtml } from './format.js';
import { marginChartsSections } from './margin-charts.js';
import { breachesSection, headerSection, totalsSection } from './overview.js';
import { portfolioTableSection } from './portfolio-table.js';
import { cascadeSection, stressSection, tailsSection } from './sets.js';
import { byUrgency } from './status.js';
import { STYLE } from './style.js';

/** The report as an HTML document. */
export async function reportHtml(report: Report): Promise<string> {
  const order = byUrgency(report.portfolios);
  const sections = [
    headerSection(report),
    breachesSection(report),
    totalsSection(report),
    portfolioTableSection(report, order),
    await marginChartsSections(report),
    await drillDownSection(report, order),
    await tailsSection(report),
    await stressSection(report),
    await cascadeSection(report),
  ];
  // The CSP says what the file promises: nothing is loaded from anywhere, not even from beside it.
  return (
    `<!doctype html>\n<html lang="en"><head><meta charset="utf-8">` +
    `<meta name="viewport" content="width=device-width, initial-scale=1">` +
    `<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'; script-src 'unsafe-inline'; img-src data:">` +
    `<meta name="generator" content="${escapeHtml(`${report.engine.name} ${report.engine.version}`)}">` +
    `<title>xmargin report ${escapeHtml(report.asOf)} (${escapeHtml(report.currency)})</title>` +
    `<style>${STYLE}</style></head><body>\n${sections.filter(Boolean).join('\n')}\n` +
    `<script>${CLIENT_SCRIPT}</script></body></html>\n`
  );
}
