import type { ArgumentsCamelCase, Argv, CommandModule } from 'yargs';
import { RunError, UsageError } from '../errors.js';
import { throwIfIssues } from '../model/issues.js';
import { writeFileAtomic } from '../io/atomic.js';
import { readDocument } from '../model/read.js';
import { correlationLikeIssues, nearestCorrelation } from '../scenarios/nearcorr.js';
import type { CliIO } from './io.js';

interface NearcorrArgs {
  matrix: string;
  json: boolean;
  out?: string;
  symmetrize: boolean;
  maxIterations: number;
}

function readMatrix(file: string, symmetrize: boolean): number[][] {
  const doc = readDocument(file) as { correlation?: unknown };
  const m = doc && typeof doc === 'object' ? doc.correlation : undefined;
  throwIfIssues(file, correlationLikeIssues(m, { symmetrize, at: ['correlation'], symmetrizeHint: 'pass --symmetrize' }));
  return m as number[][];
}

export function nearcorrCommand(io: CliIO): CommandModule<object, NearcorrArgs> {
  return {
    command: 'nearcorr',
    describe: 'The nearest correlation matrix (Higham 2002) to { "correlation": [[...]] }',
    builder: (y: Argv) =>
      y
        .option('matrix', { type: 'string', demandOption: true, describe: 'file with { "correlation": [[...]] } (JSON or YAML)' })
        .option('json', { type: 'boolean', default: false, describe: 'print JSON only' })
        .option('out', {
          type: 'string',
          describe: 'write { "correlation": [[...]] } to this file',
        })
        .option('symmetrize', {
          type: 'boolean',
          default: false,
          describe: "accept an asymmetric matrix and start from its symmetric part (A + A')/2",
        })
        .option('max-iterations', {
          type: 'number',
          default: 10000,
          describe: 'give up (exit 1) after this many iterations',
        }) as unknown as Argv<NearcorrArgs>,
    handler: async (args: ArgumentsCamelCase<NearcorrArgs>) => {
      if (!(Number.isInteger(args.maxIterations) && args.maxIterations >= 1))
        throw new UsageError(`--max-iterations must be a whole number >= 1, got ${args.maxIterations}`);
      const matrix = readMatrix(args.matrix, args.symmetrize);
      const result = nearestCorrelation(matrix, { symmetrize: args.symmetrize, maxIterations: args.maxIterations });
      // A result that has not converged is a correlation matrix, but not the nearest one: never
      // hand it on as if it were.
      if (!result.converged)
        throw new RunError(
          `${args.matrix}: the nearest correlation matrix did not converge within ${result.iterations} iterations (--max-iterations); nothing was written`,
        );
      const out = { correlation: result.correlation, iterations: result.iterations, distance: result.distance };
      if (args.out) writeFileAtomic(args.out, JSON.stringify({ correlation: result.correlation }, null, 2) + '\n');
      if (args.json) {
        io.stdout.write(JSON.stringify(out, null, 2) + '\n');
        return;
      }
      const rows = result.correlation.map((r) => r.map((v) => v.toFixed(6).padStart(10)).join(' ')).join('\n');
      io.stdout.write(`${rows}\ndistance ${result.distance}  iterations ${result.iterations}\n`);
    },
  };
}
