// A kernel plan as bytes, and its identity. The engine encodes a plan once; every task names it
// by id and carries (or, on another machine, fetches) the bytes, and a worker decodes a plan only
// when its id changes. The id is a content hash, so two runs of the same inputs share it and a
// worker can never mix the arrays of two different plans.
import { createHash } from 'node:crypto';
import { decode, encode, ExtensionCodec } from '@msgpack/msgpack';
import { VERSION } from '../version.js';
import type { KernelPlan } from './plan.js';

// msgpack would write a typed array as plain bytes and give back an unaligned Uint8Array; these
// extensions keep the element type and copy into an aligned buffer on the way back.
// Byte order is the platform's (little-endian on every machine Node runs the engine on).
const codec = new ExtensionCodec();
codec.register({
  type: 1,
  encode: (v: unknown) => (v instanceof Float64Array ? new Uint8Array(v.buffer, v.byteOffset, v.byteLength) : null),
  decode: (data: Uint8Array) => new Float64Array(data.slice().buffer),
});
codec.register({
  type: 2,
  encode: (v: unknown) => (v instanceof Int32Array ? new Uint8Array(v.buffer, v.byteOffset, v.byteLength) : null),
  decode: (data: Uint8Array) => new Int32Array(data.slice().buffer),
});

export function encodePlan(plan: KernelPlan): Uint8Array {
  return encode(plan, { extensionCodec: codec });
}

export function decodePlan(bytes: Uint8Array): KernelPlan {
  return decode(bytes, { extensionCodec: codec }) as KernelPlan;
}

/** The plan's identity: a hash of its bytes and of the engine version that will run it. */
export function planId(bytes: Uint8Array): string {
  return createHash('sha256').update(VERSION).update('\0').update(bytes).digest('hex').slice(0, 32);
}
