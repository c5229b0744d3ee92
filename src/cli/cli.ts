import yargs, { type Argv, type CommandModule } from 'yargs';
import { ArgumentError, BreachError, exitCodeOf, InputError, RunError, UsageError, type ArgumentParameter } from '../errors.js';
import { suggest } from '../model/issues.js';
import { VERSION } from '../version.js';
import { calibrateCommand } from './calibrate-command.js';
import { explainCommand } from './explain-command.js';
import { processIO, type CliIO } from './io.js';
import { nearcorrCommand } from './nearcorr-command.js';
import { reportCommand } from './report-command.js';
import { runCommand } from './run-command.js';
import { synthCommand } from './synth-command.js';
import { sweepCommand } from './sweep-command.js';
import { serveCommand } from './serve-command.js';
import { workerCommand } from './worker-command.js';

export type { CliIO, Writer } from './io.js';
export { processIO } from './io.js';

/** The flag each library argument comes from (`daysPerYear`: `--days-per-year`), to name it when the library refuses the value. */
const flagOf = (parameter: ArgumentParameter): string => `--${parameter.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`)}`;

/** A mistake yargs finds on the command line: an unknown flag or command, a missing or bad value. */
class CommandLineError extends UsageError {}

/**
 * A command whose builder also records the flags it defines (with help and version), so that an
 * unknown flag can be matched against the flags of the command being parsed.
 */
function recordingFlags<T>(command: CommandModule<object, T>, record: (flags: string[]) => void): CommandModule<object, T> {
  const build = command.builder as (y: Argv) => Argv<T>;
  return {
    ...command,
    builder: (y: Argv) => {
      const built = build(y);
      record(Object.keys((built as unknown as { getOptions(): { key: Record<string, unknown> } }).getOptions().key));
      return built;
    },
  };
}

const camel = (s: string) => s.replace(/-([a-z])/g, (_, c: string) => c.toUpperCase());

/**
 * yargs' "Unknown argument(s): a, b" with a suggestion for each, as an unknown field of an input
 * file gets one: a flag is matched against the flags of the command being parsed (`flags`), a
 * word that is no flag against the commands when none was recognised. Other messages pass as
 * they are.
 */
export function withSuggestions(
  message: string,
  argv: ReadonlyArray<string>,
  flags: ReadonlyArray<string> | undefined,
  commands: ReadonlyArray<string>,
): string {
  const m = /^Unknown arguments?: (.*)$/.exec(message);
  if (!m) {
    // yargs reports missing required flags before unknown ones, and a typo in a required flag is
    // both: name the unknown ones too, with their suggestions.
    if (!flags) return message;
    const unknown = argv
      .filter((a) => a.startsWith('--') && a.length > 2)
      .map((a) => a.slice(2).replace(/=.*/, ''))
      .filter((n) => !flags.includes(n) && !flags.includes(n.replace(/^no-/, '')));
    return unknown.length
      ? `${message}\n${withSuggestions(`Unknown arguments: ${unknown.join(', ')}`, argv, flags, commands)}`
      : message;
  }
  const listed = m[1].split(', ');
  // yargs names an unknown --kebab-case flag twice, also as its camelCase alias.
  const names = listed.filter((n) => !listed.some((o) => o !== n && o.includes('-') && camel(o) === n));
  const given = (n: string) =>
    argv.find((a) => a === `--${n}` || a.startsWith(`--${n}=`) || a === `-${n}` || a === `--no-${n}`)?.replace(/=.*/, '');
  const described = names.map((n) => {
    const flag = given(n);
    if (flag) {
      const near =
        flags &&
        suggest(
          n,
          flags.filter((f) => f.length > 1 && f === f.toLowerCase()),
        );
      return near ? `${flag} (did you mean ${flag.startsWith('--no-') ? '--no-' : '--'}${near}?)` : flag;
    }
    // A word that is no flag: a mistyped command if none was recognised, else a stray argument.
    const near = flags ? undefined : suggest(n, commands);
    return near ? `${n} (did you mean "${near}"?)` : n;
  });
  return `Unknown argument${described.length === 1 ? '' : 's'}: ${described.join(', ')}`;
}

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
  const known = err instanceof InputError || err instanceof UsageError || err instanceof RunError || err instanceof BreachError;
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
  // The flags of the command being parsed, recorded by its builder; none until a command matches.
  let flags: string[] | undefined;
  const record = (f: string[]) => (flags = f);
  const commands = ['run', 'report', 'calibrate', 'nearcorr', 'explain', 'synth', 'sweep', 'serve', 'worker'];
  try {
    await yargs()
      .scriptName('xmargin')
      .version(VERSION)
      .command(recordingFlags(runCommand(io), record))
      .command(recordingFlags(reportCommand(io), record))
      .command(recordingFlags(calibrateCommand(io), record))
      .command(recordingFlags(nearcorrCommand(io), record))
      .command(recordingFlags(explainCommand(io), record))
      .command(recordingFlags(synthCommand(io), record))
      .command(recordingFlags(sweepCommand(io), record))
      .command(recordingFlags(serveCommand(io), record))
      .command(recordingFlags(workerCommand(io), record))
      .demandCommand(1, 'name a command: run, report, calibrate, nearcorr, sweep, synth, explain, serve, worker')
      .strict()
      .wrap(Math.min(110, io.columns || 110))
      .exitProcess(false)
      .fail((msg, err) => {
        throw err ?? new CommandLineError(withSuggestions(msg ?? 'bad command line', argv, flags, commands));
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
