import { join, resolve } from 'node:path';
import type { ArgumentsCamelCase, Argv, CommandModule } from 'yargs';
import { UsageError } from '../errors.js';
import { writeFileAtomic } from '../io/atomic.js';
import { outputFileProblem } from '../io/location.js';
import { reportHtml } from '../report/html/page.js';
import { readReport, reportFileIn } from '../report/read.js';
import { HTML_FILE } from '../report/write.js';
import type { CliIO } from './io.js';

interface ReportArgs {
  from: string;
  out?: string;
}

/** `xmargin report --from DIR`: report.html again from a report already written, without a run. */
export function reportCommand(io: CliIO): CommandModule<object, ReportArgs> {
  return {
    command: 'report',
    describe: 'Render report.html from a report already written (report.json or report.msgpack), without running again',
    builder: (y: Argv) =>
      y
        .option('from', {
          type: 'string',
          demandOption: true,
          describe: 'the report folder (its report.json, else report.msgpack), or a report file',
        })
        .option('out', { type: 'string', describe: "folder for report.html [default: the report's folder]" })
        .example('$0 report --from xmargin-report', 'writes xmargin-report/report.html') as unknown as Argv<ReportArgs>,
    handler: async (args: ArgumentsCamelCase<ReportArgs>) => {
      if (args.from === '') throw new UsageError('--from needs a report folder or file');
      if (args.out === '') throw new UsageError('--out needs a folder');
      const file = reportFileIn(args.from);
      const target = join(resolve(args.out ?? join(file, '..')), HTML_FILE);
      // Checked before the report is read: a large one takes a second or two.
      const problem = outputFileProblem(target);
      if (problem !== undefined) throw new UsageError(`${args.out !== undefined ? `--out ${args.out}` : target}: ${problem}`);
      const html = await reportHtml(readReport(file));
      writeFileAtomic(target, html);
      io.stdout.write(`wrote ${target}\n`);
    },
  };
}
