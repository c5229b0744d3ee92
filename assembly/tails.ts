// Streaming tail buffers: per series, the `cap` largest losses seen so far, under the total
// order "loss descending, then scenario index ascending", so the kept set is unique and
// does not depend on chunking or on the order in which workers' results are merged.
//
// Layout (heapVal / heapIdx at r * cap, heapSize[r]): the kept entries in slots [0, size),
// appended in arrival order until the buffer fills, then a binary min-heap under that order:
// slot 0 holds the worst kept entry, the bar a new loss must clear.
// src/kernels/tails.ts keeps the same slots, so WASM and twin agree slot for slot.
//
// Offers come in batches (a row of C scenarios):
//  1. Screening. Only a candidate can change the kept set: not L < threshold, and once the
//     buffer is full not L < its worst loss (a smaller loss ranks after the worst, and the
//     worst only moves up). tailsPush screens 8 cells per step in f64x2 against that bar and
//     collects candidates branch-free; most cells of a run fail the bar.
//  2. Resolution. Candidates first fill the free slots (appended as they come; the buffer is
//     heapified, O(cap), when it fills). Beyond a full buffer, a few candidates (fewer than
//     cap / 16) replace the root one by one, log2(cap) each. More are pooled with the kept
//     entries and a quickselect (median-of-three pivot, branch-free Lomuto partition) keeps
//     the best `cap`, O(cap + candidates), then the heap is rebuilt, O(cap). Workers keep
//     their buffers across a whole set, so late in a set a chunk brings a handful of
//     candidates per series: those must not cost O(cap) each.

/** True when (la, ia) ranks strictly before (lb, ib): larger loss, or equal loss and lower index. */
// @ts-ignore: decorator
@inline
function ranksBefore(la: f64, ia: f64, lb: f64, ib: f64): bool {
  return la > lb || (la == lb && ia < ib);
}

// Candidates of one batch, then (batch path) the kept entries and candidates together.
// Static, so a call never grows memory (which would detach the host's views). A buffer too
// large to pool with a batch (cap > POOL_MAX - CAND_MAX) replaces one by one.
// @ts-ignore: decorator
@inline const POOL_MAX: i32 = 16384;
// @ts-ignore: decorator
@inline const CAND_MAX: i32 = 4096;
// Entries are 16-byte records (loss, index), so that a swap moves one v128 each way.
const pool: usize = memory.data(POOL_MAX << 4, 16);

/** Candidates per batch: about max(cap, 64), at most CAND_MAX (tailsPush adds up to 7 more). */
// @ts-ignore: decorator
@inline
function batchLimit(cap: i32): i32 {
  return min(max(cap, 64), CAND_MAX - 8);
}

// @ts-ignore: decorator
@inline
function poolable(cap: i32): bool {
  return cap <= POOL_MAX - CAND_MAX;
}

// @ts-ignore: decorator
@inline
function rec(i: i32): usize {
  return pool + (<usize>i << 4);
}

// @ts-ignore: decorator
@inline
function recBefore(x: v128, y: v128): bool {
  return ranksBefore(f64x2.extract_lane(x, 0), f64x2.extract_lane(x, 1), f64x2.extract_lane(y, 0), f64x2.extract_lane(y, 1));
}

// @ts-ignore: decorator
@inline
function swapRec(a: i32, b: i32): void {
  const x = v128.load(rec(a));
  v128.store(rec(a), v128.load(rec(b)));
  v128.store(rec(b), x);
}

/**
 * Partitions pool[lo, hi] (lo < hi) around the median of three (by rank) of lo, mid and hi;
 * returns the pivot's final slot st: pool[lo, st) rank before it, pool(st, hi] after it.
 */
// @ts-ignore: decorator
@inline
function partition(lo: i32, hi: i32): i32 {
  const mid = lo + ((hi - lo) >> 1);
  if (recBefore(v128.load(rec(mid)), v128.load(rec(lo)))) swapRec(mid, lo);
  if (recBefore(v128.load(rec(hi)), v128.load(rec(lo)))) swapRec(hi, lo);
  if (recBefore(v128.load(rec(mid)), v128.load(rec(hi)))) swapRec(mid, hi);
  // Now lo <= hi <= mid in rank: the median sits at hi. Branch-free Lomuto partition:
  // every element is swapped with slot st, and st advances only past elements that rank
  // before the pivot ([lo, st) before it, [st, i] not), so random data costs no mispredicts.
  const pv = v128.load(rec(hi));
  const pl = f64x2.extract_lane(pv, 0);
  const pi = f64x2.extract_lane(pv, 1);
  let st = lo;
  for (let i = lo; i < hi; i++) {
    const x = v128.load(rec(i));
    v128.store(rec(i), v128.load(rec(st)));
    v128.store(rec(st), x);
    const xl = f64x2.extract_lane(x, 0);
    const xi = f64x2.extract_lane(x, 1);
    st += <i32>(xl > pl) | (<i32>(xl == pl) & <i32>(xi < pi));
  }
  swapRec(st, hi);
  return st;
}

/** Rearranges pool[0, m) so that its k best entries (by rank) come first, 0 < k < m. */
function selectBest(m: i32, k: i32): void {
  let lo = 0;
  let hi = m - 1;
  while (lo < hi) {
    const st = partition(lo, hi);
    if (st == k - 1 || st == k) return;
    if (st < k) lo = st + 1;
    else hi = st - 1;
  }
}

/** Records pool[from, from + count) to slots [at, at + count) of a series' two arrays. */
// @ts-ignore: decorator
@inline
function recordsToSlots(vals: usize, idxs: usize, at: i32, from: i32, count: i32): void {
  for (let i = 0; i < count; i++) {
    const x = v128.load(rec(from + i));
    v128.store64_lane(vals + (<usize>(at + i) << 3), x, 0);
    v128.store64_lane(idxs + (<usize>(at + i) << 3), x, 1);
  }
}

/**
 * Moves (L, I) down from slot k of a heap of `size` entries until its children rank before it:
 * the heap keeps its worst entry at the root (slot 0), the bar a new loss must clear.
 */
// @ts-ignore: decorator
@inline
function siftDown(vals: usize, idxs: usize, size: i32, k: i32, L: f64, I: f64): void {
  for (;;) {
    const l = (k << 1) + 1;
    if (l >= size) break;
    let c = l;
    let cl = load<f64>(vals + (<usize>l << 3));
    let ci = load<f64>(idxs + (<usize>l << 3));
    const r = l + 1;
    if (r < size) {
      const rl = load<f64>(vals + (<usize>r << 3));
      const ri = load<f64>(idxs + (<usize>r << 3));
      if (ranksBefore(cl, ci, rl, ri)) {
        c = r;
        cl = rl;
        ci = ri;
      }
    }
    if (!ranksBefore(L, I, cl, ci)) break;
    store<f64>(vals + (<usize>k << 3), cl);
    store<f64>(idxs + (<usize>k << 3), ci);
    k = c;
  }
  store<f64>(vals + (<usize>k << 3), L);
  store<f64>(idxs + (<usize>k << 3), I);
}

/** Floyd's bottom-up heap construction over `size` entries, O(size). */
function heapify(vals: usize, idxs: usize, size: i32): void {
  for (let k = (size >> 1) - 1; k >= 0; k--) {
    siftDown(vals, idxs, size, k, load<f64>(vals + (<usize>k << 3)), load<f64>(idxs + (<usize>k << 3)));
  }
}

/** Inserts (L, I) into a heap of `size` entries (capacity cap); returns the new size. */
// @ts-ignore: decorator
@inline
function heapInsert(vals: usize, idxs: usize, size: i32, cap: i32, L: f64, I: f64): i32 {
  if (size < cap) {
    let k = size;
    while (k > 0) {
      const p = (k - 1) >> 1;
      const pl = load<f64>(vals + (<usize>p << 3));
      const pi = load<f64>(idxs + (<usize>p << 3));
      if (!ranksBefore(pl, pi, L, I)) break;
      store<f64>(vals + (<usize>k << 3), pl);
      store<f64>(idxs + (<usize>k << 3), pi);
      k = p;
    }
    store<f64>(vals + (<usize>k << 3), L);
    store<f64>(idxs + (<usize>k << 3), I);
    return size + 1;
  }
  if (cap <= 0 || !ranksBefore(L, I, load<f64>(vals), load<f64>(idxs))) return size;
  siftDown(vals, idxs, size, 0, L, I);
  return size;
}

/**
 * Resolves the n candidates in pool[0, n) against one series' buffer of `size` entries;
 * returns the new size.
 */
function resolve(vals: usize, idxs: usize, cap: i32, size: i32, n: i32): i32 {
  // Free slots first, in arrival order; the buffer becomes a heap when it fills.
  const fill = min(cap - size, n);
  if (fill > 0) {
    recordsToSlots(vals, idxs, size, 0, fill);
    size += fill;
    if (size == cap) heapify(vals, idxs, cap);
  }
  const m = n - fill;
  if (m <= 0 || cap <= 0) return size;
  // A few candidates: replace the root one by one, log2(cap) each. Many: pool them with the
  // kept entries, select the best cap in O(cap + m), and restore the heap in O(cap).
  if (m * 16 < cap || !poolable(cap)) {
    for (let e = fill; e < n; e++) {
      const x = v128.load(rec(e));
      size = heapInsert(vals, idxs, size, cap, f64x2.extract_lane(x, 0), f64x2.extract_lane(x, 1));
    }
    return size;
  }
  // Pool: the kept entries, then the remaining candidates; keep the best cap.
  memory.copy(rec(cap), rec(fill), <usize>m << 4);
  for (let i = 0; i < cap; i++) {
    v128.store(rec(i), v128.load64_lane(idxs + (<usize>i << 3), v128.load64_zero(vals + (<usize>i << 3)), 1));
  }
  selectBest(cap + m, cap);
  recordsToSlots(vals, idxs, 0, 0, cap);
  heapify(vals, idxs, cap);
  return size;
}

/**
 * Appends the lanes of L (scenario indices first, first + 1) that are candidates, as the
 * scalar test decides them: not L < threshold, and not (full and L < root). Each lane is
 * written to the next record and kept by advancing n, without a branch. Returns n.
 */
// @ts-ignore: decorator
@inline
function appendPair(L: v128, first: f64, thV: v128, rootV: v128, full: bool, n: i32): i32 {
  let drop = f64x2.lt(L, thV);
  if (full) drop = v128.or(drop, f64x2.lt(L, rootV));
  const keep = ~i64x2.bitmask(drop);
  v128.store(rec(n), f64x2.replace_lane(L, 1, first)); // (L lane 0, index first)
  n += keep & 1;
  v128.store(rec(n), f64x2.replace_lane(f64x2.splat(first + 1.0), 0, f64x2.extract_lane(L, 1))); // (L lane 1, first + 1)
  n += (keep >> 1) & 1;
  return n;
}

// A fresh buffer (a task's first chunk) would take the row's first `cap` cells whatever
// they are and then raise its bar batch by batch. Instead, a bar is estimated from 64
// evenly spaced cells (the loss that about 2 cap of the row's cells reach) and checked by
// counting: if at least `cap` cells reach it, none below it can be among the row's best cap,
// so it serves as the row's threshold; otherwise it is dropped. The twin does the same.
// @ts-ignore: decorator
@inline const SAMPLES: i32 = 64;
const sampleBuf: usize = memory.data(SAMPLES << 3, 16);

/**
 * The row's estimated bar (see above) if it is above `threshold`, else -Infinity. Needs
 * C >= 4 cap and C >= 256.
 */
function sampleBar(row: usize, C: i32, cap: i32, sign: f64, threshold: f64): f64 {
  const stride = C / SAMPLES;
  const j = (2 * cap * SAMPLES) / C;
  // The estimate is the (j+1)-th largest sample: not above the threshold unless more than
  // j samples are (the usual case once thresholds exist), and then there is nothing to do.
  let over = 0;
  for (let i = 0; i < SAMPLES; i++) over += <i32>(sign * load<f64>(row + (<usize>(i * stride) << 3)) > threshold);
  if (over <= j) return -Infinity;
  for (let i = 0; i < SAMPLES; i++) {
    const L = sign * load<f64>(row + (<usize>(i * stride) << 3));
    if (!isFinite<f64>(L)) return -Infinity;
    let j = i;
    for (; j > 0 && load<f64>(sampleBuf + (<usize>(j - 1) << 3)) < L; j--) {
      store<f64>(sampleBuf + (<usize>j << 3), load<f64>(sampleBuf + (<usize>(j - 1) << 3)));
    }
    store<f64>(sampleBuf + (<usize>j << 3), L);
  }
  const bar = load<f64>(sampleBuf + (<usize>j << 3));
  const barV = f64x2.splat(bar);
  const signV = f64x2.splat(sign);
  let below = 0;
  let s = 0;
  for (; s + 2 <= C; s += 2) {
    below += popcnt<i32>(i64x2.bitmask(f64x2.lt(f64x2.mul(signV, v128.load(row + (<usize>s << 3))), barV)));
  }
  if (s < C) below += <i32>(sign * load<f64>(row + (<usize>s << 3)) < bar);
  return C - below >= cap ? bar : -Infinity;
}

/**
 * Offers every cell of nSeries P&L rows (C scenarios each, column 0 = scenario `start`) as
 * loss = sign * value, skipping losses strictly below threshold[r]. Returns -1, or the first
 * series holding a non-finite value: a NaN would silently drop out of every comparison, so
 * it must stop the run instead (that series' buffer is then left unspecified).
 */
export function tailsPush(
  nSeries: i32, rowsPtr: usize, C: i32, start: f64, sign: f64, cap: i32,
  heapValPtr: usize, heapIdxPtr: usize, heapSizePtr: usize, thresholdPtr: usize,
): i32 {
  // The screen compares P&L values rather than losses where the sign allows (no multiply).
  if (sign == -1.0) return pushRows(2, nSeries, rowsPtr, C, start, sign, cap, heapValPtr, heapIdxPtr, heapSizePtr, thresholdPtr);
  if (sign == 1.0) return pushRows(1, nSeries, rowsPtr, C, start, sign, cap, heapValPtr, heapIdxPtr, heapSizePtr, thresholdPtr);
  return pushRows(0, nSeries, rowsPtr, C, start, sign, cap, heapValPtr, heapIdxPtr, heapSizePtr, thresholdPtr);
}

/**
 * Lanes of a block of P&L values v that may be candidates: sign * v >= bar (as v <= -bar
 * for sign -1, v >= bar for sign +1). NaN lanes are caught by the caller's finiteness test.
 */
// @ts-ignore: decorator
@inline
function mayPass(mode: i32, v: v128, signV: v128, bar: v128, negBar: v128): v128 {
  if (mode == 2) return f64x2.le(v, negBar);
  if (mode == 1) return f64x2.ge(v, bar);
  return f64x2.ge(f64x2.mul(signV, v), bar);
}

// @ts-ignore: decorator
@inline
function pushRows(
  mode: i32, nSeries: i32, rowsPtr: usize, C: i32, start: f64, sign: f64, cap: i32,
  heapValPtr: usize, heapIdxPtr: usize, heapSizePtr: usize, thresholdPtr: usize,
): i32 {
  const signV = f64x2.splat(sign);
  const zero = f64x2.splat(0.0);
  const limit = batchLimit(cap);
  for (let r = 0; r < nSeries; r++) {
    const row = rowsPtr + (<usize>(r * C) << 3);
    const vals = heapValPtr + (<usize>(r * cap) << 3);
    const idxs = heapIdxPtr + (<usize>(r * cap) << 3);
    const sizePtr = heapSizePtr + (<usize>r << 2);
    let threshold = load<f64>(thresholdPtr + (<usize>r << 3));
    let size = load<i32>(sizePtr);
    if (size == 0 && threshold == -Infinity && cap > 0 && C >= 256 && C >= 4 * cap) {
      const est = sampleBar(row, C, cap, sign, threshold);
      if (est > threshold) threshold = est;
    }
    let s = 0;
    while (s < C) {
      // One batch: scan from s until the row ends or `limit` candidates are collected.
      const full = cap > 0 && size >= cap;
      const root = full ? load<f64>(vals) : -Infinity;
      // The screen's bar: a loss below it is refused by the exact test. A NaN threshold
      // refuses nothing, so then every block takes the exact path (bar -Infinity).
      const barS = threshold != threshold ? -Infinity : full && root > threshold ? root : threshold;
      const bar = f64x2.splat(barS);
      const negBar = f64x2.splat(-barS);
      const thV = f64x2.splat(threshold);
      const rootV = f64x2.splat(root);
      let n = 0;
      while (s < C && n < limit) {
        // Skip blocks of 8 cells without a candidate or a non-finite value (most of them).
        let at = row + (<usize>s << 3);
        while (s + 8 <= C) {
          const v0 = v128.load(at);
          const v1 = v128.load(at, 16);
          const v2 = v128.load(at, 32);
          const v3 = v128.load(at, 48);
          // The sum of the 8 cells is finite unless one of them is not (or it overflows,
          // which only sends a finite block down the exact path).
          const acc = f64x2.add(f64x2.add(v0, v1), f64x2.add(v2, v3));
          const flag = v128.or(
            v128.or(v128.or(mayPass(mode, v0, signV, bar, negBar), mayPass(mode, v1, signV, bar, negBar)),
              v128.or(mayPass(mode, v2, signV, bar, negBar), mayPass(mode, v3, signV, bar, negBar))),
            f64x2.ne(f64x2.sub(acc, acc), zero),
          );
          if (v128.any_true(flag)) break;
          s += 8;
          at += 64;
        }
        if (s >= C) break;
        if (s + 8 <= C) {
          const v0 = v128.load(at);
          const v1 = v128.load(at, 16);
          const v2 = v128.load(at, 32);
          const v3 = v128.load(at, 48);
          const acc = f64x2.add(f64x2.add(v0, v1), f64x2.add(v2, v3));
          if (i64x2.all_true(f64x2.eq(f64x2.sub(acc, acc), zero))) {
            // Finite, with a candidate: append the lanes that pass the exact test (not below
            // the threshold, and not below a full buffer's worst), branch-free, in order.
            const first = start + <f64>s;
            n = appendPair(f64x2.mul(signV, v0), first, thV, rootV, full, n);
            n = appendPair(f64x2.mul(signV, v1), first + 2.0, thV, rootV, full, n);
            n = appendPair(f64x2.mul(signV, v2), first + 4.0, thV, rootV, full, n);
            n = appendPair(f64x2.mul(signV, v3), first + 6.0, thV, rootV, full, n);
            s += 8;
            continue;
          }
        }
        // The last cells of the row, or a block holding a non-finite value: cell by cell,
        // in order, returning at the first non-finite value.
        const e = min(s + 8, C);
        for (; s < e; s++) {
          const v = load<f64>(row + (<usize>s << 3));
          if (!isFinite<f64>(v)) return r;
          const L = sign * v;
          store<f64>(rec(n), L);
          store<f64>(rec(n), start + <f64>s, 8);
          n += <i32>!(L < threshold) & <i32>!(full & (L < root));
        }
      }
      if (n > 0) {
        size = resolve(vals, idxs, cap, size, n);
        store<i32>(sizePtr, size);
      }
    }
  }
  return -1;
}

/**
 * Sorts pool[lo, hi] by rank, best first: quicksort on selectBest's partition, recursing
 * into the smaller side; insertion sort below 16 entries.
 */
function sortRecords(lo: i32, hi: i32): void {
  while (hi - lo >= 16) {
    const st = partition(lo, hi);
    if (st - lo < hi - st) {
      sortRecords(lo, st - 1);
      lo = st + 1;
    } else {
      sortRecords(st + 1, hi);
      hi = st - 1;
    }
  }
  for (let i = lo + 1; i <= hi; i++) {
    const x = v128.load(rec(i));
    let j = i;
    for (; j > lo && recBefore(x, v128.load(rec(j - 1))); j--) v128.store(rec(j), v128.load(rec(j - 1)));
    v128.store(rec(j), x);
  }
}

/**
 * Sorts every series' kept entries, slots [0, size), by rank (loss descending, then index
 * ascending), in place: the form in which a worker hands its tails over, so that the main
 * thread merges the workers' lists in O(k) per series instead of sorting their union. The
 * order is unique (indices differ), so any correct sort gives the same slots; the twin uses a
 * heapsort. Here the entries are sorted as 16-byte records in the pool (quicksort, sequential
 * and branch-free where it counts); a buffer too large for the pool is heapsorted in place.
 */
export function tailsSort(nSeries: i32, cap: i32, heapValPtr: usize, heapIdxPtr: usize, heapSizePtr: usize): void {
  for (let r = 0; r < nSeries; r++) {
    const vals = heapValPtr + (<usize>(r * cap) << 3);
    const idxs = heapIdxPtr + (<usize>(r * cap) << 3);
    const size = load<i32>(heapSizePtr + (<usize>r << 2));
    if (size <= POOL_MAX) {
      for (let i = 0; i < size; i++) {
        v128.store(rec(i), v128.load64_lane(idxs + (<usize>i << 3), v128.load64_zero(vals + (<usize>i << 3)), 1));
      }
      sortRecords(0, size - 1);
      recordsToSlots(vals, idxs, 0, 0, size);
      continue;
    }
    // Heapsort on the buffer's own heap (a full buffer already is one): each step moves the
    // worst remaining entry to the end.
    if (size < cap) heapify(vals, idxs, size);
    for (let end = size - 1; end > 0; end--) {
      const L = load<f64>(vals + (<usize>end << 3));
      const I = load<f64>(idxs + (<usize>end << 3));
      store<f64>(vals + (<usize>end << 3), load<f64>(vals));
      store<f64>(idxs + (<usize>end << 3), load<f64>(idxs));
      siftDown(vals, idxs, end, 0, L, I);
    }
  }
}
