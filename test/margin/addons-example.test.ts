// Contract section 8 on its worked example (test/fixtures/contract-example-2): the add-on
// components and the final IM, MM, health, calls and capital efficiency, to 1e-9 relative.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { run } from '../../src/index.js';
import { accountsCsv, portfoliosCsv } from '../../src/report/csv.js';
import { summaryTable } from '../../src/report/summary.js';
import { fixture } from '../helpers/cli.js';
import { compareReports } from '../helpers/compare.js';

const ex = (f: string) => fixture('contract-example-2', f);
const read = (f: string) => JSON.parse(readFileSync(ex(f), 'utf8'));
const expected = read('expected-report.json');

/** The example's suite without the section 7 and 9 blocks this model does not take yet. */
function suiteOfSection8() {
  const { attribution: _a, cascade: _c, ...rest } = read('suite.json');
  return rest;
}

const pick = (o: Record<string, unknown>, keys: string[]) => Object.fromEntries(keys.filter((k) => k in o).map((k) => [k, o[k]]));
const UNIT = ['initialMargin', 'maintenanceMargin', 'health', 'marginCall', 'components'];

/** The section 8 subset of a report: every field the add-ons change, on portfolios and accounts. */
function subset(report: { portfolios: Record<string, any>[] }) {
  return report.portfolios.map((p) => ({
    id: p.id,
    ...pick(p, ['collateral', 'health', 'marginCall', 'capitalEfficiency']),
    cross: pick(p.cross, UNIT),
    segregated: {
      initialMargin: p.segregated.initialMargin,
      accounts: p.segregated.accounts.map((a: Record<string, unknown>) => ({ id: a.id, ...pick(a, UNIT) })),
    },
  }));
}

describe('add-ons on the contract example 2', () => {
  it('reproduces components, IM, MM, health, calls and capital efficiency to 1e-9', async () => {
    const report = await run({
      market: read('market.json'),
      book: read('book.json'),
      suite: suiteOfSection8(),
      baseDir: ex(''),
      workers: 1,
    });
    const want = subset(expected);
    const { checked, problems } = compareReports(want, subset(report as never), 1e-9, 0);
    expect(problems).toEqual([]);
    // 2 portfolios x (4 + cross 10 + 1) + 3 accounts x 10, at the least.
    expect(checked).toBeGreaterThanOrEqual(60);
    expect(report.portfolios.map((p) => p.cross.components!.binding)).toEqual(['core', 'core']);
  });

  it('puts the components in the CSVs and the summary', async () => {
    const report = await run({
      market: read('market.json'),
      book: read('book.json'),
      suite: suiteOfSection8(),
      baseDir: ex(''),
      workers: 1,
    });
    const [header, fund] = portfoliosCsv(report)
      .split('\n')
      .map((l) => l.split(','));
    const col = (name: string) => header.indexOf(name);
    // After the distance to liquidation, before the es: columns.
    expect(header.slice(col('distanceUp') + 1, col('distanceUp') + 7)).toEqual([
      'core',
      'liquidity',
      'credit',
      'shortOptionMinimum',
      'diversificationFloor',
      'bindingComponent',
    ]);
    expect(Number(fund[col('liquidity')])).toBe(report.portfolios[0].cross.components!.liquidity);
    expect(fund[col('bindingComponent')]).toBe('core');
    const [aHeader, deskA] = accountsCsv(report)
      .split('\n')
      .map((l) => l.split(','));
    expect(deskA[aHeader.indexOf('diversificationFloor')]).toBe('');
    expect(Number(deskA[aHeader.indexOf('credit')])).toBe(report.portfolios[0].segregated.accounts[0].components!.credit);
    // Every unit binds on the core here: the summary gives the add-ons' total and no binding line.
    const summary = summaryTable(report);
    expect(summary).toMatch(/add-ons: cross IM 93,083 = core 76,926 \+ liquidity 9,065 \+ credit 7,093 \+ minimums and floors 0/);
    expect(summary).not.toMatch(/binds/);
  });
});
