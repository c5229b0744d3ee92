// Tails as they travel and as the engine hands them out. A task packs its tails into one flat
// Float64Array (`packTails`); the coordinator keeps a set's packs as its exact tails
// (`ExactTails`, merged per series when read), which is all the engine returns: measures,
// margin and attribution are computed from them above the engine (src/risk/).
import type { SetCover } from './cover.js';

/** One packed tail result (the layout of packTails) inside a buffer, from `start` on. */
export interface PackedTails {
  data: Float64Array;
  start: number;
}

/**
 * Layout: [size_0 .. size_{n-1}, values of series 0, 1, ..., indices of series 0, 1, ...], after
 * `head` leading slots. Each series must already be sorted by rank (a task sorts in WASM,
 * tailsSort): merges rely on it and check it as they read.
 */
export function packTails(
  nSeries: number,
  cap: number,
  size: Int32Array,
  val: Float64Array,
  idx: Float64Array,
  head = 0,
  shared = false,
): Float64Array {
  let total = 0;
  for (let r = 0; r < nSeries; r++) total += size[r];
  const out = allocate(head + nSeries + 2 * total, shared);
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

/**
 * A task's pack left where a remote executor keeps results (task.ts RangeTask.stored): its name
 * there, and where in the stored value the pack starts (in doubles). Only summary tasks, which
 * run where the results are, read it (queue-worker.ts); the coordinator never holds it.
 */
export interface StoredPack {
  stored: string;
  start: number;
}

/** A pack where it lies: in the coordinator's memory, or with the executor. */
export type TailsPack = PackedTails | StoredPack;

export function isStoredPack(p: TailsPack): p is StoredPack {
  return typeof (p as StoredPack).stored === 'string';
}

/**
 * Per series, how many of the pack's losses are above its bar and how many at or above it, flat:
 * [above of series 0 .. n-1, at or above of series 0 .. n-1] (no bar: minus infinity). What
 * pilot.ts `coverage` adds up; a remote executor sends it in place of the pack (a digest of
 * 2 n numbers for a pack of about 2 k n).
 */
export function packCounts(data: Float64Array, start: number, nSeries: number, bar: Float64Array | undefined): Float64Array {
  const out = new Float64Array(2 * nSeries);
  let v0 = start + nSeries;
  for (let r = 0; r < nSeries; r++) {
    const m = data[start + r];
    const b = bar ? bar[r] : -Infinity;
    let n = 0;
    let nAt = 0;
    for (let i = v0; i < v0 + m; i++) {
      const v = data[i];
      n += v > b ? 1 : 0;
      nAt += v === b ? 1 : 0;
    }
    out[r] = n;
    out[nSeries + r] = n + nAt;
    v0 += m;
  }
  return out;
}

/**
 * Where series [from, to) of a pack lie (packTails layout), in doubles from the value's start:
 * their values from `values`, their indices from `indices`, `count` of each. `sizes` are the
 * pack's sizes (all nSeries).
 */
export function sliceBounds(
  sizes: ArrayLike<number>,
  start: number,
  from: number,
  to: number,
): { values: number; indices: number; count: number } {
  const nSeries = sizes.length;
  let before = 0;
  let count = 0;
  let total = 0;
  for (let r = 0; r < nSeries; r++) {
    const m = sizes[r];
    if (r < from) before += m;
    else if (r < to) count += m;
    total += m;
  }
  const values = start + nSeries + before;
  return { values, indices: values + total, count };
}

/**
 * Series [from, to) of a pack as a pack of their own (start 0): all a summary task of those
 * series reads of it. Merged, the slices give each series the same lists in the same order as
 * the whole packs, so summaries of slices have the bits of summaries of the whole. Written into
 * `into` when given (its length must be the slice's), else into a fresh array.
 */
export function packSlice(
  data: Float64Array,
  start: number,
  nSeries: number,
  from: number,
  to: number,
  into?: Float64Array,
): Float64Array {
  const sizes = data.subarray(start, start + nSeries);
  const { values, indices, count } = sliceBounds(sizes, start, from, to);
  const n = to - from;
  if (into && into.length !== n + 2 * count) throw new Error(`internal: a slice of ${n + 2 * count} values into ${into.length}`);
  const out = into ?? new Float64Array(n + 2 * count);
  out.set(sizes.subarray(from, to), 0);
  out.set(data.subarray(values, values + count), n);
  out.set(data.subarray(indices, indices + count), n + count);
  return out;
}

/**
 * The exact tail of one set: per series, its k largest losses with their scenario indices, sorted
 * by rank (loss descending, then scenario index ascending). The top k under that total order is
 * unique, so the tails do not depend on workers, chunks, tasks or the pilot.
 *
 * The tails are kept as the packs the tasks handed back (at most a few lists per series, each
 * sorted by rank, together a little more than k losses) and a series is merged when it is read:
 * a copy of series x k losses in the coordinator would cost as much memory again, and on some
 * machines its first touch costs more than the merge (about 14 us per 4 KiB page on the one the
 * benchmarks run on).
 */
export class ExactTails {
  private readonly merger: SeriesMerger | undefined;
  private scratch: { losses: Float64Array; scenarios: Float64Array } | undefined;

  /**
   * `summaries`, when given, are `summarizeTails` of the packs over every series, computed where
   * the packs were (the engine's workers): `summary` then merges nothing. Without packs the tails
   * hold their summaries only (a run that did not keep its tails, or a set run in groups of
   * series to fit its memory budget): the measures, and no losses to read.
   */
  /** Cover-1 and Cover-2 of the set (cover.ts), when the run reduced its scenarios over the portfolios. */
  cover: SetCover | undefined = undefined;

  constructor(
    readonly set: string,
    readonly packs: PackedTails[] | undefined,
    readonly nSeries: number,
    readonly k: number,
    private readonly summaries?: Float64Array,
  ) {
    if (summaries && summaries.length !== nSeries * SUMMARY_WIDTH) {
      throw new Error(`internal: ${summaries.length} summary values for ${nSeries} series of set "${set}"`);
    }
    if (packs === undefined) {
      if (summaries === undefined) throw new Error(`internal: the tails of set "${set}" have neither losses nor summaries`);
      this.merger = undefined;
      return;
    }
    this.merger = new SeriesMerger(packs, nSeries);
    for (let r = 0; r < nSeries; r++) {
      const n = this.merger.count(r);
      if (n < k) throw new Error(`internal: ${n} tail losses for a tail of ${k} in series ${r} of set "${set}"`);
    }
  }

  /** Whether the losses themselves are kept (else only their summaries: see the constructor). */
  get kept(): boolean {
    return this.merger !== undefined;
  }

  /** Series r's k losses by rank into `losses`, and their scenario indices into `scenarios`, from `at`. */
  read(r: number, losses: Writable, scenarios: Writable, at = 0): void {
    this.check(r);
    if (this.merger === undefined) {
      throw new Error(
        `the tail losses of set "${this.set}" were not kept, only their summaries ` +
          `(the run did not keep tails, or ran the set in groups of series to fit its memory budget)`,
      );
    }
    this.merger.merge(r, this.k, losses, scenarios, at);
  }

  /** Series r's largest and k-th largest losses with their scenarios, and the sum of its k losses. */
  summary(r: number): TailSummary {
    this.check(r);
    let s = this.summaries;
    let at = r * SUMMARY_WIDTH;
    if (s === undefined) {
      s = new Float64Array(SUMMARY_WIDTH);
      at = 0;
      this.scratch ??= { losses: new Float64Array(this.k), scenarios: new Float64Array(this.k) };
      summarizeSeries(this.merger!, r, this.k, this.scratch.losses, this.scratch.scenarios, s, 0);
    }
    return { largest: s[at], largestScenario: s[at + 1], kth: s[at + 2], kthScenario: s[at + 3], sum: s[at + 4] };
  }

  /** Every series' tail in two fresh flat arrays (series x k, series r at [r k, r k + k)). */
  toArrays(): { losses: Float64Array; scenarios: Float64Array } {
    const losses = new Float64Array(this.nSeries * this.k);
    const scenarios = new Float64Array(this.nSeries * this.k);
    for (let r = 0; r < this.nSeries; r++) this.read(r, losses, scenarios, r * this.k);
    return { losses, scenarios };
  }

  /** Series r's tail in fresh arrays. */
  series(r: number): { losses: Float64Array; scenarios: Float64Array } {
    const losses = new Float64Array(this.k);
    const scenarios = new Float64Array(this.k);
    this.read(r, losses, scenarios);
    return { losses, scenarios };
  }

  private check(r: number): void {
    if (!(Number.isInteger(r) && r >= 0 && r < this.nSeries))
      throw new Error(`internal: no series ${r} in the tails of set "${this.set}"`);
  }
}

/** What VaR, ES and the worst loss are made of (src/risk/measures.ts): a tail's two ends and its sum. */
export interface TailSummary {
  largest: number;
  largestScenario: number;
  kth: number;
  kthScenario: number;
  /**
   * The k losses' Neumaier sum in rank order, largest first (k can be 10^4 losses of mixed sign
   * and size): the order is the tail's own, so the bits do not depend on how it was found.
   */
  sum: number;
}

/** Values per series in a summaries array: largest, its scenario, k-th, its scenario, sum. */
export const SUMMARY_WIDTH = 5;

/**
 * The summaries of series [from, to) of the packs' tails of size k, flat (SUMMARY_WIDTH per
 * series). With `withScenarios`, each series' k scenario indices follow, in rank order, as
 * 32-bit integers packed two to a slot (`tailScenariosOf` reads them): what attribution
 * regenerates (src/risk/binding-tails.ts), at half the bytes of doubles. A pure function of the
 * packs: the engine runs it as a task (task.ts SummaryTask) so a set's merges spread over its
 * workers instead of queueing on the coordinator. With `into` (at least summarizedLength long)
 * the result is written there and returned as a view of it.
 */
export function summarizeTails(
  packs: PackedTails[],
  nSeries: number,
  k: number,
  from: number,
  to: number,
  withScenarios = false,
  into?: Float64Array,
): Float64Array {
  if (!(from >= 0 && from <= to && to <= nSeries)) throw new Error(`internal: series ${from}..${to} of ${nSeries}`);
  const merger = new SeriesMerger(packs, nSeries);
  const losses = new Float64Array(k);
  const n = to - from;
  const length = summarizedLength(n, k, withScenarios);
  if (into !== undefined && into.length < length) throw new Error(`internal: ${into.length} slots for ${length}`);
  const out = into === undefined ? new Float64Array(length) : into.subarray(0, length);
  const packed = withScenarios ? tailScenariosOf(out, n, k) : undefined;
  const scratch = new Float64Array(k);
  for (let r = from; r < to; r++) {
    const count = merger.count(r);
    if (count < k) throw new Error(`internal: ${count} tail losses for a tail of ${k} in series ${r}`);
    summarizeSeries(merger, r, k, losses, scratch, out, (r - from) * SUMMARY_WIDTH);
    if (packed) {
      // A loop, not packed.set(scratch): a set between typed arrays of different types converts
      // element by element on a generic path, several times slower on L's 5.5 million a set.
      const at = (r - from) * k;
      for (let t = 0; t < k; t++) packed[at + t] = scratch[t];
    }
  }
  return out;
}

/** The length of a summarizeTails result for n series of k. */
export function summarizedLength(n: number, k: number, withScenarios: boolean): number {
  return n * SUMMARY_WIDTH + (withScenarios ? Math.ceil((n * k) / 2) : 0);
}

/** The scenario indices of a summarizeTails result with scenarios, for its n series of k: a view. */
export function tailScenariosOf(summaries: Float64Array, n: number, k: number): Int32Array {
  return new Int32Array(summaries.buffer, summaries.byteOffset + n * SUMMARY_WIDTH * 8, n * k);
}

function summarizeSeries(
  merger: SeriesMerger,
  r: number,
  k: number,
  losses: Float64Array,
  scenarios: Float64Array,
  out: Float64Array,
  at: number,
): void {
  merger.merge(r, k, losses, scenarios, 0);
  let sum = 0;
  let comp = 0;
  for (let t = 0; t < k; t++) {
    const v = losses[t];
    const s2 = sum + v;
    comp += Math.abs(sum) >= Math.abs(v) ? sum - s2 + v : v - s2 + sum;
    sum = s2;
  }
  out[at] = losses[0];
  out[at + 1] = scenarios[0];
  out[at + 2] = losses[k - 1];
  out[at + 3] = scenarios[k - 1];
  out[at + 4] = sum + comp;
}

/** A zeroed Float64Array, in shared memory when other threads must read it without a copy. */
function allocate(length: number, shared: boolean): Float64Array {
  return shared ? new Float64Array(new SharedArrayBuffer(length * 8)) : new Float64Array(length);
}

/**
 * Merges packs into one pack holding the top `cap` of their union per series: the associative
 * merge of task results (merge(a, merge(b, c)) = merge(merge(a, b), c) = the top cap of a, b and
 * c), for executors that combine partial results before they reach the coordinator.
 */
export function mergeToPack(packs: PackedTails[], nSeries: number, cap: number, shared = false): Float64Array {
  // Sizes first, so the merge writes straight into the packed layout.
  const size = new Int32Array(nSeries);
  for (const { data, start } of packs) for (let r = 0; r < nSeries; r++) size[r] += data[start + r];
  let total = 0;
  for (let r = 0; r < nSeries; r++) total += size[r] = Math.min(cap, size[r]);
  const out = allocate(nSeries + 2 * total, shared);
  const vals = out.subarray(nSeries, nSeries + total);
  const idxs = out.subarray(nSeries + total);
  const merger = new SeriesMerger(packs, nSeries);
  let at = 0;
  for (let r = 0; r < nSeries; r++) {
    out[r] = size[r];
    at += merger.merge(r, size[r], vals, idxs, at);
  }
  return out;
}

type Writable = { [i: number]: number; readonly length: number };

/**
 * The top of the packs' lists of any series: `merge(r, limit, vals, idxs, at)` writes series r's
 * first `limit` losses (or all, if fewer) by rank at `at` and returns how many. A heap holds each
 * list's head, cached in flat arrays, with the best at the root: a loss costs about log2(lists)
 * comparisons, and the root's list gives a run of losses for free while its next head still
 * beats both children. Only the losses written are read, so the lists below the k-th loss are
 * never touched. Each list's order is checked as it is read: a list out of order would silently
 * give a wrong tail.
 */
export class SeriesMerger {
  private readonly hList: Int32Array;
  private readonly hVal: Float64Array;
  private readonly hIdx: Float64Array;
  private readonly pos: Int32Array;
  private readonly end: Int32Array;
  private readonly toIndex: Int32Array;
  /** Per pack: where each series' values start (nSeries + 1 entries), and the offset to its indices. */
  private readonly starts: Int32Array[];
  private readonly indexOffset: Int32Array;

  constructor(
    private readonly packs: PackedTails[],
    private readonly nSeries: number,
  ) {
    const p = packs.length;
    this.hList = new Int32Array(p);
    this.hVal = new Float64Array(p);
    this.hIdx = new Float64Array(p);
    this.pos = new Int32Array(p);
    this.end = new Int32Array(p);
    this.toIndex = new Int32Array(p);
    this.indexOffset = new Int32Array(p);
    this.starts = packs.map(({ data, start }, q) => {
      const at = new Int32Array(nSeries + 1);
      at[0] = start + nSeries;
      for (let r = 0; r < nSeries; r++) at[r + 1] = at[r] + data[start + r];
      this.indexOffset[q] = at[nSeries] - at[0];
      return at;
    });
  }

  /** How many losses the packs hold for series r. */
  count(r: number): number {
    let n = 0;
    for (const at of this.starts) n += at[r + 1] - at[r];
    return n;
  }

  merge(r: number, limit: number, vals: Writable, idxs: Writable, at = 0): number {
    const { packs, hList, hVal, hIdx, pos, end, toIndex } = this;
    let n = 0;
    for (let p = 0; p < packs.length; p++) {
      const s0 = this.starts[p][r];
      const s1 = this.starts[p][r + 1];
      if (s1 === s0) continue;
      const d = packs[p].data;
      pos[p] = s0;
      end[p] = s1;
      toIndex[p] = this.indexOffset[p];
      hList[n] = p;
      hVal[n] = d[s0];
      hIdx[n] = d[s0 + toIndex[p]];
      if (hVal[n] !== hVal[n]) throw new Error(`internal: a task's tail list of series ${r} is not sorted`);
      n++;
    }
    for (let h = (n >> 1) - 1; h >= 0; h--) this.siftDown(h, n);
    let t = 0;
    while (t < limit && n > 0) {
      const p = hList[0];
      const d = packs[p].data;
      const off = toIndex[p];
      const e = end[p];
      let q = pos[p];
      // The runner-up: the better of the root's children.
      let c = 1;
      if (n > 2 && (hVal[2] > hVal[1] || (hVal[2] === hVal[1] && hIdx[2] < hIdx[1]))) c = 2;
      const sv = n > 1 ? hVal[c] : -Infinity;
      const si = n > 1 ? hIdx[c] : Infinity;
      let v = hVal[0];
      let x = hIdx[0];
      for (;;) {
        vals[at + t] = v;
        idxs[at + t] = x;
        t++;
        q++;
        if (q === e || t === limit) break;
        const v2 = d[q];
        const x2 = d[q + off];
        if (v2 !== v2 || v2 > v || (v2 === v && x2 < x)) {
          throw new Error(`internal: a task's tail list of series ${r} is not sorted`);
        }
        v = v2;
        x = x2;
        if (!(v > sv || (v === sv && x < si))) break;
      }
      pos[p] = q;
      if (t === limit) break;
      if (q === e) {
        n--;
        hList[0] = hList[n];
        hVal[0] = hVal[n];
        hIdx[0] = hIdx[n];
      } else {
        hVal[0] = v;
        hIdx[0] = x;
      }
      if (n > 1) this.siftDown(0, n);
    }
    return t;
  }

  private siftDown(h: number, n: number): void {
    const { hList, hVal, hIdx } = this;
    const l = hList[h];
    const v = hVal[h];
    const x = hIdx[h];
    for (;;) {
      let c = 2 * h + 1;
      if (c >= n) break;
      if (c + 1 < n && (hVal[c + 1] > hVal[c] || (hVal[c + 1] === hVal[c] && hIdx[c + 1] < hIdx[c]))) c++;
      if (!(hVal[c] > v || (hVal[c] === v && hIdx[c] < x))) break;
      hList[h] = hList[c];
      hVal[h] = hVal[c];
      hIdx[h] = hIdx[c];
      h = c;
    }
    hList[h] = l;
    hVal[h] = v;
    hIdx[h] = x;
  }
}
