// The three workload sizes of `xmargin synth`, as the performance issue specifies them.

export type SynthSize = 'S' | 'M' | 'L';

export const SYNTH_SIZES: readonly SynthSize[] = ['S', 'M', 'L'];

export interface SizeSpec {
  underlyings: number;
  instruments: number;
  /** Share of the instruments that are options (the rest are spot and futures). */
  optionShare: number;
  accounts: number;
  positionsPerAccount: number;
  /** Accounts per cross-margin portfolio (consecutive accounts; every account is in one). */
  portfolioSize: number;
  /** Scenarios of each Monte Carlo set. */
  mcCount: number;
}

export const SIZES: Readonly<Record<SynthSize, Readonly<SizeSpec>>> = {
  S: {
    underlyings: 10,
    instruments: 100,
    optionShare: 0.4,
    accounts: 200,
    positionsPerAccount: 8,
    portfolioSize: 10,
    mcCount: 20_000,
  },
  M: {
    underlyings: 20,
    instruments: 400,
    optionShare: 0.4,
    accounts: 1_000,
    positionsPerAccount: 10,
    portfolioSize: 10,
    mcCount: 50_000,
  },
  L: {
    underlyings: 50,
    instruments: 2_000,
    optionShare: 0.4,
    accounts: 5_000,
    positionsPerAccount: 20,
    portfolioSize: 10,
    mcCount: 100_000,
  },
};

/** The price/vol grid of every synthetic suite: 7 price moves x 3 iv moves = 21 scenarios. */
export const GRID_PRICE_MOVES = [-0.3, -0.2, -0.1, 0, 0.1, 0.2, 0.3] as const;
export const GRID_IV_MOVES = [-0.1, 0, 0.1] as const;

/** Option expiries, in calendar days after asOf (all Fridays when asOf is one). */
export const EXPIRY_DAYS = [7, 14, 35, 63, 126, 217] as const;

export function isSynthSize(s: unknown): s is SynthSize {
  return s === 'S' || s === 'M' || s === 'L';
}
