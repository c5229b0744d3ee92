// Philox4x32-10 (Salmon, Moraes, Dror, Shaw, "Parallel random numbers: as easy as 1, 2, 3",
// SC11; the Random123 reference). A counter-based generator: every scenario owns its own
// counter, so a scenario's draws never depend on how scenarios are split across chunks,
// workers or machines.

// @ts-ignore: decorator
@inline const PHILOX_M0: u32 = 0xD2511F53;
// @ts-ignore: decorator
@inline const PHILOX_M1: u32 = 0xCD9E8D57;
// Weyl increments of the key schedule: golden ratio and sqrt(3) - 1, scaled to 2^32.
// @ts-ignore: decorator
@inline const PHILOX_W0: u32 = 0x9E3779B9;
// @ts-ignore: decorator
@inline const PHILOX_W1: u32 = 0xBB67AE85;

// One block of output lives in globals rather than memory: the hot loops inline the
// generator and read the four words straight back, with no scratch buffer to manage.
export let philoxW0: u32 = 0;
export let philoxW1: u32 = 0;
export let philoxW2: u32 = 0;
export let philoxW3: u32 = 0;

// @ts-ignore: decorator
@inline
export function philox10(c0: u32, c1: u32, c2: u32, c3: u32, k0: u32, k1: u32): void {
  for (let round = 0; round < 10; round++) {
    // Random123 bumps the key before every round but the first.
    if (round > 0) {
      k0 += PHILOX_W0;
      k1 += PHILOX_W1;
    }
    const p0 = <u64>PHILOX_M0 * <u64>c0;
    const p1 = <u64>PHILOX_M1 * <u64>c2;
    const hi0 = <u32>(p0 >>> 32);
    const lo0 = <u32>p0;
    const hi1 = <u32>(p1 >>> 32);
    const lo1 = <u32>p1;
    c0 = hi1 ^ c1 ^ k0;
    c1 = lo1;
    c2 = hi0 ^ c3 ^ k1;
    c3 = lo0;
  }
  philoxW0 = c0;
  philoxW1 = c1;
  philoxW2 = c2;
  philoxW3 = c3;
}

// The largest double below 1. (k + 0.5) / 2^53 is not representable for k >= 2^52 and
// rounds to even, so k = 2^53 - 1 would give exactly 1 and normInv(1) = +Infinity; the
// clamp keeps the promise that u lies strictly inside (0, 1). It fires with probability 2^-53.
// @ts-ignore: decorator
@inline const BELOW_ONE: f64 = 0.99999999999999988898;

/** A 53-bit uniform in (0, 1) from two words: 27 high bits of `hiWord`, 26 of `loWord`. */
// @ts-ignore: decorator
@inline
export function uniform53(hiWord: u32, loWord: u32): f64 {
  const u = (<f64>(hiWord >>> 5) * 67108864.0 + <f64>(loWord >>> 6) + 0.5) / 9007199254740992.0;
  return u < 1.0 ? u : BELOW_ONE;
}

/** Test hook: one Philox4x32-10 block written as four u32 at outPtr. */
export function philox4x32(c0: u32, c1: u32, c2: u32, c3: u32, k0: u32, k1: u32, outPtr: usize): void {
  philox10(c0, c1, c2, c3, k0, k1);
  store<u32>(outPtr, philoxW0);
  store<u32>(outPtr, philoxW1, 4);
  store<u32>(outPtr, philoxW2, 8);
  store<u32>(outPtr, philoxW3, 12);
}
