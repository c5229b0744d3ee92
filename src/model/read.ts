// Reading an input file into a plain value: JSON, or YAML when the name ends in .yaml/.yml. Every
// failure is an InputError that names the file as the user gave it (and the line and column of a
// syntax error), so the CLI can print it and exit 2.

import { closeSync, constants, fstatSync, openSync, readSync } from 'node:fs';
import YAML from 'yaml';
import { InputError, formatPath } from '../errors.js';
import { lineColumn, scanJson } from './json.js';

const MiB = 2 ** 20;

/**
 * The largest input document (market, book, suite) read, in bytes. Far above any real book; it
 * stops a mistaken path (a log, a dump, a device) from filling memory before it fails.
 */
export const MAX_DOCUMENT_BYTES = 256 * MiB;
/**
 * The largest YAML document read, in bytes. The YAML parser needs about a minute and gigabytes
 * for tens of megabytes; a generated document that large belongs in JSON (the same structure,
 * read in seconds). A .yaml file that is plain JSON is read as JSON at any size up to
 * MAX_DOCUMENT_BYTES.
 */
export const MAX_YAML_BYTES = 4 * MiB;
/** The largest price CSV read, in bytes: millions of rows of daily prices fit many times over. */
export const MAX_PRICES_BYTES = 1024 * MiB;

export function isYamlFile(file: string): boolean {
  return /\.ya?ml$/i.test(file);
}

/** A byte count as people read it: 256 MiB, 1.5 KiB, 300 bytes. */
export function formatBytes(bytes: number): string {
  for (const [unit, size] of [
    ['GiB', 2 ** 30],
    ['MiB', MiB],
    ['KiB', 1024],
  ] as const) {
    if (bytes >= size) return `${Number((bytes / size).toFixed(1))} ${unit}`;
  }
  return `${bytes} bytes`;
}

function readError(err: unknown, displayName: string): InputError {
  const code = (err as NodeJS.ErrnoException).code;
  if (code === 'ENOENT') return new InputError('file not found', displayName);
  if (code === 'EISDIR') return new InputError('is a folder, expected a file', displayName);
  if (code === 'EACCES' || code === 'EPERM') return new InputError('permission denied: cannot read the file', displayName);
  return new InputError(`cannot read the file (${(err as Error).message})`, displayName);
}

/**
 * The bytes of a regular file of at most `limit` bytes. Anything else (a folder, a device such as
 * /dev/zero, a pipe, a socket) and any file over the limit is an InputError naming `displayName`,
 * raised before the content is read. The read itself stops one byte past the limit, so a file
 * that grows while it is read, or one whose size the system does not report (/proc), cannot
 * exceed it either.
 */
export function readFileBounded(file: string, displayName: string, limit: number, what: string): Buffer {
  let fd: number;
  try {
    // Non-blocking, so that opening a pipe with no writer returns at once (to be refused below)
    // instead of waiting for ever; it changes nothing for a regular file.
    fd = openSync(file, constants.O_RDONLY | (constants.O_NONBLOCK ?? 0));
  } catch (err) {
    throw readError(err, displayName);
  }
  try {
    const stat = fstatSync(fd);
    if (stat.isDirectory()) throw new InputError('is a folder, expected a file', displayName);
    if (!stat.isFile()) {
      throw new InputError('is not a regular file (a device, pipe or socket); expected a file', displayName);
    }
    const overLimit = (): InputError =>
      new InputError(
        `the file is larger than ${formatBytes(limit)}, the limit for ${what}; check that this is the right file`,
        displayName,
      );
    if (stat.size > limit) throw overLimit();
    let buf = Buffer.allocUnsafe(Math.min(limit + 1, Math.max(stat.size + 1, 64 * 1024)));
    let length = 0;
    for (;;) {
      if (length === buf.length) {
        if (length > limit) throw overLimit();
        const grown = Buffer.allocUnsafe(Math.min(limit + 1, buf.length * 2));
        buf.copy(grown, 0, 0, length);
        buf = grown;
      }
      let n: number;
      try {
        n = readSync(fd, buf, length, buf.length - length, null);
      } catch (err) {
        throw readError(err, displayName);
      }
      if (n === 0) break;
      length += n;
    }
    if (length > limit) throw overLimit();
    return buf.subarray(0, length);
  } finally {
    closeSync(fd);
  }
}

/**
 * The text of a file, without a byte-order mark. A missing, unreadable or non-regular file, or
 * one over `limit` bytes (default MAX_DOCUMENT_BYTES), is an InputError naming `displayName`
 * (default: the path as given).
 */
export function readTextFile(
  file: string,
  displayName: string = file,
  limit: number = MAX_DOCUMENT_BYTES,
  what = 'an input document',
): string {
  const text = readFileBounded(file, displayName, limit, what).toString('utf8');
  return text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
}

/** Parses JSON text; `file` only names the document in errors. */
export function parseJsonText(text: string, file: string): unknown {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (err) {
    const problem = scanJson(text);
    if (problem) {
      const { line, column } = lineColumn(text, problem.offset);
      throw new InputError(`not valid JSON at line ${line}, column ${column}: ${problem.message}`, file);
    }
    throw new InputError(`not valid JSON: ${(err as Error).message}`, file);
  }
  return withoutRepeats(value, text, file);
}

/** `value`, parsed from the JSON `text`, once the text is known to repeat no field. */
function withoutRepeats(value: unknown, text: string, file: string): unknown {
  // Valid JSON can still repeat a field; JSON.parse would silently keep the last value.
  const problem = scanJson(text);
  if (problem) {
    const { line, column } = lineColumn(text, problem.offset);
    const where = `line ${line}, column ${column}`;
    if (problem.kind === 'duplicate') {
      throw new InputError(`${problem.message} (${where}); each field may appear only once`, file, formatPath(problem.path));
    }
    throw new InputError(`not valid JSON at ${where}: ${problem.message}`, file);
  }
  return value;
}

/** Parses YAML text (one document; repeated keys are errors); `file` only names it in errors. */
export function parseYamlText(text: string, file: string): unknown {
  try {
    return YAML.parse(text, { prettyErrors: true, uniqueKeys: true });
  } catch (err) {
    const e = err as Error & { linePos?: Array<{ line: number; col: number }> };
    // The yaml library appends " at line L, column C:" and a code frame; keep one readable line.
    const message = e.message
      .split('\n')[0]
      .replace(/ at line \d+, column \d+:?$/, '')
      .replace(/[.:]$/, '');
    if (e.linePos?.[0]) {
      throw new InputError(`not valid YAML at line ${e.linePos[0].line}, column ${e.linePos[0].col}: ${message}`, file);
    }
    throw new InputError(`not valid YAML: ${message}`, file);
  }
}

/**
 * Reads and parses an input document: YAML when the name ends in .yaml/.yml, JSON otherwise.
 * `file` is used as given, both to open the file and to name it in messages. A YAML file whose
 * text is JSON (JSON is YAML) is parsed as JSON, which is much faster for large documents; other
 * YAML over MAX_YAML_BYTES is refused with a pointer to JSON.
 */
export function readDocument(file: string): unknown {
  const bytes = readFileBounded(file, file, MAX_DOCUMENT_BYTES, 'an input document');
  let text = bytes.toString('utf8');
  if (text.charCodeAt(0) === 0xfeff) text = text.slice(1);
  if (text.trim() === '')
    throw new InputError(`the file is empty; expected a ${isYamlFile(file) ? 'YAML' : 'JSON'} document`, file);
  if (!isYamlFile(file)) return parseJsonText(text, file);
  if (/^\s*[[{]/.test(text)) {
    let value: unknown;
    try {
      value = JSON.parse(text);
    } catch {
      value = undefined; // YAML flow style, not JSON: the YAML parser reads it below
    }
    if (value !== undefined) return withoutRepeats(value, text, file);
  }
  if (bytes.length > MAX_YAML_BYTES) {
    throw new InputError(
      `the YAML file is larger than ${formatBytes(MAX_YAML_BYTES)}, the limit for YAML (reading YAML this large takes ` +
        `minutes and gigabytes); write the same document as JSON (up to ${formatBytes(MAX_DOCUMENT_BYTES)}), ` +
        'e.g. with a .json name',
      file,
    );
  }
  return parseYamlText(text, file);
}

/** Deeper than any input document nests (a suite's moves are 6 levels down); a cycle gets here. */
const MAX_DEPTH = 64;

/**
 * A document passed in memory (the library API), as plain data: own enumerable fields only, so
 * that nothing it inherits (`Object.create({ rate: 5 })`, a polluted `Object.prototype`) is read
 * as input, and a copy, so that later changes by the caller do not reach a run. An own
 * `__proto__` field stays an ordinary field. Values that are not data are left for validation to
 * name; a cycle is an InputError naming the document.
 */
export function ownData(doc: unknown, file: string): unknown {
  const copy = (v: unknown, depth: number): unknown => {
    if (v === null || typeof v !== 'object') return v;
    if (depth > MAX_DEPTH)
      throw new InputError(
        `expected plain data nested at most ${MAX_DEPTH} levels deep (does the document contain a cycle?)`,
        file,
      );
    if (Array.isArray(v)) return v.map((x: unknown) => copy(x, depth + 1));
    const out: Record<string, unknown> = {};
    for (const key of Object.keys(v)) {
      // Plain assignment would set the copy's prototype for a key named `__proto__`.
      Object.defineProperty(out, key, {
        value: copy((v as Record<string, unknown>)[key], depth + 1),
        enumerable: true,
        writable: true,
        configurable: true,
      });
    }
    return out;
  };
  return copy(doc, 0);
}
