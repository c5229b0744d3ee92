import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    testTimeout: 60000,
    pool: 'forks',
    // All test files share one process per worker: a fresh process per file cost about 0.7 s
    // each (about half the suite's wall time on 2 cores). The code under test keeps no state
    // across calls but caches (the compiled WASM module, the package root), and the CLI runs
    // in-process as a function of its arguments (test/helpers/cli.ts).
    isolate: false,
  },
});
