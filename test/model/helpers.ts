// Shared helpers for the model tests: run a loader, expect an InputError, and find the line of
// the message that reports a given path.

import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { expect } from 'vitest';
import { InputError } from '../../src/errors.js';

export const FIXTURES = fileURLToPath(new URL('../fixtures/model/', import.meta.url));

export function fixture(name: string): string {
  return path.join(FIXTURES, name);
}

/** The InputError `fn` throws; fails the test when it throws nothing or something else. */
export function inputError(fn: () => unknown): InputError {
  try {
    fn();
  } catch (err) {
    if (err instanceof InputError) return err;
    throw err;
  }
  throw new Error('expected an InputError, but nothing was thrown');
}

/**
 * Expects `fn` to throw an InputError with a line `file: path: ...` containing every fragment.
 * Returns that line.
 */
export function expectIssue(fn: () => unknown, file: string, at: string, ...fragments: string[]): string {
  const err = inputError(fn);
  const prefix = `${file}: ${at}: `;
  const line = err.message.split('\n').find((l) => l.startsWith(prefix));
  expect(line, `no line starting with "${prefix}" in:\n${err.message}`).toBeDefined();
  for (const f of fragments) expect(line).toContain(f);
  return line!;
}

/** A fresh temporary folder. */
export function tempDir(): string {
  return mkdtempSync(path.join(tmpdir(), 'xmargin-model-'));
}

/** Writes `text` to `name` in a fresh temporary folder; returns the path. */
export function tempFile(name: string, text: string, dir = tempDir()): string {
  const file = path.join(dir, name);
  writeFileSync(file, text);
  return file;
}
