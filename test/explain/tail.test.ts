// explain --tail: the scenarios behind a unit's ES. They are the run's own tail (the report's ES
// and VaR), each scenario's loss is what `explain --scenario` gives for it and the sum of its
// positions' losses, and the contributions add up to the ES.
import { describe, expect, it } from 'vitest';
import { explain, explainTail, run } from '../../src/index.js';
import { fixture, xmarginInProcess } from '../helpers/cli.js';

const ex = (f: string) => fixture('contract-example', f);
const input = { market: ex('market.json'), book: ex('book.json'), suite: ex('suite.json') };
const close = (a: number, e: number) =>
  expect(Math.abs(a - e), `${a} vs ${e}`).toBeLessThanOrEqual(1e-9 * Math.max(1, Math.abs(e)));

describe('explain --tail', () => {
  it("lists a unit's tail as the run found it, and the contributions add up to its ES", async () => {
    const report = await run({ ...input, workers: 1 });
    for (const [unit, measures] of [
      [{ portfolio: 'fund' }, report.portfolios.find((p) => p.id === 'fund')!.cross.sets],
      [{ account: 'desk-b' }, report.portfolios.flatMap((p) => p.segregated.accounts).find((a) => a.id === 'desk-b')!.sets],
    ] as const) {
      for (const set of report.sets.filter((s) => s.margin)) {
        const t = await explainTail({ ...input, set: set.name, ...unit, show: 1_000, workers: 2 });
        expect(t.k).toBe(set.tailSize);
        expect(t.var).toBe(measures[set.name].var);
        close(t.es, measures[set.name].es);
        close(
          t.components.reduce((a, c) => a + c.contribution, 0),
          t.es,
        );
        expect(t.scenarios.length).toBe(Math.min(1_000, t.k));
        t.scenarios.forEach((s, j) => {
          if (j > 0) expect(s.loss).toBeLessThanOrEqual(t.scenarios[j - 1].loss);
          close(
            s.components.reduce((a, v) => a + v, 0),
            s.loss,
          );
        });
        // The first scenario is the worst, and `explain` regenerates the same loss for it.
        expect(t.scenarios[0].scenario).toBe(measures[set.name].worstScenario);
        const one = explain({ ...input, set: set.name, scenario: t.scenarios[0].scenario });
        const loss =
          'portfolio' in unit
            ? one.portfolios.find((p) => p.id === unit.portfolio)!.loss
            : one.accounts.find((a) => a.id === unit.account)!.loss;
        close(t.scenarios[0].loss, loss);
      }
    }
  });

  it('prints the contributions and the scenarios, and refuses what it cannot explain', async () => {
    const args = ['explain', '--market', ex('market.json'), '--book', ex('book.json'), '--suite', ex('suite.json')];
    const ok = await xmarginInProcess([...args, '--set', 'history', '--portfolio', 'fund', '--tail', '--show', '1']);
    expect(ok.code, ok.stderr).toBe(0);
    expect(ok.stdout).toMatch(/^portfolio fund, set "history": its \d+ largest losses; VaR [\d,.]+, ES [\d,.]+/);
    expect(ok.stdout).toContain('the first 1 tail scenario, with');
    expect(ok.stdout).toContain('... and 1 more (--show N, or --json)');
    const typo = await xmarginInProcess([...args, '--set', 'history', '--portfolio', 'fnd', '--tail']);
    expect(typo.code).toBe(2);
    expect(typo.stderr).toBe('xmargin: --portfolio fnd: the book has no such portfolio; did you mean "fund"?\n');
    expect((await xmarginInProcess([...args, '--set', 'history', '--tail', '--scenario', '1', '--portfolio', 'fund'])).code).toBe(
      2,
    );
    expect((await xmarginInProcess([...args, '--set', 'history', '--tail'])).code).toBe(2);
    expect((await xmarginInProcess([...args, '--set', 'history', '--portfolio', 'fund'])).code).toBe(2);
  });
});
