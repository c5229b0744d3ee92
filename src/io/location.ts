// Where output may go. A report that cannot be written should be refused before an overnight run,
// not after it, so every command checks its output paths first (outputFolderProblem,
// outputFileProblem) and the writers create missing folders only through makeFolder. Never
// `mkdirSync(p, { recursive: true })`: on Node 20 it loops forever under /proc.
import { accessSync, constants, lstatSync, mkdirSync, realpathSync, statfsSync, statSync, type Stats } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { UsageError } from '../errors.js';

/** Kernel file systems that look like folders but take no files (statfs magic numbers). */
const PSEUDO_FS_TYPES = new Set([0x9fa0 /* proc */, 0x62656572 /* sysfs */]);
/** Mount points of device and kernel file systems, whatever their type. */
const PSEUDO_ROOTS = ['/proc', '/sys', '/dev'];

/** The entry at `path` (lstat: a link itself, or stat: what it points to), or undefined if none. */
function statOrUndefined(path: string, follow: boolean): Stats | undefined {
  try {
    return follow ? statSync(path) : lstatSync(path);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    // ENOTDIR: a file lies on the way; the walk up finds it and says so.
    if (code === 'ENOENT' || code === 'ENOTDIR') return undefined;
    throw err;
  }
}

const isFileLike = (s: Stats) => s.isFile() || s.isSymbolicLink();

/** Why no file can be created in the existing folder `dir`, or undefined if one can. */
function folderProblem(dir: string): string | undefined {
  let real: string;
  try {
    real = realpathSync(dir);
  } catch (err) {
    return `cannot resolve ${dir} (${(err as NodeJS.ErrnoException).code})`;
  }
  const root = PSEUDO_ROOTS.find((r) => real === r || real.startsWith(`${r}/`));
  if (root !== undefined) return `${root} is a system folder where no file can be written`;
  try {
    if (PSEUDO_FS_TYPES.has(Number(statfsSync(real).type)))
      return `${real} is on a kernel file system where no file can be written`;
  } catch {
    // No statfs (an exotic platform): the path checks above and the access check below remain.
  }
  try {
    accessSync(real, constants.W_OK | constants.X_OK);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    return code === 'EROFS' ? `${real} is on a read-only file system` : `cannot write in ${real} (${code})`;
  }
  return undefined;
}

/**
 * The nearest folder at or above `dir` that exists, and the missing levels below it (outermost
 * first); or a problem: something on the way is not a folder.
 */
function existingAncestor(dir: string): { existing: string; missing: string[] } | { problem: string } {
  const target = resolve(dir);
  const missing: string[] = [];
  for (let at = target; ;) {
    const stat = statOrUndefined(at, true);
    if (stat !== undefined) {
      if (stat.isDirectory()) return { existing: at, missing: missing.reverse() };
      return { problem: at === target ? 'is a file, not a folder' : `lies under ${at}, which is a file, not a folder` };
    }
    missing.push(at);
    const up = dirname(at);
    if (up === at) return { problem: 'has no existing folder above it' };
    at = up;
  }
}

/**
 * Why `dir` cannot take the files `names` (created if missing), or undefined if it can: it must
 * be a folder or not exist yet, lie under a writable folder on a real file system (not /proc,
 * /sys or /dev), and hold no folder (or other non-file) under any of `names`.
 */
export function outputFolderProblem(dir: string, names: readonly string[] = []): string | undefined {
  const at = existingAncestor(dir);
  if ('problem' in at) return at.problem;
  const problem = folderProblem(at.existing);
  if (problem !== undefined) return at.missing.length === 0 ? problem : `cannot be created: ${problem}`;
  if (at.missing.length > 0) return undefined;
  for (const name of names) {
    const stat = statOrUndefined(join(dir, name), false);
    if (stat !== undefined && !isFileLike(stat)) return `holds a folder (or other non-file) named ${name} where a file goes`;
  }
  return undefined;
}

/** Why the file `file` cannot be written (its folder created if missing), or undefined if it can. */
export function outputFileProblem(file: string): string | undefined {
  const stat = statOrUndefined(resolve(file), false);
  if (stat !== undefined && !isFileLike(stat)) return 'is a folder (or other non-file), not a file';
  const problem = outputFolderProblem(dirname(resolve(file)));
  if (problem === undefined) return undefined;
  if (problem === 'is a file, not a folder') return `lies under ${dirname(resolve(file))}, which is a file, not a folder`;
  return problem;
}

/**
 * Creates `dir` and any missing folders above it, one level at a time, after checking that the
 * nearest existing one is a writable folder on a real file system. Throws a UsageError naming
 * `dir` if it cannot take files.
 */
export function makeFolder(dir: string): void {
  const problem = outputFolderProblem(dir);
  if (problem !== undefined) throw new UsageError(`output folder ${resolve(dir)}: ${problem}`);
  const at = existingAncestor(dir);
  if ('problem' in at) throw new UsageError(`output folder ${resolve(dir)}: ${at.problem}`);
  for (const level of at.missing) {
    try {
      mkdirSync(level);
    } catch (err) {
      // Another writer may have made it meanwhile; anything else is a real failure.
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST' || !statSync(level).isDirectory()) throw err;
    }
  }
}
