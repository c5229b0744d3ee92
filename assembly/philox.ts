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

// Two blocks at once, for scenarios (counters) iA and iB that share c1, c2, c3 and the key:
// the state lives in two i32x4 vectors, X = [c0A, c0B, c2A, c2B] and Y = [c1A, c1B, c3A, c3B].
// extmul_low / extmul_high of X by [M0, M0, M1, M1] give the four 32x32 -> 64-bit products
// [c0 M0 of A, B] and [c2 M1 of A, B]; two shuffles pick their high and low words into the
// next X (xored with Y and the key) and Y. The lanes compute exactly philox10's words.
export let philoxX: v128 = i32x4(0, 0, 0, 0);
export let philoxY: v128 = i32x4(0, 0, 0, 0);

// @ts-ignore: decorator
@inline
export function philox10x2(cA: u32, cB: u32, c1: u32, c2: u32, c3: u32, k0: u32, k1: u32): void {
  const m = i32x4(PHILOX_M0, PHILOX_M0, PHILOX_M1, PHILOX_M1);
  const w = i32x4(PHILOX_W0, PHILOX_W0, PHILOX_W1, PHILOX_W1);
  let x = i32x4.replace_lane(i32x4.replace_lane(i32x4.splat(cA), 1, cB), 2, c2);
  x = i32x4.replace_lane(x, 3, c2);
  const y0 = i32x4.replace_lane(i32x4.replace_lane(i32x4.splat(c1), 2, c3), 3, c3);
  let y = y0;
  let key = i32x4.replace_lane(i32x4.replace_lane(i32x4.splat(k0), 2, k1), 3, k1);
  for (let round = 0; round < 10; round++) {
    if (round > 0) key = i32x4.add(key, w);
    const p0 = i64x2.extmul_low_i32x4_u(x, m); // [lo0A, hi0A, lo0B, hi0B] as i32 lanes
    const p1 = i64x2.extmul_high_i32x4_u(x, m); // [lo1A, hi1A, lo1B, hi1B]
    x = v128.xor(v128.xor(i32x4.shuffle(p1, p0, 1, 3, 5, 7), y), key); // hi1 ^ c1 ^ k0, hi0 ^ c3 ^ k1
    y = i32x4.shuffle(p1, p0, 0, 2, 4, 6); // lo1, lo0
  }
  philoxX = x;
  philoxY = y;
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

export let philoxX2: v128 = i32x4(0, 0, 0, 0);
export let philoxY2: v128 = i32x4(0, 0, 0, 0);

/**
 * philox10x2 for c1 = b (into philoxX, philoxY) and c1 = b + 1 (into philoxX2, philoxY2) at
 * once: two independent dependency chains in one loop, so the multiplies of one hide the
 * latency of the other.
 */
// @ts-ignore: decorator
@inline
export function philox10x4(cA: u32, cB: u32, b: u32, c2: u32, c3: u32, k0: u32, k1: u32): void {
  const m = i32x4(PHILOX_M0, PHILOX_M0, PHILOX_M1, PHILOX_M1);
  const w = i32x4(PHILOX_W0, PHILOX_W0, PHILOX_W1, PHILOX_W1);
  let x = i32x4.replace_lane(i32x4.replace_lane(i32x4.splat(cA), 1, cB), 2, c2);
  x = i32x4.replace_lane(x, 3, c2);
  let x2 = x;
  let y = i32x4.replace_lane(i32x4.replace_lane(i32x4.splat(b), 2, c3), 3, c3);
  let y2 = i32x4.replace_lane(i32x4.replace_lane(i32x4.splat(b + 1), 2, c3), 3, c3);
  let key = i32x4.replace_lane(i32x4.replace_lane(i32x4.splat(k0), 2, k1), 3, k1);
  for (let round = 0; round < 10; round++) {
    if (round > 0) key = i32x4.add(key, w);
    const p0 = i64x2.extmul_low_i32x4_u(x, m);
    const q0 = i64x2.extmul_low_i32x4_u(x2, m);
    const p1 = i64x2.extmul_high_i32x4_u(x, m);
    const q1 = i64x2.extmul_high_i32x4_u(x2, m);
    x = v128.xor(v128.xor(i32x4.shuffle(p1, p0, 1, 3, 5, 7), y), key);
    x2 = v128.xor(v128.xor(i32x4.shuffle(q1, q0, 1, 3, 5, 7), y2), key);
    y = i32x4.shuffle(p1, p0, 0, 2, 4, 6);
    y2 = i32x4.shuffle(q1, q0, 0, 2, 4, 6);
  }
  philoxX = x;
  philoxY = y;
  philoxX2 = x2;
  philoxY2 = y2;
}

/** uniform53 of two lanes: hi words in i32 lanes 0, 1 of `hiWords`, lo words likewise. */
// @ts-ignore: decorator
@inline
export function uniform53x2(hiWords: v128, loWords: v128): v128 {
  const hi = f64x2.convert_low_i32x4_u(i32x4.shr_u(hiWords, 5));
  const lo = f64x2.convert_low_i32x4_u(i32x4.shr_u(loWords, 6));
  // Division by 2^53 is exact, so the multiply gives uniform53's bits.
  const u = f64x2.mul(
    f64x2.add(f64x2.add(f64x2.mul(hi, f64x2.splat(67108864.0)), lo), f64x2.splat(0.5)),
    f64x2.splat(1.0 / 9007199254740992.0),
  );
  return f64x2.pmin(u, f64x2.splat(BELOW_ONE)); // BELOW_ONE < u ? BELOW_ONE : u
}

/** Test hook: one Philox4x32-10 block written as four u32 at outPtr. */
export function philox4x32(c0: u32, c1: u32, c2: u32, c3: u32, k0: u32, k1: u32, outPtr: usize): void {
  philox10(c0, c1, c2, c3, k0, k1);
  store<u32>(outPtr, philoxW0);
  store<u32>(outPtr, philoxW1, 4);
  store<u32>(outPtr, philoxW2, 8);
  store<u32>(outPtr, philoxW3, 12);
}

/** Test hook: two Philox4x32-10 blocks, counters (cA, c1, c2, c3) and (cB, c1, c2, c3), through
 * the i32x4 path; eight u32 at outPtr: block A's words 0..3, then block B's. */
export function philox4x32x2(cA: u32, cB: u32, c1: u32, c2: u32, c3: u32, k0: u32, k1: u32, outPtr: usize): void {
  philox10x2(cA, cB, c1, c2, c3, k0, k1);
  store<u32>(outPtr, i32x4.extract_lane(philoxX, 0));
  store<u32>(outPtr, i32x4.extract_lane(philoxY, 0), 4);
  store<u32>(outPtr, i32x4.extract_lane(philoxX, 2), 8);
  store<u32>(outPtr, i32x4.extract_lane(philoxY, 2), 12);
  store<u32>(outPtr, i32x4.extract_lane(philoxX, 1), 16);
  store<u32>(outPtr, i32x4.extract_lane(philoxY, 1), 20);
  store<u32>(outPtr, i32x4.extract_lane(philoxX, 3), 24);
  store<u32>(outPtr, i32x4.extract_lane(philoxY, 3), 28);
}
