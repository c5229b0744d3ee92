// Reading a report back (`xmargin report --from`): report.json or report.msgpack as `run` wrote
// them, checked field by field against what the report's readers use, so that a file that is not
// a report, or a truncated one, is a clear input error (exit 2) and not a page of blanks.
import { decode } from '@msgpack/msgpack';
import { existsSync, statSync } from 'node:fs';
import { join } from 'node:path';
import * as z from 'zod';
import { InputError } from '../errors.js';
import { fallbackErrorMap, fromZodIssues, throwIfIssues } from '../model/issues.js';
import { parseJsonText, readFileBounded } from '../model/read.js';
import type { Report } from './report.js';

/** The largest report file read: far above the report of a book of 5,000 accounts (34 MB). */
export const MAX_REPORT_BYTES = 1024 * 2 ** 20;

const num = z.number();
const nullableNum = z.number().nullable();
// Loose objects: a report may carry fields added after this reader (contract section 6).
const tails = z.looseObject({ var: num, es: num, worst: num });
const components = z.looseObject({
  core: num,
  liquidity: num,
  credit: num,
  shortOptionMinimum: num,
  diversificationFloor: nullableNum,
  binding: z.string(),
});
const attribution = z.looseObject({
  set: z.string(),
  es: num,
  byAccount: z.array(z.looseObject({ id: z.string(), contribution: num, standalone: num, diversification: num })).optional(),
  byUnderlying: z.array(z.looseObject({ id: z.string(), contribution: num })),
  topPositions: z.array(z.looseObject({ account: z.string(), instrument: z.string(), contribution: num })),
});
const exposure = z.looseObject({
  byUnderlying: z.array(z.looseObject({ id: z.string(), delta: num, gamma: num, vega: num, theta: num, grossNotional: num })),
  grossNotional: num,
  netDelta: num,
  leverage: nullableNum,
  concentration: nullableNum,
  largestUnderlying: z.looseObject({ id: z.string(), share: num }).nullable(),
});
const distance = z.looseObject({ down: nullableNum, up: nullableNum });
const margin = {
  initialMargin: num,
  maintenanceMargin: num,
  bindingSet: z.string(),
  sets: z.record(z.string(), tails),
  components: components.optional(),
};
const account = z.looseObject({
  id: z.string(),
  collateral: num,
  health: nullableNum,
  marginCall: num,
  ...margin,
  exposure,
  attribution: attribution.optional(),
  distanceToLiquidation: distance,
});
const stressValue = z.looseObject({ value: num, scenario: num, portfolios: z.array(z.string()) });
const cascade = z.looseObject({
  scenarios: num,
  withLiquidation: num,
  mostRounds: num,
  worst: z
    .looseObject({
      scenario: num,
      rounds: num,
      liquidatedByRound: z.array(z.array(z.string())),
      shortfall: num,
      priceMoves: z.record(z.string(), num),
    })
    .nullable(),
});

export const reportSchema = z.looseObject({
  asOf: z.string(),
  currency: z.string(),
  seed: num,
  horizonDays: num,
  confidence: num,
  maintenanceRatio: num,
  sets: z.array(
    z.looseObject({
      name: z.string(),
      type: z.string(),
      scenarios: num,
      skipped: num,
      margin: z.boolean(),
      tailSize: num,
      stress: z.looseObject({ cover1: stressValue, cover2: stressValue }).optional(),
      cascade: cascade.optional(),
    }),
  ),
  portfolios: z.array(
    z.looseObject({
      id: z.string(),
      accounts: z.array(z.string()),
      collateral: num,
      health: nullableNum,
      marginCall: num,
      capitalEfficiency: nullableNum,
      cross: z.looseObject({ ...margin, attribution: attribution.optional() }),
      segregated: z.looseObject({ initialMargin: num, accounts: z.array(account) }),
      exposure,
      distanceToLiquidation: distance,
    }),
  ),
  totals: z.looseObject({
    collateral: num,
    crossInitialMargin: num,
    segregatedInitialMargin: num,
    capitalEfficiency: nullableNum,
    marginCall: num,
    portfoliosWithCall: num,
  }),
  breaches: z
    .array(
      z.looseObject({
        level: z.enum(['portfolio', 'account']),
        id: z.string(),
        limit: z.string(),
        underlying: z.string().optional(),
        value: num,
        threshold: num,
      }),
    )
    .optional(),
  engine: z.looseObject({ name: z.string(), version: z.string() }),
  run: z.looseObject({ id: z.string(), finishedAt: z.string() }).optional(),
});

/** The report files a folder may hold, in the order they are looked for. */
export const REPORT_FILE_NAMES = ['report.json', 'report.msgpack'] as const;

/**
 * The report file `from` names: the file itself, or the report.json (else report.msgpack) in the
 * folder. None there is an InputError naming the folder.
 */
export function reportFileIn(from: string): string {
  let folder = false;
  try {
    folder = statSync(from).isDirectory();
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') throw new InputError('no such folder or file', from);
    throw new InputError(`cannot read (${(err as Error).message})`, from);
  }
  if (!folder) return from;
  const file = REPORT_FILE_NAMES.map((n) => join(from, n)).find((f) => existsSync(f));
  if (file === undefined)
    throw new InputError(`no report here: expected ${REPORT_FILE_NAMES.join(' or ')} (written by xmargin run)`, from);
  return file;
}

/** Reads and checks a report file (JSON, or MessagePack when the name ends in .msgpack). */
export function readReport(file: string): Report {
  const bytes = readFileBounded(file, file, MAX_REPORT_BYTES, 'a report');
  let doc: unknown;
  if (/\.msgpack$/i.test(file)) {
    try {
      doc = decode(bytes);
    } catch (err) {
      throw new InputError(`not a valid MessagePack report: ${(err as Error).message}`, file);
    }
  } else {
    doc = parseJsonText(bytes.toString('utf8').replace(/^\uFEFF/, ''), file);
  }
  // A file that is not a report at all gets one line, not a list of every field it lacks.
  const fields = doc !== null && typeof doc === 'object' && !Array.isArray(doc) ? Object.keys(doc) : [];
  if (!['portfolios', 'totals', 'engine'].some((k) => fields.includes(k)))
    throw new InputError('not an xmargin report: expected the report.json or report.msgpack that xmargin run writes', file);
  const result = reportSchema.safeParse(doc, { reportInput: true, error: fallbackErrorMap });
  if (!result.success) throwIfIssues(file, fromZodIssues(result.error.issues));
  // The document as read, not the schema's copy: nothing of it is dropped or reordered.
  return doc as Report;
}
