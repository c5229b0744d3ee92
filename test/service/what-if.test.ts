// What-if margins against the reference that defines them: a full run on the book with the
// trades in it. Random trades on the bundled example (every set type, add-ons on), checked to
// 1e-9 relative for every portfolio and account the trades touch; the warm row vectors against
// the TypeScript twins, to the bit; the tail selection against a sort.
import { readFileSync } from 'node:fs';
import { parse as parseYaml } from 'yaml';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bundledExample, createEngine, prepare, reportOn, run, type Engine } from '../../src/index.js';
import { TwinEvaluator } from '../../src/engine/evaluator-twin.js';
import { kernelPlan, type RunPlan } from '../../src/engine/plan.js';
import { vectorMeasures, WhatIfError, WhatIfModel, type Trade, type UnitStanding } from '../../src/service/what-if.js';
import { RowCache } from '../../src/service/row-store.js';
import { rng } from '../kernels/helpers.js';

function inputs() {
  const suite = parseYaml(readFileSync(bundledExample.suite, 'utf8')) as { scenarioSets: { type: string; count?: number }[] };
  // Fewer Monte Carlo scenarios, so that a run per random case stays quick; every set type stays.
  for (const s of suite.scenarioSets) if (s.type === 'montecarlo') s.count = 4000;
  const book = JSON.parse(readFileSync(bundledExample.book, 'utf8'));
  return { market: bundledExample.market, book, suite };
}

const close = (got: number | null, want: number | null, what: string) => {
  if (want === null || got === null) return expect(got, what).toBe(want);
  expect(Math.abs(got - want), `${what}: ${got} vs ${want}`).toBeLessThanOrEqual(1e-9 * Math.max(1, Math.abs(want)));
};

function sameStanding(got: UnitStanding, want: UnitStanding & object, what: string) {
  close(got.initialMargin, want.initialMargin, `${what} IM`);
  close(got.maintenanceMargin, want.maintenanceMargin, `${what} MM`);
  close(got.health, want.health, `${what} health`);
  close(got.marginCall, want.marginCall, `${what} call`);
  expect(got.bindingSet, `${what} binding set`).toBe(want.bindingSet);
}

describe('what-if margins', () => {
  let engine: Engine;
  let plan: RunPlan;
  let model: WhatIfModel;
  let cachedModel: WhatIfModel;
  const input = inputs();

  beforeAll(async () => {
    plan = prepare(input);
    engine = createEngine(plan, { workers: 2 });
    const report = await reportOn(engine);
    const rows: Float64Array[] = [];
    for (let si = 0; si < plan.sets.length; si++) rows.push(await engine.rowVectors(si, { chunk: 64 }));
    model = new WhatIfModel(plan, report, rows, 2 ** 20, (set, specs) => engine.instrumentVectors(set, specs));
    cachedModel = new WhatIfModel(
      plan,
      report,
      // A budget of a few rows of the largest set, and room for a few unit vectors: most of a
      // request's rows are recomputed, and the caches evict while requests are in flight.
      new RowCache(plan.instruments, (set, specs) => engine.instrumentVectors(set, specs), 5 * 8 * 4000),
      3 * 8 * 4000,
      (set, specs) => engine.instrumentVectors(set, specs),
    );
  });
  afterAll(() => engine.close());

  it('keeps every row of every set with the bits of the twins', () => {
    const ev = new TwinEvaluator(kernelPlan(plan), 50);
    const nRows = plan.instruments.nLinear + plan.instruments.nOptions;
    for (const [si, set] of plan.sets.entries()) {
      for (const start of [0, Math.max(0, set.scenarios - 50)]) {
        const c = Math.min(50, set.scenarios - start);
        const e = ev.range(si, start, c);
        for (let r = 0; r < nRows; r++)
          for (let s = 0; s < c; s++)
            expect(Object.is(model.row(si, r)[start + s], e.rows[r * c + s]), `${set.name} row ${r}`).toBe(true);
      }
    }
  });

  it('selects the tail a sort selects: VaR, ES and worst with their scenarios, ties to the lower index', () => {
    const next = rng(3);
    for (let trial = 0; trial < 30; trial++) {
      const n = 1 + Math.floor(next() * 300);
      const k = 1 + Math.floor(next() * n);
      // Few distinct values: ties are common.
      const pnl = Float64Array.from({ length: n }, () => Math.floor(next() * 7) - 3);
      const order = Array.from({ length: n }, (_, i) => i).sort((a, b) => pnl[a] - pnl[b] || a - b);
      const got = vectorMeasures(pnl, k);
      expect(got.worstScenario).toBe(order[0]);
      expect(got.varScenario).toBe(order[k - 1]);
      expect(got.var).toBe(-pnl[order[k - 1]]);
      expect(got.es).toBeCloseTo(order.slice(0, k).reduce((s, i) => s - pnl[i], 0) / k, 12);
    }
    // Large sets take the sampled path (a bound from a sample, then one pass): the same tail,
    // with ties around the k-th loss and with a tail much heavier than the sample suggests.
    for (const [n, k, values] of [
      [50_000, 500, 50],
      [40_000, 400, 3],
      [100_000, 1000, 100_000],
    ] as const) {
      const pnl = Float64Array.from({ length: n }, (_, i) => (i % 997 === 0 ? -1e6 : -Math.floor(next() * values)));
      const order = Array.from({ length: n }, (_, i) => i).sort((a, b) => pnl[a] - pnl[b] || a - b);
      const got = vectorMeasures(pnl, k);
      expect([got.worstScenario, got.varScenario, got.var]).toEqual([order[0], order[k - 1], -pnl[order[k - 1]]]);
      expect(got.es).toBeCloseTo(order.slice(0, k).reduce((s, i) => s - pnl[i], 0) / k, 6);
    }
  });

  it('a trade of nothing changes nothing: after is the report, to the bit', () => {
    const answer = model.whatIf([{ account: 'alpha-spot', instrument: 'BTC-PERP', quantity: 0 }]);
    for (const u of [...answer.portfolios, ...answer.accounts]) {
      expect(u.after).toEqual(u.before);
      expect(u.incrementalIM).toBe(0);
    }
  });

  it('equals a full run on the book with the trades, to 1e-9, on random trades', async () => {
    const next = rng(42);
    const accountIds = input.book.accounts.map((a: { id: string }) => a.id);
    const instrumentIds = input.book.instruments.map((i: { id: string }) => i.id);
    let moved = 0;
    // Collateral assets some account posts (their rows exist), and the market currency.
    const market = JSON.parse(readFileSync(bundledExample.market, 'utf8'));
    const posted = new Set<string>([market.currency]);
    for (const a of input.book.accounts) if (Array.isArray(a.collateral)) for (const c of a.collateral) posted.add(c.asset);
    const assets = [...posted];
    for (let trial = 0; trial < 8; trial++) {
      const trades: Trade[] = Array.from({ length: 1 + Math.floor(next() * 3) }, () => ({
        account: accountIds[Math.floor(next() * accountIds.length)],
        instrument: instrumentIds[Math.floor(next() * instrumentIds.length)],
        quantity: Math.round((next() - 0.5) * 40 * 100) / 100,
      }));
      // Half the cases also post or take out collateral, cash or an underlying.
      const collateral =
        trial % 2 === 0
          ? []
          : Array.from({ length: 1 + Math.floor(next() * 2) }, () => ({
              account: accountIds[Math.floor(next() * accountIds.length)],
              asset: assets[Math.floor(next() * assets.length)],
              amount: Math.round((next() - 0.4) * 2e5) / 100,
            }))
              // Withdrawals only of what the account posts (more is refused: a test below).
              .map((c) => {
                const a = input.book.accounts.find((x: { id: string }) => x.id === c.account);
                const held = Array.isArray(a.collateral)
                  ? (a.collateral.find((x: { asset: string }) => x.asset === c.asset)?.amount ?? 0)
                  : c.asset === market.currency
                    ? a.collateral
                    : 0;
                return c.amount < 0 && -c.amount > held / 2 ? { ...c, amount: -c.amount } : c;
              });
      const answer = model.whatIf(trades, collateral);
      moved += answer.portfolios.filter((p) => Math.abs(p.incrementalIM) > 1).length;
      const book = structuredClone(input.book);
      for (const t of trades)
        book.accounts
          .find((a: { id: string }) => a.id === t.account)
          .positions.push({ instrument: t.instrument, quantity: t.quantity });
      // As a desk would write the new book: a holding of the asset changes amount, a new one is added.
      for (const c of collateral) {
        const a = book.accounts.find((x: { id: string }) => x.id === c.account);
        if (!Array.isArray(a.collateral)) a.collateral = [{ asset: market.currency, amount: a.collateral }];
        const held = a.collateral.find((x: { asset: string }) => x.asset === c.asset);
        if (held) held.amount += c.amount;
        else a.collateral.push({ asset: c.asset, amount: c.amount });
      }
      const full = await run({ ...input, book, workers: 1, attribution: false });
      for (const p of answer.portfolios)
        sameStanding(
          p.after,
          { ...full.portfolios.find((q) => q.id === p.id)!.cross, ...full.portfolios.find((q) => q.id === p.id)! },
          `${JSON.stringify([trades, collateral])} ${p.id}`,
        );
      for (const a of answer.accounts) {
        const want = full.portfolios.flatMap((p) => p.segregated.accounts).find((x) => x.id === a.id)!;
        sameStanding(a.after, want, `${JSON.stringify([trades, collateral])} ${a.id}`);
      }
      expect(answer.accounts.map((a) => a.id).sort()).toEqual(
        [...new Set([...trades, ...collateral].map((t) => t.account))].sort(),
      );
      for (const a of answer.accounts) {
        const want = full.portfolios.flatMap((p) => p.segregated.accounts).find((x) => x.id === a.id)!;
        expect(a.after.collateral, `${a.id} collateral`).toBe(want.collateral);
      }
    }
    // The trades must move margins, or the comparison would prove little.
    expect(moved).toBeGreaterThanOrEqual(4);
  });

  it("gives the trade's contribution to the ES after it, as a full run's attribution of the new position", async () => {
    // An instrument the account does not hold yet, so that the run's component is the trade alone.
    const account = input.book.accounts.find((a: { id: string }) => a.id === 'alpha-spot');
    const held = new Set(account.positions.map((p: { instrument: string }) => p.instrument));
    const instrument = input.book.instruments.find((i: { id: string }) => !held.has(i.id)).id;
    const trades = [{ account: 'alpha-spot', instrument, quantity: 7 }];
    const answer = model.whatIf(trades);
    const book = structuredClone(input.book);
    book.accounts.find((a: { id: string }) => a.id === 'alpha-spot').positions.push({ instrument, quantity: 7 });
    const full = await run({ ...input, book, suite: { ...input.suite, attribution: { top: 1000 } }, workers: 1 });
    const portfolio = full.portfolios.find((p) => p.id === answer.portfolios[0].id)!;
    const acc = portfolio.segregated.accounts.find((a) => a.id === 'alpha-spot')!;
    const component = (a: typeof acc.attribution) =>
      a!.topPositions.find((x) => x.account === 'alpha-spot' && x.instrument === instrument)!.contribution;
    for (const [got, want, attribution] of [
      [answer.portfolios[0].contribution!, portfolio.cross, portfolio.cross.attribution],
      [answer.accounts[0].contribution!, acc, acc.attribution],
    ] as const) {
      expect(got.set).toBe(want.bindingSet);
      close(got.es, attribution!.es, 'ES');
      close(got.contribution, component(attribution), 'contribution');
    }
    expect(Math.abs(answer.portfolios[0].contribution!.contribution)).toBeGreaterThan(0);
  });

  it('trades an instrument defined in the request as a full run with it in the book does, to 1e-9', async () => {
    const option = {
      id: 'BTC-26JUN27-70000-P',
      type: 'option',
      underlying: 'BTC',
      right: 'put',
      strike: 70000,
      expiry: '2027-06-26',
      iv: 0.6,
    };
    const future = { id: 'SOL-FUT-X', type: 'future', underlying: 'SOL', multiplier: 10 };
    const trades = [
      { account: 'alpha-spot', instrument: option, quantity: 12 },
      { account: 'treasury-hedge', instrument: future, quantity: -30 },
      { account: 'alpha-spot', instrument: 'BTC-PERP', quantity: 1 },
    ];
    await model.loadInline(trades);
    const answer = model.whatIf(trades);
    const book = structuredClone(input.book);
    book.instruments.push(option, future);
    for (const t of trades)
      book.accounts
        .find((a: { id: string }) => a.id === t.account)
        .positions.push({ instrument: typeof t.instrument === 'string' ? t.instrument : t.instrument.id, quantity: t.quantity });
    const full = await run({ ...input, book, workers: 1, attribution: false });
    expect(answer.portfolios.length).toBeGreaterThanOrEqual(2);
    for (const p of answer.portfolios) {
      const want = full.portfolios.find((q) => q.id === p.id)!;
      sameStanding(p.after, { ...want.cross, ...want }, p.id);
    }
    for (const a of answer.accounts)
      sameStanding(
        a.after,
        full.portfolios.flatMap((p) => p.segregated.accounts).find((x) => x.id === a.id)!,
        a.id,
      );
    expect(answer.portfolios.some((p) => Math.abs(p.incrementalIM) > 1)).toBe(true);
  });

  it('with its rows cached within a budget and recomputed on demand, answers as with every row kept, to the bit', async () => {
    const next = rng(7);
    const accountIds = input.book.accounts.map((a: { id: string }) => a.id);
    const instrumentIds = input.book.instruments.map((i: { id: string }) => i.id);
    const inline = {
      id: 'ETH-X-P',
      type: 'option',
      underlying: 'ETH',
      right: 'put',
      strike: 2500,
      expiry: '2027-03-26',
      iv: 0.7,
    };
    const requests = Array.from({ length: 10 }, (_, i) => ({
      trades: Array.from({ length: 1 + Math.floor(next() * 3) }, (): Trade => ({
        account: accountIds[Math.floor(next() * accountIds.length)],
        instrument: i % 4 === 3 ? inline : instrumentIds[Math.floor(next() * instrumentIds.length)],
        quantity: Math.round((next() - 0.5) * 40 * 100) / 100,
      })),
      collateral: i % 3 === 1 ? [{ account: accountIds[Math.floor(next() * accountIds.length)], asset: 'USD', amount: 5e4 }] : [],
    }));
    const want = [];
    for (const r of requests) want.push(await model.answer(r.trades, r.collateral));
    expect(cachedModel.rowsComplete).toBe(false);
    // All at once, so that rows are computed while other requests evict, then one by one.
    const together = await Promise.all(requests.map((r) => cachedModel.answer(r.trades, r.collateral)));
    expect(together).toEqual(want);
    for (const [i, r] of requests.entries()) expect(await cachedModel.answer(r.trades, r.collateral)).toEqual(want[i]);
    expect(cachedModel.rowBytes).toBeGreaterThan(0);
    expect(cachedModel.rowBytes).toBeLessThanOrEqual(5 * 8 * 4000);
    // A row cache alone cannot answer synchronously what it has not fetched: answer() fetches.
    expect(() => cachedModel.whatIf([{ account: 'yield-vault', instrument: 'SOL-26MAR27-180-C', quantity: 1 }])).toThrow(
      /was not fetched/,
    );
  });

  it("refuses an inline instrument the book would refuse, or one with a book instrument's id, naming the trade", async () => {
    const refused = async (instrument: Record<string, unknown>) => {
      try {
        await model.loadInline([{ account: 'alpha-spot', instrument, quantity: 1 }]);
      } catch (err) {
        return err instanceof WhatIfError ? { path: err.path, kind: err.kind, message: err.message } : err;
      }
      return 'no error';
    };
    expect(
      await refused({ id: 'X', type: 'option', underlying: 'BTC', right: 'put', expiry: '2027-01-01', iv: 0.5 }),
    ).toMatchObject({
      path: ['trades', 0, 'instrument'],
      kind: 'invalid',
      message: expect.stringContaining('strike'),
    });
    expect(await refused({ id: 'Y', type: 'future', underlying: 'DOGE' })).toMatchObject({
      path: ['trades', 0, 'instrument'],
      kind: 'invalid',
    });
    // Two definitions under one id in one request.
    const twins = [
      { account: 'alpha-spot', instrument: { id: 'Z', type: 'future', underlying: 'BTC' }, quantity: 1 },
      { account: 'alpha-spot', instrument: { id: 'Z', type: 'future', underlying: 'ETH' }, quantity: 1 },
    ];
    await model.loadInline(twins);
    expect(() => model.whatIf(twins)).toThrow(/a second instrument defined as "Z"/);
    expect(await refused({ id: 'BTC-PERP', type: 'future', underlying: 'BTC' })).toMatchObject({
      path: ['trades', 0, 'instrument', 'id'],
      kind: 'invalid',
    });
  });

  it('refuses unknown accounts and instruments, and quantities that are not numbers, naming the field', () => {
    const bad = (trades: Trade[]) => {
      try {
        model.whatIf(trades);
      } catch (err) {
        return err instanceof WhatIfError ? { path: err.path, kind: err.kind } : err;
      }
      return 'no error';
    };
    expect(bad([{ account: 'nobody', instrument: 'BTC-PERP', quantity: 1 }])).toEqual({
      path: ['trades', 0, 'account'],
      kind: 'unknown',
    });
    expect(
      bad([
        { account: 'alpha-spot', instrument: 'BTC-PERP', quantity: 1 },
        { account: 'alpha-spot', instrument: 'XYZ', quantity: 1 },
      ]),
    ).toEqual({
      path: ['trades', 1, 'instrument'],
      kind: 'unknown',
    });
    const badCollateral = (changes: { account: string; asset: string; amount: number }[]) => {
      try {
        model.whatIf([], changes);
      } catch (err) {
        return err instanceof WhatIfError ? { path: err.path, kind: err.kind } : err;
      }
      return 'no error';
    };
    expect(badCollateral([{ account: 'alpha-spot', asset: 'DOGE', amount: 1 }])).toEqual({
      path: ['collateral', 0, 'asset'],
      kind: 'unknown',
    });
    expect(badCollateral([{ account: 'alpha-spot', asset: 'USD', amount: -1e12 }])).toEqual({
      path: ['collateral', 0, 'amount'],
      kind: 'invalid',
    });
    expect(badCollateral([{ account: 'nobody', asset: 'USD', amount: 1 }])).toEqual({
      path: ['collateral', 0, 'account'],
      kind: 'unknown',
    });
    expect(bad([{ account: 'alpha-spot', instrument: 'BTC-PERP', quantity: Infinity }])).toEqual({
      path: ['trades', 0, 'quantity'],
      kind: 'invalid',
    });
  });
});
