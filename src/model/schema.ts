// The shapes of the three input documents as zod 4 schemas: types, ranges, defaults, and no
// unknown fields. What a schema cannot see (ids that must exist elsewhere, duplicates, matrix
// properties) is checked in validate.ts. Every check words its own expectation ("expected a number
// in [0, 1)"); issues.ts adds the path and what was found.

import * as z from 'zod';
import { isIsoDate } from './dates.js';
import { idRecord } from './records.js';
import { allowedFieldsTag, fallbackErrorMap, fromZodIssues, type Issue } from './issues.js';

// ---------------------------------------------------------------------------------------------
// Building blocks

/** A strict object: an unknown field is an error that lists the allowed ones. */
function strictObject<S extends z.ZodRawShape>(shape: S, what = 'an object') {
  const allowed = allowedFieldsTag(Object.keys(shape));
  return z.strictObject(shape, {
    error: (issue) =>
      issue.code === 'unrecognized_keys' ? allowed : issue.code === 'invalid_type' ? `expected ${what}` : undefined,
  });
}

interface Bounds {
  gt?: number;
  gte?: number;
  lt?: number;
  lte?: number;
  int?: boolean;
}

function describeBounds(b: Bounds): string {
  const kind = b.int ? 'an integer' : 'a number';
  const lo = b.gt ?? b.gte;
  const hi = b.lt ?? b.lte;
  if (lo !== undefined && hi !== undefined) {
    return `${kind} in ${b.gt !== undefined ? '(' : '['}${lo}, ${hi}${b.lt !== undefined ? ')' : ']'}`;
  }
  if (lo !== undefined) return `${kind} ${b.gt !== undefined ? '>' : '>='} ${lo}`;
  if (hi !== undefined) return `${kind} ${b.lt !== undefined ? '<' : '<='} ${hi}`;
  return b.int ? 'an integer' : 'a finite number';
}

/** A finite number within bounds; every failure says the whole expectation. */
function num(bounds: Bounds = {}, what?: string) {
  const error = `expected ${what ?? describeBounds(bounds)}`;
  let s = z.number({ error });
  if (bounds.int) s = s.int({ error });
  if (bounds.gt !== undefined) s = s.gt(bounds.gt, { error });
  if (bounds.gte !== undefined) s = s.gte(bounds.gte, { error });
  if (bounds.lt !== undefined) s = s.lt(bounds.lt, { error });
  if (bounds.lte !== undefined) s = s.lte(bounds.lte, { error });
  return s;
}

/** An id: a non-empty string without surrounding spaces (ids are matched exactly). */
function id(what = 'an id') {
  const error = `expected ${what} (a non-empty string)`;
  return z
    .string({ error })
    .min(1, { error })
    .refine((s) => s.trim() === s, { error: `expected ${what} without leading or trailing spaces` });
}

/** An ISO date YYYY-MM-DD that exists on the calendar. */
function isoDate() {
  const error = 'expected a date YYYY-MM-DD';
  return z.string({ error }).refine(isIsoDate, { error: 'expected a real calendar date YYYY-MM-DD' });
}

function list<T extends z.ZodType>(item: T, what: string, nonEmpty = false) {
  const s = z.array(item, { error: `expected ${what}` });
  return nonEmpty ? s.min(1, { error: `expected ${what} with at least one item` }) : s;
}

const bool = (what: string) => z.boolean({ error: `expected ${what}: true or false` });

const matrix = list(list(num(), 'a row of numbers'), 'a matrix (a list of rows)');

// ---------------------------------------------------------------------------------------------
// Market

export const underlyingSchema = strictObject(
  {
    id: id('an underlying id'),
    spot: num({ gt: 0 }, 'a spot price > 0'),
    vol: num({ gte: 0 }, 'an annualised volatility >= 0'),
    adv: num({ gt: 0 }, 'an average daily traded value > 0 (currency)').optional(),
    spread: num({ gte: 0 }, 'a relative bid-ask spread >= 0').optional(),
  },
  'an underlying {id, spot, vol}',
);

export const marketSchema = strictObject(
  {
    asOf: isoDate(),
    currency: id('a currency code').default('USD'),
    rate: num({}, 'a finite rate (continuously compounded)').default(0),
    daysPerYear: num({ gt: 0 }).default(365),
    underlyings: list(underlyingSchema, 'a list of underlyings', true),
    correlation: matrix.optional(),
    calibration: z.record(z.string(), z.unknown(), { error: 'expected an object (free-form)' }).optional(),
  },
  'a market object {asOf, underlyings, ...}',
);

// ---------------------------------------------------------------------------------------------
// Book

const multiplier = num({ gt: 0 }).default(1);

export const linearInstrumentSchema = strictObject(
  {
    id: id('an instrument id'),
    type: z.enum(['spot', 'future']),
    underlying: id('an underlying id'),
    multiplier,
  },
  'an instrument',
);

export const optionInstrumentSchema = strictObject(
  {
    id: id('an instrument id'),
    type: z.literal('option'),
    underlying: id('an underlying id'),
    right: z.enum(['call', 'put'], { error: 'expected "call" or "put"' }),
    strike: num({ gt: 0 }, 'a strike > 0'),
    expiry: isoDate(),
    iv: num({ gt: 0 }, 'an implied volatility > 0'),
    multiplier,
  },
  'an instrument',
);

export const instrumentSchema = z.discriminatedUnion('type', [linearInstrumentSchema, optionInstrumentSchema], {
  error: 'expected an instrument {id, type, underlying, ...}',
});

export const collateralAssetSchema = strictObject(
  {
    asset: id('an asset (the market currency or an underlying id)'),
    amount: num({ gte: 0 }, 'an amount >= 0'),
    haircut: num({ gte: 0, lt: 1 }, 'a haircut in [0, 1)').default(0),
  },
  'a collateral asset {asset, amount, haircut}',
);

/** A number (cash in the market currency) or a list of assets; parseBook turns both into a list. */
export const collateralSchema = z.union(
  [num({ gte: 0 }, 'a cash amount >= 0'), list(collateralAssetSchema, 'a list of collateral assets')],
  {
    error: 'expected a cash amount (a number >= 0) or a list of {asset, amount, haircut}',
  },
);

export const positionSchema = strictObject(
  {
    instrument: id('an instrument id'),
    quantity: num({}, 'a finite quantity'),
  },
  'a position {instrument, quantity}',
);

export const accountSchema = strictObject(
  {
    id: id('an account id'),
    collateral: collateralSchema,
    positions: list(positionSchema, 'a list of positions'),
  },
  'an account {id, collateral, positions}',
);

export const portfolioSchema = strictObject(
  {
    id: id('a portfolio id'),
    accounts: list(id('an account id'), 'a list of account ids', true),
    rating: id('a credit rating').optional(),
  },
  'a portfolio {id, accounts, rating}',
);

export const bookSchema = strictObject(
  {
    instruments: list(instrumentSchema, 'a list of instruments').default([]),
    accounts: list(accountSchema, 'a list of accounts', true),
    portfolios: list(portfolioSchema, 'a list of portfolios').default([]),
  },
  'a book object {instruments, accounts, portfolios}',
);

// ---------------------------------------------------------------------------------------------
// Suite

const setName = id('a set name');
const margin = bool('whether the set counts toward margin').default(true);

const normalSchema = strictObject({ type: z.literal('normal') }, 'a distribution');
const studentSchema = strictObject(
  { type: z.literal('student-t'), dof: num({ gt: 2 }, 'degrees of freedom > 2') },
  'a distribution',
);
const DISTRIBUTION = 'expected "normal", {type: normal} or {type: student-t, dof}';

const distributionObjectSchema = z.discriminatedUnion('type', [normalSchema, studentSchema], { error: DISTRIBUTION });

/**
 * `normal` is shorthand for `{type: normal}`; the output is always the object form. The argument's
 * type is only the documented input type (z.input): at run time anything reaches the union's checks.
 */
export const distributionSchema = z.preprocess(
  (v: 'normal' | z.input<typeof distributionObjectSchema>) => (v === 'normal' ? { type: 'normal' } : v),
  distributionObjectSchema,
);

export const correlationOverrideSchema = z.union(
  [
    strictObject(
      {
        target: num({ gte: -1, lte: 1 }, 'a target correlation in [-1, 1]'),
        weight: num({ gte: 0, lte: 1 }, 'a weight in [0, 1]'),
      },
      'a correlation override',
    ),
    strictObject({ matrix, repair: bool('repair').optional() }, 'a correlation override'),
  ],
  { error: 'expected {target, weight} or {matrix, repair}' },
);

export const monteCarloSetSchema = strictObject(
  {
    name: setName,
    type: z.literal('montecarlo'),
    margin,
    count: num({ int: true, gte: 1, lte: 4294967295 }),
    distribution: distributionSchema.default({ type: 'normal' }),
    volMultiplier: num({ gt: 0 }).default(1),
    correlation: correlationOverrideSchema.optional(),
    ivMove: num({}, 'a finite iv move').optional(),
  },
  'a scenario set',
);

export const gridSetSchema = strictObject(
  {
    name: setName,
    type: z.literal('grid'),
    margin,
    priceMoves: list(num({ gt: -1 }, 'a simple return > -1'), 'a list of price moves', true),
    ivMoves: list(num({}, 'a finite iv move'), 'a list of iv moves', true).default([0]),
    underlyings: list(id('an underlying id'), 'a list of underlying ids', true).optional(),
  },
  'a scenario set',
);

const simpleReturn = num({ gt: -1 }, 'a simple return > -1');

/**
 * A record keyed by ids (underlyings, accounts, portfolios), with no prototype. Not z.record: zod
 * skips a `__proto__` key, and an id may be any string, `__proto__` included.
 */
function idRecordOf<T extends z.ZodType>(value: T, what: string) {
  return z
    .custom<Record<string, unknown>>((v) => v !== null && typeof v === 'object' && !Array.isArray(v), {
      error: `expected ${what}`,
    })
    .transform((v, ctx) => {
      const out = idRecord<z.output<T>>();
      for (const [key, item] of Object.entries(v)) {
        const r = value.safeParse(item);
        if (r.success) out[key] = r.data;
        else
          for (const i of r.error.issues)
            ctx.issues.push({ code: 'custom', message: i.message, path: [key, ...i.path], input: item });
      }
      return out;
    });
}

/** {underlying: simple return}. */
const movesSchema = idRecordOf(simpleReturn, 'an object of moves {underlying: simple return}');

export const shockSchema = strictObject(
  {
    moves: movesSchema.default(() => idRecord<number>()),
    ivMove: num({}, 'a finite iv move').optional(),
  },
  'a shock {moves, ivMove}',
);

export const shocksSetSchema = strictObject(
  {
    name: setName,
    type: z.literal('shocks'),
    margin,
    shocks: list(shockSchema, 'a list of shocks', true),
  },
  'a scenario set',
);

export const historicalSetSchema = strictObject(
  {
    name: setName,
    type: z.literal('historical'),
    margin,
    prices: z
      .string({ error: 'expected the path of a price CSV file' })
      .min(1, { error: 'expected the path of a price CSV file' }),
    from: isoDate().optional(),
    to: isoDate().optional(),
  },
  'a scenario set',
);

export const scenarioSetSchema = z.discriminatedUnion(
  'type',
  [monteCarloSetSchema, gridSetSchema, shocksSetSchema, historicalSetSchema],
  { error: 'expected a scenario set {name, type, ...}' },
);

const limitFields = {
  maxLeverage: num({ gte: 0 }, 'a leverage bound >= 0 (gross notional / collateral)').optional(),
  maxConcentration: num({ gte: 0, lte: 1 }, "a bound in [0, 1] on the largest underlying's share").optional(),
  maxDelta: idRecordOf(
    num({ gte: 0 }, 'a bound >= 0 on |delta| in currency'),
    'an object {underlying: bound on |delta|}',
  ).optional(),
  minHealth: num({ gte: 0 }, 'a health bound >= 0 (collateral / maintenance margin)').optional(),
};

const limitSetSchema = strictObject(limitFields, 'limits {maxLeverage, maxConcentration, maxDelta, minHealth}');

/** Exposure and health limits (contract section 7), with overrides by account or portfolio id. */
export const limitsSchema = strictObject(
  {
    ...limitFields,
    overrides: idRecordOf(limitSetSchema, 'an object {account or portfolio id: limits}').optional(),
  },
  'limits {maxLeverage, maxConcentration, maxDelta, minHealth, overrides}',
);

/** Charges on top of the core (expected shortfall) margin (contract section 8); each is optional. */
export const addOnsSchema = strictObject(
  {
    liquidity: strictObject(
      { impact: num({ gte: 0 }, 'a market impact factor >= 0').default(1) },
      'a liquidity add-on {impact}',
    ).optional(),
    shortOptionMinimum: num({ gte: 0 }, 'a share of the underlying notional >= 0').optional(),
    maxDiversificationBenefit: num({ gte: 0, lte: 1 }, 'a share of segregated margin in [0, 1]').optional(),
    credit: idRecordOf(num({ gte: 0 }, 'a surcharge >= 0 (share of core margin)'), 'an object {rating: surcharge}').optional(),
  },
  'add-ons {liquidity, shortOptionMinimum, maxDiversificationBenefit, credit}',
);

/** How the Euler attribution of ES is reported (contract section 7). */
export const attributionSchema = strictObject(
  {
    top: num({ int: true, gte: 1, lte: 1_000_000 }, 'a positive whole number of positions').default(10),
  },
  'attribution {top}',
);

/**
 * The liquidation cascade (contract section 9). Which sets it may name, and the `adv` it needs,
 * are checked against the suite and the market in validate.ts.
 */
export const cascadeSchema = strictObject(
  {
    sets: list(setName, 'a list of scenario set names', true),
    impact: num({ gte: 0 }, 'a market impact factor >= 0').default(1),
    maxRounds: num({ int: true, gte: 1 }, 'a positive whole number of rounds').default(10),
  },
  'a cascade {sets, impact, maxRounds}',
);

export const suiteSchema = strictObject(
  {
    seed: num({ int: true, gte: 0, lte: Number.MAX_SAFE_INTEGER }, 'a non-negative integer seed').default(0),
    horizonDays: num({ gt: 0 }, 'a horizon in days > 0').default(1),
    confidence: num({ gt: 0, lt: 1 }, 'a confidence level in (0, 1)').default(0.99),
    maintenanceRatio: num({ gt: 0, lte: 1 }, 'a maintenance ratio in (0, 1]').default(0.8),
    scenarioSets: list(scenarioSetSchema, 'a list of scenario sets', true),
    limits: limitsSchema.optional(),
    addOns: addOnsSchema.optional(),
    attribution: attributionSchema.default({ top: 10 }),
    cascade: cascadeSchema.optional(),
  },
  'a suite object {scenarioSets, ...}',
);

/** The documents as parsed, defaults applied: what validate.ts checks. */
export type MarketDoc = z.output<typeof marketSchema>;
export type BookDoc = z.output<typeof bookSchema>;
export type SuiteDoc = z.output<typeof suiteSchema>;

/** The documents as written in the files, before defaults (fields with a default may be left out). */
export type MarketDocInput = z.input<typeof marketSchema>;
export type BookDocInput = z.input<typeof bookSchema>;
export type SuiteDocInput = z.input<typeof suiteSchema>;

/** Runs a schema; the value with defaults applied, or the problems as path + message lines. */
export function check<T extends z.ZodType>(
  schema: T,
  doc: unknown,
): { ok: true; value: z.output<T> } | { ok: false; issues: Issue[] } {
  const result = schema.safeParse(doc, { reportInput: true, error: fallbackErrorMap });
  if (result.success) return { ok: true, value: result.data };
  return { ok: false, issues: fromZodIssues(result.error.issues) };
}
