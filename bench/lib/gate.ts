// The regression gate's rule, shared by check.ts and spread.ts.
import type { BenchResult, Figure, SCHEMA } from './suite.js';

/**
 * Ratio current / baseline beyond which a figure fails, by mode and kind. Chosen from the
 * measured run-to-run spread; see docs/performance.md ("Regression gate").
 */
export type Thresholds = Record<Figure['kind'], number>;
export const FULL_THRESHOLDS: Thresholds = { kernel: 1.5, e2e: 2, rss: 1.3, overhead: 1.1 };
export const QUICK_THRESHOLDS: Thresholds = { kernel: 3, e2e: 3, rss: 1.5, overhead: 1.3 };

export interface Baseline {
  schema: typeof SCHEMA;
  note: string;
  createdFrom: { mode: string; date: string; machine: BenchResult['machine'] };
  figures: Record<string, Figure>;
}

export interface Comparison {
  key: string;
  baseline: number;
  current: number;
  ratio: number;
  threshold: number;
  regressed: boolean;
  kind: Figure['kind'];
}

export function compare(
  current: Record<string, Figure>,
  baseline: Record<string, Figure>,
  thresholds: Thresholds,
): { rows: Comparison[]; onlyBaseline: string[]; onlyCurrent: string[] } {
  const rows: Comparison[] = [];
  for (const [key, cur] of Object.entries(current)) {
    const base = baseline[key];
    if (!base || !cur.gate) continue;
    const ratio = cur.value / base.value;
    const threshold = thresholds[cur.kind];
    rows.push({
      key,
      baseline: base.value,
      current: cur.value,
      ratio,
      threshold,
      regressed: !(ratio <= threshold),
      kind: cur.kind,
    });
  }
  const gated = (f: Record<string, Figure>) => Object.keys(f).filter((k) => f[k].gate);
  return {
    rows,
    onlyBaseline: gated(baseline).filter((k) => !(k in current)),
    onlyCurrent: gated(current).filter((k) => !(k in baseline)),
  };
}
