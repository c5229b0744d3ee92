import Table from 'cli-table3';
import type { ArgumentsCamelCase, Argv, CommandModule } from 'yargs';
import { explain, type ScenarioExplanation } from '../explain/explain.js';
import { UsageError } from '../errors.js';
import { bundledExample } from '../run.js';
import type { CliIO } from './io.js';

interface ExplainArgs {
  market?: string;
  book?: string;
  suite?: string;
  set: string;
  scenario: number;
  json: boolean;
}

const num = (v: number) => v.toLocaleString('en-US', { maximumFractionDigits: 2 });
const pct = (v: number) => `${v >= 0 ? '+' : ''}${(100 * v).toFixed(2)}%`;

function text(e: ScenarioExplanation): string {
  const head = `set "${e.set}" (${e.type}), scenario ${e.scenario}${e.label ? ` (${e.label})` : ''}${e.ivShift ? `, iv ${e.ivShift > 0 ? '+' : ''}${e.ivShift}` : ''}`;
  const table = (head: string[]) => new Table({ head, style: { head: [], border: [], compact: true } });
  const u = table(['underlying', 'spot', 'shocked', 'move']);
  for (const x of e.underlyings) u.push([x.id, num(x.spot), num(x.shockedSpot), pct(x.move)]);
  const p = table(['portfolio', 'accounts', 'P&L', 'loss']);
  for (const x of e.portfolios) p.push([x.id, x.accounts.join(', '), num(x.pnl), num(x.loss)]);
  const a = table(['account', 'P&L', 'loss']);
  for (const x of e.accounts) a.push([x.id, num(x.pnl), num(x.loss)]);
  return [head, u.toString(), p.toString(), a.toString()].join('\n') + '\n';
}

export function explainCommand(io: CliIO): CommandModule<object, ExplainArgs> {
  return {
    command: 'explain',
    describe: 'Regenerate one scenario of a set and show its moves and the P&L of every account and portfolio',
    builder: (y: Argv) =>
      y
        .option('market', { type: 'string', describe: 'market file' })
        .option('book', { type: 'string', describe: 'book file' })
        .option('suite', { type: 'string', describe: 'suite file' })
        .option('set', { type: 'string', demandOption: true, describe: 'scenario set name' })
        .option('scenario', {
          type: 'number',
          demandOption: true,
          describe: 'scenario index (the report gives worstScenario and varScenario)',
        })
        .option('json', { type: 'boolean', default: false, describe: 'print JSON' }) as unknown as Argv<ExplainArgs>,
    handler: (args: ArgumentsCamelCase<ExplainArgs>) => {
      const given = [args.market, args.book, args.suite].filter((v) => v !== undefined).length;
      if (given !== 0 && given !== 3)
        throw new UsageError('give all of --market, --book and --suite, or none for the bundled example');
      const inputs = given === 3 ? { market: args.market!, book: args.book!, suite: args.suite! } : bundledExample;
      const e = explain({ ...inputs, set: args.set, scenario: args.scenario });
      io.stdout.write(args.json ? JSON.stringify(e, null, 2) + '\n' : text(e));
    },
  };
}
