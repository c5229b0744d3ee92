// TypeScript twin of assembly/tails.ts: streaming tail buffers. Per series a binary
// min-heap of capacity `cap` at heapVal[r*cap ..], heapIdx[r*cap ..] (scenario indices as
// f64), heapSize[r]. It keeps the `cap` largest losses under the total order "loss
// descending, then scenario index ascending", so the kept set is unique whatever the
// chunking or merge order; the root is the worst kept entry.

/** True when (la, ia) ranks strictly before (lb, ib): larger loss, or equal loss and lower index. */
function ranksBefore(la: number, ia: number, lb: number, ib: number): boolean {
  return la > lb || (la === lb && ia < ib);
}

function heapOffer(
  vals: Float64Array, idxs: Float64Array, sizes: Int32Array, r: number, cap: number,
  L: number, I: number,
): void {
  const base = r * cap;
  const size = sizes[r];
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
    sizes[r] = size + 1;
    return;
  }
  if (cap <= 0 || !ranksBefore(L, I, vals[base], idxs[base])) return;
  let k = 0;
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

/**
 * Offers every cell of nSeries P&L rows (C scenarios each, column 0 = scenario `start`) as
 * loss = sign * value, skipping losses strictly below threshold[r]. Returns -1, or the first
 * series holding a non-finite value (checked before the threshold test; returns at once).
 */
export function tailsPush(
  nSeries: number, rows: Float64Array, C: number, start: number, sign: number, cap: number,
  heapVal: Float64Array, heapIdx: Float64Array, heapSize: Int32Array, threshold: Float64Array,
): number {
  for (let r = 0; r < nSeries; r++) {
    const row = r * C;
    const th = threshold[r];
    for (let s = 0; s < C; s++) {
      const v = rows[row + s];
      if (!Number.isFinite(v)) return r;
      const L = sign * v;
      if (L < th) continue;
      heapOffer(heapVal, heapIdx, heapSize, r, cap, L, start + s);
    }
  }
  return -1;
}

/** Offers given (loss, index) entries, series after series, counts[r] entries for series r. */
export function tailsMerge(
  nSeries: number, counts: Int32Array, vals: Float64Array, idxs: Float64Array, cap: number,
  heapVal: Float64Array, heapIdx: Float64Array, heapSize: Int32Array,
): void {
  let e = 0;
  for (let r = 0; r < nSeries; r++) {
    const end = e + counts[r];
    for (; e < end; e++) heapOffer(heapVal, heapIdx, heapSize, r, cap, vals[e], idxs[e]);
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
