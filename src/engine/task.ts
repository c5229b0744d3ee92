// What crosses the thread boundary, and how: tasks are tiny; results are one Float64Array whose
// buffer is transferred, never cloned.

export interface ScenarioTask {
  set: number;
  start: number;
  count: number;
  /** Per series: losses strictly below are skipped (the merged k-th largest so far). */
  thresholds?: Float64Array;
}

/** Layout: [size_0 .. size_{n-1}, values of series 0, 1, ..., indices of series 0, 1, ...]. */
export function packTails(nSeries: number, cap: number, size: Int32Array, val: Float64Array, idx: Float64Array): Float64Array {
  let total = 0;
  for (let r = 0; r < nSeries; r++) total += size[r];
  const out = new Float64Array(nSeries + 2 * total);
  let o = nSeries;
  for (let r = 0; r < nSeries; r++) {
    out[r] = size[r];
    out.set(val.subarray(r * cap, r * cap + size[r]), o);
    o += size[r];
  }
  for (let r = 0; r < nSeries; r++) {
    out.set(idx.subarray(r * cap, r * cap + size[r]), o);
    o += size[r];
  }
  return out;
}
