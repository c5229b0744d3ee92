// `xmargin serve`: the what-if service (src/service). Validates and runs like `run`, then listens
// until SIGTERM or SIGINT, which drain the requests in flight and exit 0.
import type { ArgumentsCamelCase, Argv, CommandModule } from 'yargs';
import { UsageError } from '../errors.js';
import { bundledExample } from '../run.js';
import { isLoopback, serviceDefaults } from '../service/server.js';
import { serveDefaults, startService } from '../service/serve.js';
import type { CliIO } from './io.js';
import { warnOn } from './warnings.js';

interface ServeArgs {
  market?: string;
  book?: string;
  suite?: string;
  host: string;
  port: number;
  workers?: number;
  token?: string;
  cacheMb: number;
  strict: boolean;
  log: boolean;
  rateLimit: number;
  maxRowsMb: number;
}

export function serveCommand(io: CliIO): CommandModule<object, ServeArgs> {
  return {
    command: 'serve',
    describe: 'Run the suite once, then answer what-if trades and report queries over HTTP (docs/service.md)',
    builder: (y: Argv) =>
      y
        .option('market', { type: 'string', describe: 'market file (with --book and --suite; none: the bundled example)' })
        .option('book', { type: 'string', describe: 'book file' })
        .option('suite', { type: 'string', describe: 'suite file' })
        .option('host', {
          type: 'string',
          default: '127.0.0.1',
          describe: 'address to listen on; any but loopback needs a token',
        })
        .option('port', { type: 'number', default: 7070, describe: 'port to listen on (0: any free one)' })
        .option('workers', { type: 'number', describe: 'worker threads [default: one per core]' })
        .option('token', {
          type: 'string',
          describe: 'bearer token every route but /health requires [default: $XMARGIN_TOKEN]',
        })
        .option('cache-mb', {
          type: 'number',
          default: serveDefaults.unitCacheBytes / 2 ** 20,
          describe: 'MiB of unit P&L vectors kept warm for what-ifs (least recently used dropped beyond it)',
        })
        .option('max-rows-mb', {
          type: 'number',
          default: serveDefaults.rowBytes / 2 ** 20,
          describe:
            'MiB of instrument rows kept for exact what-ifs: all of them when they fit, else those used last (the others recomputed on demand, slower)',
        })
        .option('strict', { type: 'boolean', default: false, describe: 'make warnings about implausible values errors (exit 2)' })
        .option('rate-limit', {
          type: 'number',
          default: serviceDefaults.rateLimit,
          describe: 'requests per client per minute; beyond it, 429',
        })
        .option('log', { type: 'boolean', default: true, describe: 'request log as JSON lines on stdout; --no-log for none' })
        .example('$0 serve', 'serve the bundled example on http://127.0.0.1:7070') as unknown as Argv<ServeArgs>,
    handler: async (args: ArgumentsCamelCase<ServeArgs>) => {
      const given = [args.market, args.book, args.suite].filter((v) => v !== undefined).length;
      if (given !== 0 && given !== 3)
        throw new UsageError('give all of --market, --book and --suite, or none to serve the bundled example');
      if (!(Number.isInteger(args.port) && args.port >= 0 && args.port <= 65535))
        throw new UsageError(`--port must be a whole number from 0 to 65535, got ${args.port}`);
      if (!(Number.isInteger(args.rateLimit) && args.rateLimit >= 1))
        throw new UsageError(`--rate-limit must be a whole number >= 1, got ${args.rateLimit}`);
      if (!(args.maxRowsMb > 0)) throw new UsageError(`--max-rows-mb must be a number above 0, got ${args.maxRowsMb}`);
      if (!(args.cacheMb > 0)) throw new UsageError(`--cache-mb must be a number above 0, got ${args.cacheMb}`);
      const token = args.token ?? process.env.XMARGIN_TOKEN;
      if (token !== undefined && token.length < 16) throw new UsageError('the token must be at least 16 characters');
      if (!isLoopback(args.host) && token === undefined)
        throw new UsageError(
          `--host ${args.host} is reachable from other machines: give a --token (or XMARGIN_TOKEN), or serve on 127.0.0.1`,
        );
      const inputs = given === 3 ? { market: args.market!, book: args.book!, suite: args.suite! } : bundledExample;
      const service = await startService({
        ...inputs,
        workers: args.workers,
        strict: args.strict,
        onWarning: warnOn(io),
        token,
        unitCacheBytes: args.cacheMb * 2 ** 20,
        rowBytes: args.maxRowsMb * 2 ** 20,
        logger: args.log,
        rateLimit: args.rateLimit,
      });
      try {
        const url = await service.app.listen({ host: args.host, port: args.port });
        const v = service.current();
        io.stderr.write(`xmargin serve: listening on ${url} (version ${v.version}, ${v.report.portfolios.length} portfolios)\n`);
        if (!v.model.rowsComplete)
          io.stderr.write(
            `xmargin serve: the book's rows take ${Math.ceil(v.model.allRowBytes / 2 ** 20)} MiB, above --max-rows-mb ${args.maxRowsMb}: ` +
              'what-ifs recompute the rows they need beyond it (slower)\n',
          );
        await new Promise<void>((resolve) => {
          if (!io.signal) return;
          if (io.signal.aborted) resolve();
          else io.signal.addEventListener('abort', () => resolve(), { once: true });
        });
        io.stderr.write('xmargin serve: stopping (requests in flight finish first)\n');
      } finally {
        await service.close();
      }
    },
  };
}
