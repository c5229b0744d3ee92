import { engineDefaults } from './engine/defaults.js';
import {
  createEngine,
  type Engine,
  type EngineConfig,
  type EngineRunOptions,
  type ProgressEvent,
  type RunControl,
} from './engine/engine.js';
import type { TaskExecutor } from './engine/executor.js';
import { createThreadExecutor } from './engine/thread-executor.js';
import type { ExactTails } from './engine/exact-tails.js';
import { buildPlan, type RunPlan } from './engine/plan.js';
import { chunkOf } from './engine/run-sets.js';
import { checkPriceFiles, loadBook, loadMarket, loadSuite, parseBook, parseMarket, parseSuite } from './model/load.js';
import { bookWarnings, marketWarnings, suiteWarnings, throwIfStrict, type InputWarning } from './model/plausibility.js';
import { ownData } from './model/read.js';
import { throwIfIssues } from './model/issues.js';
import { validateSuiteNeeds, validateLimitOverrides } from './model/validate.js';
import type { Book, Market, Suite } from './model/types.js';
import { fromRoot } from './paths.js';
import { assertFinite, attachAttribution, attachStress, buildReport, type Report } from './report/report.js';
import { inputHashes, runInfo, runStart } from './report/run-info.js';
import { seriesMeasures } from './risk/measures.js';
import { planExposureSteps, type PlanExposures } from './risk/exposure.js';
import { BindingTails } from './risk/binding-tails.js';
import { seriesComponentSteps, seriesContributions, type SeriesComponents } from './risk/attribution.js';
import { runStepsInTurns } from './util/turns.js';
import { buildCascadeTable, cascadeReport, type CascadePartial } from './risk/cascade.js';

/** A file path, or the document itself (as parsed JSON/YAML). */
export type InputSource = string | Record<string, unknown>;

export interface RunInput
  extends Omit<EngineRunOptions, 'sets' | 'onSetTails' | 'keepTails' | 'onTailScenarios' | 'reservedMemory'>, EngineConfig {
  market: InputSource;
  book: InputSource;
  suite: InputSource;
  /** Folder that relative `prices` paths of an in-memory suite resolve against (default: cwd). */
  baseDir?: string;
  /** Called once for each implausible value (a vol of 32, meaning 0.32), before anything runs. */
  onWarning?: (warning: InputWarning) => void;
  /** Make implausible values errors: an InputError listing them, as for invalid input. */
  strict?: boolean;
  /**
   * A folder that every historical `prices` path must lie in, after symbolic links are followed
   * (default: none). For a caller that runs suites written by others, so that a suite cannot
   * make it read files outside that folder; a path outside it is an input error of the suite.
   */
  pricesRoot?: string;
  /**
   * Attribute every ES (contract section 7; default true). false leaves the margins as they are
   * and skips the component-loss passes: for callers that need the margins only.
   */
  attribution?: boolean;
  /**
   * An executor to open once the inputs are valid, in place of `executor` (a job queue: input
   * that will be refused costs no connection, and says so with its own error, not the queue's).
   * The caller closes it.
   */
  openExecutor?: () => Promise<TaskExecutor>;
}

/** A plan, with the implausible values its inputs hold (docs/inputs.md, "Implausible values"). */
export type PreparedPlan = RunPlan & { warnings: InputWarning[] };

export type { InputWarning, ProgressEvent, Report };

/** The bundled example: a crypto book with the shipped overnight suite. */
export const bundledExample = {
  market: fromRoot('examples', 'crypto', 'market.json'),
  book: fromRoot('examples', 'crypto', 'book.json'),
  suite: fromRoot('scenarios', 'overnight.yaml'),
} as const;

/**
 * Loads and validates the three inputs and resolves them into a run plan; nothing runs yet.
 * Implausible values are returned as `warnings` and passed to `onWarning`, or, with `strict`,
 * thrown as an InputError.
 */
export function prepare(
  input: Pick<RunInput, 'market' | 'book' | 'suite' | 'baseDir' | 'pricesRoot' | 'onWarning' | 'strict'>,
): PreparedPlan {
  const market: Market =
    typeof input.market === 'string' ? loadMarket(input.market) : parseMarket(ownData(input.market, '<market>'), '<market>');
  const book: Book =
    typeof input.book === 'string' ? loadBook(input.book, market) : parseBook(ownData(input.book, '<book>'), '<book>', market);
  const suiteFile = typeof input.suite === 'string' ? input.suite : '<suite>';
  const prices = { pricesRoot: input.pricesRoot };
  let suite: Suite;
  if (typeof input.suite === 'string') suite = loadSuite(input.suite, market, prices);
  else {
    suite = parseSuite(ownData(input.suite, '<suite>'), '<suite>', market, input.baseDir);
    if (input.pricesRoot !== undefined) checkPriceFiles(suite, suiteFile, prices);
  }
  throwIfIssues(suiteFile, validateLimitOverrides(suite, book));
  const needs = validateSuiteNeeds(suite, market, book);
  throwIfIssues(typeof input.market === 'string' ? input.market : '<market>', needs.market);
  throwIfIssues(typeof input.book === 'string' ? input.book : '<book>', needs.book);
  const warnings = [
    ...marketWarnings(market, typeof input.market === 'string' ? input.market : '<market>'),
    ...bookWarnings(book, typeof input.book === 'string' ? input.book : '<book>'),
    ...suiteWarnings(suite, suiteFile),
  ];
  if (input.strict) throwIfStrict(warnings);
  for (const w of warnings) input.onWarning?.(w);
  return { ...buildPlan(market, book, suite, suiteFile), warnings };
}

/**
 * The stress run: validate, run every scenario set, and return the contract's report. It starts
 * a worker pool for this run and closes it after, unless `executor` names a warm one to use.
 */
export async function run(input: RunInput, control: RunControl = {}): Promise<Report> {
  const start = runStart();
  if (input.openExecutor) {
    const plan = prepare(input);
    return runOn(await input.openExecutor(), input, control, start, plan);
  }
  // The pool starts first: its threads load their modules and instantiate the kernels while this
  // thread reads and validates the inputs (the plan reaches them with the tasks, not at start-up).
  const executor = input.executor ?? createThreadExecutor(input.workers ?? engineDefaults.workers());
  try {
    return await runOn(executor, input, control, start);
  } finally {
    if (input.executor === undefined) await executor.close();
  }
}

async function runOn(
  executor: TaskExecutor,
  input: RunInput,
  control: RunControl,
  start: ReturnType<typeof runStart>,
  plan: PreparedPlan = prepare(input),
): Promise<Report> {
  // Hashed once validated (so a missing file is the validator's error), before any scenario runs.
  const inputs = inputHashes(input, plan.suite);
  const engine = createEngine(plan, { executor });
  try {
    const report = await reportOn(engine, input, control);
    report.run = runInfo(
      start,
      {
        workers: executor.concurrency,
        chunk: chunkOf(plan, input.chunk),
        maxMemory: input.maxMemory ?? engineDefaults.maxMemory,
      },
      inputs,
    );
    return report;
  } finally {
    await engine.close();
  }
}

/** What reportOn takes of a run's options: the engine's, and whether to attribute. */
export type ReportOnOptions = Omit<
  RunInput,
  'market' | 'book' | 'suite' | 'baseDir' | 'onWarning' | 'strict' | 'pricesRoot' | keyof EngineConfig
>;

/**
 * The report of one run of a warm engine (what run() returns, less the run's record): its sets'
 * measures and margins, and the attribution of every ES unless `attribution` is false.
 */
export async function reportOn(engine: Engine, options: ReportOnOptions = {}, control: RunControl = {}): Promise<Report> {
  const plan = engine.plan;
  // Attribution needs each unit's tail in its binding set: kept as the sets' tails are
  // summarised (one tail of scenario indices per series), then regenerated on the workers. The
  // tails themselves are not kept, so a run holds one set's at a time.
  const binding = options.attribution === false ? undefined : new BindingTails(plan);
  const running = engine.run(
    {
      ...options,
      keepTails: false,
      ...(binding ? { onTailScenarios: binding.offer, reservedMemory: BindingTails.bytes(plan) } : {}),
    },
    control,
  );
  // The exposures and the attribution's components are the plan's alone: built while the
  // workers run the first set, in slices between the engine's own turns (util/turns.ts), so
  // that no worker waits for this thread to hand it a task.
  // The run's failure is awaited below; until then it must not count as unhandled.
  running.catch(() => {});
  let components: SeriesComponents[] | undefined;
  let exposures: PlanExposures | undefined;
  let failed: { error: unknown } | undefined;
  try {
    exposures = await runStepsInTurns(planExposureSteps(plan));
    components = binding ? await runStepsInTurns(seriesComponentSteps(plan)) : undefined;
  } catch (error) {
    failed = { error };
  }
  // Never leave a run unawaited, even when the line above threw.
  const tails = await running;
  if (failed) throw failed.error;
  // The passes go out to the workers at once and need nothing from this thread until they are
  // done: the margins, exposure and distances are built meanwhile.
  const attributing = binding ? seriesContributions(engine, binding, { chunk: options.chunk, components }, control) : undefined;
  let report: Report;
  let cascading: Promise<CascadePartial[]> | undefined;
  try {
    report = buildReport(plan, tails.map(seriesMeasures), undefined, exposures);
    attachStress(
      plan,
      report,
      tails.map((t) => t.cover),
    );
    // The cascades need the final maintenance margins, so they follow the margins; they run on
    // the workers beside the attribution passes.
    cascading = startCascades(engine, plan, report, options.chunk, control);
  } catch (err) {
    await Promise.allSettled([attributing, cascading]);
    throw err;
  }
  const [contributions, cascades] = await settleAll(attributing, cascading);
  if (contributions) attachAttribution(plan, report, contributions);
  if (cascades) attachCascades(plan, report, cascades);
  return checked(report);
}

/** Both results, or the first failure once neither is still running (no task is left behind). */
async function settleAll<A, B>(a: Promise<A> | undefined, b: Promise<B> | undefined): Promise<[A | undefined, B | undefined]> {
  const [x, y] = await Promise.allSettled([a, b]);
  if (x.status === 'rejected') throw x.reason;
  if (y.status === 'rejected') throw y.reason;
  return [x.value, y.value];
}

/** The suite's cascade sets played out on the engine's workers, against the report's cross MMs (contract section 9). */
function startCascades(
  engine: Engine,
  plan: RunPlan,
  report: Report,
  chunk: number | undefined,
  control: RunControl,
): Promise<CascadePartial[]> | undefined {
  const cascade = plan.suite.cascade;
  if (cascade === undefined || cascade.sets.length === 0) return undefined;
  // Report portfolios are the holdings' portfolios, in order.
  const table = buildCascadeTable(
    plan,
    report.portfolios.map((p) => p.cross.maintenanceMargin),
    cascade,
  );
  const sets = cascade.sets.map((name) => plan.sets.findIndex((s) => s.name === name));
  return engine.cascades(
    sets.map((set) => ({ set, table })),
    { chunk },
    control,
  );
}

/** Each cascade set's `cascade` in the report, after its other fields (contract section 9). */
function attachCascades(plan: RunPlan, report: Report, partials: CascadePartial[]): void {
  plan.suite.cascade!.sets.forEach((name, i) => {
    const at = plan.sets.findIndex((s) => s.name === name);
    report.sets[at].cascade = cascadeReport(plan, partials[i]);
  });
}

/**
 * The margins of a plan from its sets' exact tails (engine.run's), proven finite before anyone
 * writes it: the report without attribution, which needs the engine (reportOn).
 */
export function reportOf(plan: RunPlan, tails: ExactTails[]): Report {
  const report = buildReport(plan, tails.map(seriesMeasures));
  attachStress(
    plan,
    report,
    tails.map((t) => t.cover),
  );
  return checked(report);
}

function checked(report: Report): Report {
  assertFinite(report);
  return report;
}
