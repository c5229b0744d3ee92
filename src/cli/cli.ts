import yargs from 'yargs';
import { ArgumentError, exitCodeOf, InputError, RunError, UsageError, type ArgumentParameter } from '../errors.js';
import { VERSION } from '../version.js';
import { calibrateCommand } from './calibrate-command.js';
import { explainCommand } from './explain-command.js';
import { processIO, type CliIO } from './io.js';
import { nearcorrCommand } from './nearcorr-command.js';
import { runCommand } from './run-command.js';
import { synthCommand } from './synth-command.js';
import { sweepCommand } from './sweep-command.js';

export type { CliIO, Writer } from './io.js';
export { processIO } from './io.js';

/** The flag each library argument comes from (`daysPerYear`: `--days-per-year`), to name it when the library refuses the value. */
const flagOf = (parameter: ArgumentParameter): string => `--${parameter.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`)}`;

/** A mistake yargs finds on the command line: an unknown flag or command, a missing or bad value. */
class CommandLineError extends UsageError {}

/** What the user reads: the library's refusal of an argument names the flag it came from. */
function messageOf(err: unknown): string {
  if (err instanceof ArgumentError) {
    const v = String(err.value);
    return `${flagOf(err.parameter)} ${v === '' || /\s/.test(v) ? JSON.stringify(v) : v}: ${err.problem}`;
  }
  if (err instanceof CommandLineError) return `${err.message}\nRun "xmargin --help" for usage.`;
  return err instanceof Error ? err.message : String(err);
}

/**
 * Exit codes are the contract's: 0 success, 2 bad input or usage, 1 anything else. yargs' own
 * default is 1 for usage errors and it prints the help on a throwing handler, so every failure is
 * routed through `.fail` to here, and mapped once (errors.ts exitCodeOf).
 */
function report(err: unknown, io: CliIO): number {
  io.stderr.write(`xmargin: ${messageOf(err)}\n`);
  const known = err instanceof InputError || err instanceof UsageError || err instanceof RunError;
  if (!known && io.debug && err instanceof Error && err.stack) io.stderr.write(`${err.stack}\n`);
  return exitCodeOf(err);
}

/**
 * The xmargin command line as a function: runs `argv` (the arguments after the program name),
 * writes to `io` only, and returns the exit code. It never exits the process, so tests run it
 * in-process. Relative paths in `argv` resolve against process.cwd().
 */
export async function cli(argv: string[], io: CliIO = processIO()): Promise<number> {
  // yargs prints help and version through its logger; with a parse callback it hands them over instead.
  let output = '';
  try {
    await yargs()
      .scriptName('xmargin')
      .version(VERSION)
      .command(runCommand(io))
      .command(calibrateCommand(io))
      .command(nearcorrCommand(io))
      .command(explainCommand(io))
      .command(synthCommand(io))
      .command(sweepCommand(io))
      .demandCommand(1, 'name a command: run, calibrate, nearcorr, sweep, synth, explain')
      .strict()
      .wrap(Math.min(110, io.columns || 110))
      .exitProcess(false)
      .fail((msg, err) => {
        throw err ?? new CommandLineError(msg ?? 'bad command line');
      })
      .parseAsync(argv, {}, (_err, _argv, out) => {
        output = out;
      });
  } catch (err) {
    return report(err, io);
  }
  if (output) io.stdout.write(`${output}\n`);
  return 0;
}
