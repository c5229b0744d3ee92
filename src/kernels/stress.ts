// TypeScript twin of assembly/stress.ts (Cover-1 and Cover-2 per chunk of scenarios): the same
// comparisons in the same order, so the two agree bit for bit. See the kernel for the layout.

/** f64 slots of a cover state: cover1 value, scenario, portfolio; cover2 value, scenario, two portfolios; one spare. */
export const COVER_WIDTH = 8;

/** A state before any scenario: values -1 (any scenario's 0 beats it), no portfolio. */
export function emptyCoverState(): Float64Array {
  return Float64Array.of(-1, 0, -1, -1, 0, -1, -1, 0);
}

export function coverScan(
  nPort: number, portSeries: Int32Array, collateral: Float64Array, series: Float64Array, C: number, start: number,
  top1: Float64Array, top1Port: Int32Array, top2: Float64Array, top2Port: Int32Array, state: Float64Array,
): void {
  top1.fill(0, 0, C);
  top2.fill(0, 0, C);
  top1Port.fill(-1, 0, C);
  top2Port.fill(-1, 0, C);
  for (let p = 0; p < nPort; p++) {
    const row = portSeries[p] * C;
    const coll = collateral[p];
    for (let s = 0; s < C; s++) {
      const u = -series[row + s] - coll;
      if (u > top1[s]) {
        top2[s] = top1[s];
        top2Port[s] = top1Port[s];
        top1[s] = u;
        top1Port[s] = p;
      } else if (u > top2[s]) {
        top2[s] = u;
        top2Port[s] = p;
      }
    }
  }
  for (let s = 0; s < C; s++) {
    if (top1[s] > state[0]) {
      state[0] = top1[s];
      state[1] = start + s;
      state[2] = top1Port[s];
    }
    const pair = top1[s] + top2[s];
    if (pair > state[3]) {
      state[3] = pair;
      state[4] = start + s;
      state[5] = top1Port[s];
      state[6] = top2Port[s];
    }
  }
}
