import Table from 'cli-table3';
import type { ArgumentsCamelCase, Argv, CommandModule } from 'yargs';
import { explain, type ScenarioExplanation } from '../explain/explain.js';
import { explainTail, type TailExplanation } from '../explain/tail.js';
import { explainCascade, type CascadeExplanation } from '../explain/cascade.js';
import { UsageError } from '../errors.js';
import { bundledExample } from '../run.js';
import type { CliIO } from './io.js';

interface ExplainArgs {
  market?: string;
  book?: string;
  suite?: string;
  set: string;
  scenario?: number;
  tail: boolean;
  cascade: boolean;
  portfolio?: string;
  account?: string;
  show?: number;
  workers?: number;
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

/** Positions with a column of their own in the tail's scenario table. */
const TAIL_COLUMNS = 8;

function tailText(t: TailExplanation): string {
  const table = (head: string[]) => new Table({ head, style: { head: [], border: [], compact: true } });
  const head =
    `${t.level} ${t.id}, set "${t.set}": its ${t.k === 1 ? 'largest loss' : `${t.k} largest losses`}; VaR ${num(t.var)}, ES ${num(t.es)} ` +
    `(${t.k === 1 ? 'that loss' : `the mean of the ${t.k}`}; each position's contribution is its mean loss over them, and they add up to the ES)`;
  const c = table(['account', 'position', 'underlying', 'contribution', 'share of ES']);
  for (const x of [...t.components].sort((a, b) => b.contribution - a.contribution))
    c.push([
      x.account,
      x.instrument,
      x.underlying,
      num(x.contribution),
      t.es !== 0 ? pct(x.contribution / t.es).replace('+', '') : '-',
    ]);
  const names = t.components.map((x) => (t.level === 'portfolio' ? `${x.account} ${x.instrument}` : x.instrument));
  const s = table(['rank', 'scenario', 'loss', ...names]);
  for (const x of t.scenarios)
    s.push([x.rank, x.label ? `${x.scenario} (${x.label})` : x.scenario, num(x.loss), ...x.components.map(num)]);
  const more = t.k - t.scenarios.length;
  return (
    [
      head,
      c.toString(),
      `the first ${t.scenarios.length} tail scenario${t.scenarios.length === 1 ? '' : 's'}, with each position's loss:`,
      s.toString(),
      ...(more > 0 ? [`... and ${more} more (--show N, or --json)`] : []),
    ].join('\n') + '\n'
  );
}

function cascadeText(c: CascadeExplanation): string {
  const table = (head: string[]) => new Table({ head, style: { head: [], border: [], compact: true } });
  const head =
    `set "${c.set}" (${c.type}), scenario ${c.scenario}${c.label ? ` (${c.label})` : ''}${c.ivShift ? `, iv ${c.ivShift > 0 ? '+' : ''}${c.ivShift}` : ''}: ` +
    `liquidation cascade, impact ${c.impact}, at most ${c.maxRounds} round${c.maxRounds === 1 ? '' : 's'}`;
  const u = table(['underlying', 'spot', 'vol', 'adv', 'round 0', 'final', 'move']);
  for (const x of c.underlyings)
    u.push([
      x.id,
      num(x.spot),
      num(x.vol),
      x.adv === null ? '-' : num(x.adv),
      num(x.scenarioSpot),
      num(x.finalSpot),
      pct(c.priceMoves[x.id]),
    ]);
  const p = table(['portfolio', 'collateral', 'MM', 'equity, round 0', 'final equity']);
  for (const x of c.portfolios)
    p.push([x.id, num(x.collateral), num(x.maintenanceMargin), num(x.equity), num(c.finalEquity[x.id])]);
  const lines = [head, u.toString(), p.toString()];
  for (const r of c.rounds) {
    const below = r.liquidated.map((id) => `${id} (equity ${num(r.equity[id])})`).join(', ');
    lines.push(`round ${r.round}: below MM and liquidated: ${below}`);
    const t = table(['underlying', 'order flow Q', 'price after']);
    for (const x of c.underlyings) t.push([x.id, num(r.orderFlow[x.id]), num(r.spot[x.id])]);
    lines.push(t.toString());
    lines.push(`  shortfall at the new prices: ${r.liquidated.map((id) => `${id} ${num(r.shortfall[id])}`).join(', ')}`);
  }
  lines.push(
    c.rounds.length === 0
      ? "no portfolio is below its MM at the scenario's prices: no cascade"
      : `${c.rounds.length} round${c.rounds.length === 1 ? '' : 's'}, total shortfall ${num(c.shortfall)}; ` +
          (c.stoppedBy === 'maxRounds'
            ? `stopped at maxRounds with portfolios still below MM`
            : `then no other portfolio is below its MM`),
  );
  return lines.join('\n') + '\n';
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
          describe: 'scenario index (the report gives worstScenario and varScenario)',
        })
        .option('tail', {
          type: 'boolean',
          default: false,
          describe: "instead of one scenario: the scenarios behind a unit's ES, with each position's loss and contribution",
        })
        .option('cascade', {
          type: 'boolean',
          default: false,
          describe:
            "with --scenario: the scenario's liquidation cascade, round by round (runs the suite for the maintenance margins)",
        })
        .option('portfolio', { type: 'string', describe: 'with --tail: the portfolio (margined cross)' })
        .option('account', { type: 'string', describe: 'with --tail: the account (margined alone)' })
        .option('show', { type: 'number', describe: 'with --tail: tail scenarios listed [default: 10]' })
        .option('workers', { type: 'number', describe: 'with --tail or --cascade: worker threads [default: one per core]' })
        .option('json', { type: 'boolean', default: false, describe: 'print JSON' }) as unknown as Argv<ExplainArgs>,
    handler: async (args: ArgumentsCamelCase<ExplainArgs>) => {
      const given = [args.market, args.book, args.suite].filter((v) => v !== undefined).length;
      if (given !== 0 && given !== 3)
        throw new UsageError('give all of --market, --book and --suite, or none for the bundled example');
      const inputs = given === 3 ? { market: args.market!, book: args.book!, suite: args.suite! } : bundledExample;
      if (args.tail && args.cascade) throw new UsageError('give one of --tail and --cascade');
      if (args.cascade) {
        if (args.portfolio !== undefined || args.account !== undefined || args.show !== undefined)
          throw new UsageError('--portfolio, --account and --show go with --tail');
        if (args.scenario === undefined) throw new UsageError('--cascade needs --scenario N');
        const c = await explainCascade(
          { ...inputs, set: args.set, scenario: args.scenario, workers: args.workers },
          { signal: io.signal },
        );
        io.stdout.write(args.json ? JSON.stringify(c, null, 2) + '\n' : cascadeText(c));
        return;
      }
      if (args.tail) {
        if (args.scenario !== undefined)
          throw new UsageError('--tail explains a whole tail: give --portfolio or --account, not --scenario');
        if ((args.portfolio === undefined) === (args.account === undefined))
          throw new UsageError('--tail needs exactly one of --portfolio and --account');
        const t = await explainTail(
          { ...inputs, set: args.set, portfolio: args.portfolio, account: args.account, show: args.show, workers: args.workers },
          { signal: io.signal },
        );
        io.stdout.write(args.json ? JSON.stringify(t, null, 2) + '\n' : tailText(t));
        return;
      }
      if (args.portfolio !== undefined || args.account !== undefined || args.show !== undefined)
        throw new UsageError('--portfolio, --account and --show go with --tail');
      if (args.scenario === undefined) throw new UsageError('give --scenario N (or --tail with --portfolio or --account)');
      const e = explain({ ...inputs, set: args.set, scenario: args.scenario });
      io.stdout.write(args.json ? JSON.stringify(e, null, 2) + '\n' : text(e));
    },
  };
}
