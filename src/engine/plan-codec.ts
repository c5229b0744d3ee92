// A kernel plan as bytes, and its identity. The engine encodes a plan once; every task names it
// by id and carries (or, on another machine, fetches) the bytes, and a worker decodes a plan only
// when its id changes. The id is a content hash, so two runs of the same inputs share it and a
// worker can never mix the arrays of two different plans.
//
// The layout is flat and aligned, so that decoding is a JSON.parse of a small header and typed
// array views onto the bytes themselves (between threads, shared memory: nothing is copied):
//   u32 LE header length | header JSON (UTF-8) | zero padding to 8 | array bytes, each 8-aligned
// The header is the plan with every typed array replaced by { "$t": "f64" | "i32", "at", "n" }.
// Byte order is little-endian, as on every machine Node runs the engine on. (msgpack, the
// project's format for result files, would copy every array on the way in and cost each worker
// thread a module load before its first task.)
import { createHash } from 'node:crypto';
import { VERSION } from '../version.js';
import type { KernelPlan } from './plan.js';

interface ArrayRef {
  $t: 'f64' | 'i32';
  at: number;
  n: number;
}

/** Numbers JSON cannot carry exactly (it writes -0 as 0 and the non-finite as null). */
interface NumberRef {
  $n: '-0' | 'NaN' | 'Infinity' | '-Infinity';
}

export function encodePlan(plan: KernelPlan): Uint8Array {
  const arrays: (Float64Array | Int32Array)[] = [];
  let size = 0;
  const header = JSON.stringify(plan, (_key, value: unknown) => {
    if (value instanceof Float64Array || value instanceof Int32Array) {
      const ref: ArrayRef = { $t: value instanceof Float64Array ? 'f64' : 'i32', at: size, n: value.length };
      arrays.push(value);
      size += Math.ceil(value.byteLength / 8) * 8;
      return ref;
    }
    if (typeof value === 'number' && (!Number.isFinite(value) || Object.is(value, -0))) {
      return { $n: Object.is(value, -0) ? '-0' : String(value) } as NumberRef;
    }
    return value;
  });
  const head = new TextEncoder().encode(header);
  const body = 8 * Math.ceil((4 + head.length) / 8);
  const out = new Uint8Array(body + size);
  new DataView(out.buffer).setUint32(0, head.length, true);
  out.set(head, 4);
  let at = body;
  for (const a of arrays) {
    out.set(new Uint8Array(a.buffer, a.byteOffset, a.byteLength), at);
    at += Math.ceil(a.byteLength / 8) * 8;
  }
  return out;
}

/** The plan, its arrays viewing `bytes` (copied first if they do not start 8-aligned); the bytes must not change. */
export function decodePlan(bytes: Uint8Array): KernelPlan {
  if (bytes.byteOffset % 8 !== 0) bytes = bytes.slice();
  const length = new DataView(bytes.buffer, bytes.byteOffset, 4).getUint32(0, true);
  const header = new TextDecoder().decode(bytes.subarray(4, 4 + length));
  const body = bytes.byteOffset + 8 * Math.ceil((4 + length) / 8);
  return JSON.parse(header, (_key, value: unknown) => {
    if (value && typeof value === 'object' && '$t' in value) {
      const { $t, at, n } = value as ArrayRef;
      return $t === 'f64' ? new Float64Array(bytes.buffer, body + at, n) : new Int32Array(bytes.buffer, body + at, n);
    }
    if (value && typeof value === 'object' && '$n' in value) {
      const n = (value as NumberRef).$n;
      return n === '-0' ? -0 : Number(n);
    }
    return value;
  }) as KernelPlan;
}

/** The plan's identity: a hash of its bytes and of the engine version that will run it. */
export function planId(bytes: Uint8Array): string {
  return createHash('sha256').update(VERSION).update('\0').update(bytes).digest('hex').slice(0, 32);
}
