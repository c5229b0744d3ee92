// Kernels: plain TypeScript twins (the oracle, and the fallback) and the WASM loader.
export { philox4x32, uniform53 } from "./philox.js";
export { normCdf, normInv } from "./normal.js";
export { expd, expGauss, expSplit } from "./exp.js";
export { logd } from "./log.js";
export { mcShocks } from "./shocks.js";
export { revalueLinear, revalueOptions, revalueOptionsFixedIv } from "./revalue.js";
export { aggregateRows } from "./aggregate.js";
export { tailsPush, tailsSort, tailsSorted } from "./tails.js";
export { tailComponentLosses } from "./attribution.js";
export { coverScan, emptyCoverState, COVER_WIDTH } from "./stress.js";
export {
  wasmPath, compileKernels, instantiateKernels, type KernelExports, type WasmKernels,
} from "./wasm.js";
