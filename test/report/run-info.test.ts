// The report's `run` record: which run, when, with which settings, from exactly which inputs.
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { run } from '../../src/index.js';
import { canonicalJson } from '../../src/report/run-info.js';
import { fixture, xmarginInProcess } from '../helpers/cli.js';

const ex = (f: string) => fixture('contract-example', f);
const sha256 = (b: Buffer | string) => createHash('sha256').update(b).digest('hex');
const files = { market: ex('market.json'), book: ex('book.json'), suite: ex('suite.json') };
const ISO_UTC = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/;

describe('the run record of a report', () => {
  it('hashes every input file (the price file the suite reads too), with the settings and times of the run', async () => {
    const before = Date.now();
    const report = await run({ ...files, workers: 2, chunk: 32 });
    const after = Date.now();
    const r = report.run!;
    expect(r.id).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    expect(r.startedAt).toMatch(ISO_UTC);
    expect(r.finishedAt).toMatch(ISO_UTC);
    const [start, end] = [Date.parse(r.startedAt), Date.parse(r.finishedAt)];
    expect(before).toBeLessThanOrEqual(start);
    expect(start).toBeLessThanOrEqual(end);
    expect(end).toBeLessThanOrEqual(after);
    expect(r.engine).toEqual(report.engine);
    expect(r.options).toEqual({ workers: 2, chunk: 32, maxMemory: 2 ** 30 });
    expect(r.inputs).toEqual([
      { role: 'market', file: files.market, hashOf: 'file', sha256: sha256(readFileSync(files.market)) },
      { role: 'book', file: files.book, hashOf: 'file', sha256: sha256(readFileSync(files.book)) },
      { role: 'suite', file: files.suite, hashOf: 'file', sha256: sha256(readFileSync(files.suite)) },
      {
        role: 'prices',
        file: ex('prices.csv'),
        hashOf: 'file',
        sha256: sha256(readFileSync(ex('prices.csv'))),
        sets: ['history'],
      },
    ]);
  });

  it('gets a new id and new times every run, and resolves the default workers and chunk', async () => {
    const a = (await run({ ...files, workers: 1 })).run!;
    const b = (await run({ ...files, workers: 1 })).run!;
    expect(a.id).not.toBe(b.id);
    expect(Date.parse(b.startedAt)).toBeGreaterThanOrEqual(Date.parse(a.finishedAt));
    expect(a.options.workers).toBe(1);
    // No --chunk: the engine's own choice, a whole multiple of 16.
    expect(Number.isInteger(a.options.chunk) && a.options.chunk >= 16 && a.options.chunk % 16 === 0).toBe(true);
    expect(b.inputs).toEqual(a.inputs);
  });

  it('hashes an in-memory document as its canonical JSON (keys sorted) and says so', async () => {
    const market = JSON.parse(readFileSync(files.market, 'utf8'));
    const reordered = Object.fromEntries(Object.entries(market).reverse());
    const suite = JSON.parse(readFileSync(files.suite, 'utf8'));
    const a = (await run({ ...files, market, suite, baseDir: ex('.'), workers: 1 })).run!;
    const b = (await run({ ...files, market: reordered, suite, baseDir: ex('.'), workers: 1 })).run!;
    expect(a.inputs[0]).toEqual({ role: 'market', file: null, hashOf: 'canonical-json', sha256: sha256(canonicalJson(market)) });
    expect(b.inputs[0]).toEqual(a.inputs[0]);
    expect(canonicalJson({ b: 1, a: [{ d: 2, c: 3 }] })).toBe('{"a":[{"c":3,"d":2}],"b":1}');
    expect(a.inputs[2]).toMatchObject({ role: 'suite', file: null, hashOf: 'canonical-json' });
    // The price file the in-memory suite names is still a file, hashed as such.
    expect(a.inputs[3]).toEqual({
      role: 'prices',
      file: ex('prices.csv'),
      hashOf: 'file',
      sha256: sha256(readFileSync(ex('prices.csv'))),
      sets: ['history'],
    });
  });

  it('is in report.json and in --json, and the numbers do not depend on it', async () => {
    const r = await xmarginInProcess([
      'run',
      '--market',
      files.market,
      '--book',
      files.book,
      '--suite',
      files.suite,
      '--json',
      '--workers',
      '1',
    ]);
    expect(r.code, r.stderr).toBe(0);
    const report = JSON.parse(r.stdout);
    expect(Object.keys(report.run)).toEqual(['id', 'startedAt', 'finishedAt', 'engine', 'options', 'inputs']);
    expect(report.run.inputs.map((i: { role: string }) => i.role)).toEqual(['market', 'book', 'suite', 'prices']);
  });
});
