// The service's life: validate the inputs as `run` does, run the suite once on an engine that is
// then kept (its pool warm), keep every set's row vectors for what-ifs, and serve. Everything that
// can fail on the inputs fails before anything listens.
import type { FastifyInstance } from 'fastify';
import { engineDefaults } from '../engine/defaults.js';
import { createEngine, type Engine } from '../engine/engine.js';
import { chunkOf } from '../engine/run-sets.js';
import { inputHashes, runInfo, runStart } from '../report/run-info.js';
import { prepare, reportOn, type RunInput } from '../run.js';
import { buildService, type ServedVersion, type ServiceOptions } from './server.js';
import { WhatIfModel } from './what-if.js';

export interface ServeInput
  extends Pick<RunInput, 'market' | 'book' | 'suite' | 'baseDir' | 'strict' | 'onWarning'>, ServiceOptions {
  workers?: number;
  /** Bytes of unit P&L vectors the what-if model keeps (least recently used dropped beyond it). */
  unitCacheBytes?: number;
}

export interface Service {
  readonly app: FastifyInstance;
  /** The version answers come from now. */
  current(): ServedVersion;
  /** Stops taking requests, lets those in flight finish, then stops the engine. */
  close(): Promise<void>;
}

export const serveDefaults = { unitCacheBytes: 256 * 2 ** 20 } as const;

/** Runs the suite once and builds the service on it (not listening yet: `service.app.listen`). */
export async function startService(input: ServeInput): Promise<Service> {
  const start = runStart();
  const plan = prepare(input);
  const inputs = inputHashes(input, plan.suite);
  const workers = input.workers ?? engineDefaults.workers();
  const engine: Engine = createEngine(plan, { workers });
  try {
    const report = await reportOn(engine);
    report.run = runInfo(start, { workers, chunk: chunkOf(plan, undefined), maxMemory: engineDefaults.maxMemory }, inputs);
    const rows: Float64Array[] = [];
    for (let set = 0; set < plan.sets.length; set++) rows.push(await engine.rowVectors(set));
    let served: ServedVersion = {
      version: 1,
      computedAt: report.run.finishedAt,
      report,
      model: new WhatIfModel(plan, report, rows, input.unitCacheBytes ?? serveDefaults.unitCacheBytes),
    };
    const app = await buildService(() => served, input);
    return {
      app,
      current: () => served,
      async close() {
        await app.close();
        await engine.close();
        served = undefined as unknown as ServedVersion;
      },
    };
  } catch (err) {
    await engine.close();
    throw err;
  }
}
