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
export class TailBook {
  private readonly val: number;
  private readonly idx: number;
  private readonly size: number;
  private readonly inCounts: number;
  private readonly inVals: number;
  private readonly inIdxs: number;
  constructor(
    private readonly k: WasmKernels,
    readonly nSeries: number,
    readonly cap: number,
  ) {
    k.reset();
    this.val = k.alloc(Math.max(nSeries * cap, 1) * 8);
    this.idx = k.alloc(Math.max(nSeries * cap, 1) * 8);
    this.size = k.alloc(Math.max(nSeries, 1) * 4);
    // A worker result holds at most cap entries per series, so staging of that size never grows.
    this.inCounts = k.alloc(Math.max(nSeries, 1) * 4);
    this.inVals = k.alloc(Math.max(nSeries * cap, 1) * 8);
    this.inIdxs = k.alloc(Math.max(nSeries * cap, 1) * 8);
    k.i32(this.size, nSeries).fill(0);
  }

  /** Merges one worker result (the layout of packTails). */
  merge(packed: Float64Array): void {
    const n = this.nSeries;
    let total = 0;
    for (let r = 0; r < n; r++) total += packed[r];
    if (total > n * this.cap) throw new Error(`internal: a worker returned ${total} tail entries for ${n} series of capacity ${this.cap}`);
    this.k.i32(this.inCounts, n).set(packed.subarray(0, n));
    this.k.f64(this.inVals, total).set(packed.subarray(n, n + total));
    this.k.f64(this.inIdxs, total).set(packed.subarray(n + total, n + 2 * total));
    this.k.exports.tailsMerge(n, this.inCounts, this.inVals, this.inIdxs, this.cap, this.val, this.idx, this.size);
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
