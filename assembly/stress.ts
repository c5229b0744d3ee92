// Default stress, Cover-1 and Cover-2 (contract section 9): per scenario, each portfolio's loss
// beyond its collateral, uncovered_p = max(0, loss_p - collateral_p), and over a set the largest
// uncovered loss (Cover-1) and the largest sum of the two largest (Cover-2), with the scenario
// and the portfolios behind each. A reduction over portfolios per scenario, streamed chunk by
// chunk beside the tails, so no loss vector is kept. src/kernels/stress.ts is its twin.
//
// Inputs: nPort portfolios, each a series row (portSeries, i32) of P&L at seriesPtr (row-major,
// stride C, column 0 = scenario `start`) and its collateral (f64). Scratch: four C-long arrays
// for each scenario's two largest uncovered losses and their portfolios. State (COVER_WIDTH f64
// at statePtr, carried across calls): cover1 value, scenario, portfolio; cover2 value, scenario,
// first and second portfolio; a value of -1 means no scenario seen yet, a portfolio of -1 none.
//
// Order: within a scenario the larger uncovered loss first, ties to the portfolio listed first
// (strict comparisons, portfolios in order); across scenarios the larger value, ties to the lower
// scenario index (strict comparison, scenarios ascending). Only losses above 0 name a portfolio.
export function coverScan(
  nPort: i32, portSeriesPtr: usize, collateralPtr: usize, seriesPtr: usize, C: i32, start: f64,
  top1Ptr: usize, top1PortPtr: usize, top2Ptr: usize, top2PortPtr: usize, statePtr: usize,
): void {
  for (let s = 0; s < C; s++) {
    const at = <usize>s;
    store<f64>(top1Ptr + (at << 3), 0.0);
    store<f64>(top2Ptr + (at << 3), 0.0);
    store<i32>(top1PortPtr + (at << 2), -1);
    store<i32>(top2PortPtr + (at << 2), -1);
  }
  // Portfolios outer, scenarios inner: each portfolio's row is read in order.
  for (let p = 0; p < nPort; p++) {
    const row = seriesPtr + ((<usize>load<i32>(portSeriesPtr + (<usize>p << 2)) * <usize>C) << 3);
    const coll = load<f64>(collateralPtr + (<usize>p << 3));
    for (let s = 0; s < C; s++) {
      const at = <usize>s;
      const u = -load<f64>(row + (at << 3)) - coll;
      if (u > load<f64>(top1Ptr + (at << 3))) {
        store<f64>(top2Ptr + (at << 3), load<f64>(top1Ptr + (at << 3)));
        store<i32>(top2PortPtr + (at << 2), load<i32>(top1PortPtr + (at << 2)));
        store<f64>(top1Ptr + (at << 3), u);
        store<i32>(top1PortPtr + (at << 2), p);
      } else if (u > load<f64>(top2Ptr + (at << 3))) {
        store<f64>(top2Ptr + (at << 3), u);
        store<i32>(top2PortPtr + (at << 2), p);
      }
    }
  }
  for (let s = 0; s < C; s++) {
    const at = <usize>s;
    const t1 = load<f64>(top1Ptr + (at << 3));
    const t2 = load<f64>(top2Ptr + (at << 3));
    if (t1 > load<f64>(statePtr)) {
      store<f64>(statePtr, t1);
      store<f64>(statePtr + 8, start + <f64>s);
      store<f64>(statePtr + 16, <f64>load<i32>(top1PortPtr + (at << 2)));
    }
    const pair = t1 + t2;
    if (pair > load<f64>(statePtr + 24)) {
      store<f64>(statePtr + 24, pair);
      store<f64>(statePtr + 32, start + <f64>s);
      store<f64>(statePtr + 40, <f64>load<i32>(top1PortPtr + (at << 2)));
      store<f64>(statePtr + 48, <f64>load<i32>(top2PortPtr + (at << 2)));
    }
  }
}
