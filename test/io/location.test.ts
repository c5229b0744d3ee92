// Where output may go: the checks every command runs on its output paths before any work, and
// the folder creation the writers use instead of a recursive mkdir (which loops under /proc on
// Node 20).
import { mkdirSync, mkdtempSync, readdirSync, rmSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { UsageError } from '../../src/errors.js';
import { makeFolder, outputFileProblem, outputFolderProblem } from '../../src/io/location.js';

const root = mkdtempSync(join(tmpdir(), 'xmargin-location-test-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));
let n = 0;
const tmp = () => mkdtempSync(join(root, `t${n++}-`));

describe('outputFolderProblem', () => {
  it('accepts an existing folder, a missing one under a folder, and a link to a folder', () => {
    const dir = tmp();
    expect(outputFolderProblem(dir)).toBeUndefined();
    expect(outputFolderProblem(join(dir, 'a', 'b', 'c'))).toBeUndefined();
    symlinkSync(dir, join(dir, 'link'));
    expect(outputFolderProblem(join(dir, 'link', 'new'))).toBeUndefined();
    writeFileSync(join(dir, 'report.json'), '{}');
    expect(outputFolderProblem(dir, ['report.json', 'accounts.csv'])).toBeUndefined();
  });

  it('refuses a file, a path under a file, and a folder where one of the files goes', () => {
    const dir = tmp();
    writeFileSync(join(dir, 'f'), 'x');
    expect(outputFolderProblem(join(dir, 'f'))).toBe('is a file, not a folder');
    expect(outputFolderProblem(join(dir, 'f', 'a', 'b'))).toBe(`lies under ${join(dir, 'f')}, which is a file, not a folder`);
    mkdirSync(join(dir, 'accounts.csv'));
    expect(outputFolderProblem(dir, ['report.json', 'accounts.csv'])).toBe(
      'holds a folder (or other non-file) named accounts.csv where a file goes',
    );
  });

  it('refuses /proc, /sys and /dev, existing or not, and kernel file systems reached through a link', () => {
    expect(outputFolderProblem('/proc/foo')).toBe('cannot be created: /proc is a system folder where no file can be written');
    expect(outputFolderProblem('/proc/self')).toBe('/proc is a system folder where no file can be written');
    expect(outputFolderProblem('/sys/x/y')).toMatch(/\/sys is a system folder/);
    expect(outputFolderProblem('/dev/xmargin')).toMatch(/\/dev is a system folder/);
    const dir = tmp();
    symlinkSync('/proc/self', join(dir, 'p'));
    expect(outputFolderProblem(join(dir, 'p', 'out'))).toMatch(/\/proc is a system folder/);
  });
});

describe('outputFileProblem', () => {
  it('accepts a new or existing file, and refuses a folder, a path under a file and /proc', () => {
    const dir = tmp();
    writeFileSync(join(dir, 'm.json'), '{}');
    expect(outputFileProblem(join(dir, 'm.json'))).toBeUndefined();
    expect(outputFileProblem(join(dir, 'new', 'm.json'))).toBeUndefined();
    expect(outputFileProblem(dir)).toBe('is a folder (or other non-file), not a file');
    expect(outputFileProblem(join(dir, 'm.json', 'x.json'))).toBe(
      `lies under ${join(dir, 'm.json')}, which is a file, not a folder`,
    );
    expect(outputFileProblem('/proc/xmargin/m.json')).toMatch(/\/proc is a system folder/);
  });
});

describe('makeFolder', () => {
  it('creates every missing level, and accepts an existing folder', () => {
    const dir = tmp();
    makeFolder(join(dir, 'a', 'b', 'c'));
    expect(statSync(join(dir, 'a', 'b', 'c')).isDirectory()).toBe(true);
    makeFolder(join(dir, 'a', 'b', 'c'));
    makeFolder(dir);
  });

  it('refuses what outputFolderProblem refuses with a UsageError naming the folder, and creates nothing', () => {
    const dir = tmp();
    writeFileSync(join(dir, 'f'), 'x');
    expect(() => makeFolder(join(dir, 'f', 'sub'))).toThrow(UsageError);
    expect(() => makeFolder('/proc/xmargin/out')).toThrow(
      'output folder /proc/xmargin/out: cannot be created: /proc is a system folder where no file can be written',
    );
    expect(readdirSync(dir)).toEqual(['f']);
  });
});
