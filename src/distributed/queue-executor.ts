// The coordinator's side of a distributed run: an executor (engine/executor.ts) whose tasks go
// through a BullMQ queue in Redis to `xmargin worker` processes on any machine. The engine above
// it does not change: it cuts the same tasks, merges the same partial results, and because a
// task is a pure function of its fields (scenario i = f(seed, set, i)) the report has the bits of
// a local run, whichever worker ran which task.
//
// A run has its own queue (keys.ts), announced to the workers in `xm:runs`. A task goes out as a
// job whose id is the hash of its wire bytes, so the same task always has the same job: a
// coordinator restarted with the run's id (--resume) finds the tasks already finished, and a
// task two passes share runs once. A worker writes the result beside the run's keys and the job
// says it is done; the coordinator reads it and merges it as it would a thread's. Except a large
// set's range results: the executor stores them (storesResults), the coordinator reads only
// their digests, and the set's summary tasks merge them on the workers (queue-worker.ts).
import { createHash } from 'node:crypto';
import type { EventEmitter } from 'node:events';
import { Queue, QueueEvents } from 'bullmq';
import type { Redis } from 'ioredis';
import { RunError, UsageError, type TaskFailure } from '../errors.js';
import type { TaskExecutor } from '../engine/executor.js';
import type { EngineTask, PlanRef, TaskOutcome } from '../engine/task.js';
import {
  blobKey,
  engineFingerprint,
  newRunId,
  packKey,
  isRunId,
  PREFIX,
  planKey,
  queueDefaults,
  queueName,
  redactUrl,
  resultKey,
  runKey,
  runsChannel,
  runsKey,
  workersPattern,
} from './keys.js';
import { connect, removeRun } from './redis.js';
import { BulkLine } from './bulk-line.js';
import { readDoubles } from './values.js';
import { toWire } from './wire.js';

export interface QueueExecutorOptions {
  /** redis:// or rediss:// (TLS), with a password where the server needs one. */
  url: string;
  /** Resume this run (its finished tasks are reused); a new run when absent. */
  resume?: string;
  /**
   * Tasks the workers run at once in all: sizes and paces the tasks (a resumed run keeps its
   * own). Default: the sum of the concurrency the workers present announce, or 8 if none has.
   */
  concurrency?: number;
  /** Leave the run's keys in Redis at the end (they still expire). */
  keep?: boolean;
  ttlSeconds?: number;
}

/** Bytes through Redis for one run, by direction (the coordinator's view). */
export interface QueueTraffic {
  tasks: number;
  /** Task bytes queued (the jobs' payloads). */
  taskBytes: number;
  /** Plans and blobs stored (once each). */
  storedBytes: number;
  /** Result bytes read back. */
  resultBytes: number;
  /**
   * Result bytes the workers left in Redis and merged there (stored packs: task.ts
   * RangeTask.stored), never read by the coordinator; measured when the run ends.
   */
  keptBytes: number;
  /** Tasks whose result was already there (a resumed run). */
  reused: number;
  /** Tasks handed to another worker after theirs stopped answering. */
  stalled: number;
}

export interface QueueExecutor extends TaskExecutor {
  readonly runId: string;
  readonly resumed: boolean;
  traffic(): QueueTraffic;
}

/** A failure a worker sends as its job's failed reason (queue-worker.ts). */
export const FAILURE_PREFIX = 'xmargin-failure ';

/**
 * Connects, registers (or finds, to resume) the run, and returns its executor. Fails with exit 1
 * when Redis does not answer, exit 2 when the run to resume is not there.
 */
export async function createQueueExecutor(options: QueueExecutorOptions): Promise<QueueExecutor> {
  const ttl = options.ttlSeconds ?? queueDefaults.ttlSeconds;
  const where = redactUrl(options.url);
  let lost: TaskFailure | undefined;
  let closed = false;
  const onLost: (() => void)[] = [];
  const loseQueue = (why: string) => {
    // A connection that ends because the run closed it is no loss.
    if (lost || closed) return;
    lost = { code: 'queue-lost', message: `Redis at ${where}: ${why}` };
    for (const f of onLost.splice(0)) f();
  };
  const redis = await connect(options.url, { onGone: loseQueue });
  const fingerprint = engineFingerprint();
  let runId: string;
  let concurrency: number;
  const resumed = options.resume !== undefined;
  try {
    if (resumed) {
      runId = options.resume!;
      if (!isRunId(runId)) throw new UsageError(`--resume ${runId}: expected a run id of 12 hex digits, as the run printed`);
      const meta = await redis.hgetall(runKey(runId));
      if (!meta.engine)
        throw new UsageError(`--resume ${runId}: no such run in Redis at ${where} (finished, expired, or never started)`);
      if (meta.engine !== fingerprint)
        throw new UsageError(`--resume ${runId}: the run was started by engine ${meta.engine}, this is ${fingerprint}`);
      concurrency = Number(meta.concurrency);
    } else {
      runId = newRunId();
      concurrency = options.concurrency ?? ((await announcedSlots(redis)) || queueDefaults.concurrency);
      await redis
        .multi()
        .hset(runKey(runId), { engine: fingerprint, concurrency: String(concurrency), started: new Date().toISOString() })
        .expire(runKey(runId), ttl)
        .exec();
    }
    await redis.sadd(runsKey, runId);
    await redis.publish(runsChannel, `start ${runId}`);
  } catch (err) {
    redis.disconnect();
    throw err;
  }

  // BullMQ is given connections of ours (connect() watches them for a lost Redis); closing a
  // queue leaves a connection it was given open, so the run closes them itself.
  const connections = [
    await connect(options.url, { onGone: loseQueue }),
    await connect(options.url, { onGone: loseQueue, blocking: true }),
  ];
  // Results are read on a line of their own, into their arrays (bulk-line.ts).
  const results = new BulkLine(options.url);
  const queue = new Queue(queueName(runId), { connection: connections[0], prefix: PREFIX });
  const events = new QueueEvents(queueName(runId), { connection: connections[1], prefix: PREFIX });
  // Every task in flight listens for its job's events.
  events.setMaxListeners(0);
  // Without listeners an error event is thrown; the connections' own watch (onGone) decides.
  queue.on('error', () => {});
  events.on('error', () => {});
  await events.waitUntilReady();
  // The run's record lives while the run does; then it expires with everything else.
  const keepAlive = setInterval(() => void redis.expire(runKey(runId), ttl).catch(() => {}), 60_000);
  keepAlive.unref();

  /** Keys stored or being stored by this run: tasks in flight at once share one write of a blob. */
  const writes = new Map<string, Promise<void>>();
  const hashes = new WeakMap<ArrayBufferView, string>();
  const traffic: QueueTraffic = {
    tasks: 0,
    taskBytes: 0,
    storedBytes: 0,
    resultBytes: 0,
    keptBytes: 0,
    reused: 0,
    stalled: 0,
  };
  /** The jobs whose packs the workers keep in Redis. */
  const kept = new Set<string>();
  events.on('stalled', () => traffic.stalled++);
  let pending = 0;
  let planChecked: string | undefined;

  const store = (key: string, bytes: Uint8Array): Promise<void> => {
    let done = writes.get(key);
    if (!done) {
      // NX: a resumed run's plan is already there, and blobs are shared by content.
      done = redis.set(key, Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength), 'EX', ttl, 'NX').then(() => {
        traffic.storedBytes += bytes.byteLength;
      });
      // A failed write is tried again by the next task that needs it.
      done.catch(() => writes.delete(key));
      writes.set(key, done);
    }
    return done;
  };

  const untilLost = new Promise<TaskFailure>((resolve) => {
    if (lost) resolve(lost);
    else onLost.push(() => resolve(lost!));
  });

  /**
   * When a job ends: its completed or failed event, or its state if it ended before the events
   * were listened to. Not BullMQ's Job.waitUntilFinished: its promise executor is an async
   * function, so a Redis command that fails in it (Redis gone mid-run) is an unhandled rejection
   * that ends the process, where the run must fail with a message.
   */
  function finished(jobId: string): Promise<{ ok: true } | { ok: false; reason: string }> {
    // Per-job events (`completed:<id>`) are outside QueueEvents' typed list: the plain emitter.
    const bus = events as unknown as EventEmitter;
    return new Promise((resolve, reject) => {
      const onCompleted = () => settle({ ok: true });
      const onFailed = (args: { failedReason?: string }) => settle({ ok: false, reason: args.failedReason ?? 'failed' });
      const settle = (v: { ok: true } | { ok: false; reason: string }) => {
        bus.off(`completed:${jobId}`, onCompleted);
        bus.off(`failed:${jobId}`, onFailed);
        resolve(v);
      };
      bus.on(`completed:${jobId}`, onCompleted);
      bus.on(`failed:${jobId}`, onFailed);
      queue
        .getJobState(jobId)
        .then(async (state) => {
          if (state === 'completed') settle({ ok: true });
          else if (state === 'failed') settle({ ok: false, reason: (await queue.getJob(jobId))?.failedReason ?? 'failed' });
        })
        .catch((err: unknown) => {
          bus.off(`completed:${jobId}`, onCompleted);
          bus.off(`failed:${jobId}`, onFailed);
          reject(err);
        });
    });
  }

  async function runRemote(task: EngineTask): Promise<TaskOutcome> {
    const wire = toWire(task, hashes);
    const plan = planOf(task);
    if (plan && planChecked !== plan.id) {
      // The plan's id is its content hash: a resumed run must be the same inputs.
      const first = await redis.hsetnx(runKey(runId), 'plan', plan.id);
      const recorded = first ? plan.id : await redis.hget(runKey(runId), 'plan');
      if (recorded !== plan.id)
        return failed(`run ${runId} was started on other inputs: resume it with the same market, book and suite`);
      planChecked = plan.id;
    }
    if (plan) await store(planKey(runId, plan.id), plan.bytes);
    for (const [hash, bytes] of wire.blobs) await store(blobKey(runId, hash), bytes);
    const kind = 'kind' in task ? task.kind : 'range';
    const jobId = `${kind}-${createHash('sha256').update(wire.bytes).digest('hex').slice(0, 40)}`;
    traffic.tasks++;
    // A stored range task's result is its digest; its pack lies beside it for summary tasks (packKey).
    const packStored = !('kind' in task) && task.stored === true;
    if (packStored) kept.add(jobId);
    const stored = packStored ? { stored: jobId } : {};
    const done = await readDoubles(results, resultKey(runId, jobId));
    if (done) {
      traffic.reused++;
      return { ok: true, tails: done, ...stored };
    }
    const data = Buffer.from(wire.bytes.buffer, wire.bytes.byteOffset, wire.bytes.byteLength).toString('base64');
    traffic.taskBytes += data.length;
    const job = await queue.add(
      kind,
      { task: data, engine: fingerprint },
      // Retries are for workers that vanish or refuse (another engine); a task's own failure is final.
      { jobId, attempts: queueDefaults.maxStalls, backoff: { type: 'fixed', delay: 500 } },
    );
    const outcome = await finished(job.id!);
    if (!outcome.ok) {
      const reason = outcome.reason;
      if (reason.startsWith(FAILURE_PREFIX)) return { ok: false, failure: JSON.parse(reason.slice(FAILURE_PREFIX.length)) };
      return failed(reason);
    }
    const result = await readDoubles(results, resultKey(runId, jobId));
    if (!result) return failed(`the result of task ${jobId} is missing from Redis`);
    traffic.resultBytes += result.byteLength;
    return { ok: true, tails: result, ...stored };
  }

  return {
    runId,
    resumed,
    concurrency,
    sharesMemory: false,
    storesResults: true,
    traffic: () => ({ ...traffic }),
    async run(task) {
      if (closed) throw new Error('internal: task submitted to a closed executor');
      if (lost) return { ok: false, failure: lost };
      pending++;
      try {
        return await Promise.race([runRemote(task), untilLost.then((failure) => ({ ok: false as const, failure }))]);
      } catch (err) {
        // A command that failed because the connection went: say so, not the command's error.
        const message = err instanceof Error ? err.message : String(err);
        if (lost) return { ok: false, failure: lost };
        if ([redis, ...connections].some((c) => c.status !== 'ready'))
          return {
            ok: false,
            failure: { code: 'queue-lost', message: `Redis at ${where}: the connection was lost (${message})` },
          };
        return failed(message);
      } finally {
        pending--;
      }
    },
    pending: () => pending,
    async close() {
      if (closed) return;
      closed = true;
      clearInterval(keepAlive);
      try {
        const troubled = lost || [redis, ...connections].some((c) => c.status !== 'ready');
        if (!troubled && kept.size > 0) {
          const sizes = redis.pipeline();
          for (const job of kept) sizes.strlen(packKey(runId, job));
          for (const [err, n] of (await sizes.exec()) ?? []) if (!err) traffic.keptBytes += Number(n);
        }
        if (!options.keep && !troubled) {
          await redis.srem(runsKey, runId);
          await redis.publish(runsChannel, `end ${runId}`);
          await removeRun(redis, queue, runId);
        }
      } catch {
        // Redis went while the run was being removed: its keys expire (keys.ts), and the
        // workers remove its queue once its record has; the run's own outcome stands.
      } finally {
        // With Redis gone, BullMQ's close would wait for it: give it a moment, then cut the lines.
        await Promise.race([Promise.allSettled([queue.close(), events.close()]), sleep(lost ? 0 : 2_000)]);
        for (const c of [...connections, redis]) c.disconnect();
        results.close();
      }
    },
  };
}

/** The slots of the workers present now (their presence keys), 0 when none is. */
async function announcedSlots(redis: Redis): Promise<number> {
  let slots = 0;
  let cursor = '0';
  do {
    const [next, keys] = await redis.scan(cursor, 'MATCH', workersPattern, 'COUNT', 1000);
    cursor = next;
    if (keys.length > 0) for (const v of await redis.mget(...keys)) slots += Number(v) > 0 ? Number(v) : 0;
  } while (cursor !== '0');
  return slots;
}

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms).unref());

function failed(message: string): TaskOutcome {
  return { ok: false, failure: { code: 'task-failed', message } };
}

/** The plan a task runs on (a batch's tasks share one); a summary task needs none. */
function planOf(task: EngineTask): PlanRef | undefined {
  if ('plan' in task) return task.plan;
  if ('tasks' in task && task.tasks.length > 0) return task.tasks[0].plan;
  if ('kind' in task && task.kind === 'summary') return undefined;
  throw new RunError('internal: a task without a plan cannot run on the queue');
}
