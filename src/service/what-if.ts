// What-if margins (the service's core): what a trade would do to the margin of the accounts that
// make it and the portfolios they belong to, exactly as a full run on the modified book would say,
// in milliseconds. For fixed scenarios a position's P&L is its quantity times its instrument row's
// P&L, so with every row's vector over a set's scenarios warm (engine/row-vectors.ts) a unit's
// P&L vector is a weighted sum of rows, and a trade adds one more term: the new tail is reselected
// from the new vector, and margins, add-ons, health and calls follow as in a run (unit-margins.ts).
//
// Exactness: a unit's vector is summed from the rows in the engine's own order (aggregateRows:
// from 0.0, quantity x row in holdings order), so it has the bits of the run's; a trade's term is
// then added to it, where a run on the modified book would have summed the position in its place
// among the others. The difference is rounding, a few ulps of the largest term: equal to 1e-9
// relative unless the unit hedges its positions to nine digits (docs/service.md).
import type { RunPlan } from '../engine/plan.js';
import { buildHoldings } from '../engine/holdings.js';
import { shortOptionNotionals } from '../margin/addons.js';
import { healthOf, marginOf, type MarginResult } from '../margin/margin.js';
import { unitMargins } from '../margin/unit-margins.js';
import type { Book, CollateralAsset, Instrument } from '../model/types.js';
import { InputError } from '../errors.js';
import { parseBook } from '../model/load.js';
import { buildInstrumentTable } from '../engine/instruments.js';
import { instrumentSpec } from '../engine/instrument-vectors.js';
import { canonicalJson } from '../report/run-info.js';
import type { AccountReport, PortfolioReport, Report } from '../report/report.js';
import { planExposures } from '../risk/exposure.js';
import type { TailMeasures } from '../risk/measures.js';
import { AllRows, type InstrumentVectors, type RowStore } from './row-store.js';
import { ByteLru } from '../util/byte-lru.js';

/**
 * One trade: a signed quantity of an instrument in an existing account. The instrument is a book
 * instrument's id, or a definition as the book file writes one (an instrument the book does not
 * have yet: WhatIfModel.loadInline computes its P&L vectors first).
 */
export interface Trade {
  account: string;
  instrument: string | Record<string, unknown>;
  quantity: number;
}

/** How many instruments defined inline a model keeps the vectors of (the oldest dropped first). */
const INLINE_KEPT = 64;

/** Collateral an account posts (amount > 0) or takes out (amount < 0): the market currency or an underlying. */
export interface CollateralChange {
  account: string;
  asset: string;
  amount: number;
}

/** A unit's margin and standing, before or after. */
export interface UnitStanding {
  initialMargin: number;
  maintenanceMargin: number;
  bindingSet: string;
  collateral: number;
  health: number | null;
  marginCall: number;
}

export interface UnitWhatIf {
  id: string;
  before: UnitStanding;
  after: UnitStanding;
  /** after.initialMargin - before.initialMargin. */
  incrementalIM: number;
  /**
   * Where the report has attribution: the changes' Euler contribution to the unit's ES after them,
   * in its binding set then: the mean over that tail of the loss of what the request adds (its
   * trades, and its non-cash collateral), as contract section 7 attributes a position.
   */
  contribution?: { set: string; es: number; contribution: number };
}

export interface WhatIfAnswer {
  /** The portfolios holding a traded account (trades or collateral), margined cross, in report order. */
  portfolios: UnitWhatIf[];
  /** The traded accounts, margined alone (segregated), in book order. */
  accounts: UnitWhatIf[];
}

/** A request that names something the book does not have, or a quantity that is not a number: the caller's fault. */
export class WhatIfError extends Error {
  constructor(
    message: string,
    readonly path: (string | number)[],
    readonly kind: 'unknown' | 'invalid',
  ) {
    super(message);
    this.name = 'WhatIfError';
  }
}

/** Reusable scratch for vectorMeasures: a copy of the losses to select in, and the tail's indices. */
export class TailScratch {
  losses: Float64Array;
  tail: Int32Array;
  sample = new Float64Array(SAMPLE);
  constructor(n: number) {
    this.losses = new Float64Array(n);
    this.tail = new Int32Array(n);
  }
}

/** Losses sampled (every n / SAMPLE-th) to bound a large set's tail before one pass collects it. */
const SAMPLE = 1024;

/**
 * The tail measures of a P&L vector over one set, as the engine finds them: the top k under the
 * order (loss descending, index ascending), VaR its last, worst its first, ES their Neumaier sum
 * in rank order over k. The k-th largest loss is found by quickselect on a copy of the values
 * (numbers only, no comparator: most of a what-if's time), then the tail is collected in one pass
 * (the losses above it, then those equal to it by index) and only those k are sorted.
 */
export function vectorMeasures(
  pnl: Float64Array,
  k: number,
  scratch: TailScratch = new TailScratch(pnl.length),
  onTail?: (tail: number[]) => void,
): TailMeasures {
  const n = pnl.length;
  if (!(k >= 1 && k <= n)) throw new Error(`internal: a tail of ${k} of ${n} scenarios`);
  const tail = scratch.tail;
  const m = sampledTail(pnl, k, scratch) ?? exactTail(pnl, k, scratch);
  const order = Array.from(tail.subarray(0, m))
    .sort((a, b) => pnl[a] - pnl[b] || a - b)
    .slice(0, k);
  onTail?.(order);
  let sum = 0;
  let comp = 0;
  for (const s of order) {
    const v = -pnl[s];
    const t = sum + v;
    comp += Math.abs(sum) >= Math.abs(v) ? sum - t + v : v - t + sum;
    sum = t;
  }
  return {
    var: -pnl[order[k - 1]],
    es: (sum + comp) / k,
    worst: -pnl[order[0]],
    worstScenario: order[0],
    varScenario: order[k - 1],
  };
}

/**
 * Into scratch.tail, every scenario whose loss is at least a bound that at least k losses reach,
 * and how many: the bound is read off a strided sample of the losses, a few standard deviations
 * below where the k-th would fall, so that one pass collects little more than the tail. Undefined
 * when the set is too small to sample or the bound let fewer than k through (then exactTail).
 */
function sampledTail(pnl: Float64Array, k: number, scratch: TailScratch): number | undefined {
  const n = pnl.length;
  if (n < 8 * SAMPLE || k > n / 8) return undefined;
  const sample = scratch.sample;
  for (let j = 0; j < SAMPLE; j++) sample[j] = -pnl[Math.floor((j * n) / SAMPLE)];
  sample.sort();
  const expected = (k * SAMPLE) / n;
  const rank = Math.min(SAMPLE - 1, Math.floor(expected + 4 * Math.sqrt(expected) + 4));
  const bound = sample[SAMPLE - 1 - rank];
  const tail = scratch.tail;
  let m = 0;
  for (let i = 0; i < n; i++) if (-pnl[i] >= bound) tail[m++] = i;
  return m >= k ? m : undefined;
}

/** Into scratch.tail, exactly the k scenarios of the tail (in no order), by quickselect; returns k. */
function exactTail(pnl: Float64Array, k: number, scratch: TailScratch): number {
  const n = pnl.length;
  const losses = scratch.losses;
  for (let i = 0; i < n; i++) losses[i] = -pnl[i];
  const kth = selectDescending(losses, n, k - 1);
  const tail = scratch.tail;
  let m = 0;
  for (let i = 0; i < n; i++) if (-pnl[i] > kth) tail[m++] = i;
  for (let i = 0; i < n && m < k; i++) if (-pnl[i] === kth) tail[m++] = i;
  return m;
}

/** The value at rank r (0 = largest) of a[0, n), rearranging a: Hoare quickselect with a median-of-three pivot. */
function selectDescending(a: Float64Array, n: number, r: number): number {
  let lo = 0;
  let hi = n - 1;
  while (hi > lo) {
    const mid = (lo + hi) >>> 1;
    // Median of three, so sorted or constant runs do not go quadratic.
    let x = a[lo];
    let y = a[mid];
    let z = a[hi];
    if (x < y) [x, y] = [y, x];
    if (y < z) [y, z] = [z, y];
    if (x < y) [x, y] = [y, x];
    const pivot = y;
    let i = lo;
    let j = hi;
    while (i <= j) {
      while (a[i] > pivot) i++;
      while (a[j] < pivot) j--;
      if (i <= j) {
        const t = a[i];
        a[i] = a[j];
        a[j] = t;
        i++;
        j--;
      }
    }
    if (r <= j) hi = j;
    else if (r >= i) lo = i;
    else return a[r];
  }
  return a[r];
}

/**
 * What one request holds while it is answered: the rows fetched for it, and the unit vectors it
 * found or made, so that neither cache can drop one from under it.
 */
export interface RequestHold {
  rows: Map<string, Float64Array>;
  units: Map<string, Float64Array>;
}

/**
 * The warm state of one served version: its plan and report, its rows (every set's, or those a
 * row cache holds: row-store.ts), and the P&L vectors of the units asked about so far (kept while
 * they fit `unitCacheBytes`, the least recently used dropped first; any dropped one is summed
 * again from the rows).
 */
export class WhatIfModel {
  private readonly units: ByteLru<Float64Array>;
  private readonly rows: RowStore;
  private hold: RequestHold | undefined;
  private readonly nRows: number;
  private readonly accountIndex: Map<string, number>;
  // Lookups by id, built once per version rather than once per request.
  private readonly instrumentById: Map<string, Instrument>;
  private readonly underlyingIndex: Map<string, number>;
  private readonly reportPortfolios: Map<string, PortfolioReport>;
  private readonly reportAccounts: Map<string, AccountReport>;
  private readonly portfolioOf: number[];
  private readonly scratch: TailScratch;
  private readonly work: Float64Array;
  /** Instruments defined inline, by their canonical JSON: the parsed instrument and its vector per set. */
  private readonly inline = new Map<string, { instrument: Instrument; vectors: Float64Array[] }>();
  /** Core margins (no add-ons) of series no trade touches, by series: the same for every request of this version. */
  private readonly untouched = new Map<number, MarginResult>();

  constructor(
    readonly plan: RunPlan,
    readonly report: Report,
    /** The rows: a store, or per set every row, rows x scenarios (engine.rowVectors). */
    rows: RowStore | Float64Array[],
    unitCacheBytes = 256 * 2 ** 20,
    /** Instruments' P&L vectors over a set, on the engine (engine.instrumentVectors): for instruments defined inline. */
    private readonly instrumentVectors?: InstrumentVectors,
  ) {
    this.nRows = plan.instruments.nLinear + plan.instruments.nOptions;
    this.units = new ByteLru(unitCacheBytes);
    if (Array.isArray(rows)) {
      plan.sets.forEach((s, i) => {
        if (rows[i].length !== this.nRows * s.scenarios) throw new Error(`internal: row vectors of set ${s.name}`);
      });
      this.rows = new AllRows(
        rows,
        plan.sets.map((s) => s.scenarios),
      );
    } else this.rows = rows;
    this.accountIndex = new Map(plan.holdings.accountIds.map((id, a) => [id, a]));
    this.instrumentById = new Map(plan.book.instruments.map((i) => [i.id, i]));
    this.underlyingIndex = new Map(plan.market.underlyings.map((u, i) => [u.id, i]));
    this.reportPortfolios = new Map(report.portfolios.map((p) => [p.id, p]));
    this.reportAccounts = new Map(report.portfolios.flatMap((p) => p.segregated.accounts).map((a) => [a.id, a]));
    this.portfolioOf = new Array<number>(plan.holdings.accountIds.length);
    plan.holdings.portfolios.forEach((p, i) => p.accounts.forEach((a) => (this.portfolioOf[a] = i)));
    this.scratch = new TailScratch(Math.max(1, ...plan.sets.map((s) => s.scenarios)));
    this.work = new Float64Array(this.scratch.losses.length);
  }

  /** Row r of set `set` over its scenarios (one the request being answered holds, or the store's). */
  row(set: number, r: number): Float64Array {
    const row = this.hold?.rows.get(`${set}:${r}`) ?? this.rows.get(set, r);
    if (!row) throw new Error(`internal: row ${r} of set ${this.plan.sets[set].name} was not fetched`);
    return row;
  }

  /** An account's P&L vector over a set, summed as the aggregation kernel sums it (the run's bits). */
  private accountVector(set: number, a: number): Float64Array {
    return this.cached(`a${a}:${set}`, () => {
      const h = this.plan.holdings;
      const out = new Float64Array(this.plan.sets[set].scenarios);
      for (let k = h.accountOffsets[a]; k < h.accountOffsets[a + 1]; k++)
        addTimes(out, h.accountQty[k], this.row(set, h.accountRows[k]));
      return out;
    });
  }

  /** A series' P&L vector over a set: an account's, or a group's as the sum of its accounts' (weights, in order). */
  private seriesVector(set: number, series: number): Float64Array {
    const h = this.plan.holdings;
    const nAccounts = h.accountIds.length;
    if (series < nAccounts) return this.accountVector(set, series);
    return this.cached(`g${series}:${set}`, () => {
      const g = series - nAccounts;
      const out = new Float64Array(this.plan.sets[set].scenarios);
      for (let m = h.groupOffsets[g]; m < h.groupOffsets[g + 1]; m++)
        addTimes(out, h.groupWeight[m], this.accountVector(set, h.groupMembers[m]));
      return out;
    });
  }

  private cached(key: string, make: () => Float64Array): Float64Array {
    const held = this.hold?.units.get(key);
    if (held) return held;
    const hit = this.units.get(key);
    if (hit) {
      this.hold?.units.set(key, hit);
      return hit;
    }
    const v = make();
    this.hold?.units.set(key, v);
    this.units.set(key, v);
    return v;
  }

  /** Bytes of unit vectors held now. */
  get cachedBytes(): number {
    return this.units.bytes;
  }

  /** Bytes of rows held now. */
  get rowBytes(): number {
    return this.rows.bytes;
  }

  /** Bytes every row of every set takes. */
  get allRowBytes(): number {
    return this.nRows * this.plan.sets.reduce((a, s) => a + s.scenarios, 0) * 8;
  }

  /** Whether every row is in memory (else rows are cached and recomputed on demand: slower answers). */
  get rowsComplete(): boolean {
    return this.rows.complete;
  }

  /**
   * The answer to a request (whatIf), with what it needs made first: the vectors of instruments
   * defined inline, and the rows a row cache does not hold (recomputed on the workers).
   */
  async answer(trades: Trade[], collateral: CollateralChange[] = []): Promise<WhatIfAnswer> {
    await this.loadInline(trades);
    const hold: RequestHold = { rows: new Map(), units: new Map() };
    for (;;) {
      // What is missing is decided and the answer computed in one synchronous step: no other
      // request can run between them, so whatever the check found in the caches is still there.
      const missing = this.missingRows(trades, collateral, hold);
      if (missing.every((rows) => rows.length === 0)) return this.whatIf(trades, collateral, hold);
      // Another request may drop cached unit vectors while these rows are computed: the next
      // round checks again, with these rows held (so it ends: a request needs finitely many).
      hold.units.clear();
      const fetched = await Promise.all(missing.map((rows, set) => this.rows.fetch(set, rows)));
      fetched.forEach((vs, set) => vs.forEach((v, j) => hold.rows.set(`${set}:${missing[set][j]}`, v)));
    }
  }

  /**
   * Per set, the rows a request needs that neither the store nor the request holds: those of its
   * trades and collateral, and of every account of a portfolio it touches whose vector is not
   * cached (those that are, it holds from now on).
   */
  private missingRows(trades: Trade[], collateral: CollateralChange[], hold: RequestHold): number[][] {
    if (this.rows.complete) return this.plan.sets.map(() => []);
    const h = this.plan.holdings;
    const resolved = this.resolve(trades);
    const posted = this.resolveCollateral(collateral);
    const touched = new Set([...resolved.map((t) => t.account), ...posted.map((c) => c.account)]);
    const portfolios = new Set([...touched].map((a) => this.portfolioOf[a]));
    const accounts = [...portfolios].flatMap((p) => h.portfolios[p].accounts);
    const own = [
      ...resolved.flatMap((t) => (t.row === undefined ? [] : [t.row])),
      ...posted.flatMap((c) => (c.row === undefined ? [] : [c.row])),
    ];
    return this.plan.sets.map((_, set) => {
      const needed = new Set(own);
      for (const a of accounts) {
        const key = `a${a}:${set}`;
        const v = hold.units.get(key) ?? this.units.peek(key);
        if (v) hold.units.set(key, v);
        else for (let k = h.accountOffsets[a]; k < h.accountOffsets[a + 1]; k++) needed.add(h.accountRows[k]);
      }
      return [...needed].filter((r) => !hold.rows.has(`${set}:${r}`) && this.rows.get(set, r) === undefined);
    });
  }

  /**
   * Parses and checks the instruments the trades define inline, and computes their P&L vectors
   * over every set on the workers (kept for the next requests). Call before whatIf with such trades.
   */
  async loadInline(trades: Trade[]): Promise<void> {
    const { market, suite } = this.plan;
    for (const [i, t] of trades.entries()) {
      if (typeof t.instrument === 'string') continue;
      const key = canonicalJson(t.instrument);
      if (this.inline.has(key)) continue;
      const at = ['trades', i, 'instrument'];
      let parsed: Book;
      try {
        // A book of this instrument alone (a book needs an account: one that holds nothing).
        parsed = parseBook(
          { instruments: [t.instrument], accounts: [{ id: 'what-if', collateral: 0, positions: [] }], portfolios: [] },
          '<what-if>',
          market,
        );
      } catch (err) {
        if (err instanceof InputError) throw new WhatIfError(err.message, at, 'invalid');
        throw err;
      }
      const instrument = parsed.instruments[0];
      if (this.instrumentById.has(instrument.id))
        throw new WhatIfError(
          `the book has an instrument "${instrument.id}" already: trade it by its id, or define another`,
          [...at, 'id'],
          'invalid',
        );
      if (!this.instrumentVectors) throw new WhatIfError('instruments defined inline are not available here', at, 'invalid');
      const spec = instrumentSpec(buildInstrumentTable(market, parsed, suite.horizonDays));
      const vectors = await Promise.all(this.plan.sets.map((_, si) => this.instrumentVectors!(si, [spec])));
      this.inline.set(key, { instrument, vectors });
      if (this.inline.size > INLINE_KEPT) this.inline.delete(this.inline.keys().next().value!);
    }
  }

  /** Checks a request's trades against the book: every account and instrument known, every quantity a finite number. */
  private resolve(trades: Trade[]): {
    account: number;
    instrument: Instrument;
    vector: (set: number) => Float64Array;
    quantity: number;
    inline: boolean;
    /** The plan's row of the instrument (none for one defined inline). */
    row?: number;
  }[] {
    return trades.map((t, i) => {
      const account = this.accountIndex.get(t.account);
      if (account === undefined)
        throw new WhatIfError(`no account "${t.account}" in the book`, ['trades', i, 'account'], 'unknown');
      if (!Number.isFinite(t.quantity))
        throw new WhatIfError(`expected a finite quantity, found ${t.quantity}`, ['trades', i, 'quantity'], 'invalid');
      if (typeof t.instrument !== 'string') {
        const loaded = this.inline.get(canonicalJson(t.instrument));
        if (!loaded) throw new Error('internal: an instrument defined inline was not loaded (loadInline)');
        return {
          account,
          instrument: loaded.instrument,
          vector: (si: number) => loaded.vectors[si],
          quantity: t.quantity,
          inline: true,
        };
      }
      const instrument = this.instrumentById.get(t.instrument);
      if (instrument === undefined)
        throw new WhatIfError(`no instrument "${t.instrument}" in the book`, ['trades', i, 'instrument'], 'unknown');
      const row = this.plan.instruments.rowOf.get(t.instrument)!;
      return { account, instrument, vector: (si: number) => this.row(si, row), quantity: t.quantity, inline: false, row };
    });
  }

  /**
   * Checks collateral changes: a known account, the market currency or an underlying some account
   * already posts (its revaluation row exists; others are refused), a finite amount.
   */
  private resolveCollateral(changes: CollateralChange[]): { account: number; asset: string; amount: number; row?: number }[] {
    const { market, instruments } = this.plan;
    return changes.map((c, i) => {
      const account = this.accountIndex.get(c.account);
      if (account === undefined)
        throw new WhatIfError(`no account "${c.account}" in the book`, ['collateral', i, 'account'], 'unknown');
      if (!Number.isFinite(c.amount))
        throw new WhatIfError(`expected a finite amount, found ${c.amount}`, ['collateral', i, 'amount'], 'invalid');
      if (c.asset === market.currency) return { account, asset: c.asset, amount: c.amount };
      const u = this.underlyingIndex.get(c.asset);
      if (u === undefined)
        throw new WhatIfError(
          `no asset "${c.asset}": expected ${market.currency} or an underlying of the market`,
          ['collateral', i, 'asset'],
          'unknown',
        );
      const row = instruments.collateralRow.get(u);
      if (row === undefined)
        throw new WhatIfError(
          `no account posts ${c.asset} as collateral in this book, and a what-if cannot add a new kind of collateral yet`,
          ['collateral', i, 'asset'],
          'invalid',
        );
      return { account, asset: c.asset, amount: c.amount, row };
    });
  }

  /**
   * The trades' and collateral changes' effect on the margin of every portfolio holding an
   * account they touch (cross) and of every such account (alone): before (this version's
   * report) and after. Synchronous: with every row in memory, or those a request holds (answer).
   */
  whatIf(trades: Trade[], collateral: CollateralChange[] = [], hold?: RequestHold): WhatIfAnswer {
    this.hold = hold ?? { rows: new Map(), units: new Map() };
    try {
      return this.answerNow(trades, collateral);
    } finally {
      this.hold = undefined;
    }
  }

  private answerNow(trades: Trade[], collateral: CollateralChange[]): WhatIfAnswer {
    const plan = this.plan;
    const h = plan.holdings;
    const resolved = this.resolve(trades);
    // One id, one instrument: two definitions under one id would be two instruments a book cannot hold.
    const defined = new Map<string, Instrument>();
    resolved.forEach((t, i) => {
      if (!t.inline) return;
      const other = defined.get(t.instrument.id);
      if (other && other !== t.instrument)
        throw new WhatIfError(
          `a second instrument defined as "${t.instrument.id}" in one request`,
          ['trades', i, 'instrument', 'id'],
          'invalid',
        );
      defined.set(t.instrument.id, t.instrument);
    });
    const posted = this.resolveCollateral(collateral);
    // No account may take out more of an asset than it posts: a book cannot hold less than none.
    posted.forEach((c, i) => {
      const held = withChanges(
        plan.book.accounts[c.account].collateral,
        posted.filter((d) => d.account === c.account),
      );
      if (held.some((x) => x.amount < 0))
        throw new WhatIfError(
          `takes out more ${c.asset} than account "${h.accountIds[c.account]}" posts`,
          ['collateral', i, 'amount'],
          'invalid',
        );
    });
    // Every term a change adds to its account's P&L vectors: a position's quantity, or non-cash
    // collateral's amount, times its row.
    const terms = [
      ...resolved.map((t) => ({ account: t.account, vector: t.vector, weight: t.quantity })),
      ...posted.flatMap((c) =>
        c.row === undefined ? [] : [{ account: c.account, vector: (si: number) => this.row(si, c.row!), weight: c.amount }],
      ),
    ];
    const touched = new Set([...resolved.map((t) => t.account), ...posted.map((c) => c.account)]);
    const portfolios = [...new Set([...touched].map((a) => this.portfolioOf[a]))].sort((x, y) => x - y);
    // The modified book, cut down to the portfolios concerned: their accounts with the trades as
    // positions, so exposures, add-on inputs and holdings are built as a run builds them.
    const accounts = portfolios.flatMap((p) => h.portfolios[p].accounts);
    const sub = new Map(accounts.map((a, i) => [a, i]));
    const inlineInstruments = [...new Map(resolved.filter((t) => t.inline).map((t) => [t.instrument.id, t.instrument])).values()];
    const book: Book = {
      instruments: inlineInstruments.length ? [...plan.book.instruments, ...inlineInstruments] : plan.book.instruments,
      accounts: accounts.map((a) => {
        const src = plan.book.accounts[a];
        const added = resolved.filter((t) => t.account === a).map((t) => ({ instrument: t.instrument.id, quantity: t.quantity }));
        return {
          ...src,
          positions: [...src.positions, ...added],
          collateral: withChanges(
            src.collateral,
            posted.filter((c) => c.account === a),
          ),
        };
      }),
      portfolios: portfolios.flatMap((p) => {
        const listed = plan.book.portfolios.find((q) => q.id === h.portfolios[p].id);
        return listed ? [listed] : [];
      }),
    };
    // Holdings give the cut-down book's structure and collateral; the plan's instrument table has
    // no row for an instrument defined inline, so its positions stay out of them (the P&L comes
    // from the vectors, exposure and add-ons from `book`).
    const inlineIds = new Set(inlineInstruments.map((i) => i.id));
    const holdings = buildHoldings(
      plan.market,
      inlineIds.size
        ? {
            ...book,
            accounts: book.accounts.map((a) => ({ ...a, positions: a.positions.filter((p) => !inlineIds.has(p.instrument)) })),
          }
        : book,
      plan.instruments,
    );
    const subPlan = { market: plan.market, book, suite: plan.suite, holdings };
    // Each set's P&L vector of every series of the cut-down book: the original series' vector
    // plus the trades' terms.
    const nSub = book.accounts.length;
    const meta = plan.sets.map((s) => ({ name: s.name, margin: s.margin }));
    // Per series of the cut-down book that a change touches: each set's tail after the changes.
    const tails = new Map<number, number[][]>();
    const measured = (original: number, add: (si: number, v: Float64Array) => void, series?: number): MarginResult => {
      const setTails: number[][] = [];
      const measures = plan.sets.map((set, si) => {
        // Scratch, not a fresh array: a request allocates nothing per scenario.
        const v = this.work.subarray(0, set.scenarios);
        v.set(this.seriesVector(si, original));
        add(si, v);
        return vectorMeasures(v, set.tailSize, this.scratch, series === undefined ? undefined : (t) => (setTails[si] = t));
      });
      if (series !== undefined) tails.set(series, setTails);
      return marginOf(meta, measures, plan.suite.maintenanceRatio);
    };
    const seriesMargin = (series: number): MarginResult => {
      const members =
        series < nSub
          ? [accounts[series]]
          : Array.from(
              holdings.groupMembers.subarray(holdings.groupOffsets[series - nSub], holdings.groupOffsets[series - nSub + 1]),
              (m) => accounts[m],
            );
      // The series of the full book with these accounts: an account's own, or their portfolio's.
      const original = members.length === 1 ? members[0] : h.portfolios[this.portfolioOf[members[0]]].series;
      if (!members.some((a) => touched.has(a))) {
        let m = this.untouched.get(original);
        if (!m) this.untouched.set(original, (m = measured(original, () => {})));
        return m;
      }
      return measured(
        original,
        (si, v) => {
          for (const t of terms) if (members.includes(t.account)) addTimes(v, t.weight, t.vector(si));
        },
        series,
      );
    };
    const exposures = planExposures(subPlan);
    const margins = unitMargins(
      subPlan,
      exposures.positionDelta,
      plan.suite.addOns ? shortOptionNotionals(plan.market, book) : [],
      seriesMargin,
    );
    const standing = (
      m: Pick<MarginResult, 'initialMargin' | 'maintenanceMargin' | 'bindingSet'>,
      collateral: number,
    ): UnitStanding => ({
      initialMargin: m.initialMargin,
      maintenanceMargin: m.maintenanceMargin,
      bindingSet: m.bindingSet,
      ...healthOf(collateral, m),
    });
    // The changes' loss over the binding set's tail after them, per series (section 7's Euler rule).
    const attributed = this.report.portfolios.some((p) => p.cross.attribution !== undefined);
    const contributionOf = (series: number, members: number[], m: MarginResult) => {
      if (!attributed) return {};
      const si = plan.sets.findIndex((x) => x.name === m.bindingSet);
      const tail = tails.get(series)![si];
      let sum = 0;
      for (const t of terms) {
        if (!members.includes(t.account)) continue;
        const v = t.vector(si);
        for (const s of tail) sum -= t.weight * v[s];
      }
      return { contribution: { set: m.bindingSet, es: m.sets[m.bindingSet].es, contribution: sum / tail.length } };
    };
    const answer: WhatIfAnswer = { portfolios: [], accounts: [] };
    holdings.portfolios.forEach((p, i) => {
      const was = this.reportPortfolios.get(p.id)!;
      // Summed as the report sums a portfolio's collateral: its accounts', in order.
      const after = standing(
        margins.portfolios[i],
        p.accounts.reduce((s, a) => s + holdings.collateral[a], 0),
      );
      answer.portfolios.push({
        id: p.id,
        before: standing(was.cross, was.collateral),
        after,
        incrementalIM: after.initialMargin - was.cross.initialMargin,
        ...contributionOf(
          p.series,
          p.accounts.map((a) => accounts[a]),
          margins.portfolios[i],
        ),
      });
    });
    for (const a of [...touched].sort((x, y) => x - y)) {
      const id = h.accountIds[a];
      const was = this.reportAccounts.get(id)!;
      const after = standing(margins.accounts[sub.get(a)!], holdings.collateral[sub.get(a)!]);
      answer.accounts.push({
        id,
        before: standing(was, was.collateral),
        after,
        incrementalIM: after.initialMargin - was.initialMargin,
        ...contributionOf(sub.get(a)!, [a], margins.accounts[sub.get(a)!]),
      });
    }
    return answer;
  }
}

/**
 * An account's collateral with changes applied as a book would hold them: an asset it posts
 * already changes amount (its first holding, haircut kept), another is added at the end with no
 * haircut. So the cut-down book is the book a run of the modified inputs reads.
 */
function withChanges(collateral: CollateralAsset[], changes: { asset: string; amount: number }[]): CollateralAsset[] {
  const out = collateral.map((c) => ({ ...c }));
  for (const c of changes) {
    const held = out.find((x) => x.asset === c.asset);
    if (held) held.amount = held.amount + c.amount;
    else out.push({ asset: c.asset, amount: c.amount, haircut: 0 });
  }
  return out;
}

/** out += w x v, element by element from the first (the aggregation kernel's step). */
function addTimes(out: Float64Array, w: number, v: Float64Array): void {
  for (let s = 0; s < out.length; s++) out[s] = out[s] + w * v[s];
}
