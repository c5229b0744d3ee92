// Streaming tail buffers: per series, the `cap` largest losses seen so far, kept in a
// binary min-heap whose root is the worst kept entry. Ties are broken by scenario index
// (loss descending, then index ascending), so the kept set is unique and does not depend
// on chunking or the order in which workers' partial heaps are merged.

/** True when (la, ia) ranks strictly before (lb, ib): larger loss, or equal loss and lower index. */
// @ts-ignore: decorator
@inline
function ranksBefore(la: f64, ia: f64, lb: f64, ib: f64): bool {
  return la > lb || (la == lb && ia < ib);
}

// @ts-ignore: decorator
@inline
function heapOffer(vals: usize, idxs: usize, sizePtr: usize, cap: i32, L: f64, I: f64): void {
  let size = load<i32>(sizePtr);
  if (size < cap) {
    // Sift up: parents must rank after their children.
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
    store<i32>(sizePtr, size + 1);
    return;
  }
  if (cap <= 0 || !ranksBefore(L, I, load<f64>(vals), load<f64>(idxs))) return;
  // Replace the root and sift down towards the child that ranks last.
  let k = 0;
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

/**
 * Offers every cell of nSeries P&L rows (C scenarios each, column 0 = scenario `start`) as
 * loss = sign * value. Returns -1, or the first series holding a non-finite value: a NaN
 * would silently drop out of every comparison, so it must stop the run instead.
 */
export function tailsPush(
  nSeries: i32, rowsPtr: usize, C: i32, start: f64, sign: f64, cap: i32,
  heapValPtr: usize, heapIdxPtr: usize, heapSizePtr: usize, thresholdPtr: usize,
): i32 {
  for (let r = 0; r < nSeries; r++) {
    const row = rowsPtr + (<usize>(r * C) << 3);
    const vals = heapValPtr + (<usize>(r * cap) << 3);
    const idxs = heapIdxPtr + (<usize>(r * cap) << 3);
    const sizePtr = heapSizePtr + (<usize>r << 2);
    const threshold = load<f64>(thresholdPtr + (<usize>r << 3));
    for (let s = 0; s < C; s++) {
      const v = load<f64>(row + (<usize>s << 3));
      if (!isFinite<f64>(v)) return r;
      const L = sign * v;
      if (L < threshold) continue;
      heapOffer(vals, idxs, sizePtr, cap, L, start + <f64>s);
    }
  }
  return -1;
}

/** Offers given (loss, index) entries, series after series, counts[r] entries for series r. */
export function tailsMerge(
  nSeries: i32, countsPtr: usize, valsPtr: usize, idxsPtr: usize, cap: i32,
  heapValPtr: usize, heapIdxPtr: usize, heapSizePtr: usize,
): void {
  let e = 0;
  for (let r = 0; r < nSeries; r++) {
    const vals = heapValPtr + (<usize>(r * cap) << 3);
    const idxs = heapIdxPtr + (<usize>(r * cap) << 3);
    const sizePtr = heapSizePtr + (<usize>r << 2);
    const end = e + load<i32>(countsPtr + (<usize>r << 2));
    for (; e < end; e++) {
      heapOffer(vals, idxs, sizePtr, cap, load<f64>(valsPtr + (<usize>e << 3)), load<f64>(idxsPtr + (<usize>e << 3)));
    }
  }
}
