// The S and M synthetic workloads' reports, held to the bit: a SHA-256 of the report (without the
// engine's version and the run's record, which changes every run) for 1, 2 and 3 workers. The hashes were taken before the engine's seams were
// cut (exact tails, range tasks, the evaluator), and any change to a number anywhere in a report
// changes them. A deliberate change of results must update them, and say why in its commit.
// Attribution (contract section 7) came later: the margins' hashes are of the report without
// it, unchanged since, and the whole report's, attribution included, has hashes of its own.
import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { run } from '../../src/index.js';
import { synthesize, type SynthSize } from '../../src/synth/index.js';

const WITH_ATTRIBUTION: Record<'S' | 'M', string> = {
  S: 'dc263454ef156180b64f5b565a42ac3f60fe2e64a862a9b4964fdeab67e26a70',
  M: '5a68f7ba764f8ca3e8f9d529ec1fa760922bf7fd2fc3d10ce3e4b08e09638fe5',
};

/** The report without its attribution fields (a deep copy). */
function withoutAttribution(report: object): object {
  return JSON.parse(JSON.stringify(report, (key, value) => (key === 'attribution' ? undefined : value)));
}

const sha = (x: unknown) => createHash('sha256').update(JSON.stringify(x)).digest('hex');

const HASHES: Record<'S' | 'M', string> = {
  S: 'd31f6c811a8d97367ee6eab1a2ddd3d338973ca58f9e8e38a8b67c4a100332fb',
  M: '7871e858dac06949970ddf3a520a3af355ddbd7d7586eb9b7062046a5fbe7a09',
};

describe('report hashes of the synthetic workloads', () => {
  for (const size of ['S', 'M'] as const satisfies SynthSize[]) {
    it(`${size}: the same report to the bit for 1, 2 and 3 workers`, async () => {
      const w = synthesize(size, 1);
      const input = { market: w.market, book: w.book, suite: w.suite } as unknown as Parameters<typeof run>[0];
      for (const workers of [1, 2, 3]) {
        const { engine: _engine, run: _run, ...report } = await run({ ...input, workers });
        expect(sha(withoutAttribution(report)), `${size}, ${workers} workers`).toBe(HASHES[size]);
        expect(sha(report), `${size}, ${workers} workers, attribution included`).toBe(WITH_ATTRIBUTION[size]);
      }
    });
  }
});
