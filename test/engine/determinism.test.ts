// Scenario i is a pure function of (seed, set, i): the report must not depend on the number of
// workers, the chunk length or how the sets are cut into tasks. Compared with toEqual: every
// number identical to the last bit.
import { describe, expect, it } from 'vitest';
import { run } from '../../src/index.js';
import { fixture } from '../helpers/cli.js';
import { suite } from '../helpers/inputs.js';
import { results } from '../helpers/report.js';

const ex = (f: string) => fixture('contract-example', f);
const mcSuite = suite(
  [
    { name: 'normal', type: 'montecarlo', count: 20_000, distribution: 'normal' },
    {
      name: 't-breakdown',
      type: 'montecarlo',
      count: 15_000,
      distribution: { type: 'student-t', dof: 4 },
      volMultiplier: 1.5,
      correlation: { target: 1, weight: 0.5 },
      ivMove: 0.1,
    },
    { name: 'grid', type: 'grid', priceMoves: [-0.2, 0, 0.2], ivMoves: [0, 0.1] },
  ],
  { confidence: 0.99 },
);
const inputs = { market: ex('market.json'), book: ex('book.json'), suite: mcSuite as Record<string, unknown> };

describe('determinism', () => {
  it('gives the same report for 1 and 2 workers, any chunk and any task size', async () => {
    const base = await run({ ...inputs, workers: 1 });
    const variants = await Promise.all([
      run({ ...inputs, workers: 2 }),
      run({ ...inputs, workers: 2, chunk: 16 }),
      run({ ...inputs, workers: 1, chunk: 48, taskSize: 777 }),
      run({ ...inputs, workers: 2, chunk: 32, taskSize: 1 << 14 }),
    ]);
    for (const v of variants) expect(results(v)).toEqual(results(base));
  });

  it("changes with the seed, and a set's scenarios do not depend on the other sets", async () => {
    const a = await run({ ...inputs, workers: 2 });
    const other = await run({ ...inputs, suite: { ...mcSuite, seed: 43 }, workers: 2 });
    expect(other.portfolios[0].cross.sets.normal.es).not.toBe(a.portfolios[0].cross.sets.normal.es);
    const alone = await run({ ...inputs, suite: { ...mcSuite, scenarioSets: [mcSuite.scenarioSets[1]] }, workers: 2 });
    expect(alone.portfolios[0].cross.sets['t-breakdown']).toEqual(a.portfolios[0].cross.sets['t-breakdown']);
  });

  it('keeps the contract example identical across worker counts', async () => {
    const one = await run({ market: ex('market.json'), book: ex('book.json'), suite: ex('suite.json'), workers: 1 });
    const two = await run({
      market: ex('market.json'),
      book: ex('book.json'),
      suite: ex('suite.json'),
      workers: 2,
      chunk: 16,
      taskSize: 5,
    });
    expect(results(two)).toEqual(results(one));
  });
});
