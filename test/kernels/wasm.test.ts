import { existsSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { compileKernels, instantiateKernels, wasmPath } from '../../src/kernels/wasm.js';

describe('wasm loader', () => {
  it('finds build/xmargin.wasm at the package root', () => {
    const path = wasmPath();
    expect(path.replaceAll('\\', '/')).toMatch(/\/build\/xmargin\.wasm$/);
    expect(existsSync(path)).toBe(true);
  });

  it('compiles once and needs only env.abort', () => {
    const m = compileKernels();
    expect(compileKernels()).toBe(m);
    expect(WebAssembly.Module.imports(m)).toEqual([{ module: 'env', name: 'abort', kind: 'function' }]);
  });

  it('instances own separate memories; alloc is 16-byte aligned; reset rewinds the heap', () => {
    const a = instantiateKernels();
    const b = instantiateKernels();
    expect(a.memory).not.toBe(b.memory);
    const p = a.putF64([1, 2, 3]);
    const q = a.putI32([7, 8, 9]);
    expect(p % 16).toBe(0);
    expect(q % 16).toBe(0);
    expect(q).toBeGreaterThanOrEqual(p + 24);
    expect(Array.from(a.f64(p, 3))).toEqual([1, 2, 3]);
    expect(Array.from(a.i32(q, 3))).toEqual([7, 8, 9]);
    a.reset();
    expect(a.alloc(8)).toBe(p);
  });

  it('views taken after growth see the grown memory', () => {
    const k = instantiateKernels();
    const before = k.memory.buffer.byteLength;
    const stale = k.f64(k.alloc(8), 1);
    const big = k.alloc(before * 2);
    expect(k.memory.buffer.byteLength).toBeGreaterThan(before);
    expect(stale.length).toBe(0); // detached by growth
    const view = k.f64(big, 4);
    view.set([1, 2, 3, 4]);
    expect(Array.from(k.f64(big, 4))).toEqual([1, 2, 3, 4]);
  });

  it('an abort inside WASM surfaces as an Error with the AssemblyScript message', () => {
    const k = instantiateKernels();
    expect(() => k.alloc(2 ** 31)).toThrow(/xmargin wasm abort: Allocation too large/);
  });
});
