// The library API under the CLI: `import { run } from 'xmargin'`.
export { run, prepare, reportOf, bundledExample } from './run.js';
export type { RunInput, InputSource, ProgressEvent } from './run.js';
export { createEngine } from './engine/engine.js';
export type { Engine, EngineConfig, EngineRunOptions, RunControl, PassEvent, PassStage } from './engine/engine.js';
export { createThreadExecutor } from './engine/thread-executor.js';
export type { TaskExecutor } from './engine/executor.js';
export type { RangeTask, TaskOutcome, PlanRef } from './engine/task.js';
export type { ExactTails } from './engine/exact-tails.js';
export type { RunPlan } from './engine/plan.js';
export type { ScenarioEvaluator, EvaluatedScenarios } from './engine/evaluator.js';
export type { PilotSpec } from './engine/pilot.js';
export { tailMeasures, seriesMeasures, type TailMeasures } from './risk/measures.js';
export type { Report, PortfolioReport, AccountReport, SetReport } from './report/report.js';
export type { MarginResult } from './margin/margin.js';
export type { Market, Book, Suite, ScenarioSet, Instrument, Account, Portfolio } from './model/types.js';
export { InputError, RunError, UsageError, type RunFailureCode, type TaskFailure } from './errors.js';
export { writeReport, reportJson } from './report/write.js';
export { nearestCorrelation } from './scenarios/nearcorr.js';
