// Reading an input file into a plain value: JSON, or YAML when the name ends in .yaml/.yml. Every
// failure is an InputError that names the file as the user gave it (and the line and column of a
// syntax error), so the CLI can print it and exit 2.

import { readFileSync } from 'node:fs';
import YAML from 'yaml';
import { InputError, formatPath } from '../errors.js';
import { lineColumn, scanJson } from './json.js';

export function isYamlFile(file: string): boolean {
  return /\.ya?ml$/i.test(file);
}

/**
 * The text of a file, without a byte-order mark. A missing or unreadable file is an InputError
 * naming `displayName` (default: the path as given).
 */
export function readTextFile(file: string, displayName: string = file): string {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') throw new InputError('file not found', displayName);
    if (code === 'EISDIR') throw new InputError('is a folder, expected a file', displayName);
    if (code === 'EACCES' || code === 'EPERM') throw new InputError('permission denied: cannot read the file', displayName);
    throw new InputError(`cannot read the file (${(err as Error).message})`, displayName);
  }
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
 * `file` is used as given, both to open the file and to name it in messages.
 */
export function readDocument(file: string): unknown {
  const text = readTextFile(file);
  if (text.trim() === '')
    throw new InputError(`the file is empty; expected a ${isYamlFile(file) ? 'YAML' : 'JSON'} document`, file);
  return isYamlFile(file) ? parseYamlText(text, file) : parseJsonText(text, file);
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
