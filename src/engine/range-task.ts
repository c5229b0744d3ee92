// A range task run on a WASM scenario evaluator: the body of a worker, kept apart from any
// thread or pool so that any executor (threads now, processes on other machines later) runs the
// same function and gets the same bytes.
import type { TaskFailure } from '../errors.js';
import type { WasmEvaluator } from './evaluator-wasm.js';
import { packTails } from './exact-tails.js';
import { COVER_WIDTH, emptyCoverState } from './cover.js';
import { SharedBars } from './shared-bars.js';
import type { RangeTask } from './task.js';

/**
 * Runs the task's scenarios chunk by chunk through the evaluator and keeps, per series, the top
 * `cap` losses not below the series' bar, in the evaluator's tail buffers. Returns them packed
 * and sorted by rank, or a failure value: a non-finite P&L (naming the instrument), or a cancel.
 * The buffers start empty for every task: nothing carries over from one task to the next.
 */
export function runRangeTask(ev: WasmEvaluator, task: RangeTask): Float64Array | TaskFailure {
  const k = ev.kernels;
  const x = k.exports;
  const l = ev.layout;
  const plan = ev.plan;
  const { cap, set } = task;
  const from = task.series?.from ?? 0;
  const to = task.series?.to ?? plan.holdings.nSeries;
  // The series this task keeps tails of, counted from `from`.
  const nSeries = to - from;
  if (!(from >= 0 && from < to && to <= plan.holdings.nSeries)) throw new Error(`internal: series ${from}..${to}`);
  if (cap > l.tailCap) throw new Error(`internal: tail capacity ${cap} exceeds the evaluator's ${l.tailCap}`);
  if (nSeries > l.tailSeries) throw new Error(`internal: ${nSeries} series exceed the evaluator's ${l.tailSeries}`);
  if (task.chunk > ev.chunk) throw new Error(`internal: chunk ${task.chunk} exceeds the evaluator's ${ev.chunk}`);
  const shared = task.sharedBars ? new SharedBars(task.sharedBars, nSeries) : undefined;
  const cancel = task.cancel ? new Int32Array(task.cancel) : undefined;
  const cover = task.cover ? coverLayout(ev, task.cover.series.length, task.chunk) : undefined;
  if (cover && task.cover) {
    for (const r of task.cover.series) if (!(r >= 0 && r < plan.holdings.nSeries)) throw new Error(`internal: cover series ${r}`);
    if (task.cover.collateral.length !== task.cover.series.length) throw new Error('internal: cover table lengths differ');
    k.i32(cover.series, task.cover.series.length).set(task.cover.series);
    k.f64(cover.collateral, task.cover.series.length).set(task.cover.collateral);
    k.f64(cover.state, COVER_WIDTH).set(emptyCoverState());
  }
  k.i32(l.heapSize, nSeries).fill(0);

  const end = task.start + task.count;
  for (let c0 = task.start; c0 < end; c0 += task.chunk) {
    // Between chunks, never inside a kernel: a cancelled run leaves its workers idle and whole.
    if (cancel && Atomics.load(cancel, 0) !== 0) return { code: 'aborted', message: 'cancelled', set: plan.sets[set].name };
    const c = Math.min(task.chunk, end - c0);
    // Cover reduces over every portfolio: a task that brings it aggregates every series.
    ev.range(set, c0, c, cover ? undefined : task.series);
    // The task's bar, raised by what the other tasks of the pass have seen (exact: shared-bars.ts).
    const th = k.f64(l.threshold, nSeries);
    if (shared) shared.read(th);
    else th.fill(-Infinity);
    if (task.bar) for (let r = 0; r < nSeries; r++) if (task.bar[r] > th[r]) th[r] = task.bar[r];
    // Series rows lie one after another, c scenarios each: a group is a block of them.
    const rows = l.series + from * c * 8;
    const bad = x.tailsPush(nSeries, rows, c, c0, -1, cap, l.heapVal, l.heapIdx, l.heapSize, l.threshold);
    if (bad >= 0) return nonFinite(ev, set, c0, c);
    if (cover) {
      x.coverScan(
        cover.n,
        cover.series,
        cover.collateral,
        l.series,
        c,
        c0,
        cover.top1,
        cover.top1Port,
        cover.top2,
        cover.top2Port,
        cover.state,
      );
    }
    if (shared) {
      // A full buffer's worst kept loss (slot 0 of its heap) is a lower bound on the set's k-th largest.
      const size = k.i32(l.heapSize, nSeries);
      const kept = k.f64(l.heapVal, nSeries * l.tailCap);
      for (let r = 0; r < nSeries; r++) if (size[r] === cap) shared.raise(r, kept[r * cap]);
    }
  }
  // Sorted here, in WASM and in parallel with the other tasks, so the coordinator only merges.
  x.tailsSort(nSeries, cap, l.heapVal, l.heapIdx, l.heapSize);
  const size = k.i32(l.heapSize, nSeries);
  const head = cover ? COVER_WIDTH : 0;
  const out = packTails(
    nSeries,
    cap,
    size,
    k.f64(l.heapVal, nSeries * cap),
    k.f64(l.heapIdx, nSeries * cap),
    head,
    task.sharedResult,
  );
  if (cover) out.set(k.f64(cover.state, COVER_WIDTH), 0);
  return out;
}

/** Where a range task's cover reduction lies in kernel memory: after the evaluator's layout, once per evaluator. */
interface CoverLayout {
  n: number;
  chunk: number;
  series: number;
  collateral: number;
  top1: number;
  top1Port: number;
  top2: number;
  top2Port: number;
  state: number;
}

// Per evaluator: a new evaluator lays out a fresh heap (worker.ts), and its cover layout with it.
const coverLayouts = new WeakMap<WasmEvaluator, CoverLayout>();

function coverLayout(ev: WasmEvaluator, n: number, chunk: number): CoverLayout {
  const known = coverLayouts.get(ev);
  if (known && known.n >= n && known.chunk >= chunk) return { ...known, n };
  const k = ev.kernels;
  const l: CoverLayout = {
    n,
    chunk,
    series: k.alloc(Math.max(1, n) * 4),
    collateral: k.alloc(Math.max(1, n) * 8),
    top1: k.alloc(chunk * 8),
    top1Port: k.alloc(chunk * 4),
    top2: k.alloc(chunk * 8),
    top2Port: k.alloc(chunk * 4),
    state: k.alloc(COVER_WIDTH * 8),
  };
  coverLayouts.set(ev, l);
  return l;
}

/** Names the instrument behind a non-finite P&L, so the user can see which input to fix. */
function nonFinite(ev: WasmEvaluator, set: number, c0: number, c: number): TaskFailure {
  const ins = ev.plan.instruments;
  const name = ev.plan.sets[set].name;
  const { rows } = ev.views(c);
  for (let r = 0; r < ins.nLinear + ins.nOptions; r++)
    for (let s = 0; s < c; s++)
      if (!Number.isFinite(rows[r * c + s])) {
        return {
          code: 'non-finite',
          set: name,
          scenario: c0 + s,
          message:
            `set "${name}", scenario ${c0 + s}: the revaluation of ${ins.rowNames[r].join(', ')} ` +
            `is not a finite number (${rows[r * c + s]}); check the shock sizes, vols and quantities of that set`,
        };
      }
  return {
    code: 'non-finite',
    set: name,
    message: `set "${name}", scenarios ${c0}..${c0 + c - 1}: a P&L is not finite (overflow in aggregation)`,
  };
}
