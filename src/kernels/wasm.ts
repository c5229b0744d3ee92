// Loader for build/xmargin.wasm. Compile once (the Module can be posted to workers), then
// instantiate once per thread: an instance's memory and bump heap are never shared.
import { readFileSync } from "node:fs";
import { fromRoot } from "../paths.js";

/** The raw exports of build/xmargin.wasm; pointers are byte offsets into `memory`. */
export interface KernelExports {
  memory: WebAssembly.Memory;
  alloc(bytes: number): number;
  resetHeap(): void;
  philox4x32(c0: number, c1: number, c2: number, c3: number, k0: number, k1: number, outPtr: number): void;
  /** Test hook: blocks (cA, c1, c2, c3) and (cB, c1, c2, c3) through the i32x4 path, 8 u32 at outPtr. */
  philox4x32x2(cA: number, cB: number, c1: number, c2: number, c3: number, k0: number, k1: number, outPtr: number): void;
  normCdf(x: number): number;
  normInv(p: number): number;
  /** Test hook: out[i] = normInv(p[i]) through the f64x2 paths (0 < p < 1, p normal). */
  normInvBlock(n: number, pPtr: number, outPtr: number): void;
  /** Test hook: out[i] = e^x[i] through the f64x2 path. */
  expBlock(n: number, xPtr: number, outPtr: number): void;
  /** Test hook: out[i] = exp(-y[i]^2 / 2), 0 <= y[i] <= 37, through the option kernels' lanes. */
  expGaussBlock(n: number, yPtr: number, outPtr: number): void;
  /** fdlibm's log, the same bits as the twin's logd. */
  logd(x: number): number;
  /** Test hook: out[i] = log(x[i]) through the f64x2 path (positive normal x). */
  logBlock(n: number, xPtr: number, outPtr: number): void;
  /** Test hook: e^(ahi + alo) through the scalar path. */
  expSplitScalar(ahi: number, alo: number): number;
  mcShocks(
    seedLo: number, seedHi: number, setId: number, start: number, count: number, n: number,
    rank: number, factorPtr: number, scalePtr: number, dof: number, spot0Ptr: number,
    retPtr: number, spotPtr: number,
  ): void;
  mcShocksAt(
    seedLo: number, seedHi: number, setId: number, indicesPtr: number, count: number, n: number,
    rank: number, factorPtr: number, scalePtr: number, dof: number, spot0Ptr: number,
    retPtr: number, spotPtr: number,
  ): void;
  revalueLinear(
    nInst: number, undPtr: number, multPtr: number, spot0Ptr: number, spotPtr: number, C: number,
    outPtr: number,
  ): void;
  revalueOptions(
    nOpt: number, undPtr: number, isCallPtr: number, strikePtr: number, lnSKPtr: number,
    ivPtr: number, tauPtr: number, value0Ptr: number, multPtr: number, rate: number,
    retPtr: number, spotPtr: number, ivShiftPtr: number, C: number, outPtr: number,
  ): void;
  /** revalueOptions with one iv shift for the whole block; same bits. */
  revalueOptionsFixedIv(
    nOpt: number, undPtr: number, isCallPtr: number, strikePtr: number, lnSKPtr: number,
    ivPtr: number, tauPtr: number, value0Ptr: number, multPtr: number, rate: number,
    retPtr: number, spotPtr: number, ivShift: number, C: number, outPtr: number,
  ): void;
  aggregateRows(
    nOut: number, offsetsPtr: number, indexPtr: number, weightPtr: number, rowsInPtr: number,
    C: number, rowsOutPtr: number,
  ): void;
  tailsPush(
    nSeries: number, rowsPtr: number, C: number, start: number, sign: number, cap: number,
    heapValPtr: number, heapIdxPtr: number, heapSizePtr: number, thresholdPtr: number,
  ): number;
  tailsSort(nSeries: number, cap: number, heapValPtr: number, heapIdxPtr: number, heapSizePtr: number): void;
  tailComponentLosses(
    count: number, rowsPtr: number, pairOffPtr: number, pairBase: number, pairUnitPtr: number,
    unitOffPtr: number, slotRowPtr: number, slotQtyPtr: number, sumPtr: number, compPtr: number,
  ): void;
  coverScan(
    nPort: number, portSeriesPtr: number, collateralPtr: number, seriesPtr: number, C: number, start: number,
    top1Ptr: number, top1PortPtr: number, top2Ptr: number, top2PortPtr: number, statePtr: number,
  ): void;
}

export interface WasmKernels {
  exports: KernelExports;
  memory: WebAssembly.Memory;
  /** 16-byte aligned block of `bytes` bytes; may grow memory (detaching older views). */
  alloc(bytes: number): number;
  /** Forgets every block handed out so far. */
  reset(): void;
  /** Fresh views: take them after the last call that may have grown memory. */
  f64(ptr: number, n: number): Float64Array;
  i32(ptr: number, n: number): Int32Array;
  u32(ptr: number, n: number): Uint32Array;
  /** alloc + copy; returns the pointer. */
  putF64(values: ArrayLike<number>): number;
  putI32(values: ArrayLike<number>): number;
}

/** build/xmargin.wasm of the package this module belongs to (from source or from dist alike). */
export function wasmPath(): string {
  return fromRoot("build", "xmargin.wasm");
}

let cachedModule: WebAssembly.Module | undefined;

/** Compiles build/xmargin.wasm synchronously, once per thread. */
export function compileKernels(): WebAssembly.Module {
  if (cachedModule === undefined) {
    const path = wasmPath();
    let bytes: Uint8Array<ArrayBuffer>;
    try {
      bytes = new Uint8Array(readFileSync(path));
    } catch (err) {
      throw new Error(`xmargin: cannot read ${path} (run \`npm run build:wasm\`): ${(err as Error).message}`);
    }
    cachedModule = new WebAssembly.Module(bytes);
  }
  return cachedModule;
}

/** An AssemblyScript string: UTF-16LE, byte length in the u32 just before the pointer. */
function readAsString(memory: WebAssembly.Memory, ptr: number): string | undefined {
  if (ptr === 0 || ptr < 4 || ptr > memory.buffer.byteLength) return undefined;
  const view = new DataView(memory.buffer);
  const bytes = view.getUint32(ptr - 4, true);
  if (bytes % 2 !== 0 || ptr + bytes > memory.buffer.byteLength) return undefined;
  let s = "";
  for (let k = 0; k < bytes; k += 2) s += String.fromCharCode(view.getUint16(ptr + k, true));
  return s;
}

/** A fresh instance with its own memory and heap. */
export function instantiateKernels(module: WebAssembly.Module = compileKernels()): WasmKernels {
  let memory: WebAssembly.Memory | undefined;
  const imports = {
    env: {
      abort(msgPtr: number, filePtr: number, line: number, column: number): never {
        const msg = memory ? readAsString(memory, msgPtr) : undefined;
        const file = memory ? readAsString(memory, filePtr) : undefined;
        const where = file ? ` at ${file}:${line}:${column}` : "";
        throw new Error(`xmargin wasm abort: ${msg ?? "(no message)"}${where}`);
      },
    },
  };
  const instance = new WebAssembly.Instance(module, imports);
  const exports = instance.exports as unknown as KernelExports;
  memory = exports.memory;
  const mem = memory;
  const alloc = (bytes: number): number => exports.alloc(bytes) >>> 0;
  return {
    exports,
    memory: mem,
    alloc,
    reset: () => exports.resetHeap(),
    f64: (ptr, n) => new Float64Array(mem.buffer, ptr, n),
    i32: (ptr, n) => new Int32Array(mem.buffer, ptr, n),
    u32: (ptr, n) => new Uint32Array(mem.buffer, ptr, n),
    putF64(values) {
      const ptr = alloc(values.length * 8);
      new Float64Array(mem.buffer, ptr, values.length).set(values);
      return ptr;
    },
    putI32(values) {
      const ptr = alloc(values.length * 4);
      new Int32Array(mem.buffer, ptr, values.length).set(values);
      return ptr;
    },
  };
}
