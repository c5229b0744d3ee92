// The library API under the CLI: `import { run } from 'xmargin'`.
export { run, prepare, bundledExample } from './run.js';
export type { RunInput, InputSource, ProgressEvent } from './run.js';
export type { PassEvent } from './engine/run-sets.js';
export type { PilotSpec } from './engine/pilot.js';
export type { Report, PortfolioReport, AccountReport, SetReport } from './report/report.js';
export type { MarginResult } from './margin/margin.js';
export type { Market, Book, Suite, ScenarioSet, Instrument, Account, Portfolio } from './model/types.js';
export { ArgumentError, InputError, RunError, UsageError } from './errors.js';
export type { ArgumentParameter } from './errors.js';
export { writeReport, reportJson } from './report/write.js';
export { nearestCorrelation } from './scenarios/nearcorr.js';
