import { mkdirSync, mkdtempSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import { encode } from '@msgpack/msgpack';
import { accountsCsv, portfoliosCsv } from './csv.js';
import type { Report } from './report.js';

export type ReportFormat = 'json' | 'msgpack';

export function reportJson(report: Report): string {
  return JSON.stringify(report, null, 2) + '\n';
}

/**
 * Writes report.json (or report.msgpack), portfolios.csv and accounts.csv into `dir`. Every file
 * is written in full into a staging folder inside `dir` first and only then renamed into place,
 * so a failure (disk full, a kill) never leaves a half-written report where a reader expects one.
 * Returns the paths written.
 */
export function writeReport(dir: string, report: Report, format: ReportFormat = 'json'): string[] {
  mkdirSync(dir, { recursive: true });
  const staging = mkdtempSync(join(dir, '.xmargin-'));
  try {
    const files: [string, string | Uint8Array][] = [
      format === 'msgpack' ? ['report.msgpack', encode(report)] : ['report.json', reportJson(report)],
      ['portfolios.csv', portfoliosCsv(report)],
      ['accounts.csv', accountsCsv(report)],
    ];
    for (const [name, data] of files) writeFileSync(join(staging, name), data);
    return files.map(([name]) => {
      const target = join(dir, name);
      renameSync(join(staging, name), target);
      return target;
    });
  } finally {
    rmSync(staging, { recursive: true, force: true });
  }
}

/** Writes one file atomically: a temp file beside it, then a rename. */
export function writeFileAtomic(file: string, data: string | Uint8Array): void {
  const tmp = join(file, '..', `.${basename(file)}.${process.pid}.tmp`);
  try {
    writeFileSync(tmp, data);
    renameSync(tmp, file);
  } catch (err) {
    rmSync(tmp, { force: true });
    throw err;
  }
}
