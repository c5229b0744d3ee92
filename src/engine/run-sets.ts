// One run of an engine: its sets one after another, each cut into range tasks, a large Monte
// Carlo set as a pilot and a main pass (pilot.ts), and the tasks' packs turned into each set's
// exact tails. Everything here belongs to the run: its shared bars, its cancel flag, its progress.
import { ArgumentError, runFailure } from '../errors.js';
import { chunkFor, engineDefaults, maxChunkFor, taskSizeFor } from './defaults.js';
import { runTasks } from './dispatch.js';
import type { EngineRunOptions, PassStage } from './engine.js';
import {
  ExactTails,
  isStoredPack,
  mergeToPack,
  packCounts,
  SUMMARY_WIDTH,
  summarizeTails,
  summarizedLength,
  tailScenariosOf,
  type PackedTails,
  type StoredPack,
  type TailsPack,
} from './exact-tails.js';
import type { TaskExecutor } from './executor.js';
import { baseBytes, equalSlices, planGroups, type SeriesGroup } from './memory.js';
import { coverageOfCounts, pilotBars, pilotFor } from './pilot.js';
import { COVER_WIDTH, coverTable, emptyCoverState, mergeCoverState, setCover } from './cover.js';
import type { RunPlan } from './plan.js';
import { SharedBars } from './shared-bars.js';
import type { PlanRef, RangeTask, SummaryTask } from './task.js';

/** Scenarios [from, to) cut into ranges of at most taskSize. */
export function taskRanges(from: number, to: number, taskSize: number): { start: number; count: number }[] {
  const out: { start: number; count: number }[] = [];
  for (let start = from; start < to; start += taskSize) out.push({ start, count: Math.min(taskSize, to - start) });
  return out;
}

/** Scenarios per kernel pass of a plan's run: the one asked for, or as many as fit the scratch. */
export function chunkOf(plan: RunPlan, requested: number | undefined): number {
  const ins = plan.instruments;
  return requested ?? chunkFor(ins.nLinear + ins.nOptions, plan.holdings.nSeries, ins.n);
}

/**
 * One run: sets one after another, each cut into range tasks; a large Monte Carlo set runs as
 * a pilot and a main pass (pilot.ts). The tasks' packs are kept as they arrive (with a bar, each
 * holds only the few losses that can still enter the tail) and become the set's ExactTails, which
 * merges a series when it is read.
 */
export async function runSets(
  plan: RunPlan,
  ref: PlanRef,
  executor: TaskExecutor,
  options: EngineRunOptions,
  signal: AbortSignal | undefined,
): Promise<ExactTails[]> {
  const ins = plan.instruments;
  const nSeries = plan.holdings.nSeries;
  const slots = executor.concurrency;
  const chunk = chunkOf(plan, options.chunk);
  checkChunk(chunk, maxChunkFor(ins.nLinear + ins.nOptions, nSeries, ins.n));
  const sizeOf = (scenarios: number, stage: PassStage) =>
    options.taskSize ??
    taskSizeFor(scenarios, slots, chunk, stage === 'pilot' ? engineDefaults.pilotTasksPerWorker : engineDefaults.tasksPerWorker);
  const which = options.sets ?? plan.sets.map((_, i) => i);
  for (const si of which)
    if (!(Number.isInteger(si) && si >= 0 && si < plan.sets.length)) throw new Error(`internal: no set ${si}`);
  // Every set's groups of series are planned before anything runs, so a budget too small fails
  // in the first second rather than after hours.
  const budget = options.maxMemory ?? engineDefaults.maxMemory;
  const base = baseBytes(plan, slots, chunk) + (options.reservedMemory ?? 0);
  const groups = planGroups(plan, which, slots, budget, base, options.keepTails !== false);
  let allTotal = which.reduce((a, si, at) => a + plan.sets[si].scenarios * groups[at].length, 0);
  let allDone = 0;
  let taskCount = 0;

  // Cancellation reaches running tasks through shared memory, between chunks; an executor that
  // cannot share memory stops taking new tasks and lets the running ones finish.
  const cancel = executor.sharesMemory ? new SharedArrayBuffer(4) : undefined;
  // An executor that keeps results (a queue's workers and Redis) keeps the main passes' packs:
  // the coordinator gets their digests, and summary tasks merge them where they are. Only when
  // the run does not keep its tails (the losses themselves would have to come here).
  const storing = executor.storesResults === true && options.keepTails === false;
  const onAbort = () => {
    if (cancel) Atomics.store(new Int32Array(cancel), 0, 1);
  };
  if (signal?.aborted) throw runFailure({ code: 'aborted', message: 'cancelled' });
  signal?.addEventListener('abort', onAbort, { once: true });

  // Cover-1 and Cover-2 (cover.ts) ride on the range tasks of each set's first group of series:
  // every scenario of every pass reduced over the portfolios, the states merged per set. A
  // scenario a later pass sees again (pilot-full, rerun) merges to the same state.
  const covers = options.cover === false ? undefined : coverTable(plan);
  const coverStates = new Map<number, Float64Array>();
  const coverOf = (si: number) => {
    const state = coverStates.get(si);
    return state ? setCover(state) : undefined;
  };

  /**
   * The packs that hold the exact tails of one set's series `group` (series counted from
   * group.from); `whileRunning` is called once the longest pass is under way (the previous
   * piece's tails are finished then). `progress` counts the set's scenarios over its groups.
   */
  async function runSet(
    si: number,
    group: SeriesGroup,
    progress: { done: number; total: number },
    whileRunning: () => void,
    shareResults: boolean,
  ): Promise<TailsPack[]> {
    const set = plan.sets[si];
    const k = set.tailSize;
    const nSeries = group.to - group.from;
    const whole = nSeries === plan.holdings.nSeries;

    /** Scenarios [from, to) in range tasks keeping `cap` losses per series: the tasks' packs. */
    async function pass(stage: PassStage, from: number, to: number, cap: number, bar?: Float64Array, during?: () => void) {
      // A pilot keeps fewer than k losses per series: its tasks' worst is no bound on the set's
      // k-th largest, so it shares no bars.
      const sharedBars = stage !== 'pilot' && executor.sharesMemory ? SharedBars.create(nSeries) : undefined;
      if (sharedBars && bar) {
        const bars = new SharedBars(sharedBars, nSeries);
        for (let r = 0; r < nSeries; r++) bars.raise(r, bar[r]);
      }
      const packs: TailsPack[] = [];
      // The pilot's packs are merged here for its bars: they come back whole. So do a small
      // set's: merging them here is quicker than the summary tasks' round trips.
      const store = storing && stage !== 'pilot' && large(si);
      const cover = covers && group.from === 0 ? covers : undefined;
      let coverState = coverStates.get(si);
      if (cover && !coverState) coverStates.set(si, (coverState = emptyCoverState()));
      const tasks = taskRanges(from, to, sizeOf(to - from, stage)).map((range): RangeTask => {
        const n = taskCount++;
        return {
          plan: ref,
          set: si,
          ...range,
          chunk,
          cap,
          ...(whole ? {} : { series: group }),
          ...(bar ? { bar } : {}),
          ...(sharedBars ? { sharedBars } : {}),
          ...(cancel ? { cancel } : {}),
          ...(shareResults ? { sharedResult: true } : {}),
          ...(cover ? { cover } : {}),
          ...(store ? { stored: true } : {}),
          ...(options.inject && options.inject.task === n ? { fault: options.inject.fault } : {}),
        };
      });
      const running = runTasks(executor, tasks, signal, set.name, (task, tails, stored) => {
        if (task.cover && coverState) mergeCoverState(coverState, tails.subarray(0, COVER_WIDTH));
        const head = task.cover ? COVER_WIDTH : 0;
        if (!store) packs.push({ data: tails, start: head });
        else {
          // The digest: the head, then the counts against the bar; the pack, head first, is stored.
          if (stored === undefined || tails.length !== head + 2 * nSeries)
            throw new Error(`internal: a stored range task came back without its digest`);
          const pack = { stored, start: head };
          packs.push(pack);
          digests.set(pack, tails.subarray(head));
        }
        progress.done += task.count;
        allDone += task.count;
        options.onProgress?.({ set: set.name, done: progress.done, total: progress.total, allDone, allTotal });
      });
      during?.();
      await running;
      return packs;
    }
    /** Each stored pack's counts against its task's bar (packCounts), from its digest. */
    const digests = new Map<StoredPack, Float64Array>();

    // Only a Monte Carlo set's first scenarios are a random sample of it.
    const pilot =
      set.source.kind !== 'montecarlo' || options.pilot === false ? undefined : (options.pilot ?? pilotFor(set.scenarios, k));
    if (pilot === undefined || pilot.rank > k || pilot.scenarios >= set.scenarios) {
      const packs = await pass('main', 0, set.scenarios, k, undefined, whileRunning);
      options.onPass?.({ set: set.name, stage: 'main', scenarios: set.scenarios, cap: k });
      return packs;
    }
    // The pilot's tasks' top `rank`s, merged into one list per series: its bar is the last of it.
    // (A pilot's packs are never stored: `pass` keeps them here.)
    const pilotRuns = (await pass('pilot', 0, pilot.scenarios, pilot.rank)) as PackedTails[];
    const pilotTop = mergeToPack(pilotRuns, nSeries, pilot.rank, shareResults);
    const pilotPacks = [{ data: pilotTop, start: 0 }];
    options.onPass?.({ set: set.name, stage: 'pilot', scenarios: pilot.scenarios, cap: pilot.rank });
    const bar = pilotBars(pilotPacks, nSeries, pilot.rank);
    const mainPacks = await pass('main', pilot.scenarios, set.scenarios, k, bar, whileRunning);
    // Counted here where the pack is here, from its digest where the executor keeps it.
    const counts = [...pilotPacks, ...mainPacks].map((p) =>
      isStoredPack(p) ? digests.get(p)! : packCounts(p.data, p.start, nSeries, bar),
    );
    const { tied, short } = coverageOfCounts(counts, nSeries, k);
    options.onPass?.({
      set: set.name,
      stage: 'main',
      scenarios: set.scenarios - pilot.scenarios,
      cap: k,
      coverage: { tied: tied.length, short: short.length },
    });
    if (tied.length === 0 && short.length === 0) return [...pilotPacks, ...mainPacks];
    if (short.length === 0) {
      // Ties at a bar: the main pass is complete, the pilot's scenarios need their full top k.
      allTotal += pilot.scenarios;
      progress.total += pilot.scenarios;
      const pilotFull = await pass('pilot-full', 0, pilot.scenarios, k);
      options.onPass?.({ set: set.name, stage: 'pilot-full', scenarios: pilot.scenarios, cap: k });
      return [...pilotFull, ...mainPacks];
    }
    // A bar above the set's k-th largest loss: run the whole set again without a pilot.
    allTotal += set.scenarios;
    progress.total += set.scenarios;
    const rerun = await pass('rerun', 0, set.scenarios, k);
    options.onPass?.({ set: set.name, stage: 'rerun', scenarios: set.scenarios, cap: k });
    return rerun;
  }

  /**
   * The summaries of a group's tails (what the measures are made of: exact-tails.ts
   * summarizeTails), its last merge. Where the packs lie in shared memory (the run's last large set,
   * below) the workers compute them in slices of series, so at the end of the run that merge takes
   * the whole machine rather than one thread while the others wait; elsewhere the coordinator
   * does, in slices that leave it free to keep the workers fed.
   */
  async function summarize(
    packs: TailsPack[],
    nSeries: number,
    k: number,
    at: number,
    si: number,
    first: number,
  ): Promise<Float64Array> {
    const setName = plan.sets[si].name;
    const summaries = new Float64Array(nSeries * SUMMARY_WIDTH);
    const onScenarios = options.onTailScenarios;
    // A slice's summaries, and with scenarios the slice's tails handed to the caller at once, so
    // that no more than a few slices of them are alive.
    const take = (from: number, to: number, part: Float64Array) => {
      const n = to - from;
      summaries.set(part.subarray(0, n * SUMMARY_WIDTH), from * SUMMARY_WIDTH);
      onScenarios?.({
        index: at,
        set: si,
        from: first + from,
        to: first + to,
        k,
        summaries: part.subarray(0, n * SUMMARY_WIDTH),
        scenarios: tailScenariosOf(part, n, k),
      });
    };
    const withScenarios = onScenarios !== undefined;
    // Packs stored with the executor are merged there whatever their size: nothing else can read them.
    const stored = packs.some(isStoredPack);
    const shared = packs.every((p) => !isStoredPack(p) && p.data.buffer instanceof SharedArrayBuffer);
    if (stored || (shared && nSeries * k >= engineDefaults.summaryTaskMinLosses)) {
      // With scenarios, slices small enough that the ones in flight stay a few MiB each.
      const bySize = withScenarios ? Math.ceil((nSeries * k * 4) / engineDefaults.tailScenarioSliceBytes) : 0;
      const count = Math.min(nSeries, Math.max(executor.concurrency * engineDefaults.summaryTasksPerWorker, bySize));
      const tasks = equalSlices(nSeries, count).map(({ from, to }): SummaryTask => ({
        kind: 'summary',
        packs,
        nSeries,
        k,
        from,
        to,
        ...(withScenarios ? { withScenarios } : {}),
      }));
      await runTasks(executor, tasks, undefined, setName, (task, part) => take(task.from, task.to, part));
      return summaries;
    }
    const slice = Math.max(1, Math.floor(engineDefaults.summarySliceLosses / k));
    // One buffer for every slice: what take hands on is valid during the call only, and fresh
    // memory costs more to touch on some machines than the merge that fills it (exact-tails.ts).
    const scratch = new Float64Array(summarizedLength(Math.min(slice, nSeries), k, withScenarios));
    for (let from = 0; from < nSeries; from += slice) {
      if (from > 0) await new Promise<void>((done) => setImmediate(done));
      const to = Math.min(nSeries, from + slice);
      take(from, to, summarizeTails(packs as PackedTails[], nSeries, k, from, to, withScenarios, scratch));
    }
    return summaries;
  }

  // One piece of work per set and group of series, in order. A piece's tails are finished
  // (summarised, and when its set is complete handed to onSetTails) while the next piece's
  // tasks run, so the workers do not wait on the coordinator between them.
  const finishing: Promise<void>[] = [];
  function large(si: number): boolean {
    return nSeries * plan.sets[si].tailSize >= engineDefaults.summaryTaskMinLosses;
  }
  let lastLarge = -1;
  which.forEach((si, at) => {
    if (large(si)) lastLarge = at;
  });
  try {
    const results: ExactTails[] = new Array(which.length);
    let finishPrevious: (() => void) | undefined;
    for (const [at, si] of which.entries()) {
      const set = plan.sets[si];
      const k = set.tailSize;
      const setGroups = groups[at];
      const progress = { done: 0, total: set.scenarios * setGroups.length };
      // A set in groups keeps its summaries only: all its tails are what did not fit.
      const grouped = setGroups.length > 1;
      const summaries = grouped ? new Float64Array(nSeries * SUMMARY_WIDTH) : undefined;
      for (const group of setGroups) {
        const previous = finishPrevious;
        finishPrevious = undefined;
        // Only the run's last large set packs its results in shared memory: little or no work
        // overlaps its merge, which the workers then share. Elsewhere the merge overlaps the next
        // set's tasks anyway, and shared memory has a cost: V8 does not count a SharedArrayBuffer
        // against the heap that holds it, so the coordinator's garbage collector, seeing no
        // pressure, would keep every set's (and every group's) packs long after they were freed,
        // past any memory budget.
        const shareResults = executor.sharesMemory && at === lastLarge && !grouped;
        const packs = await runSet(si, group, progress, () => previous?.(), shareResults);
        if (summaries) {
          // In groups, a group's packs go as soon as they are summarised: two groups' tails
          // at once would not fit the budget the groups were cut for.
          summaries.set(await summarize(packs, group.to - group.from, k, at, si, group.from), group.from * SUMMARY_WIDTH);
          if (group.to < nSeries) continue;
          const tails = new ExactTails(set.name, undefined, nSeries, k, summaries);
          tails.cover = coverOf(si);
          results[at] = tails;
          options.onSetTails?.(tails, at);
          continue;
        }
        finishPrevious = () => {
          const done = summarize(packs, nSeries, k, at, si, 0).then((part) => {
            // Packs are stored only in runs that do not keep their tails (`storing`).
            const kept = options.keepTails === false ? undefined : (packs as PackedTails[]);
            const tails = new ExactTails(set.name, kept, nSeries, k, part);
            tails.cover = coverOf(si);
            results[at] = tails;
            options.onSetTails?.(tails, at);
          });
          // Awaited below; until then a failure must not count as unhandled.
          done.catch(() => {});
          finishing.push(done);
        };
      }
    }
    finishPrevious?.();
    await Promise.all(finishing);
    return results;
  } catch (err) {
    // Nothing is left running when a run fails: the summaries in flight settle first.
    await Promise.allSettled(finishing);
    throw err;
  } finally {
    signal?.removeEventListener('abort', onAbort);
  }
}

/** A chunk asked for must fit the workers' scratch budget (defaults.ts scratchBytes). */
function checkChunk(chunk: number, max: number): void {
  if (!(Number.isInteger(chunk) && chunk >= 1 && chunk <= max)) {
    throw new ArgumentError(
      'chunk',
      chunk,
      `expected a whole number of scenarios from 1 to ${max}: a chunk's scratch for this book must fit ${engineDefaults.scratchBytes / 2 ** 20} MiB per worker`,
    );
  }
}
