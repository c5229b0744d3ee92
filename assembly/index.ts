// WASM entry point: the hot-loop kernels, plus a bump allocator the host uses to lay out
// its arrays once per worker. Every kernel reads and writes only through the pointers it
// is given; src/kernels holds a plain TypeScript twin of each, which the tests hold it to.

export { philox4x32, philox4x32x2 } from "./philox";
export { normCdf, normInv, normInvBlock } from "./normal";
export { expBlock, expGaussBlock, expSplitScalar } from "./exp";
export { logd, logBlock } from "./log";
export { mcShocks, mcShocksAt } from "./shocks";
export { revalueLinear, revalueOptions, revalueOptionsFixedIv } from "./revalue";
export { aggregateRows } from "./aggregate";
export { tailsPush, tailsSort } from "./tails";
export { tailComponentLosses } from "./attribution";
export { coverScan } from "./stress";

/** 16-byte aligned block from the stub runtime's bump allocator (grows memory as needed). */
export function alloc(bytes: usize): usize {
  return heap.alloc(bytes);
}

/** Forgets every block handed out by alloc; the host re-lays out its arrays afterwards. */
export function resetHeap(): void {
  heap.reset();
}
