// A task on the queue's wire (wire.ts): msgpack, the plan by id, large arrays as blobs by hash.
// Off the wire, with its blobs resolved, it must be the task again, array for array and bit for bit.
import { describe, expect, it } from 'vitest';
import { blobHash, blobRefs, fromWire, INLINE_ARRAY_MAX_BYTES, resolveBlobs, toWire } from '../../src/distributed/wire.js';
import type { EngineTask } from '../../src/engine/task.js';

const big = Float64Array.from({ length: INLINE_ARRAY_MAX_BYTES / 8 + 3 }, (_, i) => (i % 7 === 0 ? -0 : i * 0.1 - 5));

function rangeTask(): EngineTask {
  return {
    plan: { id: 'p'.repeat(32), bytes: new Uint8Array(100) },
    set: 1,
    start: 100,
    count: 50,
    chunk: 16,
    cap: 10,
    bar: big,
    cover: { series: Int32Array.from([0, 2, 5]), collateral: Float64Array.from([1.5, NaN, Infinity]) },
    sharedBars: new SharedArrayBuffer(8),
    sharedResult: true,
    stored: true,
  };
}

describe('the wire', () => {
  it('carries a task as its fields, the plan by id and large arrays by the hash of their bytes', () => {
    const wire = toWire(rangeTask());
    expect(wire.planId).toBe('p'.repeat(32));
    expect([...wire.blobs.keys()]).toEqual([blobHash(new Uint8Array(big.buffer))]);
    // Small: the bar is a blob, the plan an id.
    expect(wire.bytes.byteLength).toBeLessThan(300);
    const decoded = fromWire(wire.bytes) as Record<string, unknown>;
    expect(blobRefs(decoded).map((r) => r.hash)).toEqual([...wire.blobs.keys()]);
    // Fetched as a worker fetches them (an array of its own), and as a Buffer at an odd offset.
    for (const fetched of [
      new Map([...wire.blobs].map(([h, b]) => [h, new Uint8Array(b)])),
      new Map(
        [...wire.blobs].map(([h, b]) => {
          const odd = Buffer.alloc(b.byteLength + 3);
          odd.set(b, 3);
          return [h, odd.subarray(3)];
        }),
      ),
    ]) {
      const task = resolveBlobs(decoded, fetched) as Record<string, unknown>;
      // Fields that exist only where memory is shared never travel.
      expect(Object.keys(task).sort()).toEqual(['bar', 'cap', 'chunk', 'count', 'cover', 'plan', 'set', 'start', 'stored']);
      expect(task.plan).toEqual({ id: 'p'.repeat(32) });
      expect(task.bar).toBeInstanceOf(Float64Array);
      expect(new Uint8Array((task.bar as Float64Array).buffer, (task.bar as Float64Array).byteOffset, big.byteLength)).toEqual(
        new Uint8Array(big.buffer),
      );
      const cover = task.cover as { series: Int32Array; collateral: Float64Array };
      expect(cover.series).toEqual(Int32Array.from([0, 2, 5]));
      expect(Array.from(cover.collateral)).toEqual([1.5, NaN, Infinity]);
      expect([task.set, task.start, task.count, task.chunk, task.cap, task.stored]).toEqual([1, 100, 50, 16, 10, true]);
    }
  });

  it('gives the same bytes for the same task, so that its job id is the same on a resumed run', () => {
    expect(Buffer.compare(Buffer.from(toWire(rangeTask()).bytes), Buffer.from(toWire(rangeTask()).bytes))).toBe(0);
    const other = { ...(rangeTask() as object), start: 101 } as EngineTask;
    expect(Buffer.compare(Buffer.from(toWire(rangeTask()).bytes), Buffer.from(toWire(other).bytes))).not.toBe(0);
  });

  it('refuses a task that holds shared memory it would have to copy', () => {
    const task = { ...(rangeTask() as object), bar: new Float64Array(new SharedArrayBuffer(8 * 1000)) } as EngineTask;
    expect(() => toWire(task)).toThrow(/shared memory/);
  });
});
