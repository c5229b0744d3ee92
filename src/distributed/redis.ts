// Connections to the job queue's Redis, and the removal of a finished run's keys. A connection
// that cannot reach Redis for `queueDefaults.reconnectMs` gives up and says so (onGone): a run
// then fails with a clear message instead of waiting forever on a queue that is not there.
import type { Queue } from 'bullmq';
import { Redis } from 'ioredis';
import { RunError } from '../errors.js';
import { queueDefaults, redactUrl, runKey, runPattern } from './keys.js';

export interface ConnectOptions {
  /** Called once when the connection is gone for good (Redis down longer than reconnectMs). */
  onGone?: (why: string) => void;
  /** For BullMQ's blocking connections (workers, queue events): no per-command retry limit. */
  blocking?: boolean;
  /** Keep reconnecting for ever (a worker outlives Redis restarts). */
  persistent?: boolean;
}

/** A ready connection to `url`, or a RunError (exit 1) saying why there is none. */
export async function connect(url: string, options: ConnectOptions = {}): Promise<Redis> {
  const where = redactUrl(url);
  let downSince: number | undefined;
  let lastError = '';
  let connected = false;
  let client: Redis;
  try {
    client = new Redis(url, {
      lazyConnect: true,
      // BullMQ needs null on blocking connections; elsewhere a command fails rather than wait.
      maxRetriesPerRequest: options.blocking || options.persistent ? null : 2,
      connectTimeout: queueDefaults.reconnectMs,
      retryStrategy: (times) => {
        const now = Date.now();
        downSince ??= now;
        // Before the first connection, one refusal is the answer; after it, a while to come back.
        if (!connected || (!options.persistent && now - downSince > queueDefaults.reconnectMs)) return null;
        return Math.min(100 * times, 1000);
      },
    });
  } catch (err) {
    throw new RunError(`cannot use Redis URL ${where}: ${err instanceof Error ? err.message : String(err)}`, {
      code: 'queue-lost',
    });
  }
  client.on('error', (err: Error) => (lastError = err.message));
  client.on('ready', () => (downSince = undefined));
  client.on('end', () => {
    if (connected) options.onGone?.(`the connection was lost${lastError ? ` (${lastError})` : ''}`);
  });
  try {
    await client.connect();
    connected = true;
  } catch (err) {
    client.disconnect();
    const why = lastError || (err instanceof Error ? err.message : String(err));
    throw new RunError(`cannot reach Redis at ${where}: ${why}`, { code: 'queue-lost' });
  }
  return client;
}

/** Removes a run's queue (BullMQ's keys), its stored plan, blobs and results, and its record. */
export async function removeRun(redis: Redis, queue: Queue, run: string): Promise<void> {
  await queue.obliterate({ force: true });
  let cursor = '0';
  do {
    const [next, keys] = await redis.scan(cursor, 'MATCH', runPattern(run), 'COUNT', 1000);
    cursor = next;
    if (keys.length > 0) await redis.del(...keys);
  } while (cursor !== '0');
  await redis.del(runKey(run));
}
