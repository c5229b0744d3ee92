// Every failure a user can cause or meet comes from here, so that the CLI can map each kind to
// its exit code in one place and never print a stack trace for a user's mistake.

/** One problem in an input: the path inside the file (formatted) and what was expected/found. */
export interface InputIssue {
  path: string | undefined;
  message: string;
}

/** How many problems one InputError lists; the rest are counted on a last line. */
export const MAX_LISTED_ISSUES = 10;

/**
 * Bad input: a file, a path inside it, and what was expected. Exit code 2. An error may list
 * several problems of the same file, one per line, each as `file: path: message`; `file` and
 * `path` are then those of the first, and `issues` holds them all (as listed).
 */
export class InputError extends Error {
  readonly file: string | undefined;
  readonly path: string | undefined;
  readonly exitCode = 2;
  issues: ReadonlyArray<InputIssue>;
  constructor(message: string, file?: string, path?: string) {
    super(InputError.format(message, file, path));
    this.name = 'InputError';
    this.file = file;
    this.path = path;
    this.issues = [{ path, message }];
  }
  /** One error listing up to MAX_LISTED_ISSUES problems of `file`, one per line. */
  static fromIssues(file: string | undefined, issues: ReadonlyArray<InputIssue>): InputError {
    if (issues.length === 0) throw new Error('InputError.fromIssues: no issues');
    const listed = issues.slice(0, MAX_LISTED_ISSUES);
    const [first, ...rest] = listed;
    const lines = rest.map((i) => InputError.format(i.message, file, i.path));
    const more = issues.length - listed.length;
    if (more > 0) lines.push(InputError.format(`... and ${more} more problem${more === 1 ? '' : 's'}`, file));
    const err = new InputError([first.message, ...lines].join('\n'), file, first.path);
    err.issues = issues.slice();
    return err;
  }
  static format(message: string, file?: string, path?: string): string {
    if (file && path) return `${file}: ${path}: ${message}`;
    if (file) return `${file}: ${message}`;
    if (path) return `${path}: ${message}`;
    return message;
  }
}

/** A usage mistake on the command line (unknown flag, missing value). Exit code 2. */
export class UsageError extends Error {
  readonly exitCode = 2;
  constructor(message: string) {
    super(message);
    this.name = 'UsageError';
  }
}

/** The arguments of library functions that can be refused; the CLI names its flag for each. */
export type ArgumentParameter =
  // explain, sweep
  | 'set'
  | 'scenario'
  | 'weights'
  | 'volMultipliers'
  | 'target'
  | 'scope'
  // calibrate, calibrateBreakdown
  | 'prices'
  | 'columns'
  | 'from'
  | 'to'
  | 'calm'
  | 'stress'
  | 'method'
  | 'lambda'
  | 'daysPerYear'
  | 'currency'
  | 'rate'
  | 'count'
  | 'dof'
  | 'horizonDays'
  | 'seed'
  // explain's tail
  | 'portfolio'
  | 'account'
  | 'show'
  // the engine
  | 'workers'
  | 'chunk'
  | 'maxMemory';

/**
 * A bad argument to a library function, e.g. a set the suite does not have. Exit code 2. The
 * message is in the library's words (`set "x": the suite has no such set (sets: a, b)`); a
 * caller that took the value from elsewhere (the CLI, from a flag) can say so with `parameter`,
 * `value` and `problem`: `--set x: the suite has no such set (sets: a, b)`.
 */
export class ArgumentError extends UsageError {
  readonly parameter: ArgumentParameter;
  readonly value: string | number;
  /** What is wrong with the value, to follow `<parameter> <value>: `. */
  readonly problem: string;
  constructor(parameter: ArgumentParameter, value: string | number, problem: string) {
    super(`${parameter} ${typeof value === 'string' ? JSON.stringify(value) : value}: ${problem}`);
    this.name = 'ArgumentError';
    this.parameter = parameter;
    this.value = value;
    this.problem = problem;
  }
}

/**
 * Why a run failed, as a value that crosses threads (and later machines) unchanged. Workers never
 * throw these across the boundary as message text: they return a `TaskFailure` and the main
 * thread turns it into a RunError here, once.
 */
export type RunFailureCode =
  /** A revaluation or an aggregate that is not a finite number (input too extreme). */
  | 'non-finite'
  /** A WASM kernel trapped (out of bounds, unreachable): a bug, never a user's input. */
  | 'kernel-trap'
  /** A worker thread (or later a remote worker) exited while running a task. */
  | 'worker-exit'
  /** A task threw for any other reason. */
  | 'task-failed'
  /** The run was cancelled through its AbortSignal. */
  | 'aborted'
  /** The job queue's Redis went away (or never answered) during a distributed run. */
  | 'queue-lost';

/** A task's failure as data: what the worker saw, with the set and scenario where it knows them. */
export interface TaskFailure {
  code: RunFailureCode;
  message: string;
  set?: string;
  scenario?: number;
}

/** A run that found limit breaches, asked to fail on them (`--fail-on-breach`). Exit code 3; the report is written. */
export class BreachError extends Error {
  readonly exitCode = 3;
  constructor(readonly breaches: number) {
    super(`${breaches} limit breach${breaches === 1 ? '' : 'es'} (see the report's breaches); failing as --fail-on-breach asks`);
    this.name = 'BreachError';
  }
}

/** The run itself failed: a worker died, a kernel trapped, a value went non-finite, a cancel. Exit code 1. */
export class RunError extends Error {
  readonly exitCode = 1;
  readonly code: RunFailureCode;
  constructor(message: string, options?: { cause?: unknown; code?: RunFailureCode }) {
    super(message, options);
    this.name = 'RunError';
    this.code = options?.code ?? 'task-failed';
  }
}

/**
 * The one factory of run failures: a task's failure value (from a worker, or made by an executor
 * for a worker that exited or a cancel) becomes a RunError whose message says what happened and
 * where.
 */
export function runFailure(failure: TaskFailure | unknown, setName?: string): RunError {
  if (failure instanceof RunError) return failure;
  if (isTaskFailure(failure)) {
    const where = failure.set ?? setName;
    switch (failure.code) {
      case 'non-finite':
        return new RunError(failure.message, { code: 'non-finite' });
      case 'kernel-trap':
        return new RunError(`a scenario kernel trapped while running set "${where}": ${failure.message}`, {
          code: 'kernel-trap',
        });
      case 'aborted':
        return new RunError(`the run was cancelled${where ? ` during set "${where}"` : ''}`, { code: 'aborted' });
      case 'queue-lost':
        return new RunError(`the job queue failed${where ? ` while running set "${where}"` : ''}: ${failure.message}`, {
          code: 'queue-lost',
        });
      case 'worker-exit':
        return new RunError(`a worker exited while running set "${where}": ${failure.message}`, { code: 'worker-exit' });
      default:
        return new RunError(`a worker failed while running set "${where}": ${failure.message}`, { code: 'task-failed' });
    }
  }
  // Executors hand over failures as TaskFailure values; anything else is a bug on this side.
  const message = failure instanceof Error ? failure.message : String(failure);
  return new RunError(`a worker failed while running set "${setName}": ${message}`, { code: 'task-failed', cause: failure });
}

export function isTaskFailure(v: unknown): v is TaskFailure {
  return (
    !!v &&
    typeof v === 'object' &&
    typeof (v as TaskFailure).code === 'string' &&
    typeof (v as TaskFailure).message === 'string' &&
    !(v instanceof Error)
  );
}

/** Formats a path the way users read it in their files: `accounts[3].positions[0].quantity`. */
export function formatPath(path: ReadonlyArray<string | number>): string {
  let out = '';
  for (const part of path) {
    if (typeof part === 'number') out += `[${part}]`;
    else if (/^[A-Za-z_$][\w$-]*$/.test(part)) out += out ? `.${part}` : part;
    else out += `[${JSON.stringify(part)}]`;
  }
  return out || '(top level)';
}

export function exitCodeOf(err: unknown): number {
  if (err && typeof err === 'object' && 'exitCode' in err && typeof err.exitCode === 'number') {
    return err.exitCode;
  }
  return 1;
}
