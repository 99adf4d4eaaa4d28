import { defineConfig } from 'vitest/config';
import { reliabilitySuite } from './vitest.reliability.config.js';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    // The reliability suite's rounds have their own run: npm run test:reliability.
    exclude: [...reliabilitySuite, '**/node_modules/**'],
    globalSetup: ['test/helpers/global-setup.ts'],
    // Each test file has its own database and Redis prefix, so files run in parallel.
    pool: 'forks',
    fileParallelism: true,
    maxWorkers: 3,
    testTimeout: 60_000,
    hookTimeout: 60_000,
    teardownTimeout: 30_000,
    reporters: ['default'],
  },
});
