// The three input documents as the contract defines them, after validation and with defaults
// applied. Nothing downstream ever sees a raw, unvalidated document.

export interface Underlying {
  id: string;
  spot: number;
  vol: number;
  /** Average daily traded value, in currency; needed by the liquidity add-on only. */
  adv?: number;
  /** Relative bid-ask spread (0.0004 = 4 bp); absent means 0. Absent, not 0, so that a market reads back as written. */
  spread?: number;
}

export interface Market {
  asOf: string; // YYYY-MM-DD
  currency: string; // default 'USD'
  rate: number; // continuously compounded, default 0
  daysPerYear: number; // default 365
  underlyings: Underlying[];
  /** Rows and columns in `underlyings` order; identity when the file omits it. */
  correlation: number[][];
  calibration?: Record<string, unknown>;
}

export type Instrument =
  | { id: string; type: 'spot' | 'future'; underlying: string; multiplier: number }
  | {
      id: string;
      type: 'option';
      underlying: string;
      right: 'call' | 'put';
      strike: number;
      expiry: string; // YYYY-MM-DD
      iv: number;
      multiplier: number;
    };

export interface CollateralAsset {
  asset: string; // the market currency or an underlying id
  amount: number;
  haircut: number; // [0, 1), default 0
}

export interface Position {
  instrument: string;
  quantity: number;
}

export interface Account {
  id: string;
  /** A bare number in the file becomes one cash entry in the market currency. */
  collateral: CollateralAsset[];
  positions: Position[];
}

export interface Portfolio {
  id: string;
  accounts: string[];
  /** Looked up in the suite's credit add-on table; its accounts take it too. */
  rating?: string;
}

export interface Book {
  instruments: Instrument[];
  accounts: Account[];
  /** As listed in the file; accounts no portfolio lists are added by the resolver, not here. */
  portfolios: Portfolio[];
}

export type Distribution = { type: 'normal' } | { type: 'student-t'; dof: number };

export type CorrelationOverride = { target: number; weight: number } | { matrix: number[][]; repair?: boolean };

interface SetBase {
  name: string;
  /** Counts toward margin unless false. */
  margin: boolean;
}

export interface MonteCarloSet extends SetBase {
  type: 'montecarlo';
  count: number;
  distribution: Distribution;
  volMultiplier: number; // default 1
  correlation?: CorrelationOverride;
  ivMove?: number;
}

export interface GridSet extends SetBase {
  type: 'grid';
  priceMoves: number[];
  ivMoves: number[]; // default [0]
  underlyings?: string[];
}

export interface ExplicitShock {
  moves: Record<string, number>;
  ivMove?: number;
}

export interface ShocksSet extends SetBase {
  type: 'shocks';
  shocks: ExplicitShock[];
}

export interface HistoricalSet extends SetBase {
  type: 'historical';
  /** The price CSV: the path as written in the suite, resolved against the suite file's folder (absolute). */
  prices: string;
  /** The same file as the user would name it: the suite's folder as given joined with the path written (for messages). */
  pricesDisplay?: string;
  from?: string;
  to?: string;
}

export type ScenarioSet = MonteCarloSet | GridSet | ShocksSet | HistoricalSet;

export interface Suite {
  seed: number;
  horizonDays: number;
  confidence: number;
  maintenanceRatio: number;
  scenarioSets: ScenarioSet[];
  limits?: Limits;
  addOns?: AddOns;
  /** Attribution of ES (contract section 7): the largest `top` positions are listed. */
  attribution: { top: number };
  cascade?: Cascade;
}

/** The liquidation cascade (contract section 9), run on each scenario of the named sets. */
export interface Cascade {
  /** Set names, as written: shocks, grid or historical sets of the suite. */
  sets: string[];
  /** Price impact factor of the square-root law, default 1. */
  impact: number;
  /** Rounds after the scenario's own prices, default 10. */
  maxRounds: number;
}

/** Charges on top of the core margin (contract section 8); each is optional and independent. */
export interface AddOns {
  liquidity?: { impact: number };
  /** Per short option position: |q| * m * S times this. */
  shortOptionMinimum?: number;
  /** b: a portfolio's cross IM is at least (1 - b) x its segregated IM. */
  maxDiversificationBenefit?: number;
  /** Surcharge on core IM by portfolio rating; a null-prototype record. */
  credit?: Record<string, number>;
}

/** Bounds on one unit's exposure and health (contract section 7); each is optional. */
export interface LimitSet {
  maxLeverage?: number;
  /** Bounds the largest underlying's share of |delta| (not the Herfindahl concentration). */
  maxConcentration?: number;
  /** Bounds |delta| per underlying, in currency; a null-prototype record. */
  maxDelta?: Record<string, number>;
  minHealth?: number;
}

/** The suite's limits for every portfolio and account, and overrides by id (a null-prototype record). */
export interface Limits extends LimitSet {
  overrides?: Record<string, LimitSet>;
}

/** A price history: dates ascending, one column per series, NaN where the file has a gap. */
export interface PriceTable {
  file: string;
  dates: string[];
  columns: string[];
  /** prices[c][row] */
  prices: Float64Array[];
}
