// Values kept by key within a byte budget (and, where asked, a count), the least recently used
// dropped first: the what-if model's unit vectors and row cache, a queue worker's plans and blobs. Map keeps insertion order, so
// moving a key to the end on use makes its first entries the least recently used.

export class ByteLru<V extends { byteLength: number }> {
  private readonly entries = new Map<string, V>();
  private total = 0;

  constructor(
    readonly budget: number,
    /** At most this many values. */
    readonly maxEntries = Infinity,
  ) {}

  /** Bytes held now. */
  get bytes(): number {
    return this.total;
  }

  has(key: string): boolean {
    return this.entries.has(key);
  }

  /** The value, now the most recently used. */
  get(key: string): V | undefined {
    const v = this.entries.get(key);
    if (v !== undefined) {
      this.entries.delete(key);
      this.entries.set(key, v);
    }
    return v;
  }

  /** The value, its place in the order left as it is. */
  peek(key: string): V | undefined {
    return this.entries.get(key);
  }

  /** Drops every value whose key passes `test` (a run's values, once the run has ended). */
  dropWhere(test: (key: string) => boolean): void {
    for (const [k, x] of this.entries) {
      if (!test(k)) continue;
      this.entries.delete(k);
      this.total -= x.byteLength;
    }
  }

  /**
   * Keeps `v` as the most recently used, then drops the least recently used until the budget and
   * the count hold: all but `v` if need be (a value larger than the budget is still kept until
   * the next).
   */
  set(key: string, v: V): void {
    const old = this.entries.get(key);
    if (old !== undefined) {
      this.entries.delete(key);
      this.total -= old.byteLength;
    }
    this.entries.set(key, v);
    this.total += v.byteLength;
    for (const [k, x] of this.entries) {
      if ((this.total <= this.budget && this.entries.size <= this.maxEntries) || k === key) break;
      this.entries.delete(k);
      this.total -= x.byteLength;
    }
  }
}
