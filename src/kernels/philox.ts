// TypeScript twin of assembly/philox.ts: Philox4x32-10 (Salmon et al., SC11; Random123).
// JS numbers cannot hold a 64-bit product, so the high word of each 32x32 multiply is
// assembled from 16-bit halves; the results are the same bits as the u64 multiply in WASM.

const PHILOX_M0 = 0xd2511f53;
const PHILOX_M1 = 0xcd9e8d57;
const PHILOX_W0 = 0x9e3779b9;
const PHILOX_W1 = 0xbb67ae85;

/** High 32 bits of the 64-bit product of two u32. */
function mulhi32(a: number, b: number): number {
  const a0 = a & 0xffff;
  const a1 = a >>> 16;
  const b0 = b & 0xffff;
  const b1 = b >>> 16;
  const lo = a0 * b0;
  const mid1 = a1 * b0;
  const mid2 = a0 * b1;
  const carry = ((lo >>> 16) + (mid1 & 0xffff) + (mid2 & 0xffff)) >>> 16;
  return (a1 * b1 + (mid1 >>> 16) + (mid2 >>> 16) + carry) >>> 0;
}

/**
 * One Philox4x32-10 block for counter (c0..c3) and key (k0, k1), all u32; the four output
 * words go to out[0..3].
 */
export function philox4x32(
  c0: number, c1: number, c2: number, c3: number, k0: number, k1: number, out: Uint32Array,
): void {
  c0 >>>= 0; c1 >>>= 0; c2 >>>= 0; c3 >>>= 0; k0 >>>= 0; k1 >>>= 0;
  for (let round = 0; round < 10; round++) {
    // Random123 bumps the key before every round but the first.
    if (round > 0) {
      k0 = (k0 + PHILOX_W0) >>> 0;
      k1 = (k1 + PHILOX_W1) >>> 0;
    }
    const hi0 = mulhi32(PHILOX_M0, c0);
    const lo0 = Math.imul(PHILOX_M0, c0) >>> 0;
    const hi1 = mulhi32(PHILOX_M1, c2);
    const lo1 = Math.imul(PHILOX_M1, c2) >>> 0;
    const n0 = (hi1 ^ c1 ^ k0) >>> 0;
    const n2 = (hi0 ^ c3 ^ k1) >>> 0;
    c0 = n0;
    c1 = lo1;
    c2 = n2;
    c3 = lo0;
  }
  out[0] = c0;
  out[1] = c1;
  out[2] = c2;
  out[3] = c3;
}

// The largest double below 1: (k + 0.5) / 2^53 rounds to exactly 1 for k = 2^53 - 1
// (k + 0.5 is not representable above 2^52), and normInv(1) would be +Infinity.
const BELOW_ONE = 1 - 2 ** -53;

/** A 53-bit uniform in (0, 1) from two words: 27 high bits of hiWord, 26 of loWord. */
export function uniform53(hiWord: number, loWord: number): number {
  const u = ((hiWord >>> 5) * 67108864.0 + (loWord >>> 6) + 0.5) / 9007199254740992.0;
  return u < 1.0 ? u : BELOW_ONE;
}
