// The file piscina starts its threads with. Piscina loads a task file with require() first, and
// on Node 20.19+ require() of an ES module (worker.js) is on by default; when a thread loads that
// module graph so, Node can abort the whole process (a fatal V8 error in Module::IsGraphAsync,
// seen in CI under vitest). This CommonJS entry loads the worker with import() instead, the
// path piscina takes for ES modules anyway, once per thread, as soon as the thread starts.
type RunTask = (task: unknown) => unknown;
const worker = import('./worker.js') as Promise<{ default: RunTask }>;

export = async function runTask(task: unknown): Promise<unknown> {
  return (await worker).default(task);
};
