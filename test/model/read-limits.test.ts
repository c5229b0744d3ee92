// Inputs are files of bounded size: a device, a pipe or a huge file is refused before it can
// fill memory or block the run (issue 9), and large YAML is either read as JSON or refused.
import { execFileSync } from 'node:child_process';
import { truncateSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, test } from 'vitest';
import { MAX_DOCUMENT_BYTES, MAX_YAML_BYTES, readDocument, readFileBounded } from '../../src/model/read.js';
import { xmarginInProcess } from '../helpers/cli.js';
import { inputError, tempDir } from './helpers.js';

describe('only regular files are read', () => {
  test('a device is refused without reading it', () => {
    expect(inputError(() => readDocument('/dev/zero')).message).toBe(
      '/dev/zero: is not a regular file (a device, pipe or socket); expected a file',
    );
  });

  test('a pipe with no writer is refused at once, not waited on', () => {
    const fifo = path.join(tempDir(), 'market.json');
    execFileSync('mkfifo', [fifo]);
    expect(inputError(() => readDocument(fifo)).message).toBe(
      `${fifo}: is not a regular file (a device, pipe or socket); expected a file`,
    );
  });

  test('the CLI exits 2 naming the flag value', async () => {
    const r = await xmarginInProcess([
      'run',
      '--market',
      '/dev/zero',
      '--book',
      'examples/crypto/book.json',
      '--suite',
      'scenarios/overnight.yaml',
    ]);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('/dev/zero: is not a regular file');
  });
});

describe('a size limit, checked before reading and while reading', () => {
  test('a document over the limit is refused from its size alone', () => {
    // A sparse file: its size is over the limit, but it takes no disk space.
    const file = path.join(tempDir(), 'suite.json');
    writeFileSync(file, '');
    truncateSync(file, MAX_DOCUMENT_BYTES + 1);
    const t0 = performance.now();
    expect(inputError(() => readDocument(file)).message).toBe(
      `${file}: the file is larger than 256 MiB, the limit for an input document; check that this is the right file`,
    );
    expect(performance.now() - t0).toBeLessThan(1000);
  });

  test('the read stops at the limit even when the system reports no size', () => {
    // /proc files report a size of 0 and have content: only the bounded read can catch them.
    const err = inputError(() => readFileBounded('/proc/self/maps', 'maps', 64, 'a test'));
    expect(err.message).toBe('maps: the file is larger than 64 bytes, the limit for a test; check that this is the right file');
    expect(readFileBounded('/proc/self/maps', 'maps', 1 << 24, 'a test').length).toBeGreaterThan(64);
  });
});

describe('large YAML', () => {
  const shocks = (n: number): string =>
    Array.from({ length: n }, (_, i) => `  - moves: { BTC: ${(i % 97) / 1000}, ETH: -0.01 }\n`).join('');

  test('YAML over the YAML limit is refused with a pointer to JSON', () => {
    const file = path.join(tempDir(), 'suite.yaml');
    const text = `shocks:\n${shocks(Math.ceil(MAX_YAML_BYTES / 30))}`;
    expect(text.length).toBeGreaterThan(MAX_YAML_BYTES);
    writeFileSync(file, text);
    const err = inputError(() => readDocument(file));
    expect(err.message).toContain(`${file}: the YAML file is larger than 4 MiB, the limit for YAML`);
    expect(err.message).toContain('write the same document as JSON');
  });

  test('a .yaml file that is JSON is read as JSON, at any size up to the document limit', () => {
    const file = path.join(tempDir(), 'suite.yaml');
    const text = `{"a": [1, {"b": "c"}]}${' '.repeat(MAX_YAML_BYTES)}`;
    writeFileSync(file, text);
    expect(readDocument(file)).toEqual({ a: [1, { b: 'c' }] });
    // ... and keeps YAML's rule against repeated keys.
    writeFileSync(file, '{"a": 1, "a": 2}');
    expect(inputError(() => readDocument(file)).message).toContain('duplicate field "a"');
  });

  test('small YAML in flow style that is not JSON is still YAML', () => {
    const file = path.join(tempDir(), 'm.yaml');
    writeFileSync(file, '{ a: 1, b: [x, 2] }\n');
    expect(readDocument(file)).toEqual({ a: 1, b: ['x', 2] });
  });
});

describe('the JSON scan keeps finding repeated fields (it reuses its lists between objects)', () => {
  test('in an object of many fields, and in siblings and children', () => {
    const wide = Object.fromEntries(Array.from({ length: 500 }, (_, i) => [`u${i}`, i]));
    const file = path.join(tempDir(), 'm.json');
    writeFileSync(file, JSON.stringify({ a: wide, b: [{ x: 1 }, { x: 2 }] }).replace('"u499"', '"u40"'));
    expect(inputError(() => readDocument(file)).message).toContain('a.u40: duplicate field "u40"');
    writeFileSync(file, '{"a": {"b": 1, "c": {"b": 2}, "d": {}}, "e": [{"b": 1}, {"b": 1}], "b": 3}');
    expect(readDocument(file)).toMatchObject({ b: 3 });
    writeFileSync(file, '{"a": {"b": 1, "c": {"x": {}}, "b": 2}}');
    expect(inputError(() => readDocument(file)).message).toContain('a.b: duplicate field "b"');
  });
});
