// A ScenarioSet resolved into what the kernels consume. Resolution happens once, in the main
// thread, before any worker starts: every check that can fail fails here, not an hour in.

/** Monte Carlo: scenario i is regenerated inside a worker from (seed, setId, i). */
export interface MonteCarloSource {
  kind: 'montecarlo';
  count: number;
  /** 32-bit id mixed into the RNG counter; derived from the set name, so adding or reordering sets
   *  never changes another set's scenarios. */
  setId: number;
  /** n x rank, row-major: y = factor g for g ~ N(0, I_rank) has the set's correlation. */
  factor: Float64Array;
  rank: number;
  /** Per underlying: vol * sqrt(h / daysPerYear) * volMultiplier. */
  scale: Float64Array;
  /** 0 for normal, the Student-t degrees of freedom otherwise. */
  dof: number;
  ivShift: number;
}

/** Grid, shocks and history: few scenarios, computed up front and shipped to the workers. */
export interface ExplicitSource {
  kind: 'explicit';
  count: number;
  /** n x count, underlying-major: log-return of underlying u in scenario s at [u * count + s]. */
  ret: Float64Array;
  /** n x count, underlying-major: the shocked spot, computed by the contract's formula for the set type. */
  spot: Float64Array;
  /** count: absolute iv shift per scenario. */
  ivShift: Float64Array;
}

export type ScenarioSource = MonteCarloSource | ExplicitSource;

export interface ResolvedSet {
  name: string;
  type: 'montecarlo' | 'grid' | 'shocks' | 'historical';
  margin: boolean;
  scenarios: number;
  skipped: number;
  /** Number of tail scenarios: k = max(1, ceil(S (1 - alpha) - 1e-9)). */
  tailSize: number;
  source: ScenarioSource;
  /** Human labels for explaining a scenario index (e.g. a historical window's dates); optional. */
  labels?: string[];
  /** Extra facts worth reporting (e.g. the effective correlation rank of a Monte Carlo set). */
  info?: Record<string, unknown>;
}
