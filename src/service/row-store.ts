// Where a what-if model reads its instrument rows (one row's P&L per unit over a set's
// scenarios). A book whose rows fit the service's memory keeps them all, computed once per
// version (AllRows). A larger one keeps those it was last asked for, within a byte budget, and
// recomputes the others on the workers when a request needs them (RowCache): the rows come from
// the instruments' definitions by the same kernels, so a recomputed row has the bits of the one
// a run computes, and an answer does not depend on what was in memory when it was asked.
import { rowSpec } from '../engine/instrument-vectors.js';
import type { InstrumentTable } from '../engine/instruments.js';
import type { InstrumentSpec } from '../engine/task.js';
import { ByteLru } from '../util/byte-lru.js';

export interface RowStore {
  /** Row r of set `set`, if it is in memory now. */
  get(set: number, r: number): Float64Array | undefined;
  /** Rows of set `set`, in memory after this settles (recomputed where they were not); in the order asked. */
  fetch(set: number, rows: number[]): Promise<Float64Array[]>;
  /** Bytes of rows held now. */
  readonly bytes: number;
  /** Whether every row is always in memory (then a request never waits for one). */
  readonly complete: boolean;
}

/** Every row of every set in memory: per set one array, rows x scenarios (engine.rowVectors). */
export class AllRows implements RowStore {
  readonly complete = true;
  readonly bytes: number;
  constructor(
    private readonly rows: Float64Array[],
    private readonly scenarios: number[],
  ) {
    this.bytes = rows.reduce((a, r) => a + r.byteLength, 0);
  }

  get(set: number, r: number): Float64Array {
    const n = this.scenarios[set];
    return this.rows[set].subarray(r * n, r * n + n);
  }

  fetch(set: number, rows: number[]): Promise<Float64Array[]> {
    return Promise.resolve(rows.map((r) => this.get(set, r)));
  }
}

/** Computes instruments' P&L vectors over a set on the workers, instruments x scenarios (engine.instrumentVectors). */
export type InstrumentVectors = (set: number, specs: InstrumentSpec[]) => Promise<Float64Array>;

/**
 * The rows asked for last, within `budget` bytes (the least recently used dropped first), the
 * others recomputed on demand. Rows asked for while being computed wait for that computation
 * instead of starting another. A row dropped here stays alive for as long as a request that
 * fetched it holds it, so eviction never takes a row from under an answer being computed.
 */
export class RowCache implements RowStore {
  readonly complete = false;
  private readonly held: ByteLru<Float64Array>;
  private readonly computing = new Map<string, Promise<Float64Array>>();

  constructor(
    private readonly table: InstrumentTable,
    private readonly compute: InstrumentVectors,
    readonly budget: number,
  ) {
    this.held = new ByteLru(budget);
  }

  get bytes(): number {
    return this.held.bytes;
  }

  get(set: number, r: number): Float64Array | undefined {
    return this.held.get(`${set}:${r}`);
  }

  fetch(set: number, rows: number[]): Promise<Float64Array[]> {
    const missing = [...new Set(rows.filter((r) => !this.held.has(`${set}:${r}`) && !this.computing.has(`${set}:${r}`)))];
    if (missing.length > 0) {
      const block = this.compute(
        set,
        missing.map((r) => rowSpec(this.table, r)),
      );
      missing.forEach((r, j) => {
        const key = `${set}:${r}`;
        const row = block.then((b) => {
          const n = b.length / missing.length;
          // A copy: the block is freed once every row of it is, and the budget counts rows.
          return b.slice(j * n, j * n + n);
        });
        this.computing.set(key, row);
        row.then(
          (v) => {
            this.computing.delete(key);
            if (!this.held.has(key)) this.held.set(key, v);
          },
          () => this.computing.delete(key),
        );
      });
    }
    return Promise.all(rows.map((r) => this.get(set, r) ?? this.computing.get(`${set}:${r}`)!));
  }
}
