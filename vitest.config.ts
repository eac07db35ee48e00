import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    globalSetup: ['test/support/global-setup.ts'],
    testTimeout: 30_000,
    hookTimeout: 60_000,
    // Most files wait — on databases, child processes, loopback servers and, for the call budget, a real minute — rather
    // than compute: three at a time on two cores halves the run (690 s → 310 s) without starving any of them.
    maxWorkers: 3,
  },
});
