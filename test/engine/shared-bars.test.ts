// Shared tail bars must order exactly like the doubles they encode, or a worker could skip a
// loss that belongs in the tail.
import { describe, expect, it } from 'vitest';
import { fromKey, SharedBars, toKey } from '../../src/engine/shared-bars.js';

describe('shared bars', () => {
  it('encode doubles as order-preserving integers, round-trip exact', () => {
    const values = [-Infinity, -1e308, -2, -1, -Number.MIN_VALUE, -0, 0, Number.MIN_VALUE, 1e-300, 1, 2, 1e308, Infinity];
    for (let i = 0; i < values.length; i++) {
      expect(Object.is(fromKey(toKey(values[i])), values[i])).toBe(true);
      for (let j = i + 1; j < values.length; j++) {
        if (Object.is(values[i], -0) && Object.is(values[j], 0)) continue;
        expect(toKey(values[i]) < toKey(values[j])).toBe(true);
      }
    }
  });

  it('only ever raise a bar', () => {
    const bars = new SharedBars(SharedBars.create(3), 3);
    const out = new Float64Array(3);
    bars.read(out);
    expect(Array.from(out)).toEqual([-Infinity, -Infinity, -Infinity]);
    bars.raise(0, -5);
    bars.raise(0, 7.5);
    bars.raise(0, 3);
    bars.raise(2, -1);
    bars.read(out);
    expect(Array.from(out)).toEqual([7.5, -Infinity, -1]);
  });
});
