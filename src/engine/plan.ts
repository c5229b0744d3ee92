import type { Book, Market, Suite } from '../model/types.js';
import { resolveSets } from '../scenarios/resolve.js';
import type { ResolvedSet, ScenarioSource } from '../scenarios/types.js';
import { buildHoldings, type Holdings } from './holdings.js';
import { buildInstrumentTable, type InstrumentTable } from './instruments.js';

/** Everything a stress run needs, resolved and validated before the first scenario is drawn. */
export interface RunPlan {
  market: Market;
  book: Book;
  suite: Suite;
  instruments: InstrumentTable;
  holdings: Holdings;
  sets: ResolvedSet[];
}

export function buildPlan(market: Market, book: Book, suite: Suite, suiteFile: string): RunPlan {
  const instruments = buildInstrumentTable(market, book, suite.horizonDays);
  const holdings = buildHoldings(market, book, instruments);
  const sets = resolveSets({ market, suite, suiteFile });
  return { market, book, suite, instruments, holdings, sets };
}

/**
 * The part of a plan that scenario evaluation needs: flat arrays and numbers only, so that it
 * encodes to bytes (plan-codec.ts) and travels to a worker thread or another machine once.
 * Nothing in it depends on how a run is cut into tasks (chunk, tail sizes, workers).
 */
export interface KernelPlan {
  seedLo: number;
  seedHi: number;
  instruments: Omit<InstrumentTable, 'rowOf' | 'collateralRow'>;
  holdings: Omit<Holdings, 'portfolios' | 'accountIds' | 'collateral'>;
  sets: { name: string; tailSize: number; source: ScenarioSource }[];
}

export function kernelPlan(plan: RunPlan): KernelPlan {
  const { rowOf: _r, collateralRow: _c, ...instruments } = plan.instruments;
  const { portfolios: _p, accountIds: _a, collateral: _k, ...holdings } = plan.holdings;
  const seed = plan.suite.seed;
  return {
    seedLo: (seed % 0x1_0000_0000) >>> 0,
    seedHi: Math.floor(seed / 0x1_0000_0000) >>> 0,
    instruments,
    holdings,
    sets: plan.sets.map((s) => ({ name: s.name, tailSize: s.tailSize, source: s.source })),
  };
}
