// Turning validation failures into the messages users read: one line per problem, each with the
// path inside the file, what was expected and, briefly, what was found.

import type * as z from 'zod';
import { ArgumentError, InputError, formatPath } from '../errors.js';

export type PathPart = string | number;

export interface Issue {
  path: PathPart[];
  message: string;
}

/** Throws one InputError listing the issues (up to MAX_LISTED_ISSUES), if there are any. */
export function throwIfIssues(file: string, issues: Issue[]): void {
  if (issues.length === 0) return;
  throw InputError.fromIssues(
    file,
    issues.map((i) => ({ path: formatPath(i.path), message: i.message })),
  );
}

/** Throws one InputError listing the issues; for callers that already know there are some. */
export function failWith(file: string, issues: Issue[]): never {
  throwIfIssues(file, issues);
  throw new Error('failWith: no issues');
}

/** A short, readable rendering of a value a user wrote, for "found ..." in messages. */
export function describe(value: unknown): string {
  if (value === undefined) return 'nothing';
  if (value === null) return 'null';
  if (typeof value === 'string') {
    const shown = value.length > 40 ? `${value.slice(0, 37)}...` : value;
    return JSON.stringify(shown);
  }
  if (typeof value === 'number') return Object.is(value, -0) ? '0' : String(value);
  if (typeof value === 'boolean') return String(value);
  if (Array.isArray(value)) {
    if (value.length === 0) return 'an empty list';
    return `a list of ${value.length} item${value.length === 1 ? '' : 's'}`;
  }
  if (typeof value === 'object') {
    const keys = Object.keys(value);
    if (keys.length === 0) return 'an empty object';
    const shown = keys.slice(0, 5).join(', ') + (keys.length > 5 ? ', ...' : '');
    return `an object with ${keys.length === 1 ? 'field' : 'fields'} ${shown}`;
  }
  return typeof value;
}

/** Quotes a list of allowed values: "a", "b" or "c". */
export function oneOf(values: ReadonlyArray<unknown>): string {
  const q = values.map((v) => JSON.stringify(v));
  if (q.length <= 1) return q.join('');
  return `${q.slice(0, -1).join(', ')} or ${q[q.length - 1]}`;
}

/** A list of ids for a message, shortened when long. */
export function listIds(ids: ReadonlyArray<string>, max = 12): string {
  if (ids.length === 0) return '(none)';
  const shown = ids.slice(0, max).join(', ');
  return ids.length > max ? `${shown}, ... (${ids.length} in all)` : shown;
}

// Strict objects built with `strictObject` below tag their unknown-key issues with the allowed
// fields, so that the message can list them and suggest the nearest one.
const ALLOWED_TAG = '\u0000allowed:';

export function allowedFieldsTag(fields: ReadonlyArray<string>): string {
  return ALLOWED_TAG + JSON.stringify(fields);
}

function allowedFields(message: string): string[] | undefined {
  if (!message.startsWith(ALLOWED_TAG)) return undefined;
  return JSON.parse(message.slice(ALLOWED_TAG.length)) as string[];
}

/** Edits from a to b: insertions, deletions, substitutions and swaps of two neighbours ("jsno"). */
function editDistance(a: string, b: string): number {
  // Three rows of the optimal-string-alignment table: two back for a swap.
  let before = new Array<number>(b.length + 1).fill(0);
  let prev = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const row = [i];
    for (let j = 1; j <= b.length; j++) {
      let d = Math.min(prev[j] + 1, row[j - 1] + 1, prev[j - 1] + (a[i - 1] === b[j - 1] ? 0 : 1));
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) d = Math.min(d, before[j - 2] + 1);
      row.push(d);
    }
    [before, prev] = [prev, row];
  }
  return prev[b.length];
}

/** The allowed field a typo most likely meant, if one is close (a few edits, case, or a prefix). */
export function suggest(key: string, allowed: ReadonlyArray<string>): string | undefined {
  const k = key.toLowerCase();
  let best: string | undefined;
  let bestScore = Infinity;
  for (const a of allowed) {
    const l = a.toLowerCase();
    const prefix = Math.min(k.length, l.length) >= 3 && (l.startsWith(k) || k.startsWith(l));
    const dist = editDistance(k, l);
    const score = dist <= Math.max(1, Math.floor(key.length / 3)) ? dist : prefix ? 100 + dist : Infinity;
    if (score < bestScore) {
      best = a;
      bestScore = score;
    }
  }
  return bestScore < Infinity ? best : undefined;
}

/**
 * The refusal of a set name the suite does not have, for library functions that take one (explain,
 * sweep): it suggests the nearest name, as an unknown field in an input file does, and lists them.
 */
export function noSuchSet(name: string, sets: ReadonlyArray<string>): ArgumentError {
  const near = suggest(name, sets);
  return new ArgumentError(
    'set',
    name,
    `the suite has no such set${near ? `; did you mean "${near}"?` : ''} (sets: ${sets.join(', ')})`,
  );
}

/** ` (did you mean "x"?)` after a name that is not known, when a near one is; else nothing. */
export const didYouMean = (near: string | undefined): string => (near === undefined ? '' : ` (did you mean "${near}"?)`);

function unknownField(key: string, allowed: string[] | undefined): string {
  if (!allowed) return 'unknown field';
  const near = suggest(key, allowed);
  return `unknown field${didYouMean(near)}; expected only ${listIds(allowed, 20)}`;
}

type ZIssue = z.core.$ZodIssue & { input?: unknown; received?: string };

/** Appends what was found to an expectation. */
function withFound(issue: ZIssue): string {
  if (issue.code === 'invalid_type' && issue.input === undefined && issue.received === undefined) {
    return `${issue.message}, but it is missing`;
  }
  const found = issue.received !== undefined && issue.input === null ? issue.received : describe(issue.input);
  return `${issue.message}, found ${found}`;
}

/**
 * Of the branches of a failed union, the one the user evidently meant: it is not a type mismatch
 * at the top, and it has strictly fewer unknown fields than the others. Undefined when unclear.
 */
function likelyBranch(branches: ZIssue[][]): ZIssue[] | undefined {
  const score = (issues: ZIssue[]): number => {
    let s = 0;
    for (const i of issues) {
      if (i.path.length !== 0) continue;
      if (i.code === 'invalid_type' || i.code === 'invalid_union' || i.code === 'invalid_value') return Infinity;
      if (i.code === 'unrecognized_keys') s += i.keys.length;
    }
    return s;
  };
  const scores = branches.map(score);
  const best = Math.min(...scores);
  if (best === Infinity || scores.filter((s) => s === best).length !== 1) return undefined;
  return branches[scores.indexOf(best)];
}

/** Flattens zod issues into path + message lines (unknown keys one per line, unions resolved). */
export function fromZodIssues(issues: ReadonlyArray<ZIssue>, prefix: PathPart[] = []): Issue[] {
  const out: Issue[] = [];
  for (const issue of issues) {
    const path = [...prefix, ...(issue.path as PathPart[])];
    switch (issue.code) {
      case 'unrecognized_keys': {
        const allowed = allowedFields(issue.message);
        for (const key of issue.keys) out.push({ path: [...path, key], message: unknownField(key, allowed) });
        break;
      }
      case 'invalid_union': {
        const u = issue as ZIssue & { discriminator?: string; options?: unknown[]; errors: ZIssue[][] };
        if (u.discriminator !== undefined) {
          const input = u.input as Record<string, unknown> | undefined;
          const found = input && typeof input === 'object' ? input[u.discriminator] : undefined;
          const expected = `expected ${oneOf(u.options ?? [])}`;
          out.push({
            path,
            message: found === undefined ? `${expected}, but it is missing` : `${expected}, found ${describe(found)}`,
          });
          break;
        }
        const branch = likelyBranch(u.errors);
        if (branch) out.push(...fromZodIssues(branch, path));
        else out.push({ path, message: withFound(issue) });
        break;
      }
      default:
        out.push({ path, message: withFound(issue) });
    }
  }
  // The same check can fail twice (an integer outside the safe range trips two bounds).
  const seen = new Set<string>();
  return out.filter((i) => {
    const key = `${formatPath(i.path)}\u0000${i.message}`;
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}

/** Messages for zod's own checks that the schemas do not word themselves. */
export const fallbackErrorMap = (issue: z.core.$ZodRawIssue): string | undefined => {
  switch (issue.code) {
    case 'invalid_type': {
      const names: Record<string, string> = {
        object: 'an object',
        record: 'an object',
        array: 'a list',
        string: 'a string',
        number: 'a finite number',
        int: 'an integer',
        boolean: 'true or false',
      };
      return `expected ${names[issue.expected] ?? issue.expected}`;
    }
    case 'too_small':
    case 'too_big': {
      const small = issue.code === 'too_small';
      const bound = small ? (issue as { minimum: number | bigint }).minimum : (issue as { maximum: number | bigint }).maximum;
      const inclusive = (issue as { inclusive?: boolean }).inclusive ?? true;
      if (issue.origin === 'array')
        return `expected ${small ? 'at least' : 'at most'} ${bound} item${Number(bound) === 1 ? '' : 's'}`;
      if (issue.origin === 'string') {
        return small && Number(bound) === 1
          ? 'expected a non-empty string'
          : `expected ${small ? 'at least' : 'at most'} ${bound} characters`;
      }
      return `expected a number ${small ? (inclusive ? '>=' : '>') : inclusive ? '<=' : '<'} ${bound}`;
    }
    case 'invalid_value':
      return `expected ${oneOf(issue.values)}`;
    case 'invalid_union':
      return 'expected one of the allowed forms';
    case 'invalid_format':
      return `expected a string in ${issue.format} format`;
    default:
      return undefined;
  }
};
