// One bench per kernel, WASM and its TypeScript twin on identical inputs built from the M
// workload as the engine lays it out (instrument table, holdings, chunk length). The pipeline
// kernels are timed as stages of the engine's own scenario evaluators (src/engine/evaluator-*.ts),
// the tail kernels on the evaluator's tail buffers, exactly as a range task calls them.
import { Bench } from 'tinybench';
import { chunkFor, engineDefaults } from '../../src/engine/defaults.js';
import { kernelPlan, type RunPlan } from '../../src/engine/plan.js';
import { WasmEvaluator } from '../../src/engine/evaluator-wasm.js';
import { TwinEvaluator } from '../../src/engine/evaluator-twin.js';
import { tailsPush, tailsSort } from '../../src/kernels/index.js';
import { instantiateKernels, type WasmKernels } from '../../src/kernels/wasm.js';
import { prepare } from '../../src/run.js';
import type { MonteCarloSource } from '../../src/scenarios/types.js';
import { synthesize } from '../../src/synth/index.js';
import { addCalibration, CAL_JS, CAL_WASM, calibrationTasks, type Calibration } from './calibrate.js';
import { median, sig } from './stats.js';
import { completedTasks } from './tinybench.js';

export type KernelName =
  'mcShocks' | 'revalueLinear' | 'revalueOptions' | 'aggregateRows' | 'tailsPush' | 'tailsPushCold' | 'tailsSort';
export const KERNELS: readonly KernelName[] = [
  'mcShocks',
  'revalueOptions',
  'revalueLinear',
  'aggregateRows',
  'tailsPush',
  'tailsPushCold',
  'tailsSort',
];

export const KERNEL_UNITS: Record<KernelName, string> = {
  mcShocks: 'scenario-underlying',
  revalueOptions: 'option-scenario',
  revalueLinear: 'linear-instrument-scenario',
  aggregateRows: 'position-scenario',
  tailsPush: 'series-scenario',
  tailsPushCold: 'series-scenario',
  tailsSort: 'kept-entry',
};

export interface ImplFigure {
  /** Best round's median latency of one call, ms. */
  msPerCall: number;
  /** msPerCall / units of work per call, in ns. Single-threaded: per core. */
  nsPerUnit: number;
  /**
   * Per-call latency / the same round's calibration latency (WASM: the WASM loop, twin: the JS
   * loop), per round; the figure is the best round. Within a round each latency is tinybench's
   * median. Best-of-rounds because on a shared machine contention only ever adds time: across
   * 8 quick runs on a busy 2-core box the best round moved by <= 8% where the median of rounds
   * moved by up to 47% (docs/performance.md).
   */
  normalised: number;
  /** Median over rounds of the same ratio (for reference). */
  normalisedMedian: number;
  normalisedSamples: number[];
}

export interface KernelFigure {
  kernel: KernelName;
  unit: string;
  unitsPerCall: number;
  shape: Record<string, number>;
  wasm: ImplFigure;
  twin: ImplFigure;
  /** How many times faster WASM is than the twin (twin ms / WASM ms). */
  speedRatio: number;
  /** Largest relative difference between the WASM and twin outputs on these inputs. */
  maxRelDiff: number;
}

export interface KernelRunOptions {
  rounds: number;
  /** tinybench time budget per task and round, ms. */
  time: number;
  iterations: number;
  onRound?: (round: number) => void;
}

interface Workload {
  plan: RunPlan;
  C: number;
  cap: number;
  nAccounts: number;
  src: MonteCarloSource;
}

/** The M workload as the engine would run it with 2 workers. */
export function kernelWorkload(seed = 1): Workload {
  const w = synthesize('M', seed);
  const plan = prepare({
    market: w.market as unknown as Record<string, unknown>,
    book: w.book as unknown as Record<string, unknown>,
    suite: w.suite as unknown as Record<string, unknown>,
  });
  const ins = plan.instruments;
  const C = chunkFor(ins.nLinear + ins.nOptions, plan.holdings.nSeries, ins.n);
  const set = plan.sets[0];
  if (set.source.kind !== 'montecarlo') throw new Error('bench: the M suite must start with a Monte Carlo set');
  const workers = 2;
  const taskSize = Math.max(C, Math.ceil(set.scenarios / (workers * engineDefaults.tasksPerWorker)));
  return { plan, C, cap: Math.min(set.tailSize, taskSize), nAccounts: plan.holdings.accountOffsets.length - 1, src: set.source };
}

function relDiff(a: ArrayLike<number>, b: ArrayLike<number>): number {
  if (a.length !== b.length) return Infinity;
  let worst = 0;
  for (let i = 0; i < a.length; i++) {
    const x = a[i];
    const y = b[i];
    if (x === y) continue;
    const d = Math.abs(x - y) / Math.max(Math.abs(x), Math.abs(y), 1e-300);
    if (!(d <= worst)) worst = Number.isNaN(d) ? Infinity : d;
  }
  return worst;
}

interface Pair {
  kernel: KernelName;
  unitsPerCall: number;
  shape: Record<string, number>;
  wasm: () => void;
  twin: () => void;
  /** Resets state before every call (tails: empty heaps), outside the timed region. */
  reset?: () => void;
  compare: () => number;
}

/** Builds identical inputs in WASM memory and in plain typed arrays, and the five task pairs. */
export function kernelPairs(wl: Workload): Pair[] {
  const { plan, C, cap, nAccounts, src } = wl;
  const ins = plan.instruments;
  const h = plan.holdings;
  const n = ins.n;
  const nRows = ins.nLinear + ins.nOptions;
  const nSeries = h.nSeries;
  const k: WasmKernels = instantiateKernels();
  // The engine's own evaluators (set 0 is the Monte Carlo set), with this workload's chunk and
  // tail capacity: each kernel is timed as one stage of the evaluator the workers run.
  const kp = kernelPlan(plan);
  const wev = new WasmEvaluator(k, kp, C, cap);
  const p = wev.layout;
  const x = k.exports;
  const start = 0;
  const wShocks = () => void wev.shock(0, start, C);
  const wLinear = () => wev.revalueLinear(C);
  const wOptions = () => wev.revalueOptions(C, undefined);
  const wAggregate = () => wev.aggregate(C);
  const wReset = () => {
    k.i32(p.heapSize, nSeries).fill(0);
    k.f64(p.threshold, nSeries).fill(-Infinity);
  };
  const wTails = () => {
    const bad = x.tailsPush(nSeries, p.series, C, start, -1, cap, p.heapVal, p.heapIdx, p.heapSize, p.threshold);
    if (bad >= 0) throw new Error(`bench: non-finite P&L in series ${bad}`);
  };

  // The twin evaluator's arrays, and tail buffers like the layout's.
  const tev = new TwinEvaluator(kp, C);
  const t = {
    ...tev.views(C),
    heapVal: new Float64Array(nSeries * cap),
    heapIdx: new Float64Array(nSeries * cap),
    heapSize: new Int32Array(nSeries),
    threshold: new Float64Array(nSeries),
  };
  const tShocks = () => void tev.shock(0, start, C);
  const tLinear = () => tev.revalueLinear(C);
  const tOptions = () => tev.revalueOptions(C, undefined);
  const tAggregate = () => tev.aggregate(C);
  const tOptRows = t.rows.subarray(ins.nLinear * C);
  const tReset = () => {
    t.heapSize.fill(0);
    t.threshold.fill(-Infinity);
  };
  const tTails = () => {
    const bad = tailsPush(nSeries, t.series, C, start, -1, cap, t.heapVal, t.heapIdx, t.heapSize, t.threshold);
    if (bad >= 0) throw new Error(`bench: non-finite P&L in series ${bad}`);
  };

  // Fill the pipeline once on each side: every kernel's inputs are its predecessor's real outputs.
  wShocks();
  wLinear();
  wOptions();
  wAggregate();
  wReset();
  wTails();
  tShocks();
  tLinear();
  tOptions();
  tAggregate();
  tReset();
  tTails();
  // Identical inputs: the twin's downstream kernels read the WASM side's upstream outputs.
  t.ret.set(k.f64(p.ret, n * C));
  t.spot.set(k.f64(p.spot, n * C));

  // Steady state of the engine: a task starts with empty heaps and the merged k-th largest loss
  // so far as its thresholds, so only the ~1% of scenarios beyond the 99% quantile are offered.
  // That quantile is taken here from the chunk itself. The cold case (empty heaps, no thresholds)
  // is what the first wave of tasks sees.
  const steadyThreshold = new Float64Array(nSeries);
  {
    const series = k.f64(p.series, nSeries * C);
    const kth = Math.max(1, Math.ceil(C * 0.01 - 1e-9));
    const losses = new Float64Array(C);
    for (let r = 0; r < nSeries; r++) {
      for (let s = 0; s < C; s++) losses[s] = -series[r * C + s];
      losses.sort();
      steadyThreshold[r] = losses[C - kth];
    }
  }
  const wSteady = () => {
    k.i32(p.heapSize, nSeries).fill(0);
    k.f64(p.threshold, nSeries).set(steadyThreshold);
  };
  const tSteady = () => {
    t.heapSize.fill(0);
    t.threshold.set(steadyThreshold);
  };
  const compareTails = (wPrep: () => void, tPrep: () => void) => {
    t.series.set(k.f64(p.series, nSeries * C));
    wPrep();
    tPrep();
    wTails();
    tTails();
    return Math.max(relDiff(k.i32(p.heapSize, nSeries), t.heapSize), keptDiff());
  };
  /** Slots past a series' size are never written: compare the kept entries only. */
  const keptDiff = () => {
    const size = k.i32(p.heapSize, nSeries);
    const val = k.f64(p.heapVal, nSeries * cap);
    const idx = k.f64(p.heapIdx, nSeries * cap);
    let d = 0;
    for (let r = 0; r < nSeries; r++) {
      const [a, b] = [r * cap, r * cap + Math.min(size[r], t.heapSize[r])];
      d = Math.max(
        d,
        relDiff(val.subarray(a, b), t.heapVal.subarray(a, b)),
        relDiff(idx.subarray(a, b), t.heapIdx.subarray(a, b)),
      );
    }
    return d;
  };

  // The sort a worker runs before handing its tails over: full buffers (heaps) after a cold
  // pass, restored from a snapshot before every call.
  wReset();
  wTails();
  const heldVal = k.f64(p.heapVal, nSeries * cap).slice();
  const heldIdx = k.f64(p.heapIdx, nSeries * cap).slice();
  const heldSize = k.i32(p.heapSize, nSeries).slice();
  const keptEntries = heldSize.reduce((a, b) => a + b, 0);
  const wHeld = () => {
    k.f64(p.heapVal, nSeries * cap).set(heldVal);
    k.f64(p.heapIdx, nSeries * cap).set(heldIdx);
    k.i32(p.heapSize, nSeries).set(heldSize);
  };
  const tHeld = () => {
    t.heapVal.set(heldVal);
    t.heapIdx.set(heldIdx);
    t.heapSize.set(heldSize);
  };
  const wSort = () => x.tailsSort(nSeries, cap, p.heapVal, p.heapIdx, p.heapSize);
  const tSort = () => tailsSort(nSeries, cap, t.heapVal, t.heapIdx, t.heapSize);

  // The twin's shocks into a second evaluator's arrays, so the WASM side's stay the downstream kernels' input.
  const tevShocks = new TwinEvaluator(kp, C);
  const tShocksOwn = () => void tevShocks.shock(0, start, C);
  const { ret: twinShockRet, spot: twinShockSpot } = tevShocks.views(C);

  const positions = h.accountRows.length + h.groupMembers.length;
  return [
    {
      kernel: 'mcShocks',
      unitsPerCall: C * n,
      shape: { scenarios: C, underlyings: n, rank: src.rank },
      wasm: wShocks,
      twin: tShocksOwn,
      compare: () => {
        wShocks();
        tShocksOwn();
        return Math.max(relDiff(k.f64(p.ret, n * C), twinShockRet), relDiff(k.f64(p.spot, n * C), twinShockSpot));
      },
    },
    {
      kernel: 'revalueOptions',
      unitsPerCall: C * ins.nOptions,
      shape: { scenarios: C, options: ins.nOptions },
      wasm: wOptions,
      twin: tOptions,
      compare: () => {
        wOptions();
        tOptions();
        return relDiff(k.f64(p.rows + ins.nLinear * C * 8, ins.nOptions * C), tOptRows);
      },
    },
    {
      kernel: 'revalueLinear',
      unitsPerCall: C * ins.nLinear,
      shape: { scenarios: C, linearRows: ins.nLinear },
      wasm: wLinear,
      twin: tLinear,
      compare: () => {
        wLinear();
        tLinear();
        return relDiff(k.f64(p.rows, ins.nLinear * C), t.rows.subarray(0, ins.nLinear * C));
      },
    },
    {
      kernel: 'aggregateRows',
      unitsPerCall: C * positions,
      shape: {
        scenarios: C,
        accounts: nAccounts,
        accountEntries: h.accountRows.length,
        portfolios: h.nGroups,
        portfolioEntries: h.groupMembers.length,
      },
      wasm: wAggregate,
      twin: tAggregate,
      compare: () => {
        t.rows.set(k.f64(p.rows, nRows * C));
        wAggregate();
        tAggregate();
        return relDiff(k.f64(p.series, nSeries * C), t.series);
      },
    },
    {
      kernel: 'tailsPush',
      unitsPerCall: C * nSeries,
      shape: { scenarios: C, series: nSeries, capacity: cap, offeredPerSeries: Math.max(1, Math.ceil(C * 0.01 - 1e-9)) },
      wasm: wTails,
      twin: tTails,
      reset: () => {
        wSteady();
        tSteady();
      },
      compare: () => compareTails(wSteady, tSteady),
    },
    {
      kernel: 'tailsPushCold',
      unitsPerCall: C * nSeries,
      shape: { scenarios: C, series: nSeries, capacity: cap },
      wasm: wTails,
      twin: tTails,
      reset: () => {
        wReset();
        tReset();
      },
      compare: () => compareTails(wReset, tReset),
    },
    {
      kernel: 'tailsSort',
      unitsPerCall: keptEntries,
      shape: { series: nSeries, capacity: cap, keptEntries },
      wasm: wSort,
      twin: tSort,
      reset: () => {
        wHeld();
        tHeld();
      },
      compare: () => {
        wHeld();
        tHeld();
        wSort();
        tSort();
        return keptDiff();
      },
    },
  ];
}

/**
 * Runs `rounds` rounds; each round measures the calibration loops and then every kernel on both
 * sides with tinybench. Figures are the best round's medians (see ImplFigure.normalised).
 */
export async function runKernelBenches(
  opts: KernelRunOptions,
): Promise<{ kernels: KernelFigure[]; calibration: Calibration & { rounds: Calibration[] } }> {
  const wl = kernelWorkload();
  const pairs = kernelPairs(wl);
  const cal = calibrationTasks();
  const perRound: { cal: Calibration; ms: Map<string, number> }[] = [];
  for (let r = 0; r < opts.rounds; r++) {
    opts.onRound?.(r);
    const bench = new Bench({
      time: opts.time,
      iterations: opts.iterations,
      warmupTime: Math.min(100, opts.time),
      warmupIterations: 2,
      throws: true,
    });
    addCalibration(bench, cal, ':a');
    for (const pair of pairs) {
      const hooks = pair.reset ? { beforeEach: pair.reset } : undefined;
      bench.add(`${pair.kernel}:wasm`, pair.wasm, hooks);
      bench.add(`${pair.kernel}:twin`, pair.twin, hooks);
    }
    addCalibration(bench, cal, ':b');
    await bench.run();
    const done = completedTasks(bench);
    const p50 = (name: string) => done.get(name)!.latency.p50;
    const jsMs = (p50(CAL_JS + ':a') + p50(CAL_JS + ':b')) / 2;
    const wasmMs = (p50(CAL_WASM + ':a') + p50(CAL_WASM + ':b')) / 2;
    const ms = new Map<string, number>();
    for (const pair of pairs)
      for (const side of ['wasm', 'twin']) ms.set(`${pair.kernel}:${side}`, p50(`${pair.kernel}:${side}`));
    perRound.push({ cal: { jsMs, wasmMs, unitMs: Math.sqrt(jsMs * wasmMs) }, ms });
  }
  const impl = (pair: Pair, side: 'wasm' | 'twin'): ImplFigure => {
    const key = `${pair.kernel}:${side}`;
    const msPerCall = Math.min(...perRound.map((r) => r.ms.get(key)!));
    const normalisedSamples = perRound.map((r) => r.ms.get(key)! / (side === 'wasm' ? r.cal.wasmMs : r.cal.jsMs));
    return {
      msPerCall: sig(msPerCall, 5),
      nsPerUnit: sig((msPerCall * 1e6) / pair.unitsPerCall, 4),
      normalised: sig(Math.min(...normalisedSamples), 5),
      normalisedMedian: sig(median(normalisedSamples), 5),
      normalisedSamples: normalisedSamples.map((v) => sig(v, 5)),
    };
  };
  const kernels = pairs.map((pair): KernelFigure => {
    const wasm = impl(pair, 'wasm');
    const twin = impl(pair, 'twin');
    return {
      kernel: pair.kernel,
      unit: KERNEL_UNITS[pair.kernel],
      unitsPerCall: pair.unitsPerCall,
      shape: pair.shape,
      wasm,
      twin,
      speedRatio: sig(twin.msPerCall / wasm.msPerCall, 4),
      maxRelDiff: pair.compare(),
    };
  });
  const rounds = perRound.map((r) => r.cal);
  const jsMs = median(rounds.map((c) => c.jsMs));
  const wasmMs = median(rounds.map((c) => c.wasmMs));
  return {
    kernels,
    calibration: {
      jsMs: sig(jsMs, 5),
      wasmMs: sig(wasmMs, 5),
      unitMs: sig(Math.sqrt(jsMs * wasmMs), 5),
      rounds: rounds.map((c) => ({ jsMs: sig(c.jsMs, 5), wasmMs: sig(c.wasmMs, 5), unitMs: sig(c.unitMs, 5) })),
    },
  };
}
