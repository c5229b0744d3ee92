// The calibration workloads every figure is normalised by. Both are fixed for good: changing
// them invalidates bench/baseline.json. They do not touch the engine or its kernels, so a
// kernel optimisation moves the figures and never the yardstick.
//
// - js:   a scalar floating-point recurrence y = y * a + b, 262,144 dependent steps. (A typed-array
//         dot product was the first choice, but V8 compiles it into code of two or three speeds
//         depending on when on-stack replacement kicks in: up to 3x apart in one process. The
//         scalar chain measures within 1% run to run.)
// - wasm: a dot product of two 4096-element f64 arrays in a hand-assembled WebAssembly function
//         (below), 64 times (262,144 multiply-adds); WASM code generation has no such modes.
//
// A figure divided by the calibration time of the same run is "how many calibration loops this
// costs": it cancels most of the difference between machines and between a busy and a quiet
// moment, as long as the load is steady while both run (hence rounds and medians).
import { Bench } from 'tinybench';
import { completedTasks } from './tinybench.js';

export const CAL_N = 4096;
export const CAL_REPS = 64;

/**
 * (module (memory (export "memory") 2)
 *   (func (export "dot") (param $a i32) (param $b i32) (param $n i32) (result f64)
 *     (local $i i32) (local $acc f64)
 *     (block (loop
 *       (br_if 1 (i32.ge_s (local.get $i) (local.get $n)))
 *       (local.set $acc (f64.add (local.get $acc)
 *         (f64.mul (f64.load (i32.add (local.get $a) (i32.shl (local.get $i) (i32.const 3))))
 *                  (f64.load (i32.add (local.get $b) (i32.shl (local.get $i) (i32.const 3)))))))
 *       (local.set $i (i32.add (local.get $i) (i32.const 1)))
 *       (br 0)))
 *     (local.get $acc)))
 */
const DOT_WASM = new Uint8Array([
  0x00,
  0x61,
  0x73,
  0x6d,
  0x01,
  0x00,
  0x00,
  0x00,
  // type section: (i32, i32, i32) -> f64
  0x01,
  0x08,
  0x01,
  0x60,
  0x03,
  0x7f,
  0x7f,
  0x7f,
  0x01,
  0x7c,
  // function section
  0x03,
  0x02,
  0x01,
  0x00,
  // memory section: 2 pages
  0x05,
  0x03,
  0x01,
  0x00,
  0x02,
  // export section: "dot" func 0, "memory" memory 0
  0x07,
  0x10,
  0x02,
  0x03,
  0x64,
  0x6f,
  0x74,
  0x00,
  0x00,
  0x06,
  0x6d,
  0x65,
  0x6d,
  0x6f,
  0x72,
  0x79,
  0x02,
  0x00,
  // code section
  0x0a,
  0x3c,
  0x01,
  0x3a,
  0x02,
  0x01,
  0x7f,
  0x01,
  0x7c, // locals: 1 i32, 1 f64
  0x02,
  0x40,
  0x03,
  0x40, // block, loop
  0x20,
  0x03,
  0x20,
  0x02,
  0x4e,
  0x0d,
  0x01, // br_if 1 (i >= n)
  0x20,
  0x04,
  0x20,
  0x00,
  0x20,
  0x03,
  0x41,
  0x03,
  0x74,
  0x6a,
  0x2b,
  0x03,
  0x00,
  0x20,
  0x01,
  0x20,
  0x03,
  0x41,
  0x03,
  0x74,
  0x6a,
  0x2b,
  0x03,
  0x00,
  0xa2,
  0xa0,
  0x21,
  0x04, // acc += a[i] * b[i]
  0x20,
  0x03,
  0x41,
  0x01,
  0x6a,
  0x21,
  0x03, // i++
  0x0c,
  0x00,
  0x0b,
  0x0b, // br 0, end loop, end block
  0x20,
  0x04,
  0x0b, // return acc
]);

export interface Calibration {
  /** Median latency of the pure-JS loop, ms. */
  jsMs: number;
  /** Median latency of the WASM loop, ms. */
  wasmMs: number;
  /** Geometric mean of the two: the yardstick of end-to-end figures, ms. */
  unitMs: number;
}

export interface CalibrationTasks {
  js: () => number;
  wasm: () => number;
}

export function calibrationTasks(): CalibrationTasks {
  const a = new Float64Array(CAL_N);
  const b = new Float64Array(CAL_N);
  for (let i = 0; i < CAL_N; i++) {
    a[i] = ((i * 7919) % 1000) / 1000 - 0.5;
    b[i] = ((i * 104729) % 1000) / 1000 - 0.5;
  }
  const instance = new WebAssembly.Instance(new WebAssembly.Module(DOT_WASM), {});
  const dot = instance.exports.dot as (a: number, b: number, n: number) => number;
  const mem = new Float64Array((instance.exports.memory as WebAssembly.Memory).buffer);
  mem.set(a, 0);
  mem.set(b, CAL_N);
  const expected = jsDot(a, b);
  const wasmDot = dot(0, CAL_N * 8, CAL_N);
  if (Math.abs(wasmDot - expected) > 1e-9 * Math.max(1, Math.abs(expected))) {
    throw new Error(`calibration: the WASM dot product gives ${wasmDot}, the JS one ${expected}`);
  }
  let sink = 0;
  const steps = CAL_N * CAL_REPS;
  return {
    js: () => {
      sink += jsChain(steps, 0.999999, 0.000001);
      return sink;
    },
    wasm: () => {
      for (let r = 0; r < CAL_REPS; r++) sink += dot(0, CAL_N * 8, CAL_N);
      return sink;
    },
  };
}

function jsChain(steps: number, a: number, b: number): number {
  let y = 0.5;
  for (let i = 0; i < steps; i++) y = y * a + b;
  return y;
}

function jsDot(a: Float64Array, b: Float64Array): number {
  let acc = 0;
  for (let i = 0; i < a.length; i++) acc += a[i] * b[i];
  return acc;
}

export const CAL_JS = 'calibration:js';
export const CAL_WASM = 'calibration:wasm';

/** Adds the two calibration tasks to a bench (under `suffix`-ed names when given). */
export function addCalibration(bench: Bench, tasks: CalibrationTasks, suffix = ''): void {
  bench.add(CAL_JS + suffix, tasks.js);
  bench.add(CAL_WASM + suffix, tasks.wasm);
}

/** A short stand-alone calibration (for end-to-end runs): medians over `time` ms per task. */
export async function measureCalibration(tasks: CalibrationTasks, time = 150): Promise<Calibration> {
  const bench = new Bench({ time, warmupTime: 50, iterations: 10, throws: true });
  addCalibration(bench, tasks);
  await bench.run();
  const done = completedTasks(bench);
  const jsMs = done.get(CAL_JS)!.latency.p50;
  const wasmMs = done.get(CAL_WASM)!.latency.p50;
  return { jsMs, wasmMs, unitMs: Math.sqrt(jsMs * wasmMs) };
}
