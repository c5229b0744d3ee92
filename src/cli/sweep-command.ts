import { join, resolve } from 'node:path';
import Table from 'cli-table3';
import type { ArgumentsCamelCase, Argv, CommandModule } from 'yargs';
import { UsageError } from '../errors.js';
import { prepare } from '../run.js';
import { writeFileAtomic } from '../io/atomic.js';
import { parseAxis } from '../sweep/axis.js';
import { sweep, sweepCsv, type SweepAxis, type SweepResult } from '../sweep/sweep.js';
import { mkdirSync } from 'node:fs';
import type { CliIO } from './io.js';
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
  strict: boolean;
}

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
        .option('strict', {
          type: 'boolean',
          default: false,
          describe: 'make warnings about implausible values (a vol of 32 meaning 0.32) errors (exit 2)',
        }) as unknown as Argv<SweepArgs>,
    handler: async (args: ArgumentsCamelCase<SweepArgs>) => {
      if ((args.weights === undefined) === (args.volMultipliers === undefined))
        throw new UsageError('give exactly one of --weights and --vol-multipliers');
      if (!(args.target >= -1 && args.target <= 1)) throw new UsageError(`--target must be in [-1, 1], got ${args.target}`);
      if (args.workers !== undefined && !(Number.isInteger(args.workers) && args.workers >= 1))
        throw new UsageError(`--workers must be a whole number >= 1, got ${args.workers}`);
      const axis: SweepAxis =
        args.weights !== undefined
          ? {
              parameter: 'weight',
              values: parseAxis(args.weights, 'weights', (v) => v >= 0 && v <= 1, 'in [0, 1]'),
              target: args.target,
            }
          : { parameter: 'volMultiplier', values: parseAxis(args.volMultipliers!, 'volMultipliers', (v) => v > 0, '> 0') };
      const plan = prepare({
        market: args.market,
        book: args.book,
        suite: args.suite,
        strict: args.strict,
        onWarning: warnOn(io),
      });
      const result = await sweep(plan, args.set, axis, args.scope, { workers: args.workers }, { signal: io.signal });
      if (args.out) {
        const dir = resolve(args.out);
        mkdirSync(dir, { recursive: true });
        writeFileAtomic(join(dir, 'sweep.json'), JSON.stringify(result, null, 2) + '\n');
        writeFileAtomic(join(dir, 'sweep.csv'), sweepCsv(result));
      }
      io.stdout.write(args.json ? JSON.stringify(result, null, 2) + '\n' : table(result));
    },
  };
}
