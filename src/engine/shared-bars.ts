// Tail bars shared by the workers of a run: per pass of a set (task.ts passKey) and series, the
// highest k-th largest loss any worker has seen in its own scenarios of the pass. Each worker's
// k-th largest is a lower bound on the set's k-th largest (its scenarios are a subset), so a loss
// strictly below the highest of them cannot be in the set's top k: every worker may skip it.
// Without sharing, each of W workers raises its bar on 1/W of the scenarios, and together they
// take about W times the candidates of one. A main pass after a pilot starts from the pilot's
// bars, which are checked after the pass instead (pilot.ts).

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
  }

  static create(nSlots: number, nSeries: number): SharedArrayBuffer {
    const buffer = new SharedArrayBuffer(Math.max(1, nSlots * nSeries) * 8);
    new BigInt64Array(buffer).fill(toKey(-Infinity));
    return buffer;
  }

  /** Copies a slot's bars into `out` (one per series). */
  read(slot: number, out: Float64Array): void {
    const base = slot * this.nSeries;
    for (let r = 0; r < this.nSeries; r++) out[r] = fromKey(Atomics.load(this.keys, base + r));
  }

  /** Raises series r's bar to `value` if it is higher. */
  raise(slot: number, r: number, value: number): void {
    const i = slot * this.nSeries + r;
    const key = toKey(value);
    let seen = Atomics.load(this.keys, i);
    while (key > seen) {
      const prev = Atomics.compareExchange(this.keys, i, seen, key);
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
