import type { WasmKernels } from '../kernels/wasm.js';

/** VaR, ES and worst loss of one series over one set, with the scenarios behind them. */
export interface TailMeasures {
  var: number;
  es: number;
  worst: number;
  /** Scenario index of the worst loss and of the VaR loss (regenerate it to explain the number). */
  worstScenario: number;
  varScenario: number;
}

/**
 * The exact top-k losses of every series over a whole set, merged from the workers' partial
 * tails in the main thread's own WASM instance. Results do not depend on how scenarios were cut
 * into tasks: the kept set is unique under the order (loss desc, scenario index asc), and the
 * measures are computed from it sorted, so even the ES summation order is fixed.
 */
/** Entries staged per merge call: 4 MiB of losses and indices. */
const STAGING_ENTRIES = 1 << 18;

export class TailBook {
  private readonly val: number;
  private readonly idx: number;
  private readonly size: number;
  private readonly inCounts: number;
  private readonly inVals: number;
  private readonly inIdxs: number;
  private readonly staging: number;
  constructor(
    private readonly k: WasmKernels,
    readonly nSeries: number,
    readonly cap: number,
    stagingEntries = STAGING_ENTRIES,
  ) {
    k.reset();
    this.val = k.alloc(Math.max(nSeries * cap, 1) * 8);
    this.idx = k.alloc(Math.max(nSeries * cap, 1) * 8);
    this.size = k.alloc(Math.max(nSeries, 1) * 4);
    // Worker results are merged a batch of series at a time through a fixed staging area, so
    // the main thread holds the merged tails once, not twice (with 10^6 scenarios and 10^3
    // series that is ~170 MB saved). A result has at most cap entries per series, so one series
    // always fits.
    this.staging = Math.min(nSeries * cap, Math.max(cap, stagingEntries));
    this.inCounts = k.alloc(Math.max(nSeries, 1) * 4);
    this.inVals = k.alloc(Math.max(this.staging, 1) * 8);
    this.inIdxs = k.alloc(Math.max(this.staging, 1) * 8);
    k.i32(this.size, nSeries).fill(0);
  }

  /** Merges one worker's tails: the layout of packTails, from `start` on. */
  merge(result: Float64Array, start = 0): void {
    const packed = start ? result.subarray(start) : result;
    const n = this.nSeries;
    let total = 0;
    for (let r = 0; r < n; r++) total += packed[r];
    if (total > n * this.cap) throw new Error(`internal: a worker returned ${total} tail entries for ${n} series of capacity ${this.cap}`);
    this.k.i32(this.inCounts, n).set(packed.subarray(0, n));
    let offset = 0;
    for (let r0 = 0; r0 < n; ) {
      let r1 = r0;
      let entries = 0;
      while (r1 < n && entries + packed[r1] <= this.staging) entries += packed[r1++];
      this.k.f64(this.inVals, entries).set(packed.subarray(n + offset, n + offset + entries));
      this.k.f64(this.inIdxs, entries).set(packed.subarray(n + total + offset, n + total + offset + entries));
      const row = r0 * this.cap * 8;
      this.k.exports.tailsMerge(r1 - r0, this.inCounts + r0 * 4, this.inVals, this.inIdxs, this.cap, this.val + row, this.idx + row, this.size + r0 * 4);
      offset += entries;
      r0 = r1;
    }
  }

  /**
   * VaR, ES and worst per series from the kept losses. The slots' order depends on how results
   * were merged, so ES is summed over the values sorted (ties are equal values, so the sum is
   * the same bits whatever the merge order); the scenarios behind worst and VaR are found by the
   * tie rule (worst: the lowest index among the largest loss; VaR, the k-th in the order loss
   * desc then index asc: the highest index among the smallest kept loss).
   */
  measures(): TailMeasures[] {
    const size = this.k.i32(this.size, this.nSeries);
    const val = this.k.f64(this.val, this.nSeries * this.cap);
    const idx = this.k.f64(this.idx, this.nSeries * this.cap);
    const out: TailMeasures[] = [];
    for (let r = 0; r < this.nSeries; r++) {
      const m = size[r];
      const base = r * this.cap;
      const sorted = val.slice(base, base + m).sort();
      // Neumaier summation, largest loss first: k can be 10^4 losses of mixed sign and size.
      let sum = 0;
      let comp = 0;
      for (let i = m - 1; i >= 0; i--) {
        const v = sorted[i];
        const t = sum + v;
        comp += Math.abs(sum) >= Math.abs(v) ? sum - t + v : v - t + sum;
        sum = t;
      }
      const worst = sorted[m - 1];
      const kth = sorted[0];
      let worstScenario = Infinity;
      let varScenario = -Infinity;
      for (let i = base; i < base + m; i++) {
        if (val[i] === worst && idx[i] < worstScenario) worstScenario = idx[i];
        if (val[i] === kth && idx[i] > varScenario) varScenario = idx[i];
      }
      out.push({ var: kth, es: (sum + comp) / m, worst, worstScenario, varScenario });
    }
    return out;
  }
}
