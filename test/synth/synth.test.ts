// The synthetic workload generator: deterministic, sized exactly as the performance issue says,
// valid input for `xmargin run`, and runnable end to end. No timing here: speed lives in bench/.
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { parse as parseYaml } from 'yaml';
import { parseBook, parseMarket, parseSuite } from '../../src/model/load.js';
import { run } from '../../src/run.js';
import { minEigenvalue } from '../../src/math/linalg.js';
import { EXPIRY_DAYS, SIZES, SYNTH_SIZES, synthesize, synthTexts, type SynthWorkload } from '../../src/synth/index.js';
import { xmargin, xmarginInProcess } from '../helpers/cli.js';

const cache = new Map<string, SynthWorkload>();
const workload = (size: 'S' | 'M' | 'L', seed = 1) => {
  const key = `${size}${seed}`;
  if (!cache.has(key)) cache.set(key, synthesize(size, seed));
  return cache.get(key)!;
};
const doc = (x: unknown) => x as Record<string, unknown>;
const tmp = mkdtempSync(join(tmpdir(), 'xmargin-synth-test-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

describe('synthesize: determinism', () => {
  it('gives identical documents and bytes for the same size and seed', () => {
    for (const size of SYNTH_SIZES) {
      const a = synthesize(size, 7);
      const b = synthesize(size, 7);
      expect(b).toEqual(a);
      expect(synthTexts(b)).toEqual(synthTexts(a));
    }
  });

  it('gives different markets, books and suites for different seeds', () => {
    const a = synthesize('S', 7);
    const b = synthesize('S', 8);
    expect(b.market.underlyings).not.toEqual(a.market.underlyings);
    expect(b.market.correlation).not.toEqual(a.market.correlation);
    expect(b.book.instruments).not.toEqual(a.book.instruments);
    expect(b.book.accounts).not.toEqual(a.book.accounts);
    expect(b.suite.seed).not.toBe(a.suite.seed);
  });

  it('keeps the book when only the Monte Carlo count is overridden', () => {
    const base = workload('M');
    const big = synthesize('M', 1, { mcCount: 1_000_000, mcSets: 1, grid: false });
    expect(big.book).toEqual(base.book);
    expect(big.market).toEqual(base.market);
    expect(big.suite.scenarioSets).toEqual([{ name: 'mc-normal', type: 'montecarlo', count: 1_000_000, distribution: 'normal' }]);
  });

  it('adds every add-on with --add-ons and leaves every other byte as it was', async () => {
    const plain = synthesize('S', 3);
    const priced = synthesize('S', 3, { addOns: true });
    const strip = (w: SynthWorkload) => ({
      market: { ...w.market, underlyings: w.market.underlyings.map(({ adv: _a, spread: _s, ...u }) => u) },
      book: { ...w.book, portfolios: w.book.portfolios.map(({ rating: _r, ...p }) => p) },
      suite: { ...w.suite, addOns: undefined },
    });
    expect(JSON.stringify(strip(priced))).toBe(JSON.stringify({ ...plain, suite: { ...plain.suite, addOns: undefined } }));
    expect(priced.market.underlyings.every((u) => (u.adv ?? 0) > 0 && (u.spread ?? 0) > 0)).toBe(true);
    expect(new Set(priced.book.portfolios.map((p) => p.rating))).toEqual(new Set(['A', 'B', 'C']));
    // The YAML reads back to the suite, add-ons included, and the run charges them.
    const texts = synthTexts(priced);
    expect(parseYaml(texts.suite)).toEqual(JSON.parse(JSON.stringify(priced.suite)));
    const report = await run({ market: priced.market, book: priced.book, suite: priced.suite, workers: 1 } as never);
    expect(report.portfolios.every((p) => p.cross.components !== undefined)).toBe(true);
    expect(report.portfolios.some((p) => p.cross.components!.liquidity > 0 && p.cross.components!.credit > 0)).toBe(true);
  });

  it('rejects bad sizes, seeds and overrides', () => {
    expect(() => synthesize('XL' as 'S', 1)).toThrow(/unknown size/);
    expect(() => synthesize('S', -1)).toThrow(/seed/);
    expect(() => synthesize('S', 1.5)).toThrow(/seed/);
    expect(() => synthesize('S', 1, { mcCount: 0 })).toThrow(/mcCount/);
    expect(() => synthesize('S', 1, { positionsPerAccount: 101 })).toThrow(/positionsPerAccount/);
    expect(() => synthesize('S', 1, { optionShare: 1.5 })).toThrow(/optionShare/);
  });
});

describe.each(SYNTH_SIZES)('synthesize: size %s matches the spec', (size) => {
  const spec = SIZES[size];
  const w = workload(size);
  const { market, book, suite } = w;

  it('has the underlyings, instruments and 40% options', () => {
    expect(market.underlyings).toHaveLength(spec.underlyings);
    expect(new Set(market.underlyings.map((u) => u.id)).size).toBe(spec.underlyings);
    expect(book.instruments).toHaveLength(spec.instruments);
    expect(new Set(book.instruments.map((i) => i.id)).size).toBe(spec.instruments);
    const options = book.instruments.filter((i) => i.type === 'option');
    expect(options.length).toBe(spec.instruments * 0.4);
    expect(options.length / book.instruments.length).toBe(0.4);
  });

  it('spreads options over six expiries, calls and puts, strikes around spot', () => {
    const spot = new Map(market.underlyings.map((u) => [u.id, u.spot]));
    const options = book.instruments.flatMap((i) => (i.type === 'option' ? [i] : []));
    const expiries = new Set(options.map((o) => o.expiry));
    expect(expiries.size).toBe(EXPIRY_DAYS.length);
    expect(expiries.size).toBe(6);
    for (const e of expiries) expect(e > market.asOf).toBe(true);
    const calls = options.filter((o) => o.right === 'call').length;
    expect(calls).toBe(options.length / 2);
    for (const o of options) {
      const m = o.strike / spot.get(o.underlying)!;
      expect(m).toBeGreaterThan(0.6);
      expect(m).toBeLessThan(1.4);
      expect(o.iv).toBeGreaterThan(0.1);
      expect(o.iv).toBeLessThan(2);
    }
    // Every underlying has options and linear instruments.
    for (const u of market.underlyings) {
      expect(options.some((o) => o.underlying === u.id)).toBe(true);
      expect(book.instruments.some((i) => i.type !== 'option' && i.underlying === u.id)).toBe(true);
    }
  });

  it('has the accounts, positions per account and portfolios of 10', () => {
    expect(book.accounts).toHaveLength(spec.accounts);
    const ids = new Set(book.instruments.map((i) => i.id));
    // Plain checks collected, one assertion: L has 100,000 positions.
    const problems: string[] = [];
    for (const a of book.accounts) {
      if (a.positions.length !== spec.positionsPerAccount) problems.push(`${a.id}: ${a.positions.length} positions`);
      if (new Set(a.positions.map((p) => p.instrument)).size !== a.positions.length)
        problems.push(`${a.id}: an instrument held twice`);
      for (const p of a.positions) {
        if (!ids.has(p.instrument)) problems.push(`${a.id}: unknown instrument ${p.instrument}`);
        if (!(Number.isFinite(p.quantity) && p.quantity !== 0)) problems.push(`${a.id}: quantity ${p.quantity}`);
      }
    }
    expect(problems).toEqual([]);
    expect(book.accounts.reduce((n, a) => n + a.positions.length, 0)).toBe(spec.accounts * spec.positionsPerAccount);
    expect(book.portfolios).toHaveLength(spec.accounts / spec.portfolioSize);
    for (const p of book.portfolios) expect(p.accounts).toHaveLength(spec.portfolioSize);
    const listed = book.portfolios.flatMap((p) => p.accounts);
    expect(new Set(listed).size).toBe(spec.accounts);
    expect(listed.length).toBe(spec.accounts);
  });

  it('mixes cash and asset collateral', () => {
    const cash = book.accounts.filter((a) => typeof a.collateral === 'number');
    const lists = book.accounts.flatMap((a) => (Array.isArray(a.collateral) ? [a.collateral] : []));
    expect(cash.length).toBeGreaterThan(spec.accounts * 0.3);
    expect(lists.length).toBeGreaterThan(spec.accounts * 0.3);
    const und = new Set(market.underlyings.map((u) => u.id));
    expect(lists.some((l) => l.some((c) => und.has(c.asset) && (c.haircut ?? 0) > 0))).toBe(true);
  });

  it('has a symmetric, unit-diagonal, positive definite correlation', () => {
    const c = market.correlation;
    expect(c).toHaveLength(spec.underlyings);
    for (let i = 0; i < c.length; i++) {
      expect(c[i]).toHaveLength(spec.underlyings);
      expect(c[i][i]).toBe(1);
      for (let j = 0; j < c.length; j++) {
        expect(c[i][j]).toBe(c[j][i]);
        if (i !== j) {
          expect(c[i][j]).toBeGreaterThan(0);
          expect(c[i][j]).toBeLessThan(1);
        }
      }
    }
    expect(minEigenvalue(c)).toBeGreaterThan(0.1);
    // The breakdown set's matrix (half-way to 1) is PSD too.
    expect(minEigenvalue(c.map((r, i) => r.map((v, j) => (i === j ? 1 : 0.5 * v + 0.5))))).toBeGreaterThan(0);
  });

  it("has two Monte Carlo sets of the size's count and a 7 x 3 grid", () => {
    expect(suite.scenarioSets.map((s) => s.name)).toEqual(['mc-normal', 'mc-t4-breakdown', 'price-vol-grid']);
    const [normal, t, grid] = suite.scenarioSets;
    expect(normal).toEqual({ name: 'mc-normal', type: 'montecarlo', count: spec.mcCount, distribution: 'normal' });
    expect(t).toMatchObject({
      type: 'montecarlo',
      count: spec.mcCount,
      distribution: { type: 'student-t', dof: 4 },
      correlation: { target: 1, weight: 0.5 },
    });
    expect(t).toHaveProperty('volMultiplier');
    expect(t).toHaveProperty('ivMove');
    expect(grid.type).toBe('grid');
    if (grid.type === 'grid') {
      expect(grid.priceMoves).toHaveLength(7);
      expect(grid.ivMoves).toHaveLength(3);
    }
  });

  it('is valid input for xmargin run, and the files say exactly the same', () => {
    const texts = synthTexts(w);
    const m = parseMarket(JSON.parse(texts.market), 'market.json');
    const b = parseBook(JSON.parse(texts.book), 'book.json', m);
    const s = parseSuite(parseYaml(texts.suite), 'suite.yaml', m, tmp);
    expect(JSON.parse(texts.market)).toEqual(market);
    expect(JSON.parse(texts.book)).toEqual(book);
    expect(parseYaml(texts.suite)).toEqual(suite);
    expect(m.underlyings).toHaveLength(spec.underlyings);
    expect(b.accounts).toHaveLength(spec.accounts);
    expect(s.scenarioSets.map((x) => x.type)).toEqual(['montecarlo', 'montecarlo', 'grid']);
  });
});

describe('S through the engine', () => {
  it('runs through run() with finite numbers for every portfolio and account', async () => {
    const { market, book, suite } = workload('S');
    const report = await run({ market: doc(market), book: doc(book), suite: doc(suite), workers: 2 });
    expect(report.sets.map((s) => [s.name, s.scenarios])).toEqual([
      ['mc-normal', 20_000],
      ['mc-t4-breakdown', 20_000],
      ['price-vol-grid', 21],
    ]);
    expect(report.portfolios).toHaveLength(20);
    let numbers = 0;
    const walk = (v: unknown, path: string): void => {
      if (typeof v === 'number') {
        numbers++;
        if (!Number.isFinite(v)) throw new Error(`${path} is ${v}`);
      } else if (v && typeof v === 'object') for (const [k, x] of Object.entries(v)) walk(x, `${path}.${k}`);
    };
    walk(report, '$');
    expect(numbers).toBeGreaterThan(1000);
    for (const p of report.portfolios) {
      expect(p.accounts).toHaveLength(10);
      expect(p.cross.initialMargin).toBeGreaterThan(0);
      expect(p.cross.initialMargin).toBeLessThanOrEqual(p.segregated.initialMargin * (1 + 1e-9));
    }
  });
});

describe('xmargin synth', () => {
  it('writes the same bytes twice (the executable, then in-process), and what synthesize() gives', async () => {
    const a = join(tmp, 'a');
    const b = join(tmp, 'b');
    const args = (dir: string) => ['synth', '--size', 'S', '--seed', '3', '--out', dir];
    for (const r of [xmargin(args(a)), await xmarginInProcess(args(b))]) {
      expect(r.code, r.stderr).toBe(0);
      expect(r.stdout).toMatch(/10 underlyings, 100 instruments \(40 options\), 200 accounts x 8 positions/);
    }
    for (const f of ['market.json', 'book.json', 'suite.yaml'])
      expect(readFileSync(join(b, f))).toEqual(readFileSync(join(a, f)));
    const w = synthesize('S', 3);
    expect(JSON.parse(readFileSync(join(a, 'book.json'), 'utf8'))).toEqual(w.book);
    expect(JSON.parse(readFileSync(join(a, 'market.json'), 'utf8'))).toEqual(w.market);
    expect(parseYaml(readFileSync(join(a, 'suite.yaml'), 'utf8'))).toEqual(w.suite);
  });

  it('honours --mc-count, and the files run through xmargin run', async () => {
    const dir = join(tmp, 'small');
    expect((await xmarginInProcess(['synth', '--size', 'S', '--out', dir, '--mc-count', '2000'])).code).toBe(0);
    const r = await xmarginInProcess([
      'run',
      '--market',
      join(dir, 'market.json'),
      '--book',
      join(dir, 'book.json'),
      '--suite',
      join(dir, 'suite.yaml'),
      '--json',
      '--workers',
      '1',
    ]);
    expect(r.code, r.stderr).toBe(0);
    const report = JSON.parse(r.stdout);
    expect(report.sets.map((s: { scenarios: number }) => s.scenarios)).toEqual([2000, 2000, 21]);
  });

  it('exits 2 on a bad size, seed or count', async () => {
    expect((await xmarginInProcess(['synth', '--size', 'XL', '--out', join(tmp, 'x')])).code).toBe(2);
    expect((await xmarginInProcess(['synth', '--size', 'S', '--out', join(tmp, 'x'), '--seed', '-3'])).code).toBe(2);
    expect((await xmarginInProcess(['synth', '--size', 'S', '--out', join(tmp, 'x'), '--mc-count', '0'])).code).toBe(2);
    expect((await xmarginInProcess(['synth', '--size', 'S'])).code).toBe(2);
  });
});
