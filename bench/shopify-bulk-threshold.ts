// `node --import tsx bench/shopify-bulk-threshold.ts [--sizes 100,250,500,1000] [--entity customer|product]`
// Where a bulk export starts to beat paging, on the fake shop with a latency model (printed, not asserted).
//
// Model (see README, "Shopify source"): every request takes `latency` ms (the round trip to Shopify
// and its server time); the bucket is the shop's (capacity, restore/s); a bulk export starts after
// `startup` ms and writes `rate` objects/s, and is polled every `poll` ms (the adapter's default).
// Each size runs both walks on a fresh shop (full bucket), timing the adapter's pages() alone.
import { parseArgs } from 'node:util';
import { ShopifyAdapter } from '../src/adapters/shopify/adapter.js';
import { Redis } from 'ioredis';
import { CostRateBudget } from '../src/sync/rate-budget/index.js';
import type { SyncEntityType } from '../src/adapters/types.js';
import { startFakeShopify } from '../test/fakes/shopify/server.js';

const { values } = parseArgs({
  options: {
    sizes: { type: 'string', default: '100,250,500,1000' },
    entity: { type: 'string', default: 'customer' },
    latency: { type: 'string', default: '120' },
    capacity: { type: 'string', default: '2000' },
    restore: { type: 'string', default: '100' },
    startup: { type: 'string', default: '3000' },
    rate: { type: 'string', default: '2000' },
    poll: { type: 'string', default: '2000' },
  },
});
const entity = values.entity as SyncEntityType;
const n = (s: string | undefined) => Number(s);
const redis = new Redis(process.env.REDIS_URL ?? 'redis://127.0.0.1:6379', { maxRetriesPerRequest: 3 });

async function walk(size: number, bulk: boolean): Promise<{ ms: number; requests: number }> {
  const fake = await startFakeShopify({
    customers: entity === 'customer' ? size : 0,
    products: entity === 'product' ? size : 0,
    variantsPerProduct: 4,
    orders: 0,
    bucketCapacity: n(values.capacity),
    restorePerSecond: n(values.restore),
    latencyMs: n(values.latency),
    bulk: { startupMs: n(values.startup), objectsPerSecond: n(values.rate) },
  });
  try {
    const connection = fake.connection({
      bulkThreshold: bulk ? 1 : 10_000_000,
      bulkPollIntervalMs: n(values.poll),
    });
    const adapter = new ShopifyAdapter({
      connectionId: 'bench',
      ...connection,
      rateBudget: new CostRateBudget(redis, `{sync-worker-bench}:shopify:${Date.now()}:${size}:${bulk}`, {
        capacity: n(values.capacity),
        restorePerSecond: n(values.restore),
      }),
    });
    const started = performance.now();
    let items = 0;
    for await (const page of adapter.pages({
      entity,
      mode: 'full',
      since: null,
      checkpoint: null,
      pageSize: 250,
    })) {
      items += page.items.length;
    }
    if (items !== size) throw new Error(`walked ${items} of ${size}`);
    return { ms: performance.now() - started, requests: fake.requestCount };
  } finally {
    await fake.close();
  }
}

console.log(
  `| ${entity}s | paging (s) | requests | bulk (s) | requests | faster |\n| --- | --- | --- | --- | --- | --- |`,
);
for (const size of values.sizes!.split(',').map(Number)) {
  const paged = await walk(size, false);
  const bulk = await walk(size, true);
  console.log(
    `| ${size} | ${(paged.ms / 1000).toFixed(1)} | ${paged.requests} | ${(bulk.ms / 1000).toFixed(1)} | ${bulk.requests} | ${paged.ms <= bulk.ms ? 'paging' : 'bulk'} |`,
  );
}

redis.disconnect();
