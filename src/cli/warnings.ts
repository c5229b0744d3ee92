import type { InputWarning } from '../model/plausibility.js';
import type { CliIO } from './io.js';

/** Prints a warning about an input on stderr, where error messages go, and goes on. */
export function warnOn(io: CliIO): (warning: InputWarning) => void {
  return (w) => io.stderr.write(`xmargin: warning: ${w.message} (--strict makes this an error)\n`);
}
