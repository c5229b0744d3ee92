// End-to-end runs through the CLI, each in a child process so that its wall time and peak RSS
// are its own: `node dist/src/cli/main.js run --market --book --suite --out --workers N`.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fromRoot } from '../../src/paths.js';
import { suiteScenarios, synthesize, writeSynthFiles, type SynthOptions, type SynthSize } from '../../src/synth/index.js';
import { calibrationTasks, measureCalibration, type CalibrationTasks } from './calibrate.js';
import { RSS_MARKER } from './rss-marker.js';
import { median, sig } from './stats.js';
import { BenchFailure } from './tinybench.js';

export type RssSource = 'time -v' | 'resourceUsage';

export interface E2EFigure {
  id: string;
  size: SynthSize;
  workers: number;
  scenarios: number;
  accounts: number;
  positions: number;
  options: number;
  /** Median wall time of the CLI process (start to exit), ms. */
  wallMs: number;
  wallSamplesMs: number[];
  /** Fastest repetition, ms (contention on a busy machine only ever adds time). */
  wallMinMs: number;
  scenariosPerSecond: number;
  /** Largest peak RSS over the repetitions, MiB. */
  peakRssMB: number;
  rssSource: RssSource;
  /** Wall time / the calibration unit measured just before it; median over repetitions. */
  normalised: number;
  normalisedSamples: number[];
}

export interface E2EConfig {
  id: string;
  size: SynthSize;
  workers: number;
  reps: number;
  synth?: SynthOptions;
  /** More `xmargin run` flags (e.g. --no-attribution). */
  args?: string[];
}

let rssSourceCache: RssSource | undefined;

/** GNU time's -v when it works here, else the in-process wrapper. XMARGIN_BENCH_RSS=wrapper forces the latter. */
export function rssSource(): RssSource {
  if (rssSourceCache) return rssSourceCache;
  let source: RssSource = 'resourceUsage';
  if (process.env.XMARGIN_BENCH_RSS !== 'wrapper') {
    const probe = spawnSync('/usr/bin/time', ['-v', process.execPath, '-e', '0'], { encoding: 'utf8' });
    if (probe.status === 0 && /Maximum resident set size/.test(probe.stderr ?? '')) source = 'time -v';
  }
  return (rssSourceCache = source);
}

export class Workloads {
  readonly dir = mkdtempSync(join(tmpdir(), 'xmargin-bench-'));
  private files = new Map<
    string,
    { market: string; book: string; suite: string; scenarios: number; accounts: number; positions: number; options: number }
  >();

  get(size: SynthSize, synth: SynthOptions = {}) {
    const key = `${size}-${JSON.stringify(synth)}`;
    let f = this.files.get(key);
    if (!f) {
      const w = synthesize(size, 1, synth);
      const paths = writeSynthFiles(join(this.dir, `w${this.files.size}`), w, [`bench workload ${key}`]);
      f = {
        ...paths,
        scenarios: suiteScenarios(w.suite),
        accounts: w.book.accounts.length,
        positions: w.book.accounts.reduce((a, x) => a + x.positions.length, 0),
        options: w.book.instruments.filter((i) => i.type === 'option').length,
      };
      this.files.set(key, f);
    }
    return f;
  }

  dispose(): void {
    rmSync(this.dir, { recursive: true, force: true });
  }
}

const writesHtml = new Map<string, boolean>();

/**
 * Whether the CLI at `cli` writes report.html unless told not to (`--no-html`; xmargin from 0.1.0
 * with the HTML report). The end-to-end figures time the stress run and its report files, as the
 * baseline did; rendering the HTML view is not the engine's work. A checkout from before it
 * (versus.ts) has no such flag, and is asked once.
 */
export function htmlFlagOf(cli: string): string[] {
  let has = writesHtml.get(cli);
  if (has === undefined) {
    const help = spawnSync(process.execPath, [cli, 'run', '--help'], { encoding: 'utf8' });
    has = /--html\b/.test(help.stdout ?? '');
    writesHtml.set(cli, has);
  }
  return has ? ['--no-html'] : [];
}

/** One CLI run: wall ms and peak RSS in KiB. */
export function runCli(
  files: { market: string; book: string; suite: string },
  workers: number,
  outDir: string,
  cli: string = fromRoot('dist', 'src', 'cli', 'main.js'),
  extra: string[] = [],
): { wallMs: number; maxRssKB: number } {
  const args = [
    'run',
    '--market',
    files.market,
    '--book',
    files.book,
    '--suite',
    files.suite,
    '--out',
    outDir,
    '--workers',
    String(workers),
    '--no-progress',
    ...htmlFlagOf(cli),
    ...extra,
  ];
  const source = rssSource();
  const [cmd, argv] =
    source === 'time -v'
      ? ['/usr/bin/time', ['-v', process.execPath, cli, ...args]]
      : [process.execPath, [fromRoot('dist', 'bench', 'lib', 'rss-wrapper.js'), cli, ...args]];
  const t0 = process.hrtime.bigint();
  const r = spawnSync(cmd, argv, { encoding: 'utf8', maxBuffer: 256 * 1024 * 1024, stdio: ['ignore', 'pipe', 'pipe'] });
  const wallMs = Number(process.hrtime.bigint() - t0) / 1e6;
  const stderr = r.stderr ?? '';
  if (r.status !== 0) {
    const own = stderr.split(/\n\s*Command (?:being timed|exited with non-zero status)/)[0];
    throw new BenchFailure(
      `xmargin run exited with ${r.status ?? r.signal} (${args.join(' ')}):\n${own.split('\n').slice(-15).join('\n')}`,
    );
  }
  const m =
    source === 'time -v'
      ? /Maximum resident set size \(kbytes\): (\d+)/.exec(stderr)
      : new RegExp(`${RSS_MARKER}(\\d+)`).exec(stderr);
  if (!m) throw new BenchFailure(`could not read the peak RSS of the run (${source}); stderr:\n${stderr.slice(-2000)}`);
  return { wallMs, maxRssKB: Number(m[1]) };
}

/** Runs each configuration `reps` times (configurations interleaved rep by rep, so drift in load hits all alike). */
export async function runEndToEnd(
  configs: E2EConfig[],
  workloads: Workloads,
  log: (s: string) => void = () => {},
  cal: CalibrationTasks = calibrationTasks(),
): Promise<E2EFigure[]> {
  const samples = new Map<string, { wall: number[]; rss: number[]; norm: number[] }>(
    configs.map((c) => [c.id, { wall: [], rss: [], norm: [] }]),
  );
  const maxReps = Math.max(...configs.map((c) => c.reps));
  const out = join(workloads.dir, 'out');
  for (let rep = 0; rep < maxReps; rep++) {
    for (const c of configs) {
      if (rep >= c.reps) continue;
      const files = workloads.get(c.size, c.synth);
      const calib = await measureCalibration(cal, 100);
      const r = runCli(files, c.workers, out, undefined, c.args);
      const s = samples.get(c.id)!;
      s.wall.push(r.wallMs);
      s.rss.push(r.maxRssKB);
      s.norm.push(r.wallMs / calib.unitMs);
      log(
        `  ${c.id} rep ${rep + 1}/${c.reps}: ${(r.wallMs / 1000).toFixed(2)} s, peak RSS ${(r.maxRssKB / 1024).toFixed(0)} MiB`,
      );
    }
  }
  return configs.map((c) => {
    const f = workloads.get(c.size, c.synth);
    const s = samples.get(c.id)!;
    const wallMs = median(s.wall);
    return {
      id: c.id,
      size: c.size,
      workers: c.workers,
      scenarios: f.scenarios,
      accounts: f.accounts,
      positions: f.positions,
      options: f.options,
      wallMs: sig(wallMs, 5),
      wallSamplesMs: s.wall.map((v) => sig(v, 5)),
      wallMinMs: sig(Math.min(...s.wall), 5),
      scenariosPerSecond: sig(f.scenarios / (wallMs / 1000), 4),
      peakRssMB: sig(Math.max(...s.rss) / 1024, 4),
      rssSource: rssSource(),
      normalised: sig(median(s.norm), 5),
      normalisedSamples: s.norm.map((v) => sig(v, 5)),
    };
  });
}
