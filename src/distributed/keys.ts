// Where a distributed run keeps things in Redis, and for how long. Every key is under `xm:`;
// every key a run writes expires (`ttlSeconds`) unless the run removes it first, so a run that
// dies leaves nothing for longer than that. BullMQ's own keys for a run's queue are under
// `xm:q-<run>:` and removed with the queue when the run ends.
import { createHash, randomBytes } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fromRoot } from '../paths.js';
import { VERSION } from '../version.js';

export const queueDefaults = {
  /** Seconds every key a run writes lives at most (a day): long enough to resume, then gone. */
  ttlSeconds: 24 * 3600,
  /**
   * Tasks the queue's workers run at once in all, as the coordinator sizes and paces tasks, when
   * it is not told and no worker has announced itself yet.
   */
  concurrency: 8,
  /** Seconds a worker's presence lives unless renewed (every survey, 5 s). */
  presenceSeconds: 15,
  /**
   * How long a task stays with a worker that stopped answering before another takes it: the
   * BullMQ lock, renewed by a live worker every half of it. A killed worker's task waits this
   * long (and up to one stalled-check interval more).
   */
  lockMs: 30_000,
  /** How many times a task whose worker vanished is handed to another before the run fails. */
  maxStalls: 3,
  /** How long the coordinator waits for Redis to come back before it fails the run. */
  reconnectMs: 5_000,
} as const;

export const PREFIX = 'xm';
export const runsKey = `${PREFIX}:runs`;
export const runsChannel = `${PREFIX}:runs`;
// A run's plan and blobs are stored under the run (so that ending a run removes what it stored,
// whatever other runs hold), and cached by workers under their content hash alone.
export const planKey = (run: string, planId: string) => `${PREFIX}:${run}:plan:${planId}`;
export const blobKey = (run: string, hash: string) => `${PREFIX}:${run}:blob:${hash}`;
export const resultKey = (run: string, job: string) => `${PREFIX}:${run}:res:${job}`;
/** The pack a stored range task left (task.ts RangeTask.stored), beside its digest at resultKey. */
export const packKey = (run: string, job: string) => `${PREFIX}:${run}:res:${job}:pack`;
/** Everything of a run's own but its queue. */
export const runPattern = (run: string) => `${PREFIX}:${run}:*`;
export const runKey = (run: string) => `${PREFIX}:run:${run}`;
/** A live worker's presence, holding its concurrency; it expires unless the worker renews it. */
export const workerKey = (id: string) => `${PREFIX}:worker:${id}`;
export const workersPattern = `${PREFIX}:worker:*`;
/** The run's BullMQ queue (keys `xm:q-<run>:...` with BullMQ's prefix set to `xm`). */
export const queueName = (run: string) => `q-${run}`;

/** A new run's id: short enough to type after --resume. */
export function newRunId(): string {
  return randomBytes(6).toString('hex');
}

export function isRunId(s: string): boolean {
  return /^[0-9a-f]{12}$/.test(s);
}

let fingerprint: string | undefined;

/**
 * The engine's identity for mixing numbers across machines: the package version and a hash of
 * the kernels and the compiled engine code that runs tasks. Two builds that could compute a task
 * differently differ here, and a worker refuses a task from a coordinator of another.
 */
export function engineFingerprint(): string {
  if (process.env.XMARGIN_ENGINE_FINGERPRINT) return process.env.XMARGIN_ENGINE_FINGERPRINT;
  if (fingerprint) return fingerprint;
  const hash = createHash('sha256');
  hash.update(readFileSync(fromRoot('build', 'xmargin.wasm')));
  for (const dir of [fromRoot('dist', 'src', 'engine'), fromRoot('dist', 'src', 'kernels'), fromRoot('dist', 'src', 'risk')]) {
    let names: string[] = [];
    try {
      names = readdirSync(dir)
        .filter((n) => n.endsWith('.js') || n.endsWith('.cjs'))
        .sort();
    } catch {
      // Run from source (tests): the kernels' bytes still identify the numbers.
    }
    for (const n of names) hash.update(n).update(readFileSync(join(dir, n)));
  }
  return (fingerprint = `${VERSION}+${hash.digest('hex').slice(0, 12)}`);
}

/** A Redis URL as it may be printed: without its password. */
export function redactUrl(url: string): string {
  try {
    const u = new URL(url);
    if (u.password) u.password = '***';
    return u.toString();
  } catch {
    return '<redis url>';
  }
}
