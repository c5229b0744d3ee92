// Atomic file writes: a reader sees either the previous file or the new one in full, never a
// half-written file (disk full, a kill mid-write). The layer under everything that writes
// output: reports, synthetic workloads, calibrated markets, sweeps and bench results.
import { mkdirSync, mkdtempSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { basename, join } from 'node:path';

export type FileData = string | Uint8Array;

/** Writes one file atomically: a temp file beside it, then a rename. */
export function writeFileAtomic(file: string, data: FileData): void {
  const tmp = join(file, '..', `.${basename(file)}.${process.pid}.tmp`);
  try {
    writeFileSync(tmp, data);
    renameSync(tmp, file);
  } catch (err) {
    rmSync(tmp, { force: true });
    throw err;
  }
}

/**
 * Writes files (name, data) into `dir`, created if missing. Every file is written in full into a
 * staging folder inside `dir` (`.xmargin-XXXXXX`) first and only then renamed into place, in the
 * order given; the staging folder is removed whether or not that succeeds. Each file is atomic,
 * the set is not: if a rename fails, the files before it are already the new ones and the rest
 * keep their previous content. Returns the paths written.
 */
export function writeFilesAtomic(dir: string, files: readonly (readonly [name: string, data: FileData])[]): string[] {
  mkdirSync(dir, { recursive: true });
  const staging = mkdtempSync(join(dir, '.xmargin-'));
  try {
    for (const [name, data] of files) writeFileSync(join(staging, name), data);
    return files.map(([name]) => {
      const target = join(dir, name);
      renameSync(join(staging, name), target);
      return target;
    });
  } finally {
    rmSync(staging, { recursive: true, force: true });
  }
}
