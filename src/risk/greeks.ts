// Black-Scholes-Merton sensitivities of one European option (no dividend), on the same inputs and
// the same d1 as the engine's valuation (engine/instruments.ts optionValue), so that the Greeks
// are the derivatives of the very price the engine revalues.
import { normCdf } from '../kernels/normal.js';
import { SIG_FLOOR } from '../kernels/revalue.js';

/** Per unit of the option, before multiplier and quantity, in the contract's raw units. */
export interface OptionGreeks {
  /** dV/dS. */
  delta: number;
  /** d2V/dS2. */
  gamma: number;
  /** dV/dsigma, per unit of vol (1.0 = 100 vol points). */
  vega: number;
  /** -dV/dT, per year: the value's change as a year passes with everything else fixed. */
  theta: number;
}

const INV_SQRT_2PI = 1 / Math.sqrt(2 * Math.PI);

function normPdf(x: number): number {
  return INV_SQRT_2PI * Math.exp(-0.5 * x * x);
}

/**
 * The Greeks of a call or put at spot s, strike k, t years to expiry, rate and vol iv. At t <= 0
 * the option is its intrinsic value (contract section 7): Delta is 1 for a call in the money
 * (s > k), -1 for a put in the money (s < k), else 0; Gamma, Vega and Theta are 0.
 */
export function optionGreeks(isCall: boolean, s: number, k: number, t: number, rate: number, iv: number): OptionGreeks {
  if (!(t > 0)) {
    const delta = isCall ? (s > k ? 1 : 0) : s < k ? -1 : 0;
    return { delta, gamma: 0, vega: 0, theta: 0 };
  }
  const sqrtT = Math.sqrt(t);
  const sq = iv * sqrtT;
  const d1 = (Math.log(s / k) + (rate + 0.5 * iv * iv) * t) / sq;
  const d2 = d1 - sq;
  const pdf1 = normPdf(d1);
  const kdf = k * Math.exp(-rate * t);
  const n1 = normCdf(d1);
  // -dV/dT: the time decay of the vol term, and the discounting of the strike (a call pays it,
  // a put receives it), written with N(-d2) for the put so that deep puts lose no digits.
  const decay = -(s * pdf1 * iv) / (2 * sqrtT);
  const theta = isCall ? decay - rate * kdf * normCdf(d2) : decay + rate * kdf * normCdf(-d2);
  return {
    delta: isCall ? n1 : n1 - 1,
    gamma: pdf1 / (s * sq),
    vega: s * pdf1 * sqrtT,
    theta,
  };
}

/**
 * The vol an option is revalued at in a scenario: iv + the scenario's ivMove, floored as the
 * valuation kernels floor it (contract section 2), so Greeks in a scenario match its prices.
 */
export function scenarioVol(iv: number, ivShift: number): number {
  const sig = iv + ivShift;
  return sig < SIG_FLOOR ? SIG_FLOOR : sig;
}
