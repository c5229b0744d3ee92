// The one scenario evaluator, two backends: WASM (the workers, the benches) and the TypeScript
// twins (explain, the oracle). They must agree to the bit on every stage's output, for ranges and
// for lists of scenarios, on Monte Carlo and explicit sets alike; and a scenario evaluated alone
// must have the bits it has inside any chunk, or explaining a number would explain another one.
import { describe, expect, it } from 'vitest';
import { WasmEvaluator } from '../../src/engine/evaluator-wasm.js';
import { TwinEvaluator } from '../../src/engine/evaluator-twin.js';
import type { EvaluatedScenarios } from '../../src/engine/evaluator.js';
import { kernelPlan } from '../../src/engine/plan.js';
import { prepare } from '../../src/index.js';
import { instantiateKernels } from '../../src/kernels/wasm.js';
import { fixture } from '../helpers/cli.js';

const ex = (f: string) => fixture('contract-example', f);
const plan = prepare({
  market: ex('market.json'),
  book: ex('book.json'),
  suite: {
    seed: 11,
    scenarioSets: [
      {
        name: 't',
        type: 'montecarlo',
        count: 5000,
        distribution: { type: 'student-t', dof: 5 },
        correlation: { target: 1, weight: 0.3 },
        ivMove: 0.05,
      },
      { name: 'grid', type: 'grid', priceMoves: [-0.3, -0.1, 0, 0.1, 0.3], ivMoves: [-0.1, 0, 0.2] },
      { name: 'crash', type: 'shocks', shocks: [{ moves: { BTC: -0.3, ETH: -0.4 }, ivMove: 0.25 }, { moves: { ETH: 0.15 } }] },
    ],
  },
});
const kp = kernelPlan(plan);
const C = 64;

/** Copies an evaluation (a WASM one is a view into memory that the next call overwrites). */
const copy = (e: EvaluatedScenarios) => ({
  count: e.count,
  ret: Array.from(e.ret),
  spot: Array.from(e.spot),
  ivShift: Array.from(e.ivShift),
  rows: Array.from(e.rows),
  series: Array.from(e.series),
});

/** Column s of a row-major block with stride `count`. */
const column = (a: number[], count: number, s: number) => a.filter((_, i) => i % count === s);

describe('the scenario evaluator', () => {
  const wasm = new WasmEvaluator(instantiateKernels(), kp, C);
  const twin = new TwinEvaluator(kp, C);

  it('gives the same bits from WASM and from the twins, range by range, on every set type', () => {
    for (const [set, start, count] of [
      [0, 0, 64],
      [0, 4937, 63],
      [0, 17, 1],
      [1, 0, 15],
      [1, 4, 7],
      [2, 0, 2],
    ] as const) {
      const w = copy(wasm.range(set, start, count));
      const t = copy(twin.range(set, start, count));
      expect(w, `set ${set} [${start}, ${start + count})`).toEqual(t);
      expect(w.series.every(Number.isFinite)).toBe(true);
    }
  });

  it('evaluates a list of scenarios to the bits each has inside a chunk', () => {
    for (const [set, count] of [
      [0, 64],
      [1, 15],
    ] as const) {
      const whole = copy(twin.range(set, 0, count));
      const picks = [count - 1, 3, 0, 3, Math.floor(count / 2)];
      for (const ev of [wasm, twin]) {
        const listed = copy(ev.list(set, picks));
        picks.forEach((i, s) => {
          for (const key of ['ret', 'spot', 'rows', 'series'] as const)
            expect(column(listed[key], picks.length, s), `${key} of scenario ${i}`).toEqual(column(whole[key], count, i));
          expect(listed.ivShift[s]).toBe(whole.ivShift[i]);
        });
      }
    }
  });

  it('sums accounts into portfolios as the holdings say', () => {
    const e = copy(twin.range(1, 0, 15));
    const h = plan.holdings;
    for (const p of h.portfolios.filter((p) => p.accounts.length > 1))
      for (let s = 0; s < 15; s++) {
        const sum = p.accounts.reduce((a, acc) => a + e.series[acc * 15 + s], 0);
        expect(e.series[p.series * 15 + s]).toBeCloseTo(sum, 9);
      }
  });
});
