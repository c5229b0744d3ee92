import { describe, expect, it } from 'vitest';
import type { PortfolioReport, Report } from '../../src/report/report.js';
import { byUrgency, cascadeLines, liquidationLine, stressLines, SUMMARY_TOP, summaryTable } from '../../src/report/summary.js';
import { xmarginInProcess, fixture } from '../helpers/cli.js';

function portfolio(
  id: string,
  im: number,
  call: number,
  distanceToLiquidation: PortfolioReport['distanceToLiquidation'] = { down: null, up: null },
): PortfolioReport {
  const cross = { initialMargin: im, maintenanceMargin: 0.8 * im, bindingSet: 'mc', sets: {} };
  return {
    id,
    accounts: [id],
    collateral: 1000,
    health: 1,
    marginCall: call,
    capitalEfficiency: 0,
    cross,
    segregated: { initialMargin: im, accounts: [] },
    distanceToLiquidation,
  } as unknown as PortfolioReport;
}

function reportOf(portfolios: PortfolioReport[]): Report {
  return {
    asOf: '2026-11-20',
    currency: 'USD',
    seed: 1,
    horizonDays: 1,
    confidence: 0.99,
    maintenanceRatio: 0.8,
    sets: [{ name: 'mc', type: 'montecarlo', scenarios: 100, skipped: 0, margin: true, tailSize: 1 }],
    portfolios,
    totals: {
      collateral: 1000 * portfolios.length,
      crossInitialMargin: portfolios.reduce((s, p) => s + p.cross.initialMargin, 0),
      segregatedInitialMargin: 0,
      capitalEfficiency: null,
      marginCall: portfolios.reduce((s, p) => s + p.marginCall, 0),
      portfoliosWithCall: portfolios.filter((p) => p.marginCall > 0).length,
    },
    engine: { name: 'xmargin', version: '0' },
  } as unknown as Report;
}

/** The portfolio ids in the order the table lists them. */
const listed = (text: string) => [...text.matchAll(/│ (p\d+)\s/g)].map((m) => m[1]);

describe('the terminal summary', () => {
  // 30 portfolios in book order; p7 and p21 have calls, the IMs grow with the index.
  const many = Array.from({ length: 30 }, (_, i) => portfolio(`p${i}`, 100 * (i + 1), i === 7 ? 50 : i === 21 ? 10 : 0));
  const report = reportOf(many);

  it('orders calls first (largest first), then the largest cross IM, ties in book order', () => {
    const ps = [
      portfolio('p0', 5, 0),
      portfolio('p1', 9, 0),
      portfolio('p2', 1, 3),
      portfolio('p3', 9, 0),
      portfolio('p4', 2, 7),
    ];
    expect(byUrgency(ps).map((p) => p.id)).toEqual(['p4', 'p2', 'p1', 'p3', 'p0']);
  });

  it(`lists the top ${SUMMARY_TOP} by default, says so, and keeps the totals over all`, () => {
    const text = summaryTable(report);
    expect(SUMMARY_TOP).toBe(20);
    const byIm = Array.from({ length: 30 }, (_, i) => `p${29 - i}`).filter((id) => id !== 'p7' && id !== 'p21');
    expect(listed(text)).toEqual(['p7', 'p21', ...byIm].slice(0, 20));
    expect(listed(text)).toHaveLength(20);
    expect(text).toContain('20 of 30 portfolios, margin calls first, then largest cross IM; --all for all');
    expect(text).toContain('margin calls 60 in 2 portfolio(s)');
    expect(text).toContain(`cross IM ${(46500).toLocaleString('en-US')}`);
  });

  it('lists every portfolio with top Infinity, and any number with top N', () => {
    expect(listed(summaryTable(report, { top: Infinity }))).toHaveLength(30);
    expect(summaryTable(report, { top: Infinity })).toContain('30 portfolios, margin calls first');
    expect(listed(summaryTable(report, { top: 3 }))).toEqual(['p7', 'p21', 'p29']);
  });
});

describe('the liquidation line', () => {
  it('names the portfolios nearest to liquidation on their nearer side, nearest first, ties in book order', () => {
    const ps = [
      portfolio('far', 1, 0, { down: -0.5, up: 2 }),
      portfolio('never', 1, 0),
      portfolio('up', 1, 0, { down: null, up: 0.031 }),
      portfolio('down', 1, 0, { down: -0.031, up: 0.2 }),
      portfolio('now', 1, 0, { down: 0, up: 0 }),
      portfolio('tiny', 1, 0, { down: -0.0004, up: null }),
      portfolio('mid', 1, 0, { down: -0.3, up: 0.12345 }),
    ];
    expect(liquidationLine(ps)).toBe(
      'closest to liquidation (all underlyings at once): now below MM, tiny -0.04%, up +3.1%, down -3.1%, mid +12.3%; 1 more',
    );
    expect(liquidationLine([portfolio('never', 1, 0)])).toBe(
      'closest to liquidation: none below MM for any move of -99% to +400%',
    );
  });

  it('is part of the summary', () => {
    const text = summaryTable(reportOf([portfolio('p0', 1, 0, { down: -0.25, up: null })]));
    expect(text).toContain('closest to liquidation (all underlyings at once): p0 -25.0%');
  });
});

describe('the default stress line', () => {
  const stress = (c1: number, c2: number, scenario: number) => ({
    cover1: { value: c1, scenario, portfolios: c1 > 0 ? ['a'] : [] },
    cover2: { value: c2, scenario, portfolios: c2 > c1 ? ['a', 'b'] : c2 > 0 ? ['a'] : [] },
  });

  it('names the set with the largest Cover-2 (the first on a tie), with its scenario and portfolios', () => {
    const report = reportOf([]);
    report.sets = [
      { ...report.sets[0], name: 'calm', stress: stress(10, 15, 3) },
      { ...report.sets[0], name: 'crash', stress: stress(1500.4, 2600, 17) },
      { ...report.sets[0], name: 'again', stress: stress(2600, 2600, 1) },
    ];
    expect(stressLines(report)).toEqual([
      'default stress (worst set crash): Cover-2 2,600 (a, b, scenario 17); Cover-1 1,500 (a, scenario 17)',
    ]);
    expect(summaryTable(report)).toContain('default stress (worst set crash)');
  });

  it('says so when no loss goes beyond collateral, and is absent without stress', () => {
    const report = reportOf([]);
    expect(stressLines(report)).toEqual([]);
    report.sets = [{ ...report.sets[0], stress: stress(0, 0, 0) }];
    expect(stressLines(report)).toEqual(["default stress: no scenario of any set leaves a loss beyond a portfolio's collateral"]);
  });
});

describe('the cascade lines', () => {
  it("one per cascade set: scenarios with liquidations, the worst one's rounds and shortfall", () => {
    const report = reportOf([]);
    const worst = (rounds: string[][], shortfall: number) => ({
      scenario: 4,
      rounds: rounds.length,
      liquidatedByRound: rounds,
      shortfall,
      priceMoves: {},
    });
    report.sets = [
      {
        ...report.sets[0],
        name: 'grid',
        cascade: { scenarios: 21, withLiquidation: 3, mostRounds: 1, worst: worst([['a', 'b']], 1234.5) },
      },
      { ...report.sets[0], name: 'mc' },
      {
        ...report.sets[0],
        name: 'spiral',
        cascade: { scenarios: 1, withLiquidation: 1, mostRounds: 3, worst: worst([['a'], ['b', 'c'], ['d']], 0) },
      },
      { ...report.sets[0], name: 'calm', cascade: { scenarios: 2, withLiquidation: 0, mostRounds: 0, worst: null } },
    ];
    expect(cascadeLines(report)).toEqual([
      'cascade grid: liquidations in 3 of 21 scenarios; worst scenario 4: 2 portfolios in 1 round, shortfall 1,235',
      'cascade spiral: liquidations in 1 of 1 scenario; worst scenario 4: 3 rounds (a; then b, c; then d), shortfall 0',
      'cascade calm: no scenario takes a portfolio below maintenance',
    ]);
    expect(summaryTable(report)).toContain('cascade spiral: liquidations in 1 of 1 scenario');
    // A large book's rounds name their first few portfolios only.
    const many = Array.from({ length: 8 }, (_, i) => `p${i}`);
    report.sets = [
      {
        ...report.sets[0],
        name: 'big',
        cascade: { scenarios: 9, withLiquidation: 9, mostRounds: 2, worst: worst([many, ['q']], 10) },
      },
    ];
    expect(cascadeLines(report)).toEqual([
      'cascade big: liquidations in 9 of 9 scenarios; worst scenario 4: 2 rounds (p0, p1, p2, p3, p4 and 3 more; then q), shortfall 10',
    ]);
  });
});

describe('xmargin run --top / --all', () => {
  const ex = (f: string) => fixture('contract-example', f);
  const args = ['run', '--market', ex('market.json'), '--book', ex('book.json'), '--suite', ex('suite.json'), '--out'];
  const out = () => `${process.env.TMPDIR ?? '/tmp'}/xmargin-summary-${process.pid}-${Math.random().toString(36).slice(2)}`;

  it('--top 1 lists one portfolio and says how many there are; --all lists all', async () => {
    const one = await xmarginInProcess([...args, out(), '--top', '1']);
    expect(one.code, one.stderr).toBe(0);
    expect(one.stdout).toMatch(/^1 of (\d+) portfolios, margin calls first, then largest cross IM; --all for all$/m);
    const n = Number(/^1 of (\d+) portfolios/m.exec(one.stdout)![1]);
    expect(n).toBeGreaterThan(1);
    const all = await xmarginInProcess([...args, out(), '--all']);
    expect(all.code, all.stderr).toBe(0);
    expect(all.stdout).toContain(`${n} portfolios, margin calls first, then largest cross IM\n`);
  });

  it('refuses --top 0 and --top with --all (exit 2)', async () => {
    expect((await xmarginInProcess([...args, out(), '--top', '0'])).code).toBe(2);
    expect((await xmarginInProcess([...args, out(), '--top', '3', '--all'])).code).toBe(2);
  });
});
