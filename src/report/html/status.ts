// How urgent a portfolio or account is, for colour and for the words and marks that say the same
// to a reader who cannot tell the colours apart (or prints in grey).
import type { PortfolioReport } from '../report.js';

/**
 * Below this health (collateral / maintenance margin) a unit without a call is flagged to watch:
 * a 20% fall of its collateral's cover would bring a call.
 */
export const WATCH_HEALTH = 1.2;

export type HealthStatus = 'call' | 'watch' | 'ok' | 'none';

/** `call` when a margin call applies, `watch` below WATCH_HEALTH, `ok` above, `none` with no maintenance margin. */
export function healthStatus(health: number | null, marginCall: number): HealthStatus {
  if (marginCall > 0) return 'call';
  if (health === null) return 'none';
  return health < WATCH_HEALTH ? 'watch' : 'ok';
}

/** The mark and word shown beside a health figure. */
export const STATUS_LABEL: Record<HealthStatus, string> = {
  call: '▼ call',
  watch: '! watch',
  ok: '✓ ok',
  none: '– no margin',
};

/**
 * The order a risk manager reads portfolios in, as the terminal summary does: margin calls
 * first, the largest call first, then the largest cross IM; the report's order on ties.
 */
export function byUrgency(portfolios: readonly PortfolioReport[]): number[] {
  return portfolios
    .map((_, i) => i)
    .sort((a, b) => {
      const pa = portfolios[a];
      const pb = portfolios[b];
      return pb.marginCall - pa.marginCall || pb.cross.initialMargin - pa.cross.initialMargin || a - b;
    });
}
