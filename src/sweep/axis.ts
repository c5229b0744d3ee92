import { ArgumentError } from '../errors.js';

/** The argument a sweep axis is given as: breakdown weights or vol multipliers. */
export type AxisParameter = 'weights' | 'volMultipliers';

/**
 * Parses a sweep axis: a range FROM:TO:STEP or a list a,b,c. A range has both ends: FROM, FROM +
 * STEP, ... while below TO, then TO itself, so when STEP does not divide TO - FROM the last step
 * is shorter (0:1:0.3 is 0, 0.3, 0.6, 0.9, 1): the end of a sweep, a full breakdown at weight 1,
 * is the point a user asks for most and must not be dropped. Range points are rounded to 12
 * decimals so that 0:1:0.1 gives 0.3, not 0.30000000000000004. A bad axis throws an
 * ArgumentError naming `parameter`.
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
    const steps = Math.floor((to - from) / step + 1e-9);
    const point = (i: number) => Math.min(to, Number((from + i * step).toFixed(12)));
    const n = steps + (point(steps) < to ? 2 : 1);
    if (n > 1000) throw refuse(`${n} points is too many (at most 1000)`);
    values = Array.from({ length: n }, (_, i) => (i <= steps ? point(i) : to));
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
