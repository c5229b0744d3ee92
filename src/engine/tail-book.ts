/** VaR, ES and worst loss of one series over one set, with the scenarios behind them. */
export interface TailMeasures {
  var: number;
  es: number;
  worst: number;
  /** Scenario index of the worst loss and of the VaR loss (regenerate it to explain the number). */
  worstScenario: number;
  varScenario: number;
}

/** One worker's packed tails (the layout of packTails) inside a result, from `start` on. */
export interface PackedTails {
  data: Float64Array;
  start: number;
}

/**
 * The set's measures from the workers' tails. Each worker holds the exact top k of the scenarios
 * it ran, so the set's top k is the top k of their union: per series, the first k of the
 * workers' lists merged. Each list arrives sorted by rank (the worker sorts it in WASM before it
 * packs it, task.ts), so the merge costs O(k) per series and nothing is copied: with 10^6
 * scenarios and 10^3 series a merged copy would take ~170 MB.
 *
 * Results do not depend on how scenarios were cut into tasks or spread over workers. The top k
 * under the order (loss desc, scenario index asc) is unique. ES is summed over the top k in that
 * order, which is the order of the losses themselves (equal losses add the same bits in any
 * order), so its bits do not depend on the arrival order either. The first entry names the worst
 * scenario (the lowest index among the largest losses) and the k-th the VaR scenario.
 */
export function tailMeasures(packs: PackedTails[], nSeries: number, k: number): TailMeasures[] {
  const lists = new SortedLists(packs, nSeries);
  const vals = new Float64Array(k);
  const idxs = new Float64Array(k);
  const out: TailMeasures[] = [];
  for (let r = 0; r < nSeries; r++) {
    const n = lists.open(r);
    if (n < k) throw new Error(`internal: ${n} tail losses for a tail of ${k} in series ${r}`);
    lists.merge(k, vals, idxs);
    lists.close();
    // Neumaier summation, largest loss first: k can be 10^4 losses of mixed sign and size.
    let sum = 0;
    let comp = 0;
    for (let t = 0; t < k; t++) {
      const v = vals[t];
      const s2 = sum + v;
      comp += Math.abs(sum) >= Math.abs(v) ? sum - s2 + v : v - s2 + sum;
      sum = s2;
    }
    out.push({ var: vals[k - 1], es: (sum + comp) / k, worst: vals[0], worstScenario: idxs[0], varScenario: idxs[k - 1] });
  }
  return out;
}

/**
 * A merge over the packs' lists of one series at a time, each sorted by rank (`merge`). It
 * checks the lists' order as far as it reads, since a list out of order would silently give a
 * wrong tail.
 */
export class SortedLists {
  private readonly data: Float64Array[];
  private readonly sizeAt: number[];
  /** Per pack: where the next series' values and indices start. */
  private readonly valueAt: number[];
  private readonly indexAt: number[];
  /** Per pack, for the open series: next position and end (values), offset to indices. */
  private readonly pos: Int32Array;
  private readonly end: Int32Array;
  private readonly toIndex: Int32Array;
  private series = -1;

  constructor(
    packs: PackedTails[],
    private readonly nSeries: number,
  ) {
    this.data = packs.map((p) => p.data);
    this.sizeAt = packs.map((p) => p.start);
    this.valueAt = packs.map((p) => p.start + nSeries);
    this.indexAt = packs.map(({ data, start }) => {
      let total = 0;
      for (let r = 0; r < nSeries; r++) total += data[start + r];
      return start + nSeries + total;
    });
    this.pos = new Int32Array(packs.length);
    this.end = new Int32Array(packs.length);
    this.toIndex = new Int32Array(packs.length);
  }

  /** Opens series r (the next one: series are read in order); returns its number of losses. */
  open(r: number): number {
    if (r !== this.series + 1 || r >= this.nSeries) throw new Error(`internal: series ${r} read out of order`);
    this.series = r;
    let n = 0;
    for (let p = 0; p < this.data.length; p++) {
      const m = this.data[p][this.sizeAt[p] + r];
      this.pos[p] = this.valueAt[p];
      this.end[p] = this.valueAt[p] + m;
      this.toIndex[p] = this.indexAt[p] - this.valueAt[p];
      n += m;
    }
    return n;
  }

  /**
   * Writes the first `count` losses of the open series in rank order to vals and idxs. The
   * best list gives a run of losses while its head still ranks before every other list's head,
   * so a scan over the lists is paid per run, not per loss. Each loss written must not rank
   * before the one written just before it: that catches a list out of order as far as it is read.
   */
  merge(count: number, vals: Float64Array, idxs: Float64Array): void {
    const { data, pos, end, toIndex } = this;
    let t = 0;
    while (t < count) {
      let best = -1;
      let bv = 0;
      let bi = 0;
      let second = false;
      let sv = 0;
      let si = 0;
      for (let p = 0; p < data.length; p++) {
        const q = pos[p];
        if (q === end[p]) continue;
        const d = data[p];
        const v = d[q];
        const i = d[q + toIndex[p]];
        if (best < 0 || v > bv || (v === bv && i < bi)) {
          if (best >= 0) {
            second = true;
            sv = bv;
            si = bi;
          }
          best = p;
          bv = v;
          bi = i;
        } else if (!second || v > sv || (v === sv && i < si)) {
          second = true;
          sv = v;
          si = i;
        }
      }
      if (best < 0) throw new Error(`internal: series ${this.series} has no loss left`);
      const d = data[best];
      const off = toIndex[best];
      const e = end[best];
      let q = pos[best];
      do {
        const v = d[q];
        const i = d[q + off];
        if (v !== v || (t > 0 && (v > vals[t - 1] || (v === vals[t - 1] && i < idxs[t - 1])))) {
          throw new Error(`internal: a worker's tail list of series ${this.series} is not sorted`);
        }
        vals[t] = v;
        idxs[t] = i;
        t++;
        q++;
      } while (t < count && q < e && (!second || d[q] > sv || (d[q] === sv && d[q + off] < si)));
      pos[best] = q;
    }
  }

  /** Moves past the open series. */
  close(): void {
    for (let p = 0; p < this.data.length; p++) {
      const m = this.data[p][this.sizeAt[p] + this.series];
      this.valueAt[p] += m;
      this.indexAt[p] += m;
    }
  }
}
