// TypeScript twin of assembly/attribution.ts: each tail scenario's component losses added into
// the units whose tail holds it, per slot with Neumaier's compensation, in the kernel's order,
// so the two agree bit for bit. See the kernel for the layout.

export function tailComponentLosses(
  count: number, rows: Float64Array, pairOff: Int32Array, pairBase: number, pairUnit: Int32Array,
  unitOff: Int32Array, slotRow: Int32Array, slotQty: Float64Array, sum: Float64Array, comp: Float64Array,
): void {
  for (let s = 0; s < count; s++) {
    const p0 = pairOff[s] - pairBase;
    const p1 = pairOff[s + 1] - pairBase;
    for (let p = p0; p < p1; p++) {
      const u = pairUnit[p];
      for (let i = unitOff[u]; i < unitOff[u + 1]; i++) {
        const v = -(slotQty[i] * rows[slotRow[i] * count + s]);
        const t = sum[i] + v;
        comp[i] += Math.abs(sum[i]) >= Math.abs(v) ? sum[i] - t + v : v - t + sum[i];
        sum[i] = t;
      }
    }
  }
}
