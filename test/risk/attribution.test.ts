// Euler attribution of expected shortfall (contract section 7) against independent references:
// the exact expected report of the contract's second worked example, and a brute force that keeps
// every scenario's full loss vector on small books (the bundled crypto example and a hand-made
// book with ties), computed on the TypeScript twins apart from the engine's streaming pass.
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { attributionCsv } from '../../src/report/csv.js';
import { summaryTable } from '../../src/report/summary.js';
import { xmarginInProcess } from '../helpers/cli.js';
import { describe, expect, it } from 'vitest';
import { createEngine, prepare, run, bundledExample, type Report } from '../../src/index.js';
import { TwinEvaluator } from '../../src/engine/evaluator-twin.js';
import { kernelPlan, type RunPlan } from '../../src/engine/plan.js';
import { attribution, componentsOf, contributions, seriesAccounts, type Attribution } from '../../src/risk/attribution.js';
import { parse as parseYaml } from 'yaml';
import { compareReports } from '../helpers/compare.js';
import { example2 } from '../helpers/example2.js';
import { futures, market, suite } from '../helpers/inputs.js';

const close = (a: number, e: number, what: string) =>
  expect(Math.abs(a - e), `${what}: ${a} vs ${e}`).toBeLessThanOrEqual(1e-9 * Math.max(1, Math.abs(e)));

/** The attribution fields of a report: cross.attribution on portfolios, attribution on accounts. */
function attributions(report: { portfolios: any[] }) {
  return report.portfolios.map((p) => ({
    id: p.id,
    cross: { attribution: p.cross.attribution },
    segregated: { accounts: p.segregated.accounts.map((a: any) => ({ id: a.id, attribution: a.attribution })) },
  }));
}

/**
 * The brute force: every scenario of every set evaluated on the twins, each series' full loss
 * vector kept; a unit's tail is its k largest losses (ties to the lower scenario) in its binding
 * set, and a component's contribution its mean loss there.
 */
function bruteForce(plan: RunPlan, report: Report) {
  const ev = new TwinEvaluator(kernelPlan(plan), 512);
  const nRows = plan.instruments.nLinear + plan.instruments.nOptions;
  const nSeries = plan.holdings.nSeries;
  const sets = plan.sets.map((set, si) => {
    const n = set.scenarios;
    const rows = new Float64Array(nRows * n);
    const losses = new Float64Array(nSeries * n);
    for (let s0 = 0; s0 < n; s0 += ev.chunk) {
      const c = Math.min(ev.chunk, n - s0);
      const e = ev.range(si, s0, c);
      for (let s = 0; s < c; s++) {
        for (let r = 0; r < nRows; r++) rows[r * n + s0 + s] = e.rows[r * c + s];
        for (let r = 0; r < nSeries; r++) losses[r * n + s0 + s] = -e.series[r * c + s];
      }
    }
    return { n, k: set.tailSize, rows, losses };
  });
  const accounts = seriesAccounts(plan);
  return (series: number, bindingSet: string) => {
    const si = plan.sets.findIndex((s) => s.name === bindingSet);
    const { n, k, rows, losses } = sets[si];
    const order = Array.from({ length: n }, (_, s) => s).sort((a, b) => losses[series * n + b] - losses[series * n + a] || a - b);
    const tail = order.slice(0, k);
    const components = componentsOf(plan, accounts[series]);
    const contribution = new Float64Array(
      components.map((c) => tail.reduce((sum, s) => sum - c.quantity * rows[c.row * n + s], 0) / k),
    );
    const es = tail.reduce((sum, s) => sum + losses[series * n + s], 0) / k;
    return { set: si, tail, components, contribution, es, report };
  };
}

/** Checks a reported attribution against the brute force's contributions for the same unit. */
function checkAgainst(plan: RunPlan, got: Attribution, want: ReturnType<ReturnType<typeof bruteForce>>, top: number) {
  expect(got.set).toBe(plan.sets[want.set].name);
  close(got.es, want.es, 'ES');
  close(
    Array.from(want.contribution).reduce((a, b) => a + b, 0),
    got.es,
    'brute-force contributions add up to the ES',
  );
  const ref = attribution(plan, got.set, got.es, want.components, want.contribution, top);
  close(
    got.byUnderlying.reduce((a, b) => a + b.contribution, 0),
    got.es,
    'reported contributions add up to the ES',
  );
  got.byUnderlying.forEach((u, i) => {
    expect(u.id).toBe(ref.byUnderlying[i].id);
    close(u.contribution, ref.byUnderlying[i].contribution, `underlying ${u.id}`);
  });
  expect(got.topPositions.length).toBe(Math.min(top, want.components.length));
  got.topPositions.forEach((p, i) => {
    // Near-equal contributions may swap places by an ulp; the values must still agree.
    const same = ref.topPositions[i];
    close(p.contribution, same.contribution, `top position ${i}`);
    const j = want.components.findIndex((c) => c.account === p.account && c.instrument === p.instrument);
    expect(j, `${p.account} ${p.instrument}`).toBeGreaterThanOrEqual(0);
    close(p.contribution, want.contribution[j], `${p.account} ${p.instrument}`);
  });
  if (got.byAccount) {
    const byAccount = new Map<string, number>();
    want.components.forEach((c, j) => byAccount.set(c.account, (byAccount.get(c.account) ?? 0) + want.contribution[j]));
    for (const a of got.byAccount) {
      close(a.contribution, byAccount.get(a.id) ?? 0, `account ${a.id}`);
      close(a.diversification, a.standalone - a.contribution, `diversification of ${a.id}`);
    }
  }
}

describe('Euler attribution', () => {
  it("reproduces the worked example's attribution of every portfolio and account", async () => {
    const { expected, ...input } = example2();
    const report = await run({ ...input, workers: 2 });
    const { checked, problems } = compareReports(attributions(expected), attributions(report), 1e-9, 0);
    expect(problems).toEqual([]);
    // 2 portfolios (es, 2 accounts x 3, 2 underlyings, 3 positions x 3...) and 3 accounts.
    expect(checked).toBeGreaterThanOrEqual(60);
    // standalone is the account's reported segregated IM, add-ons included.
    for (const p of report.portfolios)
      for (const a of p.cross.attribution!.byAccount!)
        expect(a.standalone).toBe(p.segregated.accounts.find((x) => x.id === a.id)!.initialMargin);

    // attribution.csv: a row per unit and reported component, the numbers of the report.
    const csv = attributionCsv(report).trim().split('\n');
    expect(csv[0]).toBe('level,id,set,es,component,account,instrument,underlying,contribution,standalone,diversification');
    const fund = report.portfolios.find((p) => p.id === 'fund')!.cross.attribution!;
    const rowsOf = (level: string, id: string) => csv.filter((l) => l.startsWith(`${level},${id},`));
    const fundRows = rowsOf('portfolio', 'fund');
    expect(fundRows.length).toBe(fund.byAccount!.length + fund.byUnderlying.length + fund.topPositions.length);
    expect(fundRows[0]).toBe(
      [
        'portfolio',
        'fund',
        fund.set,
        fund.es,
        'account',
        fund.byAccount![0].id,
        '',
        '',
        fund.byAccount![0].contribution,
        fund.byAccount![0].standalone,
        fund.byAccount![0].diversification,
      ].join(','),
    );
    const top = fund.topPositions[0];
    expect(fundRows).toContain(
      ['portfolio', 'fund', fund.set, fund.es, 'position', top.account, top.instrument, '', top.contribution, '', ''].join(','),
    );
    expect(rowsOf('account', 'desk-a').length).toBeGreaterThan(0);
    // The summary names each portfolio's largest contributor and its share of the ES.
    expect(summaryTable(report)).toContain(
      `${top.account} ${top.instrument} ${((100 * top.contribution) / fund.es).toFixed(1)}%`,
    );
  });

  it('refuses a bad attribution.top before running: exit 2, the file and path named, nothing written', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'xmargin-attribution-'));
    const { expected: _e, baseDir, ...input } = example2();
    writeFileSync(join(dir, 'market.json'), JSON.stringify(input.market));
    writeFileSync(join(dir, 'book.json'), JSON.stringify(input.book));
    writeFileSync(join(dir, 'suite.json'), JSON.stringify({ ...input.suite, attribution: { top: 0 } }));
    writeFileSync(join(dir, 'prices.csv'), readFileSync(join(baseDir, 'prices.csv')));
    const at = (f: string) => join(dir, `${f}.json`);
    const out = join(dir, 'out');
    const r = await xmarginInProcess([
      'run',
      '--market',
      at('market'),
      '--book',
      at('book'),
      '--suite',
      at('suite'),
      '--out',
      out,
    ]);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain(`${at('suite')}: attribution.top: expected a positive whole number of positions`);
    expect(existsSync(out)).toBe(false);
  });

  it('equals a brute force over full loss vectors on the bundled example, for 1 and 3 workers', async () => {
    const suiteDoc = parseYaml(readFileSync(bundledExample.suite, 'utf8')) as any;
    // Fewer Monte Carlo scenarios, so the brute force keeps them all; every set type stays.
    for (const s of suiteDoc.scenarioSets) if (s.type === 'montecarlo') s.count = 3000;
    suiteDoc.attribution = { top: 4 };
    const input = { market: bundledExample.market, book: bundledExample.book, suite: suiteDoc };
    const reports = [await run({ ...input, workers: 1 }), await run({ ...input, workers: 3, chunk: 48 })];
    // The bits do not depend on the workers or the chunk.
    expect(JSON.stringify(attributions(reports[1]))).toBe(JSON.stringify(attributions(reports[0])));
    const report = reports[0];
    const plan = prepare(input);
    const brute = bruteForce(plan, report);
    const h = plan.holdings;
    let units = 0;
    report.portfolios.forEach((p, i) => {
      checkAgainst(plan, p.cross.attribution!, brute(h.portfolios[i].series, p.cross.bindingSet), 4);
      expect(p.cross.attribution!.byAccount!.map((a) => a.id)).toEqual(p.accounts);
      units++;
      for (const acc of p.segregated.accounts) {
        expect(acc.attribution!.byAccount).toBeUndefined();
        checkAgainst(plan, acc.attribution!, brute(h.accountIds.indexOf(acc.id), acc.bindingSet), 4);
        units++;
      }
    });
    expect(units).toBeGreaterThanOrEqual(8);
    // Both Monte Carlo sets and an explicit one bind somewhere, so all three paths are checked.
    const binding = new Set(
      report.portfolios.flatMap((p) => [p.cross.bindingSet, ...p.segregated.accounts.map((a) => a.bindingSet)]),
    );
    expect(binding.size).toBeGreaterThanOrEqual(2);
  });

  it('breaks ties at the VaR toward the lower scenario, as the tail does', async () => {
    // A grid whose moves repeat: many scenarios share a loss, so the tail's last places are ties.
    const input = {
      market: market([
        { id: 'BTC', spot: 100, vol: 0.5 },
        { id: 'ETH', spot: 10, vol: 0.7 },
      ]),
      book: {
        instruments: futures('BTC', 'ETH'),
        accounts: [
          {
            id: 'a',
            collateral: [
              { asset: 'USD', amount: 1000 },
              { asset: 'ETH', amount: 20 },
            ],
            positions: [{ instrument: 'BTC-PERP', quantity: 3 }],
          },
          { id: 'b', collateral: [{ asset: 'USD', amount: 1000 }], positions: [{ instrument: 'ETH-PERP', quantity: -10 }] },
        ],
        portfolios: [{ id: 'p', accounts: ['a', 'b'] }],
      },
      suite: suite([
        { name: 'g', type: 'grid', priceMoves: [-0.1, -0.1, 0, 0.1, -0.1, 0.1] },
        { name: 'mc', type: 'montecarlo', count: 700 },
      ]),
    };
    const report = await run({ ...input, workers: 2 });
    const plan = prepare(input);
    const brute = bruteForce(plan, report);
    const p = report.portfolios[0];
    checkAgainst(plan, p.cross.attribution!, brute(plan.holdings.portfolios[0].series, p.cross.bindingSet), 10);
    for (const [a, acc] of p.segregated.accounts.entries()) checkAgainst(plan, acc.attribution!, brute(a, acc.bindingSet), 10);
    // ETH collateral is a component of its own, under its asset.
    const a = p.segregated.accounts[0].attribution!;
    expect(a.topPositions.map((x) => x.instrument).sort()).toEqual(['BTC-PERP', 'collateral:ETH']);
  });

  it('the streaming pass equals the reference pass on the twins to 1e-12 of the ES', async () => {
    const { expected: _e, ...input } = example2();
    const plan = prepare(input);
    const engine = createEngine(plan, { workers: 2 });
    try {
      const tails = await engine.run();
      const accounts = seriesAccounts(plan);
      // Every set's pass at once, every series in each: one dispatch, batched over the workers.
      const passes = plan.sets.map((_, si) => ({
        set: si,
        units: accounts.map((acc, r) => {
          const components = componentsOf(plan, acc);
          return { components, tail: tails[si].series(r).scenarios };
        }),
      }));
      const sums = await engine.componentTailLosses(
        passes.map((p) => ({
          set: p.set,
          units: p.units.map((u) => ({
            tail: u.tail,
            rows: u.components.map((c) => c.row),
            quantities: u.components.map((c) => c.quantity),
          })),
        })),
      );
      passes.forEach(({ set: si, units }) =>
        units.forEach((u, r) => {
          const ref = contributions(plan, si, u.tail, u.components);
          const scale = Math.max(1, ...Array.from(ref, Math.abs));
          ref.forEach((x, j) =>
            expect(
              Math.abs(sums[si][r][j] / plan.sets[si].tailSize - x),
              `set ${si} series ${r} component ${j}`,
            ).toBeLessThanOrEqual(1e-12 * scale),
          );
        }),
      );
    } finally {
      await engine.close();
    }
  });
});
