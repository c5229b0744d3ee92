// TypeScript twin of assembly/exp.ts: exp(ahi + alo) with the same operations in the same
// order, so it returns the same bits as the WASM scalar and f64x2 paths. See that file for
// the algorithm (Cody–Waite reduction, degree-12 polynomial, two-factor 2^k scaling).

const LN2HI = 6.93147180369123816490e-01;
const LN2LO = 1.90821492927058770002e-10;
const INVLN2 = 1.44269504088896338700e+00;
const SHIFTER = 6755399441055744.0;
const EXP_LO = -750.0;
const EXP_HI = 710.0;
const Q0 = 2.0915433598076003e-09;
const Q1 = 2.5106262550879078e-08;
const Q2 = 2.755727183153613e-07;
const Q3 = 2.755725286336732e-06;
const Q4 = 2.480158732699005e-05;
const Q5 = 0.00019841269876840357;
const Q6 = 0.0013888888888883332;
const Q7 = 0.008333333333325551;
const Q8 = 0.04166666666666667;
const Q9 = 0.1666666666666667;
const Q10 = 0.5;

// 2^j for j in [-POW2_OFF, POW2_OFF]: the two scale factors of the WASM path, which builds
// them from exponent bits. Halving and doubling are exact in this range.
const POW2_OFF = 600;
const POW2 = new Float64Array(2 * POW2_OFF + 1);
POW2[POW2_OFF] = 1;
for (let j = 1; j <= POW2_OFF; j++) {
  POW2[POW2_OFF + j] = POW2[POW2_OFF + j - 1] * 2;
  POW2[POW2_OFF - j] = POW2[POW2_OFF - j + 1] * 0.5;
}

/** exp(ahi + alo); ahi - k ln2 must be exact (see assembly/exp.ts), |alo| small. */
export function expSplit(ahi: number, alo: number): number {
  ahi = ahi < EXP_LO ? EXP_LO : ahi;
  ahi = EXP_HI < ahi ? EXP_HI : ahi;
  const kd = (ahi + alo) * INVLN2 + SHIFTER;
  const kf = kd - SHIFTER;
  if (kf !== kf) return kf; // NaN in, NaN out (the WASM lanes get there through p)
  const hi = ahi - kf * LN2HI;
  const lo = kf * LN2LO;
  const h = hi + alo;
  const r = h - lo;
  const r2 = r * r;
  const r4 = r2 * r2;
  const q03 = (Q10 + Q9 * r) + (Q8 + Q7 * r) * r2;
  const q47 = (Q6 + Q5 * r) + (Q4 + Q3 * r) * r2;
  const q810 = (Q2 + Q1 * r) + Q0 * r2;
  const q = (q03 + q47 * r4) + q810 * (r4 * r4);
  const p = 1.0 + (h + (r2 * q - lo));
  const k = kf | 0; // |kf| <= 1083: exact
  const k1 = k >> 1; // floor(k / 2)
  return p * POW2[POW2_OFF + k1] * POW2[POW2_OFF + k - k1];
}

/** e^x for any double x. */
export function expd(x: number): number {
  return expSplit(x, 0.0);
}

/**
 * exp(-y^2/2) for 0 <= y <= 37, as the option kernels' lanes compute it (expGaussV): Cody's
 * split with k taken straight from -y^2/2. Same bits as the WASM lanes.
 */
export function expGauss(y: number): number {
  const kd = (y * y) * (-0.5 * INVLN2) + SHIFTER;
  const ysq = Math.trunc(y * 16.0) * 0.0625;
  const ahi = ysq * ysq * -0.5;
  const alo = (y - ysq) * (y + ysq) * -0.5;
  const kf = kd - SHIFTER;
  if (kf !== kf) return kf;
  const hi = ahi - kf * LN2HI;
  const lo = kf * LN2LO;
  const h = hi + alo;
  const r = h - lo;
  const r2 = r * r;
  const r4 = r2 * r2;
  const q03 = (Q10 + Q9 * r) + (Q8 + Q7 * r) * r2;
  const q47 = (Q6 + Q5 * r) + (Q4 + Q3 * r) * r2;
  const q810 = (Q2 + Q1 * r) + Q0 * r2;
  const q = (q03 + q47 * r4) + q810 * (r4 * r4);
  const p = 1.0 + (h + (r2 * q - lo));
  // 2^k in two exact factors (the table spans +-600); the result is normal for y <= 37.
  const k = kf | 0;
  const k1 = k >> 1;
  return p * POW2[POW2_OFF + k1] * POW2[POW2_OFF + k - k1];
}
