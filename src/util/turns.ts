// Plan-sized work that a run does on its main thread while the workers run (exposures, the
// attribution's components): written once as a generator that yields between units of work, then
// either run to the end at once (a library call) or spread over event-loop turns (during a run).
// Spread, because the main thread is the engine's coordinator: a task that ends while it is busy
// waits for it, and a worker with nothing queued sits idle. On L, computing the exposures at one
// go kept both workers idle for most of its 0.7 s.

/** Work that yields between steps and returns T at the end. */
export type Steps<T> = Generator<void, T, void>;

/** Runs the steps to the end on this turn. */
export function runSteps<T>(steps: Steps<T>): T {
  for (;;) {
    const next = steps.next();
    if (next.done) return next.value;
  }
}

/**
 * Runs the steps, giving the event loop a turn whenever `sliceMs` have passed since the last one
 * (setImmediate: after pending I/O, such as a worker's message, is handled).
 */
export async function runStepsInTurns<T>(steps: Steps<T>, sliceMs = 4): Promise<T> {
  let since = performance.now();
  for (;;) {
    const next = steps.next();
    if (next.done) return next.value;
    if (performance.now() - since >= sliceMs) {
      await new Promise<void>((resolve) => setImmediate(resolve));
      since = performance.now();
    }
  }
}
