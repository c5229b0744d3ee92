// Atomic file writes: a reader sees either the previous file or the new one in full, never a
// half-written file (disk full, a kill mid-write); and a set of files (a report) is replaced
// all or none. The layer under everything that writes output: reports, synthetic workloads,
// calibrated markets, sweeps and bench results. Everything here is synchronous on purpose: a
// signal is handled between event-loop turns, so it can never land between two renames.
import {
  closeSync,
  lstatSync,
  mkdirSync,
  mkdtempSync,
  openSync,
  readdirSync,
  renameSync,
  rmSync,
  writeFileSync,
  writeSync,
} from 'node:fs';
import { basename, dirname, join, resolve } from 'node:path';
import { UsageError } from '../errors.js';
import { makeFolder, outputFileProblem } from './location.js';
import { spellPieces, TextSink, type TextPiece } from './text-sink.js';

/**
 * A file's content: text, bytes, or pieces written one after another and never joined (a large
 * report: joined, its pieces would be a second copy of it, tens of MB of fresh memory, then a
 * third in UTF-8; a piece may also spell its text straight into the file's buffer, text-sink.ts).
 */
export type FileData = string | Uint8Array | readonly TextPiece[];

/** Writes `data` to `path` (created or truncated). */
function writeData(path: string, data: FileData): void {
  if (typeof data === 'string' || data instanceof Uint8Array) {
    writeFileSync(path, data);
    return;
  }
  const fd = openSync(path, 'w');
  try {
    // One buffer, filled and written again and again: each byte is encoded into memory already touched.
    const sink = new TextSink((bytes) => {
      for (let at = 0; at < bytes.length;) at += writeSync(fd, bytes, at, bytes.length - at);
    });
    spellPieces(data, sink);
    sink.flush();
  } finally {
    closeSync(fd);
  }
}

/** Writes one file atomically: a temp file beside it, then a rename. Missing folders are created. */
export function writeFileAtomic(file: string, data: FileData): void {
  const problem = outputFileProblem(file);
  if (problem !== undefined) throw new UsageError(`output file ${resolve(file)}: ${problem}`);
  makeFolder(dirname(resolve(file)));
  const tmp = join(file, '..', `.${basename(file)}.${process.pid}.tmp`);
  try {
    writeData(tmp, data);
    renameSync(tmp, file);
  } catch (err) {
    rmSync(tmp, { force: true });
    throw err;
  }
}

/** Staging folders are `.xmargin-<pid>-XXXXXX`: the pid tells a live writer's from a dead one's. */
const STAGING_PREFIX = '.xmargin-';
const STAGING_NAME = /^\.xmargin-(\d+)-[A-Za-z0-9]{6}$/;

export interface WriteFilesOptions {
  /**
   * Files of `dir` that the new set replaces under other names (a report in the other format):
   * removed as part of the same swap, and restored if it fails. Only regular files are removed.
   */
  remove?: readonly string[];
}

/** One file of the swap: whether its previous version was moved aside, and whether the new one is in place. */
interface Step {
  name: string;
  saved: boolean;
  placed: boolean;
}

/**
 * Writes files (name, data) into `dir`, created if missing, all or none. Every file is first
 * written in full into a staging folder inside `dir` (`.xmargin-<pid>-XXXXXX/new`, so on the same
 * file system). Then, file by file, the previous version is moved aside into the staging folder
 * (`old/`) and the new one renamed into place; the files named in `options.remove` are moved
 * aside first. If any step fails (a folder where a file goes, a permission), every step done so far
 * is undone in reverse, so `dir` holds exactly its previous files, and the error is thrown. The
 * staging folder is removed either way; so are staging folders left by writers that were killed
 * (their process no longer runs). Returns the paths written.
 */
export function writeFilesAtomic(
  dir: string,
  files: readonly (readonly [name: string, data: FileData])[],
  options: WriteFilesOptions = {},
): string[] {
  makeFolder(dir);
  const staging = mkdtempSync(join(dir, `${STAGING_PREFIX}${process.pid}-`));
  let keepStaging = false;
  try {
    const fresh = join(staging, 'new');
    const old = join(staging, 'old');
    mkdirSync(fresh);
    mkdirSync(old);
    for (const [name, data] of files) writeData(join(fresh, name), data);
    const steps: Step[] = [];
    try {
      for (const name of options.remove ?? []) {
        if (files.some(([n]) => n === name)) continue;
        const target = join(dir, name);
        if (!lstatOrUndefined(target)?.isFile()) continue;
        const step: Step = { name, saved: false, placed: false };
        steps.push(step);
        renameSync(target, join(old, name));
        step.saved = true;
      }
      for (const [name] of files) {
        const step: Step = { name, saved: false, placed: false };
        steps.push(step);
        const target = join(dir, name);
        const stat = lstatOrUndefined(target);
        if (stat !== undefined && !stat.isFile() && !stat.isSymbolicLink())
          throw new UsageError(`${target} is a folder (or other non-file) where the file ${name} goes; nothing was replaced`);
        if (stat !== undefined) {
          renameSync(target, join(old, name));
          step.saved = true;
        }
        renameSync(join(fresh, name), target);
        step.placed = true;
      }
    } catch (err) {
      const undone = undo(dir, staging, steps);
      if (!undone) {
        keepStaging = true;
        throw new Error(
          `writing into ${dir} failed (${err instanceof Error ? err.message : String(err)}) and so did putting the previous files back: ` +
            `they are in ${old}`,
          { cause: err },
        );
      }
      throw err;
    }
    removeDeadStaging(dir);
    return files.map(([name]) => join(dir, name));
  } finally {
    if (!keepStaging) rmSync(staging, { recursive: true, force: true });
  }
}

/** Undoes the swap's steps in reverse: each new file back into staging, each previous one back in place. */
function undo(dir: string, staging: string, steps: readonly Step[]): boolean {
  let ok = true;
  for (const step of [...steps].reverse()) {
    try {
      if (step.placed) renameSync(join(dir, step.name), join(staging, 'new', step.name));
      if (step.saved) renameSync(join(staging, 'old', step.name), join(dir, step.name));
    } catch {
      ok = false;
    }
  }
  return ok;
}

/** Removes the staging folders in `dir` whose writer no longer runs (killed with SIGKILL, a crash). */
function removeDeadStaging(dir: string): void {
  try {
    for (const name of readdirSync(dir)) {
      const pid = STAGING_NAME.exec(name)?.[1];
      if (pid === undefined || isRunning(Number(pid))) continue;
      rmSync(join(dir, name), { recursive: true, force: true });
    }
  } catch {
    // Tidying only: the files are written, and the next write tries again.
  }
}

function isRunning(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    // EPERM: it runs, as another user.
    return (err as NodeJS.ErrnoException).code !== 'ESRCH';
  }
}

function lstatOrUndefined(path: string) {
  try {
    return lstatSync(path);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw err;
  }
}
