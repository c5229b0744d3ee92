// Loading the three inputs: read (read.ts), check the shape (schema.ts), cross-check
// (validate.ts), and return the validated types of types.ts with every default applied.

import { realpathSync, statSync } from 'node:fs';
import path from 'node:path';
import { identity } from '../math/linalg.js';
import { failWith, throwIfIssues, type Issue } from './issues.js';
import { UsageError } from '../errors.js';
import { readDocument } from './read.js';
import { idRecord } from './records.js';
import { bookSchema, check, marketSchema, suiteSchema } from './schema.js';
import type { Account, Book, Instrument, Market, ScenarioSet, Suite } from './types.js';
import { validateBook, validateMarket, validateSuite } from './validate.js';

/** Validates a market document (already parsed); `file` names it in errors. */
export function parseMarket(doc: unknown, file: string): Market {
  const result = check(marketSchema, doc);
  if (!result.ok) failWith(file, result.issues);
  const m = result.value;
  throwIfIssues(file, validateMarket(m));
  const market: Market = {
    asOf: m.asOf,
    currency: m.currency,
    rate: m.rate,
    daysPerYear: m.daysPerYear,
    underlyings: m.underlyings.map((u) => ({
      id: u.id,
      spot: u.spot,
      vol: u.vol,
      ...(u.adv !== undefined ? { adv: u.adv } : {}),
      ...(u.spread !== undefined ? { spread: u.spread } : {}),
    })),
    correlation: m.correlation ?? identity(m.underlyings.length),
  };
  if (m.calibration !== undefined) market.calibration = m.calibration;
  return market;
}

/** Validates a book document against a validated market; a bare collateral number becomes cash in the market currency. */
export function parseBook(doc: unknown, file: string, market: Market): Book {
  const result = check(bookSchema, doc);
  if (!result.ok) failWith(file, result.issues);
  const b = result.value;
  throwIfIssues(file, validateBook(b, market));
  const instruments: Instrument[] = b.instruments.map((x) =>
    x.type === 'option'
      ? {
          id: x.id,
          type: x.type,
          underlying: x.underlying,
          right: x.right,
          strike: x.strike,
          expiry: x.expiry,
          iv: x.iv,
          multiplier: x.multiplier,
        }
      : { id: x.id, type: x.type, underlying: x.underlying, multiplier: x.multiplier },
  );
  const accounts: Account[] = b.accounts.map((a) => ({
    id: a.id,
    collateral:
      typeof a.collateral === 'number'
        ? [{ asset: market.currency, amount: a.collateral, haircut: 0 }]
        : a.collateral.map((c) => ({ asset: c.asset, amount: c.amount, haircut: c.haircut })),
    positions: a.positions.map((p) => ({ instrument: p.instrument, quantity: p.quantity })),
  }));
  return {
    instruments,
    accounts,
    portfolios: b.portfolios.map((p) => ({
      id: p.id,
      accounts: p.accounts.slice(),
      ...(p.rating !== undefined ? { rating: p.rating } : {}),
    })),
  };
}

/**
 * Validates a suite document against a validated market. Historical `prices` paths are resolved
 * against `baseDir` (default: the folder of `file`), and stored absolute; `pricesDisplay` keeps
 * the file as the user would name it from where they ran the command.
 */
export function parseSuite(doc: unknown, file: string, market: Market, baseDir: string = path.dirname(file)): Suite {
  const result = check(suiteSchema, doc);
  if (!result.ok) failWith(file, result.issues);
  const s = result.value;
  throwIfIssues(file, validateSuite(s, market));
  const scenarioSets: ScenarioSet[] = s.scenarioSets.map((set): ScenarioSet => {
    switch (set.type) {
      case 'montecarlo': {
        const out: ScenarioSet = {
          name: set.name,
          type: set.type,
          margin: set.margin,
          count: set.count,
          distribution:
            set.distribution.type === 'student-t' ? { type: 'student-t', dof: set.distribution.dof } : { type: 'normal' },
          volMultiplier: set.volMultiplier,
        };
        const c = set.correlation;
        if (c) {
          out.correlation =
            'matrix' in c
              ? { matrix: c.matrix.map((row) => row.slice()), ...(c.repair !== undefined ? { repair: c.repair } : {}) }
              : { target: c.target, weight: c.weight };
        }
        if (set.ivMove !== undefined) out.ivMove = set.ivMove;
        return out;
      }
      case 'grid': {
        const out: ScenarioSet = {
          name: set.name,
          type: set.type,
          margin: set.margin,
          priceMoves: set.priceMoves,
          ivMoves: set.ivMoves,
        };
        if (set.underlyings) out.underlyings = set.underlyings;
        return out;
      }
      case 'shocks':
        return {
          name: set.name,
          type: set.type,
          margin: set.margin,
          shocks: set.shocks.map((k) => ({
            moves: Object.assign(idRecord<number>(), k.moves),
            ...(k.ivMove !== undefined ? { ivMove: k.ivMove } : {}),
          })),
        };
      case 'historical': {
        const out: ScenarioSet = {
          name: set.name,
          type: set.type,
          margin: set.margin,
          prices: path.resolve(baseDir, set.prices),
          pricesDisplay: path.isAbsolute(set.prices) ? set.prices : path.join(baseDir, set.prices),
        };
        if (set.from !== undefined) out.from = set.from;
        if (set.to !== undefined) out.to = set.to;
        return out;
      }
    }
  });
  return {
    seed: s.seed,
    horizonDays: s.horizonDays,
    confidence: s.confidence,
    maintenanceRatio: s.maintenanceRatio,
    scenarioSets,
    ...(s.limits ? { limits: s.limits } : {}),
    ...(s.addOns ? { addOns: s.addOns } : {}),
    attribution: { top: s.attribution.top },
    ...(s.cascade ? { cascade: { sets: s.cascade.sets.slice(), impact: s.cascade.impact, maxRounds: s.cascade.maxRounds } } : {}),
  };
}

export function loadMarket(file: string): Market {
  return parseMarket(readDocument(file), file);
}

export function loadBook(file: string, market: Market): Book {
  return parseBook(readDocument(file), file, market);
}

/** Where a suite's price files may be, and how to find them. */
export interface PricesOptions {
  /**
   * A folder that every historical `prices` path must lie in once resolved, symbolic links
   * followed; a path outside it is an input error of the suite. For a caller (a service) that
   * takes suites from users and must not let them read other files. Default: no limit.
   */
  pricesRoot?: string;
}

/**
 * Like parseSuite, and also checks that every historical set's price file exists (and, with
 * `pricesRoot`, lies inside that folder).
 */
export function loadSuite(file: string, market: Market, options: PricesOptions = {}): Suite {
  const suite = parseSuite(readDocument(file), file, market);
  checkPriceFiles(suite, file, options);
  return suite;
}

/**
 * Checks that every historical set's price file is a regular file and, with `pricesRoot`, that
 * it lies inside that folder once links are followed; the set then names the file by that real
 * path, so that what is read later is what was checked. Problems are input errors of `suiteFile`.
 */
export function checkPriceFiles(suite: Suite, suiteFile: string, options: PricesOptions = {}): void {
  let root: string | undefined;
  if (options.pricesRoot !== undefined) {
    try {
      root = realpathSync(options.pricesRoot);
    } catch {
      root = undefined;
    }
    if (root === undefined || !statSync(root).isDirectory()) {
      throw new UsageError(`pricesRoot ${JSON.stringify(options.pricesRoot)}: no such folder`);
    }
  }
  const issues: Issue[] = [];
  suite.scenarioSets.forEach((set, s) => {
    if (set.type !== 'historical') return;
    const shown = set.pricesDisplay ?? set.prices;
    const at = ['scenarioSets', s, 'prices'];
    const stat = statSync(set.prices, { throwIfNoEntry: false });
    if (stat === undefined) {
      issues.push({ path: at, message: `expected a price CSV file (relative to the suite's folder), found no file at ${shown}` });
    } else if (!stat.isFile()) {
      const what = stat.isDirectory() ? 'a folder' : 'something that is not a regular file (a device, pipe or socket)';
      issues.push({ path: at, message: `expected a price CSV file, found ${what} at ${shown}` });
    } else if (root !== undefined) {
      const real = realpathSync(set.prices);
      if (real !== root && !real.startsWith(root.endsWith(path.sep) ? root : root + path.sep)) {
        issues.push({
          path: at,
          message: `expected a price file inside the prices folder ${options.pricesRoot}, found ${shown}, which lies outside it${real !== set.prices ? ' once links are followed' : ''}`,
        });
      } else {
        set.prices = real;
      }
    }
  });
  throwIfIssues(suiteFile, issues);
}

export interface InputFiles {
  market: string;
  book: string;
  suite: string;
}

/** Loads and validates the three inputs; `files` are the names as given (used in messages). */
export function loadInputs(files: InputFiles): { market: Market; book: Book; suite: Suite; files: InputFiles } {
  const market = loadMarket(files.market);
  const book = loadBook(files.book, market);
  const suite = loadSuite(files.suite, market);
  return { market, book, suite, files: { market: files.market, book: files.book, suite: files.suite } };
}
