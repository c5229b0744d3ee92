import { resolve } from 'node:path';
import type { ArgumentsCamelCase, Argv, CommandModule } from 'yargs';
import { BreachError, UsageError } from '../errors.js';
import { bundledExample, run } from '../run.js';
import { SUMMARY_TOP, summaryTable } from '../report/summary.js';
import { reportHtml } from '../report/html/page.js';
import { reportFolderProblem, reportJson, writeReport, type ReportFormat } from '../report/write.js';
import { progressBar } from './progress.js';
import { parseBytes } from './sizes.js';
import { warnOn } from './warnings.js';
import type { CliIO } from './io.js';
import { queueDefaults, redactUrl } from '../distributed/keys.js';
import { createQueueExecutor, type QueueExecutor } from '../distributed/queue-executor.js';
import type { TaskExecutor } from '../engine/executor.js';

interface RunArgs {
  market?: string;
  book?: string;
  suite?: string;
  out?: string;
  json: boolean;
  workers?: number;
  format: ReportFormat;
  chunk?: number;
  maxMemory?: string;
  progress: boolean;
  top?: number;
  all?: boolean;
  strict: boolean;
  failOnBreach: boolean;
  attribution: boolean;
  stress: boolean;
  html: boolean;
  redis?: string;
  resume?: string;
  keep: boolean;
  queueConcurrency?: number;
}

export function runCommand(io: CliIO): CommandModule<object, RunArgs> {
  return {
    command: 'run',
    describe: 'Run a stress suite over a book and report margin, cross and segregated (no inputs: the bundled example)',
    builder: (y: Argv) =>
      y
        .option('market', { type: 'string', describe: 'market file (JSON or YAML)' })
        .option('book', { type: 'string', describe: 'book file (JSON or YAML)' })
        .option('suite', { type: 'string', describe: 'scenario suite file (JSON or YAML)' })
        .option('out', {
          type: 'string',
          describe: 'folder for report.json, the CSVs and report.html [default: ./xmargin-report]',
        })
        .option('html', {
          type: 'boolean',
          default: true,
          describe: 'write report.html, the report to look at in a browser; --no-html for none',
        })
        .option('json', {
          type: 'boolean',
          default: false,
          describe: 'print the report as JSON on stdout (files only with --out)',
        })
        .option('workers', { type: 'number', describe: 'worker threads [default: one per core]' })
        .option('format', {
          choices: ['json', 'msgpack'] as const,
          default: 'json' as const,
          describe: 'format of the report file',
        })
        .option('chunk', { type: 'number', describe: 'scenarios per kernel pass (memory/speed only; results do not change)' })
        .option('max-memory', {
          type: 'string',
          describe:
            'memory the run may use, e.g. 1GiB, 800MiB [default: 1GiB]; sets whose tails do not fit run in groups (same results, more time)',
        })
        .option('progress', {
          type: 'boolean',
          default: true,
          describe: 'progress bar on stderr when it is a terminal',
        })
        .option('top', {
          type: 'number',
          describe: `portfolios listed in the summary, margin calls first, then largest cross IM [default: ${SUMMARY_TOP}]`,
        })
        .option('all', { type: 'boolean', describe: 'list every portfolio in the summary' })
        .conflicts('all', 'top')
        .option('fail-on-breach', {
          type: 'boolean',
          default: false,
          describe: "exit 3 when the suite's limits are breached (the report is still written)",
        })

        .option('strict', {
          type: 'boolean',
          default: false,
          describe: 'make warnings about implausible values (a vol of 32 meaning 0.32) errors (exit 2)',
        })
        .option('attribution', {
          type: 'boolean',
          default: true,
          describe: 'attribute every ES to accounts, underlyings and positions; --no-attribution for margins only',
        })
        .option('stress', {
          type: 'boolean',
          default: true,
          describe: 'Cover-1 and Cover-2 of every set (default-fund stress); --no-stress skips them',
        })
        .option('redis', {
          type: 'string',
          describe: 'run the scenario tasks on `xmargin worker`s through this Redis (redis:// or rediss://; docs/distributed.md)',
        })
        .option('resume', {
          type: 'string',
          describe: 'with --redis: resume this run (the id it printed), reusing its finished tasks',
        })
        .option('keep', {
          type: 'boolean',
          default: false,
          describe: "with --redis: leave the run's keys in Redis at the end (they expire after a day)",
        })
        .option('queue-concurrency', {
          type: 'number',
          describe: `with --redis: tasks the workers run at once in all; sizes and paces the tasks [default: what the workers present announce, else ${queueDefaults.concurrency}]`,
        })
        .conflicts('redis', 'workers') as unknown as Argv<RunArgs>,
    handler: async (args: ArgumentsCamelCase<RunArgs>) => {
      const given = [args.market, args.book, args.suite].filter((v) => v !== undefined).length;
      if (given !== 0 && given !== 3)
        throw new UsageError('give all of --market, --book and --suite, or none to run the bundled example');
      const maxMemory = args.maxMemory === undefined ? undefined : parseBytes(args.maxMemory, '--max-memory');
      if (args.out === '') throw new UsageError('--out needs a folder');
      // The report folder is checked before any input is read: a run must not be wasted on it.
      const outDir = args.out !== undefined ? resolve(args.out) : args.json ? undefined : resolve('xmargin-report');
      const problem = outDir !== undefined ? reportFolderProblem(outDir, args.format, args.html) : undefined;
      if (problem !== undefined) {
        throw new UsageError(
          args.out !== undefined
            ? `--out ${args.out}: ${problem}`
            : `the report folder ${outDir} (the default --out): ${problem}`,
        );
      }
      if (args.top !== undefined && !(Number.isInteger(args.top) && args.top >= 1))
        throw new UsageError(`--top must be a whole number >= 1, got ${args.top}`);
      if (args.redis === undefined)
        for (const flag of ['resume', 'queueConcurrency'] as const)
          if (args[flag] !== undefined)
            throw new UsageError(`--${flag === 'resume' ? 'resume' : 'queue-concurrency'} needs --redis`);
      if (args.redis === undefined && args.keep) throw new UsageError('--keep needs --redis');
      if (args.queueConcurrency !== undefined && !(Number.isInteger(args.queueConcurrency) && args.queueConcurrency >= 1))
        throw new UsageError(`--queue-concurrency must be a whole number >= 1, got ${args.queueConcurrency}`);
      const inputs = given === 3 ? { market: args.market!, book: args.book!, suite: args.suite! } : bundledExample;
      let queue: QueueExecutor | undefined;
      // Opened once the inputs are valid: bad input is exit 2 whether Redis is there or not.
      const openQueue = async (redis: string): Promise<TaskExecutor> => {
        queue = await createQueueExecutor({
          url: redis,
          resume: args.resume,
          keep: args.keep,
          concurrency: args.queueConcurrency,
        });
        io.stderr.write(
          `xmargin run: ${queue.resumed ? 'resuming' : 'run'} ${queue.runId} on the job queue at ${redactUrl(redis)}, ` +
            `tasks cut for ${queue.concurrency} slots (after a crash: --resume ${queue.runId})\n`,
        );
        return queue;
      };
      const redis = args.redis;
      const bar = progressBar(args.progress, io.stderr);
      let report;
      try {
        report = await run(
          {
            ...inputs,
            ...(redis === undefined ? {} : { openExecutor: () => openQueue(redis) }),
            workers: args.workers,
            chunk: args.chunk,
            maxMemory,
            onProgress: bar.onProgress,
            strict: args.strict,
            attribution: args.attribution,
            cover: args.stress,
            onWarning: warnOn(io),
          },
          { signal: io.signal },
        );
      } finally {
        bar.stop();
        await queue?.close();
      }
      if (queue !== undefined) {
        const t = (queue as QueueExecutor).traffic();
        const mb = (b: number) => (b / 1e6).toFixed(2);
        io.stderr.write(
          `xmargin run: ${t.tasks} tasks through the queue (${t.reused} reused, ${t.stalled} handed to another worker): ${mb(t.taskBytes)} MB of tasks, ` +
            `${mb(t.storedBytes)} MB of plan and blobs, ${mb(t.resultBytes)} MB of results read, ` +
            `${mb(t.keptBytes)} MB of results merged in place\n`,
        );
      }
      // After the report is written: a breach is news for whoever reads it, not a failed run.
      const breaches = report.breaches?.length ?? 0;
      const failOnBreach = () => {
        if (args.failOnBreach && breaches > 0) throw new BreachError(breaches);
      };
      // Rendered before anything is written, so that the report's files are swapped in all together.
      const files = async () => (args.html ? { html: await reportHtml(report) } : {});
      if (args.json) {
        io.stdout.write(reportJson(report));
        if (outDir !== undefined) writeReport(outDir, report, args.format, await files());
        failOnBreach();
        return;
      }
      const written = writeReport(outDir!, report, args.format, await files());
      io.stdout.write(`${summaryTable(report, { top: args.all ? Infinity : args.top })}\nwrote ${written.join(', ')}\n`);
      failOnBreach();
    },
  };
}
