// Tail bars shared by the tasks of one pass over a set, between threads: per series, the highest
// k-th largest loss any task has seen in its own scenarios. Each task's k-th largest is a lower
// bound on the set's k-th largest (its scenarios are a subset), so a loss strictly below the
// highest of them cannot be in the set's top k: every task may skip it. Without sharing, each
// task would raise its bar from minus infinity on its own share of the scenarios. A pass gets a
// fresh buffer from its coordinator: nothing here outlives a pass or belongs to a worker.

/**
 * Doubles stored as order-preserving 64-bit integers, so that Atomics can compare and swap them:
 * a torn read of a plain Float64Array could show a bar above the true one and lose an exact tail.
 */
export class SharedBars {
  private readonly keys: BigInt64Array;
  constructor(
    readonly buffer: SharedArrayBuffer,
    private readonly nSeries: number,
  ) {
    this.keys = new BigInt64Array(buffer);
    if (this.keys.length < nSeries) throw new Error(`internal: shared bars for ${this.keys.length} series, not ${nSeries}`);
  }

  static create(nSeries: number): SharedArrayBuffer {
    const buffer = new SharedArrayBuffer(Math.max(1, nSeries) * 8);
    new BigInt64Array(buffer).fill(toKey(-Infinity));
    return buffer;
  }

  /** Copies the bars into `out` (one per series). */
  read(out: Float64Array): void {
    for (let r = 0; r < this.nSeries; r++) out[r] = fromKey(Atomics.load(this.keys, r));
  }

  /** Raises series r's bar to `value` if it is higher. */
  raise(r: number, value: number): void {
    const key = toKey(value);
    let seen = Atomics.load(this.keys, r);
    while (key > seen) {
      const prev = Atomics.compareExchange(this.keys, r, seen, key);
      if (prev === seen) return;
      seen = prev;
    }
  }
}

const scratch = new DataView(new ArrayBuffer(8));
const FLIP = 0x7fffffffffffffffn;

/** Monotone map from doubles (not NaN) to signed 64-bit integers. */
export function toKey(v: number): bigint {
  scratch.setFloat64(0, v);
  const bits = scratch.getBigInt64(0);
  return bits >= 0n ? bits : bits ^ FLIP;
}

export function fromKey(key: bigint): number {
  scratch.setBigInt64(0, key >= 0n ? key : key ^ FLIP);
  return scratch.getFloat64(0);
}
