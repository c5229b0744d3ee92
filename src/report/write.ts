import { encode } from '@msgpack/msgpack';
import { writeFilesAtomic } from '../io/atomic.js';
import { outputFolderProblem } from '../io/location.js';
import { accountsCsv, attributionCsv, exposureCsv, portfoliosCsv } from './csv.js';
import type { Report } from './report.js';

export type ReportFormat = 'json' | 'msgpack';

/** The report file of each format; the CSVs are the same in both. */
const REPORT_FILE: Record<ReportFormat, string> = { json: 'report.json', msgpack: 'report.msgpack' };
const CSV_FILES = ['portfolios.csv', 'accounts.csv', 'exposure.csv', 'attribution.csv'] as const;
/** The HTML view of the report (src/report/html), written beside it unless asked not to. */
export const HTML_FILE = 'report.html';

/** The files a report in `format` consists of, in the order they are written; report.html last when `html`. */
export function reportFiles(format: ReportFormat = 'json', html = false): string[] {
  return [REPORT_FILE[format], ...CSV_FILES, ...(html ? [HTML_FILE] : [])];
}

/**
 * Why `dir` cannot take a report, or undefined if it can (see outputFolderProblem): checked before
 * a run, so that a run is never wasted on a report it cannot write.
 */
export function reportFolderProblem(dir: string, format: ReportFormat = 'json', html = false): string | undefined {
  return outputFolderProblem(dir, reportFiles(format, html));
}

/**
 * A report up to this many characters of JSON is indented for reading; a larger one is written
 * without indentation. A large book's report is mostly nesting (every unit's exposure per
 * underlying): on L indentation takes it from 34 MB to 87 MB and more than doubles the time to
 * write it, and nobody reads 87 MB of JSON by eye (`jq .` indents it).
 */
export const INDENTED_REPORT_MAX_CHARS = 8 * 1024 * 1024;

export function reportJson(report: Report): string {
  const compact = JSON.stringify(report);
  return (compact.length <= INDENTED_REPORT_MAX_CHARS ? JSON.stringify(report, null, 2) : compact) + '\n';
}

export interface WriteReportOptions {
  /**
   * The report's HTML view (reportHtml(report)), written as report.html with the other files.
   * Without it a report.html already in `dir` is removed in the same swap: it shows another run.
   */
  html?: string;
}

/**
 * Writes report.json (or report.msgpack), portfolios.csv, accounts.csv, exposure.csv,
 * attribution.csv and, when given, report.html into
 * `dir`, all or none (writeFilesAtomic): every file is staged in full first, then the set is
 * swapped in, and on any failure `dir` keeps its previous report unchanged. A report of the other
 * format in `dir` is removed in the same swap, and so is a report.html when none is given, so the
 * folder always holds one consistent report; other files are left alone. Returns the paths written.
 */
export function writeReport(
  dir: string,
  report: Report,
  format: ReportFormat = 'json',
  options: WriteReportOptions = {},
): string[] {
  const [main, portfolios, accounts, exposure, attribution] = reportFiles(format);
  const other: ReportFormat = format === 'json' ? 'msgpack' : 'json';
  return writeFilesAtomic(
    dir,
    [
      [main, format === 'msgpack' ? encode(report) : reportJson(report)],
      [portfolios, portfoliosCsv(report)],
      [accounts, accountsCsv(report)],
      [exposure, exposureCsv(report)],
      [attribution, attributionCsv(report)],
      ...(options.html !== undefined ? [[HTML_FILE, options.html] as const] : []),
    ],
    { remove: [REPORT_FILE[other], ...(options.html === undefined ? [HTML_FILE] : [])] },
  );
}
