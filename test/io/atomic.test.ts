// The shared atomic writer: whole files or the previous ones, never a half-written file, and no
// temp files or staging folders left behind, whether the write succeeds or fails.
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { writeFileAtomic, writeFilesAtomic } from '../../src/io/atomic.js';

const root = mkdtempSync(join(tmpdir(), 'xmargin-io-test-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));
let n = 0;
const tmp = () => mkdtempSync(join(root, `t${n++}-`));
const read = (...p: string[]) => readFileSync(join(...p), 'utf8');

describe('writeFileAtomic', () => {
  it('writes a new file, text or bytes', () => {
    const dir = tmp();
    writeFileAtomic(join(dir, 'a.txt'), 'hello\n');
    writeFileAtomic(join(dir, 'b.bin'), new Uint8Array([0, 1, 2, 255]));
    expect(read(dir, 'a.txt')).toBe('hello\n');
    expect([...readFileSync(join(dir, 'b.bin'))]).toEqual([0, 1, 2, 255]);
    expect(readdirSync(dir).sort()).toEqual(['a.txt', 'b.bin']);
  });

  it('replaces an existing file', () => {
    const dir = tmp();
    writeFileSync(join(dir, 'a.txt'), 'old content, longer than the new one\n');
    writeFileAtomic(join(dir, 'a.txt'), 'new\n');
    expect(read(dir, 'a.txt')).toBe('new\n');
    expect(readdirSync(dir)).toEqual(['a.txt']);
  });

  it('on failure throws, leaves what was there and no temp file', () => {
    const dir = tmp();
    mkdirSync(join(dir, 'a.txt'));
    writeFileSync(join(dir, 'a.txt', 'inside'), 'previous\n');
    expect(() => writeFileAtomic(join(dir, 'a.txt'), 'new\n')).toThrow();
    expect(statSync(join(dir, 'a.txt')).isDirectory()).toBe(true);
    expect(read(dir, 'a.txt', 'inside')).toBe('previous\n');
    expect(readdirSync(dir)).toEqual(['a.txt']);
  });
});

describe('writeFilesAtomic', () => {
  it('creates the folder, writes every file and returns their paths in order', () => {
    const dir = join(tmp(), 'out', 'nested');
    const paths = writeFilesAtomic(dir, [
      ['b.json', '{}\n'],
      ['a.csv', 'x,y\n'],
      ['c.bin', new Uint8Array([7, 8])],
    ]);
    expect(paths).toEqual([join(dir, 'b.json'), join(dir, 'a.csv'), join(dir, 'c.bin')]);
    expect(read(dir, 'b.json')).toBe('{}\n');
    expect(read(dir, 'a.csv')).toBe('x,y\n');
    expect([...readFileSync(join(dir, 'c.bin'))]).toEqual([7, 8]);
    expect(readdirSync(dir).sort()).toEqual(['a.csv', 'b.json', 'c.bin']);
  });

  it('replaces existing files and leaves other files alone', () => {
    const dir = tmp();
    writeFileSync(join(dir, 'a.txt'), 'old a\n');
    writeFileSync(join(dir, 'keep.txt'), 'keep\n');
    writeFilesAtomic(dir, [
      ['a.txt', 'new a\n'],
      ['b.txt', 'new b\n'],
    ]);
    expect(read(dir, 'a.txt')).toBe('new a\n');
    expect(read(dir, 'b.txt')).toBe('new b\n');
    expect(read(dir, 'keep.txt')).toBe('keep\n');
    expect(readdirSync(dir).sort()).toEqual(['a.txt', 'b.txt', 'keep.txt']);
  });

  it('on a failure while staging replaces nothing and removes the staging folder', () => {
    const dir = tmp();
    writeFileSync(join(dir, 'a.txt'), 'old a\n');
    writeFileSync(join(dir, 'c.txt'), 'old c\n');
    // 'missing/b.txt' cannot be written in the staging folder: a.txt is staged, nothing is renamed.
    expect(() =>
      writeFilesAtomic(dir, [
        ['a.txt', 'new a\n'],
        ['missing/b.txt', 'new b\n'],
        ['c.txt', 'new c\n'],
      ]),
    ).toThrow();
    expect(read(dir, 'a.txt')).toBe('old a\n');
    expect(read(dir, 'c.txt')).toBe('old c\n');
    expect(readdirSync(dir).sort()).toEqual(['a.txt', 'c.txt']);
  });

  it('on a failed rename (a folder in the way) keeps the previous content there and after, and no staging folder', () => {
    const dir = tmp();
    writeFileSync(join(dir, 'a.txt'), 'old a\n');
    mkdirSync(join(dir, 'b.txt'));
    writeFileSync(join(dir, 'b.txt', 'inside'), 'previous\n');
    writeFileSync(join(dir, 'c.txt'), 'old c\n');
    expect(() =>
      writeFilesAtomic(dir, [
        ['a.txt', 'new a\n'],
        ['b.txt', 'new b\n'],
        ['c.txt', 'new c\n'],
      ]),
    ).toThrow();
    // Each file is atomic, the set is not: a.txt was renamed before the failure.
    expect(read(dir, 'a.txt')).toBe('new a\n');
    expect(statSync(join(dir, 'b.txt')).isDirectory()).toBe(true);
    expect(read(dir, 'b.txt', 'inside')).toBe('previous\n');
    expect(read(dir, 'c.txt')).toBe('old c\n');
    expect(readdirSync(dir).sort()).toEqual(['a.txt', 'b.txt', 'c.txt']);
  });
});
