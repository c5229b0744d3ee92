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
 * it ran, so the set's top k is the top k of their union: per series, the k largest of at most
 * W x k losses. No merge structure is needed, and nothing beyond the workers' own results is
 * held: with 10^6 scenarios and 10^3 series that saves the ~170 MB a merged copy would take.
 *
 * Results do not depend on how scenarios were cut into tasks or spread over workers. The top k
 * under the order (loss desc, scenario index asc) is unique; its multiset of losses does not
 * even depend on the tie rule, so ES is summed over the sorted losses (same bits whatever the
 * arrival order), and the tie rule only decides which scenario is named for the worst loss (the
 * lowest index among the largest) and for VaR (the k-th in that order).
 */
export function tailMeasures(packs: PackedTails[], nSeries: number, k: number): TailMeasures[] {
  // Per pack: where series r's values and indices start.
  const cursors = packs.map(({ data, start }) => {
    let total = 0;
    for (let r = 0; r < nSeries; r++) total += data[start + r];
    return { data, start, values: start + nSeries, indices: start + nSeries + total };
  });
  const out: TailMeasures[] = [];
  for (let r = 0; r < nSeries; r++) {
    let n = 0;
    for (const c of cursors) n += c.data[c.start + r];
    const vals = new Float64Array(n);
    const idxs = new Float64Array(n);
    let o = 0;
    for (const c of cursors) {
      const m = c.data[c.start + r];
      vals.set(c.data.subarray(c.values, c.values + m), o);
      idxs.set(c.data.subarray(c.indices, c.indices + m), o);
      c.values += m;
      c.indices += m;
      o += m;
    }
    if (n < k) throw new Error(`internal: ${n} tail losses for a tail of ${k} in series ${r}`);
    out.push(measuresOf(vals, idxs, k));
  }
  return out;
}

function measuresOf(vals: Float64Array, idxs: Float64Array, k: number): TailMeasures {
  const sorted = vals.slice().sort();
  const n = sorted.length;
  const worst = sorted[n - 1];
  const kth = sorted[n - k];
  // Neumaier summation, largest loss first: k can be 10^4 losses of mixed sign and size.
  let sum = 0;
  let comp = 0;
  for (let i = n - 1; i >= n - k; i--) {
    const v = sorted[i];
    const t = sum + v;
    comp += Math.abs(sum) >= Math.abs(v) ? sum - t + v : v - t + sum;
    sum = t;
  }
  // Losses equal to the k-th: the first `need` of them by index are in the top k, and the last
  // of those is the k-th in order.
  let above = 0;
  let worstScenario = Infinity;
  const ties: number[] = [];
  for (let i = 0; i < n; i++) {
    if (vals[i] > kth) above++;
    else if (vals[i] === kth) ties.push(idxs[i]);
    if (vals[i] === worst && idxs[i] < worstScenario) worstScenario = idxs[i];
  }
  ties.sort((a, b) => a - b);
  return { var: kth, es: (sum + comp) / k, worst, worstScenario, varScenario: ties[k - above - 1] };
}
