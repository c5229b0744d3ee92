// Weighted row sums over a CSR map: instrument P&L rows -> account rows (weights are the
// quantities), account rows -> portfolio rows (weights 1). Each output cell starts at 0.0
// and adds its terms in ascending h with a separate multiply and add (never fused), so every
// platform, the SIMD path and the TypeScript twin produce the same bits. rowsOut must not
// overlap rowsIn.
//
// Register blocking: an output row is built 12 scenarios at a time in six f64x2
// accumulators that stay in registers while the loop runs over the row's holdings, and is
// written once; the old row-by-row update loaded and stored the output cell once per
// holding. Six is what V8's 16 xmm registers hold with the loaded operands: eight
// accumulators spill one to the stack and run 60% slower (measured). The per-lane operation order is unchanged (0.0, then + w[h] * row[h] for
// ascending h), so the results are the same bits.

// @ts-ignore: decorator
@inline const BLOCK: i32 = 12;

export function aggregateRows(
  nOut: i32, offsetsPtr: usize, indexPtr: usize, weightPtr: usize, rowsInPtr: usize, C: i32,
  rowsOutPtr: usize,
): void {
  const cBlock = C - C % BLOCK;
  const cEven = C & ~1;
  const rowBytes = <usize>C << 3;
  for (let a = 0; a < nOut; a++) {
    const dst = rowsOutPtr + <usize>a * rowBytes;
    const h0 = load<i32>(offsetsPtr + (<usize>a << 2));
    const h1 = load<i32>(offsetsPtr + (<usize>(a + 1) << 2));
    if (h1 <= h0) {
      memory.fill(dst, 0, rowBytes);
      continue;
    }
    let s = 0;
    for (; s < cBlock; s += BLOCK) {
      const off = <usize>s << 3;
      let a0 = f64x2.splat(0.0);
      let a1 = a0;
      let a2 = a0;
      let a3 = a0;
      let a4 = a0;
      let a5 = a0;
      for (let h = h0; h < h1; h++) {
        const w = f64x2.splat(load<f64>(weightPtr + (<usize>h << 3)));
        const src = rowsInPtr + <usize>load<i32>(indexPtr + (<usize>h << 2)) * rowBytes + off;
        a0 = f64x2.add(a0, f64x2.mul(w, v128.load(src)));
        a1 = f64x2.add(a1, f64x2.mul(w, v128.load(src, 16)));
        a2 = f64x2.add(a2, f64x2.mul(w, v128.load(src, 32)));
        a3 = f64x2.add(a3, f64x2.mul(w, v128.load(src, 48)));
        a4 = f64x2.add(a4, f64x2.mul(w, v128.load(src, 64)));
        a5 = f64x2.add(a5, f64x2.mul(w, v128.load(src, 80)));
      }
      const out = dst + off;
      v128.store(out, a0);
      v128.store(out, a1, 16);
      v128.store(out, a2, 32);
      v128.store(out, a3, 48);
      v128.store(out, a4, 64);
      v128.store(out, a5, 80);
    }
    // The last C mod 12 scenarios: a pair at a time, then a single one.
    for (; s < cEven; s += 2) {
      const off = <usize>s << 3;
      let acc = f64x2.splat(0.0);
      for (let h = h0; h < h1; h++) {
        const src = rowsInPtr + <usize>load<i32>(indexPtr + (<usize>h << 2)) * rowBytes + off;
        acc = f64x2.add(acc, f64x2.mul(f64x2.splat(load<f64>(weightPtr + (<usize>h << 3))), v128.load(src)));
      }
      v128.store(dst + off, acc);
    }
    if (s < C) {
      const off = <usize>s << 3;
      let acc: f64 = 0.0;
      for (let h = h0; h < h1; h++) {
        const src = rowsInPtr + <usize>load<i32>(indexPtr + (<usize>h << 2)) * rowBytes + off;
        acc = acc + load<f64>(weightPtr + (<usize>h << 3)) * load<f64>(src);
      }
      store<f64>(dst + off, acc);
    }
  }
}
