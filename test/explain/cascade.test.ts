// explain --cascade: one scenario's cascade round by round, with the run's own maintenance
// margins; on the second contract example it must give the report's worst-scenario figures.
import { describe, expect, it } from 'vitest';
import { explainCascade } from '../../src/index.js';
import { fixture, xmarginInProcess } from '../helpers/cli.js';
import { readFileSync } from 'node:fs';

const ex = (f: string) => fixture('contract-example-2', f);
const input = { market: ex('market.json'), book: ex('book.json'), suite: ex('suite.json') };
const expected = JSON.parse(readFileSync(ex('expected-report.json'), 'utf8'));

describe('explain --cascade', () => {
  it("gives the contract example's worst scenarios, round by round", async () => {
    for (const [si, name] of [
      [0, 'grid'],
      [1, 'crash'],
    ] as const) {
      const worst = expected.sets[si].cascade.worst;
      const c = await explainCascade({ ...input, set: name, scenario: worst.scenario, workers: 1 });
      expect(c.rounds.map((r) => r.liquidated)).toEqual(worst.liquidatedByRound);
      expect(c.shortfall).toBe(worst.shortfall);
      expect(c.priceMoves).toEqual(worst.priceMoves);
      expect(c.maxRounds).toBe(5);
      // The round's shortfalls add up to the total; each is max(0, -equity) at the final prices here (one round).
      const r1 = c.rounds[0];
      expect(Object.values(r1.shortfall).reduce((a, b) => a + b, 0)).toBe(c.shortfall);
      for (const id of r1.liquidated) expect(r1.shortfall[id]).toBe(Math.max(0, -c.finalEquity[id]));
      for (const p of c.portfolios) {
        const report = expected.portfolios.find((x: { id: string }) => x.id === p.id);
        // The run's MM, which the contract test holds to the example within a tolerance (one ulp apart today).
        expect(Math.abs(p.maintenanceMargin - report.cross.maintenanceMargin)).toBeLessThanOrEqual(
          1e-12 * report.cross.maintenanceMargin,
        );
        expect(p.collateral).toBe(report.collateral);
      }
    }
  });

  it('prints the rounds, and refuses what it cannot explain (exit 2)', async () => {
    const args = ['explain', '--market', input.market, '--book', input.book, '--suite', input.suite, '--workers', '1'];
    const ok = await xmarginInProcess([...args, '--set', 'crash', '--scenario', '0', '--cascade']);
    expect(ok.code).toBe(0);
    expect(ok.stdout).toContain('round 1: below MM and liquidated: fund');
    expect(ok.stdout).toContain('total shortfall 3,876.07');
    const noScenario = await xmarginInProcess([...args, '--set', 'crash', '--cascade']);
    expect(noScenario.code).toBe(2);
    expect(noScenario.stderr).toContain('--cascade needs --scenario');
    const both = await xmarginInProcess([...args, '--set', 'crash', '--scenario', '0', '--cascade', '--tail']);
    expect(both.code).toBe(2);
    const outOfRange = await xmarginInProcess([...args, '--set', 'crash', '--scenario', '2', '--cascade']);
    expect(outOfRange.code).toBe(2);
    expect(outOfRange.stderr).toContain('[0, 1]');
  });
});
