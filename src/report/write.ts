import { encode } from '@msgpack/msgpack';
import { writeFilesAtomic } from '../io/atomic.js';
import { accountsCsv, portfoliosCsv } from './csv.js';
import type { Report } from './report.js';

export type ReportFormat = 'json' | 'msgpack';

export function reportJson(report: Report): string {
  return JSON.stringify(report, null, 2) + '\n';
}

/**
 * Writes report.json (or report.msgpack), portfolios.csv and accounts.csv into `dir`. Every file
 * is written in full into a staging folder inside `dir` first and only then renamed into place
 * (writeFilesAtomic), so a failure (disk full, a kill) never leaves a half-written report where a
 * reader expects one. Returns the paths written.
 */
export function writeReport(dir: string, report: Report, format: ReportFormat = 'json'): string[] {
  return writeFilesAtomic(dir, [
    format === 'msgpack' ? ['report.msgpack', encode(report)] : ['report.json', reportJson(report)],
    ['portfolios.csv', portfoliosCsv(report)],
    ['accounts.csv', accountsCsv(report)],
  ]);
}
