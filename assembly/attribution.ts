// Component losses over tail scenarios, for the Euler attribution of expected shortfall
// (contract section 7). A unit's contribution from a component is the mean of the component's
// loss over the unit's tail; the host regenerates the tail scenarios' revaluation rows and this
// kernel adds each component's loss into the units whose tail holds the scenario.
//
// Inputs, for `count` scenarios whose rows (P&L per unit of each revaluation row) lie
// row-major with stride `count` at rowsPtr:
//   pairs:  scenario s is in the tails of units pairUnit[pairOff[s] - pairBase ..
//           pairOff[s + 1] - pairBase) (pairOff holds count + 1 i32, pairUnit i32);
//   slots:  unit u's components are slots [unitOff[u], unitOff[u + 1]): each a revaluation row
//           (slotRow, i32) and a quantity (slotQty, f64); its loss is -(qty * row).
// Each slot's losses are added in scenario order with Neumaier's compensation (sum, comp:
// f64 per slot, accumulated across calls): a tail is up to 10^4 losses of mixed sign, and the
// contributions must add up to the ES to 1e-9 whatever the book. The TypeScript twin
// (src/kernels/attribution.ts) does the same operations in the same order.
export function tailComponentLosses(
  count: i32, rowsPtr: usize, pairOffPtr: usize, pairBase: i32, pairUnitPtr: usize,
  unitOffPtr: usize, slotRowPtr: usize, slotQtyPtr: usize, sumPtr: usize, compPtr: usize,
): void {
  const rowBytes = <usize>count << 3;
  for (let s = 0; s < count; s++) {
    const p0 = load<i32>(pairOffPtr + (<usize>s << 2)) - pairBase;
    const p1 = load<i32>(pairOffPtr + (<usize>(s + 1) << 2)) - pairBase;
    const col = rowsPtr + (<usize>s << 3);
    for (let p = p0; p < p1; p++) {
      const u = load<i32>(pairUnitPtr + (<usize>p << 2));
      const i0 = load<i32>(unitOffPtr + (<usize>u << 2));
      const i1 = load<i32>(unitOffPtr + (<usize>(u + 1) << 2));
      for (let i = i0; i < i1; i++) {
        const row = <usize>load<i32>(slotRowPtr + (<usize>i << 2));
        const v = -(load<f64>(slotQtyPtr + (<usize>i << 3)) * load<f64>(col + row * rowBytes));
        const at = <usize>i << 3;
        const sum = load<f64>(sumPtr + at);
        const t = sum + v;
        const c = Math.abs(sum) >= Math.abs(v) ? sum - t + v : v - t + sum;
        store<f64>(compPtr + at, load<f64>(compPtr + at) + c);
        store<f64>(sumPtr + at, t);
      }
    }
  }
}
