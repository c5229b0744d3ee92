import { resolve } from 'node:path';
import Table from 'cli-table3';
import type { ArgumentsCamelCase, Argv, CommandModule } from 'yargs';
import { UsageError } from '../errors.js';
import { writeFilesAtomic } from '../io/atomic.js';
import { outputFolderProblem } from '../io/location.js';
import { parseAxis, type AxisParameter } from '../sweep/axis.js';
import { AXIS_RULES, sweep, sweepCsv, type SweepResult } from '../sweep/sweep.js';
import type { CliIO } from './io.js';
import { parseBytes } from './sizes.js';
import { warnOn } from './warnings.js';

interface SweepArgs {
  market: string;
  book: string;
  suite: string;
  set: string;
  weights?: string;
  volMultipliers?: string;
  target: number;
  scope: 'set' | 'suite';
  json: boolean;
  out?: string;
  workers?: number;
  maxMemory?: string;
  strict: boolean;
}

const SWEEP_FILES = ['sweep.json', 'sweep.csv'];

const money = (v: number) => v.toLocaleString('en-US', { maximumFractionDigits: 0 });
const pct = (v: number | null) => (v === null ? '-' : `${(100 * v).toFixed(1)}%`);

function table(r: SweepResult): string {
  const label = r.parameter === 'weight' ? `breakdown weight (target ${r.target})` : 'vol multiplier';
  const out = [
    `sweep of set "${r.set}" over the ${label}; margin from ${r.scope === 'set' ? 'that set alone' : "it and the suite's other margin sets"}`,
  ];
  for (const p of r.portfolios) {
    const t = new Table({
      head: [r.parameter, 'cross IM', 'segregated IM', 'efficiency', 'binding set'],
      colAligns: ['right', 'right', 'right', 'right', 'left'],
      style: { head: [], border: [], compact: true },
    });
    for (const pt of p.points)
      t.push([
        pt.value,
        money(pt.crossInitialMargin),
        money(pt.segregatedInitialMargin),
        pct(pt.capitalEfficiency),
        pt.bindingSet,
      ]);
    out.push(`\n${p.id} (${p.accounts.join(', ')})\n${t.toString()}`);
  }
  return out.join('\n') + '\n';
}

export function sweepCommand(io: CliIO): CommandModule<object, SweepArgs> {
  return {
    command: 'sweep',
    describe: 'Rerun a Monte Carlo set over breakdown weights or vol multipliers: cross vs segregated IM per point',
    builder: (y: Argv) =>
      y
        .option('market', { type: 'string', demandOption: true, describe: 'market file' })
        .option('book', { type: 'string', demandOption: true, describe: 'book file' })
        .option('suite', { type: 'string', demandOption: true, describe: 'suite file' })
        .option('set', { type: 'string', demandOption: true, describe: 'name of the montecarlo set to sweep' })
        .option('weights', { type: 'string', describe: 'breakdown weights FROM:TO:STEP or a,b,c (in [0, 1])' })
        .option('vol-multipliers', { type: 'string', describe: 'vol multipliers FROM:TO:STEP or a,b,c (> 0)' })
        .option('target', { type: 'number', default: 1, describe: 'breakdown target correlation for --weights' })
        .option('scope', {
          choices: ['set', 'suite'] as const,
          default: 'set' as const,
          describe: "margin from the swept set alone, or with the suite's other margin sets",
        })
        .option('json', { type: 'boolean', default: false, describe: 'print the sweep as JSON' })
        .option('out', { type: 'string', describe: 'folder for sweep.json and sweep.csv' })
        .option('workers', { type: 'number', describe: 'worker threads [default: one per core]' })
        .option('max-memory', {
          type: 'string',
          describe: 'memory the sweep may use, e.g. 1GiB [default: 1GiB]',
        })
        .option('strict', {
          type: 'boolean',
          default: false,
          describe: 'make warnings about implausible values (a vol of 32 meaning 0.32) errors (exit 2)',
        }) as unknown as Argv<SweepArgs>,
    handler: async (args: ArgumentsCamelCase<SweepArgs>) => {
      if ((args.weights === undefined) === (args.volMultipliers === undefined))
        throw new UsageError('give exactly one of --weights and --vol-multipliers');
      const maxMemory = args.maxMemory === undefined ? undefined : parseBytes(args.maxMemory, '--max-memory');
      const axis = (text: string, parameter: AxisParameter) =>
        parseAxis(text, parameter, AXIS_RULES[parameter].valid, AXIS_RULES[parameter].expected);
      if (args.out !== undefined) {
        if (args.out === '') throw new UsageError('--out needs a folder');
        const problem = outputFolderProblem(resolve(args.out), SWEEP_FILES);
        if (problem !== undefined) throw new UsageError(`--out ${args.out}: ${problem}`);
      }
      const result = await sweep(
        {
          market: args.market,
          book: args.book,
          suite: args.suite,
          strict: args.strict,
          onWarning: warnOn(io),
          set: args.set,
          ...(args.weights !== undefined
            ? { weights: axis(args.weights, 'weights'), target: args.target }
            : { volMultipliers: axis(args.volMultipliers!, 'volMultipliers') }),
          scope: args.scope,
          workers: args.workers,
          maxMemory,
        },
        { signal: io.signal },
      );
      if (args.out !== undefined) {
        writeFilesAtomic(resolve(args.out), [
          [SWEEP_FILES[0], JSON.stringify(result, null, 2) + '\n'],
          [SWEEP_FILES[1], sweepCsv(result)],
        ]);
      }
      io.stdout.write(args.json ? JSON.stringify(result, null, 2) + '\n' : table(result));
    },
  };
}
