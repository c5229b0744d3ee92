// `xmargin worker`: a task worker for distributed runs (src/distributed, docs/distributed.md).
// Serves every run announced in the Redis it is given until SIGTERM or SIGINT, which finish the
// tasks running (or hand them back) and exit 0.
import type { ArgumentsCamelCase, Argv, CommandModule } from 'yargs';
import { UsageError } from '../errors.js';
import { engineDefaults } from '../engine/defaults.js';
import { checkedWorkers } from '../engine/thread-executor.js';
import { engineFingerprint, queueDefaults, redactUrl } from '../distributed/keys.js';
import { startQueueWorker } from '../distributed/queue-worker.js';
import type { CliIO } from './io.js';

interface WorkerArgs {
  redis: string;
  concurrency?: number;
  lockMs: number;
  quiet: boolean;
  verbose: boolean;
}

export function workerCommand(io: CliIO): CommandModule<object, WorkerArgs> {
  return {
    command: 'worker',
    describe: "Take scenario tasks of distributed runs from a Redis job queue and run them on this machine's cores",
    builder: (y: Argv) =>
      y
        .option('redis', {
          type: 'string',
          demandOption: true,
          describe: 'redis://[:password@]host:port[/db] or rediss:// (TLS) of the job queue',
        })
        .option('concurrency', { type: 'number', describe: 'tasks at once, one thread each [default: one per core]' })
        .option('lock-ms', {
          type: 'number',
          default: queueDefaults.lockMs,
          describe: "how long this worker's task waits, should the worker die, before another worker takes it",
        })
        .option('quiet', { type: 'boolean', default: false, describe: 'no log lines on stderr' })
        .option('verbose', {
          type: 'boolean',
          default: false,
          describe: 'a log line per task started and done',
        }) as unknown as Argv<WorkerArgs>,
    handler: async (args: ArgumentsCamelCase<WorkerArgs>) => {
      const concurrency = checkedWorkers(args.concurrency ?? engineDefaults.workers());
      if (!(Number.isInteger(args.lockMs) && args.lockMs >= 500))
        throw new UsageError(`--lock-ms must be a whole number of milliseconds >= 500, got ${args.lockMs}`);
      if (args.quiet && args.verbose) throw new UsageError('--quiet and --verbose exclude each other');
      const log = args.quiet ? undefined : (line: string) => io.stderr.write(`xmargin worker: ${line}\n`);
      // A worker outlives what happens to Redis: a queue's keys removed under it, a connection
      // cut in the middle of one of BullMQ's own promises. Such a rejection is said and the
      // worker goes on (its task, if any, is handed to another worker when its lock lapses),
      // rather than ending the process and every task it runs.
      process.on('unhandledRejection', (reason) =>
        io.stderr.write(`xmargin worker: ${reason instanceof Error ? reason.message : String(reason)}\n`),
      );
      const worker = await startQueueWorker({ url: args.redis, concurrency, lockMs: args.lockMs, log, verbose: args.verbose });
      io.stderr.write(
        `xmargin worker: engine ${engineFingerprint()}, ${concurrency} at once, taking tasks from ${redactUrl(args.redis)}\n`,
      );
      try {
        await new Promise<void>((resolve) => {
          if (!io.signal) return;
          if (io.signal.aborted) resolve();
          else io.signal.addEventListener('abort', () => resolve(), { once: true });
        });
        io.stderr.write('xmargin worker: stopping (running tasks finish first)\n');
      } finally {
        await worker.close();
      }
      const s = worker.stats();
      io.stderr.write(`xmargin worker: stopped after ${s.done} tasks (${s.failed} failed, ${s.refused} refused)\n`);
    },
  };
}
