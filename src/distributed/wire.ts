// What crosses the queue: an engine task as a few bytes. A task is plain data (numbers, strings,
// typed arrays, nested objects); on the wire the plan is named by its id, and any typed array
// larger than a few KiB (a pilot's bars, a component table) by the hash of its bytes, stored in
// Redis once per content and fetched once per worker (blobs.ts). What is left is msgpack: a range
// task is its set, range, chunk and cap, and two hashes. Executor-local fields (shared bars, the
// cancel flag, shared results) never travel: they exist only where memory is shared.
import { createHash } from 'node:crypto';
import { decode, encode, ExtensionCodec } from '@msgpack/msgpack';
import type { EngineTask } from '../engine/task.js';

/** Typed arrays above this many bytes travel as blobs (by hash), below it inline. */
export const INLINE_ARRAY_MAX_BYTES = 4096;

type Typed = Float64Array | Int32Array | Uint8Array | Float32Array | Uint32Array;
const KINDS = ['f64', 'i32', 'u8', 'f32', 'u32'] as const;
type Kind = (typeof KINDS)[number];

/** Each kind's array type. */
const ARRAY_OF: Record<
  Kind,
  { new (buffer: ArrayBufferLike, byteOffset?: number, length?: number): Typed; BYTES_PER_ELEMENT: number }
> = {
  f64: Float64Array,
  i32: Int32Array,
  u8: Uint8Array,
  f32: Float32Array,
  u32: Uint32Array,
};

function kindOf(a: ArrayBufferView): Kind {
  const kind = KINDS.find((k) => a instanceof ARRAY_OF[k]);
  if (kind === undefined) throw new Error(`internal: a task holds a ${a.constructor.name}, which the queue does not carry`);
  return kind;
}

/** A copy of `bytes` (aligned) as a typed array of `kind`. */
export function typedFrom(kind: Kind, bytes: Uint8Array): Typed {
  // A fresh buffer, never bytes.slice(): on a Node Buffer (what Redis and base64 give) slice is
  // a view of the shared pool, and the array would start at the pool's first byte.
  const fresh = new Uint8Array(bytes.byteLength);
  fresh.set(bytes);
  return new ARRAY_OF[kind](fresh.buffer);
}

/** `bytes` seen as a typed array of `kind` without a copy, or undefined when they are not aligned for it. */
function typedView(kind: Kind, bytes: Uint8Array): Typed | undefined {
  const View = ARRAY_OF[kind];
  const size = View.BYTES_PER_ELEMENT;
  if (bytes.byteOffset % size !== 0 || bytes.byteLength % size !== 0) return undefined;
  return new View(bytes.buffer, bytes.byteOffset, bytes.byteLength / size);
}

function bytesOf(a: ArrayBufferView): Uint8Array {
  return new Uint8Array(a.buffer, a.byteOffset, a.byteLength);
}

/** A typed array stored apart, by the sha-256 of its bytes. */
export class BlobRef {
  constructor(
    readonly hash: string,
    readonly kind: Kind,
  ) {}
}

export function blobHash(bytes: Uint8Array): string {
  return createHash('sha256').update(bytes).digest('hex');
}

const codec = new ExtensionCodec();
// 1: a typed array inline: its kind's index, then its bytes.
codec.register({
  type: 1,
  encode: (v: unknown) => {
    if (!ArrayBuffer.isView(v) || v instanceof DataView) return null;
    const body = bytesOf(v);
    const out = new Uint8Array(1 + body.byteLength);
    out[0] = KINDS.indexOf(kindOf(v));
    out.set(body, 1);
    return out;
  },
  decode: (data: Uint8Array) => typedFrom(KINDS[data[0]], data.subarray(1)),
});
// 2: a blob reference: the kind's index, then the hash in hex.
codec.register({
  type: 2,
  encode: (v: unknown) => {
    if (!(v instanceof BlobRef)) return null;
    const hash = new TextEncoder().encode(v.hash);
    const out = new Uint8Array(1 + hash.byteLength);
    out[0] = KINDS.indexOf(v.kind);
    out.set(hash, 1);
    return out;
  },
  decode: (data: Uint8Array) => new BlobRef(new TextDecoder().decode(data.subarray(1)), KINDS[data[0]]),
});

/** Fields that exist only where memory is shared with the coordinator. */
const LOCAL_ONLY = new Set(['sharedBars', 'cancel', 'sharedResult']);

export interface WireTask {
  /** msgpack of the task, its plan as { id } and large arrays as blob references. */
  bytes: Uint8Array;
  planId: string;
  /** The blobs it references, by hash (to store before the task is queued). */
  blobs: Map<string, Uint8Array>;
}

/**
 * A task for the queue. Hashes of large arrays are remembered per array object, so the bars a
 * whole pass shares are hashed once.
 */
export function toWire(task: EngineTask, hashes: WeakMap<ArrayBufferView, string> = new WeakMap()): WireTask {
  const blobs = new Map<string, Uint8Array>();
  let planId = '';
  const walk = (v: unknown, key: string): unknown => {
    if (v === null || typeof v !== 'object') return v;
    if (v instanceof SharedArrayBuffer)
      throw new Error(`internal: a task's ${key} is shared memory, which the queue does not carry`);
    if (ArrayBuffer.isView(v)) {
      if (v.buffer instanceof SharedArrayBuffer && key !== 'bytes')
        throw new Error(`internal: a task's ${key} lies in shared memory`);
      if (v.byteLength <= INLINE_ARRAY_MAX_BYTES) return v;
      let hash = hashes.get(v);
      const bytes = bytesOf(v);
      if (hash === undefined) hashes.set(v, (hash = blobHash(bytes)));
      blobs.set(hash, bytes);
      return new BlobRef(hash, kindOf(v));
    }
    if (Array.isArray(v)) return v.map((x) => walk(x, key));
    const out: Record<string, unknown> = {};
    for (const [k, x] of Object.entries(v)) {
      if (LOCAL_ONLY.has(k) || x === undefined) continue;
      if (k === 'plan' && x && typeof x === 'object' && 'id' in x) {
        planId = (x as { id: string }).id;
        out.plan = { id: planId };
        continue;
      }
      out[k] = walk(x, k);
    }
    return out;
  };
  const wire = walk(task, 'task');
  return { bytes: encode(wire, { extensionCodec: codec }), planId, blobs };
}

/** A task off the queue: its blob references still to resolve (resolveBlobs), its plan to attach. */
export function fromWire(bytes: Uint8Array): unknown {
  return decode(bytes, { extensionCodec: codec });
}

/** Every blob reference in a decoded task. */
export function blobRefs(v: unknown, out: BlobRef[] = []): BlobRef[] {
  if (v instanceof BlobRef) out.push(v);
  else if (Array.isArray(v)) for (const x of v) blobRefs(x, out);
  else if (v && typeof v === 'object' && !ArrayBuffer.isView(v)) for (const x of Object.values(v)) blobRefs(x, out);
  return out;
}

/**
 * The task with every blob reference replaced by its array (`bytes` by hash): a view of the
 * blob's bytes where they are aligned for the kind (a blob as the worker fetches it: bulk-line.ts
 * gives each value an array of its own), else a copy. A view is safe because tasks only read their
 * inputs, and a task sent on to a thread is cloned on the way; a copy per task was 10 MB of fresh
 * memory for each summary task of a set on L (the pilot's merged list).
 */
export function resolveBlobs(v: unknown, bytes: Map<string, Uint8Array>): unknown {
  if (v instanceof BlobRef) {
    const b = bytes.get(v.hash);
    if (!b) throw new Error(`internal: blob ${v.hash} not fetched`);
    return typedView(v.kind, b) ?? typedFrom(v.kind, b);
  }
  if (Array.isArray(v)) return v.map((x) => resolveBlobs(x, bytes));
  if (v && typeof v === 'object' && !ArrayBuffer.isView(v)) {
    const out: Record<string, unknown> = {};
    for (const [k, x] of Object.entries(v)) out[k] = resolveBlobs(x, bytes);
    return out;
  }
  return v;
}
