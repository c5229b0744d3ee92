import { describe, expect, it } from 'vitest';
import { philox4x32, uniform53 } from '../../src/kernels/philox.js';
import { kernels, rng } from './helpers.js';

// Known-answer vectors for philox4x32 with 10 rounds, from Random123's tests/kat_vectors
// (github.com/DEShawResearch/random123): counter (4 words), key (2 words), expected output.
const KAT: Array<[number[], number[], number[]]> = [
  [
    [0x00000000, 0x00000000, 0x00000000, 0x00000000],
    [0x00000000, 0x00000000],
    [0x6627e8d5, 0xe169c58d, 0xbc57ac4c, 0x9b00dbd8],
  ],
  [
    [0xffffffff, 0xffffffff, 0xffffffff, 0xffffffff],
    [0xffffffff, 0xffffffff],
    [0x408f276d, 0x41c83b0e, 0xa20bc7c6, 0x6d5451fd],
  ],
  [
    [0x243f6a88, 0x85a308d3, 0x13198a2e, 0x03707344],
    [0xa4093822, 0x299f31d0],
    [0xd16cfe09, 0x94fdcceb, 0x5001e420, 0x24126ea1],
  ],
];

describe('philox4x32-10', () => {
  const k = kernels();
  const outPtr = k.alloc(16);

  it.each(KAT.map((v, i) => [i, ...v] as const))('twin matches Random123 KAT %i', (_i, ctr, key, want) => {
    const out = new Uint32Array(4);
    philox4x32(ctr[0], ctr[1], ctr[2], ctr[3], key[0], key[1], out);
    expect(Array.from(out)).toEqual(want);
  });

  it.each(KAT.map((v, i) => [i, ...v] as const))('wasm matches Random123 KAT %i', (_i, ctr, key, want) => {
    k.exports.philox4x32(ctr[0], ctr[1], ctr[2], ctr[3], key[0], key[1], outPtr);
    expect(Array.from(k.u32(outPtr, 4))).toEqual(want);
  });

  it('wasm and twin agree bit for bit on random counters and keys', () => {
    const next = rng(20261120);
    const word = () => Math.floor(next() * 4294967296) >>> 0;
    const out = new Uint32Array(4);
    for (let t = 0; t < 2000; t++) {
      const c = [word(), word(), word(), word()];
      const key = [word(), word()];
      philox4x32(c[0], c[1], c[2], c[3], key[0], key[1], out);
      k.exports.philox4x32(c[0], c[1], c[2], c[3], key[0], key[1], outPtr);
      const got = k.u32(outPtr, 4);
      for (let w = 0; w < 4; w++) {
        if (got[w] !== out[w]) throw new Error(`mismatch at ${c.join(',')} / ${key.join(',')}`);
      }
    }
  });

  it("the two-lane i32x4 path (mcShocks' Philox) gives both blocks' words bit for bit", () => {
    const next = rng(4321);
    const word = () => Math.floor(next() * 4294967296) >>> 0;
    const outA = new Uint32Array(4);
    const outB = new Uint32Array(4);
    const p2 = k.alloc(32);
    const cases = KAT.map(([c, key]) => [c[0], c[0], c[1], c[2], c[3], key[0], key[1]]);
    for (let t = 0; t < 2000; t++) cases.push([word(), word(), word(), word(), word(), word(), word()]);
    for (const [cA, cB, c1, c2, c3, k0, k1] of cases) {
      philox4x32(cA, c1, c2, c3, k0, k1, outA);
      philox4x32(cB, c1, c2, c3, k0, k1, outB);
      k.exports.philox4x32x2(cA, cB, c1, c2, c3, k0, k1, p2);
      const got = Array.from(k.u32(p2, 8));
      expect(got).toEqual([...outA, ...outB]);
    }
  });

  it('uniform53 stays strictly inside (0, 1) at the extreme words', () => {
    expect(uniform53(0, 0)).toBe(2 ** -54);
    expect(uniform53(0xffffffff, 0xffffffff)).toBeLessThan(1);
    expect(uniform53(0xffffffff, 0xffffffff)).toBe(1 - 2 ** -53);
    // 27 + 26 bits: the next representable step above the minimum.
    expect(uniform53(0, 64)).toBe(1.5 * 2 ** -53);
    expect(uniform53(32, 0)).toBe((2 ** 26 + 0.5) * 2 ** -53);
  });
});
