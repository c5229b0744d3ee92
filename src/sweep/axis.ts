import { ArgumentError } from '../errors.js';

/** The argument a sweep axis is given as: breakdown weights or vol multipliers. */
export type AxisParameter = 'weights' | 'volMultipliers';

/**
 * Parses a sweep axis: a range FROM:TO:STEP (both ends included) or a list a,b,c. Range points
 * are rounded to 12 decimals so that 0:1:0.1 gives 0.3, not 0.30000000000000004. A bad axis
 * throws an ArgumentError naming `parameter`.
 */
export function parseAxis(text: string, parameter: AxisParameter, valid: (v: number) => boolean, expected: string): number[] {
  const refuse = (problem: string) => new ArgumentError(parameter, text, problem);
  let values: number[];
  if (text.includes(':')) {
    const parts = text.split(':').map((p) => Number(p));
    if (parts.length !== 3 || parts.some((p) => !Number.isFinite(p))) {
      throw refuse('expected FROM:TO:STEP or a list a,b,c of numbers');
    }
    const [from, to, step] = parts;
    if (!(step > 0) || to < from) throw refuse('expected STEP > 0 and FROM <= TO');
    const n = Math.floor((to - from) / step + 1e-9) + 1;
    if (n > 1000) throw refuse(`${n} points is too many (at most 1000)`);
    values = Array.from({ length: n }, (_, i) => Number((from + i * step).toFixed(12)));
  } else {
    values = text.split(',').map((p) => Number(p.trim()));
    if (values.some((v) => !Number.isFinite(v)) || text.trim() === '') {
      throw refuse('expected FROM:TO:STEP or a list a,b,c of numbers');
    }
  }
  const bad = values.find((v) => !valid(v));
  if (bad !== undefined) throw refuse(`every point must be ${expected}, got ${bad}`);
  return values;
}
