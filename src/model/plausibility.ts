// Values that pass validation but are almost certainly in the wrong unit: a volatility of 32 is
// 3200% a year (the user meant 0.32), and a run on it produces margins of 1e33 without a word.
// Such values are warnings, each naming the file, the path, the value and the likely intended
// value; `strict` turns them into errors. Ranges that no value can sensibly leave (a haircut
// outside [0, 1), a confidence outside (0, 1)) are already errors in schema.ts.

import { InputError, formatPath, type InputIssue } from '../errors.js';
import type { PathPart } from './issues.js';
import type { Book, Market, Suite } from './types.js';

/** One implausible value: where it is, what it is, and what was probably meant. */
export interface InputWarning {
  /** The file as given (`<market>`, `<book>`, `<suite>` for documents passed in memory). */
  file: string;
  /** The path inside it, as in error messages: `underlyings[0].vol`. */
  path: string;
  value: number;
  /** The value the user most likely meant (the value read as a percentage). */
  likely: number;
  /** What is wrong, without the file and the path. */
  problem: string;
  /** The whole warning, `file: path: problem`, as printed. */
  message: string;
}

/**
 * Above these a value is read as a percentage typed as a number. Each is far beyond what the
 * quantity takes in any market, and far below the value its percentage form has.
 */
export const PLAUSIBLE_LIMITS = {
  /** An annualised volatility or implied volatility: 5 is 500% a year. */
  vol: 5,
  /** A continuously compounded rate, in absolute value: 1 is 100% a year. */
  rate: 1,
  /** A simple price return of a shock or a grid: 5 is +500%. */
  priceMove: 5,
  /** An additive implied-vol shift, in absolute value: 5 is 500 vol points. */
  ivMove: 5,
  /** A Monte Carlo set's vol multiplier: 10 is ten times the market's vols. */
  volMultiplier: 10,
  /** A relative bid-ask spread (add-ons): 0.5 is half the price. */
  spread: 0.5,
  /** The short option minimum's share of the underlying notional: 1 is the whole notional. */
  shortOptionMinimum: 1,
  /** A credit surcharge, a share of the core margin: 2 is three times the core in all. */
  creditSurcharge: 2,
} as const;

interface Check {
  path: PathPart[];
  value: number;
  limit: number;
  what: string;
}

function warningsOf(file: string, checks: Check[]): InputWarning[] {
  return checks
    .filter((c) => Math.abs(c.value) > c.limit)
    .map((c) => {
      const path = formatPath(c.path);
      const likely = c.value / 100;
      const problem = `${c.what} of ${c.value} is implausible (above ${c.limit} in absolute value); it looks like a percentage: did you mean ${likely}?`;
      return { file, path, value: c.value, likely, problem, message: InputError.format(problem, file, path) };
    });
}

export function marketWarnings(market: Market, file: string): InputWarning[] {
  return warningsOf(file, [
    { path: ['rate'], value: market.rate, limit: PLAUSIBLE_LIMITS.rate, what: 'a rate' },
    ...market.underlyings.map((u, i) => ({
      path: ['underlyings', i, 'vol'],
      value: u.vol,
      limit: PLAUSIBLE_LIMITS.vol,
      what: 'an annualised volatility',
    })),
    ...market.underlyings.flatMap((u, i) =>
      u.spread === undefined
        ? []
        : [
            {
              path: ['underlyings', i, 'spread'],
              value: u.spread,
              limit: PLAUSIBLE_LIMITS.spread,
              what: 'a relative bid-ask spread',
            },
          ],
    ),
  ]);
}

export function bookWarnings(book: Book, file: string): InputWarning[] {
  return warningsOf(
    file,
    book.instruments.flatMap((x, i) =>
      x.type === 'option'
        ? [{ path: ['instruments', i, 'iv'], value: x.iv, limit: PLAUSIBLE_LIMITS.vol, what: 'an implied volatility' }]
        : [],
    ),
  );
}

export function suiteWarnings(suite: Suite, file: string): InputWarning[] {
  const checks: Check[] = [];
  const ivMove = (path: PathPart[], value: number) =>
    checks.push({ path, value, limit: PLAUSIBLE_LIMITS.ivMove, what: 'an implied-vol move' });
  const priceMove = (path: PathPart[], value: number) =>
    checks.push({ path, value, limit: PLAUSIBLE_LIMITS.priceMove, what: 'a price move' });
  suite.scenarioSets.forEach((set, s) => {
    const at = ['scenarioSets', s];
    switch (set.type) {
      case 'montecarlo':
        checks.push({
          path: [...at, 'volMultiplier'],
          value: set.volMultiplier,
          limit: PLAUSIBLE_LIMITS.volMultiplier,
          what: 'a vol multiplier',
        });
        if (set.ivMove !== undefined) ivMove([...at, 'ivMove'], set.ivMove);
        break;
      case 'grid':
        set.priceMoves.forEach((v, k) => priceMove([...at, 'priceMoves', k], v));
        set.ivMoves.forEach((v, k) => ivMove([...at, 'ivMoves', k], v));
        break;
      case 'shocks':
        set.shocks.forEach((shock, k) => {
          for (const [u, v] of Object.entries(shock.moves)) priceMove([...at, 'shocks', k, 'moves', u], v);
          if (shock.ivMove !== undefined) ivMove([...at, 'shocks', k, 'ivMove'], shock.ivMove);
        });
        break;
      case 'historical':
        break;
    }
  });
  const addOns = suite.addOns;
  if (addOns?.shortOptionMinimum !== undefined)
    checks.push({
      path: ['addOns', 'shortOptionMinimum'],
      value: addOns.shortOptionMinimum,
      limit: PLAUSIBLE_LIMITS.shortOptionMinimum,
      what: "a short option minimum's share of notional",
    });
  for (const [rating, v] of Object.entries(addOns?.credit ?? {}))
    checks.push({
      path: ['addOns', 'credit', rating],
      value: v,
      limit: PLAUSIBLE_LIMITS.creditSurcharge,
      what: 'a credit surcharge',
    });
  return warningsOf(file, checks);
}

/** Under `strict`, the warnings of the first file that has any, as one InputError. */
export function throwIfStrict(warnings: ReadonlyArray<InputWarning>): void {
  if (warnings.length === 0) return;
  const file = warnings[0].file;
  const issues: InputIssue[] = warnings.filter((w) => w.file === file).map((w) => ({ path: w.path, message: w.problem }));
  throw InputError.fromIssues(file, issues);
}
