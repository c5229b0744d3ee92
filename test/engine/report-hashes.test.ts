// The S and M synthetic workloads' reports, held to the bit: a SHA-256 of the report (without the
// engine's version and the run's record, which changes every run) for 1, 2 and 3 workers. The hashes were taken before the engine's seams were
// cut (exact tails, range tasks, the evaluator), and any change to a number anywhere in a report
// changes them. A deliberate change of results must update them, and say why in its commit.
// Attribution (contract section 7) and the sets' default stress (Cover-1 and Cover-2, section 9)
// came later: the margins' hashes are of the report without them, unchanged since, and the whole
// report's has hashes of its own.
import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { run } from '../../src/index.js';
import { synthesize, type SynthSize } from '../../src/synth/index.js';

const WHOLE: Record<'S' | 'M', string> = {
  S: '105d6b4db1f5d6a0eaa0b184ff1d6bb128ca75bb0684208017d3b470558cdfef',
  M: 'b58cbf2f1414442f4571ee28dd68a4ea592219d2ede99b4467a4458c9a1427b2',
};

/** The report without its attribution and stress fields (a deep copy). */
function marginsOf(report: object): object {
  return JSON.parse(JSON.stringify(report, (key, value) => (key === 'attribution' || key === 'stress' ? undefined : value)));
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
        expect(sha(marginsOf(report)), `${size}, ${workers} workers`).toBe(HASHES[size]);
        expect(sha(report), `${size}, ${workers} workers, attribution and stress included`).toBe(WHOLE[size]);
      }
    });
  }
});
