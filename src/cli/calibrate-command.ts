import { resolve } from 'node:path';
import YAML from 'yaml';
import type { ArgumentsCamelCase, Argv, CommandModule } from 'yargs';
import { calibrateWindow, checkMarket, type MarketDocument } from '../calibrate/calibrate.js';
import { METHODS, type Method } from '../calibrate/estimators.js';
import { fitPeriods, suiteYaml } from '../calibrate/fit.js';
import { prettyJson } from '../calibrate/json.js';
import { calibrationText, fitText } from '../calibrate/format.js';
import { resolveColumns, type Window } from '../calibrate/window.js';
import { isIsoDate } from '../model/dates.js';
import { UsageError } from '../errors.js';
import { parseMarket, parseSuite } from '../model/load.js';
import { loadPriceTable } from '../model/prices.js';
import { isYamlFile, parseYamlText } from '../model/read.js';
import { writeFileAtomic } from '../io/atomic.js';
import { outputFileProblem } from '../io/location.js';
import { minEigenvalue, PSD_TOLERANCE } from '../math/linalg.js';
import type { CliIO } from './io.js';

interface CalibrateArgs {
  prices: string;
  columns?: string | string[];
  from?: string;
  to?: string;
  method: Method;
  lambda?: number;
  daysPerYear: number;
  json: boolean;
  out?: string;
  currency: string;
  rate: number;
  calm?: string;
  stress?: string;
  target?: number;
  emitSet?: string;
  count?: number;
  dof?: number;
  horizonDays?: number;
  seed?: number;
}

const DEFAULT_LAMBDA = 0.94;
const DEFAULT_COUNT = 100000;
const SET_NAME = 'breakdown-fit';

function dateFlag(name: string, v: string | undefined): string | undefined {
  if (v === undefined) return undefined;
  if (!isIsoDate(String(v)))
    throw new UsageError(`--${name}: expected a real calendar date YYYY-MM-DD, got ${JSON.stringify(String(v))}`);
  return String(v);
}

function orderedWindow(label: string, w: Window): Window {
  if (w.from !== undefined && w.to !== undefined && w.from > w.to) {
    throw new UsageError(`${label}: the start ${w.from} is after the end ${w.to}`);
  }
  return w;
}

/** `FROM:TO`, either side empty for an open end. */
function periodFlag(name: string, v: string): Window {
  const text = String(v);
  const parts = text.split(':');
  const ok = parts.length === 2 && parts.every((p) => p === '' || isIsoDate(p));
  if (!ok) {
    throw new UsageError(
      `--${name}: expected FROM:TO with dates YYYY-MM-DD (e.g. 2008-01-01:2008-10-17; leave a side empty for an open end), got ${JSON.stringify(text)}`,
    );
  }
  return orderedWindow(`--${name}`, { from: parts[0] || undefined, to: parts[1] || undefined });
}

function columnsFlag(v: string | string[] | undefined): string[] | undefined {
  if (v === undefined) return undefined;
  const names = (Array.isArray(v) ? v : [v]).flatMap((s) => String(s).split(',')).map((s) => s.trim());
  if (names.length === 0 || names.some((s) => s === '')) {
    throw new UsageError(
      `--columns: expected comma-separated column names (e.g. FINA,HLTH), got ${JSON.stringify(Array.isArray(v) ? v.join(',') : v)}`,
    );
  }
  const dup = names.find((s, i) => names.indexOf(s) !== i);
  if (dup !== undefined) throw new UsageError(`--columns: "${dup}" is listed twice`);
  return names;
}

function finite(name: string, v: number | undefined, check: (x: number) => boolean, expected: string): void {
  if (v === undefined) return;
  if (typeof v !== 'number' || !Number.isFinite(v) || !check(v))
    throw new UsageError(`--${name}: expected ${expected}, got ${String(v)}`);
}

function serialise(file: string, doc: unknown): string {
  return isYamlFile(file) ? YAML.stringify(doc, { lineWidth: 0 }) : prettyJson(doc);
}

export function calibrateCommand(io: CliIO): CommandModule<object, CalibrateArgs> {
  return {
    command: 'calibrate',
    describe:
      'Estimate vols and correlation from a price CSV (a market file); with --calm/--stress, fit a correlation-breakdown set',
    builder: (y: Argv) =>
      y
        .option('prices', {
          type: 'string',
          demandOption: true,
          describe: 'price CSV: a "date" column and one price column per series',
        })
        .option('columns', { type: 'string', describe: 'comma-separated price columns to calibrate [default: all]' })
        .option('from', { type: 'string', describe: 'first date to keep (YYYY-MM-DD, inclusive)' })
        .option('to', { type: 'string', describe: 'last date to keep (YYYY-MM-DD, inclusive)' })
        .option('method', { choices: METHODS, default: 'sample' as Method, describe: 'covariance estimator' })
        .option('lambda', { type: 'number', describe: `EWMA decay in (0, 1) [default: ${DEFAULT_LAMBDA}] (ewma only)` })
        .option('days-per-year', {
          type: 'number',
          default: 365,
          describe: 'periods per year to annualise (252 for trading-day prices)',
        })
        .option('json', {
          type: 'boolean',
          default: false,
          describe: 'print the market file (with --calm/--stress: the fit) as JSON',
        })
        .option('out', {
          type: 'string',
          describe: 'write the market file (with --calm/--stress: the calm one); YAML when it ends .yaml/.yml',
        })
        .option('currency', { type: 'string', default: 'USD', describe: 'the market currency to record' })
        .option('rate', { type: 'number', default: 0, describe: 'the continuously compounded rate to record' })
        .option('calm', { type: 'string', describe: 'breakdown fit: the calm period FROM:TO' })
        .option('stress', { type: 'string', describe: 'breakdown fit: the stressed period FROM:TO' })
        .option('target', { type: 'number', describe: 'breakdown fit: target correlation in [-1, 1] [default: 1]' })
        .option('emit-set', {
          type: 'string',
          describe: 'breakdown fit: write a ready-to-run suite (.yaml) with the fitted Monte Carlo set',
        })
        .option('count', { type: 'number', describe: `breakdown fit: scenarios of the emitted set [default: ${DEFAULT_COUNT}]` })
        .option('horizon-days', { type: 'number', describe: 'breakdown fit: horizonDays of the emitted suite [default: 1]' })
        .option('seed', { type: 'number', describe: 'breakdown fit: seed of the emitted suite [default: 0]' })
        .option('dof', {
          type: 'number',
          describe: 'breakdown fit: Student-t degrees of freedom (> 2) for the emitted set [default: normal]',
        })
        .example(
          '$0 calibrate --prices p.csv --columns FINA,HLTH --from 2007-01-01 --to 2008-06-30 --out market.json',
          'a market file',
        )
        .example(
          '$0 calibrate --prices p.csv --calm 2005-01-01:2007-06-30 --stress 2008-01-01:2008-10-17 --out calm.json --emit-set set.yaml',
          'a breakdown fit',
        ) as unknown as Argv<CalibrateArgs>,
    handler: async (args: ArgumentsCamelCase<CalibrateArgs>) => {
      // Every flag is checked before any file is read or written.
      const fitMode = args.calm !== undefined || args.stress !== undefined;
      if (fitMode && (args.calm === undefined || args.stress === undefined))
        throw new UsageError('a breakdown fit needs both --calm FROM:TO and --stress FROM:TO');
      if (fitMode && (args.from !== undefined || args.to !== undefined)) {
        throw new UsageError(
          '--from/--to select the window of a plain calibration; with --calm/--stress the windows are given there',
        );
      }
      if (!fitMode) {
        const fitOnly = (['target', 'emitSet', 'count', 'dof', 'horizonDays', 'seed'] as const).filter(
          (k) => args[k] !== undefined,
        );
        if (fitOnly.length > 0) {
          const flag = (k: string) => `--${k.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`)}`;
          throw new UsageError(`${fitOnly.map(flag).join(', ')} only apply to a breakdown fit (--calm FROM:TO --stress FROM:TO)`);
        }
      }
      if (args.lambda !== undefined && args.method !== 'ewma')
        throw new UsageError(`--lambda only applies to --method ewma (the method is ${args.method})`);
      finite('lambda', args.lambda, (x) => x > 0 && x < 1, 'a decay in (0, 1), e.g. 0.94');
      finite('days-per-year', args.daysPerYear, (x) => x > 0, 'a number of periods per year > 0 (e.g. 365 or 252)');
      finite('rate', args.rate, () => true, 'a finite rate');
      finite('target', args.target, (x) => x >= -1 && x <= 1, 'a target correlation in [-1, 1]');
      finite('count', args.count, (x) => Number.isInteger(x) && x >= 1 && x <= 4294967295, 'a whole number of scenarios >= 1');
      finite('dof', args.dof, (x) => x > 2, 'degrees of freedom > 2');
      finite('horizon-days', args.horizonDays, (x) => x > 0, 'a horizon in days > 0');
      finite('seed', args.seed, (x) => Number.isSafeInteger(x) && x >= 0, 'a non-negative whole number');
      if (args.emitSet !== undefined && !isYamlFile(args.emitSet))
        throw new UsageError(`--emit-set: expected a .yaml or .yml file name, got ${JSON.stringify(args.emitSet)}`);
      if (args.emitSet !== undefined && args.out !== undefined && resolve(args.emitSet) === resolve(args.out)) {
        throw new UsageError('--out (the calm market) and --emit-set (the suite) must be different files');
      }
      for (const [flag, file] of [
        ['--out', args.out],
        ['--emit-set', args.emitSet],
      ] as const) {
        if (file === undefined) continue;
        const problem = file === '' ? 'needs a file name' : outputFileProblem(file);
        if (problem !== undefined) throw new UsageError(`${flag} ${file}: ${problem}`);
      }
      const currency = String(args.currency);
      if (currency === '' || currency.trim() !== currency)
        throw new UsageError(`--currency: expected a currency code without spaces, got ${JSON.stringify(currency)}`);
      const columns = columnsFlag(args.columns);
      const from = dateFlag('from', args.from);
      const to = dateFlag('to', args.to);
      const window = orderedWindow('--from/--to', { from, to });
      const calm = fitMode ? periodFlag('calm', args.calm!) : undefined;
      const stress = fitMode ? periodFlag('stress', args.stress!) : undefined;
      if (columns?.includes(currency)) {
        throw new UsageError(
          `--currency ${currency} is also a calibrated column; collateral assets are named by underlying ids, so choose another --currency`,
        );
      }

      const table = loadPriceTable(args.prices);
      const columnIndex = resolveColumns(table, columns);
      if (!columns && table.columns.includes(currency)) {
        throw new UsageError(
          `--currency ${currency} is also a price column of ${args.prices}; choose another --currency or name the --columns`,
        );
      }
      const options = {
        method: args.method,
        lambda: args.lambda ?? DEFAULT_LAMBDA,
        daysPerYear: args.daysPerYear,
        currency,
        rate: args.rate,
        source: args.prices,
      };
      const marketName = args.out ?? '(calibrated market)';

      if (!fitMode) {
        const c = calibrateWindow(table, columnIndex, window, '--from/--to', options);
        checkMarket(c.market, marketName);
        if (args.out !== undefined) writeFileAtomic(args.out, serialise(args.out, c.market));
        if (args.json) {
          io.stdout.write(prettyJson(c.market));
          return;
        }
        const tail =
          args.out !== undefined ? `wrote ${args.out}` : 'the market file: add --json to print it, or --out FILE to write it';
        io.stdout.write(`${calibrationText(c)}\n\n${tail}\n`);
        return;
      }

      const fit = fitPeriods(table, columnIndex, {
        ...options,
        calm: calm!,
        stress: stress!,
        target: args.target ?? 1,
        count: args.count ?? DEFAULT_COUNT,
        ...(args.dof !== undefined ? { dof: args.dof } : {}),
        setName: SET_NAME,
      });
      const r = fit.result;
      if (minEigenvalue(r.fitted) < -PSD_TOLERANCE) {
        throw new UsageError(
          `moving the calm correlation toward --target ${r.target} with the fitted weight ${r.weight} gives a matrix that is not positive semi-definite; ` +
            `with ${r.columns.length} underlyings the target must be at least ${(-1 / Math.max(r.columns.length - 1, 1)).toFixed(4)}`,
        );
      }
      const calmMarket: MarketDocument = fit.calm.market;
      checkMarket(calmMarket, marketName);
      let suiteText: string | undefined;
      if (args.emitSet !== undefined) {
        suiteText = suiteYaml(r, args.out, { horizonDays: args.horizonDays, seed: args.seed });
        // The emitted suite must load exactly as `xmargin run` will load it.
        parseSuite(
          parseYamlText(suiteText, args.emitSet),
          args.emitSet,
          parseMarket(JSON.parse(JSON.stringify(calmMarket)), marketName),
        );
      }
      if (args.out !== undefined) writeFileAtomic(args.out, serialise(args.out, calmMarket));
      if (args.emitSet !== undefined) writeFileAtomic(args.emitSet, suiteText!);
      if (args.json) {
        io.stdout.write(prettyJson(r));
        return;
      }
      const wrote = [
        args.out && `wrote ${args.out} (the calm market)`,
        args.emitSet && `wrote ${args.emitSet} (suite with set "${SET_NAME}")`,
      ].filter(Boolean);
      io.stdout.write(`${fitText(r, fit.calm, fit.stress)}\n${wrote.length ? `\n${wrote.join('\n')}\n` : ''}`);
    },
  };
}
