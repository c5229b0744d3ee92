import { InputError } from '../errors.js';
import { loadPriceTable } from '../model/prices.js';
import { ownValue } from '../model/records.js';
import type { GridSet, HistoricalSet, Market, MonteCarloSet, ScenarioSet, ShocksSet, Suite } from '../model/types.js';
import { correlationFactor, setCorrelation } from './correlation.js';
import { tailSize } from './tail-size.js';
import type { ExplicitSource, ResolvedSet } from './types.js';

export interface ResolveContext {
  market: Market;
  suite: Suite;
  suiteFile: string;
}

/** Turns every scenario set of the suite into kernel-ready sources, failing early on bad input. */
export function resolveSets(ctx: ResolveContext): ResolvedSet[] {
  const seen = new Map<number, string>();
  return ctx.suite.scenarioSets.map((set, i) => {
    const resolved = resolveSet(ctx, set, `scenarioSets[${i}]`);
    if (resolved.source.kind === 'montecarlo') {
      const other = seen.get(resolved.source.setId);
      if (other !== undefined) {
        throw new InputError(
          `set names "${other}" and "${set.name}" map to the same random stream id; rename one of them`,
          ctx.suiteFile,
          `scenarioSets[${i}].name`,
        );
      }
      seen.set(resolved.source.setId, set.name);
    }
    return resolved;
  });
}

function resolveSet(ctx: ResolveContext, set: ScenarioSet, path: string): ResolvedSet {
  switch (set.type) {
    case 'montecarlo':
      return monteCarlo(ctx, set, path);
    case 'grid':
      return finish(ctx, set, grid(ctx.market, set), 0);
    case 'shocks':
      return finish(ctx, set, shocks(ctx.market, set), 0);
    case 'historical':
      return historical(ctx, set, path);
  }
}

function finish(ctx: ResolveContext, set: ScenarioSet, source: ExplicitSource, skipped: number, labels?: string[]): ResolvedSet {
  return {
    name: set.name,
    type: set.type,
    margin: set.margin,
    scenarios: source.count,
    skipped,
    tailSize: tailSize(source.count, ctx.suite.confidence),
    source,
    labels,
  };
}

/** FNV-1a, 32 bits: a stable stream id from the set name. */
export function setStreamId(name: string): number {
  let h = 0x811c9dc5;
  for (const byte of new TextEncoder().encode(name)) {
    h ^= byte;
    h = Math.imul(h, 0x01000193) >>> 0;
  }
  return h >>> 0;
}

function monteCarlo(ctx: ResolveContext, set: MonteCarloSet, path: string): ResolvedSet {
  const { market, suite } = ctx;
  const n = market.underlyings.length;
  const { matrix, repairedDistance } = setCorrelation(market, set, ctx.suiteFile, path);
  const { factor, rank } = correlationFactor(matrix);
  const horizon = Math.sqrt(suite.horizonDays / market.daysPerYear);
  const scale = new Float64Array(n);
  for (let u = 0; u < n; u++) scale[u] = market.underlyings[u].vol * horizon * set.volMultiplier;
  const dof = set.distribution.type === 'student-t' ? set.distribution.dof : 0;
  const info: Record<string, unknown> = { correlationRank: rank };
  if (repairedDistance !== undefined) info.correlationRepairDistance = repairedDistance;
  return {
    name: set.name,
    type: 'montecarlo',
    margin: set.margin,
    scenarios: set.count,
    skipped: 0,
    tailSize: tailSize(set.count, suite.confidence),
    source: {
      kind: 'montecarlo',
      count: set.count,
      setId: setStreamId(set.name),
      factor,
      rank,
      scale,
      dof,
      ivShift: set.ivMove ?? 0,
    },
    info,
  };
}

/** Simple-return moves: S' = S (1 + move); the kernels also get ln(1 + move) for the options. */
function explicitFromMoves(market: Market, moves: Float64Array[], ivShift: number[]): ExplicitSource {
  const n = market.underlyings.length;
  const count = ivShift.length;
  const ret = new Float64Array(n * count);
  const spot = new Float64Array(n * count);
  for (let u = 0; u < n; u++) {
    const s0 = market.underlyings[u].spot;
    for (let s = 0; s < count; s++) {
      const m = moves[s][u];
      ret[u * count + s] = Math.log1p(m);
      spot[u * count + s] = s0 * (1 + m);
    }
  }
  return { kind: 'explicit', count, ret, spot, ivShift: Float64Array.from(ivShift) };
}

function grid(market: Market, set: GridSet): ExplicitSource {
  const ids = market.underlyings.map((u) => u.id);
  const applies = ids.map((id) => !set.underlyings || set.underlyings.includes(id));
  const moves: Float64Array[] = [];
  const iv: number[] = [];
  for (const pm of set.priceMoves)
    for (const im of set.ivMoves) {
      moves.push(Float64Array.from(applies, (a) => (a ? pm : 0)));
      iv.push(im);
    }
  return explicitFromMoves(market, moves, iv);
}

function shocks(market: Market, set: ShocksSet): ExplicitSource {
  const ids = market.underlyings.map((u) => u.id);
  const moves = set.shocks.map((shock) => Float64Array.from(ids, (id) => ownValue(shock.moves, id) ?? 0));
  return explicitFromMoves(
    market,
    moves,
    set.shocks.map((s) => s.ivMove ?? 0),
  );
}

function historical(ctx: ResolveContext, set: HistoricalSet, path: string): ResolvedSet {
  const { market, suite } = ctx;
  const table = loadPriceTable(set.prices, set.pricesDisplay);
  const h = suite.horizonDays;
  if (!Number.isInteger(h)) {
    throw new InputError(
      `a historical set needs a whole number of days as horizonDays (each window runs from a price row to the row h rows later), got ${h}`,
      ctx.suiteFile,
      'horizonDays',
    );
  }
  const cols = market.underlyings.map((u) => {
    const c = table.columns.indexOf(u.id);
    if (c < 0) {
      throw new InputError(
        `the price file ${table.file} has no column for underlying "${u.id}" (columns: ${table.columns.join(', ')})`,
        ctx.suiteFile,
        `${path}.prices`,
      );
    }
    return table.prices[c];
  });
  const dates = table.dates;
  let first = 0;
  if (set.from) while (first < dates.length && dates[first] < set.from) first++;
  const windows: number[] = [];
  let skipped = 0;
  for (let t = first; t + h < dates.length; t++) {
    if (set.to && dates[t + h] > set.to) break;
    if (cols.every((p) => Number.isFinite(p[t]) && Number.isFinite(p[t + h]))) windows.push(t);
    else skipped++;
  }
  if (windows.length === 0) {
    throw new InputError(
      `no complete ${h}-day window in ${table.file} between ${set.from ?? 'the first row'} and ${set.to ?? 'the last row'} ` +
        `(${skipped} windows lacked a price)`,
      ctx.suiteFile,
      path,
    );
  }
  const n = market.underlyings.length;
  const count = windows.length;
  const ret = new Float64Array(n * count);
  const spot = new Float64Array(n * count);
  for (let u = 0; u < n; u++) {
    const p = cols[u];
    const s0 = market.underlyings[u].spot;
    windows.forEach((t, s) => {
      const x = Math.log(p[t + h] / p[t]);
      ret[u * count + s] = x;
      spot[u * count + s] = s0 * Math.exp(x);
    });
  }
  const labels = windows.map((t) => `${dates[t]}..${dates[t + h]}`);
  return finish(ctx, set, { kind: 'explicit', count, ret, spot, ivShift: new Float64Array(count) }, skipped, labels);
}
