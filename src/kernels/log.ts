// TypeScript twin of assembly/log.ts: fdlibm's log with the same operations in the same
// order, so it returns the same bits as the WASM scalar and f64x2 paths.

const LN2HI = 6.93147180369123816490e-01;
const LN2LO = 1.90821492927058770002e-10;
const LG1 = 6.666666666666735130e-01;
const LG2 = 3.999999999940941908e-01;
const LG3 = 2.857142874366239149e-01;
const LG4 = 2.222219843214978396e-01;
const LG5 = 1.818357216161805012e-01;
const LG6 = 1.531383769920937332e-01;
const LG7 = 1.479819860511658591e-01;
const TWO54 = 18014398509481984.0;

// Word access to a double, little-endian by construction (DataView), whatever the host.
const view = new DataView(new ArrayBuffer(8));

/** log(x): -Infinity at 0, NaN below 0 or for NaN, Infinity at Infinity. */
export function logd(x: number): number {
  if (!(x > 0.0) || x === Infinity) return x === 0.0 ? -Infinity : x === Infinity ? x : NaN;
  let k = 0;
  view.setFloat64(0, x, true);
  if (view.getUint32(4, true) < 0x00100000) { // subnormal: scale into the normal range first
    view.setFloat64(0, x * TWO54, true);
    k = -54;
  }
  let hx = view.getUint32(4, true) | 0;
  k += (hx >> 20) - 1023;
  hx &= 0x000fffff;
  const i = (hx + 0x95f64) & 0x100000;
  view.setUint32(4, hx | (i ^ 0x3ff00000), true);
  const m = view.getFloat64(0, true);
  k += i >> 20;
  const f = m - 1.0;
  const s = f / (2.0 + f);
  const dk = k;
  const z = s * s;
  const w = z * z;
  const t1 = w * (LG2 + w * (LG4 + w * LG6));
  const t2 = z * (LG1 + w * (LG3 + w * (LG5 + w * LG7)));
  const R = t2 + t1;
  if (((hx - 0x6147a) | (0x6b851 - hx)) > 0) {
    const hfsq = 0.5 * f * f;
    return dk * LN2HI - ((hfsq - (s * (hfsq + R) + dk * LN2LO)) - f);
  }
  return dk * LN2HI - ((s * (f - R) - dk * LN2LO) - f);
}
