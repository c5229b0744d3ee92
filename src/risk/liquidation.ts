// Distance to liquidation (contract section 9): how far every underlying may move at once, down
// and up, before a unit's equity (collateral + instant P&L) falls below its maintenance margin.
// The moves are instant (T and iv unchanged, h = 0), so the instruments are revalued with a table
// built at horizon 0; everything else is the engine's own valuation: the scan is a grid of
// explicit scenarios through the evaluator (every instrument row once per x, then the holdings'
// sums for every account and portfolio), and the bisection revalues only the unit's own rows with
// the same kernels, in the same order, so a grid point gives the same bits on both paths.
import { revalueLinear, revalueOptionsFixedIv } from '../kernels/revalue.js';
import { TwinEvaluator } from '../engine/evaluator-twin.js';
import type { ScenarioEvaluator } from '../engine/evaluator.js';
import { WasmEvaluator } from '../engine/evaluator-wasm.js';
import { instantiateKernels } from '../kernels/wasm.js';
import { buildHoldings, type Holdings } from '../engine/holdings.js';
import { buildInstrumentTable, type InstrumentTable } from '../engine/instruments.js';
import type { KernelPlan } from '../engine/plan.js';
import type { Book, Market } from '../model/types.js';
import type { ExplicitSource } from '../scenarios/types.js';

export interface DistanceToLiquidation {
  /** The fall (negative, e.g. -0.12) at which equity drops below MM; 0 when already below; null when never on [-0.99, 0]. */
  down: number | null;
  /** The rise at which equity drops below MM; 0 when already below; null when never on [0, 4]. */
  up: number | null;
}

/** One margined unit: an account alone or a portfolio, by its tail series, with what it is held to. */
export interface LiquidationUnit {
  /** The holdings series: an account index, or nAccounts + group for a portfolio of two or more accounts. */
  series: number;
  collateral: number;
  maintenanceMargin: number;
}

/** The contract's scan: steps of 0.001 outward from 0, to -0.99 and to +4; bisection to 1e-9. */
export const SCAN_STEP = 0.001;
const DOWN_STEPS = 990;
const UP_STEPS = 4000;
export const BISECTION_TOLERANCE = 1e-9;
/** Grid points per evaluator call: large enough to amortise the call, small enough to stay in cache. */
const SCAN_CHUNK = 128;

/** The scan's x on a side: exact multiples k / 1000, so -0.99 and 4 are hit exactly. */
const gridX = (sign: -1 | 1, k: number) => (sign * k) / 1000;

/**
 * What the distances need from a book: its revaluation rows at horizon 0 and its holdings. Built
 * once per run; the rows are the same as the stress run's, only T is today's.
 */
export interface LiquidationModel {
  instruments: InstrumentTable;
  holdings: Holdings;
}

export function liquidationModel(market: Market, book: Book): LiquidationModel {
  const instruments = buildInstrumentTable(market, book, 0);
  return { instruments, holdings: buildHoldings(market, book, instruments) };
}

/** The two sides of the scan as explicit scenario sets: S (1 + x) for every underlying, no iv move. */
function scanPlan(model: LiquidationModel): KernelPlan {
  const { rowOf: _r, collateralRow: _c, ...instruments } = model.instruments;
  const { portfolios: _p, accountIds: _a, collateral: _k, ...holdings } = model.holdings;
  const side = (sign: -1 | 1, steps: number): ExplicitSource => {
    const n = instruments.n;
    const count = steps + 1;
    const ret = new Float64Array(n * count);
    const spot = new Float64Array(n * count);
    for (let u = 0; u < n; u++)
      for (let k = 0; k < count; k++) {
        const x = gridX(sign, k);
        ret[u * count + k] = Math.log1p(x);
        spot[u * count + k] = instruments.spot0[u] * (1 + x);
      }
    return { kind: 'explicit', count, ret, spot, ivShift: new Float64Array(count) };
  };
  return {
    seedLo: 0,
    seedHi: 0,
    instruments,
    holdings,
    sets: [
      { name: 'down', tailSize: 1, source: side(-1, DOWN_STEPS) },
      { name: 'up', tailSize: 1, source: side(1, UP_STEPS) },
    ],
  };
}

/**
 * One unit's P&L at one x, from its own rows only: the kernels on one-row views, summed as the
 * aggregation kernel sums (from 0.0, quantity x row in CSR order; a portfolio adds its accounts
 * in order), so at a grid point it equals the scan's number to the bit.
 */
class UnitValuer {
  private readonly ret: Float64Array;
  private readonly spot: Float64Array;
  private readonly one = new Float64Array(1);
  // Rows already valued at the current x (a portfolio's accounts often share rows): value and
  // the x's stamp, so moving to a new x invalidates them all without clearing anything.
  private readonly rowValue: Float64Array;
  private readonly rowStamp: Int32Array;
  private stamp = 0;
  private memoX = NaN;
  private readonly linear: ({ und: Int32Array; mult: Float64Array } | undefined)[] = [];
  private readonly options: (ReturnType<typeof optionRow> | undefined)[] = [];

  constructor(private readonly model: LiquidationModel) {
    this.ret = new Float64Array(model.instruments.n);
    this.spot = new Float64Array(model.instruments.n);
    const nRows = model.instruments.nLinear + model.instruments.nOptions;
    this.rowValue = new Float64Array(nRows);
    this.rowStamp = new Int32Array(nRows);
  }

  pnl(series: number, x: number): number {
    const h = this.model.holdings;
    const nAccounts = h.accountOffsets.length - 1;
    this.moveTo(x);
    if (series < nAccounts) return this.accountPnl(series);
    const g = series - nAccounts;
    let sum = 0.0;
    for (let m = h.groupOffsets[g]; m < h.groupOffsets[g + 1]; m++)
      sum = sum + h.groupWeight[m] * this.accountPnl(h.groupMembers[m]);
    return sum;
  }

  private moveTo(x: number): void {
    if (Object.is(x, this.memoX)) return;
    const ins = this.model.instruments;
    for (let u = 0; u < ins.n; u++) {
      this.ret[u] = Math.log1p(x);
      this.spot[u] = ins.spot0[u] * (1 + x);
    }
    this.stamp++;
    this.memoX = x;
  }

  private accountPnl(a: number): number {
    const h = this.model.holdings;
    let sum = 0.0;
    for (let k = h.accountOffsets[a]; k < h.accountOffsets[a + 1]; k++) sum = sum + h.accountQty[k] * this.row(h.accountRows[k]);
    return sum;
  }

  private row(r: number): number {
    if (this.rowStamp[r] === this.stamp) return this.rowValue[r];
    const ins = this.model.instruments;
    const out = this.one;
    if (r < ins.nLinear) {
      const at =
        this.linear[r] ?? (this.linear[r] = { und: ins.linUnd.subarray(r, r + 1), mult: ins.linMult.subarray(r, r + 1) });
      revalueLinear(1, at.und, at.mult, ins.spot0, this.spot, 1, out);
    } else {
      const j = r - ins.nLinear;
      const o = this.options[j] ?? (this.options[j] = optionRow(ins, j));
      revalueOptionsFixedIv(
        1,
        o.und,
        o.isCall,
        o.strike,
        o.lnSK,
        o.iv,
        o.tau,
        o.value0,
        o.mult,
        ins.rate,
        this.ret,
        this.spot,
        0,
        1,
        out,
      );
    }
    this.rowStamp[r] = this.stamp;
    return (this.rowValue[r] = out[0]);
  }
}

/** One option row's parameters as one-element views, the shape the kernel takes (made once per row). */
function optionRow(ins: InstrumentTable, j: number) {
  const f = (a: Float64Array) => a.subarray(j, j + 1);
  return {
    und: ins.optUnd.subarray(j, j + 1),
    isCall: ins.optIsCall.subarray(j, j + 1),
    strike: f(ins.optStrike),
    lnSK: f(ins.optLnSK),
    iv: f(ins.optIv),
    tau: f(ins.optTau),
    value0: f(ins.optValue0),
    mult: f(ins.optMult),
  };
}

/**
 * Every unit's distance to liquidation. The scan evaluates each grid x once for all instrument
 * rows and all series (cost: grid points x (rows + holdings entries), stopping at the side's
 * last unit to cross); each crossing unit then bisects on its own rows, about 20 steps.
 */
export function distancesToLiquidation(
  model: LiquidationModel,
  units: ReadonlyArray<LiquidationUnit>,
  backend: 'wasm' | 'twin' = 'wasm',
): DistanceToLiquidation[] {
  const out: DistanceToLiquidation[] = units.map(() => ({ down: null, up: null }));
  if (units.length === 0) return out;
  const plan = scanPlan(model);
  const evaluator: ScenarioEvaluator =
    backend === 'wasm' ? new WasmEvaluator(instantiateKernels(), plan, SCAN_CHUNK) : new TwinEvaluator(plan, SCAN_CHUNK);
  const valuer = new UnitValuer(model);
  const equity = (u: LiquidationUnit, x: number) => u.collateral + valuer.pnl(u.series, x);

  ([-1, 1] as const).forEach((sign, side) => {
    const count = plan.sets[side].source.count;
    // Units still looking for their first grid point below MM on this side.
    let pending = units.map((_, i) => i);
    for (let start = 0; start < count && pending.length > 0; start += SCAN_CHUNK) {
      const c = Math.min(SCAN_CHUNK, count - start);
      const { series } = evaluator.range(side, start, c);
      pending = pending.filter((i) => {
        const u = units[i];
        const row = u.series * c;
        for (let s = 0; s < c; s++) {
          if (u.collateral + series[row + s] < u.maintenanceMargin) {
            const k = start + s;
            const x = k === 0 ? 0 : bisect((y) => equity(u, y) < u.maintenanceMargin, gridX(sign, k - 1), gridX(sign, k));
            if (side === 0) out[i].down = x;
            else out[i].up = x;
            return false;
          }
        }
        return true;
      });
    }
  });
  return out;
}

/**
 * Between `safe` (not breached) and `breached`, halves the bracket until it is at most 1e-9 wide
 * and returns its breached end: the reported x is below MM, a step of 1e-9 toward 0 is not.
 */
function bisect(isBreached: (x: number) => boolean, safe: number, breached: number): number {
  while (Math.abs(breached - safe) > BISECTION_TOLERANCE) {
    const mid = 0.5 * (safe + breached);
    if (isBreached(mid)) breached = mid;
    else safe = mid;
  }
  return breached;
}

/** For tests and explain: one unit's equity at x, by the bisection's path. */
export function equityAt(model: LiquidationModel, unit: LiquidationUnit, x: number): number {
  return unit.collateral + new UnitValuer(model).pnl(unit.series, x);
}
