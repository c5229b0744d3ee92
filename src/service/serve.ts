// The service's life: validate the inputs as `run` does, run the suite once, keep every set's row
// vectors for what-ifs, and serve. Everything that can fail on the inputs fails before anything
// listens. A market update (new spots or vols) makes the next version in the background, on the
// same worker pool: the current version keeps answering until the new one is complete, then the
// two swap in one step, and what changed goes out as events.
import type { FastifyInstance } from 'fastify';
import { engineDefaults } from '../engine/defaults.js';
import { createEngine } from '../engine/engine.js';
import type { TaskExecutor } from '../engine/executor.js';
import { chunkOf } from '../engine/run-sets.js';
import { rowVectorBytes } from '../engine/row-vectors.js';
import { createThreadExecutor } from '../engine/thread-executor.js';
import { ownData, readDocument } from '../model/read.js';
import { inputHashes, runInfo, runStart } from '../report/run-info.js';
import { prepare, reportOn, type InputSource, type RunInput } from '../run.js';
import { eventsBetween } from './events.js';
import {
  buildService,
  type MarketUpdate,
  type ServedVersion,
  type ServiceOptions,
  type ServiceState,
  type StreamEvent,
} from './server.js';
import { WhatIfError, WhatIfModel } from './what-if.js';
import { AllRows, RowCache, type InstrumentVectors, type RowStore } from './row-store.js';

export interface ServeInput
  extends Pick<RunInput, 'market' | 'book' | 'suite' | 'baseDir' | 'strict' | 'onWarning'>, ServiceOptions {
  workers?: number;
  /** Bytes of unit P&L vectors the what-if model keeps (least recently used dropped beyond it). */
  unitCacheBytes?: number;
  /**
   * Bytes of row vectors kept: every set's rows when they fit, else those asked for last, the
   * others recomputed when a request needs them.
   */
  rowBytes?: number;
}

export interface Service extends ServiceState {
  readonly app: FastifyInstance;
  /** Settles when no market update is being computed (tests, and a graceful stop). */
  idle(): Promise<void>;
  /** Stops taking requests, lets those in flight finish, then stops the engine and its workers. */
  close(): Promise<void>;
}

export const serveDefaults = { unitCacheBytes: 256 * 2 ** 20, rowBytes: 2 ** 30 } as const;

/** Runs the suite once and builds the service on it (not listening yet: `service.app.listen`). */
export async function startService(input: ServeInput): Promise<Service> {
  const workers = input.workers ?? engineDefaults.workers();
  const executor = createThreadExecutor(workers);
  // The market as a document, so an update can be applied to it and validated like a file.
  let marketDoc = (typeof input.market === 'string' ? ownData(readDocument(input.market), input.market) : input.market) as Record<
    string,
    unknown
  >;
  try {
    let served = await computeVersion(1, { ...input, market: input.market }, executor, input.unitCacheBytes);
    const listeners = new Set<(e: StreamEvent) => void>();
    let computing: Promise<void> | undefined;
    let queued: MarketUpdate[] = [];
    let nextVersion = 2;
    let closed = false;
    let logError: (message: string) => void = () => {};

    const recompute = async (): Promise<void> => {
      while (queued.length > 0 && !closed) {
        const updates = queued;
        queued = [];
        const version = nextVersion++;
        const doc = applyUpdates(marketDoc, updates);
        try {
          const next = await computeVersion(version, { ...input, market: doc }, executor, input.unitCacheBytes);
          const events = eventsBetween(served.report, next.report, version);
          marketDoc = doc;
          served = next;
          for (const l of listeners) {
            l({ type: 'version', version });
            for (const e of events) l(e);
          }
        } catch (err) {
          // The old version keeps serving; the updates that failed are dropped, and said so.
          const error = err instanceof Error ? err.message : String(err);
          logError(`version ${version} failed: ${error}`);
          for (const l of listeners) l({ type: 'version-failed', version, error });
        }
      }
    };

    const state: ServiceState = {
      current: () => served,
      updateMarket(update) {
        checkUpdate(served, update);
        queued.push(update);
        // The version that will hold this update: the next batch takes the next number, whether
        // it starts now or after the one being computed.
        const version = nextVersion;
        computing ??= recompute().finally(() => (computing = undefined));
        return { version };
      },
      subscribe(listener) {
        listeners.add(listener);
        return () => listeners.delete(listener);
      },
    };
    const app = await buildService(state, input);
    logError = (message) => app.log.error(message);
    return {
      app,
      ...state,
      idle: async () => {
        while (computing) await computing;
      },
      async close() {
        closed = true;
        await app.close();
        while (computing) await computing;
        await executor.close();
      },
    };
  } catch (err) {
    await executor.close();
    throw err;
  }
}

/** One version: the suite run on the given inputs, the report, and the warm what-if model. */
async function computeVersion(
  version: number,
  input: Omit<ServeInput, 'market'> & { market: InputSource },
  executor: TaskExecutor,
  unitCacheBytes = serveDefaults.unitCacheBytes,
): Promise<ServedVersion> {
  const start = runStart();
  // Warnings are said once, at start-up; an update's are the same values the user just sent.
  const plan = prepare(version === 1 ? input : { ...input, onWarning: undefined, strict: false });
  // Every row over every scenario stays in memory when it fits the budget: then a what-if never
  // waits for a row. A larger book keeps the rows asked for last within the budget and
  // recomputes the others when a request needs them (row-store.ts): slower, the same answers.
  const rowBytes = plan.sets.reduce((a, _, set) => a + rowVectorBytes(plan, set), 0);
  const budget = input.rowBytes ?? serveDefaults.rowBytes;
  const keepsAll = rowBytes <= budget;
  const inputs = inputHashes(input, plan.suite);
  // The engine stays with its version: it computes the vectors of instruments that requests
  // define inline. On a shared pool it holds no thread of its own, and goes with its version.
  const engine = createEngine(plan, { executor });
  const report = await reportOn(engine);
  report.run = runInfo(
    start,
    { workers: executor.concurrency, chunk: chunkOf(plan, undefined), maxMemory: engineDefaults.maxMemory },
    inputs,
  );
  const vectors: InstrumentVectors = (set, specs) => engine.instrumentVectors(set, specs);
  let rows: RowStore;
  if (keepsAll) {
    const all: Float64Array[] = [];
    for (let set = 0; set < plan.sets.length; set++) all.push(await engine.rowVectors(set));
    rows = new AllRows(
      all,
      plan.sets.map((s) => s.scenarios),
    );
  } else rows = new RowCache(plan.instruments, vectors, budget);
  return {
    version,
    computedAt: report.run.finishedAt,
    report,
    model: new WhatIfModel(plan, report, rows, unitCacheBytes, vectors),
  };
}

/** Refuses an update naming an underlying the market does not have, or a spot or vol that is no price or vol. */
function checkUpdate(served: ServedVersion, update: MarketUpdate): void {
  const known = new Set(served.model.plan.market.underlyings.map((u) => u.id));
  update.underlyings.forEach((u, i) => {
    if (!known.has(u.id)) throw new WhatIfError(`no underlying "${u.id}" in the market`, ['underlyings', i, 'id'], 'unknown');
    if (u.spot !== undefined && !(Number.isFinite(u.spot) && u.spot > 0))
      throw new WhatIfError(`expected a spot above 0, found ${u.spot}`, ['underlyings', i, 'spot'], 'invalid');
    if (u.vol !== undefined && !(Number.isFinite(u.vol) && u.vol >= 0))
      throw new WhatIfError(`expected a vol of 0 or more, found ${u.vol}`, ['underlyings', i, 'vol'], 'invalid');
  });
}

/** The market document with the updates applied in order (a copy). */
function applyUpdates(doc: Record<string, unknown>, updates: MarketUpdate[]): Record<string, unknown> {
  const out = structuredClone(doc) as { underlyings: { id: string; spot: number; vol: number }[] };
  for (const update of updates)
    for (const u of update.underlyings) {
      const target = out.underlyings.find((x) => x.id === u.id)!;
      if (u.spot !== undefined) target.spot = u.spot;
      if (u.vol !== undefined) target.vol = u.vol;
    }
  return out as unknown as Record<string, unknown>;
}
