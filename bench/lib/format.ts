// Human-readable tables for a bench result.
import Table from 'cli-table3';
import type { BenchResult, LinearitySeries } from './suite.js';

const num = (v: number, digits = 3) =>
  Number.isFinite(v) ? Number(v.toPrecision(digits)).toLocaleString('en-US', { maximumFractionDigits: 6 }) : String(v);
const table = (head: string[], aligns?: ('left' | 'right')[]) =>
  new Table({
    head,
    colAligns: aligns ?? head.map((_, i) => (i === 0 ? 'left' : 'right')),
    style: { head: [], border: [], compact: true },
  });

export function asciiBars(s: LinearitySeries, width = 40): string {
  const max = Math.max(...s.points.map((p) => p.wallMs));
  return s.points
    .map(
      (p) =>
        `${String(p.x.toLocaleString('en-US')).padStart(9)} | ${'#'.repeat(Math.max(1, Math.round((p.wallMs / max) * width))).padEnd(width)} ${(p.wallMs / 1000).toFixed(2)} s`,
    )
    .join('\n');
}

export function formatResult(r: BenchResult): string {
  const out: string[] = [];
  const m = r.machine;
  out.push(`xmargin bench (${r.mode}), ${r.date}, ${r.durationSeconds} s`);
  out.push(
    `machine: ${m.cpuModel}, ${m.cores} cores, ${m.totalMemoryMB} MiB, ${m.os}, node ${m.node}; load average ${m.loadAverage.join(' ')} -> ${m.loadAverageAtEnd.join(' ')}`,
  );
  out.push(
    `calibration: js loop ${num(r.calibration.jsMs, 4)} ms, wasm loop ${num(r.calibration.wasmMs, 4)} ms (unit ${num(r.calibration.unitMs, 4)} ms)`,
  );

  const k = table([
    'kernel (M workload)',
    'unit of work',
    'units/call',
    'WASM ns/unit',
    'twin ns/unit',
    'WASM speed-up',
    'WASM norm',
    'twin norm',
    'max rel diff',
  ]);
  for (const x of r.kernels) {
    k.push([
      x.kernel,
      x.unit,
      x.unitsPerCall.toLocaleString('en-US'),
      num(x.wasm.nsPerUnit),
      num(x.twin.nsPerUnit),
      `${num(x.speedRatio)}x`,
      num(x.wasm.normalised),
      num(x.twin.normalised),
      x.maxRelDiff === 0 ? '0' : x.maxRelDiff.toExponential(1),
    ]);
  }
  out.push('', 'Kernels (one thread; norm = ms per call / calibration loop ms)', k.toString());

  const e = table(['run', 'workers', 'scenarios', 'wall s', 'scenarios/s', 'peak RSS MiB', 'norm', 'samples s']);
  for (const x of [...r.endToEnd, ...(r.memory ? [r.memory] : [])]) {
    e.push([
      x.id,
      x.workers,
      x.scenarios.toLocaleString('en-US'),
      num(x.wallMs / 1000),
      Math.round(x.scenariosPerSecond).toLocaleString('en-US'),
      num(x.peakRssMB, 4),
      num(x.normalised, 4),
      x.wallSamplesMs.map((v) => (v / 1000).toFixed(2)).join(' '),
    ]);
  }
  out.push('', `End to end (xmargin run in a child process; peak RSS by ${r.endToEnd[0]?.rssSource ?? '-'})`, e.toString());
  if (r.parallel.length)
    out.push(
      `parallel speed-up (1 worker wall / 2 workers wall): ${r.parallel.map((p) => `${p.size} ${num(p.speedup)}x`).join(', ')}`,
    );

  if (r.warm)
    out.push(
      `warm engine (${r.warm.size}, ${r.warm.workers} workers): a run on a held engine ${num(r.warm.warmMs / 1000)} s vs a whole run() ` +
        `${num(r.warm.coldMs / 1000)} s (ratio ${num(r.warm.ratio, 3)}; ${num(r.warm.savedMs)} ms of start-up saved per run)`,
    );

  if (r.liquidation) {
    const l = r.liquidation;
    out.push(
      `section 9 (${l.size}, ${l.workers} workers, on a held engine): distances to liquidation of ${l.units} units ${num(l.distancesMs)} ms; ` +
        `cascades of a ${l.cascadeScenarios}-scenario crash ladder ${num(l.cascadeMs)} ms (${l.withLiquidation} with liquidations, up to ${l.mostRounds} rounds)`,
    );
  }

  if (r.serve) {
    const v = r.serve;
    out.push(
      `what-if service (${v.size}, ${v.workers} workers): 1 connection p50 ${v.oneConnection.p50Ms} ms, p99 ${v.oneConnection.p99Ms} ms; ` +
        `8 connections ${num(v.eightConnections.perSecond)} per second; peak RSS ${num(v.peakRssMB)} MiB`,
    );
  }

  if (r.linearity) {
    for (const s of Object.values(r.linearity)) {
      out.push(
        '',
        `Linearity: wall time (best of ${s.points[0]?.wallSamplesMs.length ?? 1}) vs ${s.x} (${s.fixed}; ${s.workers} worker)`,
      );
      out.push(asciiBars(s));
      out.push(
        `fit: ${num(s.fit.interceptMs / 1000)} s + ${num(s.fit.slopeMsPerX, 4)} ms per unit, R^2 = ${num(s.fit.r2, 4)}; marginal cost ${num(s.marginal.nsPerUnit)} ns per ${s.marginal.unit}`,
      );
    }
  }

  const t = table(['target', 'wanted', 'measured', 'unit', ''], ['left', 'right', 'right', 'left', 'left']);
  for (const x of r.targets)
    t.push([
      x.description,
      x.target,
      x.measured === null ? '-' : num(x.measured),
      x.unit,
      x.pass === null ? 'n/a' : x.pass ? 'ok' : 'MISSED',
    ]);
  out.push('', 'Targets of the performance issue', t.toString());
  return out.join('\n');
}
