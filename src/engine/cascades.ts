// Liquidation cascades on the executor (contract section 9): each named set cut into cascade
// tasks over ranges of its scenarios, each task's partial (risk/cascade.ts: counts, the most
// rounds, the worst scenario) handed back as numbers and merged per set. The merge is
// associative and commutative and exact (counts, a maximum, a choice by a total order), so the
// result is the same for any cut and any number of workers.
import { runTasks } from './dispatch.js';
import { engineDefaults, taskSizeFor } from './defaults.js';
import { checkScenarioRange } from './evaluator.js';
import type { TaskExecutor } from './executor.js';
import { taskRanges } from './run-sets.js';
import type { RunPlan } from './plan.js';
import type { CascadeTask, PlanRef } from './task.js';
import type { WasmEvaluator } from './evaluator-wasm.js';
import { cascadeMerge, CascadeRunner, emptyCascadePartial, type CascadePartial, type CascadeTable } from '../risk/cascade.js';

/** One set to play the cascade on, with its table (portfolios, their MMs, the impact law's inputs). */
export interface CascadeRequest {
  set: number;
  table: CascadeTable;
}

/** Leading numbers of an encoded partial: scenarios, withLiquidation, mostRounds, has worst, scenario, rounds, liquidations, shortfall. */
const HEAD = 8;

/**
 * A partial as one Float64Array (what a task hands back, like every task): the head, then per
 * portfolio the round it was liquidated in (0: never) and per underlying the final price, of
 * the worst scenario. Round by round, the liquidated portfolios are in portfolio order, so the
 * rounds are all that `liquidatedByRound` needs.
 */
export function encodeCascadePartial(p: CascadePartial, nPortfolios: number, nUnderlyings: number): Float64Array {
  const out = new Float64Array(HEAD + nPortfolios + nUnderlyings);
  out[0] = p.scenarios;
  out[1] = p.withLiquidation;
  out[2] = p.mostRounds;
  const w = p.worst;
  if (w === null) return out;
  out.set([1, w.scenario, w.rounds, w.liquidations, w.shortfall], 3);
  w.liquidatedByRound.forEach((round, r) => {
    for (const q of round) out[HEAD + q] = r + 1;
  });
  out.set(w.spot, HEAD + nPortfolios);
  return out;
}

export function decodeCascadePartial(data: Float64Array, nPortfolios: number, nUnderlyings: number): CascadePartial {
  if (data.length !== HEAD + nPortfolios + nUnderlyings) throw new Error(`internal: a cascade result of ${data.length} numbers`);
  const out: CascadePartial = { scenarios: data[0], withLiquidation: data[1], mostRounds: data[2], worst: null };
  if (data[3] !== 1) return out;
  const rounds = data[5];
  const liquidatedByRound: number[][] = Array.from({ length: rounds }, () => []);
  for (let q = 0; q < nPortfolios; q++) {
    const r = data[HEAD + q];
    if (r > 0) liquidatedByRound[r - 1].push(q);
  }
  out.worst = {
    scenario: data[4],
    rounds,
    liquidatedByRound,
    liquidations: data[6],
    shortfall: data[7],
    spot: Array.from(data.subarray(HEAD + nPortfolios)),
  };
  return out;
}

/** The body of a worker for a cascade task: its scenarios' cascades on the evaluator, encoded. Checks the task's shape, as it may come from another machine. */
export function runCascadeTask(ev: WasmEvaluator, task: CascadeTask): Float64Array {
  const plan = ev.plan;
  const t = task.table;
  const src = plan.sets[task.set]?.source;
  if (src === undefined || src.kind === 'montecarlo') throw new Error(`internal: no explicit set ${task.set} for a cascade`);
  checkScenarioRange(plan, task.set, task.start, task.count);
  const nP = t.nPortfolios;
  if (
    t.series.length !== nP ||
    t.collateral.length !== nP ||
    t.maintenanceMargin.length !== nP ||
    t.slotOffsets.length !== nP + 1
  )
    throw new Error('internal: a cascade table whose arrays disagree');
  for (const r of t.series) if (!(r >= 0 && r < plan.holdings.nSeries)) throw new Error(`internal: series ${r}`);
  const nRows = plan.instruments.nLinear + plan.instruments.nOptions;
  for (const r of t.slotRow) if (!(r >= 0 && r < nRows)) throw new Error(`internal: row ${r}`);
  const partial = new CascadeRunner(ev, t).range(task.set, task.start, task.count);
  return encodeCascadePartial(partial, nP, plan.instruments.n);
}

/** A table's arrays in shared memory: every task of a set carries views, none a copy. */
function shareTable(t: CascadeTable): CascadeTable {
  const share = <T extends Int32Array | Float64Array>(a: T): T => {
    const out = new (a.constructor as { new (b: SharedArrayBuffer): T })(new SharedArrayBuffer(a.byteLength));
    out.set(a);
    return out;
  };
  return {
    ...t,
    series: share(t.series),
    collateral: share(t.collateral),
    maintenanceMargin: share(t.maintenanceMargin),
    slotOffsets: share(t.slotOffsets),
    slotRow: share(t.slotRow),
    slotQuantity: share(t.slotQuantity),
    vol: share(t.vol),
    adv: share(t.adv),
  };
}

/**
 * Each request's set played out scenario by scenario, as one partial per request. The sets are
 * cut into ranges of about a quarter of a worker's share (defaults.ts tasksPerWorker) and all
 * their tasks dispatched before this returns.
 */
export function runCascades(
  plan: RunPlan,
  ref: PlanRef,
  executor: TaskExecutor,
  requests: CascadeRequest[],
  chunk: number,
  signal?: AbortSignal,
): Promise<CascadePartial[]> {
  const tasks: (CascadeTask & { request: number })[] = [];
  requests.forEach((r, i) => {
    const set = plan.sets[r.set];
    if (set === undefined || set.source.kind === 'montecarlo')
      throw new Error(`internal: no explicit set ${r.set} for a cascade`);
    const table = executor.sharesMemory ? shareTable(r.table) : r.table;
    const size = taskSizeFor(set.scenarios, executor.concurrency, 1, engineDefaults.tasksPerWorker);
    for (const range of taskRanges(0, set.scenarios, size))
      tasks.push({
        kind: 'cascade',
        plan: ref,
        set: r.set,
        ...range,
        chunk,
        table,
        request: i,
      });
  });
  const out = requests.map(() => emptyCascadePartial());
  const nP = plan.holdings.portfolios.length;
  const n = plan.instruments.n;
  const names = requests.map((r) => plan.sets[r.set].name).join(', ');
  return runTasks(executor, tasks, signal, names, (task, data) => {
    out[task.request] = cascadeMerge(out[task.request], decodeCascadePartial(data, nP, n));
  }).then(() => out);
}
