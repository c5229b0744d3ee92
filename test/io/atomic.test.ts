// The shared atomic writer: whole files or the previous ones, never a half-written file; a set of
// files replaced all or none; and no temp files or staging folders left behind, whether the write
// succeeds or fails.
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { spawnSync } from 'node:child_process';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { UsageError } from '../../src/errors.js';
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

  it('writes text given in pieces as their concatenation, in UTF-8, whatever their sizes', () => {
    const dir = tmp();
    // Pieces small and large (past the writer's buffer), multi-byte characters, and surrogate
    // pairs (an emoji) placed across every boundary the writer may cut a long piece at.
    const third = Math.floor((1024 * 1024) / 3);
    const long = 'x'.repeat(third - 1) + '\u{1F4C8}' + 'é€'.repeat(third) + '\u{1F4C9}';
    const pieces = ['', 'a,b\n', long, 'ü', '', '\u{1F600}'.repeat(5), 'z'.repeat(2 * 1024 * 1024 + 7), long.slice(1), '\n'];
    writeFileAtomic(join(dir, 'p.txt'), pieces);
    expect(read(dir, 'p.txt')).toBe(pieces.join(''));
    writeFilesAtomic(dir, [
      ['q.txt', pieces],
      ['empty.txt', []],
    ]);
    expect(read(dir, 'q.txt')).toBe(pieces.join(''));
    expect(read(dir, 'empty.txt')).toBe('');
  });

  it('replaces an existing file', () => {
    const dir = tmp();
    writeFileSync(join(dir, 'a.txt'), 'old content, longer than the new one\n');
    writeFileAtomic(join(dir, 'a.txt'), 'new\n');
    expect(read(dir, 'a.txt')).toBe('new\n');
    expect(readdirSync(dir)).toEqual(['a.txt']);
  });

  it('creates missing folders, and refuses a folder as the file or a file on the way with a UsageError', () => {
    const dir = tmp();
    writeFileAtomic(join(dir, 'x', 'y', 'a.txt'), 'a\n');
    expect(read(dir, 'x', 'y', 'a.txt')).toBe('a\n');
    expect(() => writeFileAtomic(join(dir, 'x'), 'a\n')).toThrow(UsageError);
    expect(() => writeFileAtomic(join(dir, 'x', 'y', 'a.txt', 'b.txt'), 'b\n')).toThrow(/lies under .*a\.txt, which is a file/);
    expect(() => writeFileAtomic('/proc/xmargin-test.json', '{}')).toThrow(/\/proc is a system folder/);
    expect(readdirSync(join(dir, 'x', 'y'))).toEqual(['a.txt']);
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

  it('on a failed swap (a folder in the way) replaces none: every file keeps its previous content, and no staging folder', () => {
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
    ).toThrow(/b\.txt is a folder .*nothing was replaced/);
    // a.txt was swapped before b.txt failed, and is swapped back.
    expect(read(dir, 'a.txt')).toBe('old a\n');
    expect(statSync(join(dir, 'b.txt')).isDirectory()).toBe(true);
    expect(read(dir, 'b.txt', 'inside')).toBe('previous\n');
    expect(read(dir, 'c.txt')).toBe('old c\n');
    expect(readdirSync(dir).sort()).toEqual(['a.txt', 'b.txt', 'c.txt']);
  });

  it('a file that did not exist before is gone again after a failed swap', () => {
    const dir = tmp();
    mkdirSync(join(dir, 'b.txt'));
    expect(() =>
      writeFilesAtomic(dir, [
        ['a.txt', 'new a\n'],
        ['b.txt', 'new b\n'],
      ]),
    ).toThrow();
    expect(readdirSync(dir)).toEqual(['b.txt']);
  });

  it('removes the files named in `remove` in the same swap, only regular files, and restores them if the swap fails', () => {
    const dir = tmp();
    writeFileSync(join(dir, 'old.json'), 'old report\n');
    writeFileSync(join(dir, 'mine.txt'), 'a user file\n');
    mkdirSync(join(dir, 'gone.dat'));
    writeFilesAtomic(dir, [['new.bin', 'new\n']], { remove: ['old.json', 'gone.dat', 'absent.txt'] });
    expect(readdirSync(dir).sort()).toEqual(['gone.dat', 'mine.txt', 'new.bin']);

    writeFileSync(join(dir, 'old.json'), 'old report\n');
    mkdirSync(join(dir, 'blocked.csv'));
    expect(() =>
      writeFilesAtomic(
        dir,
        [
          ['new.bin', 'newer\n'],
          ['blocked.csv', 'x\n'],
        ],
        { remove: ['old.json'] },
      ),
    ).toThrow();
    expect(read(dir, 'old.json')).toBe('old report\n');
    expect(read(dir, 'new.bin')).toBe('new\n');
    expect(readdirSync(dir).sort()).toEqual(['blocked.csv', 'gone.dat', 'mine.txt', 'new.bin', 'old.json']);
  });

  it("removes staging folders left by a writer that was killed, never a running writer's", () => {
    const dir = tmp();
    // A process that has exited: its pid is free (the kernel does not reuse it this soon).
    const dead = spawnSync(process.execPath, ['-e', '']).pid!;
    const killed = join(dir, `.xmargin-${dead}-AbC123`);
    mkdirSync(join(killed, 'new'), { recursive: true });
    writeFileSync(join(killed, 'new', 'a.txt'), 'half a report\n');
    const running = join(dir, `.xmargin-${process.pid}-XyZ789`);
    mkdirSync(running);
    writeFileSync(join(dir, '.xmargin-notes'), 'not a staging folder\n');
    writeFilesAtomic(dir, [['a.txt', 'a\n']]);
    expect(readdirSync(dir).sort()).toEqual(['.xmargin-notes', `.xmargin-${process.pid}-XyZ789`, 'a.txt'].sort());
  });

  it('refuses a folder it cannot create, without creating anything (no recursive mkdir under /proc)', () => {
    expect(() => writeFilesAtomic('/proc/xmargin-test/out', [['a.txt', 'a\n']])).toThrow(
      /output folder \/proc\/xmargin-test\/out: cannot be created: \/proc is a system folder/,
    );
    const dir = tmp();
    writeFileSync(join(dir, 'file'), 'x');
    expect(() => writeFilesAtomic(join(dir, 'file', 'out'), [['a.txt', 'a\n']])).toThrow(UsageError);
    expect(readdirSync(dir)).toEqual(['file']);
  });
});
