// How figures read on the HTML report. Tables show amounts in full, to the cent, so that a figure
// can be found again in report.json; headline figures and chart labels are whole. One locale
// (en-US grouping: 1,234,567.89) whatever the viewer's, so a printed report reads the same
// everywhere; the currency is named beside the figures, not as a symbol.

const cents = new Intl.NumberFormat('en-US', { minimumFractionDigits: 2, maximumFractionDigits: 2 });
const whole = new Intl.NumberFormat('en-US', { maximumFractionDigits: 0 });
const count = new Intl.NumberFormat('en-US', { maximumFractionDigits: 0 });

/** An amount to the cent, with thousands separators: 1,234,567.89 (never "-0.00"). */
export function amount(v: number): string {
  const s = cents.format(v);
  return s === '-0.00' ? '0.00' : s;
}

/** An amount rounded to whole currency units: 1,234,568. */
export function wholeAmount(v: number): string {
  const s = whole.format(v);
  return s === '-0' ? '0' : s;
}

/** A count with thousands separators: 100,000. */
export function integer(v: number): string {
  return count.format(v);
}

/** A fraction as a percentage with one decimal: 0.4149 is 41.5%; null is a dash. */
export function percent(v: number | null | undefined, digits = 1): string {
  return v === null || v === undefined ? '–' : `${(v * 100).toFixed(digits)}%`;
}

/** A signed fraction as a percentage: -0.117 is −11.7%, 0.25 is +25.0%. */
export function signedPercent(v: number | null | undefined, digits = 1): string {
  if (v === null || v === undefined) return '–';
  const s = (v * 100).toFixed(digits);
  return v > 0 ? `+${s}%` : s.startsWith('-') && Number(s) !== 0 ? `−${s.slice(1)}%` : `${s.replace(/^-/, '')}%`;
}

/** A ratio such as health or leverage, two decimals; null is a dash. */
export function ratio(v: number | null | undefined): string {
  return v === null || v === undefined ? '–' : cents.format(v);
}

const ESCAPES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };

/** Text made safe for HTML content and attribute values: ids come from users' books. */
export function escapeHtml(s: string): string {
  return s.replace(/[&<>"']/g, (c) => ESCAPES[c]);
}

/** A distance to liquidation: a signed percentage; 0 (equity already below maintenance) says so. */
export function distance(v: number | null): string {
  return v === 0 ? 'below MM' : signedPercent(v);
}
