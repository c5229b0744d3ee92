import { encode } from '@msgpack/msgpack';
import { writeFilesAtomic } from '../io/atomic.js';
import { outputFolderProblem } from '../io/location.js';
import { piecesText, spellPieces, TextSink, type TextPiece } from '../io/text-sink.js';
import { accountsCsv, attributionCsvPieces, exposureCsvPieces, portfoliosCsv } from './csv.js';
import type { Report } from './report.js';
import { UnitSpeller } from './unit-text.js';

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
 * A report up to this many characters of JSON (bytes of UTF-8) is indented for reading; a larger
 * one is written without indentation. A large book's report is mostly nesting (every unit's
 * exposure per underlying): on L indentation takes it from 34 MB to 87 MB and more than doubles
 * the time to write it, and nobody reads 87 MB of JSON by eye (`jq .` indents it).
 */
export const INDENTED_REPORT_MAX_CHARS = 8 * 1024 * 1024;

export function reportJson(report: Report): string {
  return piecesText(reportJsonPieces(report));
}

/** reportJson in pieces, spelled as the file is written (io/atomic.ts FileData): the same text. */
export function reportJsonPieces(report: Report, speller = new UnitSpeller()): TextPiece[] {
  // A report of another shape (from outside this build: an older one, a sketch) is stringified as it is.
  const shaped = report.portfolios?.every((p) => p?.cross && Array.isArray(p.segregated?.accounts));
  const compact = shaped ? compactReportPieces(report, speller) : [JSON.stringify(report)];
  return within(compact, INDENTED_REPORT_MAX_CHARS, minimumUnitBytes(report))
    ? [JSON.stringify(report, null, 2), '\n']
    : [...compact, '\n'];
}

/**
 * At least the bytes of the units' exposure JSON: every entry spells at least
 * `{"id":"","delta":0,"gamma":0,"vega":0,"theta":0,"grossNotional":0}`. Enough to know that a
 * large book's report is large without spelling it.
 */
function minimumUnitBytes(report: Report): number {
  let entries = 0;
  for (const p of report.portfolios ?? []) {
    entries += p?.exposure?.byUnderlying?.length ?? 0;
    for (const a of p?.segregated?.accounts ?? []) entries += a?.exposure?.byUnderlying?.length ?? 0;
  }
  return entries * 66;
}

/** Whether the pieces spell at most `bound` bytes, `floor` at least being spelled by the pieces that are functions. */
function within(pieces: readonly TextPiece[], bound: number, floor: number): boolean {
  let known = 0;
  for (const piece of pieces) if (typeof piece !== 'function') known += piece.length;
  if (known + floor > bound) return false;
  // Counted by spelling into a sink that keeps nothing, and stops once past the bound.
  const past = new Error('past the bound');
  let count = 0;
  const sink = new TextSink((bytes) => {
    count += bytes.length;
    if (count > bound) throw past;
  });
  try {
    spellPieces(pieces, sink);
    sink.flush();
  } catch (err) {
    if (err === past) return false;
    throw err;
  }
  return count <= bound;
}

/**
 * JSON.stringify(report), with the units' exposure and attribution spelled field by field
 * (unit-text.ts) rather than by JSON.stringify: the rest of the report is stringified with a
 * marker in their place ("\u0000" and the piece's number, which JSON writes as an escape), and
 * each marker is replaced by its piece. Should the report's own strings hold such a marker (a
 * NUL in an id), the count tells, and the report is stringified whole.
 */
export function compactReportJson(report: Report): string {
  return piecesText(compactReportPieces(report));
}

/**
 * compactReportJson in pieces: the stringified rest of the report between the markers, and in
 * their place functions that spell the units into the file's buffer (io/text-sink.ts), so that
 * L's 33 MB of JSON never exist as strings.
 */
export function compactReportPieces(report: Report, speller = new UnitSpeller()): TextPiece[] {
  const pieces: TextPiece[] = [];
  const mark = (piece: TextPiece) => `\u0000${pieces.push(piece) - 1}`;
  const marked = {
    ...report,
    portfolios: report.portfolios.map((p) => {
      const e = p.exposure;
      const x = p.cross.attribution;
      return {
        ...p,
        cross: x ? { ...p.cross, attribution: mark((out) => speller.attributionJson(x, out)) } : p.cross,
        segregated: {
          ...p.segregated,
          accounts: p.segregated.accounts.map((a) => {
            const ae = a.exposure;
            const ax = a.attribution;
            return {
              ...a,
              ...(ae ? { exposure: mark((out) => speller.exposureJson(ae, out)) } : {}),
              ...(ax ? { attribution: mark((out) => speller.attributionJson(ax, out)) } : {}),
            };
          }),
        },
        ...(e ? { exposure: mark((out) => speller.exposureJson(e, out)) } : {}),
      };
    }),
  };
  const json = JSON.stringify(marked);
  if ((json.match(/\\u0000/g)?.length ?? 0) !== pieces.length) return [JSON.stringify(report)];
  const out: TextPiece[] = [];
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
  // The units are spelled as each file is written; the shared entries once for all of them.
  const speller = new UnitSpeller();
  return writeFilesAtomic(
    dir,
    [
      [main, format === 'msgpack' ? encode(report) : reportJsonPieces(report, speller)],
      [portfolios, portfoliosCsv(report)],
      [accounts, accountsCsv(report)],
      [exposure, exposureCsvPieces(report, speller)],
      [attribution, attributionCsvPieces(report, speller)],
      ...(options.html !== undefined ? [[HTML_FILE, options.html] as const] : []),
    ],
    { remove: [REPORT_FILE[other], ...(options.html === undefined ? [HTML_FILE] : [])] },
  );
}
