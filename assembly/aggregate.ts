// Weighted row sums over a CSR map: instrument P&L rows -> account rows (weights are the
// quantities), account rows -> portfolio rows (weights 1). Each output cell starts at 0.0
// and adds its terms in ascending h with a separate multiply and add (never fused), so every
// platform, the SIMD path and the TypeScript twin produce the same bits. rowsOut must not
// overlap rowsIn: each output row is zeroed before its terms are added.

export function aggregateRows(
  nOut: i32, offsetsPtr: usize, indexPtr: usize, weightPtr: usize, rowsInPtr: usize, C: i32,
  rowsOutPtr: usize,
): void {
  const cEven = C & ~1;
  for (let a = 0; a < nOut; a++) {
    const dst = rowsOutPtr + (<usize>(a * C) << 3);
    memory.fill(dst, 0, <usize>C << 3);
    const h0 = load<i32>(offsetsPtr + (<usize>a << 2));
    const h1 = load<i32>(offsetsPtr + (<usize>(a + 1) << 2));
    // Row by row rather than cell by cell: the output row stays in cache and each input row
    // is streamed once.
    for (let h = h0; h < h1; h++) {
      const w = load<f64>(weightPtr + (<usize>h << 3));
      const wv = f64x2.splat(w);
      const src = rowsInPtr + (<usize>(load<i32>(indexPtr + (<usize>h << 2)) * C) << 3);
      let s = 0;
      for (; s < cEven; s += 2) {
        const at = <usize>s << 3;
        v128.store(dst + at, f64x2.add(v128.load(dst + at), f64x2.mul(wv, v128.load(src + at))));
      }
      if (s < C) {
        const at = <usize>s << 3;
        store<f64>(dst + at, load<f64>(dst + at) + w * load<f64>(src + at));
      }
    }
  }
}
