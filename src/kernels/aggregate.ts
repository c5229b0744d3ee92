// TypeScript twin of assembly/aggregate.ts: weighted row sums over a CSR map. Each output
// cell starts at 0.0 and adds weight[h] * row in ascending h, exactly as the WASM lanes do,
// so the two agree bit for bit. rowsOut must not overlap rowsIn.

export function aggregateRows(
  nOut: number, offsets: Int32Array, index: Int32Array, weight: Float64Array,
  rowsIn: Float64Array, C: number, rowsOut: Float64Array,
): void {
  for (let a = 0; a < nOut; a++) {
    const dst = a * C;
    rowsOut.fill(0.0, dst, dst + C);
    for (let h = offsets[a]; h < offsets[a + 1]; h++) {
      const w = weight[h];
      const src = index[h] * C;
      for (let s = 0; s < C; s++) rowsOut[dst + s] = rowsOut[dst + s] + w * rowsIn[src + s];
    }
  }
}
