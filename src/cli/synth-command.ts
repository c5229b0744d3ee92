import type { ArgumentsCamelCase, Argv, CommandModule } from 'yargs';
import { UsageError } from '../errors.js';
import { outputFolderProblem } from '../io/location.js';
import {
  optionCount,
  resolveSpec,
  SYNTH_FILES,
  suiteScenarios,
  synthesize,
  writeSynthFiles,
  type SynthSize,
} from '../synth/index.js';
import type { CliIO } from './io.js';

interface SynthArgs {
  size: SynthSize;
  out: string;
  seed: number;
  mcCount?: number;
  addOns: boolean;
  crashLadder?: 'set' | 'cascade';
}

export function synthCommand(io: CliIO): CommandModule<object, SynthArgs> {
  return {
    command: 'synth',
    describe: 'Write a synthetic market.json, book.json and suite.yaml (sizes S, M, L) for benchmarks and demos',
    builder: (y: Argv) =>
      y
        .option('size', { choices: ['S', 'M', 'L'] as const, demandOption: true, describe: 'workload size' })
        .option('out', { type: 'string', demandOption: true, describe: 'folder for the three files (created if missing)' })
        .option('seed', {
          type: 'number',
          default: 1,
          describe: 'generator seed (also the suite seed); same size + seed = same bytes',
        })
        .option('mc-count', { type: 'number', describe: "scenarios per Monte Carlo set [default: the size's]" })
        .option('add-ons', {
          type: 'boolean',
          default: false,
          describe: 'every add-on of contract section 8: adv and spread, portfolio ratings, an addOns block',
        })
        .option('crash-ladder', {
          choices: ['set', 'cascade'] as const,
          describe:
            'a 100-scenario crash ladder (every underlying -0.4% to -40%, not for margin) and adv; cascade: with the liquidation cascade on it',
        })
        .example(
          '$0 synth --size M --out work/m',
          'then: xmargin run --market work/m/market.json --book work/m/book.json --suite work/m/suite.yaml',
        ) as unknown as Argv<SynthArgs>,
    handler: (args: ArgumentsCamelCase<SynthArgs>) => {
      if (!(Number.isSafeInteger(args.seed) && args.seed >= 0))
        throw new UsageError(`--seed must be a whole number >= 0, got ${args.seed}`);
      if (args.mcCount !== undefined && !(Number.isInteger(args.mcCount) && args.mcCount >= 1 && args.mcCount <= 0xffffffff)) {
        throw new UsageError(`--mc-count must be a whole number in [1, 4294967295], got ${args.mcCount}`);
      }
      if (!args.out) throw new UsageError('--out needs a folder');
      const problem = outputFolderProblem(args.out, Object.values(SYNTH_FILES));
      if (problem !== undefined) throw new UsageError(`--out ${args.out}: ${problem}`);
      const options = {
        ...(args.mcCount !== undefined ? { mcCount: args.mcCount } : {}),
        ...(args.addOns ? { addOns: true } : {}),
        ...(args.crashLadder ? { crashLadder: args.crashLadder } : {}),
      };
      const w = synthesize(args.size, args.seed, options);
      const spec = resolveSpec(args.size, options);
      const mc =
        (args.mcCount !== undefined ? ` --mc-count ${args.mcCount}` : '') +
        (args.addOns ? ' --add-ons' : '') +
        (args.crashLadder ? ` --crash-ladder ${args.crashLadder}` : '');
      const paths = writeSynthFiles(args.out, w, [`Synthetic suite: xmargin synth --size ${args.size} --seed ${args.seed}${mc}`]);
      io.stdout.write(
        `size ${args.size}, seed ${args.seed}: ${spec.underlyings} underlyings, ${spec.instruments} instruments (${optionCount(spec)} options), ` +
          `${spec.accounts} accounts x ${spec.positionsPerAccount} positions, ${w.book.portfolios.length} portfolios, ` +
          `${suiteScenarios(w.suite)} scenarios\nwrote ${paths.market}, ${paths.book}, ${paths.suite}\n`,
      );
    },
  };
}
