// The page's stylesheet, inline: system fonts only (no font file to fetch), and a print
// stylesheet that drops the controls and keeps tables and charts whole on paper.
import { BLUE, GREEN, ORANGE, VERMILLION } from './charts.js';

export const STYLE = `
:root { --ink: #1a1a1a; --muted: #5c5c5c; --rule: #d9d9d9; --call: ${VERMILLION}; --watch: ${ORANGE}; --ok: ${GREEN}; --accent: ${BLUE}; }
* { box-sizing: border-box; }
body { font: 14px/1.45 system-ui, -apple-system, "Segoe UI", Roboto, "Helvetica Neue", Arial, sans-serif; color: var(--ink);
  margin: 0 auto; padding: 16px 24px 48px; max-width: 1280px; }
h1 { font-size: 22px; margin: 0 0 8px; } h1 .asof { color: var(--muted); font-weight: normal; }
h2 { font-size: 18px; margin: 28px 0 8px; border-bottom: 2px solid var(--rule); padding-bottom: 4px; }
h3 { font-size: 15px; margin: 18px 0 6px; } h4 { font-size: 14px; margin: 14px 0 4px; }
p { margin: 4px 0 8px; max-width: 960px; } .note { color: var(--muted); }
code { font-size: 12px; background: #f3f3f3; padding: 1px 4px; }
dl.meta { display: flex; flex-wrap: wrap; gap: 4px 20px; margin: 0 0 12px; }
dl.meta div { display: flex; gap: 6px; } dl.meta dt { color: var(--muted); } dl.meta dd { margin: 0; font-weight: 600; }
table { border-collapse: collapse; margin: 4px 0 8px; font-variant-numeric: tabular-nums; }
caption { text-align: left; font-weight: 600; padding: 4px 0; }
th, td { padding: 3px 8px; border-bottom: 1px solid var(--rule); text-align: left; vertical-align: top; white-space: nowrap; }
th { background: #f5f5f5; font-weight: 600; }
.num { text-align: right; }
th button { font: inherit; font-weight: 600; background: none; border: 0; padding: 0; cursor: pointer; color: inherit; }
th[aria-sort="ascending"] button::after { content: " ▲"; } th[aria-sort="descending"] button::after { content: " ▼"; }
tr.call td { background: #fbe9e0; } tr.call td.call strong { color: #8a3300; }
.badge small { font-size: 11px; font-weight: 600; }
.badge.call { color: #8a3300; } .badge.watch { color: #7a5200; } .badge.ok { color: #00573f; } .badge.none { color: var(--muted); }
.badge.call::before, .badge.watch::before, .badge.ok::before { content: ""; display: inline-block; width: 9px; height: 9px; margin-right: 4px; border-radius: 2px; }
.badge.call::before { background: var(--call); } .badge.watch::before { background: var(--watch); } .badge.ok::before { background: var(--ok); }
.figures { display: grid; grid-template-columns: repeat(auto-fit, minmax(200px, 1fr)); gap: 12px; }
.figure { border: 1px solid var(--rule); border-left: 4px solid var(--accent); padding: 8px 12px; }
.figure.call { border-left-color: var(--call); background: #fdf3ee; }
.figure .label { color: var(--muted); } .figure .value { font-size: 24px; font-weight: 650; font-variant-numeric: tabular-nums; }
.figure .unit { color: var(--muted); } .figure .note { font-size: 12px; }
.alert { border: 2px solid var(--call); padding: 4px 14px 8px; margin-top: 16px; } .alert h2 { border: 0; margin-top: 8px; }
.count { font-size: 14px; background: var(--call); color: white; padding: 1px 8px; border-radius: 10px; vertical-align: middle; }
.controls { display: flex; gap: 16px; align-items: center; margin: 6px 0; flex-wrap: wrap; }
input[type="search"] { font: inherit; padding: 2px 6px; }
.pager { margin: 4px 0 12px; display: flex; gap: 8px; align-items: center; }
.pager[hidden] { display: none; }
.filtered-out, .paged-out { display: none !important; }
.paged { overflow-x: auto; } .scroll { overflow-x: auto; }
figure.chart { margin: 8px 0; overflow-x: auto; } figure.chart svg text { font-family: system-ui, -apple-system, "Segoe UI", Roboto, Arial, sans-serif; } figure.chart svg { max-width: 100%; height: auto; }
details.drill { border: 1px solid var(--rule); border-left: 4px solid var(--ok); margin: 6px 0; padding: 4px 10px; }
details.drill.call { border-left-color: var(--call); } details.drill.watch { border-left-color: var(--watch); } details.drill.none { border-left-color: var(--rule); }
details.drill summary { cursor: pointer; } details.drill .pid { font-weight: 650; } details.drill .sum { color: var(--muted); }
.dd-body { display: flex; flex-direction: column; } .dd-part { margin: 4px 0; }
.dd-row { display: flex; flex-wrap: wrap; gap: 8px 24px; align-items: flex-start; } .dd-row figure.chart { margin: 0; }
ol.rounds { margin: 4px 0 8px; }
/* Below the first screen, a browser lays a section out when it comes near: a large book's page opens at once. */
#drill-downs, #tails, #stress, #cascade, #binding-sets { content-visibility: auto; contain-intrinsic-size: auto 900px; }
@media print {
  @page { margin: 14mm; }
  body { max-width: none; padding: 0; font-size: 11px; }
  .controls, .pager, th button::after { display: none !important; }
  .paged-out { display: revert !important; }
  details.drill.paged-out { display: none !important; }
  section, figure.chart, table, .figure, details.drill { break-inside: avoid; }
  .dd-part, tr { break-inside: avoid; }
  #drill-downs, #tails, #stress, #cascade, #binding-sets { content-visibility: visible; }
  h2, h3, h4 { break-after: avoid; }
  tr.call td, .figure.call { -webkit-print-color-adjust: exact; print-color-adjust: exact; }
  figure.chart svg { max-width: 100%; }
  a { color: inherit; text-decoration: none; }
}
`;
