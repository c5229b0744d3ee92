#!/usr/bin/env node
// The xmargin executable: the CLI (cli.ts) on the process's own arguments and streams.
import { hideBin } from 'yargs/helpers';
import { cli, processIO } from './cli.js';

// The first SIGINT or SIGTERM cancels the running command: its tasks stop at their next chunk,
// nothing is written, and it exits 1 with a message. A second one exits at once.
const controller = new AbortController();
const cancel = (signal: NodeJS.Signals) => {
  if (controller.signal.aborted) process.exit(signal === 'SIGINT' ? 130 : 143);
  controller.abort();
};
process.on('SIGINT', cancel);
process.on('SIGTERM', cancel);
const code = await cli(hideBin(process.argv), { ...processIO(), signal: controller.signal });
process.exitCode = code;
// Exit once the output is out, even if something still holds the event loop open (a worker pool
// after a failed run): the last write's callback runs when the stream has taken it.
const flushed = (s: NodeJS.WriteStream) => new Promise<void>((done) => s.write('', () => done()));
await Promise.all([flushed(process.stdout), flushed(process.stderr)]);
setImmediate(() => process.exit(code)).unref();
