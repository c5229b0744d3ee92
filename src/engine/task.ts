// What crosses the thread boundary, and how. Tasks are tiny. A worker keeps the tails of the
// pass it is working on across tasks and sends them once, when the main thread flushes it at
// the end of the pass: one Float64Array whose buffer is transferred, never cloned.

/**
 * A pass over (part of) a set: the pilot, the main pass, and when the pilot's bar fails its
 * check the pilot's scenarios in full or the whole set again (pilot.ts). Each pass has its own
 * tail buffers in the workers and its own shared bars, keyed by `passKey`.
 */
export type PassStage = 'pilot' | 'main' | 'pilot-full' | 'rerun';

const STAGES: readonly PassStage[] = ['pilot', 'main', 'pilot-full', 'rerun'];

/** A key per (set, stage): which buffers a worker holds, and which shared bars a pass uses. */
export function passKey(set: number, stage: PassStage): number {
  return set * STAGES.length + STAGES.indexOf(stage);
}

export const passesPerSet = STAGES.length;

/** Scenarios [start, start + count) of a set, pushed into the worker's tail buffers of a pass. */
export interface ScenarioTask {
  kind: 'scenarios';
  set: number;
  pass: number;
  /** Tail buffer capacity of the pass: the set's tail size, or the pilot's rank. */
  cap: number;
  /**
   * Whether the pass reads and raises the shared bars. A pilot does not: its buffers keep fewer
   * than k losses, so their worst is no lower bound on the set's k-th largest.
   */
  shareBars: boolean;
  start: number;
  count: number;
}

/** Hand over (and forget) the tail buffers of a pass. */
export interface FlushTask {
  kind: 'flush';
  pass: number;
  cap: number;
}

export type WorkerTask = ScenarioTask | FlushTask;

/**
 * [threadId], or for a flush that found tails: [threadId, packed tails...] (packTails). One
 * typed array, because piscina transfers only a top-level value. The thread id lets the main
 * thread flush exactly the workers that worked on the set.
 */
export type TaskResult = Float64Array;

/**
 * Layout: [size_0 .. size_{n-1}, values of series 0, 1, ..., indices of series 0, 1, ...],
 * after `head` leading slots the caller fills (the thread id). A worker sorts each series by
 * rank (loss descending, then index ascending) before packing (tailsSort): tailMeasures and
 * pilotBars merge the packs and rely on it.
 */
export function packTails(
  nSeries: number,
  cap: number,
  size: Int32Array,
  val: Float64Array,
  idx: Float64Array,
  head = 0,
): Float64Array {
  let total = 0;
  for (let r = 0; r < nSeries; r++) total += size[r];
  const out = new Float64Array(head + nSeries + 2 * total);
  let o = head + nSeries;
  for (let r = 0; r < nSeries; r++) {
    out[head + r] = size[r];
    out.set(val.subarray(r * cap, r * cap + size[r]), o);
    o += size[r];
  }
  for (let r = 0; r < nSeries; r++) {
    out.set(idx.subarray(r * cap, r * cap + size[r]), o);
    o += size[r];
  }
  return out;
}
