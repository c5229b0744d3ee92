import { UsageError } from '../errors.js';

/**
 * Parses a sweep axis: a range FROM:TO:STEP (both ends included) or a list a,b,c. Range points
 * are rounded to 12 decimals so that 0:1:0.1 gives 0.3, not 0.30000000000000004.
 */
export function parseAxis(text: string, flag: string, valid: (v: number) => boolean, expected: string): number[] {
  let values: number[];
  if (text.includes(':')) {
    const parts = text.split(':').map((p) => Number(p));
    if (parts.length !== 3 || parts.some((p) => !Number.isFinite(p))) {
      throw new UsageError(`${flag} expects FROM:TO:STEP or a list a,b,c of numbers, got "${text}"`);
    }
    const [from, to, step] = parts;
    if (!(step > 0) || to < from) throw new UsageError(`${flag} ${text}: expected STEP > 0 and FROM <= TO`);
    const n = Math.floor((to - from) / step + 1e-9) + 1;
    if (n > 1000) throw new UsageError(`${flag} ${text}: ${n} points is too many (at most 1000)`);
    values = Array.from({ length: n }, (_, i) => Number((from + i * step).toFixed(12)));
  } else {
    values = text.split(',').map((p) => Number(p.trim()));
    if (values.some((v) => !Number.isFinite(v)) || text.trim() === '') {
      throw new UsageError(`${flag} expects FROM:TO:STEP or a list a,b,c of numbers, got "${text}"`);
    }
  }
  const bad = values.find((v) => !valid(v));
  if (bad !== undefined) throw new UsageError(`${flag}: every point must be ${expected}, got ${bad}`);
  return values;
}
