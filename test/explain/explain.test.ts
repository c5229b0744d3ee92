// Any scenario can be regenerated to explain a number: the explained scenario's losses must be
// the report's, for every account and portfolio, computed independently by the TS twins.
import { describe, expect, it } from 'vitest';
import { explainScenario } from '../../src/explain/explain.js';
import { ArgumentError, prepare, run } from '../../src/index.js';
import { fixture, xmarginInProcess } from '../helpers/cli.js';

const ex = (f: string) => fixture('contract-example', f);
const inputs = {
  market: ex('market.json'),
  book: ex('book.json'),
  suite: {
    seed: 5,
    confidence: 0.99,
    scenarioSets: [
      {
        name: 't',
        type: 'montecarlo',
        count: 20000,
        distribution: { type: 'student-t', dof: 4 },
        correlation: { target: 1, weight: 0.4 },
        ivMove: 0.05,
      },
      {
        name: 'crash',
        type: 'shocks',
        shocks: [{ moves: { BTC: -0.3, ETH: -0.4 }, ivMove: 0.25 }, { moves: { BTC: -0.1, ETH: 0.15 } }],
      },
    ],
  },
};

describe('explain', () => {
  it("regenerates the worst Monte Carlo scenario of every series with the report's loss", async () => {
    const report = await run({ ...inputs, workers: 2 });
    const plan = prepare(inputs);
    for (const p of report.portfolios) {
      const worst = p.cross.sets.t;
      const e = explainScenario(plan, 't', worst.worstScenario);
      const explained = e.portfolios.find((x) => x.id === p.id)!.loss;
      expect(Math.abs(explained - worst.worst)).toBeLessThan(1e-9 * Math.abs(worst.worst));
      for (const a of p.segregated.accounts) {
        const v = explainScenario(plan, 't', a.sets.t.varScenario).accounts.find((x) => x.id === a.id)!.loss;
        expect(Math.abs(v - a.sets.t.var)).toBeLessThan(1e-9 * Math.abs(a.sets.t.var) + 1e-9);
      }
    }
  });

  it('shows an explicit shock as written: moves, iv shift and the hand-computed loss', () => {
    const e = explainScenario(prepare(inputs), 'crash', 1);
    expect(e.underlyings.map((u) => +u.move.toFixed(12))).toEqual([-0.1, 0.15]);
    expect(e.ivShift).toBe(0);
    expect(e.accounts.find((a) => a.id === 'desk-a')!.loss).toBeCloseTo(45000, 6);
    const perp = e.instruments.find((r) => r.ids.includes('BTC-PERP'))!;
    expect(perp.ids).toContain('BTC collateral');
    expect(perp.pnlPerUnit).toBeCloseTo(-9000, 9);
  });

  it('refuses an unknown set or an index out of range with exit 2', async () => {
    const args = ['explain', '--market', ex('market.json'), '--book', ex('book.json'), '--suite', ex('suite.json')];
    expect((await xmarginInProcess([...args, '--set', 'crash', '--scenario', '1', '--json'])).code).toBe(0);
    const nope = await xmarginInProcess([...args, '--set', 'nope', '--scenario', '0']);
    expect(nope.code).toBe(2);
    expect(nope.stderr).toBe('xmargin: --set nope: the suite has no such set (sets: grid, crash, history)\n');
    const two = await xmarginInProcess([...args, '--set', 'crash', '--scenario', '2']);
    expect(two.code).toBe(2);
    expect(two.stderr).toBe('xmargin: --scenario 2: expected a whole number in [0, 1] for set "crash"\n');
    expect((await xmarginInProcess([...args, '--set', 'history', '--scenario', '-1'])).code).toBe(2);
    const h = JSON.parse((await xmarginInProcess([...args, '--set', 'history', '--scenario', '0', '--json'])).stdout);
    expect(h.label).toBe('2026-09-01..2026-09-02');
  });

  it('refuses in its own words, naming the parameter for a caller to translate', () => {
    const plan = prepare({ market: ex('market.json'), book: ex('book.json'), suite: ex('suite.json') });
    const refusal = (f: () => unknown) => {
      try {
        f();
      } catch (err) {
        return err;
      }
      throw new Error('expected a refusal');
    };
    const set = refusal(() => explainScenario(plan, 'nope', 0));
    expect(set).toBeInstanceOf(ArgumentError);
    expect(set).toMatchObject({
      parameter: 'set',
      value: 'nope',
      message: 'set "nope": the suite has no such set (sets: grid, crash, history)',
    });
    const scenario = refusal(() => explainScenario(plan, 'crash', 2));
    expect(scenario).toBeInstanceOf(ArgumentError);
    expect(scenario).toMatchObject({
      parameter: 'scenario',
      value: 2,
      message: 'scenario 2: expected a whole number in [0, 1] for set "crash"',
    });
  });

  it('numbers grid scenarios price-major, as docs/inputs.md says', () => {
    // The contract example's grid: priceMoves [-0.2, -0.1, 0, 0.1, 0.2] x ivMoves [-0.1, 0, 0.1].
    const plan = prepare({ market: ex('market.json'), book: ex('book.json'), suite: ex('suite.json') });
    const at = (i: number) => {
      const e = explainScenario(plan, 'grid', i);
      return [Number(e.underlyings[0].move.toFixed(12)), e.ivShift];
    };
    expect([0, 1, 2, 3, 4, 5, 14].map(at)).toEqual([
      [-0.2, -0.1],
      [-0.2, 0],
      [-0.2, 0.1],
      [-0.1, -0.1],
      [-0.1, 0],
      [-0.1, 0.1],
      [0.2, 0.1],
    ]);
  });

  it('explains a scenario of the bundled example with no inputs; instruments only with --json (as the README says)', async () => {
    const text = await xmarginInProcess(['explain', '--set', 'crash', '--scenario', '0']);
    expect(text.code, text.stderr).toBe(0);
    expect(text.stdout).toMatch(/^set "crash" \(shocks\), scenario 0/);
    expect(text.stdout).toContain('retail-sol');
    expect(text.stdout).not.toContain('BTC-PERP');
    const json = await xmarginInProcess(['explain', '--set', 'crash', '--scenario', '0', '--json']);
    expect(json.code, json.stderr).toBe(0);
    const e = JSON.parse(json.stdout);
    expect(e.instruments.length).toBeGreaterThan(0);
    expect(e.portfolios.map((p: { id: string }) => p.id)).toContain('retail-sol');
  });
});
