// The component-loss pass of one set: for units (a portfolio, an account) with their tails in
// that set, every component's losses summed over its unit's tail scenarios (what the Euler
// attribution of ES is made of, src/risk/attribution.ts). The engine keeps no loss vectors: the
// tail scenarios are regenerated (scenario i is a pure function of seed, set and i), once each
// for all the units whose tail holds them, in component-loss tasks (task.ts).
import { runTasks } from './dispatch.js';
import { engineDefaults } from './defaults.js';
import type { TaskExecutor } from './executor.js';
import type { RunPlan } from './plan.js';
import type { ComponentLossTask, ComponentTable, PlanRef } from './task.js';

/** One unit of a pass: its tail's scenarios (any order, no repeats) and its components as slots. */
export interface TailUnit {
  tail: ArrayLike<number>;
  /** Each component's revaluation row and quantity: its loss in a scenario is -(quantity x row). */
  rows: ArrayLike<number>;
  quantities: ArrayLike<number>;
}

let passes = 0;

/**
 * For each unit, each component's losses summed over the unit's tail (divide by the tail's size
 * for its contribution). The union of the tails is cut into tasks by a rule that depends on the
 * units only (never on the executor), and the tasks' totals are merged in task order with
 * Neumaier's compensation: the bits are the same on 1 or 64 workers.
 */
export async function componentTailLosses(
  plan: RunPlan,
  ref: PlanRef,
  executor: TaskExecutor,
  set: number,
  units: TailUnit[],
  chunk: number,
  signal?: AbortSignal,
): Promise<Float64Array[]> {
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
  const scenarios = new Int32Array(nUnion);
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
  const pairUnits = new Int32Array(pairs);
  units.forEach((u, i) => {
    for (let t = 0; t < u.tail.length; t++) pairUnits[count[u.tail[t]]++] = i;
  });

  const ins = plan.instruments;
  const table = componentTable(units, ins.nLinear + ins.nOptions, executor.sharesMemory);
  const cancel = executor.sharesMemory ? new SharedArrayBuffer(4) : undefined;
  const onAbort = () => {
    if (cancel) Atomics.store(new Int32Array(cancel), 0, 1);
  };
  signal?.addEventListener('abort', onAbort, { once: true });

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
      scenarios: scenarios.slice(j0, j1),
      pairOffsets: pairOffsets.slice(j0, j1 + 1).map((p) => p - p0),
      pairUnits: pairUnits.slice(p0, pairOffsets[j1]),
      ...(cancel ? { cancel } : {}),
    });
    j0 = j1;
  }

  // Tasks' totals merged in task order as soon as the ones before them are in, so at most the
  // tasks in flight wait here.
  const nSlots = table.slotRow.length;
  const sum = new Float64Array(nSlots);
  const comp = new Float64Array(nSlots);
  const order = new Map(tasks.map((t, i) => [t, i]));
  const waiting = new Map<number, Float64Array>();
  let next = 0;
  try {
    await runTasks(executor, tasks, signal, setName, (task, totals) => {
      if (totals.length !== nSlots) throw new Error(`internal: ${totals.length} slot totals for ${nSlots} slots`);
      waiting.set(order.get(task)!, totals);
      for (let part = waiting.get(next); part !== undefined; part = waiting.get(next)) {
        waiting.delete(next++);
        for (let i = 0; i < nSlots; i++) {
          const v = part[i];
          const t = sum[i] + v;
          comp[i] += Math.abs(sum[i]) >= Math.abs(v) ? sum[i] - t + v : v - t + sum[i];
          sum[i] = t;
        }
      }
    });
  } finally {
    signal?.removeEventListener('abort', onAbort);
  }
  if (next !== tasks.length) throw new Error(`internal: ${next} of ${tasks.length} component-loss tasks merged`);
  return units.map((_, i) => {
    const out = new Float64Array(table.unitOffsets[i + 1] - table.unitOffsets[i]);
    for (let j = 0; j < out.length; j++) out[j] = sum[table.unitOffsets[i] + j] + comp[table.unitOffsets[i] + j];
    return out;
  });
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
