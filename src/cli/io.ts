/** Something text can be written to: a process stream, or a buffer in tests. */
export interface Writer {
  write(text: string): unknown;
}

/**
 * Where the CLI writes, and what it knows about the terminal. The bin passes the process's
 * streams (processIO); tests pass buffers, so the CLI runs in-process with its output captured.
 */
export interface CliIO {
  /** Data: reports, tables, JSON, help and version. */
  stdout: Writer;
  /** Messages; and the progress bar, but only when this is a terminal (isTTY). */
  stderr: Writer & { isTTY?: boolean };
  /** Width to wrap the help to (a terminal's columns); at most 110. */
  columns?: number;
  /** Print the stack of an unexpected error (not a user's mistake) after its message. */
  debug?: boolean;
  /** Cancels a running command (the bin aborts it on SIGINT or SIGTERM): no report is written. */
  signal?: AbortSignal;
}

/** The process's own streams, as a user's shell gives them (XMARGIN_DEBUG=1 for stacks). */
export function processIO(): CliIO {
  return {
    stdout: process.stdout,
    stderr: process.stderr,
    columns: process.stdout.columns,
    debug: Boolean(process.env.XMARGIN_DEBUG),
  };
}
