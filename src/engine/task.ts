// The unit of scenario work, and what crosses the boundary to whoever runs it (a worker thread
// today, a process on another machine later). A task is a pure function of its fields: the same
// task gives the same bytes anywhere, and task results merge associatively (exact-tails.ts).
import type { TaskFailure } from '../errors.js';
import type { TailsPack } from './exact-tails.js';
import type { CascadeTable } from '../risk/cascade.js';

/** A plan by identity (plan-codec.ts), with its bytes for executors that cannot fetch it. */
export interface PlanRef {
  id: string;
  /** The encoded kernel plan. Between threads it lives in a SharedArrayBuffer, so it is never copied. */
  bytes: Uint8Array;
}

/** How a test makes a task fail the way real failures do: the thread exits, a kernel traps, the task throws. */
export type InjectedFault = 'exit' | 'trap' | 'throw';

/**
 * Scenarios [start, start + count) of one set: evaluate them chunk by chunk and keep, per series,
 * the top `cap` losses under the order (loss descending, scenario index ascending) among those not
 * below the series' bar.
 */
export interface RangeTask {
  plan: PlanRef;
  set: number;
  start: number;
  count: number;
  /** Scenarios per kernel pass: bounds the executor's scratch memory, never changes a result. */
  chunk: number;
  /** Losses kept per series: the set's tail size, or the pilot's rank. */
  cap: number;
  /**
   * Keep the tails of series [from, to) only (a group, when a set's tails do not fit the memory
   * budget and run in groups: run-sets.ts). Default: every series. The result, `bar` and
   * `sharedBars` then count series from `from`.
   */
  series?: { from: number; to: number };
  /**
   * Per series, a loss no tail loss of the set is below (the pilot's bar): anything below it is
   * skipped, so the result holds only the losses above it. Absent: minus infinity.
   */
  bar?: Float64Array;
  /**
   * Executor-local speed-ups, for executors that share memory with the coordinator (threads):
   * bars that the tasks of one pass raise for each other (shared-bars.ts), and a flag that asks
   * running tasks to stop between chunks. Neither changes a result.
   */
  sharedBars?: SharedArrayBuffer;
  cancel?: SharedArrayBuffer;
  /** Pack the result in shared memory, so that summary tasks can read it on any thread without a copy. */
  sharedResult?: boolean;
  /**
   * Also reduce every scenario over the portfolios for Cover-1 and Cover-2 (cover.ts): the
   * result's pack then starts after COVER_WIDTH slots holding the task's cover state. Every
   * series is aggregated for it, even in a task that keeps a group's tails.
   */
  cover?: CoverTable;
  /**
   * Leave the pack where the executor keeps results (executors that store them: executor.ts
   * storesResults), and hand back only its digest: the cover state when `cover` is asked for
   * (COVER_WIDTH slots), then each series' counts above and at or above `bar`
   * (exact-tails.ts packCounts). The outcome's `stored` names the pack for summary tasks.
   */
  stored?: boolean;
  /** Test-only fault injection. */
  fault?: InjectedFault;
}

/** The portfolios of a plan as Cover-1 and Cover-2 reduce over them: each one's series and collateral, in report order. */
export interface CoverTable {
  series: Int32Array;
  collateral: Float64Array;
}

/**
 * The summaries of series [from, to) of a set's exact tails of size k, from its packs
 * (exact-tails.ts summarizeTails): a set's last merge, spread over the workers. Executors get
 * these where the packs can be read without a copy: in shared memory (threads), or stored with
 * the executor (a queue's workers read the slices of the stored packs they need).
 */
export interface SummaryTask {
  kind: 'summary';
  packs: TailsPack[];
  nSeries: number;
  k: number;
  from: number;
  to: number;
  /** Also hand back each series' k tail scenarios (exact-tails.ts summarizeTails). */
  withScenarios?: boolean;
}

/**
 * What the tasks of one component-loss pass share: the units (each a list of slots) and every
 * slot's revaluation row and quantity, a slot's loss being -(quantity x row). Only the rows the
 * slots use are revalued. Between threads it lives in shared memory; a worker copies it into its
 * kernel memory once per `id`.
 */
export interface ComponentTable {
  /** Unique per pass within the coordinator's lifetime. */
  id: string;
  /** Units + 1 offsets into the slots. */
  unitOffsets: Int32Array;
  /** The revaluation rows the slots use, ascending (so linear rows before option rows). */
  rows: Int32Array;
  /** Each slot's row, as an index into `rows`. */
  slotRow: Int32Array;
  slotQty: Float64Array;
}

/**
 * The listed scenarios of one set, each with the units whose tail holds it (CSR: scenario j's
 * units are pairUnits[pairOffsets[j] .. pairOffsets[j + 1]), pairOffsets starting at 0): every
 * slot's losses over the scenarios of its unit's tail, summed in the order listed. The result
 * holds one total per slot (a Neumaier sum, compensation folded in); the coordinator merges
 * tasks' totals in task order (component-losses.ts), so the bits depend on the cut, never on
 * the executor.
 */
export interface ComponentLossTask {
  kind: 'component-losses';
  plan: PlanRef;
  set: number;
  chunk: number;
  table: ComponentTable;
  scenarios: Int32Array;
  pairOffsets: Int32Array;
  pairUnits: Int32Array;
  cancel?: SharedArrayBuffer;
  /** Test-only fault injection. */
  fault?: InjectedFault;
}

/**
 * Component-loss tasks run one after another by one executor slot: the result is their totals
 * one after another. Batching never changes a bit (each task's totals come back whole, and the
 * coordinator merges them in task order); it lets a pass go out at once, as many batches as the
 * executor runs at once, and run to the end with nothing from the coordinator.
 */
export interface ComponentLossBatch {
  kind: 'component-loss-batch';
  tasks: ComponentLossTask[];
}

/** Anything an executor runs. */
/**
 * Scenarios [start, start + count) of an explicit set, each played out as a liquidation cascade
 * (risk/cascade.ts) against the table's portfolios and maintenance margins: the result is the
 * range's partial (cascades.ts encodes it), which merges with any other range's.
 */
export interface CascadeTask {
  kind: 'cascade';
  plan: PlanRef;
  set: number;
  start: number;
  count: number;
  chunk: number;
  table: CascadeTable;
}

/** Every revaluation row of scenarios [start, start + count) of a set: rows x count values (row-vectors.ts). */
export interface RowVectorTask {
  kind: 'row-vectors';
  plan: PlanRef;
  set: number;
  start: number;
  count: number;
  chunk: number;
}

/** One instrument as the kernels revalue it: a linear row, or an option row (instruments.ts InstrumentTable). */
export type InstrumentSpec =
  | { linear: true; und: number; mult: number }
  | {
      linear: false;
      und: number;
      mult: number;
      isCall: number;
      strike: number;
      lnSK: number;
      iv: number;
      tau: number;
      value0: number;
    };

/** Instruments' P&L per unit over scenarios [start, start + count) of a set: instruments x count values (instrument-vectors.ts). */
export interface InstrumentVectorTask {
  kind: 'instrument-vector';
  plan: PlanRef;
  set: number;
  start: number;
  count: number;
  chunk: number;
  instruments: InstrumentSpec[];
}

export type EngineTask =
  RangeTask | SummaryTask | ComponentLossTask | ComponentLossBatch | CascadeTask | RowVectorTask | InstrumentVectorTask;

export function isInstrumentVectorTask(task: EngineTask): task is InstrumentVectorTask {
  return (task as InstrumentVectorTask).kind === 'instrument-vector';
}

export function isRowVectorTask(task: EngineTask): task is RowVectorTask {
  return (task as RowVectorTask).kind === 'row-vectors';
}

export function isCascadeTask(task: EngineTask): task is CascadeTask {
  return (task as CascadeTask).kind === 'cascade';
}

export function isSummaryTask(task: EngineTask): task is SummaryTask {
  return (task as SummaryTask).kind === 'summary';
}

export function isComponentLossTask(task: EngineTask): task is ComponentLossTask {
  return (task as ComponentLossTask).kind === 'component-losses';
}

export function isComponentLossBatch(task: EngineTask): task is ComponentLossBatch {
  return (task as ComponentLossBatch).kind === 'component-loss-batch';
}

/** A task's result: its packed tails, or a failure value (errors travel as data, errors.ts). */
export type TaskOutcome =
  | {
      ok: true;
      /** The task's result; for a range task asked to leave its pack stored, the pack's digest (RangeTask.stored). */
      tails: Float64Array;
      /** Where the executor keeps the pack of a stored range task. */
      stored?: string;
    }
  | { ok: false; failure: TaskFailure };
