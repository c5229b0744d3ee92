// ByteLru against a plain list kept in use order: random gets, peeks, sets and drops, with budgets
// in bytes and in entries, the newest value always kept.
import { describe, expect, it } from 'vitest';
import { ByteLru } from '../../src/util/byte-lru.js';
import { rng } from '../kernels/helpers.js';

describe('ByteLru', () => {
  it('keeps what a list in use order keeps: the most recent within the budget, the newest always', () => {
    const next = rng(11);
    for (const [budget, maxEntries] of [
      [100, Infinity],
      [Infinity, 3],
      [60, 4],
      [5, Infinity],
    ] as const) {
      const lru = new ByteLru<Uint8Array>(budget, maxEntries);
      // Oldest first.
      let order: [string, Uint8Array][] = [];
      const bytes = () => order.reduce((a, [, v]) => a + v.byteLength, 0);
      for (let step = 0; step < 2000; step++) {
        const key = `k${Math.floor(next() * 12)}`;
        const op = next();
        if (op < 0.4) {
          const v = new Uint8Array(1 + Math.floor(next() * 30));
          lru.set(key, v);
          order = [...order.filter(([k]) => k !== key), [key, v]];
          while ((bytes() > budget || order.length > maxEntries) && order.length > 1) order.shift();
        } else if (op < 0.8) {
          const want = order.find(([k]) => k === key)?.[1];
          expect(lru.get(key)).toBe(want);
          if (want) order = [...order.filter(([k]) => k !== key), [key, want]];
        } else if (op < 0.97) expect(lru.peek(key)).toBe(order.find(([k]) => k === key)?.[1]);
        else {
          // Drop a run's values: here, the keys ending in an even digit.
          const even = (k: string) => Number(k.slice(-1)) % 2 === 0;
          lru.dropWhere(even);
          order = order.filter(([k]) => !even(k));
        }
        expect(lru.bytes).toBe(bytes());
        for (const [k] of order) expect(lru.has(k)).toBe(true);
      }
    }
  });
});
