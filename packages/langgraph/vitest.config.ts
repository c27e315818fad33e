import { defineConfig } from 'vitest/config';

// Only the conformance suite runs under vitest (its `validate()` defines describe/it blocks); the package's other tests
// (test/*.test.ts) run with node's test runner in scripts/test.d/10-node.sh.
export default defineConfig({
  test: {
    include: ['test/**/*.vitest.ts'],
    globals: true,
    testTimeout: 60_000,
    hookTimeout: 60_000,
    fileParallelism: false,
  },
});
