import { resolve } from 'node:path';
import YAML from 'yaml';
import type { ArgumentsCamelCase, Argv, CommandModule } from 'yargs';
import { METHODS, type Method } from '../calibrate/estimators.js';
import { BREAKDOWN_SET_NAME, calibrate, calibrateBreakdown, DEFAULT_COUNT, DEFAULT_LAMBDA } from '../calibrate/library.js';
import { prettyJson } from '../calibrate/json.js';
import { calibrationText, fitText } from '../calibrate/format.js';
import type { Window } from '../calibrate/window.js';
import { isIsoDate } from '../model/dates.js';
import { UsageError } from '../errors.js';
import { isYamlFile } from '../model/read.js';
import { writeFileAtomic } from '../io/atomic.js';
import { outputFileProblem } from '../io/location.js';
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
  return { from: parts[0] || undefined, to: parts[1] || undefined };
}

/** `A,B` (or the flag repeated): the names as given; the library checks them. */
function columnsFlag(v: string | string[] | undefined): string[] | undefined {
  if (v === undefined) return undefined;
  return (Array.isArray(v) ? v : [v]).flatMap((s) => String(s).split(',')).map((s) => s.trim());
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
      // Which flags go together is the command line's own rule; the values are the library's to check.
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
      const input = {
        prices: args.prices,
        columns: columnsFlag(args.columns),
        method: args.method,
        lambda: args.lambda,
        daysPerYear: args.daysPerYear,
        currency: String(args.currency),
        rate: args.rate,
        marketFile: args.out,
      };

      if (!fitMode) {
        const c = calibrate({
          ...input,
          ...(args.from !== undefined ? { from: String(args.from) } : {}),
          ...(args.to !== undefined ? { to: String(args.to) } : {}),
        });
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

      const fit = calibrateBreakdown({
        ...input,
        calm: periodFlag('calm', args.calm!),
        stress: periodFlag('stress', args.stress!),
        target: args.target,
        count: args.count,
        dof: args.dof,
        horizonDays: args.horizonDays,
        seed: args.seed,
      });
      if (args.out !== undefined) writeFileAtomic(args.out, serialise(args.out, fit.calm.market));
      if (args.emitSet !== undefined) writeFileAtomic(args.emitSet, fit.suite);
      if (args.json) {
        io.stdout.write(prettyJson(fit.result));
        return;
      }
      const wrote = [
        args.out && `wrote ${args.out} (the calm market)`,
        args.emitSet && `wrote ${args.emitSet} (suite with set "${BREAKDOWN_SET_NAME}")`,
      ].filter(Boolean);
      io.stdout.write(`${fitText(fit.result, fit.calm, fit.stress)}\n${wrote.length ? `\n${wrote.join('\n')}\n` : ''}`);
    },
  };
}
