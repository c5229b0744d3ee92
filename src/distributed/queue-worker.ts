// The worker's side of a distributed run (`xmargin worker`): a long-running process that takes
// tasks from every run announced in Redis, runs them on its own pool of WASM threads, and writes
// back their results. It keeps each plan and blob it fetched, by content hash, so a plan crosses
// the network once per worker, not once per task. A stored range task's pack stays in Redis (and
// in this worker's memory) for the set's summary tasks, which any worker runs on slices of the
// packs (withSlices); the coordinator gets the pack's digest.
//
// Runs come and go: the worker reads `xm:runs` at start and every few seconds, and listens on
// the channel of the same name, so it serves a run from its first task and stops serving it when
// it ends. A run whose record expired (its coordinator died and nobody resumed it) is removed by
// whichever worker notices, so nothing stays in Redis for longer than a run's keys live.
import { randomBytes } from 'node:crypto';
import { Queue, UnrecoverableError, Worker, type Job } from 'bullmq';
import type { Redis } from 'ioredis';
import type { TaskExecutor } from '../engine/executor.js';
import { COVER_WIDTH } from '../engine/cover.js';
import { isStoredPack, packCounts, packSlice, sliceBounds, type PackedTails } from '../engine/exact-tails.js';
import { decodePlan } from '../engine/plan-codec.js';
import { isSummaryTask, type EngineTask, type RangeTask, type SummaryTask } from '../engine/task.js';
import { createThreadExecutor } from '../engine/thread-executor.js';
import {
  blobKey,
  engineFingerprint,
  PREFIX,
  packKey,
  planKey,
  queueDefaults,
  queueName,
  resultKey,
  runKey,
  runsChannel,
  runsKey,
  workerKey,
} from './keys.js';
import { connect, removeRun } from './redis.js';
import { FAILURE_PREFIX } from './queue-executor.js';
import { BulkLine } from './bulk-line.js';
import { blobRefs, fromWire, resolveBlobs } from './wire.js';
import { ByteLru } from '../util/byte-lru.js';

export interface QueueWorkerOptions {
  url: string;
  /** Tasks at once (and threads in the pool): default one per core. */
  concurrency: number;
  /** How long a task is held for this worker before another may take it (queueDefaults.lockMs). */
  lockMs?: number;
  /** How often the worker looks for runs it missed and runs that expired. */
  pollMs?: number;
  ttlSeconds?: number;
  log?: (line: string) => void;
  /** Also a line per task started and done. */
  verbose?: boolean;
}

export interface QueueWorker {
  /** Tasks finished, failed and refused since start. */
  stats(): { done: number; failed: number; refused: number };
  /** Runs served now. */
  runs(): string[];
  /** This worker's id (its presence key, keys.ts workerKey). */
  readonly id: string;
  /** Stops taking tasks, finishes those running (or hands them back), then closes. */
  close(): Promise<void>;
}

/** Bytes of blobs a worker keeps (the least recently used dropped beyond it); plans are kept apart. */
const BLOB_CACHE_BYTES = 256 * 2 ** 20;
/** Plans a worker keeps. */
const PLANS_KEPT = 4;
/**
 * Bytes of its own stored packs a worker keeps (the least recently used dropped beyond it): a
 * summary task that finds a pack here slices it in memory instead of reading it back from Redis.
 * With two workers that is about half of every set's results not read again (L: 165 MB a set
 * per worker). A pack not kept is read from Redis, with the same bits.
 */
const OWN_PACKS_BYTES = 512 * 2 ** 20;

export async function startQueueWorker(options: QueueWorkerOptions): Promise<QueueWorker> {
  const log = options.log ?? (() => {});
  const lockMs = options.lockMs ?? queueDefaults.lockMs;
  const ttl = options.ttlSeconds ?? queueDefaults.ttlSeconds;
  const fingerprint = engineFingerprint();
  const redis = await connect(options.url, { persistent: true });
  const subscriber = await connect(options.url, { persistent: true });
  const executor: TaskExecutor = createThreadExecutor(options.concurrency);
  // Results, slices of results, plans and blobs move on a line of their own (bulk-line.ts), one
  // at a time; the queue's commands are not held up behind them.
  const line = new BulkLine(options.url);
  const plans = new ByteLru<Uint8Array>(Infinity, PLANS_KEPT);
  const blobs = new ByteLru<Uint8Array>(BLOB_CACHE_BYTES);
  /** This worker's stored packs, by their result key. */
  const ownPacks = new ByteLru<Float64Array>(OWN_PACKS_BYTES);
  const stats = { done: 0, failed: 0, refused: 0 };
  const workerId = randomBytes(6).toString('hex');
  /** Per run served, its BullMQ worker and the connection it was given (which closing the worker leaves open). */
  const served = new Map<string, { worker: Worker; connection: Redis }>();
  /** Tasks done per run served, for the line said when it ends. */
  const perRun = new Map<string, number>();
  let closing = false;

  // A value of the run's in Redis, kept under its content hash (`id`) for later tasks and runs.
  const cached = async (
    cache: ByteLru<Uint8Array>,
    id: string,
    key: string,
    make: (b: Uint8Array) => Uint8Array,
  ): Promise<Uint8Array | undefined> => {
    const hit = cache.get(id);
    if (hit) return hit;
    const bytes = await line.get(key);
    if (!bytes) return undefined;
    const v = make(bytes);
    cache.set(id, v);
    return v;
  };

  async function runJob(run: string, job: Job<{ task: string; engine: string }>): Promise<{ bytes: number }> {
    if (job.data.engine !== fingerprint) {
      stats.refused++;
      const message = `worker ${fingerprint} refuses a task of engine ${job.data.engine}: mixed engine versions would mix numbers; run workers built from the coordinator's version`;
      log(`run ${run}: ${message}`);
      // Retried (another worker may be of the right version); the last refusal fails the run with it.
      throw new Error(message);
    }
    const decoded = fromWire(Buffer.from(job.data.task, 'base64')) as Record<string, unknown>;
    const planIds = new Set<string>();
    collectPlans(decoded, planIds);
    const planBytes = new Map<string, Uint8Array>();
    for (const id of planIds) {
      // Shared memory: the pool's threads read the plan where it lies.
      const plan = await cached(plans, id, planKey(run, id), (b) => {
        const shared = new Uint8Array(new SharedArrayBuffer(b.byteLength));
        shared.set(b);
        return shared;
      });
      if (!plan) throw new UnrecoverableError(failure(`the plan ${id} of run ${run} is not in Redis (expired or removed)`));
      planBytes.set(id, plan);
    }
    const fetched = new Map<string, Uint8Array>();
    for (const ref of blobRefs(decoded)) {
      // line.get gives a fresh array of its own: kept as it is.
      const b = await cached(blobs, ref.hash, blobKey(run, ref.hash), (x) => x);
      if (!b) throw new UnrecoverableError(failure(`a blob of run ${run} is not in Redis (expired or removed)`));
      fetched.set(ref.hash, b);
    }
    let task = attachPlans(resolveBlobs(decoded, fetched), planBytes) as EngineTask;
    let borrowed: SharedArrayBuffer | undefined;
    if (isSummaryTask(task)) ({ task, buffer: borrowed } = await withSlices(run, task));
    if (options.verbose) log(`run ${run}: task ${job.id} started`);
    const outcome = await executor.run(task).finally(() => {
      if (borrowed) scratch.push(borrowed);
    });
    if (!outcome.ok) {
      stats.failed++;
      // A thread that died is this machine's trouble: another worker may do better. Anything
      // else (a non-finite value, a trap) is the task's own and would fail anywhere.
      if (outcome.failure.code === 'worker-exit') throw new Error(outcome.failure.message);
      throw new UnrecoverableError(FAILURE_PREFIX + JSON.stringify(outcome.failure));
    }
    const r = outcome.tails;
    // A run that ended meanwhile (failed elsewhere, or cancelled) wants nothing more.
    if (!(await redis.exists(runKey(run)))) throw new UnrecoverableError(failure(`run ${run} ended`));
    if (!('kind' in task) && task.stored) {
      // The pack stays here for the set's summary tasks; the coordinator reads its digest. The
      // pack first: a digest in Redis always has its pack beside it.
      const head = task.cover ? COVER_WIDTH : 0;
      const counts = packCounts(r, head, seriesOf(task), task.bar);
      await line.set(packKey(run, job.id!), [r], ttl);
      ownPacks.set(packKey(run, job.id!), r);
      await line.set(resultKey(run, job.id!), [r.subarray(0, head), counts], ttl);
    } else await line.set(resultKey(run, job.id!), [r], ttl);
    stats.done++;
    perRun.set(run, (perRun.get(run) ?? 0) + 1);
    if (options.verbose) log(`run ${run}: task ${job.id} done`);
    return { bytes: r.byteLength };
  }

  /** Series a range task keeps tails of: its group's, or every series of its plan. */
  const seriesCounts = new Map<string, number>();
  function seriesOf(task: RangeTask): number {
    if (task.series) return task.series.to - task.series.from;
    let n = seriesCounts.get(task.plan.id);
    if (n === undefined) {
      n = decodePlan(task.plan.bytes).holdings.nSeries;
      seriesCounts.set(task.plan.id, n);
    }
    return n;
  }

  /**
   * Scratch for summary tasks' slices, in shared memory for the pool's threads, reused from task to
   * task (grown when a task needs more): fresh memory is what costs on the machines measured
   * (bulk-line.ts), and a set's summary tasks read about its whole results between them.
   */
  const scratch: SharedArrayBuffer[] = [];

  /**
   * The summary task over its series' slices of each pack (exact-tails.ts packSlice), laid out in
   * one scratch buffer: from a stored pack only those slices are read from Redis, about a task's
   * share of the set's results. The slices merge to the bits of the whole packs. Returns the task
   * and the buffer, to be handed back once the task is done.
   */
  async function withSlices(run: string, task: SummaryTask): Promise<{ task: SummaryTask; buffer: SharedArrayBuffer }> {
    const { nSeries, from, to } = task;
    const n = to - from;
    const gone = () => new UnrecoverableError(failure(`a result of run ${run} is not in Redis (expired or removed)`));
    // Each pack's sizes first: they say where its slice lies and how long it is.
    const bounds: { values: number; indices: number; count: number; sizes?: Float64Array }[] = [];
    // Packs in memory: the task's own (a pilot's merged list) and this worker's stored ones.
    const local = task.packs.map((p) => (isStoredPack(p) ? ownPacks.get(packKey(run, p.stored)) : p.data));
    const sized = await Promise.all(
      task.packs.map(async (p, q) => {
        const data = local[q];
        if (data) return sliceBounds(data.subarray(p.start, p.start + nSeries), p.start, from, to);
        if (!isStoredPack(p)) throw new Error('internal: a pack neither in the task nor stored');
        const sizes = new Float64Array(nSeries);
        if (!(await line.read(packKey(run, p.stored), p.start * 8, new Uint8Array(sizes.buffer)))) return undefined;
        return { ...sliceBounds(sizes, p.start, from, to), sizes };
      }),
    );
    for (const b of sized) {
      if (!b) throw gone();
      bounds.push(b);
    }
    const need = 8 * bounds.reduce((a, b) => a + n + 2 * b.count, 0);
    let buffer = scratch.pop();
    if (!buffer || buffer.byteLength < need) buffer = new SharedArrayBuffer(Math.max(need, buffer?.byteLength ?? 0));
    const packs: PackedTails[] = [];
    let at = 0;
    const reads: Promise<boolean>[] = [];
    task.packs.forEach((p, q) => {
      const { values, indices, count, sizes } = bounds[q];
      const data = new Float64Array(buffer, at, n + 2 * count);
      at += data.byteLength;
      packs.push({ data, start: 0 });
      const here = local[q];
      if (here) {
        packSlice(here, p.start, nSeries, from, to, data);
        return;
      }
      if (!isStoredPack(p)) return;
      data.set(sizes!.subarray(from, to));
      const bytes = new Uint8Array(data.buffer, data.byteOffset, data.byteLength);
      const key = packKey(run, p.stored);
      reads.push(line.read(key, values * 8, bytes.subarray(8 * n, 8 * (n + count))));
      reads.push(line.read(key, indices * 8, bytes.subarray(8 * (n + count))));
    });
    if (!(await Promise.all(reads)).every(Boolean)) {
      scratch.push(buffer);
      throw gone();
    }
    return { task: { ...task, packs, nSeries: n, from: 0, to: n }, buffer };
  }

  const serve = async (run: string) => {
    if (served.has(run) || closing) return;
    const connection = await connect(options.url, { blocking: true, persistent: true });
    if (served.has(run) || closing) {
      connection.disconnect();
      return;
    }
    const worker = new Worker(queueName(run), (job) => runJob(run, job), {
      connection,
      prefix: PREFIX,
      concurrency: options.concurrency,
      lockDuration: lockMs,
      stalledInterval: lockMs,
      maxStalledCount: queueDefaults.maxStalls,
    });
    worker.on('error', (err) => log(`run ${run}: ${err.message}`));
    worker.on('failed', (job, err) => log(`run ${run}: task ${job?.id} failed: ${err.message}`));
    served.set(run, { worker, connection });
    log(`serving run ${run}`);
  };

  const leave = async (run: string) => {
    const s = served.get(run);
    if (!s) return;
    served.delete(run);
    // Its packs are of no use to anyone now either.
    ownPacks.dropWhere((key) => key.startsWith(resultKey(run, '')));
    // The run is over: its running tasks are of no use to anyone.
    await s.worker.close(true).catch(() => {});
    s.connection.disconnect();
    log(`run ${run} ended: ${perRun.get(run) ?? 0} tasks done here`);
    perRun.delete(run);
  };

  /** Serves every announced run; removes those whose record expired (their coordinator is gone). */
  const survey = async () => {
    // Present, with this many slots: a coordinator not told its workers' concurrency sums these.
    await redis.set(workerKey(workerId), String(options.concurrency), 'EX', queueDefaults.presenceSeconds);
    const runs = await redis.smembers(runsKey);
    for (const run of runs) {
      if (await redis.exists(runKey(run))) await serve(run);
      else {
        await leave(run);
        const queue = new Queue(queueName(run), { connection: redis, prefix: PREFIX });
        await removeRun(redis, queue, run).catch(() => {});
        await queue.close().catch(() => {});
        await redis.srem(runsKey, run);
        log(`run ${run} expired: removed`);
      }
    }
    for (const run of [...served.keys()]) if (!runs.includes(run)) await leave(run);
  };

  subscriber.on('message', (_channel: string, message: string) => {
    const [what, run] = message.split(' ');
    if (what === 'start') void serve(run).catch((err: Error) => log(`run ${run}: ${err.message}`));
    else if (what === 'end') void leave(run);
  });
  await subscriber.subscribe(runsChannel);
  await survey();
  const poll = setInterval(() => void survey().catch((err: Error) => log(`survey: ${err.message}`)), options.pollMs ?? 5_000);

  return {
    id: workerId,
    stats: () => ({ ...stats }),
    runs: () => [...served.keys()],
    async close() {
      closing = true;
      clearInterval(poll);
      // Not forced: running tasks finish and report; waiting ones stay queued for other workers.
      // With Redis gone nothing can be reported: after a while, stop regardless (BullMQ hands
      // a task whose lock lapses to another worker).
      const all = [...served.values()];
      served.clear();
      const closed = Promise.allSettled(all.map((s) => s.worker.close()));
      await Promise.race([closed, sleep(redis.status === 'ready' ? lockMs * 2 : 1_000)]);
      await executor.close();
      await Promise.race([redis.del(workerKey(workerId)).catch(() => {}), sleep(500)]);
      for (const c of [...all.map((s) => s.connection), subscriber, redis]) c.disconnect();
      line.close();
    },
  };
}

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms).unref());

function failure(message: string): string {
  return FAILURE_PREFIX + JSON.stringify({ code: 'task-failed', message });
}

function collectPlans(v: unknown, out: Set<string>): void {
  if (Array.isArray(v)) for (const x of v) collectPlans(x, out);
  else if (v && typeof v === 'object' && !ArrayBuffer.isView(v)) {
    for (const [k, x] of Object.entries(v)) {
      if (k === 'plan' && x && typeof x === 'object' && typeof (x as { id?: unknown }).id === 'string')
        out.add((x as { id: string }).id);
      else collectPlans(x, out);
    }
  }
}

/** The task with each `plan: { id }` given its bytes back. */
function attachPlans(v: unknown, plans: Map<string, Uint8Array>): unknown {
  if (Array.isArray(v)) return v.map((x) => attachPlans(x, plans));
  if (v && typeof v === 'object' && !ArrayBuffer.isView(v)) {
    const out: Record<string, unknown> = {};
    for (const [k, x] of Object.entries(v)) {
      if (k === 'plan' && x && typeof x === 'object' && typeof (x as { id?: unknown }).id === 'string') {
        const id = (x as { id: string }).id;
        out.plan = { id, bytes: plans.get(id)! };
      } else out[k] = attachPlans(x, plans);
    }
    return out;
  }
  return v;
}
