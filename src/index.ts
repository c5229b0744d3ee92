// The library API under the CLI: `import { run } from 'xmargin'`.
export { run, prepare, reportOf, reportOn, bundledExample } from './run.js';
export type { RunInput, InputSource, ProgressEvent, PreparedPlan, InputWarning, ReportOnOptions } from './run.js';
export { PLAUSIBLE_LIMITS } from './model/plausibility.js';
export { createEngine } from './engine/engine.js';
export type { Engine, EngineConfig, EngineRunOptions, RunControl, PassEvent, PassStage } from './engine/engine.js';
export { createThreadExecutor } from './engine/thread-executor.js';
export type { TaskExecutor } from './engine/executor.js';
export type { RangeTask, ComponentLossTask, ComponentTable, TaskOutcome, PlanRef } from './engine/task.js';
export type { TailUnit } from './engine/component-losses.js';
export type { TailScenarioSlice } from './engine/engine.js';
export type { ExactTails } from './engine/exact-tails.js';
export type { RunPlan } from './engine/plan.js';
export type { ScenarioEvaluator, EvaluatedScenarios } from './engine/evaluator.js';
export type { PilotSpec } from './engine/pilot.js';
export { tailMeasures, seriesMeasures, type TailMeasures } from './risk/measures.js';
export { checkLimits, limitsFor, type Breach, type LimitUnit, type LimitName } from './risk/limits.js';
export {
  attribution,
  componentsOf,
  contributions,
  seriesComponents,
  seriesContributions,
  type Attribution,
  type Component,
  type SeriesComponents,
  type SeriesContributions,
} from './risk/attribution.js';
export { BindingTails } from './risk/binding-tails.js';
export type { Exposure } from './risk/exposure.js';
export type { DistanceToLiquidation } from './risk/liquidation.js';
export type { Report, PortfolioReport, AccountReport, SetReport, SetStress, StressValue } from './report/report.js';
export type { RunInfo, RunInputHash, RunOptionsUsed } from './report/run-info.js';
export type { MarginResult } from './margin/margin.js';
export type { MarginComponents, BindingComponent } from './margin/addons.js';
export type { Market, Book, Suite, ScenarioSet, Instrument, Account, Portfolio, AddOns, Cascade } from './model/types.js';
// The documents as written (docs/inputs.md): fields with a default may be left out. Market, Book and Suite above are
// their resolved form, defaults applied, as prepare() and the engine see them.
export type {
  MarketDocInput as MarketDocument,
  BookDocInput as BookDocument,
  SuiteDocInput as SuiteDocument,
} from './model/schema.js';
export { ArgumentError, BreachError, InputError, RunError, UsageError, type RunFailureCode, type TaskFailure } from './errors.js';
export type { ArgumentParameter } from './errors.js';
export { writeReport, reportJson, type WriteReportOptions } from './report/write.js';
export { reportHtml } from './report/html/page.js';
export { readReport } from './report/read.js';
export { nearestCorrelation, type NearestCorrelation } from './scenarios/nearcorr.js';
export { calibrate, calibrateBreakdown } from './calibrate/library.js';
export type { CalibrateInput, BreakdownInput, BreakdownCalibration } from './calibrate/library.js';
export type { Calibration, CalibratedMarket, CalibrationRecord } from './calibrate/calibrate.js';
export type { FitResult, PeriodSummary } from './calibrate/fit.js';
export type { Method as CalibrationMethod } from './calibrate/estimators.js';
export type { Window as PriceWindow } from './calibrate/window.js';
export { sweep, sweepCsv } from './sweep/sweep.js';
export type { SweepInput, SweepResult, SweepPoint } from './sweep/sweep.js';
export { explain } from './explain/explain.js';
export { explainTail, explainTailOf, type TailExplanation, type ExplainTailInput } from './explain/tail.js';
export type { ExplainInput, ScenarioExplanation } from './explain/explain.js';
export { explainCascade, explainCascadeOf, type CascadeExplanation, type ExplainCascadeInput } from './explain/cascade.js';
export {
  buildCascadeTable,
  cascadeMerge,
  cascadeRange,
  cascadeReport,
  cascadeScenario,
  emptyCascadePartial,
  type CascadePartial,
  type CascadeReport,
  type CascadeTable,
  type ScenarioCascade,
} from './risk/cascade.js';
