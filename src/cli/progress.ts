import cliProgress from 'cli-progress';
import type { ProgressEvent } from '../run.js';
import type { CliIO } from './io.js';

/**
 * A progress bar on stderr while scenario chunks run, only when stderr is a terminal: stdout
 * stays clean for data (--json), and logs in CI (and tests, which capture stderr) get no control
 * characters. A terminal stderr is a process's tty stream, which cli-progress drives.
 */
export function progressBar(
  enabled: boolean,
  stderr: CliIO['stderr'],
): { onProgress?: (e: ProgressEvent) => void; stop: () => void } {
  if (!enabled || !stderr.isTTY) return { stop: () => {} };
  const bar = new cliProgress.SingleBar(
    {
      stream: stderr as NodeJS.WritableStream,
      format: 'scenarios {bar} {percentage}% | {value}/{total} | {set}',
      hideCursor: true,
      clearOnComplete: true,
    },
    cliProgress.Presets.shades_classic,
  );
  let started = false;
  return {
    onProgress: (e) => {
      if (!started) {
        bar.start(e.allTotal, 0, { set: e.set });
        started = true;
      }
      // The total grows when a set must be run again (engine/pilot.ts).
      if (e.allTotal !== bar.getTotal()) bar.setTotal(e.allTotal);
      bar.update(e.allDone, { set: e.set });
    },
    stop: () => {
      if (started) bar.stop();
    },
  };
}
