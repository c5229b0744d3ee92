import { mkdirSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, test } from 'vitest';
import { InputError } from '../../src/errors.js';
import { readDocument } from '../../src/model/read.js';
import { expectIssue, fixture, inputError, tempDir, tempFile } from './helpers.js';

describe('reading documents', () => {
  test('JSON by default', () => {
    expect(readDocument(fixture('market.json'))).toMatchObject({ asOf: '2026-11-20', rate: 0.04 });
    expect(readDocument(tempFile('doc.txt', '{"a": [1, 2.5e1, null, true]}'))).toEqual({ a: [1, 25, null, true] });
  });

  test('YAML for .yaml and .yml; dates stay strings', () => {
    expect(readDocument(tempFile('d.yaml', 'from: 2008-09-01\nlist: [1, -0.5]\n'))).toEqual({
      from: '2008-09-01',
      list: [1, -0.5],
    });
    expect(readDocument(tempFile('d.yml', '# a comment\na: { b: c }\n'))).toEqual({ a: { b: 'c' } });
    expect(readDocument(tempFile('D.YAML', 'a: 1\n'))).toEqual({ a: 1 });
  });

  test('a byte-order mark is ignored', () => {
    expect(readDocument(tempFile('bom.json', '\uFEFF{"a": 1}'))).toEqual({ a: 1 });
  });

  test('a missing file is named as the user gave it', () => {
    const err = inputError(() => readDocument('no/such/market.json'));
    expect(err.message).toBe('no/such/market.json: file not found');
    expect(err.file).toBe('no/such/market.json');
    expect(err.exitCode).toBe(2);
  });

  test('a folder or an empty file', () => {
    const dir = path.join(tempDir(), 'suite.json');
    mkdirSync(dir);
    expect(inputError(() => readDocument(dir)).message).toBe(`${dir}: is a folder, expected a file`);
    const empty = tempFile('empty.yaml', '  \n');
    expect(inputError(() => readDocument(empty)).message).toBe(`${empty}: the file is empty; expected a YAML document`);
  });
});

describe('syntax errors carry the line and column', () => {
  test('JSON: a trailing comma', () => {
    const file = tempFile('book.json', '{\n  "a": 1,\n}\n');
    const err = inputError(() => readDocument(file));
    expect(err).toBeInstanceOf(InputError);
    expect(err.message).toBe(`${file}: not valid JSON at line 3, column 1: expected a field name in double quotes, found "}"`);
  });

  test('JSON: a bad literal (Node gives no position for this one)', () => {
    const file = tempFile('m.json', '{\n  "a": tru\n}');
    expect(inputError(() => readDocument(file)).message).toBe(
      `${file}: not valid JSON at line 2, column 8: expected a value, found "t"`,
    );
  });

  test('JSON: a missing comma, an unterminated document, trailing text', () => {
    const a = tempFile('a.json', '{"a": 1\n "b": 2}');
    expect(inputError(() => readDocument(a)).message).toBe(
      `${a}: not valid JSON at line 2, column 2: expected ',' or '}' after a field, found "\\""`,
    );
    const b = tempFile('b.json', '[1, 2');
    expect(inputError(() => readDocument(b)).message).toBe(
      `${b}: not valid JSON at line 1, column 6: expected ',' or ']' after a list item, found the end of the file`,
    );
    const c = tempFile('c.json', '{}\n{}');
    expect(inputError(() => readDocument(c)).message).toBe(
      `${c}: not valid JSON at line 2, column 1: unexpected "{" after the end of the document`,
    );
  });

  test('JSON: a repeated field is an error, with its path', () => {
    const file = tempFile('market.json', '{"underlyings": [\n  {"id": "BTC", "spot": 1, "spot": 2}\n]}');
    expectIssue(() => readDocument(file), file, 'underlyings[0].spot', 'duplicate field "spot" (line 2, column 28)');
  });

  test('YAML: a syntax error and a repeated key', () => {
    const bad = tempFile('suite.yaml', 'seed: 7\nscenarioSets: [ { name: a }\n');
    expect(inputError(() => readDocument(bad)).message).toBe(
      `${bad}: not valid YAML at line 3, column 1: Flow sequence in block collection must be sufficiently indented and end with a ]`,
    );
    const dup = tempFile('s.yml', 'seed: 7\nseed: 8\n');
    expect(inputError(() => readDocument(dup)).message).toBe(
      `${dup}: not valid YAML at line 2, column 1: Map keys must be unique`,
    );
  });
});
