import type { ArgumentsCamelCase, Argv, CommandModule } from 'yargs';
import { InputError } from '../errors.js';
import { writeFileAtomic } from '../io/atomic.js';
import { readDocument } from '../model/read.js';
import { nearestCorrelation } from '../scenarios/nearcorr.js';
import type { CliIO } from './io.js';

interface NearcorrArgs {
  matrix: string;
  json: boolean;
  out?: string;
}

function readMatrix(file: string): number[][] {
  const doc = readDocument(file) as { correlation?: unknown };
  const m = doc && typeof doc === 'object' ? doc.correlation : undefined;
  if (!Array.isArray(m) || m.length === 0)
    throw new InputError('expected a non-empty square matrix (a list of rows)', file, 'correlation');
  m.forEach((row, i) => {
    if (!Array.isArray(row) || row.length !== m.length) {
      throw new InputError(`expected a row of ${m.length} numbers (the matrix must be square)`, file, `correlation[${i}]`);
    }
    row.forEach((v, j) => {
      if (typeof v !== 'number' || !Number.isFinite(v))
        throw new InputError(`expected a finite number, got ${JSON.stringify(v)}`, file, `correlation[${i}][${j}]`);
    });
  });
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
        }) as unknown as Argv<NearcorrArgs>,
    handler: async (args: ArgumentsCamelCase<NearcorrArgs>) => {
      const result = nearestCorrelation(readMatrix(args.matrix));
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
