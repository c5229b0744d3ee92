import { normCdf } from '../kernels/normal.js';
import type { Book, Market } from '../model/types.js';

/**
 * The distinct revaluation rows of a run. Instruments that move identically in every scenario
 * (a future and a spot position on BTC with the same multiplier, BTC collateral) share one row,
 * so each distinct instrument is revalued once per scenario however many accounts hold it.
 * Linear rows come first, then options, because the two kernels write contiguous row ranges.
 */
export interface InstrumentTable {
  n: number;
  spot0: Float64Array;
  rate: number;
  nLinear: number;
  linUnd: Int32Array;
  linMult: Float64Array;
  nOptions: number;
  optUnd: Int32Array;
  optIsCall: Int32Array;
  optStrike: Float64Array;
  optLnSK: Float64Array;
  optIv: Float64Array;
  /** Time to expiry after the horizon, T' = max(T - h/365, 0), in years. */
  optTau: Float64Array;
  /** Unit value today, at T. */
  optValue0: Float64Array;
  optMult: Float64Array;
  /** For messages: the book instruments (or collateral) behind each row, linear rows then options. */
  rowNames: string[][];
  /** Book instrument id -> row. */
  rowOf: Map<string, number>;
  /** Underlying index -> row of a unit linear exposure (multiplier 1), for non-cash collateral. */
  collateralRow: Map<number, number>;
}

const DAY_MS = 86_400_000;

export function daysBetween(from: string, to: string): number {
  return (Date.parse(`${to}T00:00:00Z`) - Date.parse(`${from}T00:00:00Z`)) / DAY_MS;
}

/**
 * An option's time to expiry today, in years: calendar days from asOf to expiry over 365, never
 * negative (contract section 3). One definition for valuation and for the Greeks of exposure.
 */
export function yearsToExpiry(asOf: string, expiry: string): number {
  return Math.max(0, daysBetween(asOf, expiry)) / 365;
}

/** Black-Scholes-Merton value of a European option, no dividend; intrinsic value at T <= 0. */
export function optionValue(isCall: boolean, s: number, k: number, t: number, rate: number, iv: number): number {
  if (!(t > 0)) return isCall ? Math.max(s - k, 0) : Math.max(k - s, 0);
  const sq = iv * Math.sqrt(t);
  const d1 = (Math.log(s / k) + (rate + 0.5 * iv * iv) * t) / sq;
  const d2 = d1 - sq;
  const kdf = k * Math.exp(-rate * t);
  const n1 = normCdf(d1);
  const n2 = normCdf(d2);
  return isCall ? s * n1 - kdf * n2 : kdf * (1 - n2) - s * (1 - n1);
}

export function buildInstrumentTable(market: Market, book: Book, horizonDays: number): InstrumentTable {
  const und = new Map(market.underlyings.map((u, i) => [u.id, i]));
  const spot0 = Float64Array.from(market.underlyings, (u) => u.spot);
  const linear: { key: string; und: number; mult: number; names: string[] }[] = [];
  const options: {
    key: string;
    und: number;
    isCall: boolean;
    strike: number;
    expiry: string;
    iv: number;
    mult: number;
    names: string[];
  }[] = [];
  const linearByKey = new Map<string, number>();
  const optionByKey = new Map<string, number>();
  const pending = new Map<string, { kind: 'lin' | 'opt'; index: number }>();

  const linearRow = (u: number, mult: number, name: string): number => {
    const key = `${u}|${mult}`;
    let i = linearByKey.get(key);
    if (i === undefined) {
      i = linear.length;
      linear.push({ key, und: u, mult, names: [] });
      linearByKey.set(key, i);
    }
    linear[i].names.push(name);
    return i;
  };

  for (const inst of book.instruments) {
    const u = und.get(inst.underlying)!;
    if (inst.type === 'option') {
      const key = `${u}|${inst.right}|${inst.strike}|${inst.expiry}|${inst.iv}|${inst.multiplier}`;
      let i = optionByKey.get(key);
      if (i === undefined) {
        i = options.length;
        options.push({
          key,
          und: u,
          isCall: inst.right === 'call',
          strike: inst.strike,
          expiry: inst.expiry,
          iv: inst.iv,
          mult: inst.multiplier,
          names: [],
        });
        optionByKey.set(key, i);
      }
      options[i].names.push(inst.id);
      pending.set(inst.id, { kind: 'opt', index: i });
    } else {
      pending.set(inst.id, { kind: 'lin', index: linearRow(u, inst.multiplier, inst.id) });
    }
  }
  const collateralRow = new Map<number, number>();
  for (const account of book.accounts)
    for (const c of account.collateral) {
      const u = und.get(c.asset);
      if (u !== undefined && !collateralRow.has(u)) collateralRow.set(u, linearRow(u, 1, `${c.asset} collateral`));
    }

  const nLinear = linear.length;
  const rowOf = new Map<string, number>();
  for (const [id, p] of pending) rowOf.set(id, p.kind === 'lin' ? p.index : nLinear + p.index);

  const tauShift = horizonDays / 365;
  const rate = market.rate;
  const optTau = new Float64Array(options.length);
  const optValue0 = new Float64Array(options.length);
  options.forEach((o, i) => {
    const t = yearsToExpiry(market.asOf, o.expiry);
    optTau[i] = Math.max(t - tauShift, 0);
    optValue0[i] = optionValue(o.isCall, spot0[o.und], o.strike, t, rate, o.iv);
  });

  return {
    n: spot0.length,
    spot0,
    rate,
    nLinear,
    linUnd: Int32Array.from(linear, (l) => l.und),
    linMult: Float64Array.from(linear, (l) => l.mult),
    nOptions: options.length,
    optUnd: Int32Array.from(options, (o) => o.und),
    optIsCall: Int32Array.from(options, (o) => (o.isCall ? 1 : 0)),
    optStrike: Float64Array.from(options, (o) => o.strike),
    optLnSK: Float64Array.from(options, (o) => Math.log(spot0[o.und] / o.strike)),
    optIv: Float64Array.from(options, (o) => o.iv),
    optTau,
    optValue0,
    optMult: Float64Array.from(options, (o) => o.mult),
    rowNames: [...linear.map((l) => l.names), ...options.map((o) => o.names)],
    rowOf,
    collateralRow,
  };
}
