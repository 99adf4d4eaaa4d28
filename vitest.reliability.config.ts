import { defineConfig } from 'vitest/config';

// `npm run test:reliability`: worker processes killed, Redis and Postgres restarted, sources that
// misbehave, rounds after rounds. Files run one at a time: each spawns worker processes of its own,
// and two cores are all CI has.
/** Its files (npm test leaves them out; worker-crash and shopify-crash stay in npm test). */
export const reliabilitySuite = [
  'test/reliability/kill-rounds.test.ts',
  'test/reliability/source-trouble.test.ts',
  'test/reliability/redis-restart.test.ts',
  'test/reliability/postgres-restart.test.ts',
];

export default defineConfig({
  test: {
    include: reliabilitySuite,
    globalSetup: ['test/helpers/global-setup.ts'],
    pool: 'forks',
    fileParallelism: false,
    testTimeout: 300_000,
    hookTimeout: 120_000,
    teardownTimeout: 30_000,
    reporters: ['default'],
  },
});
