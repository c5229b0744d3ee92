// The synthetic workload generator: a market, a book and a suite that `xmargin run` accepts,
// sized S, M or L (spec.ts), and a pure function of (size, seed, options). Every number is
// rounded to a few significant digits so the files read like real ones and do not depend on the
// last bit of Math.log/exp.
import type { BookDocInput, MarketDocInput, SuiteDocInput } from '../model/schema.js';
import { Prng } from './prng.js';
import { EXPIRY_DAYS, GRID_IV_MOVES, GRID_PRICE_MOVES, SIZES, type SizeSpec, type SynthSize } from './spec.js';

// ---------------------------------------------------------------------------------------------
// Document shapes: the model's input documents (model/schema.ts), as written in the files. Synth
// writes every top-level field (Required); the narrower parts are what the generator and its
// callers rely on: a multiplier on every instrument, Monte Carlo sets and grids with their iv moves.

export type SynthMarket = Required<MarketDocInput> & {
  calibration: { method: 'synthetic'; generator: string; size: SynthSize; seed: number; sectors: string[] };
};

export type SynthInstrument = NonNullable<BookDocInput['instruments']>[number] & { multiplier: number };

export type SynthBook = Omit<Required<BookDocInput>, 'instruments'> & { instruments: SynthInstrument[] };

type Collateral = SynthBook['accounts'][number]['collateral'];

type SetInput = SuiteDocInput['scenarioSets'][number];

export type SynthSet = Extract<SetInput, { type: 'montecarlo' }> | (Extract<SetInput, { type: 'grid' }> & { ivMoves: number[] });

export type SynthSuite = Omit<Required<SuiteDocInput>, 'scenarioSets' | 'limits' | 'addOns' | 'attribution' | 'cascade'> & {
  scenarioSets: SynthSet[];
  addOns?: SuiteDocInput['addOns'];
  cascade?: SuiteDocInput['cascade'];
};

export interface SynthWorkload {
  market: SynthMarket;
  book: SynthBook;
  suite: SynthSuite;
}

/** Overrides of the size's spec, for benches (the 1M-scenario run, the linearity curves). */
export interface SynthOptions {
  /** Scenarios per Monte Carlo set (default: the size's). */
  mcCount?: number;
  /** 2 (default): a normal set and a Student-t breakdown set; 1: the normal set only. */
  mcSets?: 1 | 2;
  /** Include the 7 x 3 price/vol grid (default true). */
  grid?: boolean;
  accounts?: number;
  positionsPerAccount?: number;
  /** Share of the instruments that are options, in [0, 1] (default 0.4). */
  optionShare?: number;
  /**
   * Every add-on of contract section 8 (default false): adv and spread per underlying, a rating
   * per portfolio and the suite's addOns block. Drawn from no random stream, so the rest of the
   * workload is the same bytes with or without (what the bench's add-on figure compares).
   */
  addOns?: boolean;
  /**
   * A crash ladder (default false): a grid of CRASH_LADDER_STEPS moves of every underlying at once,
   * from -0.4% to -40% with iv +10 points, not for margin, and `adv` per underlying (as addOns
   * gives it). With 'cascade', also the suite's cascade block on it: the ladder alone is what the
   * bench compares the cascade's cost against. Drawn from no random stream.
   */
  crashLadder?: 'set' | 'cascade';
}

/** Scenarios of the crash ladder (synth crashLadder). */
export const CRASH_LADDER_STEPS = 100;

export const SYNTH_AS_OF = '2026-11-20';
const SECTORS = ['TEC', 'FIN', 'ENE', 'HLT', 'IND', 'CON', 'UTL', 'MAT'];
const MONTHS = ['JAN', 'FEB', 'MAR', 'APR', 'MAY', 'JUN', 'JUL', 'AUG', 'SEP', 'OCT', 'NOV', 'DEC'];
const FUTURE_MULTIPLIERS = [1, 10, 0.1, 5, 100, 0.5];
const HAIRCUTS = [0.1, 0.15, 0.2, 0.25, 0.3];
const CALL_MONEYNESS = [0.9, 0.95, 1, 1.05, 1.1, 1.2, 1.3];
const PUT_MONEYNESS = [0.7, 0.8, 0.9, 0.95, 1, 1.05, 1.1];

// Independent PRNG streams: overriding one part (say, positions per account) leaves the others alone.
const STREAM_MARKET = 1;
const STREAM_INSTRUMENTS = 2;
const STREAM_ACCOUNTS = 3;

const sig = (x: number, digits: number) => Number(x.toPrecision(digits));
const round = (x: number, decimals: number) => {
  const f = 10 ** decimals;
  return Math.round(x * f) / f;
};
const pad = (i: number, width: number) => String(i).padStart(width, '0');

function addDays(iso: string, days: number): string {
  return new Date(Date.parse(`${iso}T00:00:00Z`) + days * 86_400_000).toISOString().slice(0, 10);
}

/** Deribit-style date code: 2026-12-25 -> 25DEC26. */
function dateCode(iso: string): string {
  return `${Number(iso.slice(8, 10))}${MONTHS[Number(iso.slice(5, 7)) - 1]}${iso.slice(2, 4)}`;
}

/** Quarterly future labels from DEC26 on: 0 -> DEC26, 1 -> MAR27, ... */
function quarterLabel(k: number): string {
  const month = 11 + 3 * k; // months after January 2026
  return `${MONTHS[month % 12]}${pad(26 + Math.floor(month / 12), 2)}`;
}

function checkInt(name: string, v: number, lo: number, hi = Number.MAX_SAFE_INTEGER): void {
  if (!Number.isInteger(v) || v < lo || v > hi)
    throw new RangeError(`synth: ${name} must be an integer in [${lo}, ${hi}], got ${v}`);
}

/** The size's spec with the overrides applied and checked. */
export function resolveSpec(size: SynthSize, options: SynthOptions = {}): SizeSpec {
  const base = SIZES[size];
  if (!base) throw new RangeError(`synth: unknown size ${JSON.stringify(size)} (expected S, M or L)`);
  const spec: SizeSpec = {
    ...base,
    mcCount: options.mcCount ?? base.mcCount,
    accounts: options.accounts ?? base.accounts,
    positionsPerAccount: options.positionsPerAccount ?? base.positionsPerAccount,
    optionShare: options.optionShare ?? base.optionShare,
  };
  checkInt('mcCount', spec.mcCount, 1, 0xffffffff);
  checkInt('accounts', spec.accounts, 1);
  checkInt('positionsPerAccount', spec.positionsPerAccount, 1, spec.instruments);
  if (!(spec.optionShare >= 0 && spec.optionShare <= 1))
    throw new RangeError(`synth: optionShare must be in [0, 1], got ${spec.optionShare}`);
  if (options.mcSets !== undefined && options.mcSets !== 1 && options.mcSets !== 2)
    throw new RangeError(`synth: mcSets must be 1 or 2, got ${options.mcSets}`);
  return spec;
}

/** Number of options in the size's instrument list: round(instruments x optionShare). */
export function optionCount(spec: SizeSpec): number {
  return Math.round(spec.instruments * spec.optionShare);
}

/**
 * A deterministic synthetic workload: the same (size, seed, options) always gives the same
 * documents (and, through writeSynthFiles, the same bytes).
 */
export function synthesize(size: SynthSize, seed: number, options: SynthOptions = {}): SynthWorkload {
  checkInt('seed', seed, 0);
  const spec = resolveSpec(size, options);
  const market = makeMarket(size, seed, spec);
  const book = makeBook(seed, spec, market);
  const suite = makeSuite(seed, spec, options);
  if (options.addOns) withAddOns(market, book, suite);
  if (options.crashLadder) withCrashLadder(market, suite, options.crashLadder === 'cascade');
  return { market, book, suite };
}

/** Daily traded value by formula: 50 to 500 million per underlying. */
function withAdv(market: SynthMarket): void {
  market.underlyings.forEach((u, i) => {
    u.adv = 50_000_000 * (1 + (i % 10));
  });
}

function withCrashLadder(market: SynthMarket, suite: SynthSuite, cascade: boolean): void {
  withAdv(market);
  const moves = Array.from({ length: CRASH_LADDER_STEPS }, (_, j) => round(-0.004 * (j + 1), 4));
  suite.scenarioSets.push({ name: 'crash-ladder', type: 'grid', priceMoves: moves, ivMoves: [0.1], margin: false });
  if (cascade) suite.cascade = { sets: ['crash-ladder'], impact: 1, maxRounds: 10 };
}

/**
 * The add-on inputs, by formula: a daily traded value of 50 to 500 million, a spread of 5 to 20
 * basis points, ratings A, B and C in turn, and the bundled example's addOns block.
 */
function withAddOns(market: SynthMarket, book: SynthBook, suite: SynthSuite): void {
  withAdv(market);
  market.underlyings.forEach((u, i) => {
    u.spread = 0.0005 * (1 + (i % 4));
  });
  book.portfolios.forEach((p, i) => {
    p.rating = ['A', 'B', 'C'][i % 3];
  });
  suite.addOns = {
    liquidity: { impact: 1 },
    shortOptionMinimum: 0.01,
    maxDiversificationBenefit: 0.8,
    credit: { A: 0, B: 0.05, C: 0.15 },
  };
}

// ---------------------------------------------------------------------------------------------
// Market: spots spread log-uniformly over four decades, vols 20%..80%, and a two-factor
// correlation (one market factor, one factor per sector): C = B B^T off the diagonal, 1 on it.
// Each name keeps at least 15% idiosyncratic variance, so C = B B^T + D with D >= 0.15 I is
// positive definite with its smallest eigenvalue >= 0.15, far above the rounding to 4 decimals
// (a perturbation of at most n x 0.5e-4 in spectral norm).

function makeMarket(size: SynthSize, seed: number, spec: SizeSpec): SynthMarket {
  const rng = new Prng(seed, STREAM_MARKET);
  const n = spec.underlyings;
  const nSectors = Math.min(SECTORS.length, 2 + Math.floor(n / 10));
  const underlyings: SynthMarket['underlyings'] = [];
  const sector: number[] = [];
  const bm: number[] = [];
  const bs: number[] = [];
  for (let u = 0; u < n; u++) {
    const s = u % nSectors;
    sector.push(s);
    underlyings.push({
      id: `${SECTORS[s]}${pad(Math.floor(u / nSectors) + 1, 2)}`,
      spot: sig(Math.exp(rng.uniform(Math.log(5), Math.log(50_000))), 4),
      vol: round(rng.uniform(0.2, 0.8), 3),
    });
    let m = rng.uniform(0.35, 0.65);
    let f = rng.uniform(0.25, 0.55);
    const common = m * m + f * f;
    if (common > 0.85) {
      const shrink = Math.sqrt(0.85 / common);
      m *= shrink;
      f *= shrink;
    }
    bm.push(m);
    bs.push(f);
  }
  const correlation = Array.from({ length: n }, () => new Array<number>(n).fill(0));
  for (let i = 0; i < n; i++) {
    correlation[i][i] = 1;
    for (let j = i + 1; j < n; j++) {
      const c = round(bm[i] * bm[j] + (sector[i] === sector[j] ? bs[i] * bs[j] : 0), 4);
      correlation[i][j] = c;
      correlation[j][i] = c;
    }
  }
  return {
    asOf: SYNTH_AS_OF,
    currency: 'USD',
    rate: 0.03,
    daysPerYear: 365,
    underlyings,
    correlation,
    calibration: { method: 'synthetic', generator: 'xmargin synth', size, seed, sectors: SECTORS.slice(0, nSectors) },
  };
}

// ---------------------------------------------------------------------------------------------
// Book

/** How many of `total` items go to bucket u of n: as even as possible, the first ones get the extra. */
const share = (total: number, n: number, u: number) => Math.floor(total / n) + (u < total % n ? 1 : 0);

function makeInstruments(seed: number, spec: SizeSpec, market: SynthMarket): SynthInstrument[] {
  const rng = new Prng(seed, STREAM_INSTRUMENTS);
  const n = market.underlyings.length;
  const nOptions = optionCount(spec);
  const nLinear = spec.instruments - nOptions;
  const expiries = EXPIRY_DAYS.map((d) => addDays(market.asOf, d));
  const out: SynthInstrument[] = [];
  const ids = new Set<string>();
  market.underlyings.forEach((und, u) => {
    const U = und.id;
    for (let k = 0; k < share(nLinear, n, u); k++) {
      if (k === 0) out.push({ id: `${U}-SPOT`, type: 'spot', underlying: U, multiplier: 1 });
      else if (k === 1) out.push({ id: `${U}-PERP`, type: 'future', underlying: U, multiplier: 1 });
      else
        out.push({
          id: `${U}-${quarterLabel(k - 2)}`,
          type: 'future',
          underlying: U,
          multiplier: FUTURE_MULTIPLIERS[(k - 2) % FUTURE_MULTIPLIERS.length],
        });
    }
    const optMult = und.spot < 100 ? 100 : 1;
    for (let k = 0; k < share(nOptions, n, u); k++) {
      const call = k % 2 === 0;
      const e = (Math.floor(k / 2) + u) % expiries.length;
      const expiry = expiries[e];
      // Strikes: three significant digits around spot, out of the money more often than not.
      const tick = 10 ** (Math.floor(Math.log10(und.spot)) - 2);
      const idOf = (strike: number) => `${U}-${dateCode(expiry)}-${strike}-${call ? 'C' : 'P'}`;
      let strike = 0;
      for (let tries = 0; tries < 20; tries++) {
        strike = sig(und.spot * rng.pick(call ? CALL_MONEYNESS : PUT_MONEYNESS), 3);
        if (!ids.has(idOf(strike))) break;
      }
      while (ids.has(idOf(strike))) strike = sig(strike + tick, 6);
      const lnMoneyness = Math.log(strike / und.spot);
      const skew = call ? 0.1 * Math.max(lnMoneyness, 0) : 0.6 * Math.max(-lnMoneyness, 0);
      const term = 1 + 0.03 * (e - 2.5);
      const iv = round(und.vol * (1 + skew + 0.8 * lnMoneyness * lnMoneyness) * term * rng.uniform(0.97, 1.03), 4);
      const id = idOf(strike);
      ids.add(id);
      out.push({ id, type: 'option', underlying: U, right: call ? 'call' : 'put', strike, expiry, iv, multiplier: optMult });
    }
  });
  return out;
}

/** A quantity worth about `notional` in the market currency, rounded like a real ticket. */
function quantityFor(notional: number, unitValue: number): number {
  const q = notional / unitValue;
  if (q >= 100) return Math.round(q);
  if (q >= 1) return round(q, 1);
  return sig(q, 3);
}

type Style = 'directional' | 'relative-value' | 'option-seller';
const STYLES: Style[] = ['directional', 'relative-value', 'option-seller'];

function makeBook(seed: number, spec: SizeSpec, market: SynthMarket): SynthBook {
  const instruments = makeInstruments(seed, spec, market);
  const rng = new Prng(seed, STREAM_ACCOUNTS);
  const spotOf = new Map(market.underlyings.map((u) => [u.id, u.spot]));
  const byUnderlying = new Map<string, number[]>(market.underlyings.map((u) => [u.id, []]));
  instruments.forEach((inst, i) => byUnderlying.get(inst.underlying)!.push(i));
  const n = market.underlyings.length;
  const P = spec.positionsPerAccount;

  const accounts: SynthBook['accounts'] = [];
  for (let a = 0; a < spec.accounts; a++) {
    // A few home underlyings, enough to hold P distinct instruments.
    const order = rng.sample(n, n);
    const wanted = 2 + rng.int(3);
    const home: string[] = [];
    const candidates: number[] = [];
    for (const u of order) {
      if (home.length >= wanted && candidates.length >= P) break;
      const id = market.underlyings[u].id;
      home.push(id);
      candidates.push(...byUnderlying.get(id)!);
    }
    const style = rng.pick(STYLES);
    const direction = new Map(home.map((id) => [id, rng.chance(0.5) ? 1 : -1]));
    let gross = 0;
    const positions = rng.sample(candidates.length, P).map((c) => {
      const inst = instruments[candidates[c]];
      const spot = spotOf.get(inst.underlying)!;
      const notional = 10 ** rng.uniform(4, 6);
      gross += notional;
      let sign: number;
      if (style === 'directional')
        sign = direction.get(inst.underlying)! * (inst.type === 'option' && inst.right === 'put' ? -1 : 1);
      else if (style === 'option-seller' && inst.type === 'option') sign = -1;
      else sign = rng.chance(0.5) ? 1 : -1;
      return { instrument: inst.id, quantity: sign * quantityFor(notional, spot * inst.multiplier) };
    });
    const target = gross * rng.uniform(0.01, 0.15);
    let collateral: Collateral;
    if (rng.chance(0.5)) {
      collateral = Math.round(target);
    } else {
      const cash = rng.uniform(0.3, 0.8);
      const list: Exclude<Collateral, number> = [{ asset: market.currency, amount: Math.round(target * cash) }];
      const assets = rng.sample(home.length, Math.min(home.length, 1 + rng.int(2)));
      for (const h of assets) {
        const id = home[h];
        list.push({
          asset: id,
          amount: sig((target * (1 - cash)) / assets.length / spotOf.get(id)!, 4),
          haircut: rng.pick(HAIRCUTS),
        });
      }
      collateral = list;
    }
    accounts.push({ id: `A${pad(a + 1, 5)}`, collateral, positions });
  }

  const portfolios: SynthBook['portfolios'] = [];
  for (let a = 0; a < accounts.length; a += spec.portfolioSize) {
    portfolios.push({
      id: `P${pad(portfolios.length + 1, 4)}`,
      accounts: accounts.slice(a, a + spec.portfolioSize).map((x) => x.id),
    });
  }
  return { instruments, accounts, portfolios };
}

// ---------------------------------------------------------------------------------------------
// Suite: a calibrated normal Monte Carlo set, a fat-tailed Student-t set with a correlation
// breakdown and higher vols, and a SPAN-style price/vol grid.

function makeSuite(seed: number, spec: SizeSpec, options: SynthOptions): SynthSuite {
  const sets: SynthSet[] = [{ name: 'mc-normal', type: 'montecarlo', count: spec.mcCount, distribution: 'normal' }];
  if ((options.mcSets ?? 2) === 2) {
    sets.push({
      name: 'mc-t4-breakdown',
      type: 'montecarlo',
      count: spec.mcCount,
      distribution: { type: 'student-t', dof: 4 },
      volMultiplier: 1.5,
      correlation: { target: 1, weight: 0.5 },
      ivMove: 0.1,
    });
  }
  if (options.grid ?? true)
    sets.push({ name: 'price-vol-grid', type: 'grid', priceMoves: [...GRID_PRICE_MOVES], ivMoves: [...GRID_IV_MOVES] });
  return { seed, horizonDays: 1, confidence: 0.99, maintenanceRatio: 0.8, scenarioSets: sets };
}

/** Total scenarios of a suite as the engine will count them. */
export function suiteScenarios(suite: SynthSuite): number {
  return suite.scenarioSets.reduce((a, s) => a + (s.type === 'grid' ? s.priceMoves.length * s.ivMoves.length : s.count), 0);
}
