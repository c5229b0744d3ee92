import { encode } from '@msgpack/msgpack';
import { writeFilesAtomic } from '../io/atomic.js';
import { outputFolderProblem } from '../io/location.js';
import { accountsCsv, attributionCsvLines, exposureCsvLines, portfoliosCsv, unitTextsOf, type ReportUnitTexts } from './csv.js';
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

export function reportJson(report: Report, texts?: ReportUnitTexts): string {
  return reportJsonPieces(report, texts).join('');
}

/** reportJson in pieces, for a file written piece by piece (io/atomic.ts FileData): the same text. */
export function reportJsonPieces(report: Report, texts?: ReportUnitTexts): string[] {
  // A report of another shape (from outside this build: an older one, a sketch) is stringified as it is.
  const shaped = report.portfolios?.every((p) => p?.cross && Array.isArray(p.segregated?.accounts));
  const compact = shaped ? compactReportPieces(report, texts) : [JSON.stringify(report)];
  const length = compact.reduce((a, piece) => a + piece.length, 0);
  return length <= INDENTED_REPORT_MAX_CHARS ? [JSON.stringify(report, null, 2), '\n'] : [...compact, '\n'];
}

/**
 * JSON.stringify(report), with the units' exposure and attribution spliced in from their text
 * (unit-text.ts) rather than spelled again: the rest of the report is stringified with a
 * marker in their place ("\u0000" and the piece's number, which JSON writes as an escape), and
 * each marker is replaced by its piece. Should the report's own strings hold such a marker (a
 * NUL in an id), the count tells, and the report is stringified whole.
 */
export function compactReportJson(report: Report, texts: ReportUnitTexts = unitTextsOf(report)): string {
  return compactReportPieces(report, texts).join('');
}

/**
 * compactReportJson in pieces: the stringified rest of the report between the markers, and the
 * units' text in their place. Never joined when written (io/atomic.ts), so L's 33 MB of JSON
 * are not built a second time as one string.
 */
export function compactReportPieces(report: Report, texts: ReportUnitTexts = unitTextsOf(report)): string[] {
  const pieces: string[] = [];
  const mark = (json: string) => `\u0000${pieces.push(json) - 1}`;
  let at = 0;
  const marked = {
    ...report,
    portfolios: report.portfolios.map((p, i) => {
      const t = texts.portfolios[i];
      return {
        ...p,
        cross: t.attribution ? { ...p.cross, attribution: mark(t.attribution.json) } : p.cross,
        segregated: {
          ...p.segregated,
          accounts: p.segregated.accounts.map((a) => {
            const u = texts.accounts[at++];
            return {
              ...a,
              ...(u.exposure ? { exposure: mark(u.exposure.json) } : {}),
              ...(u.attribution ? { attribution: mark(u.attribution.json) } : {}),
            };
          }),
        },
        ...(t.exposure ? { exposure: mark(t.exposure.json) } : {}),
      };
    }),
  };
  const json = JSON.stringify(marked);
  if ((json.match(/\\u0000/g)?.length ?? 0) !== pieces.length) return [JSON.stringify(report)];
  const out: string[] = [];
  const marker = /"\\u0000(\d+)"/g;
  let last = 0;
  for (let m = marker.exec(json); m !== null; m = marker.exec(json)) {
    out.push(json.slice(last, m.index), pieces[Number(m[1])]);
    last = m.index + m[0].length;
  }
  out.push(json.slice(last));
  return out;
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
  // Each unit's exposure and attribution spelled once, for report.json and both CSVs.
  const texts = unitTextsOf(report);
  return writeFilesAtomic(
    dir,
    [
      [main, format === 'msgpack' ? encode(report) : reportJsonPieces(report, texts)],
      [portfolios, portfoliosCsv(report)],
      [accounts, accountsCsv(report)],
      [exposure, exposureCsvLines(report, texts)],
      [attribution, attributionCsvLines(report, texts)],
      ...(options.html !== undefined ? [[HTML_FILE, options.html] as const] : []),
    ],
    { remove: [REPORT_FILE[other], ...(options.html === undefined ? [HTML_FILE] : [])] },
  );
}
