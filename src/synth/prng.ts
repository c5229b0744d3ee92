// A small seeded PRNG for the synthetic workload generator: sfc32 (Chris Doty-Humphrey's Small
// Fast Counting generator, 128-bit state, passes PractRand to 2^40+ bytes), seeded through a
// splitmix-style mixer. Not for Monte Carlo (the engine has its own counter-based Philox): only
// for building reproducible books. Everything here is 32-bit integer arithmetic, so the same
// seed gives the same stream on every platform and Node version.

/** A murmur3 finaliser: a 32-bit avalanche of x. */
function mix32(x: number): number {
  x ^= x >>> 16;
  x = Math.imul(x, 0x85ebca6b);
  x ^= x >>> 13;
  x = Math.imul(x, 0xc2b2ae35);
  x ^= x >>> 16;
  return x >>> 0;
}

export class Prng {
  private a: number;
  private b: number;
  private c: number;
  private d: number;

  /** `seed` is a non-negative integer up to 2^53 - 1; `stream` separates independent streams. */
  constructor(seed: number, stream = 0) {
    const lo = (seed % 0x1_0000_0000) >>> 0;
    const hi = Math.floor(seed / 0x1_0000_0000) >>> 0;
    this.a = mix32(lo ^ 0x9e3779b9);
    this.b = mix32(hi ^ 0x7f4a7c15);
    this.c = mix32((stream >>> 0) ^ 0xbb67ae85);
    this.d = 1;
    for (let i = 0; i < 15; i++) this.nextU32();
  }

  nextU32(): number {
    const t = (((this.a + this.b) >>> 0) + this.d) >>> 0;
    this.d = (this.d + 1) >>> 0;
    this.a = (this.b ^ (this.b >>> 9)) >>> 0;
    this.b = (this.c + (this.c << 3)) >>> 0;
    this.c = ((this.c << 21) | (this.c >>> 11)) >>> 0;
    this.c = (this.c + t) >>> 0;
    return t;
  }

  /** Uniform in [0, 1) with 32 bits of resolution. */
  next(): number {
    return this.nextU32() / 0x1_0000_0000;
  }

  /** Uniform in [lo, hi). */
  uniform(lo: number, hi: number): number {
    return lo + (hi - lo) * this.next();
  }

  /** An integer in [0, n). */
  int(n: number): number {
    return Math.floor(this.next() * n);
  }

  pick<T>(items: readonly T[]): T {
    return items[this.int(items.length)];
  }

  /** True with probability p. */
  chance(p: number): boolean {
    return this.next() < p;
  }

  /** k distinct indices from [0, n), in draw order (partial Fisher–Yates). */
  sample(n: number, k: number): number[] {
    if (k > n) throw new Error(`cannot draw ${k} distinct items from ${n}`);
    const idx = Array.from({ length: n }, (_, i) => i);
    for (let i = 0; i < k; i++) {
      const j = i + this.int(n - i);
      const t = idx[i];
      idx[i] = idx[j];
      idx[j] = t;
    }
    return idx.slice(0, k);
  }
}
