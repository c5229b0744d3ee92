// What a report needs to be audited and stored later: which run made it, when, with which engine
// and settings, from exactly which inputs. Nothing here changes a number of the report.

import { createHash, randomUUID } from 'node:crypto';
import { closeSync, openSync, readSync } from 'node:fs';
import path from 'node:path';
import type { Suite } from '../model/types.js';
import { VERSION } from '../version.js';

/** One input of a run and the SHA-256 of what was read. */
export interface RunInputHash {
  /** What the input is; `prices` is a price CSV a historical set of the suite reads. */
  role: 'market' | 'book' | 'suite' | 'prices';
  /** The file, absolute; null for a document handed to the library in memory. */
  file: string | null;
  /**
   * What was hashed: `file`, the file's bytes as they are on disk; `canonical-json`, an in-memory
   * document as JSON with every object's keys sorted (canonicalJson), since it has no bytes of its own.
   */
  hashOf: 'file' | 'canonical-json';
  sha256: string;
  /** For `prices`: the sets that read the file, in suite order. */
  sets?: string[];
}

/** The settings that change speed and memory but never a number of the report, as resolved. */
export interface RunOptionsUsed {
  workers: number;
  chunk: number;
  /** The memory budget in bytes (`--max-memory`). */
  maxMemory: number;
}

export interface RunInfo {
  /** A random UUID (v4), new for every run. */
  id: string;
  /** ISO 8601, UTC, to the millisecond: when run() was called and when the report was complete. */
  startedAt: string;
  finishedAt: string;
  engine: { name: 'xmargin'; version: string };
  options: RunOptionsUsed;
  inputs: RunInputHash[];
}

/** JSON with object keys sorted at every level, so equal documents give equal text (and hash). */
export function canonicalJson(value: unknown): string {
  return JSON.stringify(value, (_key, v: unknown) => {
    if (v === null || typeof v !== 'object' || Array.isArray(v)) return v;
    const sorted: Record<string, unknown> = Object.create(null);
    for (const k of Object.keys(v).sort()) sorted[k] = (v as Record<string, unknown>)[k];
    return sorted;
  });
}

/** SHA-256 of a file's bytes, read in slices so that a large price history never sits in memory whole. */
export function sha256OfFile(file: string): string {
  const hash = createHash('sha256');
  const buf = Buffer.allocUnsafe(1 << 20);
  const fd = openSync(file, 'r');
  try {
    for (let n; (n = readSync(fd, buf, 0, buf.length, null)) > 0;) hash.update(buf.subarray(0, n));
  } finally {
    closeSync(fd);
  }
  return hash.digest('hex');
}

const sha256OfText = (text: string) => createHash('sha256').update(text, 'utf8').digest('hex');

/** A market, book or suite as a run received it: a file path or the document itself. */
export type RunSource = string | Record<string, unknown>;

/**
 * The hashes of a run's inputs: market, book and suite (a file's bytes, or an in-memory
 * document's canonical JSON), then every price file the suite's historical sets read, once each.
 */
export function inputHashes(sources: { market: RunSource; book: RunSource; suite: RunSource }, suite: Suite): RunInputHash[] {
  const of = (role: 'market' | 'book' | 'suite', s: RunSource): RunInputHash =>
    typeof s === 'string'
      ? { role, file: path.resolve(s), hashOf: 'file', sha256: sha256OfFile(s) }
      : { role, file: null, hashOf: 'canonical-json', sha256: sha256OfText(canonicalJson(s)) };
  const out = [of('market', sources.market), of('book', sources.book), of('suite', sources.suite)];
  const prices = new Map<string, RunInputHash>();
  for (const set of suite.scenarioSets) {
    if (set.type !== 'historical') continue;
    const seen = prices.get(set.prices);
    if (seen) seen.sets!.push(set.name);
    else
      prices.set(set.prices, {
        role: 'prices',
        file: set.prices,
        hashOf: 'file',
        sha256: sha256OfFile(set.prices),
        sets: [set.name],
      });
  }
  return [...out, ...prices.values()];
}

/** A run's record, from its start time, settings and inputs, finished now. */
export function runInfo(start: { id: string; startedAt: Date }, options: RunOptionsUsed, inputs: RunInputHash[]): RunInfo {
  return {
    id: start.id,
    startedAt: start.startedAt.toISOString(),
    finishedAt: new Date().toISOString(),
    engine: { name: 'xmargin', version: VERSION },
    options,
    inputs,
  };
}

/** The start of a run: its id and the time. */
export function runStart(): { id: string; startedAt: Date } {
  return { id: randomUUID(), startedAt: new Date() };
}
