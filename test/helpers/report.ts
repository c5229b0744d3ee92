import type { Report } from '../../src/index.js';

/**
 * A report's results: everything but the run's own record (`run`: id, times, settings), which
 * differs from run to run by design. Determinism tests compare these.
 */
export function results(report: Report): Omit<Report, 'run'> {
  const { run: _run, ...rest } = report;
  return rest;
}
