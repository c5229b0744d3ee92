// TypeScript twin of assembly/tails.ts: streaming tail buffers. Per series, the kept
// entries at heapVal[r*cap ..], heapIdx[r*cap ..] (scenario indices as f64), heapSize[r]:
// the `cap` largest losses under the total order "loss descending, then scenario index
// ascending", so the kept set is unique whatever the chunking or merge order. Slots
// [0, size) in arrival order until the buffer fills, then a binary min-heap whose root,
// slot 0, is the worst kept entry. Same batches, fill order, pivots and partitions as the WASM kernel, so the two
// agree slot for slot (the f64x2 screen only skips cells that are not candidates).

/** True when (la, ia) ranks strictly before (lb, ib): larger loss, or equal loss and lower index. */
function ranksBefore(la: number, ia: number, lb: number, ib: number): boolean {
  return la > lb || (la === lb && ia < ib);
}

const POOL_MAX = 16384;
const CAND_MAX = 4096;
const poolVal = new Float64Array(POOL_MAX);
const poolIdx = new Float64Array(POOL_MAX);

function batchLimit(cap: number): number {
  return Math.min(Math.max(cap, 64), CAND_MAX - 8);
}

function poolable(cap: number): boolean {
  return cap <= POOL_MAX - CAND_MAX;
}

/** Moves (L, I) down from slot base + k of a heap of `size` entries (root = worst kept entry). */
function siftDown(vals: Float64Array, idxs: Float64Array, base: number, size: number, k: number, L: number, I: number): void {
  for (;;) {
    const l = 2 * k + 1;
    if (l >= size) break;
    let c = l;
    let cl = vals[base + l];
    let ci = idxs[base + l];
    const rr = l + 1;
    if (rr < size) {
      const rl = vals[base + rr];
      const ri = idxs[base + rr];
      if (ranksBefore(cl, ci, rl, ri)) {
        c = rr;
        cl = rl;
        ci = ri;
      }
    }
    if (!ranksBefore(L, I, cl, ci)) break;
    vals[base + k] = cl;
    idxs[base + k] = ci;
    k = c;
  }
  vals[base + k] = L;
  idxs[base + k] = I;
}

/** Floyd's bottom-up heap construction over `size` entries, O(size). */
function heapify(vals: Float64Array, idxs: Float64Array, base: number, size: number): void {
  for (let k = (size >> 1) - 1; k >= 0; k--) siftDown(vals, idxs, base, size, k, vals[base + k], idxs[base + k]);
}

/** Inserts (L, I) into a heap of `size` entries (capacity cap); returns the new size. */
function heapInsert(vals: Float64Array, idxs: Float64Array, base: number, size: number, cap: number, L: number, I: number): number {
  if (size < cap) {
    let k = size;
    while (k > 0) {
      const p = (k - 1) >> 1;
      const pl = vals[base + p];
      const pi = idxs[base + p];
      if (!ranksBefore(pl, pi, L, I)) break;
      vals[base + k] = pl;
      idxs[base + k] = pi;
      k = p;
    }
    vals[base + k] = L;
    idxs[base + k] = I;
    return size + 1;
  }
  if (cap <= 0 || !ranksBefore(L, I, vals[base], idxs[base])) return size;
  siftDown(vals, idxs, base, size, 0, L, I);
  return size;
}

function swapPool(a: number, b: number): void {
  const la = poolVal[a];
  const ia = poolIdx[a];
  poolVal[a] = poolVal[b];
  poolIdx[a] = poolIdx[b];
  poolVal[b] = la;
  poolIdx[b] = ia;
}

/** Rearranges pool[0, m) so that its k best entries (by rank) come first, 0 < k < m. */
function selectBest(m: number, k: number): void {
  let lo = 0;
  let hi = m - 1;
  while (lo < hi) {
    const mid = lo + ((hi - lo) >> 1);
    if (ranksBefore(poolVal[mid], poolIdx[mid], poolVal[lo], poolIdx[lo])) swapPool(mid, lo);
    if (ranksBefore(poolVal[hi], poolIdx[hi], poolVal[lo], poolIdx[lo])) swapPool(hi, lo);
    if (ranksBefore(poolVal[mid], poolIdx[mid], poolVal[hi], poolIdx[hi])) swapPool(mid, hi);
    // Branch-free Lomuto, as in WASM: every element is swapped with slot st; st advances
    // past those that rank before the pivot.
    const pl = poolVal[hi];
    const pi = poolIdx[hi];
    let st = lo;
    for (let i = lo; i < hi; i++) {
      const xl = poolVal[i];
      const xi = poolIdx[i];
      poolVal[i] = poolVal[st];
      poolIdx[i] = poolIdx[st];
      poolVal[st] = xl;
      poolIdx[st] = xi;
      if (ranksBefore(xl, xi, pl, pi)) st++;
    }
    swapPool(st, hi);
    if (st === k - 1 || st === k) return;
    if (st < k) lo = st + 1;
    else hi = st - 1;
  }
}

/** Resolves the n candidates in pool[0, n) against series r's buffer of `size`; returns the new size. */
function resolve(vals: Float64Array, idxs: Float64Array, r: number, cap: number, size: number, n: number): number {
  const base = r * cap;
  const fill = Math.min(cap - size, n);
  if (fill > 0) {
    vals.set(poolVal.subarray(0, fill), base + size);
    idxs.set(poolIdx.subarray(0, fill), base + size);
    size += fill;
    if (size === cap) heapify(vals, idxs, base, cap);
  }
  const m = n - fill;
  if (m <= 0 || cap <= 0) return size;
  if (m * 16 < cap || !poolable(cap)) {
    for (let e = fill; e < n; e++) size = heapInsert(vals, idxs, base, size, cap, poolVal[e], poolIdx[e]);
    return size;
  }
  poolVal.copyWithin(cap, fill, n);
  poolIdx.copyWithin(cap, fill, n);
  poolVal.set(vals.subarray(base, base + cap), 0);
  poolIdx.set(idxs.subarray(base, base + cap), 0);
  selectBest(cap + m, cap);
  vals.set(poolVal.subarray(0, cap), base);
  idxs.set(poolIdx.subarray(0, cap), base);
  heapify(vals, idxs, base, cap);
  return size;
}

// A fresh buffer's row bar, as in assembly/tails.ts: estimated from 64 evenly spaced cells,
// kept only if at least `cap` cells of the row reach it.
const SAMPLES = 64;
const sampleBuf = new Float64Array(SAMPLES);

function sampleBar(rows: Float64Array, row: number, C: number, cap: number, sign: number, threshold: number): number {
  const stride = Math.floor(C / SAMPLES);
  const j = Math.floor((2 * cap * SAMPLES) / C);
  let over = 0;
  for (let i = 0; i < SAMPLES; i++) if (sign * rows[row + i * stride] > threshold) over++;
  if (over <= j) return -Infinity;
  for (let i = 0; i < SAMPLES; i++) {
    const L = sign * rows[row + i * stride];
    if (!Number.isFinite(L)) return -Infinity;
    let j = i;
    for (; j > 0 && sampleBuf[j - 1] < L; j--) sampleBuf[j] = sampleBuf[j - 1];
    sampleBuf[j] = L;
  }
  const bar = sampleBuf[j];
  let below = 0;
  for (let s = 0; s < C; s++) if (sign * rows[row + s] < bar) below++;
  return C - below >= cap ? bar : -Infinity;
}

/**
 * Offers every cell of nSeries P&L rows (C scenarios each, column 0 = scenario `start`) as
 * loss = sign * value, skipping losses strictly below threshold[r]. Returns -1, or the first
 * series holding a non-finite value (checked before the threshold test; returns at once and
 * leaves that series' buffer unspecified).
 */
export function tailsPush(
  nSeries: number, rows: Float64Array, C: number, start: number, sign: number, cap: number,
  heapVal: Float64Array, heapIdx: Float64Array, heapSize: Int32Array, threshold: Float64Array,
): number {
  const limit = batchLimit(cap);
  for (let r = 0; r < nSeries; r++) {
    const row = r * C;
    let th = threshold[r];
    let size = heapSize[r];
    if (size === 0 && th === -Infinity && cap > 0 && C >= 256 && C >= 4 * cap) {
      const est = sampleBar(rows, row, C, cap, sign, th);
      if (est > th) th = est;
    }
    let s = 0;
    while (s < C) {
      const full = cap > 0 && size >= cap;
      const root = full ? heapVal[r * cap] : -Infinity;
      let n = 0;
      // The WASM screen skips 8-cell blocks without a candidate; a batch closes once it
      // holds batchLimit(cap) candidates, checked between blocks of 8 (or the last cells).
      while (s < C && n < limit) {
        const e = Math.min(s + 8, C);
        for (; s < e; s++) {
          const v = rows[row + s];
          if (!Number.isFinite(v)) return r;
          const L = sign * v;
          if (L < th || (full && L < root)) continue;
          poolVal[n] = L;
          poolIdx[n] = start + s;
          n++;
        }
      }
      if (n > 0) {
        size = resolve(heapVal, heapIdx, r, cap, size, n);
        heapSize[r] = size;
      }
    }
  }
  return -1;
}

/**
 * Sorts every series' kept entries, slots [0, size), by rank (loss descending, then index
 * ascending), in place: heapsort on the buffer's own heap (a partial buffer is heapified
 * first), each step moving the worst remaining entry to the end. Twin of the WASM tailsSort,
 * which quicksorts in its pool where the buffer fits: the order is unique, so the slots agree.
 */
export function tailsSort(
  nSeries: number, cap: number, heapVal: Float64Array, heapIdx: Float64Array, heapSize: Int32Array,
): void {
  for (let r = 0; r < nSeries; r++) {
    const base = r * cap;
    const size = heapSize[r];
    if (size < cap) heapify(heapVal, heapIdx, base, size);
    for (let end = size - 1; end > 0; end--) {
      const L = heapVal[base + end];
      const I = heapIdx[base + end];
      heapVal[base + end] = heapVal[base];
      heapIdx[base + end] = heapIdx[base];
      siftDown(heapVal, heapIdx, base, end, 0, L, I);
    }
  }
}

/**
 * Series r's kept entries sorted by (loss descending, index ascending): values[0] is the
 * worst loss, values[k-1] the k-th largest. `size` is the heapSize array or series r's size.
 */
export function tailsSorted(
  heapVal: Float64Array, heapIdx: Float64Array, size: Int32Array | number, r: number, cap: number,
): { values: Float64Array; indices: Float64Array } {
  const n = typeof size === "number" ? size : size[r];
  const base = r * cap;
  const order = Array.from({ length: n }, (_, k) => k);
  order.sort((a, b) => {
    const la = heapVal[base + a];
    const lb = heapVal[base + b];
    if (la !== lb) return la > lb ? -1 : 1;
    return heapIdx[base + a] - heapIdx[base + b];
  });
  const values = new Float64Array(n);
  const indices = new Float64Array(n);
  for (let k = 0; k < n; k++) {
    values[k] = heapVal[base + order[k]];
    indices[k] = heapIdx[base + order[k]];
  }
  return { values, indices };
}
