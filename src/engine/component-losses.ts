// Component-loss passes: for units (a portfolio, an account) with their tails in a set, every
// component's losses summed over its unit's tail scenarios (what the Euler
// attribution of ES is made of, src/risk/attribution.ts). The engine keeps no loss vectors: the
// tail scenarios are regenerated (scenario i is a pure function of seed, set and i), once each
// for all the units whose tail holds them, in component-loss tasks (task.ts).
import { runTasks } from './dispatch.js';
import { engineDefaults } from './defaults.js';
import type { TaskExecutor } from './executor.js';
import type { RunPlan } from './plan.js';
import type { ComponentLossBatch, ComponentLossTask, ComponentTable, PlanRef } from './task.js';

/** One unit of a pass: its tail's scenarios (any order, no repeats) and its components as slots. */
export interface TailUnit {
  tail: ArrayLike<number>;
  /** Each component's revaluation row and quantity: its loss in a scenario is -(quantity x row). */
  rows: ArrayLike<number>;
  quantities: ArrayLike<number>;
}

/** One set's pass: the units with their tails in it. */
export interface ComponentLossPass {
  set: number;
  units: TailUnit[];
}

let passes = 0;

/**
 * For each pass (a set and the units whose tails are in it), each unit's components' losses
 * summed over the unit's tail (divide by the tail's size for its contribution).
 *
 * Each pass's union of tails is cut into component-loss tasks by a rule of its units alone
 * (never of the executor), and each pass's task totals are merged in task order with Neumaier's
 * compensation: the bits are the same on 1 or 64 workers. The tasks of all passes then go out
 * at once in as many batches as the executor runs at once (task.ts ComponentLossBatch), each a
 * run of consecutive tasks of about equal work: they need nothing from the coordinator until
 * they are done, so a caller can work on the main thread meanwhile (run.ts reportOn builds the
 * report's margins while the passes run). Dispatched before this returns its promise.
 */
export function componentTailLosses(
  plan: RunPlan,
  ref: PlanRef,
  executor: TaskExecutor,
  requests: ComponentLossPass[],
  chunk: number,
  signal?: AbortSignal,
): Promise<Float64Array[][]> {
  const cancel = executor.sharesMemory ? new SharedArrayBuffer(4) : undefined;
  const planned = requests.map((r) => planPass(plan, ref, r.set, r.units, chunk, executor.sharesMemory, cancel));
  const all = planned.flatMap((p, i) => p.tasks.map((task, j) => ({ task, pass: i, index: j })));
  // Consecutive tasks in batches of about equal work: a task's scenarios to regenerate (each
  // costs its used rows' revaluation) and its pairs (each costs its unit's slots).
  const cost = all.map(({ task, pass }) => {
    const t = planned[pass].table;
    const avgSlots = t.slotRow.length / Math.max(1, t.unitOffsets.length - 1);
    return task.scenarios.length * (16 + t.rows.length) + task.pairUnits.length * avgSlots;
  });
  const total = cost.reduce((a, b) => a + b, 0);
  // Threads on this machine leave one of them to the coordinator, which builds the report while
  // the passes run: on two cores, two batches beside it had three threads share two cores, and the
  // build took as long again (on L about 0.3 s). Another machine's workers take every slot.
  const slots = executor.sharesMemory ? executor.concurrency - 1 : executor.concurrency;
  const nBatches = Math.max(1, Math.min(all.length, slots));
  const batches: ComponentLossBatch[] = [];
  const members: (typeof all)[] = [];
  for (let i = 0, acc = 0; i < all.length;) {
    const want = (total * (batches.length + 1)) / nBatches;
    const batch: typeof all = [];
    do {
      acc += cost[i];
      batch.push(all[i++]);
    } while (i < all.length && (acc < want || batches.length === nBatches - 1));
    batches.push({ kind: 'component-loss-batch', tasks: batch.map((b) => b.task) });
    members.push(batch);
  }
  const totals = planned.map((p) => new Array<Float64Array>(p.tasks.length));
  const onAbort = () => {
    if (cancel) Atomics.store(new Int32Array(cancel), 0, 1);
  };
  signal?.addEventListener('abort', onAbort, { once: true });
  const order = new Map(batches.map((b, i) => [b, i]));
  const setNames = [...new Set(requests.map((r) => plan.sets[r.set].name))].join(', ');
  return runTasks(executor, batches, signal, setNames, (batch, out) => {
    // A batch hands back its tasks' totals one after another.
    let at = 0;
    for (const { pass, index } of members[order.get(batch)!]) {
      const n = planned[pass].table.slotRow.length;
      totals[pass][index] = out.subarray(at, at + n);
      at += n;
    }
    if (at !== out.length) throw new Error(`internal: ${out.length} totals for ${at} slots`);
  })
    .then(() => planned.map((p, i) => p.merge(totals[i])))
    .finally(() => signal?.removeEventListener('abort', onAbort));
}

/** One pass cut into tasks, and the merge of its tasks' totals (in task order) into each unit's sums. */
function planPass(
  plan: RunPlan,
  ref: PlanRef,
  set: number,
  units: TailUnit[],
  chunk: number,
  shared: boolean,
  cancel: SharedArrayBuffer | undefined,
): { table: ComponentTable; tasks: ComponentLossTask[]; merge: (totals: Float64Array[]) => Float64Array[] } {
  const nScenarios = plan.sets[set].scenarios;
  const setName = plan.sets[set].name;
  // Which units hold each scenario, as CSR over the union of the tails in ascending scenario order.
  const count = new Int32Array(nScenarios + 1);
  let pairs = 0;
  for (const u of units) {
    for (let t = 0; t < u.tail.length; t++) {
      const s = u.tail[t];
      if (!(Number.isInteger(s) && s >= 0 && s < nScenarios)) throw new Error(`internal: tail scenario ${s} of set "${setName}"`);
      count[s]++;
    }
    pairs += u.tail.length;
  }
  let nUnion = 0;
  for (let s = 0; s < nScenarios; s++) if (count[s] > 0) nUnion++;
  // The union and its pairs are as large as the tails (a pair per tail loss of every unit): between
  // threads they lie in shared memory, and each task carries views of its part, never a copy.
  const i32 = (n: number) => (shared ? new Int32Array(new SharedArrayBuffer(4 * n)) : new Int32Array(n));
  const scenarios = i32(nUnion);
  const pairOffsets = new Int32Array(nUnion + 1);
  // count[s] becomes the next free pair slot of scenario s.
  for (let s = 0, j = 0, at = 0; s < nScenarios; s++) {
    if (count[s] === 0) continue;
    scenarios[j] = s;
    pairOffsets[j] = at;
    at += count[s];
    count[s] = pairOffsets[j];
    pairOffsets[++j] = at;
  }
  const pairUnits = i32(pairs);
  units.forEach((u, i) => {
    for (let t = 0; t < u.tail.length; t++) pairUnits[count[u.tail[t]]++] = i;
  });

  const ins = plan.instruments;
  const table = componentTable(units, ins.nLinear + ins.nOptions, shared);

  // Cut where either the scenarios to regenerate or the pairs (the kernel's work) reach their
  // bound: a rule of the units alone.
  const { componentLossPairsPerTask: maxPairs, componentLossScenariosPerTask: maxScenarios } = engineDefaults;
  const tasks: ComponentLossTask[] = [];
  for (let j0 = 0; j0 < nUnion;) {
    let j1 = j0 + 1;
    while (j1 < nUnion && j1 - j0 < maxScenarios && pairOffsets[j1] - pairOffsets[j0] < maxPairs) j1++;
    const p0 = pairOffsets[j0];
    tasks.push({
      kind: 'component-losses',
      plan: ref,
      set,
      chunk,
      table,
      scenarios: shared ? scenarios.subarray(j0, j1) : scenarios.slice(j0, j1),
      pairOffsets: pairOffsets.slice(j0, j1 + 1).map((p) => p - p0),
      pairUnits: shared ? pairUnits.subarray(p0, pairOffsets[j1]) : pairUnits.slice(p0, pairOffsets[j1]),
      ...(cancel ? { cancel } : {}),
    });
    j0 = j1;
  }

  const merge = (totals: Float64Array[]): Float64Array[] => {
    const nSlots = table.slotRow.length;
    const sum = new Float64Array(nSlots);
    const comp = new Float64Array(nSlots);
    for (const part of totals) {
      if (part === undefined || part.length !== nSlots)
        throw new Error(`internal: a component-loss task of set "${setName}" is missing`);
      for (let i = 0; i < nSlots; i++) {
        const v = part[i];
        const t = sum[i] + v;
        comp[i] += Math.abs(sum[i]) >= Math.abs(v) ? sum[i] - t + v : v - t + sum[i];
        sum[i] = t;
      }
    }
    // Each unit's totals a view of one array (a fresh array each was thousands of allocations).
    for (let i = 0; i < nSlots; i++) sum[i] += comp[i];
    return units.map((_, i) => sum.subarray(table.unitOffsets[i], table.unitOffsets[i + 1]));
  };
  return { table, tasks, merge };
}

/** The units' slots in one table, in shared memory when the executor's threads can read it there. */
function componentTable(units: TailUnit[], nRows: number, shared: boolean): ComponentTable {
  const nSlots = units.reduce((a, u) => a + u.rows.length, 0);
  const i32 = (n: number) => (shared ? new Int32Array(new SharedArrayBuffer(4 * n)) : new Int32Array(n));
  const f64 = (n: number) => (shared ? new Float64Array(new SharedArrayBuffer(8 * n)) : new Float64Array(n));
  // The rows used, ascending, and each row's index among them.
  const compact = new Int32Array(nRows).fill(-1);
  for (const u of units)
    for (let j = 0; j < u.rows.length; j++) {
      const row = u.rows[j];
      if (!(Number.isInteger(row) && row >= 0 && row < nRows)) throw new Error(`internal: revaluation row ${row} of ${nRows}`);
      compact[row] = 0;
    }
  let nUsed = 0;
  for (let row = 0; row < nRows; row++) if (compact[row] === 0) compact[row] = nUsed++;
  const rows = i32(nUsed);
  for (let row = 0; row < nRows; row++) if (compact[row] >= 0) rows[compact[row]] = row;
  const unitOffsets = i32(units.length + 1);
  const slotRow = i32(nSlots);
  const slotQty = f64(nSlots);
  let at = 0;
  units.forEach((u, i) => {
    if (u.quantities.length !== u.rows.length)
      throw new Error(`internal: ${u.rows.length} rows, ${u.quantities.length} quantities`);
    unitOffsets[i] = at;
    for (let j = 0; j < u.rows.length; j++) {
      slotRow[at] = compact[u.rows[j]];
      slotQty[at++] = u.quantities[j];
    }
  });
  unitOffsets[units.length] = at;
  return { id: `component-losses-${process.pid}-${++passes}`, unitOffsets, rows, slotRow, slotQty };
}
