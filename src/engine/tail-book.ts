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

  /** Merges one worker result (the layout of packTails). */
  merge(packed: Float64Array): void {
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

  /** Per series, the loss a new scenario must reach to matter: the k-th largest once k are known. */
  thresholds(): Float64Array {
    const out = new Float64Array(this.nSeries).fill(-Infinity);
    const size = this.k.i32(this.size, this.nSeries);
    const val = this.k.f64(this.val, this.nSeries * this.cap);
    for (let r = 0; r < this.nSeries; r++) if (size[r] === this.cap) out[r] = val[r * this.cap];
    return out;
  }

  measures(): TailMeasures[] {
    const size = this.k.i32(this.size, this.nSeries);
    const val = this.k.f64(this.val, this.nSeries * this.cap);
    const idx = this.k.f64(this.idx, this.nSeries * this.cap);
    const out: TailMeasures[] = [];
    for (let r = 0; r < this.nSeries; r++) {
      const m = size[r];
      const base = r * this.cap;
      const order = Array.from({ length: m }, (_, i) => base + i).sort((a, b) => val[b] - val[a] || idx[a] - idx[b]);
      // Neumaier summation: k can be 10^4 losses of mixed sign and size.
      let sum = 0;
      let comp = 0;
      for (const i of order) {
        const v = val[i];
        const t = sum + v;
        comp += Math.abs(sum) >= Math.abs(v) ? sum - t + v : v - t + sum;
        sum = t;
      }
      out.push({
        var: val[order[m - 1]],
        es: (sum + comp) / m,
        worst: val[order[0]],
        worstScenario: idx[order[0]],
        varScenario: idx[order[m - 1]],
      });
    }
    return out;
  }
}
