import { UsageError } from '../errors.js';

const UNITS: Record<string, number> = { b: 1, k: 2 ** 10, m: 2 ** 20, g: 2 ** 30, t: 2 ** 40 };

/**
 * A memory size as people write it: `1GiB`, `800MiB`, `2G`, `1.5gb`. Units are binary (K = 1024)
 * whether written KB or KiB, as memory is counted; a bare number is MiB.
 */
export function parseBytes(text: string, flag: string): number {
  const m = /^\s*(\d+(?:\.\d+)?)\s*(?:([bkmgt])(?:i?b)?)?\s*$/i.exec(text);
  if (!m)
    throw new UsageError(`${flag} ${JSON.stringify(text)}: expected a size such as 1GiB, 800MiB or 2G (a bare number is MiB)`);
  const unit = m[2] ? UNITS[m[2].toLowerCase()] : UNITS.m;
  return Math.floor(Number(m[1]) * unit);
}
