// The whole benchmark: what `npm run bench` (full) and `npm run bench:check -- --quick` (quick)
// measure, the targets of the performance issue, and the flat figure map the regression gate
// compares. Everything lands in one JSON document (bench/results/latest.json).
import { loadavg } from 'node:os';
import type { SynthOptions } from '../../src/synth/index.js';
import type { Calibration } from './calibrate.js';
import { runEndToEnd, Workloads, type E2EConfig, type E2EFigure } from './e2e.js';
import { runKernelBenches, type KernelFigure, type KernelName } from './kernels.js';
import { runWarmBench, type WarmFigure } from './warm.js';
import { runLiquidationBench, type LiquidationFigure } from './liquidation.js';
import { runServeBench, type ServeFigure } from './serve.js';
import { machineInfo, type MachineInfo } from './machine.js';
import { linearFit, sig } from './stats.js';

export type BenchMode = 'full' | 'quick';
export const SCHEMA = 'xmargin-bench/1';

/**
 * The suffix of an end-to-end run with --no-attribution, beside the same run with it: their
 * ratio, measured in one bench run, is what attribution costs (overhead.attribution.*).
 */
export const MARGINS_ONLY = '.margins';

/** The suffix of an end-to-end run on the same workload with every add-on (synth addOns): overhead.addons.*. */
export const WITH_ADDONS = '.addons';

/** The suffix of an end-to-end run with --no-stress (no Cover-1 / Cover-2 reduction): overhead.stress.*. */
export const NO_STRESS = '.nostress';

export interface Figure {
  /**
   * The compared number: a normalised time (multiples of the calibration loop), a peak RSS in
   * MiB, or an overhead (a wall-time ratio of two runs in the same bench run). Lower is better.
   */
  value: number;
  kind: 'kernel' | 'e2e' | 'rss' | 'overhead';
  /** Compared by the gate. Twin kernels are recorded but not gated (see docs/performance.md). */
  gate: boolean;
  /** The raw measurement behind it, for people. */
  raw: number;
  rawUnit: string;
}

export interface LinearityPoint {
  x: number;
  /** Best of LIN_REPS repetitions (the fit uses it: on a shared machine noise only adds time). */
  wallMs: number;
  wallSamplesMs: number[];
  peakRssMB: number;
}

export interface LinearitySeries {
  /** What varies, and what stays fixed. */
  x: string;
  fixed: string;
  workers: number;
  points: LinearityPoint[];
  fit: { slopeMsPerX: number; interceptMs: number; r2: number };
  /** The slope as a marginal cost per unit of work, ns (e.g. per position-scenario). */
  marginal: { nsPerUnit: number; unit: string };
}

export interface Target {
  id: string;
  description: string;
  target: string;
  measured: number | null;
  unit: string;
  pass: boolean | null;
}

export interface BenchResult {
  schema: typeof SCHEMA;
  mode: BenchMode;
  date: string;
  durationSeconds: number;
  machine: MachineInfo & { loadAverageAtEnd: number[] };
  calibration: Calibration & { rounds: Calibration[]; description: string };
  kernels: KernelFigure[];
  endToEnd: E2EFigure[];
  parallel: { size: string; workers1Ms: number; workers2Ms: number; speedup: number }[];
  /** A run on an engine held warm against a whole run(), in-process (S in quick mode, M in full). */
  warm: WarmFigure;
  /** Distances to liquidation and a 100-scenario crash ladder's cascades, in-process (S in quick mode, L in full). */
  liquidation?: LiquidationFigure;
  /** The what-if service under load (S in quick mode, M in full). */
  serve?: ServeFigure;
  memory: E2EFigure | null;
  linearity: { scenarios: LinearitySeries; positions: LinearitySeries; options: LinearitySeries } | null;
  targets: Target[];
  /** Flat map for the regression gate: key -> figure. */
  figures: Record<string, Figure>;
}

const LIN_SCENARIOS = [25_000, 50_000, 100_000, 200_000];
const LIN_POSITIONS = [5, 10, 20, 40];
const LIN_OPTION_SHARE = [0.1, 0.3, 0.5, 0.7, 0.9];
const LIN_FIXED_SCENARIOS = 100_000;
const LIN_REPS = 5;
const LIN_WORKERS = 1;
const MEMORY_SCENARIOS = 1_000_000;

const mcOnly = (mcCount: number, extra: SynthOptions = {}): SynthOptions => ({ mcCount, mcSets: 1, grid: false, ...extra });

export async function runBench(mode: BenchMode, log: (s: string) => void): Promise<BenchResult> {
  const t0 = Date.now();
  const machine = machineInfo();
  const quick = mode === 'quick';

  log(`kernels (M workload, ${quick ? 3 : 5} rounds)...`);
  const k = await runKernelBenches({
    rounds: quick ? 3 : 5,
    time: quick ? 100 : 400,
    iterations: quick ? 3 : 5,
    onRound: (r) => log(`  round ${r + 1}`),
  });

  const workloads = new Workloads();
  try {
    const e2eConfigs: E2EConfig[] = quick
      ? [
          { id: 'S.w1', size: 'S', workers: 1, reps: 2 },
          { id: 'S.w2', size: 'S', workers: 2, reps: 2 },
          { id: `S.w2${MARGINS_ONLY}`, size: 'S', workers: 2, reps: 2, args: ['--no-attribution'] },
          { id: `S.w2${WITH_ADDONS}`, size: 'S', workers: 2, reps: 2, synth: { addOns: true } },
          { id: `S.w2${NO_STRESS}`, size: 'S', workers: 2, reps: 2, args: ['--no-stress'] },
        ]
      : [
          { id: 'S.w1', size: 'S', workers: 1, reps: 3 },
          { id: 'S.w2', size: 'S', workers: 2, reps: 3 },
          { id: `S.w2${MARGINS_ONLY}`, size: 'S', workers: 2, reps: 3, args: ['--no-attribution'] },
          { id: `S.w2${WITH_ADDONS}`, size: 'S', workers: 2, reps: 3, synth: { addOns: true } },
          { id: `S.w2${NO_STRESS}`, size: 'S', workers: 2, reps: 3, args: ['--no-stress'] },
          { id: 'M.w1', size: 'M', workers: 1, reps: 5 },
          { id: 'M.w2', size: 'M', workers: 2, reps: 5 },
          { id: 'L.w1', size: 'L', workers: 1, reps: 3 },
          { id: 'L.w2', size: 'L', workers: 2, reps: 3 },
          { id: `L.w2${MARGINS_ONLY}`, size: 'L', workers: 2, reps: 3, args: ['--no-attribution'] },
          { id: `L.w2${WITH_ADDONS}`, size: 'L', workers: 2, reps: 3, synth: { addOns: true } },
          { id: `L.w2${NO_STRESS}`, size: 'L', workers: 2, reps: 3, args: ['--no-stress'] },
        ];
    log('end to end (CLI in a child process)...');
    const endToEnd = await runEndToEnd(e2eConfigs, workloads, log);

    const warmSize = quick ? 'S' : 'M';
    log(`warm engine vs cold run (${warmSize}, 2 workers, in-process)...`);
    const warm = await runWarmBench(warmSize, 2, quick ? 3 : 5);

    const liquidationSize = quick ? 'S' : 'L';
    log(`distances to liquidation and cascades (${liquidationSize}, 2 workers, in-process)...`);
    const liquidation = await runLiquidationBench(liquidationSize, 2, quick ? 3 : 5);

    const serveSize = quick ? 'S' : 'M';
    log(`what-if service (${serveSize}, 2 workers, autocannon)...`);
    const serve = await runServeBench(serveSize, workloads, quick ? { requests: 500, seconds: 3 } : {});

    let memory: E2EFigure | null = null;
    let linearity: BenchResult['linearity'] = null;
    if (!quick) {
      log(`memory: one ${MEMORY_SCENARIOS.toLocaleString('en-US')}-scenario Monte Carlo set on M, 2 workers...`);
      [memory] = await runEndToEnd(
        [{ id: 'M-1M.w2', size: 'M', workers: 2, reps: 1, synth: mcOnly(MEMORY_SCENARIOS) }],
        workloads,
        log,
      );

      log(`linearity (M, one normal Monte Carlo set, ${LIN_WORKERS} worker, best of ${LIN_REPS})...`);
      const lin = await runEndToEnd(
        [
          ...LIN_SCENARIOS.map((n): E2EConfig => ({
            id: `lin.scenarios.${n}`,
            size: 'M',
            workers: LIN_WORKERS,
            reps: LIN_REPS,
            synth: mcOnly(n),
          })),
          ...LIN_POSITIONS.map((p): E2EConfig => ({
            id: `lin.positions.${p}`,
            size: 'M',
            workers: LIN_WORKERS,
            reps: LIN_REPS,
            synth: mcOnly(LIN_FIXED_SCENARIOS, { positionsPerAccount: p }),
          })),
          ...LIN_OPTION_SHARE.map((s): E2EConfig => ({
            id: `lin.options.${s}`,
            size: 'M',
            workers: LIN_WORKERS,
            reps: LIN_REPS,
            synth: mcOnly(LIN_FIXED_SCENARIOS, { optionShare: s }),
          })),
        ],
        workloads,
        log,
      );
      const series = (
        prefix: string,
        x: (f: E2EFigure) => number,
        what: string,
        fixed: string,
        perUnit: (slopeMs: number) => number,
        unit: string,
      ): LinearitySeries => {
        const pts = lin
          .filter((f) => f.id.startsWith(prefix))
          .map((f) => ({ x: x(f), wallMs: f.wallMinMs, wallSamplesMs: f.wallSamplesMs, peakRssMB: f.peakRssMB }));
        const fit = linearFit(
          pts.map((p) => p.x),
          pts.map((p) => p.wallMs),
        );
        return {
          x: what,
          fixed,
          workers: LIN_WORKERS,
          points: pts,
          fit: { slopeMsPerX: sig(fit.slope, 5), interceptMs: sig(fit.intercept, 5), r2: sig(fit.r2, 5) },
          marginal: { nsPerUnit: sig(perUnit(fit.slope), 4), unit },
        };
      };
      linearity = {
        scenarios: series(
          'lin.scenarios.',
          (f) => f.scenarios,
          'Monte Carlo scenarios',
          'M book: 1,000 accounts x 10 positions, 160 options',
          (s) => s * 1e6,
          'scenario',
        ),
        positions: series(
          'lin.positions.',
          (f) => f.positions,
          'positions (1,000 accounts x 5/10/20/40)',
          `M, ${LIN_FIXED_SCENARIOS.toLocaleString('en-US')} scenarios`,
          (s) => (s * 1e6) / LIN_FIXED_SCENARIOS,
          'position-scenario',
        ),
        options: series(
          'lin.options.',
          (f) => f.options,
          'options among the 400 instruments (10/30/50/70/90%)',
          `M, ${LIN_FIXED_SCENARIOS.toLocaleString('en-US')} scenarios`,
          (s) => (s * 1e6) / LIN_FIXED_SCENARIOS,
          'option-scenario',
        ),
      };
    }

    const parallel = (['S', 'M', 'L'] as const).flatMap((size) => {
      const one = endToEnd.find((f) => f.id === `${size}.w1`);
      const two = endToEnd.find((f) => f.id === `${size}.w2`);
      return one && two
        ? [{ size, workers1Ms: one.wallMs, workers2Ms: two.wallMs, speedup: sig(one.wallMs / two.wallMs, 3) }]
        : [];
    });

    const result: BenchResult = {
      schema: SCHEMA,
      mode,
      date: new Date(t0).toISOString(),
      durationSeconds: Math.round((Date.now() - t0) / 100) / 10,
      machine: { ...machine, loadAverageAtEnd: loadavg().map((v) => Math.round(v * 100) / 100) },
      calibration: {
        ...k.calibration,
        description:
          'js: 262,144 dependent steps of y = y*a + b in plain JS; wasm: a 4096-element f64 dot product x 64 in hand-written WebAssembly. ' +
          'Kernel figures on WASM are normalised by the wasm loop, twin figures by the js loop, end-to-end figures by the geometric mean of the two (unitMs).',
      },
      kernels: k.kernels,
      endToEnd,
      parallel,
      warm,
      liquidation,
      serve,
      memory,
      linearity,
      targets: [],
      figures: {},
    };
    result.targets = targetsOf(result);
    result.figures = figuresOf(result);
    return result;
  } finally {
    workloads.dispose();
  }
}

const HOT: KernelName[] = ['mcShocks', 'revalueOptions', 'revalueLinear', 'aggregateRows', 'tailsPush', 'tailsPushCold'];

export function targetsOf(r: BenchResult): Target[] {
  const kern = (name: KernelName) => r.kernels.find((x) => x.kernel === name);
  const t: Target[] = [];
  const add = (
    id: string,
    description: string,
    target: string,
    measured: number | undefined | null,
    unit: string,
    ok: (v: number) => boolean,
  ) =>
    t.push({
      id,
      description,
      target,
      measured: measured ?? null,
      unit,
      pass: measured === undefined || measured === null ? null : ok(measured),
    });
  add(
    'aggregation',
    'aggregation (aggregateRows, WASM, one core)',
    '<= 0.5',
    kern('aggregateRows')?.wasm.nsPerUnit,
    'ns per position-scenario',
    (v) => v <= 0.5,
  );
  add(
    'options',
    'option revaluation (revalueOptions, WASM, one core)',
    '<= 15',
    kern('revalueOptions')?.wasm.nsPerUnit,
    'ns per option-scenario',
    (v) => v <= 15,
  );
  for (const name of HOT)
    add(`speedup.${name}`, `WASM vs TypeScript twin: ${name}`, '>= 4', kern(name)?.speedRatio, 'x', (v) => v >= 4);
  for (const p of r.parallel.filter((x) => x.size !== 'S'))
    add(`parallel.${p.size}`, `2 workers vs 1 worker on ${p.size}`, '>= 1.8', p.speedup, 'x', (v) => v >= 1.8);
  const e2e = (id: string) => r.endToEnd.find((f) => f.id === id)?.wallMs;
  const m2 = e2e('M.w2');
  add(
    'wall.M',
    'M end to end, 2 workers (100,021 scenarios)',
    '~1 (checked as <= 1.5)',
    m2 === undefined ? undefined : sig(m2 / 1000, 3),
    's',
    (v) => v <= 1.5,
  );
  const l2 = e2e('L.w2');
  add(
    'wall.L',
    'L end to end, 2 workers (200,021 scenarios)',
    '<= 10',
    l2 === undefined ? undefined : sig(l2 / 1000, 3),
    's',
    (v) => v <= 10,
  );
  const overheadL = attributionOverheads(r).find(([id]) => id === 'L.w2')?.[1];
  add(
    'attribution.L',
    'L end to end, 2 workers: with attribution vs --no-attribution (same bench run)',
    '<= 1.15',
    overheadL,
    'x',
    (v) => v <= 1.15,
  );
  const addOnsL = addOnOverheads(r).find(([id]) => id === 'L.w2')?.[1];
  add(
    'addons.L',
    'L end to end, 2 workers: every add-on configured vs none (same bench run)',
    '<= 1.05 (no measurable time)',
    addOnsL,
    'x',
    (v) => v <= 1.05,
  );
  const stressL = stressOverheads(r).find(([id]) => id === 'L.w2')?.[1];
  add(
    'stress.L',
    'L end to end, 2 workers: Cover-1 / Cover-2 of every set vs --no-stress (same bench run)',
    '<= 1.10',
    stressL,
    'x',
    (v) => v <= 1.1,
  );
  if (r.liquidation?.size === 'L') {
    const l = r.liquidation;
    add(
      'distances.L',
      `L: every unit's distance to liquidation (${l.units.toLocaleString('en-US')} units, 2 cores)`,
      '< 2 s',
      sig(l.distancesMs / 1000, 3),
      's',
      (v) => v < 2,
    );
    add(
      'cascade.L',
      `L: liquidation cascades of a ${l.cascadeScenarios}-scenario crash ladder (up to ${l.mostRounds} rounds, 2 workers)`,
      'measured (no target)',
      sig(l.cascadeMs / 1000, 3),
      's',
      () => true,
    );
  }
  if (r.serve?.size === 'M') {
    const v = r.serve;
    add('serve.p50.M', 'M: a single-trade what-if on one connection, p50', '<= 5', v.oneConnection.p50Ms, 'ms', (x) => x <= 5);
    add('serve.p99.M', 'M: a single-trade what-if on one connection, p99', '<= 20', v.oneConnection.p99Ms, 'ms', (x) => x <= 20);
    add('serve.rps.M', 'M: what-ifs per second on 8 connections', 'reported', v.eightConnections.perSecond, 'per s', () => true);
    add('serve.rss.M', 'M: the service process, peak RSS', '< 1024', v.peakRssMB, 'MiB', (x) => x < 1024);
  }
  if (r.warm)
    add(
      `warm.${r.warm.size}`,
      `${r.warm.size}: a run on a warm engine vs a whole run() (pool start-up saved)`,
      '< 1',
      r.warm.ratio,
      'x',
      (v) => v < 1,
    );
  add('memory.1M', '1,000,000 scenarios on M, peak RSS', '< 1024', r.memory?.peakRssMB, 'MiB', (v) => v < 1024);
  if (r.linearity) {
    for (const [name, s] of Object.entries(r.linearity))
      add(
        `linear.${name}`,
        `linear cost growth vs ${name} (R^2 of a straight-line fit)`,
        '>= 0.99',
        s.fit.r2,
        'R^2',
        (v) => v >= 0.99,
      );
  }
  return t;
}

/** The gate's flat figure map. Keys are stable: the baseline is keyed by them. */
export function figuresOf(r: BenchResult): Record<string, Figure> {
  const f: Record<string, Figure> = {};
  for (const k of r.kernels) {
    f[`kernel.${k.kernel}.wasm`] = {
      value: k.wasm.normalised,
      kind: 'kernel',
      gate: true,
      raw: k.wasm.nsPerUnit,
      rawUnit: `ns per ${k.unit}`,
    };
    f[`kernel.${k.kernel}.twin`] = {
      value: k.twin.normalised,
      kind: 'kernel',
      gate: false,
      raw: k.twin.nsPerUnit,
      rawUnit: `ns per ${k.unit}`,
    };
  }
  for (const e of [...r.endToEnd, ...(r.memory ? [r.memory] : [])]) {
    f[`e2e.${e.id}`] = { value: e.normalised, kind: 'e2e', gate: true, raw: e.wallMs, rawUnit: 'ms wall' };
    f[`rss.${e.id}`] = { value: e.peakRssMB, kind: 'rss', gate: true, raw: e.peakRssMB, rawUnit: 'MiB peak RSS' };
  }
  for (const [id, ratio] of attributionOverheads(r))
    f[`overhead.attribution.${id}`] = {
      value: ratio,
      kind: 'overhead',
      gate: true,
      raw: ratio,
      rawUnit: 'x wall without attribution',
    };
  for (const [id, ratio] of addOnOverheads(r))
    f[`overhead.addons.${id}`] = { value: ratio, kind: 'overhead', gate: true, raw: ratio, rawUnit: 'x wall without add-ons' };
  if (r.liquidation) {
    const l = r.liquidation;
    f[`liquidation.distances.${l.size}.w${l.workers}`] = {
      value: l.distancesNormalised,
      kind: 'e2e',
      gate: true,
      raw: l.distancesMs,
      rawUnit: 'ms',
    };
    f[`liquidation.cascade.${l.size}.w${l.workers}`] = {
      value: l.cascadeNormalised,
      kind: 'e2e',
      gate: true,
      raw: l.cascadeMs,
      rawUnit: 'ms',
    };
  }
  if (r.serve) {
    const v = r.serve;
    f[`serve.whatif.p50.${v.size}.w${v.workers}`] = {
      value: v.p50Normalised,
      kind: 'e2e',
      gate: true,
      raw: v.oneConnection.p50Ms,
      rawUnit: 'ms p50',
    };
    f[`serve.whatif.p99.${v.size}.w${v.workers}`] = {
      value: v.p99Normalised,
      kind: 'e2e',
      gate: true,
      raw: v.oneConnection.p99Ms,
      rawUnit: 'ms p99',
    };
    f[`rss.serve.${v.size}.w${v.workers}`] = {
      value: v.peakRssMB,
      kind: 'rss',
      gate: true,
      raw: v.peakRssMB,
      rawUnit: 'MiB peak RSS',
    };
  }
  for (const [id, ratio] of stressOverheads(r))
    f[`overhead.stress.${id}`] = { value: ratio, kind: 'overhead', gate: true, raw: ratio, rawUnit: 'x wall with --no-stress' };
  return f;
}

/** Per end-to-end run also measured with every add-on: wall with over wall without (medians of the same bench run). */
export function addOnOverheads(r: Pick<BenchResult, 'endToEnd'>): [string, number][] {
  const out: [string, number][] = [];
  for (const e of r.endToEnd) {
    const withAddOns = r.endToEnd.find((x) => x.id === `${e.id}${WITH_ADDONS}`);
    if (withAddOns) out.push([e.id, sig(withAddOns.wallMs / e.wallMs, 4)]);
  }
  return out;
}

/** Per end-to-end run measured both ways: wall with Cover-1 / Cover-2 over wall with --no-stress (medians of the same bench run). */
export function stressOverheads(r: Pick<BenchResult, 'endToEnd'>): [string, number][] {
  const out: [string, number][] = [];
  for (const e of r.endToEnd) {
    const without = r.endToEnd.find((x) => x.id === `${e.id}${NO_STRESS}`);
    if (without) out.push([e.id, sig(e.wallMs / without.wallMs, 4)]);
  }
  return out;
}

/** Per end-to-end run measured both ways: wall with attribution over wall without (medians of the same bench run). */
export function attributionOverheads(r: Pick<BenchResult, 'endToEnd'>): [string, number][] {
  const out: [string, number][] = [];
  for (const e of r.endToEnd) {
    const without = r.endToEnd.find((x) => x.id === `${e.id}${MARGINS_ONLY}`);
    if (without) out.push([e.id, sig(e.wallMs / without.wallMs, 4)]);
  }
  return out;
}
