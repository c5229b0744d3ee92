// Cross-checks the schemas cannot express: ids that must be unique or must exist elsewhere, and
// the properties of correlation matrices. Each function returns every problem it finds as path +
// message (what was expected, and what was found); load.ts turns them into one InputError.

import { isPsd, PSD_TOLERANCE, minEigenvalue } from '../math/linalg.js';
import { formatPath } from '../errors.js';
import { effectiveCollateral } from './collateral.js';
import { describe, didYouMean, listIds, suggest, type Issue, type PathPart } from './issues.js';
import type { BookDoc, MarketDoc, SuiteDoc } from './schema.js';
import type { Book, Market, Suite } from './types.js';

/** Tolerance for |C_ij - C_ji| in a correlation matrix. */
export const SYMMETRY_TOLERANCE = 1e-12;

const NEARCORR_HINT =
  'put the matrix in a file as {"correlation": [[...]]} and run `xmargin nearcorr --matrix FILE` for the nearest valid correlation matrix';

/** Reports ids that appear more than once, at every repeat, naming the first occurrence. */
function duplicates(
  items: ReadonlyArray<{ id: string }>,
  at: (index: number) => PathPart[],
  what: string,
  issues: Issue[],
): void {
  const first = new Map<string, number>();
  items.forEach((item, i) => {
    const prev = first.get(item.id);
    if (prev === undefined) first.set(item.id, i);
    else issues.push({ path: at(i), message: `expected a unique ${what} id, found "${item.id}" again (first at index ${prev})` });
  });
}

/**
 * Shape and content of a correlation matrix in `ids` order: n x n, entries in [-1, 1], unit
 * diagonal, symmetric; then PSD unless `allowNonPsd`. `at` is the path of the matrix itself.
 */
export function checkCorrelation(
  m: number[][],
  ids: ReadonlyArray<string>,
  at: PathPart[],
  issues: Issue[],
  options: { allowNonPsd?: boolean; psdHint?: string } = {},
): void {
  const n = ids.length;
  const before = issues.length;
  if (m.length !== n) {
    issues.push({
      path: at,
      message: `expected a ${n} x ${n} matrix (rows and columns in underlyings order: ${listIds(ids)}), found ${m.length} row${m.length === 1 ? '' : 's'}`,
    });
    return;
  }
  m.forEach((row, i) => {
    if (row.length !== n) {
      issues.push({
        path: [...at, i],
        message: `expected ${n} entries (one per underlying: ${listIds(ids)}), found ${row.length}`,
      });
    }
  });
  if (issues.length > before) return;
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < n; j++) {
      const v = m[i][j];
      if (i === j) {
        if (v !== 1)
          issues.push({
            path: [...at, i, j],
            message: `expected 1 on the diagonal (${ids[i]} with itself), found ${describe(v)}`,
          });
      } else if (v < -1 || v > 1) {
        issues.push({ path: [...at, i, j], message: `expected a correlation in [-1, 1], found ${describe(v)}` });
      }
    }
  }
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < i; j++) {
      if (Math.abs(m[i][j] - m[j][i]) > SYMMETRY_TOLERANCE) {
        issues.push({
          path: [...at, i, j],
          message: `expected a symmetric matrix (${ids[i]}-${ids[j]} equal both ways), found ${describe(m[i][j])} here but ${describe(m[j][i])} at ${formatPath([...at, j, i])}`,
        });
      }
    }
  }
  if (issues.length > before || options.allowNonPsd) return;
  if (isPsd(m, PSD_TOLERANCE)) return;
  issues.push({
    path: at,
    message:
      `expected a positive semi-definite correlation matrix, found one that is not (smallest eigenvalue ${minEigenvalue(m).toPrecision(4)}): ` +
      `the correlations are inconsistent with each other; ${options.psdHint ?? NEARCORR_HINT}`,
  });
}

// ---------------------------------------------------------------------------------------------

export function validateMarket(doc: MarketDoc): Issue[] {
  const issues: Issue[] = [];
  duplicates(doc.underlyings, (i) => ['underlyings', i, 'id'], 'underlying', issues);
  const ids = doc.underlyings.map((u) => u.id);
  if (ids.includes(doc.currency)) {
    issues.push({
      path: ['currency'],
      message: `expected a currency different from every underlying id (collateral assets are named by them), found "${doc.currency}", also an underlying`,
    });
  }
  if (doc.correlation) checkCorrelation(doc.correlation, ids, ['correlation'], issues);
  return issues;
}

export function validateBook(doc: BookDoc, market: Market): Issue[] {
  const issues: Issue[] = [];
  const underlyings = market.underlyings.map((u) => u.id);
  const underlyingSet = new Set(underlyings);

  duplicates(doc.instruments, (i) => ['instruments', i, 'id'], 'instrument', issues);
  duplicates(doc.accounts, (i) => ['accounts', i, 'id'], 'account', issues);
  duplicates(doc.portfolios, (i) => ['portfolios', i, 'id'], 'portfolio', issues);

  doc.instruments.forEach((inst, i) => {
    if (!underlyingSet.has(inst.underlying)) {
      issues.push({
        path: ['instruments', i, 'underlying'],
        message: `expected one of the market's underlyings (${listIds(underlyings)}), found "${inst.underlying}"`,
      });
    }
  });

  const instrumentIds = doc.instruments.map((x) => x.id);
  const instrumentSet = new Set(instrumentIds);
  const assets = [market.currency, ...underlyings];
  const assetSet = new Set(assets);
  doc.accounts.forEach((account, a) => {
    account.positions.forEach((pos, p) => {
      if (!instrumentSet.has(pos.instrument)) {
        issues.push({
          path: ['accounts', a, 'positions', p, 'instrument'],
          message: `expected one of the book's instruments (${listIds(instrumentIds)}), found "${pos.instrument}"`,
        });
      }
    });
    if (Array.isArray(account.collateral)) {
      account.collateral.forEach((c, k) => {
        if (!assetSet.has(c.asset)) {
          issues.push({
            path: ['accounts', a, 'collateral', k, 'asset'],
            message: `expected the market currency or an underlying id (${listIds(assets)}), found "${c.asset}"`,
          });
        }
      });
    }
  });

  const accountIds = new Set(doc.accounts.map((x) => x.id));
  const owner = new Map<string, number>(); // account id -> index of the portfolio listing it
  doc.portfolios.forEach((portfolio, p) => {
    portfolio.accounts.forEach((accountId, k) => {
      const path = ['portfolios', p, 'accounts', k];
      if (!accountIds.has(accountId)) {
        issues.push({ path, message: `expected the id of an account in the book, found "${accountId}", which no account has` });
        return;
      }
      const prev = owner.get(accountId);
      if (prev === p) {
        issues.push({ path, message: `expected each account once, found "${accountId}" listed twice in this portfolio` });
      } else if (prev !== undefined) {
        issues.push({
          path,
          message: `expected an account in at most one portfolio, found "${accountId}" already in portfolio "${doc.portfolios[prev].id}" (portfolios[${prev}])`,
        });
      } else owner.set(accountId, p);
    });
  });
  // An account no portfolio lists is margined as a portfolio of its own, named after it.
  doc.portfolios.forEach((portfolio, p) => {
    if (accountIds.has(portfolio.id) && !owner.has(portfolio.id)) {
      issues.push({
        path: ['portfolios', p, 'id'],
        message:
          `expected a portfolio id different from the ids of accounts margined on their own, found "${portfolio.id}": ` +
          `account "${portfolio.id}" is in no portfolio, so it is reported as a portfolio "${portfolio.id}" too`,
      });
    }
  });
  if (issues.length === 0) checkCollateralSums(doc, market, owner, issues);
  return issues;
}

/**
 * Every collateral figure of the report must be a finite number: each account's, each
 * portfolio's and the book's. Amounts near 1e308 are each valid but overflow when summed; the
 * sums are taken here as the engine and the report take them (same formula, same order), so
 * that such a book is an input error naming its place rather than a failure after the run.
 */
function checkCollateralSums(doc: BookDoc, market: Market, owner: Map<string, number>, issues: Issue[]): void {
  const spot = new Map(market.underlyings.map((u) => [u.id, u.spot]));
  const values = doc.accounts.map((account) =>
    effectiveCollateral(
      typeof account.collateral === 'number'
        ? [{ asset: market.currency, amount: account.collateral, haircut: 0 }]
        : account.collateral,
      (asset) => spot.get(asset),
    ),
  );
  const tooLarge = `more than ${Number.MAX_VALUE.toPrecision(3)}, the largest number the engine can hold`;
  values.forEach((v, a) => {
    if (!Number.isFinite(v))
      issues.push({
        path: ['accounts', a, 'collateral'],
        message: `expected collateral worth a finite amount after haircuts, found one worth ${tooLarge}`,
      });
  });
  if (issues.length) return;
  const index = new Map(doc.accounts.map((a, i) => [a.id, i]));
  // The report's portfolios: the book's, then each account no portfolio lists, on its own.
  const portfolioSums = doc.portfolios.map((portfolio, p) => {
    const sum = portfolio.accounts.reduce((s, id) => s + values[index.get(id)!], 0);
    if (!Number.isFinite(sum))
      issues.push({
        path: ['portfolios', p, 'accounts'],
        message: `expected accounts whose collateral adds up to a finite amount, found a total of ${tooLarge}`,
      });
    return sum;
  });
  if (issues.length) return;
  doc.accounts.forEach((a, i) => {
    if (!owner.has(a.id)) portfolioSums.push(values[i]);
  });
  const total = portfolioSums.reduce((s, v) => s + v, 0);
  if (!Number.isFinite(total))
    issues.push({
      path: ['accounts'],
      message: `expected collateral that adds up to a finite amount over the whole book, found a total of ${tooLarge}`,
    });
}

export function validateSuite(doc: SuiteDoc, market: Market): Issue[] {
  const issues: Issue[] = [];
  const underlyings = market.underlyings.map((u) => u.id);
  const underlyingSet = new Set(underlyings);
  const unknownUnderlying = (found: string) =>
    `expected one of the market's underlyings (${listIds(underlyings)}), found "${found}"`;

  const names = new Map<string, number>();
  let wholeDaysReported = false;
  doc.scenarioSets.forEach((set, s) => {
    const at: PathPart[] = ['scenarioSets', s];
    const prev = names.get(set.name);
    if (prev !== undefined) {
      issues.push({
        path: [...at, 'name'],
        message: `expected a unique set name, found "${set.name}" again (first at scenarioSets[${prev}])`,
      });
    } else names.set(set.name, s);

    switch (set.type) {
      case 'montecarlo': {
        const c = set.correlation;
        if (c && 'matrix' in c) {
          checkCorrelation(c.matrix, underlyings, [...at, 'correlation', 'matrix'], issues, {
            allowNonPsd: c.repair === true,
            psdHint: `set \`repair: true\` to use the nearest correlation matrix, or ${NEARCORR_HINT}`,
          });
        }
        break;
      }
      case 'grid': {
        const seen = new Set<string>();
        set.underlyings?.forEach((u, k) => {
          if (!underlyingSet.has(u)) issues.push({ path: [...at, 'underlyings', k], message: unknownUnderlying(u) });
          else if (seen.has(u))
            issues.push({ path: [...at, 'underlyings', k], message: `expected each underlying once, found "${u}" again` });
          seen.add(u);
        });
        break;
      }
      case 'shocks':
        set.shocks.forEach((shock, k) => {
          for (const u of Object.keys(shock.moves)) {
            if (!underlyingSet.has(u)) issues.push({ path: [...at, 'shocks', k, 'moves', u], message: unknownUnderlying(u) });
          }
        });
        break;
      case 'historical':
        if (set.from !== undefined && set.to !== undefined && set.from > set.to) {
          issues.push({ path: [...at, 'from'], message: `expected a date on or before to (${set.to}), found ${set.from}` });
        }
        if (!Number.isInteger(doc.horizonDays) && !wholeDaysReported) {
          wholeDaysReported = true;
          issues.push({
            path: ['horizonDays'],
            message: `expected a whole number of days, since scenarioSets[${s}] ("${set.name}") is historical (each window runs from a price row to the row h rows later), found ${doc.horizonDays}`,
          });
        }
        break;
    }
  });
  if (!doc.scenarioSets.some((set) => set.margin)) {
    issues.push({
      path: ['scenarioSets'],
      message: 'expected at least one set that counts toward margin, found every set with margin: false',
    });
  }
  if (doc.cascade) cascadeSetIssues(doc, issues);
  if (doc.limits) {
    const deltaIssues = (maxDelta: Record<string, number> | undefined, at: PathPart[]) => {
      if (maxDelta)
        for (const u of Object.keys(maxDelta))
          if (!underlyingSet.has(u)) issues.push({ path: [...at, 'maxDelta', u], message: unknownUnderlying(u) });
    };
    deltaIssues(doc.limits.maxDelta, ['limits']);
    for (const [id, set] of Object.entries(doc.limits.overrides ?? {})) deltaIssues(set.maxDelta, ['limits', 'overrides', id]);
  }
  return issues;
}

/**
 * The cascade's sets must be sets of the suite, each named once, and shocks, grid or historical
 * (contract section 9): a misspelt name would otherwise leave a set without its cascade.
 */
function cascadeSetIssues(doc: SuiteDoc, issues: Issue[]): void {
  const names = doc.scenarioSets.map((set) => set.name);
  const seen = new Set<string>();
  doc.cascade!.sets.forEach((name, k) => {
    const at: PathPart[] = ['cascade', 'sets', k];
    const s = names.indexOf(name);
    if (s < 0)
      issues.push({
        path: at,
        message: `expected the name of a scenario set of the suite (${listIds(names)}), found "${name}"${didYouMean(suggest(name, names))}`,
      });
    else if (seen.has(name)) issues.push({ path: at, message: `expected each set once, found "${name}" again` });
    else if (doc.scenarioSets[s].type === 'montecarlo')
      issues.push({
        path: at,
        message: `expected a shocks, grid or historical set, found "${name}", a montecarlo set (scenarioSets[${s}])`,
      });
    seen.add(name);
  });
}

/**
 * The suite's limit overrides must name an account or a portfolio of the book: an override of a
 * misspelt id would silently leave the default limits in force.
 */
export function validateLimitOverrides(suite: Suite, book: Book): Issue[] {
  const overrides = suite.limits?.overrides;
  if (!overrides) return [];
  const ids = [...book.accounts.map((a) => a.id), ...book.portfolios.map((p) => p.id)];
  const known = new Set(ids);
  return Object.keys(overrides)
    .filter((id) => !known.has(id))
    .map((id) => ({
      path: ['limits', 'overrides', id],
      message: `expected an account or portfolio id of the book, found "${id}"${didYouMean(suggest(id, ids))}`,
    }));
}

/**
 * What the suite's add-ons and cascade need from the other inputs (contract sections 8 and 9):
 * with a liquidity add-on or a cascade, an `adv` for every underlying the book holds a position
 * in (as issues of the market);
 * with a credit table, every portfolio rating in it (as issues of the book). A configured
 * add-on with a missing input would otherwise margin as if that charge were zero.
 */
export function validateSuiteNeeds(suite: Suite, market: Market, book: Book): { market: Issue[]; book: Issue[] } {
  const out = { market: [] as Issue[], book: [] as Issue[] };
  const addOns = suite.addOns;
  // The cascade prices its sales with the liquidity add-on's square-root law: the same input,
  // one issue per underlying naming everything that needs it.
  const needAdv = [
    ...(addOns?.liquidity ? ["the suite's liquidity add-on is configured"] : []),
    ...(suite.cascade ? ["the suite's cascade is configured"] : []),
  ];
  if (needAdv.length > 0) {
    const underlyingOf = new Map(book.instruments.map((i) => [i.id, i.underlying]));
    // The first position in each underlying that lacks an adv, to name it in the message.
    const firstHolder = new Map<string, string>();
    book.accounts.forEach((account, a) =>
      account.positions.forEach((p, k) => {
        const u = underlyingOf.get(p.instrument)!;
        if (p.quantity !== 0 && !firstHolder.has(u))
          firstHolder.set(u, `accounts[${a}].positions[${k}] (${account.id}, ${p.instrument})`);
      }),
    );
    market.underlyings.forEach((u, i) => {
      const holder = firstHolder.get(u.id);
      if (u.adv === undefined && holder !== undefined)
        out.market.push({
          path: ['underlyings', i, 'adv'],
          message: `expected an average daily traded value (adv > 0), since ${needAdv.join(' and ')} and the book holds ${u.id} at ${holder}, found none`,
        });
    });
  }
  if (addOns?.credit) {
    const ratings = Object.keys(addOns.credit);
    book.portfolios.forEach((p, i) => {
      if (p.rating !== undefined && !Object.hasOwn(addOns.credit!, p.rating))
        out.book.push({
          path: ['portfolios', i, 'rating'],
          message: `expected a rating of the suite's credit add-on (${listIds(ratings)}), found "${p.rating}"${didYouMean(suggest(p.rating, ratings))}`,
        });
    });
  }
  return out;
}
