// A process that spends a request budget: `node --import tsx budget-taker.ts <redisUrl> <key> <perSecond> <count>`.
// Prints the grant times (ms since the epoch) as one JSON array on stdout.
import { Redis } from 'ioredis';
import { RequestRateBudget } from '../../src/sync/rate-budget/index.js';

const [redisUrl, key, perSecond, count] = process.argv.slice(2);
const redis = new Redis(redisUrl!, { maxRetriesPerRequest: 3 });
const budget = new RequestRateBudget(redis, key!, Number(perSecond));
const grants: number[] = [];
// Two callers per process, as two jobs of one worker would be.
await Promise.all(
  [0, 1].map(async (caller) => {
    for (let i = caller; i < Number(count); i += 2) {
      await budget.take(1);
      grants.push(Date.now());
    }
  }),
);
redis.disconnect();
process.stdout.write(JSON.stringify(grants));
