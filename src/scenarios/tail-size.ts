/**
 * The number of scenarios in the tail: k = ceil(S (1 - alpha) - 1e-9), at least 1. The 1e-9
 * absorbs the binary error of 1 - alpha, so that 100000 x (1 - 0.99) gives 1000, not 1001.
 */
export function tailSize(scenarios: number, confidence: number): number {
  return Math.max(1, Math.ceil(scenarios * (1 - confidence) - 1e-9));
}
