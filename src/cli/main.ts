#!/usr/bin/env node
import yargs from 'yargs';
import { hideBin } from 'yargs/helpers';
import { exitCodeOf, InputError, RunError, UsageError } from '../errors.js';
import { VERSION } from '../version.js';
import { calibrateCommand } from './calibrate-command.js';
import { explainCommand } from './explain-command.js';
import { nearcorrCommand } from './nearcorr-command.js';
import { runCommand } from './run-command.js';
import { synthCommand } from './synth-command.js';
import { sweepCommand } from './sweep-command.js';

/**
 * Exit codes are the contract's: 0 success, 2 bad input or usage, 1 anything else. yargs' own
 * default is 1 for usage errors and it prints the help on a throwing handler, so every failure is
 * routed through `.fail` and mapped here, once.
 */
function report(err: unknown): never {
  const code = exitCodeOf(err);
  const message = err instanceof Error ? err.message : String(err);
  const known = err instanceof InputError || err instanceof UsageError || err instanceof RunError;
  process.stderr.write(`xmargin: ${message}\n`);
  if (!known && process.env.XMARGIN_DEBUG && err instanceof Error && err.stack) process.stderr.write(`${err.stack}\n`);
  process.exit(code);
}

export async function main(argv: string[]): Promise<void> {
  await yargs(argv)
    .scriptName('xmargin')
    .version(VERSION)
    .command(runCommand)
    .command(calibrateCommand)
    .command(nearcorrCommand)
    .command(explainCommand)
    .command(synthCommand)
    .command(sweepCommand)
    .demandCommand(1, 'name a command: run, calibrate, nearcorr, sweep, synth, explain')
    .strict()
    .wrap(Math.min(110, process.stdout.columns || 110))
    .fail((msg, err) => {
      if (err) report(err);
      process.stderr.write(`xmargin: ${msg}\nRun "xmargin --help" for usage.\n`);
      process.exit(2);
    })
    .parseAsync();
}

main(hideBin(process.argv)).catch(report);
